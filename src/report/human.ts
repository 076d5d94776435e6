import { filesize } from 'filesize';
import { displayPath } from './display-path.js';
import type { MeasureReport } from '../measure/measure.js';
import { number } from './numbers.js';
import { escapeControl } from '../input/escape.js';
import { paint, PLAIN, visible, wrapLine, type Style } from './style.js';
import { buildTree, walkTree, type TreeNode } from './tree.js';

/** Human sizes everywhere in ctxsize (SI units, as `docker` prints them). */
export function humanSize(bytes: number): string {
  return filesize(bytes, { round: 1 }) as string;
}



/**
 * A plain text table; the first column is left-aligned, the others right-aligned. Cells may be
 * painted: widths count what shows on screen.
 */
export function table(rows: string[][], indent = '  ', leftColumns = 1): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell).length)));
  return rows
    .map((row) => indent + row.map((cell, i) => padVisible(cell, widths[i]!, i >= leftColumns)).join('  ').trimEnd())
    .join('\n');
}

function padVisible(text: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - visible(text).length));
  return right ? fill + text : text + fill;
}

export function percent(part: number, whole: number): string {
  if (whole === 0) return '0%';
  const value = (part / whole) * 100;
  return `${value >= 10 || value === 0 ? value.toFixed(0) : value.toFixed(1)}%`;
}

function shown(file: string | null, cwd: string): string {
  return file === null ? 'none' : displayPath(cwd, file);
}

/** Options of the text report. */
export interface MeasureTextOptions {
  /** Rows of the tree: how many path levels below the root (default all). */
  depth?: number;
  /** Rows of the top-level table (default 10). */
  top?: number;
}

/** Cells of the tree's bar; the bar is the row's share of the whole directory. */
const BAR_WIDTH = 20;

/**
 * A bar of `BAR_WIDTH` cells for a share of the whole: `█` for the part the builder sends, `░` for
 * the part it keeps out (so the split reads without colour too), blank for the rest.
 */
export function shareBar(bytes: number, contextBytes: number, whole: number, style: Style = PLAIN): string {
  if (whole <= 0 || bytes <= 0) return ' '.repeat(BAR_WIDTH);
  const cells = Math.max(1, Math.round((bytes / whole) * BAR_WIDTH));
  let sent = Math.round((contextBytes / whole) * BAR_WIDTH);
  if (contextBytes > 0 && sent === 0) sent = 1;
  if (contextBytes < bytes && sent === cells) sent = cells - 1;
  sent = Math.max(0, Math.min(cells, sent));
  return paint(style, 'sent', '█'.repeat(sent)) + paint(style, 'excluded', '░'.repeat(cells - sent)) + ' '.repeat(BAR_WIDTH - cells);
}

/** Whether a part of the directory is sent, kept out, or split (with the smaller part's size). */
export function splitText(bytes: number, contextBytes: number, style: Style = PLAIN): string {
  if (contextBytes >= bytes) return paint(style, 'sent', 'sent');
  if (contextBytes === 0) return paint(style, 'excluded', 'kept out');
  return contextBytes * 2 >= bytes
    ? `${paint(style, 'sent', 'sent')}, ${humanSize(bytes - contextBytes)} ${paint(style, 'excluded', 'kept out')}`
    : `${paint(style, 'excluded', 'kept out')}, ${humanSize(contextBytes)} ${paint(style, 'sent', 'sent')}`;
}

function treePrefix(lasts: boolean[]): string {
  let out = '';
  // The roots have no connector: a column per level below them.
  for (let i = 1; i < lasts.length - 1; i++) out += lasts[i] ? '   ' : '│  ';
  return lasts.length > 1 ? out + (lasts[lasts.length - 1] ? '└─ ' : '├─ ') : '';
}

/** The tree of the largest paths: size, share of the whole directory (bar and percent), sent or kept out, path. */
export function formatTree(nodes: readonly TreeNode[], whole: number, style: Style = PLAIN): string {
  const rows: string[][] = [];
  for (const { node, lasts } of walkTree(nodes)) {
    rows.push([
      paint(style, 'size', humanSize(node.bytes)),
      percent(node.bytes, whole),
      shareBar(node.bytes, node.contextBytes, whole, style),
      splitText(node.bytes, node.contextBytes, style),
      paint(style, 'dim', treePrefix(lasts)) + escapeControl(node.label) + (node.type === 'dir' ? '/' : ''),
    ]);
  }
  // Size and percent right-aligned; the bar, the split and the path left-aligned.
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell).length)));
  return rows
    .map((row) => '  ' + row.map((cell, i) => (i === 4 ? cell : padVisible(cell, widths[i]!, i < 2))).join('  ').trimEnd())
    .join('\n');
}

