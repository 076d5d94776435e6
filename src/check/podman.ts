import path from 'node:path';
import { BuildahMatcher, BuildahPattern } from '../dockerignore/buildah.js';
import { compileRule, parentPaths } from '../dockerignore/matcher.js';
import { IgnoreFileError, type IgnoreFile, type IgnoreRule, type PatternPlatform } from '../dockerignore/read.js';
import { severityOf } from './rules.js';
import { PATHS_CAP, type Finding } from './types.js';

/**
 * Where Podman (Buildah) and Docker read the same project differently. Podman users and Docker
 * users often share a repository; a line that means one thing to each sends different files to
 * each, and a `.containerignore` makes Podman ignore `.dockerignore` altogether.
 */

/** What Buildah refuses in an ignore file, by line; `usable` holds the rules Buildah accepts. */
export interface BuildahSyntaxLint {
  findings: Finding[];
  usable: IgnoreFile;
  lateErrors: IgnoreRule[];
}

/**
 * Buildah's own refusals, line by line: a bare `!`, a pattern Go's filepath.Match rejects (both
 * before copying anything), and a pattern whose regular expression does not compile (when first
 * evaluated, so at the first entry of the context).
 */
export function lintBuildahSyntax(file: IgnoreFile): BuildahSyntaxLint {
  const findings: Finding[] = [];
  const usable: IgnoreRule[] = [];
  const lateErrors: IgnoreRule[] = [];
  for (const rule of file.rules) {
    let matcher: BuildahMatcher;
    try {
      matcher = new BuildahMatcher({ file: file.file, rules: [rule] });
    } catch (error) {
      if (!(error instanceof IgnoreFileError)) throw error;
      const bare = /illegal exclusion/.test(error.message);
      findings.push({
        severity: severityOf(bare ? 'bare-exclamation' : 'malformed-pattern'),
        rule: bare ? 'bare-exclamation' : 'malformed-pattern',
        file: file.file,
        line: rule.line,
        message: `${error.message.replace(/^[^:]*:\d+: /, '')}: Podman and Buildah refuse the build`,
        fix: bare ? 'remove the line' : 'fix or remove the pattern',
        evidence: "Buildah checks each pattern with Go's filepath.Match before copying",
      });
      continue;
    }
    if (matcher.lateErrors().length > 0) {
      lateErrors.push(rule);
      findings.push({
        severity: severityOf('pattern-compile-error'),
        rule: 'pattern-compile-error',
        file: file.file,
        line: rule.line,
        message: `${JSON.stringify(rule.source.trim())} is not a valid pattern for Podman and Buildah, which pass it to Go's regexp (only "." and "$" escaped, a trailing "\\" kept): the build fails at the first file`,
        fix: 'escape the regexp characters with "\\" (\\+ \\( \\) \\|), or remove the line',
        evidence: "containers/storage's pattern compiler, run on this line",
      });
      continue;
    }
    usable.push(rule);
  }
  return { findings, usable: { file: file.file, rules: usable }, lateErrors };
}

