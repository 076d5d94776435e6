import { isWellFormed, toWellFormed } from '../walk/raw-names.js';
import { compileGoRegexp } from './go-regexp.js';

/** How a pattern is matched, decided once when it is first used (as moby/patternmatcher does). */
export type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** Thrown when a pattern that passed Docker's syntax check still fails to compile when used. */
export class PatternCompileError extends Error {
  constructor(
    readonly pattern: CompiledPattern,
    options?: { cause?: unknown },
  ) {
    super(`syntax error in pattern: ${pattern.text}`, options);
    this.name = 'PatternCompileError';
  }
}

/** A compiled pattern; `last` is the UTF-16 unit every match ends with, or -1. */
type Compiled =
  | { kind: 'exact'; last: number; text: string }
  | { kind: 'prefix'; last: number; prefix: string }
  | { kind: 'suffix'; last: number; suffix: string; bare: string | null }
  | { kind: 'regexp'; last: number; regexp: RegExp; head: string; tail: string };

const lastUnit = (text: string): number => (text === '' ? -1 : text.charCodeAt(text.length - 1));

// patternmatcher means to escape `.+()|{}$`, but its bitmap (`escapeBytes[b%8] |= 1 << (b/8)`)
// overflows a byte for characters from 64 up: `{`, `|` and `}` reach the regexp unescaped.
const REGEXP_META = new Set(['.', '+', '(', ')', '$']);

/** A pattern as patternmatcher compiles it. */
export interface TranslatedPattern {
  kind: MatchKind;
  /** The Go regexp source. */
  source: string;
  /**
   * Text that every path a regexp pattern matches starts with (`head`) and ends with (`tail`): the
   * pattern characters at its two ends that stay plain characters in the regexp. Checking them
   * first spares the regexp most paths (a pattern ending in `.log` runs it only on names that end
   * so). Empty where unsure, and always with a `|` (an alternation anchors each side on its own).
   */
  head: string;
  tail: string;
}

// Turn a cleaned pattern into Go regexp source and a match kind, exactly as patternmatcher's
// `compile` does: `*` is `[^/]*`, `?` is `[^/]`, a double star is `(.*/)?` (`.*` at the end),
// brackets pass through, `\` escapes the next character (on Unix), and most other characters pass
// through unescaped, so the regexp engine, not the glob, gives them their meaning.
export function translatePattern(cleaned: string, escapes: boolean): TranslatedPattern {
  // Go's text/scanner skips a byte-order mark at the very start of its input.
  const chars = Array.from(cleaned.startsWith('\uFEFF') ? cleaned.slice(1) : cleaned);
  // Which pattern characters become plain characters of the regexp.
  const plain = new Array<boolean>(chars.length).fill(false);
  let source = '^';
  let kind: MatchKind = 'exact';
  let pos = 0;
  // A raw backslash (no escapes, on Windows) reaches the regexp and changes what follows it.
  let afterRawBackslash = false;
  for (let iteration = 0; pos < chars.length; iteration++) {
    const ch = chars[pos++]!;
    const changed = afterRawBackslash;
    afterRawBackslash = false;
    if (ch === '*') {
      if (chars[pos] === '*') {
        pos++;
        if (chars[pos] === '/') pos++;
        if (pos >= chars.length) {
          if (kind === 'exact') {
            kind = 'prefix';
          } else {
            source += '.*';
            kind = 'regexp';
          }
        } else {
          source += '(.*/)?';
          kind = 'regexp';
        }
        if (iteration === 0) kind = 'suffix';
      } else {
        source += '[^/]*';
        kind = 'regexp';
      }
    } else if (ch === '?') {
      source += '[^/]';
      kind = 'regexp';
    } else if (REGEXP_META.has(ch)) {
      source += '\\' + ch;
      plain[pos - 1] = !changed;
    } else if (ch === '\\' && escapes) {
      if (pos < chars.length) {
        source += '\\' + chars[pos++];
        kind = 'regexp';
      } else {
        // A trailing backslash stays single, so it escapes the `$` appended below.
        source += '\\';
      }
    } else if (ch === '[' || ch === ']') {
      source += ch;
      kind = 'regexp';
    } else {
      source += ch;
      // `{`, `}`, `|`, `^` and a raw backslash keep their regexp meaning.
      afterRawBackslash = ch === '\\';
      plain[pos - 1] = !changed && !'{}|^\\'.includes(ch);
    }
  }
  if (kind !== 'regexp') return { kind, source, head: '', tail: '' };
  return { kind, source: source + '$', ...plainEnds(chars, plain) };
}

