/**
 * File names are bytes. Node decodes invalid UTF-8 lossily, and the decoded name no longer opens
 * the file. For such names, keep the raw bytes for file-system calls, and read them as Go does
 * when it matches patterns: each invalid byte is one U+FFFD.
 */
export function decodeNameLikeGo(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    const need = b0 >= 0xf0 && b0 <= 0xf4 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc2 ? 2 : 0;
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
      out += '\uFFFD';
      i++;
    } else {
      out += String.fromCodePoint(rune);
      i += need;
    }
  }
  return out;
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  const text = decodeNameLikeGo(bytes);
  return !text.includes('\uFFFD') || Buffer.from(text, 'utf8').equals(Buffer.from(bytes));
}