/** Characters that Docker's matcher escapes or reads differently from Buildah's regexp. */
const REGEXP_DIFFERENCES = /[+(|^]/;

function capped(paths: string[]): Pick<Finding, 'paths' | 'totalPaths'> {
  return paths.length > PATHS_CAP ? { paths: paths.slice(0, PATHS_CAP), totalPaths: paths.length } : { paths };
}

function safely(decide: () => boolean): boolean | null {
  try {
    return decide();
  } catch {
    return null;
  }
}

export interface PodmanDifferenceInput {
  /** The ignore file Docker reads (BuildKit's), parsed by Docker's rules, and its absolute path. */
  docker: { file: IgnoreFile | null; path: string | null };
  /** The ignore file Podman reads, parsed by Buildah's rules, and its absolute path. */
  podman: { file: IgnoreFile | null; path: string | null };
  platform: PatternPlatform;
  /** Every path of the tree, relative to the root. */
  treePaths: readonly string[];
  /** What each sends (for a `.containerignore` that hides `.dockerignore`). */
  dockerSent: ReadonlySet<string>;
  podmanSent: ReadonlySet<string>;
}

/**
 * Findings for a project that both Podman and Docker users build: a `.containerignore` that
 * hides the `.dockerignore` Docker reads (with the paths sent by one and not the other), and in
 * an ignore file both read, each line whose meaning differs (a regexp character, a leading space,
 * slashes, `..`), with the tree's paths on which the two disagree.
 */
export function podmanDifferences(input: PodmanDifferenceInput): Finding[] {
  const findings: Finding[] = [];
  const { docker, podman } = input;
  if (podman.path !== null && docker.path !== null && podman.path !== docker.path && podman.file !== null) {
    const onlyDocker = [...input.dockerSent].filter((p) => !input.podmanSent.has(p)).sort();
    const onlyPodman = [...input.podmanSent].filter((p) => !input.dockerSent.has(p)).sort();
    if (onlyDocker.length + onlyPodman.length > 0) {
      findings.push({
        severity: severityOf('containerignore-hides-dockerignore'),
        rule: 'containerignore-hides-dockerignore',
        file: podman.file.file,
        line: 0,
        message:
          `Podman reads ${path.basename(podman.path)} and never ${path.basename(docker.path)}, which Docker reads instead: ` +
          `${onlyPodman.length} path${onlyPodman.length === 1 ? '' : 's'} reach Podman's build only, ${onlyDocker.length} Docker's only`,
        fix: `keep the two files in step, or delete ${path.basename(podman.path)} if Docker's rules suit Podman too`,
        evidence: 'both contexts walked: Podman (Buildah) with its file, Docker (BuildKit) with its own',
        ...capped([...onlyPodman, ...onlyDocker]),
      });
    }
    return findings;
  }
  const shared = podman.path !== null && podman.path === docker.path ? podman.file : null;
  if (shared === null || docker.file === null) return findings;
  for (const rule of shared.rules) {
    const dockerRule = docker.file.rules.find((r) => r.line === rule.line);
    if (dockerRule === undefined) continue;
    const seen = compileRule(dockerRule, input.platform);
    let podmanPattern: BuildahPattern | null;
    try {
      podmanPattern = new BuildahMatcher({ file: shared.file, rules: [rule] }).patterns[0] ?? null;
    } catch {
      continue; // refused by Buildah: reported as such
    }
    if (seen.kind !== 'pattern' || podmanPattern === null || podmanPattern.compileError() !== null) continue;
    const dockerText = (seen.pattern.exclusion ? '!' : '') + seen.pattern.text;
    const podmanText = (podmanPattern.exclusion ? '!' : '') + podmanPattern.text;
    const regexpish = REGEXP_DIFFERENCES.test(podmanPattern.text);
    if (dockerText === podmanText && !regexpish) continue;
    // Which paths the pattern itself matches (for an exception: which it re-includes), in each reading.
    const dockerPattern = seen.pattern;
    const podmanAlone = new BuildahPattern(podmanPattern.text, false, rule.line);
    const differ = input.treePaths.filter((p) => {
      const d = safely(() => dockerPattern.matches(p) || parentPaths(p).some((dir) => safely(() => dockerPattern.matches(dir)) === true));
      const b = safely(() => podmanAlone.matches(p));
      return d !== null && b !== null && d !== b;
    });
    const why =
      dockerText !== podmanText
        ? `Docker reads it as ${JSON.stringify(dockerText)}, Podman as ${JSON.stringify(podmanText)}${podmanPattern.text.startsWith('/') ? ', which matches nothing (paths are relative)' : ''}`
        : `Podman passes ${JSON.stringify(podmanPattern.text.match(REGEXP_DIFFERENCES)![0])} to a regular expression, where Docker matches it as a character`;
    findings.push({
      severity: severityOf('podman-pattern-differs'),
      rule: 'podman-pattern-differs',
      file: shared.file,
      line: rule.line,
      message: `${JSON.stringify(rule.source)} means different things to Docker and to Podman: ${why}; ${differ.length === 0 ? 'no path of the tree is matched differently today' : `${differ.length} path${differ.length === 1 ? ' is' : 's are'} matched by one and not the other`}`,
      fix: dockerText !== podmanText ? `write it as ${JSON.stringify(dockerText)}, which both read alike` : 'escape the character with "\\" (both read "\\+" as "+"), or use "?" for it',
      evidence: "each line matched alone with Docker's patternmatcher and Buildah's containers/storage matcher over the tree",
      ...capped(differ),
    });
  }
  return findings;
}
