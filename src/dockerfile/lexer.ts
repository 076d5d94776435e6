/**
 * Physical lines to logical lines, as BuildKit's `parser.Parse` reads a Dockerfile: parser
 * directives at the top, whole-line comments, line continuations with the escape character (comment
 * lines and empty lines inside a continuation are skipped, the latter with a warning), CRLF, and
 * heredoc bodies read on demand by the caller that knows which instruction may have them.
 */
import { isGoSpace } from '../dockerignore/go-text.js';
import { DockerfileError } from './errors.js';
import type { DockerfileWarning, ParserDirective } from './types.js';

/** BuildKit scans with bufio.Scanner's default token limit: 64 KiB including the line ending. */
const MAX_LINE_BYTES = 64 * 1024 - 1;

/** An instruction's text with continuations joined. */
export interface LogicalLine {
  text: string;
  startLine: number;
  endLine: number;
}

/** Go's `bytes.TrimLeftFunc(s, unicode.IsSpace)`. */
export function trimLeftSpace(text: string): string {
  let i = 0;
  while (i < text.length && isGoSpace(text.charCodeAt(i))) i++;
  return i === 0 ? text : text.slice(i);
}

/** BuildKit's `trimNewline`: every trailing CR and LF goes. */
function trimNewline(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\r' || text[end - 1] === '\n')) end--;
  return text.slice(0, end);
}

/** A whole-line comment: `#` is the first character after leading whitespace. */
function isComment(text: string): boolean {
  return trimLeftSpace(text).startsWith('#');
}

/** Go's `\s` (RE2): tab, LF, FF, CR, space; not VT. */
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;
const VALID_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

/**
 * Reads a Dockerfile one logical line at a time. The parser asks for heredoc bodies right after
 * the line that opened them, because only it knows whether the instruction can carry heredocs.
 */
export class LineReader {
  readonly directives: ParserDirective[] = [];
  readonly warnings: DockerfileWarning[] = [];
  escapeToken: '\\' | '`' = '\\';
  private readonly lines: string[];
  private readonly newline: boolean[];
  private next = 0;
  private directivesDone = false;
  private continuation = LineReader.continuationFor('\\');

  constructor(
    text: string,
    private readonly file: string,
  ) {
    const parts = text.split('\n');
    this.newline = parts.map(() => true);
    // A final LF does not start another line (bufio.Scanner yields no empty last token).
    if (parts[parts.length - 1] === '') {
      parts.pop();
      this.newline.pop();
    } else {
      this.newline[parts.length - 1] = false;
    }
    if (parts.length > 0 && parts[0]!.startsWith('\uFEFF')) parts[0] = parts[0]!.slice(1);
    parts.forEach((line, index) => {
      if (Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES) {
        throw new DockerfileError(`dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`, file, index + 1);
      }
    });
    this.lines = parts;
  }

  /** Lines consumed so far (the 1-based number of the last line read). */
  get lineNumber(): number {
    return this.next;
  }

  /**
   * The escape character ends a line as a continuation when it is the last non-blank character and
   * is not itself escaped (BuildKit's regexp cannot see an escaped escape before it: `a \\\` is
   * not a continuation).
   */
  private static continuationFor(token: string): RegExp {
    const e = token === '`' ? '`' : '\\\\';
    return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
  }

  private trimContinuation(text: string): { text: string; ends: boolean } {
    if (!this.continuation.test(text)) return { text, ends: true };
    return { text: text.replace(this.continuation, '$1'), ends: false };
  }

  /** BuildKit's DirectiveParser: only comment lines at the very top, each name at most once. */
  private parseDirective(token: string, line: number): void {
    if (this.directivesDone) return;
    if (!token.startsWith('#')) {
      this.directivesDone = true;
      return;
    }
    const match = DIRECTIVE.exec(trimLeftSpace(token.slice(1)));
    const name = match?.[1]?.toLowerCase();
    if (!match || name === undefined || !VALID_DIRECTIVES.has(name)) {
      this.directivesDone = true;
      return;
    }
    if (this.directives.some((d) => d.name === name)) {
      throw new DockerfileError(`only one ${name} parser directive can be used`, this.file, line);
    }
    const value = match[2]!;
    if (name === 'escape') {
      if (value !== '`' && value !== '\\') {
        throw new DockerfileError(`invalid escape token '${value}' does not match \` or \\`, this.file, line);
      }
      this.escapeToken = value;
      this.continuation = LineReader.continuationFor(value);
    }
    this.directives.push({ name: name as ParserDirective['name'], value, line });
  }

  /** BuildKit's processLine: strip the line ending (and leading blanks), note directives, drop comments. */
  private processLine(raw: string, stripLeft: boolean, line: number): string {
    let token = trimNewline(raw);
    if (stripLeft) token = trimLeftSpace(token);
    this.parseDirective(token, line);
    return isComment(token) ? '' : token;
  }

  /** The next instruction's text, or undefined at the end of the file. */
  nextLogicalLine(): LogicalLine | undefined {
    while (this.next < this.lines.length) {
      const first = this.processLine(this.lines[this.next]!, true, this.next + 1);
      this.next++;
      const startLine = this.next;
      let { text, ends } = this.trimContinuation(first);
      if (ends && text === '') continue;
      let emptyContinuation = false;
      while (!ends && this.next < this.lines.length) {
        const raw = this.lines[this.next]!;
        const processed = this.processLine(raw, false, this.next + 1);
        this.next++;
        if (isComment(raw)) continue;
        if (trimLeftSpace(trimNewline(processed)) === '') {
          emptyContinuation = true;
          continue;
        }
        const part = this.trimContinuation(processed);
        text += part.text;
        ends = part.ends;
      }
      if (emptyContinuation) {
        this.warnings.push({ line: this.next, message: `Empty continuation line found in: ${text}` });
      }
      return { text, startLine, endLine: this.next };
    }
    return undefined;
  }

  /**
   * Reads a heredoc body up to its terminator line (compared without the line ending, and without
   * leading tabs for `<<-`). Body lines keep their line endings.
   */
  readHeredoc(name: string, chomp: boolean, startLine: number): string {
    let content = '';
    while (this.next < this.lines.length) {
      const raw = this.lines[this.next]!;
      const ending = this.newline[this.next] ? '\n' : '';
      this.next++;
      let candidate = trimNewline(raw);
      if (chomp) candidate = candidate.replace(/^\t+/, '');
      if (candidate === name) return content;
      content += raw + ending;
    }
    throw new DockerfileError('unterminated heredoc', this.file, startLine);
  }
}
