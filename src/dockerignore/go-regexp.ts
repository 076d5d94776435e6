/**
 * Translate the regular expressions that moby/patternmatcher builds into JavaScript RegExps with
 * Go RE2 semantics (`regexp.Compile`, Perl flags). Docker passes most of a pattern's text to the
 * regexp engine unescaped (`^`, `\d`, `[[:alpha:]]`, `\Q`…), so exotic patterns mean what RE2
 * says they mean, and some fail to compile. This parser follows Go's `regexp/syntax` closely enough
 * to give the same verdict: a RegExp that accepts the same strings, or a compile error.
 */

export class GoRegexpError extends Error {
  constructor(message: string) {
    super(`error parsing regexp: ${message}`);
    this.name = 'GoRegexpError';
  }
}

type Range = [lo: number, hi: number];
const MAX_RUNE = 0x10ffff;

const PERL_GROUPS: Record<string, { negate: boolean; ranges: Range[] }> = {
  d: { negate: false, ranges: [[0x30, 0x39]] },
  D: { negate: true, ranges: [[0x30, 0x39]] },
  s: { negate: false, ranges: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]] },
  S: { negate: true, ranges: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]] },
  w: { negate: false, ranges: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]] },
  W: { negate: true, ranges: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]] },
};

const POSIX_GROUPS: Record<string, Range[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

/** Unicode general categories that Go's `unicode.Categories` knows. */
const GO_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

function hex(codePoint: number): string {
  return `\\u{${codePoint.toString(16)}}`;
}

function rangesSource(ranges: Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');
}

/** A JS class-body fragment for `\p{Name}` (or its negation), or null when Go does not know the name. */
function unicodeClassSource(name: string, negate: boolean): string | null {
  const p = negate ? '\\P' : '\\p';
  if (name === 'Any') return negate ? '' : rangesSource([[0, MAX_RUNE]]);
  let body: string;
  if (GO_CATEGORIES.has(name)) body = `${p}{${name}}`;
  else if (/^[A-Za-z_]+$/.test(name)) body = `${p}{Script=${name}}`;
  else return null;
  try {
    new RegExp(`[${body}]`, 'u');
  } catch {
    return null;
  }
  return body;
}

function isAlnum(c: string): boolean {
  return /^[0-9A-Za-z]$/.test(c);
}

function unhex(c: string | undefined): number {
  if (c === undefined || !/^[0-9A-Fa-f]$/.test(c)) return -1;
  return parseInt(c, 16);
}

/** Cursor over the code points of the expression. */
class Cursor {
  readonly chars: string[];
  pos = 0;
  constructor(source: string) {
    this.chars = Array.from(source);
  }
  get done(): boolean {
    return this.pos >= this.chars.length;
  }
  peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }
  next(): string {
    const c = this.chars[this.pos];
    if (c === undefined) throw new GoRegexpError('unexpected end');
    this.pos++;
    return c;
  }
  rest(): string {
    return this.chars.slice(this.pos).join('');
  }
}

/** Go's parseEscape: the cursor is on the backslash; returns the escaped code point. */
function parseEscape(cur: Cursor): number {
  const start = cur.pos;
  cur.next(); // the backslash
  if (cur.done) throw new GoRegexpError('trailing backslash at end of expression');
  const c = cur.next();
  const invalid = (): never => {
    throw new GoRegexpError(`invalid escape sequence: \`${cur.chars.slice(start, cur.pos).join('')}\``);
  };
  const code = c.codePointAt(0)!;
  if (code < 0x80 && !isAlnum(c)) return code;
  if (c >= '1' && c <= '7') {
    const d = cur.peek();
    if (d === undefined || d < '0' || d > '7') invalid();
  }
  if (c >= '0' && c <= '7') {
    let r = code - 0x30;
    for (let i = 1; i < 3; i++) {
      const d = cur.peek();
      if (d === undefined || d < '0' || d > '7') break;
      r = r * 8 + (d.codePointAt(0)! - 0x30);
      cur.pos++;
    }
    return r;
  }
  if (c === 'x') {
    if (cur.done) invalid();
    const first = cur.next();
    if (first === '{') {
      let digits = 0;
      let r = 0;
      for (;;) {
        if (cur.done) invalid();
        const d = cur.next();
        if (d === '}') break;
        const v = unhex(d);
        if (v < 0) invalid();
        r = r * 16 + v;
        if (r > MAX_RUNE) invalid();
        digits++;
      }
      if (digits === 0) invalid();
      return r;
    }
    const x = unhex(first);
    if (cur.done) invalid();
    const y = unhex(cur.next());
    if (x < 0 || y < 0) invalid();
    return x * 16 + y;
  }
  const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
  if (c in simple) return simple[c]!;
  return invalid();
}

