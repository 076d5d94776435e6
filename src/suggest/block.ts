/**
 * ctxsize's block in an ignore file, as pure functions on bytes: every byte outside the block is
 * kept as it is (comments, CRLF line ends, a byte-order mark, a missing final newline, even bytes
 * that are not UTF-8), and lines already in the block are never added twice, so a second run with
 * the same suggestions changes nothing.
 */

export const BLOCK_BEGIN = '# >>> ctxsize suggest >>>';
export const BLOCK_END = '# <<< ctxsize suggest <<<';

/** One line to add, with the comment that says why (written on the line above it). */
export interface BlockLine {
  pattern: string;
  comment: string;
}

interface LineSpan {
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just past the line's terminator (or the end of the file). */
  end: number;
  /** The line's text without its terminator (CR dropped), decoded as UTF-8. */
  text: string;
}

function splitLines(bytes: Buffer): LineSpan[] {
  const spans: LineSpan[] = [];
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline + 1;
    let textEnd = newline === -1 ? bytes.length : newline;
    if (textEnd > start && bytes[textEnd - 1] === 0x0d) textEnd--;
    spans.push({ start, end, text: bytes.subarray(start, textEnd).toString('utf8') });
    start = end;
  }
  return spans;
}

/** The line ending a file uses: CRLF when every line end is CRLF, else LF (a mixed file gets LF). */
export function lineEnding(bytes: Buffer): '\n' | '\r\n' {
  let newlines = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 0x0d) return '\n';
    newlines++;
  }
  return newlines > 0 ? '\r\n' : '\n';
}

/** Where ctxsize's block is: the last begin marker followed by an end marker. */
function findBlock(spans: readonly LineSpan[]): { begin: number; end: number } | null {
  for (let begin = spans.length - 1; begin >= 0; begin--) {
    if (spans[begin]!.text.trim() !== BLOCK_BEGIN) continue;
    for (let end = begin + 1; end < spans.length; end++) {
      if (spans[end]!.text.trim() === BLOCK_END) return { begin, end };
    }
  }
  return null;
}

/** The pattern lines already in ctxsize's block (comments and blank lines left out). */
export function blockPatterns(bytes: Buffer): string[] {
  const spans = splitLines(bytes);
  const block = findBlock(spans);
  if (block === null) return [];
  return spans
    .slice(block.begin + 1, block.end)
    .map((span) => span.text.trim())
    .filter((text) => text !== '' && !text.startsWith('#'));
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}

/**
 * Add lines to ctxsize's block, creating the block at the end of the file when there is none.
 * Lines already in the block are skipped; when nothing is left to add, the bytes come back
 * unchanged. A file without a final newline gets one before the block.
 */
export function insertIntoBlock(current: Buffer, lines: readonly BlockLine[]): { after: Buffer; added: string[] } {
  const spans = splitLines(current);
  const block = findBlock(spans);
  const present = new Set(block === null ? [] : blockPatterns(current));
  const added: BlockLine[] = [];
  for (const line of lines) {
    if (present.has(line.pattern)) continue;
    present.add(line.pattern);
    added.push(line);
  }
  if (added.length === 0) return { after: current, added: [] };
  const eol = lineEnding(current);
  const rendered = added.map((line) => `# ${oneLine(line.comment)}${eol}${line.pattern}${eol}`).join('');
  if (block !== null) {
    const at = spans[block.end]!.start;
    return {
      after: Buffer.concat([current.subarray(0, at), Buffer.from(rendered, 'utf8'), current.subarray(at)]),
      added: added.map((line) => line.pattern),
    };
  }
  let prefix = '';
  if (current.length > 0) {
    if (current[current.length - 1] !== 0x0a) prefix += eol;
    prefix += eol; // a blank line between the user's lines and the block
  }
  const text = `${prefix}${BLOCK_BEGIN}${eol}${rendered}${BLOCK_END}${eol}`;
  return { after: Buffer.concat([current, Buffer.from(text, 'utf8')]), added: added.map((line) => line.pattern) };
}

function diffLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function show(prefix: string, line: string): string {
  const newline = line.endsWith('\n');
  const body = line.replace(/\r?\n$/, '');
  return `${prefix}${body}\n${newline ? '' : '\\ No newline at end of file\n'}`;
}

/**
 * A unified diff (3 lines of context) of one contiguous change, which is all ctxsize's edits make:
 * one hunk from the first differing line to the last. Empty when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, oldLabel: string, newLabel: string): string {
  if (before === after) return '';
  const a = diffLines(before);
  const b = diffLines(after);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const context = 3;
  const start = Math.max(0, prefix - context);
  const oldEnd = Math.min(a.length, a.length - suffix + context);
  const newEnd = Math.min(b.length, b.length - suffix + context);
  const oldCount = oldEnd - start;
  const newCount = newEnd - start;
  const range = (count: number): string => `${count === 0 ? start : start + 1},${count}`;
  let out = `--- ${oldLabel}\n+++ ${newLabel}\n@@ -${range(oldCount)} +${range(newCount)} @@\n`;
  for (let i = start; i < prefix; i++) out += show(' ', a[i]!);
  for (let i = prefix; i < a.length - suffix; i++) out += show('-', a[i]!);
  for (let i = prefix; i < b.length - suffix; i++) out += show('+', b[i]!);
  for (let i = a.length - suffix; i < oldEnd; i++) out += show(' ', a[i]!);
  return out;
}
