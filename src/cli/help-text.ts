import { wrapAfter, wrapLine } from '../report/style.js';

/** Help texts fit a terminal of this width. */
export const HELP_WIDTH = 80;

/**
 * Fit a help text to `width` columns, reflowing only what is too wide: a prose paragraph (lines
 * of one indentation) is rewrapped as a whole; a row of an option or example table (text, two
 * spaces or more, a description) has its description rewrapped under its own column, together
 * with the lines that already continue it there. Everything that fits is left as written.
 */
export function fitHelp(text: string, width = HELP_WIDTH): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const row = /^( +\S(?:.*?\S)? {2,})(\S.*)$/.exec(line);
    if (row) {
      const column = row[1]!.length;
      const parts = [row[2]!];
      let j = i + 1;
      while (j < lines.length && /^ +\S/.test(lines[j]!) && /^ */.exec(lines[j]!)![0].length === column) parts.push(lines[j++]!.trim());
      const block = lines.slice(i, j);
      if (block.some((l) => l.length > width)) out.push(...wrapAfter(row[1]!, parts.join(' '), width, ' '.repeat(column)));
      else out.push(...block);
      i = j;
      continue;
    }
    if (line.trim() === '') {
      out.push(line);
      i++;
      continue;
    }
    const indent = /^ */.exec(line)![0];
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() !== '' && /^ */.exec(lines[j]!)![0] === indent && !/^( +\S(?:.*?\S)? {2,})(\S.*)$/.test(lines[j]!)) j++;
    const block = lines.slice(i, j);
    if (block.some((l) => l.length > width)) out.push(...wrapLine(indent + block.map((l) => l.trim()).join(' '), width, indent));
    else out.push(...block);
    i = j;
  }
  return out.join('\n');
}
