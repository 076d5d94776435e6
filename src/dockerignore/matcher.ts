import { isMalformedGlob } from './go-glob.js';
import { goCleanPath, goTrimSpace } from './go-text.js';
import { CompiledPattern } from './pattern.js';
import { IgnoreFileError, type IgnoreFile, type IgnoreRule, type PatternPlatform } from './read.js';

/**
 * Per-pattern results for a directory, passed down to its entries so that patterns which matched
 * a parent need not be evaluated again (patternmatcher's `MatchInfo`): `matched[i]` for every
 * pattern, and the indices that matched, in order. An empty `matched` means "unknown".
 */
export interface ParentMatches {
  readonly matched: readonly boolean[];
  readonly hits: readonly number[];
}

/** No parent results: each pattern is checked against the path's parents one by one. */
export const UNKNOWN_PARENT_MATCHES: ParentMatches = Object.freeze({ matched: Object.freeze([]), hits: Object.freeze([]) });

/** Which pattern decided a path, for `explain`. */
export interface Decision {
  excluded: boolean;
  /** The last pattern that matched the path or one of its parents, or null when none did. */
  pattern: CompiledPattern | null;
  /** The path (the entry itself or a parent directory) that the deciding pattern matched. */
  matchedPath: string | null;
}

/**
 * Docker's pattern matcher (moby/patternmatcher): patterns evaluated in order, the last match
 * wins, exceptions re-include, and a path is excluded when a pattern matches it or a parent.
 */
export class PatternMatcher {
  readonly patterns: CompiledPattern[];
  /** True when some pattern is an exception (`!…`). */
  readonly hasExceptions: boolean;
  readonly file: string;
  /** Candidate patterns by the last UTF-16 unit of a path (see matchesUsingParentResults). */
  private candidates: Map<number, readonly number[]> | null = null;
  private unconstrained: readonly number[] = [];
  private readonly byLastUnit = new Map<number, number[]>();
  private everyPattern: readonly number[] | null = null;

  /**
   * Build a matcher as Docker's `patternmatcher.New` does. Throws IgnoreFileError (naming the file
   * and line) for a bare `!` or a pattern that Go's filepath.Match calls malformed.
   */
  constructor(file: IgnoreFile, platform: PatternPlatform = 'posix') {
    this.file = file.file;
    this.patterns = [];
    for (const rule of file.rules) {
      const compiled = compileRuleOnce(rule, platform);
      if (compiled.kind === 'skip') continue;
      if (compiled.kind === 'bare-exclamation') {
        throw new IgnoreFileError(
          `${file.file}:${rule.line}: illegal exclusion pattern "!" (a bare "!" excludes nothing)`,
          file.file,
          rule.line,
        );
      }
      if (compiled.kind === 'malformed') {
        throw new IgnoreFileError(
          rule.line === 0
            ? `${file.file}: syntax error in pattern ${JSON.stringify(rule.pattern)}, which docker build adds to send its Dockerfile or .dockerignore`
            : `${file.file}:${rule.line}: syntax error in pattern ${JSON.stringify(rule.source.trim())}`,
          file.file,
          rule.line,
        );
      }
      this.patterns.push(compiled.pattern);
    }
    this.hasExceptions = this.patterns.some((p) => p.exclusion);
  }

  /** Patterns that pass Docker's up-front check but fail to compile when first used. */
  lateErrors(): CompiledPattern[] {
    return this.patterns.filter((p) => p.compileError() !== null);
  }

  /**
   * patternmatcher's `MatchesOrParentMatches`: is `path` excluded, checking each pattern against
   * the path and, failing that, against each of its parent directories. Throws PatternCompileError
   * when it evaluates a pattern that does not compile.
   */
  matchesOrParentMatches(path: string): boolean {
    return this.decide(path).excluded;
  }

  /** Like matchesOrParentMatches, also naming the pattern that decided. */
  decide(path: string): Decision {
    let excluded = false;
    let pattern: CompiledPattern | null = null;
    let matchedPath: string | null = null;
    const parents = parentPaths(path);
    for (const p of this.patterns) {
      if (p.exclusion !== excluded) continue;
      let hit: string | null = p.matches(path) ? path : null;
      if (hit === null) {
        for (const parent of parents) {
          if (safeMatch(p, parent)) {
            hit = parent;
            break;
          }
        }
      }
      if (hit !== null) {
        excluded = !p.exclusion;
        pattern = p;
        matchedPath = hit;
      }
    }
    return { excluded, pattern, matchedPath };
  }