/** Whole, sent and kept-out bytes of each top-level entry, heaviest first; the rest summed. */
export function formatTopLevel(report: MeasureReport, rowsShown: number, style: Style = PLAIN): string | null {
  const entries = report.byTopLevel;
  if (entries === undefined || entries.length === 0) return null;
  const size = (bytes: number): string => (bytes === 0 ? paint(style, 'dim', '-') : humanSize(bytes));
  const rows: string[][] = [[paint(style, 'heading', 'top level'), 'whole', 'sent', 'kept out', 'files sent']];
  const shown = entries.slice(0, rowsShown);
  for (const e of shown) {
    rows.push([
      escapeControl(e.path) + (e.type === 'dir' ? '/' : ''),
      paint(style, 'size', humanSize(e.bytes)),
      e.contextBytes > 0 ? paint(style, 'sent', humanSize(e.contextBytes)) : size(0),
      size(e.bytes - e.contextBytes),
      `${number.format(e.contextFiles)} of ${number.format(e.files)}`,
    ]);
  }
  const rest = entries.slice(rowsShown);
  const omitted = report.byTopLevelOmitted;
  const restCount = rest.length + (omitted?.entries ?? 0);
  if (restCount > 0) {
    const sum = (pick: (e: { bytes: number; contextBytes: number; files: number; contextFiles: number }) => number): number =>
      rest.reduce((n, e) => n + pick(e), 0) + (omitted ? pick(omitted) : 0);
    const bytes = sum((e) => e.bytes);
    const sent = sum((e) => e.contextBytes);
    rows.push([
      paint(style, 'dim', `${number.format(restCount)} more`),
      humanSize(bytes),
      sent > 0 ? paint(style, 'sent', humanSize(sent)) : size(0),
      size(bytes - sent),
      `${number.format(sum((e) => e.contextFiles))} of ${number.format(sum((e) => e.files))}`,
    ]);
  }
  return table(rows);
}

/** The human report of `ctxsize [DIR]`. */
export function formatMeasure(report: MeasureReport, cwd: string, style: Style = PLAIN, options: MeasureTextOptions = {}): string {
  const lines: string[] = [];
  const builder = report.builder === 'buildkit' ? 'BuildKit' : report.builder === 'buildah' ? 'Podman/Buildah' : 'classic builder';
  lines.push(`${paint(style, 'heading', 'Build context')} ${shown(report.root, cwd)} (${builder})`);
  lines.push(`  Dockerfile:   ${shown(report.dockerfile, cwd)}`);
  lines.push(`  ignore file:  ${shown(report.ignoreFile, cwd)}`);
  lines.push('');
  const whole = report.all.bytes;
  const row = (label: string, c: MeasureReport['all'], role: 'size' | 'sent' | 'effective'): string[] => [
    label,
    number.format(c.files),
    number.format(c.dirs),
    number.format(c.symlinks + c.other),
    paint(style, role, humanSize(c.bytes)),
    percent(c.bytes, whole),
  ];
  lines.push(
    table([
      ['', 'files', 'dirs', 'links+other', 'size', 'share'],
      row('whole directory', report.all, 'size'),
      row('sent to builder', report.context, 'sent'),
      ...(report.effective && report.builder === 'buildkit' && report.effectiveScope !== 'whole'
        ? [row('used by Dockerfile', report.effective, 'effective')]
        : []),
      [
        'kept out',
        number.format(report.excluded.files),
        '',
        '',
        paint(style, 'excluded', humanSize(report.excluded.bytes)),
        percent(report.excluded.bytes, whole),
      ],
    ]),
  );
  const tree = buildTree(report, { depth: options.depth });
  if (tree.length > 0) {
    lines.push('');
    lines.push(`${paint(style, 'heading', 'Where the bytes are')} (share of the whole directory; █ sent, ░ kept out)`);
    lines.push(formatTree(tree, whole, style));
  }
  const topLevel = formatTopLevel(report, options.top ?? 10, style);
  if (topLevel !== null) {
    lines.push('');
    lines.push(topLevel);
  }
  // Prose wraps at the width, between words; tables and the tree keep their rows.
  const say = (line: string, hang = '  '): void => {
    lines.push(...wrapLine(line, style.width, hang));
  };
  if (report.effective && report.builder === 'buildkit') {
    lines.push('');
    say(
      report.effectiveScope === 'whole'
        ? 'BuildKit transfers the whole context: the Dockerfile uses its root (COPY . or a bind mount).'
        : report.effectiveScope === 'none'
          ? 'BuildKit transfers nothing: no instruction of the target reads the context.'
          : `BuildKit transfers only what the Dockerfile uses: ${paint(style, 'effective', humanSize(report.effective.bytes))} in ${number.format(report.effective.files)} files.`,
    );
  }
  if (report.builder === 'buildah') {
    lines.push('');
    lines.push('Podman/Buildah: a local build reads COPY sources straight from this directory, through the');
    lines.push('ignore file; a remote Podman (podman machine on macOS and Windows) uploads all of "sent".');
  }
  for (const p of report.sourceProblems ?? []) {
    const why = p.problem === 'missing' ? 'matches nothing in the context' : `is excluded${p.excludedBy ? ` by ${JSON.stringify(p.excludedBy.pattern)} (${p.excludedBy.file}:${p.excludedBy.line})` : ''}`;
    say(`  ${paint(style, 'error', '!')} Dockerfile line ${p.line}: ${p.instruction} ${JSON.stringify(p.source)} ${why}: the build would fail`, '    ');
  }
  if (report.warnings.length > 0) {
    lines.push('');
    lines.push(paint(style, 'warning', `${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}:`));
    for (const w of report.warnings.slice(0, 20)) say(`  ${escapeControl(w.path)}: ${escapeControl(w.message)}`, '    ');
    if (report.warnings.length > 20) lines.push(`  … and ${report.warnings.length - 20} more (see --json)`);
  }
  return lines.join('\n') + '\n';
}
