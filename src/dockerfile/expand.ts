/**
 * Variable expansion and word splitting as BuildKit's `frontend/dockerfile/shell/lex.go` does it:
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
 * `${VAR:?msg}`, `${VAR?msg}`, `${VAR#glob}`, `${VAR##glob}`, `${VAR%glob}`, `${VAR%%glob}`,
 * `${VAR/glob/repl}`, `${VAR//glob/repl}`, single and double quotes, and the escape character.
 *
 * ctxsize does not always know a variable's value (a base image's environment, the platform
 * arguments): such a variable is expanded as unset, and its name is reported in `unresolved` so the
 * caller can flag the result as a guess.
 */
import { isGoSpace } from '../dockerignore/go-text.js';
import { SyntaxProblem } from './errors.js';
import { excerpt } from '../input/escape.js';

/** What a scope knows about a variable. */
export type VariableLookup =
  /** Set; `exact` is false when the value itself was computed from something unknown. */
  | { kind: 'set'; value: string; exact: boolean }
  | { kind: 'unset' }
  /** Possibly set, by something ctxsize cannot see (a base image's ENV). */
  | { kind: 'unknown' };

/** Where expansion looks variables up. */
export interface Variables {
  lookup(name: string): VariableLookup;
}

/** Lexer switches, named as BuildKit's `shell.Lex` fields. */
export interface LexOptions {
  /** The Dockerfile's escape character (default `\`). */
  escapeToken?: string;
  /** Keep quote characters in the result. */
  rawQuotes?: boolean;
  /** Keep escape characters in the result. */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters. */
  skipProcessQuotes?: boolean;
  /** Leave unset variables as written (`$X`, `${X:-y}`). */
  skipUnsetEnv?: boolean;
}

/** The outcome of expanding one word. */
export interface Expansion {
  /** The expanded text (ProcessWord). */
  result: string;
  /** The text split into words after expansion (ProcessWords). */
  words: string[];
  /** Variables whose value was unknown or inexact. */
  unresolved: Set<string>;
  /**
   * Variables used without a default (`$X`, `${X}`) that are not set, or whose value ctxsize
   * cannot see (a base image's environment): each became an empty string.
   */
  missing: Set<string>;
}

/** An empty scope: every variable unset. */
export const NO_VARIABLES: Variables = { lookup: () => ({ kind: 'unset' }) };

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/** Accumulates ProcessWords' words: unquoted blanks separate words, quoted ones do not. */
class WordCollector {
  readonly words: string[] = [];
  private buffer = '';
  private inWord = false;

  addChar(ch: string): void {
    if (isGoSpace(ch.codePointAt(0)!)) {
      if (this.inWord && this.buffer.length > 0) {
        this.words.push(this.buffer);
        this.buffer = '';
        this.inWord = false;
      }
      return;
    }
    this.addRaw(ch);
  }

  addString(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  addRaw(text: string): void {
    this.buffer += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buffer.length > 0) {
      this.words.push(this.buffer);
      this.buffer = '';
      this.inWord = false;
    }
    return this.words;
  }
}

/** One run of the lexer over one word. */
class ShellWord {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;
  readonly unresolved = new Set<string>();
  readonly missing = new Set<string>();

  constructor(
    word: string,
    private readonly vars: Variables,
    private readonly escapeToken: string,
    private readonly options: LexOptions,
  ) {
    this.chars = Array.from(word);
    this.rawEscapes = options.rawEscapes ?? false;
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private take(): string | undefined {
    return this.chars[this.pos++];
  }

  private get(name: string): { value: string; set: boolean; known: boolean } {
    const found = this.vars.lookup(name);
    if (found.kind === 'set') {
      if (!found.exact) this.unresolved.add(name);
      return { value: found.value, set: true, known: true };
    }
    if (found.kind === 'unknown') this.unresolved.add(name);
    return { value: '', set: false, known: found.kind === 'unset' };
  }

  /** Reads up to `stop` (consumed) or the end of the word. */
  processUntil(stop: string | undefined, rawEscapes: boolean): { result: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = '';
      const words = new WordCollector();
      for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
        if (stop !== undefined && ch === stop) {
          this.pos++;
          return { result, words: words.finish() };
        }
        const quotes = !this.options.skipProcessQuotes;
        if (ch === '$' || (quotes && (ch === "'" || ch === '"'))) {
          const part = ch === '$' ? this.dollar() : ch === "'" ? this.singleQuoted() : this.doubleQuoted();
          result += part;
          if (ch === '$') words.addString(part);
          else words.addRaw(part);
          continue;
        }
        let next = this.take()!;
        if (next === this.escapeToken) {
          if (this.rawEscapes) {
            words.addRaw(next);
            result += next;
          }
          const escaped = this.take();
          if (escaped === undefined) break;
          next = escaped;
          words.addRaw(next);
        } else {
          words.addChar(next);
        }
        result += next;
      }
      if (stop !== undefined) throw new SyntaxProblem(`unexpected end of statement while looking for matching ${stop}`);
      return { result, words: words.finish() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private singleQuoted(): string {
    const raw = this.options.rawQuotes ?? false;
    let result = raw ? this.take()! : (this.take(), '');
    for (;;) {
      const ch = this.take();
      if (ch === undefined) throw new SyntaxProblem('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return raw ? result + ch : result;
      result += ch;
    }
  }

  private doubleQuoted(): string {
    const raw = this.options.rawQuotes ?? false;
    let result = raw ? this.take()! : (this.take(), '');
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new SyntaxProblem('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.pos++;
        return raw ? result + ch : result;
      }
      if (ch === '$') {
        result += this.dollar();
        continue;
      }
      let next = this.take()!;
      if (next === this.escapeToken) {
        if (this.rawEscapes) result += next;
        const after = this.peek();
        if (after === undefined) continue;
        // Inside double quotes the escape only protects ", $ and itself.
        if (after === '"' || after === '$' || after === this.escapeToken) next = this.take()!;
      }
      result += next;
    }
  }

  private name(): string {
    let name = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name === '' && DIGIT.test(ch)) {
        while (this.peek() !== undefined && DIGIT.test(this.peek()!)) name += this.take();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) {
        this.pos++;
        return ch;
      }
      if (!LETTER.test(ch) && !DIGIT.test(ch) && ch !== '_') break;
      name += this.take();
    }
    return name;
  }

