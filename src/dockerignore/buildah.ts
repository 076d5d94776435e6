import { decodeKeepingBytes, isWellFormed, toWellFormed } from '../walk/raw-names.js';
import { isMalformedGlob } from './go-glob.js';
import { compileGoRegexp } from './go-regexp.js';
import { goCleanPath, goTrimSpace } from './go-text.js';
import { IgnoreFileError, type IgnoreFile } from './read.js';

/**
 * Podman and Buildah read ignore files with openshift/imagebuilder's `ParseIgnore` and match them
 * with containers/storage's `pkg/fileutils` (the versions Buildah 1.28 builds with), which differ
 * from Docker's reader and moby/patternmatcher in ways that change what a context holds:
 *
 * - lines split at LF only (a CR stays, and is trimmed later as white space; a UTF-8 BOM stays);
 *   a comment is a line starting with `#`; `/` is stripped at both ends *before* white space is
 *   trimmed, so ` /x` becomes `/x`, which matches nothing (paths are relative);
 * - every pattern is a regular expression in which only `.` and `$` are escaped: `+ ( ) | ^ { }`
 *   keep their regexp meaning, and `(/.*)?$` is appended, so a pattern also covers everything
 *   below what it matches;
 * - a trailing `\` is an error when the pattern is first used, even where Go's filepath.Match
 *   accepts it;
 * - every pattern is evaluated for every path (no parent results, no short cuts), the last match
 *   deciding, so a pattern that fails to compile fails the build at the first path matched.
 */

/** Split at LF as `strings.Split(string(bytes), "\n")`; bytes that are not UTF-8 are kept (see decodeKeepingBytes). */
function splitLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    lines.push(decodeKeepingBytes(bytes.subarray(start, end === -1 ? bytes.length : end)));
    if (end === -1) return lines;
    start = end + 1;
  }
}

/** Go's `strings.Trim(s, "/")`. */
function trimSlashes(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === 0x2f) start++;
  while (end > start && text.charCodeAt(end - 1) === 0x2f) end--;
  return text.slice(start, end);
}

/**
 * Read an ignore file as Buildah does (imagebuilder's `ParseIgnore`): the rules hold the lines
 * that survive, stripped of `/` at both ends, still untrimmed (the matcher trims and cleans them).
 */
export function parseBuildahIgnoreFile(content: Uint8Array | string, file = '.containerignore'): IgnoreFile {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const rules = splitLines(bytes).flatMap((source, index) => {
    if (source.length === 0 || source.startsWith('#')) return [];
    const pattern = trimSlashes(source);
    return pattern.length > 0 ? [{ pattern, line: index + 1, source }] : [];
  });
  return { file, rules };
}

/** Thrown when Buildah evaluates a pattern whose regular expression does not compile. */
export class BuildahPatternError extends Error {
  constructor(
    readonly pattern: BuildahPattern,
    options?: { cause?: unknown },
  ) {
    super(`syntax error in pattern: ${pattern.text}`, options);
    this.name = 'BuildahPatternError';
  }
}

/** Go's `regexp` reads bytes that are not UTF-8 as U+FFFD, and text/scanner does the same to the pattern. */
const asGoRunes = (text: string): string => (isWellFormed(text) ? text : toWellFormed(text));

/**
 * containers/storage's `Pattern.compile`: `*` is `[^/]*`, `?` is `[^/]`, a double star any run of
 * directories (any text at the end), `.` and `$` escaped, `\` escapes the next character (a trailing one is an
 * error), everything else passed to the regexp as it is; then `(/.*)?$`.
 */
