/**
 * Writing paths as `.dockerignore` patterns. A pattern is a Go glob translated to a regular
 * expression (reference section 2), so a literal path must escape what either reads as syntax.
 */

import { goCleanPath } from '../dockerignore/go-text.js';

/** A variable reference in a Dockerfile word: `$NAME`, `${NAME}`, `${NAME:-default}`. */
const VARIABLE = /\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * The pattern a source path has whatever its build arguments are: each variable becomes `*`
 * (`.build/${OS}-${ARCH}/app` is `.build/*-*` then `/app`). When a value spans several segments
 * (`$TARGETPLATFORM` is `linux/amd64`), the path is cut before the first segment with a variable
 * (`dist`). Null when the source has no variable, or when nothing is left before it.
 * `expanded` is the source's path as planned with today's values.
 */
export function sourcePattern(raw: string, expanded: string): string | null {
  if (!raw.includes('$')) return null;
  const clean = (p: string): string => {
    const rooted = goCleanPath('/' + p);
    return rooted === '/' ? '.' : rooted.slice(1);
  };
  const wild = clean(raw.replace(VARIABLE, '*').replace(/\*+/g, '*'));
  if (wild.split('/').length === expanded.split('/').length && wild !== '.' && !wild.split('/').every((s) => s === '*')) return wild;
  const segments = clean(raw).split('/');
  const cut = segments.findIndex((s) => s.includes('$'));
  const prefix = segments.slice(0, cut === -1 ? segments.length : cut);
  if (prefix.length === 0 || prefix.join('/') === '.') return null;
  return prefix.join('/');
}

/**
 * Characters that are syntax somewhere on a pattern's way: glob wildcards and classes (`*`, `?`,
 * `[`, `]`), the escape itself, and `^`, which the translation passes to the regular expression
 * unescaped (where it anchors).
 */
const SPECIAL = /[\\*?[\]^]/g;

/**
 * The pattern that matches exactly this context path (posix rules: `\` escapes). Null when no line
 * can say it: a name with a line break, or with whitespace at either end of the path (Docker trims
 * lines and a trailing space cannot be escaped).
 */
export function literalPattern(path: string): string | null {
  if (/[\n\r]/.test(path) || path.includes('\uFFFD')) return null;
  if (/^\s|\s$/.test(path)) return null;
  let pattern = path.replace(SPECIAL, (ch) => '\\' + ch);
  // A line that starts with `#` is a comment and one that starts with `!` an exception.
  if (pattern.startsWith('#') || pattern.startsWith('!')) pattern = '\\' + pattern;
  return pattern;
}

/** Whether a `.dockerignore` line is an exception (`!…`). */
export function isException(line: string): boolean {
  return line.trimStart().startsWith('!');
}

/** `a/b/c` → `a/b`; `a` → ``. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** Whether `path` is `dir` or lies below it. `dir` empty is the root, which holds everything. */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir + '/');
}
