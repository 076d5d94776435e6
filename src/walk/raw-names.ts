/**
 * File names are bytes. Node decodes invalid UTF-8 lossily, and the decoded name no longer opens
 * the file. For such names, keep the raw bytes for file-system calls, show them as Go prints them
 * (each invalid byte one U+FFFD), and match them byte for byte, as Go compares them.
 */
export function decodeNameLikeGo(bytes: Uint8Array): string {
  return decodeUtf8(bytes, () => '\uFFFD');
}

/**
 * Decode keeping every invalid byte as a lone surrogate, U+DC80–U+DCFF (as Python's
 * surrogateescape does): valid UTF-8 never decodes to one, so the string still tells the bytes
 * apart (`a\xff` is not `a\xfe`, nor `a` + U+FFFD) and `encodeKeptBytes` gives them back. Ignore-file
 * patterns and names that are not valid UTF-8 are matched in this form, as Go compares bytes.
 */
export function decodeKeepingBytes(bytes: Uint8Array): string {
  return decodeUtf8(bytes, (b) => String.fromCharCode(0xdc00 | b));
}

/** The bytes a `decodeKeepingBytes` string stands for (UTF-8 for everything else). */
export function encodeKeptBytes(text: string): Buffer {
  if (isWellFormed(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pairEnd = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pairEnd) {
      i++;
    } else if (unit >= 0xdc80 && unit <= 0xdcff) {
      parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.from([unit & 0xff]));
      start = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** No lone surrogate (ES2024's String#isWellFormed, which Node 20 has). */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Lone surrogates read as U+FFFD, as Go's UTF-8 decoding reads invalid bytes. */
export function toWellFormed(text: string): string {
  return (text as unknown as { toWellFormed(): string }).toWellFormed();
}

function decodeUtf8(bytes: Uint8Array, invalid: (byte: number) => string): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    // F5–FF never start a sequence; C0 and C1 only start overlong ones.
    const need = b0 >= 0xf5 ? 0 : b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc2 ? 2 : 0;
    let rune = -1;
    if (need > 0 && i + need <= bytes.length) {
      rune = need === 2 ? b0 & 0x1f : need === 3 ? b0 & 0x0f : b0 & 0x07;
      for (let k = 1; k < need; k++) {
        const b = bytes[i + k]!;
        if ((b & 0xc0) !== 0x80) {
          rune = -1;
          break;
        }
        rune = (rune << 6) | (b & 0x3f);
      }
      const min = need === 2 ? 0x80 : need === 3 ? 0x800 : 0x10000;
      if (rune < min || rune > 0x10ffff || (rune >= 0xd800 && rune <= 0xdfff)) rune = -1;
    }
    if (rune < 0) {
      out += invalid(b0);
      i++;
    } else {
      out += String.fromCodePoint(rune);
      i += need;
    }
  }
  return out;
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  // Every invalid byte becomes a lone surrogate, and nothing else does.
  return isWellFormed(decodeKeepingBytes(bytes));
}
