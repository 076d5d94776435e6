import { PatternCompileError, type CompiledPattern } from './pattern.js';
import { UNKNOWN_PARENT_MATCHES, type PatternMatcher, type ParentMatches } from './matcher.js';

/** The two ways Docker gathers a build context, and Buildah's (Podman's) way. */
export type Builder = 'buildkit' | 'classic' | 'buildah';

/** Docker's two builders, which the comparisons between builders (check, suggest) are about. */
export type DockerBuilder = 'buildkit' | 'classic';

/** What a BuildFailure names of the pattern that failed. */
export interface FailedPattern {
  readonly text: string;
  readonly exclusion: boolean;
  readonly line: number;
}

/**
 * What a builder's walk decides about one entry. `descend` says whether the builder's own walk
 * enters a directory; the tree walk may still enter it to measure the whole directory.
 */
export interface Verdict<S> {
  /** The entry is sent (BuildKit also sends pending parents of an included entry). */
  included: boolean;
  /** The builder's walk enters this directory. */
  descend: boolean;
  /** State handed to the directory's entries. */
  state: S;
}

/**
 * A builder's walk semantics as a pure function of (path, kind, parent state). The tree walk in
 * `walk.ts` calls `visit` for every entry inside a directory whose verdict said `descend`.
 */
export interface BuilderFilter<S> {
  readonly builder: Builder;
  /** BuildKit sends an excluded directory when it holds an included entry; classic does not. */
  readonly sendsParentsOfIncluded: boolean;
  readonly rootState: S;
  visit(path: string, isDir: boolean, parent: S): Verdict<S>;
  /** Entries after a truncation point are not sent (the classic tar stops at a late pattern error). */
  readonly truncated: boolean;
  /** A failure that makes Docker refuse the build, found so far. */
  readonly failure: BuildFailure | null;
  /**
   * True when some pattern fails to compile only when evaluated: then whether (and where) Docker
   * fails or truncates depends on the walk order, and the walk must keep Go's order.
   */
  readonly orderMatters: boolean;
}

function hasLateErrors(...matchers: (PatternMatcher | null)[]): boolean {
  return matchers.some((m) => m !== null && m.lateErrors().length > 0);
}

/** Docker (or Buildah) refuses the build: a pattern that only fails when the walk evaluates it. */
export class BuildFailure extends Error {
  constructor(
    readonly builder: Builder,
    readonly file: string,
    readonly pattern: FailedPattern,
    readonly path: string,
  ) {
    super(
      `${file}:${pattern.line}: syntax error in pattern ${JSON.stringify((pattern.exclusion ? '!' : '') + pattern.text)} ` +
        `(${builder === 'buildah' ? 'Buildah' : 'Docker'} fails on it while matching ${JSON.stringify(path)})`,
    );
    this.name = 'BuildFailure';
  }
}

/** Patterns after removing a trailing `/**` or `/*` (fsutil's patternWithoutTrailingGlob). */
function withoutTrailingGlob(text: string): string {
  if (text.endsWith('/**')) text = text.slice(0, -3);
  if (text.endsWith('/*')) text = text.slice(0, -2);
  return text;
}

const PATTERN_CHARS = /[*[\]?^\\]/;

/**
 * May a builder skip a directory? Not when an exception (or, for the effective context, an include
 * pattern) could reach inside it: the pattern (minus, for BuildKit, a trailing glob) followed by `/`
 * starts with `dir/`.
 */
function prefixReaches(prefixes: readonly string[], dir: string): boolean {
  const dirSlash = dir + '/';
  return prefixes.some((prefix) => (prefix + '/').startsWith(dirSlash));
}

/** The verdict for an entry a builder neither sends nor enters. */
function skipped<S>(parent: S): Verdict<S> {
  return { included: false, descend: false, state: parent };
}

interface BuildKitState {
  include: ParentMatches;
  exclude: ParentMatches;
}

function onlyPrefixes(patterns: readonly CompiledPattern[]): boolean {
  return patterns.every((p) => !PATTERN_CHARS.test(withoutTrailingGlob(p.text)));
}

/**
 * BuildKit's exclude walk (tonistiigi/fsutil filter.go over MatchesUsingParentResults): excluded
 * directories are skipped unless an exception may reach inside, and when any exception holds a
 * wildcard every excluded directory is entered. With include patterns (the paths a Dockerfile
 * uses, for the effective context) an entry must also match one of them; directories no include
 * can reach are skipped the same way.
 */
export class BuildKitFilter implements BuilderFilter<BuildKitState> {
  readonly builder = 'buildkit' as const;
  readonly sendsParentsOfIncluded = true;
  readonly rootState: BuildKitState = { include: UNKNOWN_PARENT_MATCHES, exclude: UNKNOWN_PARENT_MATCHES };
  readonly truncated = false;
  failure: BuildFailure | null = null;
  private readonly onlyPrefixExceptions: boolean;
  private readonly exceptionPrefixes: string[];
  private readonly onlyPrefixIncludes: boolean;
  private readonly includePrefixes: string[];
  readonly orderMatters: boolean;

  constructor(
    private readonly matcher: PatternMatcher | null,
    private readonly includeMatcher: PatternMatcher | null = null,
  ) {
    const exceptions = matcher?.patterns.filter((p) => p.exclusion) ?? [];
    this.onlyPrefixExceptions = onlyPrefixes(exceptions);
    this.exceptionPrefixes = exceptions.map((p) => withoutTrailingGlob(p.text));
    const includes = includeMatcher?.patterns.filter((p) => !p.exclusion) ?? [];
    this.onlyPrefixIncludes = onlyPrefixes(includes);
    this.includePrefixes = includes.map((p) => withoutTrailingGlob(p.text));
    this.orderMatters = hasLateErrors(matcher, includeMatcher);
  }

