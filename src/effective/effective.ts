import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createFilter } from '../context/filter.js';
import { followLinks } from '../context/follow-links.js';
import { InputError, resolveContext, type ContextOptions, type ResolvedContext } from '../context/resolve.js';
import { goFilepathMatch } from '../dockerignore/go-glob.js';
import { compileRule, PatternMatcher } from '../dockerignore/matcher.js';
import { excerpt } from '../input/escape.js';
import { PatternCompileError } from '../dockerignore/pattern.js';
import {
  buildUse,
  contextIncludePatterns,
  defaultBuildPlatform,
  dockerfileReadsContext,
  DockerfileError,
  formatPlatform,
  parseDockerfile,
  parsePlatform,
  type ContextSource,
  type Platform,
  type UnresolvedWord,
} from '../dockerfile/index.js';
import { SyntaxProblem } from '../dockerfile/errors.js';
import { displayPath } from '../report/display-path.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { walkContext, type WalkOptions } from '../walk/walk.js';
import { describeReadError, readInputText } from '../input/read-file.js';

/** Which build of the Dockerfile: its target stage and build arguments. */
export interface BuildSelection {
  /** `--target`: the stage to build (default: the last). */
  target?: string;
  /** `--build-arg` values. */
  buildArgs?: Record<string, string>;
  /**
   * `--platform`: the target platforms (`linux/arm64`, or several, each a build of its own).
   * Default: the build platform, Linux on this machine's architecture, as BuildKit builds.
   */
  platforms?: readonly string[];
}

/** What the build for one target platform takes from the context. */
export interface PlatformUse {
  /** The platform as BuildKit prints it (`linux/arm64`). */
  platform: string;
  /** Whether this build reads the context at all. */
  readsContext: boolean;
  /** Its include paths (as BuildKit sends them, before symlinks are followed); null: the whole context. */
  includePaths: string[] | null;
  /** The context paths it uses. */
  sources: ContextSource[];
}

/** A warning about the Dockerfile: the effective context rests on something ctxsize cannot know. */
export interface EffectiveWarning {
  file: string;
  line: number;
  message: string;
}

/** What a Dockerfile takes from the context, before any walk. */
export interface EffectivePlan {
  /** Every context path the target's stages use (over all platforms). */
  sources: ContextSource[];
  /** Whether the build reads the context at all. */
  readsContext: boolean;
  /**
   * The include paths BuildKit sends (after following symlinks), or null when the whole context
   * is transferred. With several platforms, the union of what each build sends.
   */
  includePaths: string[] | null;
  /** Per target platform, what its build uses. */
  platforms: PlatformUse[];
  /** Words of the Dockerfile that hold variables nothing sets, each with its line. */
  warnings: EffectiveWarning[];
}

/**
 * The target platforms of a selection: each `--platform` value may list several, comma-separated
 * (as `docker build --platform a,b`); none means the build platform.
 * @throws InputError for a platform BuildKit would not parse
 */