export function buildahRegexpSource(pattern: string): string | null {
  const text = asGoRunes(pattern);
  // text/scanner skips a byte-order mark at the very start.
  const chars = Array.from(text.startsWith('\uFEFF') ? text.slice(1) : text);
  let source = '^';
  for (let i = 0; i < chars.length; ) {
    const ch = chars[i++]!;
    if (ch === '*') {
      if (chars[i] === '*') {
        i++;
        if (chars[i] === '/') i++;
        source += i >= chars.length ? '.*' : '(.*/)?';
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '.' || ch === '$') {
      source += '\\' + ch;
    } else if (ch === '\\') {
      if (i >= chars.length) return null;
      source += '\\' + chars[i++]!;
    } else {
      source += ch;
    }
  }
  return source + '(/.*)?$';
}

/** One pattern of a Buildah ignore file, compiled when first evaluated (as containers/storage does). */
export class BuildahPattern {
  private regexp: RegExp | null = null;
  private failure: unknown = null;

  constructor(
    /** The cleaned pattern without its `!` (`Pattern.String()`). */
    readonly text: string,
    /** True for `!` exceptions. */
    readonly exclusion: boolean,
    /** 1-based line in the ignore file. */
    readonly line: number,
  ) {}

  /** The error Buildah hits when it first evaluates this pattern, or null. Idempotent. */
  compileError(): unknown {
    if (this.regexp === null && this.failure === null) {
      const source = buildahRegexpSource(this.text);
      if (source === null) {
        this.failure = new Error('trailing backslash');
      } else {
        try {
          this.regexp = compileGoRegexp(source);
        } catch (error) {
          this.failure = error;
        }
      }
    }
    return this.failure;
  }

  /** Does the pattern match the slash-separated relative path (or a parent of it)? Throws BuildahPatternError. */
  matches(path: string): boolean {
    if (this.compileError() !== null) throw new BuildahPatternError(this, { cause: this.failure });
    return this.regexp!.test(asGoRunes(path));
  }
}

/** Which pattern decided a path, for `explain`. */
export interface BuildahDecision {
  excluded: boolean;
  /** The last pattern that matched, or null when none did. */
  pattern: BuildahPattern | null;
  /** The path (the entry itself or the nearest parent) that the deciding pattern matches, or null. */
  matchedPath: string | null;
}

/** containers/storage's `PatternMatcher`, as Buildah's copier uses it (the deprecated `Matches`). */
export class BuildahMatcher {
  readonly patterns: BuildahPattern[] = [];
  /** Some pattern is an exception (`Exclusions()`). */
  readonly hasExceptions: boolean;
  readonly file: string;

  /**
   * `NewPatternMatcher`: trim, clean, split off `!` (then clean again and drop a leading `/`),
   * check the syntax with Go's filepath.Match. Throws IgnoreFileError naming the file and line.
   */
  constructor(file: IgnoreFile) {
    this.file = file.file;
    for (const rule of file.rules) {
      let text = goTrimSpace(rule.pattern);
      if (text === '') continue;
      text = goCleanPath(text);
      let exclusion = false;
      if (text.startsWith('!')) {
        if (text.length === 1) {
          throw new IgnoreFileError(`${file.file}:${rule.line}: illegal exclusion pattern "!" (Buildah refuses the build)`, file.file, rule.line);
        }
        exclusion = true;
        text = goCleanPath(text.slice(1));
        if (text.startsWith('/')) text = text.slice(1);
      }
      if (isMalformedGlob(text, true)) {
        throw new IgnoreFileError(`${file.file}:${rule.line}: syntax error in pattern ${JSON.stringify(rule.source.trim())}`, file.file, rule.line);
      }
      this.patterns.push(new BuildahPattern(text, exclusion, rule.line));
    }
    this.hasExceptions = this.patterns.some((p) => p.exclusion);
  }

  /** Patterns that pass the up-front check but fail when evaluated (the build then fails). */
  lateErrors(): BuildahPattern[] {
    return this.patterns.filter((p) => p.compileError() !== null);
  }

  /** `Matches(path)`: every pattern evaluated in order, the last match decides. Throws BuildahPatternError. */
  matches(path: string): boolean {
    let excluded = false;
    for (const p of this.patterns) if (p.matches(path)) excluded = !p.exclusion;
    return excluded;
  }

  /** Like matches, also naming the deciding pattern. */
  decide(path: string): BuildahDecision {
    let decision: BuildahDecision = { excluded: false, pattern: null, matchedPath: null };
    for (const p of this.patterns) if (p.matches(path)) decision = { excluded: !p.exclusion, pattern: p, matchedPath: null };
    if (decision.pattern !== null) {
      // A pattern covers what lies below what it matches: name the directory it matched, if any.
      const pattern = decision.pattern;
      const parents: string[] = [];
      for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) parents.push(path.slice(0, i));
      decision.matchedPath = parents.find((dir) => pattern.matches(dir)) ?? path;
    }
    return decision;
  }

  /**
   * Buildah's copier enters an excluded directory only when some exception, stripped of `/` at
   * both ends and followed by `/`, starts with the directory's path (plain text, not a glob: so
   * `*` then `!src/**\/*.go` never enters `src/sub`, and `!ab/x` enters `a`).
   */
  entersExcludedDirectory(path: string): boolean {
    if (!this.hasExceptions) return false;
    const dir = trimSlashes(path);
    return this.patterns.some((p) => p.exclusion && (trimSlashes(p.text) + '/').startsWith(dir));
  }
}
