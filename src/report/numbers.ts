/**
 * `12,345`: whole numbers with thousands separators. Written out because the first
 * `Intl.NumberFormat` of a process loads ICU data, which costs more start-up time than a small
 * measurement takes.
 */
export function formatCount(value: number): string {
  if (!Number.isInteger(value) || Math.abs(value) < 1000) return String(value);
  const digits = String(Math.abs(value));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? '-' + out : out;
}

/** Drop-in for the `Intl.NumberFormat('en-US')` instances the reports used. */
export const number = { format: formatCount };