export function selectedPlatforms(platforms: readonly string[] | undefined, build: Platform = defaultBuildPlatform()): Platform[] {
  const list = (platforms ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  if (list.length === 0) return [build];
  const parsed: Platform[] = [];
  for (const text of list) {
    try {
      const platform = parsePlatform(text, build);
      if (!parsed.some((p) => formatPlatform(p) === formatPlatform(platform))) parsed.push(platform);
    } catch (error) {
      if (error instanceof SyntaxProblem) throw new InputError(`--platform ${text}: ${error.message}`, { cause: error });
      throw error;
    }
  }
  return parsed;
}

function describeVariables(word: UnresolvedWord): string {
  const names = word.variables.map((v) => '$' + v);
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const verb = names.length === 1 ? 'is' : 'are';
  const image = word.fromImage.length > 0 ? ", and ctxsize cannot see whether the base image's environment sets it" : '';
  return `${list} ${verb} not set (no default, not given with --build-arg${image}), so it expands to nothing`;
}

/** One sentence per unresolved word: what holds the variable, which, and what ctxsize took it as. */
function unresolvedWarning(file: string, word: UnresolvedWord): EffectiveWarning {
  let message: string;
  if (word.instruction === 'FROM') {
    message = `FROM ${JSON.stringify(word.raw)}: ${describeVariables(word)}: the stage is built from ${JSON.stringify(word.expanded)}`;
  } else {
    const what = word.instruction === 'RUN' ? 'bind mount source' : `${word.instruction} source`;
    const cleaned = goPathFromRoot(word.expanded);
    const reads = cleaned === '.' ? 'the whole context' : JSON.stringify(cleaned);
    message = `${what} ${JSON.stringify(word.raw)}: ${describeVariables(word)}: it reads ${reads}`;
  }
  return { file, line: word.line, message };
}

/** BuildKit's `path.Join("/", p)`, relative (`.` for the root). */
function goPathFromRoot(expanded: string): string {
  const parts: string[] = [];
  for (const part of expanded.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

const sourceKey = (s: ContextSource): string => [s.line, s.instruction, s.raw, s.path, s.mount ?? '', s.stage, s.heredoc ? 1 : 0].join('\0');

/**
 * Plan a Dockerfile's effective context for each selected platform and take the union.
 * @throws DockerfileError when BuildKit would refuse the build for one of the platforms
 */
export function planDockerfile(text: string, file: string, selection: BuildSelection = {}): EffectivePlan & { includePatterns: string[] | null } {
  const dockerfile = parseDockerfile(text, file);
  const build = defaultBuildPlatform();
  const targets = selectedPlatforms(selection.platforms, build);
  const platforms: PlatformUse[] = [];
  const sources: ContextSource[] = [];
  const seen = new Set<string>();
  const warnings: EffectiveWarning[] = [];
  for (const platform of targets) {
    let use;
    try {
      use = buildUse(dockerfile, { target: selection.target, buildArgs: selection.buildArgs, platform, buildPlatform: build });
    } catch (error) {
      if (error instanceof DockerfileError && targets.length > 1) {
        throw new DockerfileError(`${error.detail} (building for ${formatPlatform(platform)})`, error.file, error.line, { cause: error });
      }
      throw error;
    }
    const reads = dockerfileReadsContext(use.sources);
    platforms.push({
      platform: use.platform,
      readsContext: reads,
      includePaths: reads ? contextIncludePatterns(use.sources) : [],
      sources: use.sources,
    });
    for (const source of use.sources) {
      const key = sourceKey(source);
      if (seen.has(key)) continue;
      seen.add(key);
      sources.push(source);
    }
    for (const word of use.unresolved) {
      const warning = unresolvedWarning(file, word);
      if (!warnings.some((w) => w.line === warning.line && w.message === warning.message)) warnings.push(warning);
    }
  }
  const readsContext = dockerfileReadsContext(sources);
  const includePatterns = readsContext ? contextIncludePatterns(sources) : [];
  return { sources, readsContext, includePaths: includePatterns, includePatterns, platforms, warnings };
}

/** A Dockerfile source that no sent entry satisfies: the build would fail on it. */
export interface SourceProblem {
  source: ContextSource;
  /** `missing`: nothing in the directory matches; `excluded`: it exists, the ignore file keeps it out. */
  problem: 'missing' | 'excluded';
  /** For `excluded`: the deciding rule (`file:line pattern`), when known. */
  excludedBy?: { file: string; line: number; pattern: string };
}

/**
 * Plan the effective context of a resolved context: parse its Dockerfile and collect the context
 * paths the target's stages use. Returns null when there is no Dockerfile.
 * @throws DockerfileError (a parse error, an unknown target)
 */
export function planEffective(context: ResolvedContext, selection: BuildSelection = {}): EffectivePlan | null {
  if (context.dockerfile === null) return null;
  let text: string;
  try {
    text = readInputText(context.dockerfile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Docker takes a directory named `Dockerfile` (or `dockerfile`) for the default Dockerfile and
    // fails the build on it; the context is still what it is, so this is a Dockerfile problem.
    if (code === 'EISDIR') throw new DockerfileError('a directory, not a Dockerfile (docker build would fail on it; name one with -f)', context.dockerfile, 0, { cause: error });
    throw new InputError(`${context.dockerfile}: cannot read Dockerfile (${describeReadError(error)})`, { cause: error });
  }
  const { includePatterns, ...plan } = planDockerfile(text, context.dockerfile, selection);
  // BuildKit hands the sources to its pattern matcher as include patterns: a malformed one
  // (`COPY app[ /x`) fails the build, at the instruction's line.
  for (const source of plan.sources) {
    if (source.heredoc || source.path === '.') continue;
    if (compileRule({ pattern: source.path, line: source.line, source: source.path }, context.platform).kind === 'malformed') {
      throw new DockerfileError(`${source.instruction} source "${excerpt(source.path)}" is not a valid pattern (syntax error in a [...] class or a trailing \\): BuildKit fails the build`, context.dockerfile, source.line);
    }
  }
  const includePaths = includePatterns === null ? null : followLinks(context.root, includePatterns);
  return { ...plan, includePaths };
}

/**
 * Walk the effective context: the entries BuildKit transfers for this Dockerfile (the ignore-file
 * filter and the Dockerfile's include paths together). Reports, per source, whether some sent
 * entry satisfies it.
 */
export function walkEffective(
  context: ResolvedContext,
  plan: EffectivePlan,
  onEntry: (entry: Entry) => void,
  /** Walk even when the whole context is sent (to list it); otherwise only sources are checked. */
  walkWhole = true,
  /** Where the walk names the root: `.` when the working directory is there (see walkFromRoot). */
  base = context.root,
  /** Replaces the disk walk (a record several walks share: see DiskRecord). */
  walk: (options: WalkOptions<unknown>) => unknown = walkContext,
): { warnings: WalkWarning[]; problems: SourceProblem[] } {
  const warnings: WalkWarning[] = [];
  const pending = plan.sources.filter((s) => !s.heredoc && s.mount !== 'tmpfs');
  const sourceMatchers = new Map<ContextSource, PatternMatcher | null>(
    pending.map((s) => [s, s.path === '.' ? null : sourceMatcher(s)]),
  );
  const satisfied = new Set<ContextSource>();
  if (plan.readsContext && plan.includePaths === null && !walkWhole) {
    // The whole context is sent and was walked already: judge sources by the ignore file alone.
    for (const source of pending) if (source.path === '.') satisfied.add(source);
  } else if (plan.readsContext) {
    const filter = createFilter({ ...context, builder: 'buildkit' }, plan.includePaths);
    walk({
      root: base,
      filter,
      visitSkipped: false,
      sink: {
        entry(entry, sent) {
          if (!sent) return;
          onEntry(entry);
          if (satisfied.size === sourceMatchers.size) return;
          for (const [source, matcher] of sourceMatchers) {
            if (satisfied.has(source)) continue;
            if (matcher === null || safeMatches(matcher, entry.path)) satisfied.add(source);
          }
        },
        warning: (warning) => warnings.push(warning),
      },
    });
    if (filter.failure) throw filter.failure;
  }
  const problems: SourceProblem[] = [];
  const ignore = context.ignore ? new PatternMatcher(context.ignore, context.platform) : null;
  for (const source of pending) {
    // BuildKit copies with AllowEmptyWildcard: a wildcard that matches nothing does not fail the
    // build (`COPY yarn.lock* ./`), so only literal sources are problems.
    if (satisfied.has(source) || source.unresolved || source.wildcard) continue;
    const existing = existingPaths(context.root, source.path, 64);
    if (existing.length === 0) {
      problems.push({ source, problem: 'missing' });
      continue;
    }
    if (plan.includePaths === null && !walkWhole && existing.some((p) => !isExcluded(ignore, p))) continue;
    let excludedBy: SourceProblem['excludedBy'];
    if (ignore !== null) {
      try {
        const decision = ignore.decide(existing[0]!);
        if (decision.pattern) {
          excludedBy = { file: ignore.file, line: decision.pattern.line, pattern: (decision.pattern.exclusion ? '!' : '') + decision.pattern.text };
        }
      } catch (error) {
        if (!(error instanceof PatternCompileError)) throw error;
      }
    }
    problems.push({ source, problem: 'excluded', ...(excludedBy ? { excludedBy } : {}) });
  }
  return { warnings, problems };
}

function isExcluded(ignore: PatternMatcher | null, path: string): boolean {
  if (ignore === null) return false;
  try {
    return ignore.matchesOrParentMatches(path);
  } catch {
    return true;
  }
}

function sourceMatcher(source: ContextSource): PatternMatcher | null {
  try {
    return new PatternMatcher({ file: 'Dockerfile', rules: [{ pattern: source.path, line: source.line, source: source.raw }] });
  } catch {
    return null;
  }
}

function safeMatches(matcher: PatternMatcher, path: string): boolean {
  try {
    return matcher.matchesOrParentMatches(path);
  } catch {
    return false;
  }
}

/** Paths of the directory that a source names (globbing wildcard segments), without the ignore file. */
function existingPaths(root: string, pattern: string, limit = 1): string[] {
  const segments = pattern.split('/');
  let current = [''];
  for (const segment of segments) {
    const next: string[] = [];
    for (const dir of current) {
      if (!/[*?[\\]/.test(segment)) {
        const candidate = dir === '' ? segment : dir + '/' + segment;
        try {
          lstatSync(path.join(root, candidate));
          next.push(candidate);
        } catch {
          // not there
        }
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(path.join(root, dir || '.'));
      } catch {
        continue;
      }
      for (const name of names) {
        let hit = false;
        try {
          hit = goFilepathMatch(segment, name);
        } catch {
          hit = false;
        }
        if (hit) next.push(dir === '' ? name : dir + '/' + name);
      }
    }
    current = next;
    if (current.length === 0) return [];
  }
  return current.slice(0, limit);
}

/** The effective entries of a context, for `ctxsize ls --effective`. */
export function forEachEffectiveEntry(
  options: ContextOptions & BuildSelection,
  onEntry: (entry: Entry) => void,
): { context: ResolvedContext; plan: EffectivePlan; warnings: WalkWarning[]; problems: SourceProblem[] } {
  const context = resolveContext({ ...options, builder: 'buildkit' });
  let plan: EffectivePlan | null;
  try {
    plan = planEffective(context, options);
  } catch (error) {
    if (error instanceof DockerfileError) {
      const where = displayPath(options.cwd ?? process.cwd(), error.file) + (error.line > 0 ? `:${error.line}` : '');
      throw new InputError(`${where}: docker build fails here before sending anything: ${error.detail}`, { cause: error });
    }
    throw error;
  }
  if (plan === null) throw new InputError(`${context.root}: no Dockerfile, so no effective context (use -f)`);
  const { warnings, problems } = walkEffective(context, plan, onEntry);
  return { context, plan, warnings, problems };
}
