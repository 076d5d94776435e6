import { decodeKeepingBytes } from '../walk/raw-names.js';
import { goCleanPath, goTrimSpace } from './go-text.js';

/** One effective line of an ignore file, as Docker hands it to the pattern matcher. */
export interface IgnoreRule {
  /** The pattern as Docker passes it on, with a leading `!` for exceptions (`!src/keep.txt`). */
  pattern: string;
  /** 1-based line number in the ignore file. */
  line: number;
  /**
   * The raw text of the line, without its line ending. Bytes that are not valid UTF-8 are kept
   * as lone surrogates (see `decodeKeepingBytes`), in `pattern` too: Docker compares bytes.
   */
  source: string;
}

/** A parsed ignore file. */
export interface IgnoreFile {
  /** Where the rules came from (a path, or a label such as `<none>`). */
  file: string;
  rules: IgnoreRule[];
}

/** Which platform's path rules apply: Docker treats `\` as an escape on Unix and a separator on Windows. */
export type PatternPlatform = 'posix' | 'win32';

/** A problem that makes Docker refuse an ignore file or one of its patterns. */
export class IgnoreFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IgnoreFileError';
  }
}

/** Docker reads ignore files with Go's bufio.Scanner, whose default limit is 64 KiB per line. */
export const MAX_LINE_BYTES = 64 * 1024 - 1;

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Split ignore-file bytes into lines exactly as Go's `bufio.ScanLines` does: LF ends a line, one CR
 * before it (or at the very end of the file) is dropped, and a final line without LF still counts.
 * Returns the byte slices, so that a line's length can be checked against Docker's limit.
 */
function scanLines(bytes: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const hasNewline = end !== -1;
    if (!hasNewline) end = bytes.length;
    let line = bytes.subarray(start, end);
    if (line.length > MAX_LINE_BYTES) {
      throw new RangeError(String(lines.length + 1));
    }
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    lines.push(line);
    start = end + 1;
  }
  return lines;
}

/**
 * Parse the text of a `.dockerignore` the way Docker's `ignorefile.ReadAll` does (reference
 * section 1): comments only where `#` is the first character, whitespace trimmed, `!` exceptions
 * trimmed again, patterns cleaned and made relative to the context root.
 */
export function parseIgnoreFile(
  content: Uint8Array | string,
  file = '.dockerignore',
  platform: PatternPlatform = 'posix',
): IgnoreFile {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let lines: Uint8Array[];
  try {
    lines = scanLines(bytes);
  } catch (error) {
    const line = Number((error as Error).message);
    throw new IgnoreFileError(
      `${file}:${line}: line longer than ${MAX_LINE_BYTES} bytes; Docker cannot read this file`,
      file,
      line,
      { cause: error },
    );
  }
  const rules: IgnoreRule[] = [];
  lines.forEach((lineBytes, index) => {
    let raw = lineBytes;
    if (index === 0 && raw.length >= 3 && UTF8_BOM.every((b, i) => raw[i] === b)) raw = raw.subarray(3);
    const source = decodeKeepingBytes(raw);
    if (source.startsWith('#')) return;
    let pattern = goTrimSpace(source);
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = goTrimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      if (platform === 'win32') pattern = pattern.replaceAll('\\', '/');
      pattern = goCleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    rules.push({ pattern: invert ? '!' + pattern : pattern, line: index + 1, source });
  });
  return { file, rules };
}
