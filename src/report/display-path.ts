import path from 'node:path';

/** A native path with `/` separators, as ctxsize prints every path on every OS. */
export function toSlash(native: string): string {
  return path.sep === '/' ? native : native.split(path.sep).join('/');
}

/**
 * A path as ctxsize shows it to a person: relative to `from` (usually the working directory) when
 * it lies inside, `/`-separated; otherwise absolute. `.` for `from` itself.
 */
export function displayPath(from: string, file: string): string {
  const rel = path.relative(from, file);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) return toSlash(file);
  return toSlash(rel);
}
