import { goFilepathMatch } from '../dockerignore/go-glob.js';
import type { PatternMatcher } from '../dockerignore/matcher.js';
import { severityOf } from './rules.js';
import { isWithin, type TreeIndex } from './tree.js';
import type { Finding } from './types.js';

/** A context path the Dockerfile uses (what `contextSources` returns, reduced to what the check needs). */
export interface SourceUse {
  /** The path relative to the context root, variables expanded, without a leading `/`; `.` or `` for the root. */
  path: string;
  /** The source as written. */
  raw: string;
  /** 1-based line of the instruction. */
  line: number;
  /** `COPY`, `ADD` or `RUN` (a bind mount). */
  instruction: string;
  /** The path holds glob characters: it names whatever matches. */
  wildcard: boolean;
  /** A variable in it has no value: the path is unknown. */
  unresolved: boolean;
}

export interface SourceCheckInput {
  sources: readonly SourceUse[];
  tree: TreeIndex;
  /** Paths the builder sends (its whole filtered context). */
  sent: ReadonlySet<string>;
  /** The ignore file's usable rules, to name the rule that excludes a source (null when there is none). */
  /** Names the deciding rule (Docker's matcher, or Buildah's). */
  matcher: Pick<PatternMatcher, 'file'> & { decide(path: string): { pattern: { exclusion: boolean; text: string; line: number } | null; matchedPath?: string | null } } | null;
  /** The Dockerfile as the user would name it. */
  dockerfile: string;
  escapes: boolean;
  builderName: string;
  /**
   * For a path that is (or passes through) a symbolic link: the paths BuildKit follows it to
   * (FollowLinks), which must be in the context too. Returns [] when no link is involved.
   */
  linkTargets?: (path: string) => string[];
  /** Which of these paths (existing or not) git ignores; absent without git. */
  ignoredByGit?: (paths: string[]) => Set<string>;
}

/** A path that a wildcard source could name: each wildcard filled in (`build/libs/*.jar` -> `build/libs/x.jar`). */
function filledIn(glob: string): string {
  return glob.replace(/\[[^\]]*\]/g, 'x').replace(/\*+/g, 'x').replace(/\?/g, 'x');
}

