/**
 * Text that came from outside (file names, lines of an input file) shown to a person. Control
 * characters would drive the terminal (`ESC [2K` erases the line above a prompt), and a line echoed
 * whole from a file that is not what it claims (a config pointing at /proc/self/environ) could
 * print secrets; so such text is escaped, and an excerpt is cut short.
 */

/** C0 controls, DEL and C1 controls, and the Unicode line and bidi-override characters. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Escape control characters as `\n`, `\t`, `\x1b`, `\u202e`; everything else is kept. */
export function escapeControl(text: string): string {
  if (!CONTROL.test(text)) return text;
  CONTROL.lastIndex = 0;
  return text.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The default length of an excerpt of input echoed in a message. */
export const EXCERPT_CHARS = 40;

/** A short, escaped excerpt of input text for a message: at most `max` characters, then `…`. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const chars = Array.from(text);
  const cut = chars.length > max ? chars.slice(0, max).join('') + '…' : text;
  return escapeControl(cut);
}