  private dollar(): string {
    this.pos++; // $
    const skipUnset = this.options.skipUnsetEnv ?? false;
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      const v = this.get(name);
      if (!v.set && skipUnset) return '$' + name;
      if (!v.set) this.missing.add(name);
      return v.value;
    }
    this.pos++; // {
    const first = this.peek();
    if (first === undefined) throw new SyntaxProblem("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new SyntaxProblem('syntax error: bad substitution');
    const name = this.name();
    let ch = this.take();
    if (ch === undefined) throw new SyntaxProblem("syntax error: missing '}'");
    let modifier = ch;
    if (ch === '}') {
      const v = this.get(name);
      if (!v.set && skipUnset) return `\${${name}}`;
      if (!v.set) this.missing.add(name);
      return v.value;
    }
    if (ch === '/') return this.replace(name);
    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.take();
      if (ch === undefined) throw new SyntaxProblem("syntax error: missing '}'");
      modifier += ch;
    }
    const trims = ch === '#' || ch === '%';
    if (!(ch === '+' || ch === '-' || ch === '?' || trims) || (nullIsUnset && trims)) {
      throw new SyntaxProblem(`unsupported modifier (${modifier}) in substitution`);
    }
    const word = this.nested('}', trims, "syntax error: missing '}'");
    const v = this.get(name);
    if (skipUnset && !v.set) return `\${${name}${modifier}${word}}`;
    const empty = !v.set || (nullIsUnset && v.value === '');
    switch (ch) {
      case '-':
        return empty ? word : v.value;
      case '+':
        return empty ? '' : word;
      case '?':
        if (!v.known && !v.set) return '';
        if (!v.set) throw new SyntaxProblem(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && v.value === '') throw new SyntaxProblem(`${name}: ${word || 'is not allowed to be empty'}`);
        return v.value;
      default: {
        const greedy = word.startsWith(ch);
        const pattern = greedy ? word.slice(1) : word;
        return ch === '%' ? trimSuffix(pattern, v.value, greedy) : trimPrefix(pattern, v.value, greedy);
      }
    }
  }

  private nested(stop: string, rawEscapes: boolean, missing: string): string {
    try {
      return this.processUntil(stop, rawEscapes).result;
    } catch (error) {
      if (this.peek() === undefined) throw new SyntaxProblem(missing);
      throw error;
    }
  }

  private replace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.pos++;
    const pattern = this.nested('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.nested('}', true, "syntax error: missing '}'");
    const v = this.get(name);
    if ((this.options.skipUnsetEnv ?? false) && !v.set) return `\${${name}/${pattern}/${replacement}}`;
    const re = shellPatternToRegExp(pattern, true, false, all);
    if (all) return v.value.replace(re, () => replacement);
    const m = re.exec(v.value);
    if (!m) return v.value;
    return v.value.slice(0, m.index) + replacement + v.value.slice(m.index + m[0].length);
  }
}

/**
 * A shell glob (`*`, `?`, `\` escapes; no brackets) as a regular expression, as BuildKit's
 * `convertShellPatternToRegex` builds it.
 */
function shellPatternToRegExp(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') out += greedy ? '.*' : '.*?';
    else if (ch === '?') out += '.';
    else if (ch === '\\') {
      // `\}` and `\/` only protected the ${} syntax; the backslash is not part of the pattern.
      if (chars[i + 1] === '}' || chars[i + 1] === '/') continue;
      const escaped = chars[++i];
      if (escaped !== '*' && escaped !== '?' && escaped !== '\\') {
        throw new SyntaxProblem(`invalid pattern (${pattern}) in substitution: invalid escape '\\${escaped ?? ''}'`);
      }
      out += '\\' + escaped;
    } else if ('[]{}.+()|^$/'.includes(ch)) out += '\\' + ch;
    else out += ch;
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = shellPatternToRegExp(pattern, greedy, true).exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** Reverses a pattern by characters, keeping each escape before the character it escapes. */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = [];
  for (let i = 0; i < chars.length; ) {
    if (chars[i] === '\\' && i !== chars.length - 1) {
      out.unshift('\\' + chars[i + 1]!);
      i += 2;
    } else {
      out.unshift(chars[i]!);
      i++;
    }
  }
  return out.join('');
}

const reverse = (text: string): string => Array.from(text).reverse().join('');

/** The shortest or longest suffix match, found as a prefix match on the reversed strings. */
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

/**
 * Expands `word` (BuildKit's ProcessWord / ProcessWords). Throws SyntaxProblem with BuildKit's
 * message on a malformed word (an unterminated quote, `${`, a bad modifier, `${X:?msg}` with X unset).
 */
export function expandWord(word: string, vars: Variables = NO_VARIABLES, options: LexOptions = {}): Expansion {
  const shell = new ShellWord(word, vars, options.escapeToken ?? '\\', options);
  try {
    const { result, words } = shell.processUntil(undefined, options.rawEscapes ?? false);
    return { result, words, unresolved: shell.unresolved, missing: shell.missing };
  } catch (error) {
    if (error instanceof SyntaxProblem) throw new SyntaxProblem(`failed to process "${excerpt(word)}": ${error.message}`);
    throw error;
  }
}