function normalise(path: string): string {
  const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

function safeGlob(pattern: string, name: string, escapes: boolean): boolean {
  try {
    return goFilepathMatch(pattern, name, escapes);
  } catch {
    return false;
  }
}

/** Does the path (or glob) name something in `paths`? */
function present(path: string, wildcard: boolean, tree: TreeIndex, keep: (p: string) => boolean, escapes: boolean): string[] {
  if (!wildcard) return tree.byPath.has(path) && keep(path) ? [path] : [];
  return tree.entries.filter((e) => keep(e.path) && safeGlob(path, e.path, escapes)).map((e) => e.path);
}

/**
 * COPY/ADD sources and bind-mount sources that the build cannot find: excluded by the ignore file
 * or absent from the context directory. Both fail the build ("not found"). Pure.
 */
export function checkSources(input: SourceCheckInput): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const { tree, sent, escapes } = input;
  const gitIgnores = (p: string): boolean => input.ignoredByGit?.([p]).has(p) ?? false;
  // Instructions whose every source is a wildcard that matches nothing copy nothing at all.
  const byLine = new Map<number, SourceUse[]>();
  for (const source of input.sources) {
    if (source.instruction !== 'COPY' && source.instruction !== 'ADD') continue;
    byLine.set(source.line, [...(byLine.get(source.line) ?? []), source]);
  }
  for (const [line, sources] of byLine) {
    const empty = sources.every((src) => {
      const p = normalise(src.path);
      return !src.unresolved && src.wildcard && p !== '' && !p.startsWith('../') && present(p, true, tree, () => true, escapes).length === 0;
    });
    if (!empty) continue;
    const shown = sources.map((src) => JSON.stringify(src.raw) + (normalise(src.raw) !== normalise(src.path) ? ` (${normalise(src.path)})` : '')).join(', ');
    const built = sources.map((src) => filledIn(normalise(src.path))).find(gitIgnores);
    findings.push({
      severity: severityOf('empty-wildcard-source'),
      rule: 'empty-wildcard-source',
      file: input.dockerfile,
      line,
      message:
        `${sources[0]!.instruction} ${sources.length === 1 ? 'source' : 'sources'} ${shown} ${sources.length === 1 ? 'matches' : 'match'} nothing in the context directory: ` +
        `BuildKit allows an empty wildcard, so the instruction copies nothing and the image lacks what it names` +
        (built !== undefined ? ` (git ignores ${JSON.stringify(built)}: a build output, made before docker build?)` : ''),
      fix:
        built !== undefined
          ? 'build it before docker build (or in an earlier stage and COPY --from it), or fix the path'
          : 'fix the path (sources are relative to the context root), or build it in an earlier stage and COPY --from it',
      evidence:
        `no path in the directory matches ${shown}` + (built !== undefined ? `; git check-ignore: ${JSON.stringify(built)} is ignored` : ''),
      paths: sources.map((src) => normalise(src.path)),
    });
  }
  for (const source of input.sources) {
    if (source.unresolved) continue;
    const path = normalise(source.path);
    if (path === '' || path.startsWith('../')) continue;
    const key = `${source.line}\0${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const what = `${source.instruction} source ${JSON.stringify(source.raw)}`;
    const inTree = present(path, source.wildcard, tree, () => true, escapes);
    // BuildKit's COPY allows empty wildcards (`COPY package.json yarn.lock* ./` is an idiom for an
    // optional file): a wildcard that matches nothing is not a failure.
    if (inTree.length === 0 && source.wildcard) continue;
    if (inTree.length === 0) {
      const lower = path.toLowerCase();
      const near = source.wildcard ? undefined : tree.entries.find((e) => e.path.toLowerCase() === lower)?.path;
      if (near === undefined && gitIgnores(path)) {
        // Not in a fresh clone by design: a build output that a step before docker build makes.
        findings.push({
          severity: 'warning',
          rule: 'source-missing',
          file: input.dockerfile,
          line: source.line,
          message: `${what} is not in the context directory, and git ignores it (a build output or a local file that a fresh clone lacks): the build fails unless it exists before docker build`,
          fix: 'make sure the step that builds or creates it runs before docker build (or build it in an earlier stage and COPY --from it)',
          evidence: `the directory's listing, and git check-ignore: ${JSON.stringify(path)} is ignored`,
          paths: [path],
        });
        continue;
      }
      findings.push({
        severity: severityOf('source-missing'),
        rule: 'source-missing',
        file: input.dockerfile,
        line: source.line,
        message:
          `${what} matches nothing in the context directory: the build fails` +
          (near !== undefined ? ` (there is ${JSON.stringify(near)}: paths are case-sensitive)` : ''),
        fix:
          near !== undefined
            ? `write ${JSON.stringify(near)} with its exact case`
            : 'fix the path (sources are relative to the context root, not to the Dockerfile), create it, or remove the instruction',
        paths: [path],
      });
      continue;
    }
    const inContext = present(path, source.wildcard, tree, (p) => sent.has(p), escapes);
    if (inContext.length > 0) {
      // A symbolic link is sent as a link: what it points to must be sent as well.
      const unsent = source.wildcard ? [] : (input.linkTargets?.(path) ?? []).filter((t) => !sent.has(t));
      if (unsent.length === 0) continue;
      const target = unsent[0]!;
      const known = tree.byPath.has(target);
      const decision = known ? input.matcher?.decide(target) : undefined;
      const by = decision?.pattern ? ` (excluded by ${JSON.stringify((decision.pattern.exclusion ? '!' : '') + decision.pattern.text)} at ${input.matcher!.file}:${decision.pattern.line})` : '';
      const rule = known ? 'source-excluded' : 'source-missing';
      findings.push({
        severity: severityOf(rule),
        rule,
        file: input.dockerfile,
        line: source.line,
        message:
          `${what} is a symbolic link to ${JSON.stringify(target)}, which ${known ? `is not in the context ${input.builderName} sends${by}` : 'does not exist in the context'}; the build fails ("not found")`,
        fix: known ? `let ${JSON.stringify(target)} through the ignore file, or copy it directly` : 'copy the real path, or fix the link (links are followed inside the context only)',
        paths: [path, target],
      });
      continue;
    }
    const decision = input.matcher?.decide(inTree[0]!);
    const rule = decision?.pattern ?? null;
    const ruleText = rule ? JSON.stringify((rule.exclusion ? '!' : '') + rule.text) : null;
    const where = rule && input.matcher ? `${input.matcher.file}:${rule.line}` : null;
    const rule_ = source.wildcard ? 'wildcard-source-excluded' : 'source-excluded';
    findings.push({
      severity: severityOf(rule_),
      rule: rule_,
      file: input.dockerfile,
      line: source.line,
      message:
        `${what} ${source.wildcard ? `matches ${inTree.length === 1 ? JSON.stringify(inTree[0]) : `${inTree.length} paths`}, but none is` : 'is not'} in the context ${input.builderName} sends` +
        (ruleText !== null ? `: ${ruleText} at ${where} excludes ${decision?.matchedPath && decision.matchedPath !== inTree[0] ? `its directory ${JSON.stringify(decision.matchedPath)}` : 'it'}` : '') +
        (source.wildcard ? '; the wildcard matches nothing there, so the build silently copies nothing for it' : '; the build fails ("not found")'),
      fix:
        rule !== null && where !== null
          ? `add ${JSON.stringify('!' + (source.wildcard ? path : inTree[0]!))} at the end of ${input.matcher!.file}, or narrow line ${rule.line}` +
            (source.wildcard ? ' (or drop the source if it is meant to be left out)' : '')
          : 'make sure the ignore file lets it through',
      paths: inTree.filter((p) => !inTree.some((q) => q !== p && isWithin(p, q))).slice(0, 20),
    });
  }
  return findings;
}