/** `\p{…}` / `\P{…}` at the cursor, as a class-body fragment; null when the cursor is elsewhere. */
function parseUnicodeClass(cur: Cursor): string | null {
  if (cur.peek() !== '\\' || (cur.peek(1) !== 'p' && cur.peek(1) !== 'P')) return null;
  let negate = cur.peek(1) === 'P';
  cur.pos += 2;
  if (cur.done) throw new GoRegexpError('invalid character class range');
  const c = cur.next();
  let name: string;
  if (c !== '{') {
    name = c;
  } else {
    const rest = cur.rest();
    const end = rest.indexOf('}');
    if (end < 0) throw new GoRegexpError(`invalid character class range: \`\\p{${rest}\``);
    name = rest.slice(0, end);
    cur.pos += Array.from(rest.slice(0, end + 1)).length;
  }
  if (name.startsWith('^')) {
    negate = !negate;
    name = name.slice(1);
  }
  const body = unicodeClassSource(name, negate);
  if (body === null) throw new GoRegexpError(`invalid character class range: \`${name}\``);
  return body;
}

/** `\d` and friends at the cursor, as a class-body fragment; null when the cursor is elsewhere. */
function parsePerlClass(cur: Cursor): string | null {
  if (cur.peek() !== '\\') return null;
  const group = PERL_GROUPS[cur.peek(1) ?? ''];
  if (!group) return null;
  cur.pos += 2;
  return rangesSource(group.negate ? complement(group.ranges) : group.ranges);
}

/** Go's parseClass: the cursor is on `[`; returns a JS character class. */
function parseClass(cur: Cursor): string {
  cur.next(); // [
  let negate = false;
  if (cur.peek() === '^') {
    negate = true;
    cur.next();
  }
  const parts: string[] = [];
  let first = true;
  while (cur.done || cur.peek() !== ']' || first) {
    first = false;
    if (cur.peek() === '[' && cur.peek(1) === ':' && cur.chars.length - cur.pos > 2) {
      const rest = cur.rest();
      const close = rest.indexOf(':]', 2);
      if (close >= 0) {
        const full = rest.slice(0, close + 2);
        let name = full.slice(2, -2);
        let negated = false;
        if (name.startsWith('^')) {
          negated = true;
          name = name.slice(1);
        }
        const ranges = POSIX_GROUPS[name];
        if (!ranges) throw new GoRegexpError(`invalid character class range: \`${full}\``);
        parts.push(rangesSource(negated ? complement(ranges) : ranges));
        cur.pos += Array.from(full).length;
        continue;
      }
    }
    const unicode = parseUnicodeClass(cur);
    if (unicode !== null) {
      parts.push(unicode);
      continue;
    }
    const perl = parsePerlClass(cur);
    if (perl !== null) {
      parts.push(perl);
      continue;
    }
    const lo = parseClassChar(cur);
    let hi = lo;
    if (cur.peek() === '-' && cur.peek(1) !== undefined && cur.peek(1) !== ']') {
      cur.next();
      hi = parseClassChar(cur);
      if (hi < lo) throw new GoRegexpError('invalid character class range');
    }
    parts.push(rangesSource([[lo, hi]]));
  }
  cur.next(); // ]
  const body = parts.join('');
  if (body === '') return negate ? '[\\u{0}-\\u{10ffff}]' : '[]';
  return `[${negate ? '^' : ''}${body}]`;
}

function parseClassChar(cur: Cursor): number {
  if (cur.done) throw new GoRegexpError('missing closing ]');
  if (cur.peek() === '\\') return parseEscape(cur);
  return cur.next().codePointAt(0)!;
}

/** Go's parseInt for repeat counts: digits without a leading zero; -1 when too large. */
function parseRepeatInt(text: string, at: number): { value: number; end: number } | null {
  const first = text[at];
  if (first === undefined || first < '0' || first > '9') return null;
  const second = text[at + 1];
  if (first === '0' && second !== undefined && second >= '0' && second <= '9') return null;
  let end = at;
  while (end < text.length && text[end]! >= '0' && text[end]! <= '9') end++;
  let value = 0;
  for (let i = at; i < end; i++) {
    if (value >= 1e8) {
      value = -1;
      break;
    }
    value = value * 10 + (text.charCodeAt(i) - 48);
  }
  return { value, end };
}

/**
 * Go's parseRepeat: `{min}`, `{min,}` or `{min,max}` at the cursor. Returns the JS quantifier, or
 * null (cursor unmoved) when the text is not one, and then `{` is a literal. Throws for counts Go
 * rejects.
 */