  /**
   * patternmatcher's `MatchesUsingParentResults`, the walk-time variant both builders use: a
   * pattern that matched the parent directory counts as matching without being evaluated, and
   * without parent results the parents are checked one by one. Returns the verdict and this
   * path's results for its children. Throws PatternCompileError.
   */
  matchesUsingParentResults(
    path: string,
    parent: ParentMatches,
    /** Whether the caller needs this path's results (a directory's, for its entries). */
    keepResults = true,
  ): { excluded: boolean; results: ParentMatches } {
    if (parent.matched.length === 0) return this.matchesWithoutParentResults(path, keepResults);
    // Only two kinds of patterns can change the verdict: those that matched the parent (they
    // match without being evaluated) and those that may match this path at all, judged by its
    // last character. The others would be evaluated to false, or skipped: both change nothing.
    const candidates = this.candidatesEndingWith(path.charCodeAt(path.length - 1));
    const hits = parent.hits;
    const matched = keepResults ? new Array<boolean>(this.patterns.length).fill(false) : NO_FLAGS;
    const newHits: number[] = keepResults ? [] : NO_HITS;
    let excluded = false;
    let c = 0;
    let h = 0;
    while (c < candidates.length || h < hits.length) {
      // The next index of either list, in pattern order (an index in both comes once).
      let i: number;
      if (h >= hits.length || (c < candidates.length && candidates[c]! < hits[h]!)) {
        i = candidates[c++]!;
      } else {
        i = hits[h++]!;
        // An index in both lists is skipped in the candidates too (added, not incremented in a branch
        // of its own: see walk.ts, walkDirectory, on code V8 has not seen run).
        c += c < candidates.length && candidates[c] === i ? 1 : 0;
      }
      const p = this.patterns[i]!;
      if (parent.matched[i] !== true && (p.exclusion !== excluded || !p.matches(path))) continue;
      excluded = !p.exclusion;
      if (keepResults) {
        matched[i] = true;
        newHits.push(i);
      }
    }
    return { excluded, results: keepResults ? { matched, hits: newHits } : UNKNOWN_PARENT_MATCHES };
  }

  /** The same without parent results: every pattern is also checked against each parent. */
  private matchesWithoutParentResults(path: string, keepResults: boolean): { excluded: boolean; results: ParentMatches } {
    const matched = keepResults ? new Array<boolean>(this.patterns.length).fill(false) : NO_FLAGS;
    const hits: number[] = keepResults ? [] : NO_HITS;
    let excluded = false;
    let parents: string[] | null = null;
    for (let i = 0; i < this.patterns.length; i++) {
      const p = this.patterns[i]!;
      if (p.exclusion !== excluded) continue;
      let match = p.matches(path);
      if (!match) {
        parents ??= parentPaths(path);
        for (const dir of parents) {
          if (safeMatch(p, dir)) {
            match = true;
            break;
          }
        }
      }
      if (!match) continue;
      excluded = !p.exclusion;
      if (keepResults) {
        matched[i] = true;
        hits.push(i);
      }
    }
    return { excluded, results: keepResults ? { matched, hits } : UNKNOWN_PARENT_MATCHES };
  }

  /**
   * The indices, in order, of the patterns that may match a path ending with this UTF-16 unit:
   * those whose every match ends with it, and those that say nothing about the end, which
   * include the patterns that fail to compile (evaluating them must still fail, as in Docker).
   */
  private candidatesEndingWith(unit: number): readonly number[] {
    // A byte that is not UTF-8 (kept as U+DC80–U+DCFF) is U+FFFD to a regexp: no shortcut there.
    if (unit >= 0xdc80 && unit <= 0xdcff) return this.everyPattern ??= this.patterns.map((_, i) => i);
    if (this.candidates === null) {
      this.candidates = new Map();
      const unconstrained: number[] = [];
      this.patterns.forEach((p, i) => {
        const last = p.lastUnit();
        if (last === -1) unconstrained.push(i);
        else {
          // One list per last unit, appended in place: copying it per pattern was quadratic.
          const list = this.byLastUnit.get(last);
          if (list === undefined) this.byLastUnit.set(last, [i]);
          else list.push(i);
        }
      });
      this.unconstrained = unconstrained;
    }
    let list = this.candidates.get(unit);
    if (list === undefined) {
      list = [...this.unconstrained, ...(this.byLastUnit.get(unit) ?? [])].sort((a, b) => a - b);
      this.candidates.set(unit, list);
    }
    return list;
  }

