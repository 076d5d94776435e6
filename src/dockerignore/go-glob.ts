/**
 * Go's `path/filepath.Match` (Go 1.24), byte for byte. Docker calls `Match(pattern, ".")` only for
 * its error: a pattern that this rejects makes Docker refuse the whole ignore file, whatever the
 * tree holds. Working on UTF-8 bytes keeps multi-byte names and invalid sequences exact.
 */

import { encodeKeptBytes } from '../walk/raw-names.js';

export class BadPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
    this.name = 'BadPatternError';
  }
}

const SLASH = 0x2f;
const BACKSLASH = 0x5c;

interface Options {
  /** On Windows `\` is a separator, never an escape. */
  escapes: boolean;
}

function scanChunk(pattern: Uint8Array, opts: Options): [star: boolean, chunk: Uint8Array, rest: Uint8Array] {
  let star = false;
  while (pattern.length > 0 && pattern[0] === 0x2a) {
    pattern = pattern.subarray(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case BACKSLASH:
        if (opts.escapes && i + 1 < pattern.length) i++;
        break;
      case 0x5b: // [
        inRange = true;
        break;
      case 0x5d: // ]
        inRange = false;
        break;
      case 0x2a: // *
        if (!inRange) break scan;
        break;
    }
  }
  return [star, pattern.subarray(0, i), pattern.subarray(i)];
}

/** Decode one UTF-8 rune the way Go's utf8.DecodeRune does: invalid input is (0xFFFD, 1). */
function decodeRune(bytes: Uint8Array): [rune: number, size: number] {
  if (bytes.length === 0) return [0xfffd, 0];
  const b0 = bytes[0]!;
  if (b0 < 0x80) return [b0, 1];
  const need = b0 >= 0xf0 && b0 <= 0xf4 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc2 ? 2 : 0;
  if (need === 0 || b0 > 0xf4 || bytes.length < need) return [0xfffd, 1];
  let rune = need === 2 ? b0 & 0x1f : need === 3 ? b0 & 0x0f : b0 & 0x07;
  for (let k = 1; k < need; k++) {
    const b = bytes[k]!;
    if ((b & 0xc0) !== 0x80) return [0xfffd, 1];
    rune = (rune << 6) | (b & 0x3f);
  }
  const min = need === 2 ? 0x80 : need === 3 ? 0x800 : 0x10000;
  if (rune < min || rune > 0x10ffff || (rune >= 0xd800 && rune <= 0xdfff)) return [0xfffd, 1];
  return [rune, need];
}

function getEsc(chunk: Uint8Array, opts: Options): [rune: number, rest: Uint8Array] {
  if (chunk.length === 0 || chunk[0] === 0x2d || chunk[0] === 0x5d) throw new BadPatternError();
  if (chunk[0] === BACKSLASH && opts.escapes) {
    chunk = chunk.subarray(1);
    if (chunk.length === 0) throw new BadPatternError();
  }
  const [rune, size] = decodeRune(chunk);
  if (rune === 0xfffd && size === 1) throw new BadPatternError();
  const rest = chunk.subarray(size);
  if (rest.length === 0) throw new BadPatternError();
  return [rune, rest];
}

/** Returns the unmatched rest of `s`, or null when the chunk does not match. Throws on bad syntax. */
function matchChunk(chunk: Uint8Array, s: Uint8Array, opts: Options): Uint8Array | null {
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0]!;
    if (c === 0x5b) {
      let rune = 0;
      if (!failed) {
        const [r, n] = decodeRune(s);
        rune = r;
        s = s.subarray(n);
      }
      chunk = chunk.subarray(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === 0x5e) {
        negated = true;
        chunk = chunk.subarray(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === 0x5d && ranges > 0) {
          chunk = chunk.subarray(1);
          break;
        }
        let lo: number;
        [lo, chunk] = getEsc(chunk, opts);
        let hi = lo;
        if (chunk[0] === 0x2d) [hi, chunk] = getEsc(chunk.subarray(1), opts);
        if (lo <= rune && rune <= hi) matched = true;
        ranges++;
      }
      if (matched === negated) failed = true;
    } else if (c === 0x3f) {
      if (!failed) {
        if (s[0] === SLASH) failed = true;
        s = s.subarray(decodeRune(s)[1]);
      }
      chunk = chunk.subarray(1);
    } else {
      if (c === BACKSLASH && opts.escapes) {
        chunk = chunk.subarray(1);
        if (chunk.length === 0) throw new BadPatternError();
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.subarray(1);
      }
      chunk = chunk.subarray(1);
    }
  }
  return failed ? null : s;
}

/**
 * Go's `filepath.Match(pattern, name)`: true when name matches; throws BadPatternError when the
 * pattern is malformed in the part it reads before deciding.
 */
export function goFilepathMatch(pattern: string, name: string, escapes = true): boolean {
  const opts: Options = { escapes };
  let pat: Uint8Array = encodeKeptBytes(pattern);
  let nm: Uint8Array = encodeKeptBytes(name);
  outer: while (pat.length > 0) {
    const [star, chunk, rest] = scanChunk(pat, opts);
    pat = rest;
    if (star && chunk.length === 0) return !nm.includes(SLASH);
    let firstError: unknown = null;
    try {
      const t = matchChunk(chunk, nm, opts);
      if (t !== null && (t.length === 0 || pat.length > 0)) {
        nm = t;
        continue;
      }
    } catch (error) {
      firstError = error;
    }
    if (firstError) throw firstError;
    if (star) {
      for (let i = 0; i < nm.length && nm[i] !== SLASH; i++) {
        const t = matchChunk(chunk, nm.subarray(i + 1), opts);
        if (t !== null) {
          if (pat.length === 0 && t.length > 0) continue;
          nm = t;
          continue outer;
        }
      }
    }
    // Go 1.24, which the Docker CLI 28 is built with, does not check the rest of the pattern
    // here (later Go versions do): `?/*.txt/[a-]` passes Docker's syntax check.
    return false;
  }
  return nm.length === 0;
}

/** True when Go's filepath.Match would reject the pattern as malformed (Docker's syntax check). */
export function isMalformedGlob(pattern: string, escapes = true): boolean {
  try {
    goFilepathMatch(pattern, '.', escapes);
    return false;
  } catch (error) {
    if (error instanceof BadPatternError) return true;
    throw error;
  }
}