/** The plain characters at both ends; a `{` may repeat (even zero times) the character before it. */
function plainEnds(chars: string[], plain: boolean[]): { head: string; tail: string } {
  if (chars.includes('|')) return { head: '', tail: '' };
  let start = 0;
  while (start < chars.length && plain[start]) start++;
  const headEnd = chars[start] === '{' ? Math.max(0, start - 1) : start;
  let end = chars.length;
  while (end > 0 && plain[end - 1]) end--;
  return { head: chars.slice(0, headEnd).join(''), tail: chars.slice(end).join('') };
}

/**
 * One pattern of an ignore file, compiled lazily the way Docker compiles it: the first time it is
 * evaluated. A pattern that fails to compile fails every time it is evaluated, so whether Docker
 * notices depends on whether its walk ever evaluates it.
 */
export class CompiledPattern {
  /** The cleaned pattern, without its `!` (patternmatcher's `String()`). */
  readonly text: string;
  /** The pattern's path segments, used for parent-directory matching. */
  readonly segments: number;
  private compiled: Compiled | null = null;
  private failure: unknown = null;

  constructor(
    text: string,
    /** True for `!` exceptions. */
    readonly exclusion: boolean,
    /** 1-based line in the ignore file (0 for patterns Docker adds itself). */
    readonly line: number,
    private readonly escapes: boolean,
  ) {
    this.text = text;
    this.segments = text.split('/').length;
  }

  /** Compile now; returns the error Docker would hit, or null. Idempotent. */
  compileError(): unknown {
    if (this.compiled === null && this.failure === null) this.compile();
    return this.failure;
  }

  /** The match kind, or null when the pattern does not compile. */
  get kind(): MatchKind | null {
    return this.compileError() === null ? this.compiled!.kind : null;
  }

  private compile(): void {
    const { kind, source, head, tail } = translatePattern(this.text, this.escapes);
    switch (kind) {
      case 'exact':
        this.compiled = { kind, last: lastUnit(this.text), text: this.text };
        return;
      case 'prefix':
        this.compiled = { kind, last: -1, prefix: this.text.slice(0, -2) };
        return;
      case 'suffix': {
        // Go slices the pattern's bytes: after a leading byte-order mark (which the scanner
        // skipped when it classified the pattern), `[2:]` leaves the BOM's last byte, 0xBF,
        // which only a name that is not valid UTF-8 holds (kept as U+DCBF, see decodeKeepingBytes).
        const suffix = this.text.startsWith('\uFEFF') ? '\uDCBF' + this.text.slice(1) : this.text.slice(2);
        this.compiled = { kind, last: lastUnit(suffix), suffix, bare: suffix.startsWith('/') ? suffix.slice(1) : null };
        return;
      }
      case 'regexp':
        // patternmatcher reads the pattern with text/scanner, which turns a byte that is not
        // UTF-8 into U+FFFD before the regexp sees it (exact, prefix and suffix keep the bytes).
        if (!isWellFormed(this.text)) return this.compileRegexp(translatePattern(toWellFormed(this.text), this.escapes));
        return this.compileRegexp({ kind, source, head, tail });
    }
  }

  private compileRegexp({ source, head, tail }: TranslatedPattern): void {
    try {
      this.compiled = { kind: 'regexp', last: lastUnit(tail), regexp: compileGoRegexp(source), head, tail };
    } catch (error) {
      this.failure = error;
    }
  }

  /**
   * The UTF-16 unit every path this pattern matches ends with, or -1 when that is not known (or
   * the pattern does not compile). Compiles the pattern, silently.
   */
  lastUnit(): number {
    return this.compileError() === null ? this.compiled!.last : -1;
  }

  /** Does the pattern match this slash-separated relative path? Throws PatternCompileError. */
  matches(path: string): boolean {
    const compiled = this.compiled ?? (this.compileError() === null ? this.compiled! : null);
    if (compiled === null) throw new PatternCompileError(this, { cause: this.failure });
    if (compiled.kind === 'regexp') {
      // A regexp reads a byte that is not UTF-8 as U+FFFD, as Go's does.
      const subject = isWellFormed(path) ? path : toWellFormed(path);
      if (compiled.last !== -1 && subject.charCodeAt(subject.length - 1) !== compiled.last) return false;
      return subject.endsWith(compiled.tail) && subject.startsWith(compiled.head) && compiled.regexp.test(subject);
    }
    // Most paths fail on their last character; a walk asks every pattern about every entry.
    if (compiled.last !== -1 && path.charCodeAt(path.length - 1) !== compiled.last) return false;
    switch (compiled.kind) {
      case 'exact':
        return path === compiled.text;
      case 'prefix':
        return path.startsWith(compiled.prefix);
      case 'suffix':
        return path.endsWith(compiled.suffix) || path === compiled.bare;
    }
  }
}
