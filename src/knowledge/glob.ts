/**
 * Name globs for the artifact table: one path segment at a time, so `*` never crosses a `/`.
 * Syntax: `*` (any run of characters), `?` (one character), `[abc]`, `[a-z]`, `[!abc]` / `[^abc]`.
 * Everything else is literal. This is deliberately smaller than `.dockerignore` syntax: the table
 * describes names, and `ctxsize clean --include` takes the same syntax, so it must stay simple to
 * explain. Each glob is classified once (literal or regular expression) when it is compiled.
 */

/** A compiled one-segment glob. */
export interface NameGlob {
  /** The glob as written. */
  readonly source: string;
  /** The name itself when the glob has no wildcard, so matching is a string comparison. */
  readonly literal: string | null;
  test(name: string): boolean;
}

/** Thrown for a glob that cannot be compiled (an unclosed `[`, an empty segment). */
export class GlobSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GlobSyntaxError';
  }
}

const REGEXP_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;

function escapeRegExp(text: string): string {
  return text.replace(REGEXP_SPECIAL, '\\$&');
}

/** Compile one path segment. Throws GlobSyntaxError for a malformed one. */
export function compileNameGlob(source: string): NameGlob {
  if (source === '') throw new GlobSyntaxError('empty name in pattern');
  if (source.includes('/')) throw new GlobSyntaxError(`${JSON.stringify(source)}: a name cannot contain "/"`);
  if (!/[*?[]/.test(source)) {
    return { source, literal: source, test: (name) => name === source };
  }
  let out = '^';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '*') {
      out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      const close = source.indexOf(']', i + 2);
      if (close < 0) throw new GlobSyntaxError(`${JSON.stringify(source)}: unclosed "["`);
      let body = source.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      if (body === '') throw new GlobSyntaxError(`${JSON.stringify(source)}: empty character class`);
      // Keep ranges (`a-z`), escape everything else that a RegExp class would interpret.
      const cls = body.replace(/[\\\]^[]/g, '\\$&');
      out += `[${negate ? '^' : ''}${cls}]`;
      i = close;
    } else {
      out += escapeRegExp(c);
    }
  }
  const re = new RegExp(out + '$', 's');
  return { source, literal: null, test: (name) => re.test(name) };
}
