/**
 * Small reimplementations of Go standard-library text helpers whose exact behaviour Docker's
 * ignore-file handling depends on. JavaScript's own versions differ at the edges (String#trim
 * strips U+FEFF and keeps U+0085), and those edges are what decide an exotic pattern.
 */

/** Code points for which Go's `unicode.IsSpace` is true. */
const GO_SPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
  0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function isGoSpace(codePoint: number): boolean {
  return GO_SPACE.has(codePoint);
}

/** Go's `strings.TrimSpace`. */
export function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && GO_SPACE.has(text.charCodeAt(start))) start++;
  while (end > start && GO_SPACE.has(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * Go's `path/filepath.Clean` for slash-separated paths: collapse separators, drop `.`, resolve `..`
 * lexically, drop a trailing separator. An empty path becomes `.`.
 */
export function goCleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** UTF-8 byte length of a string, as Go's `len` would count it. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
