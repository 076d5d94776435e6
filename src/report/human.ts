import { filesize } from 'filesize';
import { displayPath } from '../display-path.js';
import type { MeasureReport } from '../measure.js';
import { number } from './numbers.js';
import { escapeControl } from '../input/escape.js';

/** Human sizes everywhere in ctxsize (SI units, as `docker` prints them). */
export function humanSize(bytes: number): string {
  return filesize(bytes, { round: 1 }) as string;
}


function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** A plain text table; the first column is left-aligned, the others right-aligned. */
export function table(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => indent + row.map((cell, i) => pad(cell, widths[i]!, i > 0)).join('  ').trimEnd())
    .join('\n');
}

export function percent(part: number, whole: number): string {
  if (whole === 0) return '0%';
  const value = (part / whole) * 100;
  return `${value >= 10 || value === 0 ? value.toFixed(0) : value.toFixed(1)}%`;
}

function shown(file: string | null, cwd: string): string {
  return file === null ? 'none' : displayPath(cwd, file);
}

/** The human report of `ctxsize [DIR]`. */
export function formatMeasure(report: MeasureReport, cwd: string): string {
  const lines: string[] = [];
  const builder = report.builder === 'buildkit' ? 'BuildKit' : report.builder === 'buildah' ? 'Podman/Buildah' : 'classic builder';
  lines.push(`Build context ${shown(report.root, cwd)} (${builder})`);
  lines.push(`  Dockerfile:   ${shown(report.dockerfile, cwd)}`);
  lines.push(`  ignore file:  ${shown(report.ignoreFile, cwd)}`);
  lines.push('');
  const row = (label: string, c: MeasureReport['all']): string[] => [
    label,
    number.format(c.files),
    number.format(c.dirs),
    number.format(c.symlinks + c.other),
    humanSize(c.bytes),
  ];
  lines.push(
    table([
      ['', 'files', 'dirs', 'links+other', 'size'],
      row('whole directory', report.all),
      row('sent to builder', report.context),
      ...(report.effective && report.builder === 'buildkit' && report.effectiveScope !== 'whole'
        ? [row('used by Dockerfile', report.effective)]
        : []),
      [
        'kept out',
        number.format(report.excluded.files),
        '',
        '',
        `${humanSize(report.excluded.bytes)} (${percent(report.excluded.bytes, report.all.bytes)})`,
      ],
    ]),
  );
  if (report.largest.length > 0) {
    lines.push('');
    lines.push('Largest paths');
    lines.push(
      table(
        report.largest.map((item) => [
          humanSize(item.bytes),
          item.excluded
            ? item.contextBytes > 0
              ? `excluded (${humanSize(item.contextBytes)} sent)`
              : 'excluded'
            : item.contextBytes < item.bytes
              ? `sent (${humanSize(item.bytes - item.contextBytes)} kept out)`
              : 'sent',
          escapeControl(item.path) + (item.type === 'dir' ? '/' : ''),
        ]).map(([size, status, p]) => [p!, size!, status!]),
      ),
    );
  }
  if (report.effective && report.builder === 'buildkit') {
    lines.push('');
    lines.push(
      report.effectiveScope === 'whole'
        ? 'BuildKit transfers the whole context: the Dockerfile uses its root (COPY . or a bind mount).'
        : report.effectiveScope === 'none'
          ? 'BuildKit transfers nothing: no instruction of the target reads the context.'
          : `BuildKit transfers only what the Dockerfile uses: ${humanSize(report.effective.bytes)} in ${number.format(report.effective.files)} files.`,
    );
  }
  if (report.builder === 'buildah') {
    lines.push('');
    lines.push('Podman/Buildah: a local build reads COPY sources straight from this directory, through the');
    lines.push('ignore file; a remote Podman (podman machine on macOS and Windows) uploads all of "sent".');
  }
  for (const p of report.sourceProblems ?? []) {
    const why = p.problem === 'missing' ? 'matches nothing in the context' : `is excluded${p.excludedBy ? ` by ${JSON.stringify(p.excludedBy.pattern)} (${p.excludedBy.file}:${p.excludedBy.line})` : ''}`;
    lines.push(`  ! Dockerfile line ${p.line}: ${p.instruction} ${JSON.stringify(p.source)} ${why}: the build would fail`);
  }
  if (report.warnings.length > 0) {
    lines.push('');
    lines.push(`${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}:`);
    for (const w of report.warnings.slice(0, 20)) lines.push(`  ${escapeControl(w.path)}: ${escapeControl(w.message)}`);
    if (report.warnings.length > 20) lines.push(`  … and ${report.warnings.length - 20} more (see --json)`);
  }
  return lines.join('\n') + '\n';
}
