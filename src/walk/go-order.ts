/**
 * Go walks directories in byte order of the UTF-8 names; JavaScript compares UTF-16 code units,
 * which orders U+E000–U+FFFF after astral characters. Map code units so that the order matches.
 */
function key(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

export function compareGoStrings(a: string, b: string): number {
  // Worked out first, on every call: an operation that V8's optimizing compiler has never seen run
  // (names where one is a prefix of the other are rare) makes it throw the optimized code away.
  const lengths = a.length - b.length;
  const n = lengths < 0 ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : key(x) - key(y);
  }
  return lengths;
}