function parseRepeatBraces(cur: Cursor): string | null {
  const text = cur.rest();
  const minPart = parseRepeatInt(text, 1);
  if (minPart === null) return null;
  let at = minPart.end;
  let min = minPart.value;
  let max: number;
  if (text[at] === undefined) return null;
  if (text[at] !== ',') {
    max = min;
  } else {
    at++;
    if (text[at] === undefined) return null;
    if (text[at] === '}') {
      max = -1;
    } else {
      const maxPart = parseRepeatInt(text, at);
      if (maxPart === null) return null;
      max = maxPart.value;
      at = maxPart.end;
      if (max < 0) min = -1;
    }
  }
  if (text[at] !== '}') return null;
  if (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)) {
    throw new GoRegexpError(`invalid repeat count: \`${text.slice(0, at + 1)}\``);
  }
  cur.pos += Array.from(text.slice(0, at + 1)).length;
  return max === -1 ? `{${min},}` : `{${min},${max}}`;
}

/** A repetition operator (already consumed), with Go's rules: no stacking, something to repeat. */
function repetition(cur: Cursor, op: string, lastWasRepeat: boolean, hasOperand: boolean): string {
  if (cur.peek() === '?') {
    cur.next();
    op += '?'; // non-greedy: the same strings match
  }
  if (lastWasRepeat) throw new GoRegexpError('invalid nested repetition operator');
  if (!hasOperand) throw new GoRegexpError('missing argument to repetition operator');
  return op;
}

/**
 * Compile a Go regular expression (Perl syntax, as `regexp.Compile` takes it) into an equivalent
 * JavaScript RegExp. Throws GoRegexpError where Go's compiler would fail.
 */
export function compileGoRegexp(source: string): RegExp {
  const cur = new Cursor(source);
  let out = '';
  let depth = 0;
  // Whether the last item can take a repetition operator (Go: it is not a paren or bar marker).
  let hasOperand = false;
  let lastWasRepeat = false;
  while (!cur.done) {
    const c = cur.peek()!;
    let isRepeat = false;
    switch (c) {
      case '(':
        if (cur.peek(1) === '?') throw new GoRegexpError('unsupported group syntax');
        cur.next();
        out += '(?:';
        depth++;
        hasOperand = false;
        break;
      case '|':
        cur.next();
        out += '|';
        hasOperand = false;
        break;
      case ')':
        cur.next();
        if (depth === 0) throw new GoRegexpError('unexpected )');
        out += ')';
        depth--;
        hasOperand = true;
        break;
      case '^':
        cur.next();
        out += '(?:^)';
        hasOperand = true;
        break;
      case '$':
        cur.next();
        out += '(?:$)';
        hasOperand = true;
        break;
      case '.':
        cur.next();
        out += '[^\\n]';
        hasOperand = true;
        break;
      case '[':
        out += parseClass(cur);
        hasOperand = true;
        break;
      case '*':
      case '+':
      case '?':
        cur.next();
        out += repetition(cur, c, lastWasRepeat, hasOperand);
        isRepeat = true;
        break;
      case '{': {
        const braces = parseRepeatBraces(cur);
        if (braces === null) {
          cur.next();
          out += hex(0x7b);
          hasOperand = true;
          break;
        }
        out += repetition(cur, braces, lastWasRepeat, hasOperand);
        isRepeat = true;
        break;
      }
      case '\\': {
        const kind = cur.peek(1);
        if (kind === 'A') {
          cur.pos += 2;
          out += '(?:^)';
          hasOperand = true;
          break;
        }
        if (kind === 'z') {
          cur.pos += 2;
          out += '(?:$)';
          hasOperand = true;
          break;
        }
        if (kind === 'b' || kind === 'B') {
          cur.pos += 2;
          out += `(?:\\${kind})`;
          hasOperand = true;
          break;
        }
        if (kind === 'C') throw new GoRegexpError('invalid escape sequence: `\\C`');
        if (kind === 'Q') {
          cur.pos += 2;
          const rest = cur.rest();
          const end = rest.indexOf('\\E');
          const literal = end < 0 ? rest : rest.slice(0, end);
          cur.pos += Array.from(literal).length + (end < 0 ? 0 : 2);
          for (const ch of literal) {
            out += hex(ch.codePointAt(0)!);
            hasOperand = true;
          }
          break;
        }
        const unicode = parseUnicodeClass(cur);
        if (unicode !== null) {
          out += unicode === '' ? '[]' : `[${unicode}]`;
          hasOperand = true;
          break;
        }
        const perl = parsePerlClass(cur);
        if (perl !== null) {
          out += `[${perl}]`;
          hasOperand = true;
          break;
        }
        out += hex(parseEscape(cur));
        hasOperand = true;
        break;
      }
      default:
        cur.next();
        out += hex(c.codePointAt(0)!);
        hasOperand = true;
    }
    lastWasRepeat = isRepeat;
  }
  if (depth !== 0) throw new GoRegexpError('missing closing )');
  try {
    return new RegExp(out, 'u');
  } catch (error) {
    throw new GoRegexpError(`unsupported expression (${(error as Error).message})`);
  }
}
