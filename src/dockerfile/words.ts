/**
 * How BuildKit's parser cuts a logical line into a keyword, `--flags` and arguments
 * (`parser/split_command.go`, `parser/line_parsers.go`). Quotes and escapes are kept in arguments:
 * they are processed later, when variables are expanded.
 */
import { goTrimSpace, isGoSpace } from '../dockerignore/go-text.js';
import { SyntaxProblem } from './errors.js';

/** BuildKit's `tokenWhitespace` / `reWhitespace`: `[\t\v\f\r ]+`. */
const WHITESPACE = /[\t\v\f\r ]+/;

/** A logical line cut into its parts. */
export interface SplitLine {
  /** Lower-cased keyword. */
  keyword: string;
  flags: string[];
  /** The arguments after the flags, trimmed. */
  rest: string;
}

/** BuildKit's `splitCommand`. */
export function splitCommand(line: string): SplitLine {
  const trimmed = goTrimSpace(line);
  const match = WHITESPACE.exec(trimmed);
  if (!match) return { keyword: trimmed.toLowerCase(), flags: [], rest: '' };
  const keyword = trimmed.slice(0, match.index).toLowerCase();
  const { rest, flags } = extractBuilderFlags(trimmed.slice(match.index + match[0].length));
  return { keyword, flags, rest: goTrimSpace(rest) };
}

/**
 * BuildKit's `extractBuilderFlags`: leading words that start with `--` are flags (a bare `--` ends
 * them); a flag's quotes are removed and `\` escapes the next character. A value must be joined
 * with `=`: `--from stage` is a flag `--from` followed by the argument `stage`.
 */
export function extractBuilderFlags(line: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const atEnd = pos === line.length;
    const ch = atEnd ? '' : line[pos]!;
    if (!inWord && !quote) {
      if (atEnd) break;
      if (isGoSpace(ch.charCodeAt(0))) continue;
      if (ch !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
      inWord = true;
    }
    if (atEnd) {
      if (word !== '--' && (blankOK || word.length > 0)) flags.push(word);
      break;
    }
    if (quote) {
      if (ch === quote) {
        quote = '';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) {
          quote = '';
          continue;
        }
        pos++;
        word += line[pos]!;
        continue;
      }
      word += ch;
      continue;
    }
    if (isGoSpace(ch.charCodeAt(0))) {
      inWord = false;
      if (word === '--') return { rest: line.slice(pos), flags };
      if (blankOK || word.length > 0) flags.push(word);
      word = '';
      blankOK = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOK = true;
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) continue;
      pos++;
      word += line[pos]!;
      continue;
    }
    word += ch;
  }
  return { rest: '', flags };
}

/** BuildKit's `parseStringsWhitespaceDelimited`. */
export function splitWhitespace(rest: string): string[] {
  if (rest === '') return [];
  return rest.split(WHITESPACE);
}

/**
 * The end of the JSON value that starts at `start` (an array), or -1 when it is not balanced. Go's
 * json.Decoder reads one value and ignores what follows it, so `["a"] trailing` is JSON form.
 */
function endOfJsonArray(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * BuildKit's `parseJSON`: the arguments as a JSON array of strings, or undefined when they are not
 * JSON (then the shell form applies). An array holding anything but strings is an error.
 */
export function parseJsonArray(rest: string): string[] | undefined {
  let start = 0;
  while (start < rest.length && isGoSpace(rest.charCodeAt(start))) start++;
  if (rest[start] !== '[') return undefined;
  const end = endOfJsonArray(rest, start);
  if (end < 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(rest.slice(start, end));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((item): item is string => typeof item === 'string')) {
    throw new SyntaxProblem('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return value;
}

/**
 * BuildKit's `parseWords` (ARG, ENV, LABEL): whitespace-separated words where quotes group and the
 * escape character protects the next character. Quotes and escapes stay in the words.
 */
export function parseWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = atEnd ? '' : chars[pos]!;
    if (!inWord && !quote) {
      if (atEnd) break;
      if (isGoSpace(ch.codePointAt(0)!)) continue;
      inWord = true;
    }
    if (atEnd) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (quote) {
      if (ch === quote) quote = '';
      // A single-quoted escape character is literal.
      else if (ch === escapeToken && quote !== "'") {
        if (pos + 1 === chars.length) {
          quote = '';
          continue;
        }
        pos++;
        word += ch;
        ch = chars[pos]!;
      }
      word += ch;
      continue;
    }
    if (isGoSpace(ch.codePointAt(0)!)) {
      inWord = false;
      if (blankOK || word.length > 0) words.push(word);
      word = '';
      blankOK = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOK = true;
    }
    if (ch === escapeToken) {
      if (pos + 1 === chars.length) continue;
      word += ch;
      pos++;
      ch = chars[pos]!;
    }
    word += ch;
  }
  return words;
}