  private evaluate(matcher: PatternMatcher, path: string, parent: ParentMatches, isDir: boolean) {
    try {
      return matcher.matchesUsingParentResults(path, parent, isDir);
    } catch (error) {
      if (!(error instanceof PatternCompileError)) throw error;
      this.failure ??= new BuildFailure('buildkit', matcher.file, error.pattern, path);
      return null;
    }
  }

  visit(path: string, isDir: boolean, parent: BuildKitState): Verdict<BuildKitState> {
    // Read on every call, not first on the first excluded directory: code V8 optimized without
    // having seen it run is thrown away then (see walk.ts, walkDirectory).
    const onlyPrefixExceptions = this.onlyPrefixExceptions;
    let sent = true;
    let include = parent.include;
    if (this.includeMatcher !== null) {
      const verdict = this.evaluate(this.includeMatcher, path, parent.include, isDir);
      if (verdict === null) return skipped(parent);
      include = verdict.results;
      if (!verdict.excluded) {
        if (isDir && this.onlyPrefixIncludes && !prefixReaches(this.includePrefixes, path)) return skipped(parent);
        sent = false;
      }
    }
    let exclude = parent.exclude;
    if (this.matcher !== null && this.matcher.patterns.length > 0) {
      const verdict = this.evaluate(this.matcher, path, parent.exclude, isDir);
      if (verdict === null) return skipped(parent);
      exclude = verdict.results;
      if (verdict.excluded) {
        if (isDir && onlyPrefixExceptions) {
          if (!this.matcher.hasExceptions || !prefixReaches(this.exceptionPrefixes, path)) return skipped(parent);
        }
        sent = false;
      }
    }
    // Only a directory's state reaches other entries; a file's would be garbage at once.
    return { included: sent, descend: isDir, state: isDir ? { include, exclude } : parent };
  }
}

interface ClassicState {
  /** The CLI's ValidateContextDirectory walk reaches this directory. */
  validating: boolean;
  /** The tar walk (archive.TarWithOptions) reaches this directory. */
  archiving: boolean;
  results: ParentMatches;
}

/**
 * The classic builder, as the Docker CLI prepares it: first `ValidateContextDirectory` walks the
 * context with MatchesOrParentMatches and skips every excluded directory (a pattern that fails to
 * compile there fails the build); then the tar walk, with `!.dockerignore` and `!<Dockerfile>`
 * appended when they were excluded, enters an excluded directory only when an exception starts
 * with it, and stops early (a truncated context, no error) if a pattern fails to compile there.
 */
export class ClassicFilter implements BuilderFilter<ClassicState> {
  readonly builder = 'classic' as const;
  readonly sendsParentsOfIncluded = false;
  readonly rootState: ClassicState = { validating: true, archiving: true, results: UNKNOWN_PARENT_MATCHES };
  truncated = false;
  failure: BuildFailure | null = null;
  private readonly exceptionPrefixes: string[];
  readonly orderMatters: boolean;

  constructor(
    /** The ignore file's patterns, as ValidateContextDirectory sees them. */
    private readonly validateMatcher: PatternMatcher | null,
    /** The same plus Docker's re-inclusion of its build files, as the tar walk sees them. */
    private readonly archiveMatcher: PatternMatcher | null,
  ) {
    this.exceptionPrefixes = archiveMatcher?.patterns.filter((p) => p.exclusion).map((p) => p.text) ?? [];
    this.orderMatters = hasLateErrors(validateMatcher, archiveMatcher);
  }

  visit(path: string, isDir: boolean, parent: ClassicState): Verdict<ClassicState> {
    let validating = false;
    if (parent.validating && this.validateMatcher !== null && this.failure === null) {
      try {
        validating = !this.validateMatcher.matchesOrParentMatches(path);
      } catch (error) {
        if (!(error instanceof PatternCompileError)) throw error;
        this.failure = new BuildFailure('classic', this.validateMatcher.file, error.pattern, path);
      }
    } else if (parent.validating && this.validateMatcher === null) {
      validating = true;
    }

    if (!parent.archiving || this.truncated) {
      return { included: false, descend: isDir && validating, state: { validating, archiving: false, results: UNKNOWN_PARENT_MATCHES } };
    }
    if (this.archiveMatcher === null || this.archiveMatcher.patterns.length === 0) {
      return { included: true, descend: isDir, state: { validating, archiving: true, results: UNKNOWN_PARENT_MATCHES } };
    }
    let verdict: { excluded: boolean; results: ParentMatches };
    try {
      verdict = this.archiveMatcher.matchesUsingParentResults(path, parent.results);
    } catch (error) {
      if (!(error instanceof PatternCompileError)) throw error;
      this.truncated = true;
      return { included: false, descend: isDir && validating, state: { validating, archiving: false, results: UNKNOWN_PARENT_MATCHES } };
    }
    if (!verdict.excluded) {
      return { included: true, descend: isDir, state: { validating, archiving: true, results: verdict.results } };
    }
    const archiving =
      isDir && this.archiveMatcher.hasExceptions && prefixReaches(this.exceptionPrefixes, path);
    return {
      included: false,
      descend: archiving || (isDir && validating),
      state: { validating, archiving, results: verdict.results },
    };
  }
}
