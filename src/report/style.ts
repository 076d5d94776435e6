import * as util from 'node:util';

/**
 * How human output is drawn: with colour or not, and how wide. Formatters take a Style and stay
 * pure; the CLI decides it once per run from the terminal, the environment and `--color`. JSON,
 * Markdown, Prometheus and HTML never take one.
 */
export interface Style {
  color: boolean;
  /** Columns to wrap human text at (the terminal's width, or 80). */
  width: number;
}

/** No colour, 80 columns: what a pipe, a file or a test gets. */
export const PLAIN: Style = { color: false, width: 80 };

type Format = Parameters<typeof util.styleText>[0];

/**
 * The meaning of each colour, so that every command paints the same thing the same way, as
 * hadolint and ncdu do: errors red, warnings yellow, infos and secondary text dim, sizes bold,
 * what the builder sends green, what it keeps out dim.
 */
const ROLES = {
  error: 'red',
  warning: 'yellow',
  info: 'dim',
  dim: 'dim',
  size: 'bold',
  sent: 'green',
  excluded: 'dim',
  effective: 'cyan',
  ok: 'green',
  fail: ['red', 'bold'],
  heading: 'bold',
  path: 'cyan',
} as const satisfies Record<string, Format>;

export type Role = keyof typeof ROLES;

// util.styleText arrived in Node 20.12; older Node 20 releases print without colour.
const styleText = (util as { styleText?: typeof util.styleText }).styleText;

/** Paint `text` in a role's colour when the style has colour; else the text unchanged. */
export function paint(style: Style, role: Role, text: string): string {
  if (!style.color || text === '' || styleText === undefined) return text;
  // validateStream: false, as the CLI has already decided (it may be `--color always` into a pipe).
  return styleText(ROLES[role] as Format, text, { validateStream: false } as never);
}

/** The text without ANSI escapes: to measure what a painted string takes on screen. */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** Columns a string takes on a terminal (escapes excluded; one column per code point). */
export function columnsOf(text: string): number {
  let n = 0;
  for (const _ of visible(text)) n++;
  return n;
}

/**
 * Wrap one line at `width` columns between words, never inside one; continuation lines get
 * `hang` (spaces) before them. A word longer than the line (a long path) gets a line of its own,
 * unbroken: a terminal folds it, but it stays one word to copy.
 */
export function wrapLine(line: string, width: number, hang = ''): string[] {
  if (columnsOf(line) <= width) return [line];
  const lead = /^ */.exec(line)![0];
  return wrapAfter(lead, line.slice(lead.length), width, hang);
}

/**
 * Wrap `text` after `prefix` (kept as it is, spaces and all: a table's first column) at `width`
 * columns between words; continuation lines start with `hang`.
 */
export function wrapAfter(prefix: string, text: string, width: number, hang: string): string[] {
  const words = text.split(/ +/).filter((w) => w !== '');
  const out: string[] = [];
  let current = prefix;
  let currentWidth = columnsOf(prefix);
  let empty = true;
  for (const word of words) {
    const w = columnsOf(word);
    if (!empty && currentWidth + 1 + w > width) {
      out.push(current);
      current = hang + word;
      currentWidth = hang.length + w;
      continue;
    }
    current += (empty ? '' : ' ') + word;
    currentWidth += (empty ? 0 : 1) + w;
    empty = false;
  }
  out.push(current);
  return out;
}

/** Wrap every line of a text (see wrapLine), continuing each with its own indentation plus `extra`. */
export function wrapText(text: string, width: number, extra = '  '): string {
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line, width, /^ */.exec(line)![0] + extra))
    .join('\n');
}