  /**
   * patternmatcher's deprecated `Matches`, which checks only the parent at the pattern's own depth.
   * The classic builder still uses it to decide whether to re-include the Dockerfile and
   * `.dockerignore`; errors count as "not matched", as there.
   */
  matchesSingleParent(path: string): boolean {
    path = goCleanPath(path);
    if (path === '.') return false;
    const slash = path.lastIndexOf('/');
    const parentDirs = slash === -1 ? null : path.slice(0, slash).split('/');
    let excluded = false;
    try {
      for (const p of this.patterns) {
        if (p.exclusion !== excluded) continue;
        let match = p.matches(path);
        if (!match && parentDirs !== null && p.segments <= parentDirs.length) {
          match = safeMatch(p, parentDirs.slice(0, p.segments).join('/'));
        }
        if (match) excluded = !p.exclusion;
      }
    } catch {
      return false;
    }
    return excluded;
  }
}

/** What Docker's `patternmatcher.New` makes of one rule. */
export type RuleCompilation =
  | { kind: 'pattern'; pattern: CompiledPattern }
  /** Blank after trimming: Docker skips it. */
  | { kind: 'skip' }
  /** A lone `!`: Docker refuses the file ("illegal exclusion pattern"). */
  | { kind: 'bare-exclamation' }
  /** Go's filepath.Match calls it malformed: Docker refuses the file. */
  | { kind: 'malformed'; text: string; exclusion: boolean };

/**
 * The steps of `patternmatcher.New` for one rule: trim, clean, split off `!`, check the syntax as
 * Go's filepath.Match does. The pattern itself compiles lazily, when first evaluated.
 */
/**
 * A rule's compilation, kept with the rule object: check builds a matcher per line of the ignore
 * file (with and without that line), and compiling every pattern anew each time made a long file
 * take minutes. Compiled patterns do not change once built, so sharing them is safe.
 */
const compiledRules: Record<PatternPlatform, WeakMap<IgnoreRule, RuleCompilation>> = { posix: new WeakMap(), win32: new WeakMap() };

function compileRuleOnce(rule: IgnoreRule, platform: PatternPlatform): RuleCompilation {
  const cache = compiledRules[platform];
  let compiled = cache.get(rule);
  if (compiled === undefined) {
    compiled = compileRule(rule, platform);
    cache.set(rule, compiled);
  }
  return compiled;
}

export function compileRule(rule: IgnoreRule, platform: PatternPlatform = 'posix'): RuleCompilation {
  const escapes = platform === 'posix';
  let text = goTrimSpace(rule.pattern);
  if (text === '') return { kind: 'skip' };
  text = goCleanPath(text);
  let exclusion = false;
  if (text.startsWith('!')) {
    if (text.length === 1) return { kind: 'bare-exclamation' };
    exclusion = true;
    text = text.slice(1);
  }
  if (isMalformedGlob(text, escapes)) return { kind: 'malformed', text, exclusion };
  return { kind: 'pattern', pattern: new CompiledPattern(text, exclusion, rule.line, escapes) };
}

/** Stand-ins where the caller keeps no results: never written to (pushes happen only when kept). */
const NO_FLAGS: boolean[] = [];
const NO_HITS: number[] = [];

/** `a/b/c` -> [`a`, `a/b`]. */
export function parentPaths(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

/** patternmatcher ignores errors when it re-checks parents (the path itself was checked first). */
function safeMatch(p: CompiledPattern, path: string): boolean {
  try {
    return p.matches(path);
  } catch {
    return false;
  }
}
