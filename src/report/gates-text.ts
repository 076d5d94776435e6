/** The plain-text parts of the CI report: gates, growth since the baseline, and compose projects. */
import path from 'node:path';
import type { BaselineComparison, PathChange } from '../gates/baseline.js';
import { formatPercent, formatSize, gatesPassed, type ComposeOutcome, type GateResult } from '../gates/gates.js';
import { formatGrowth, shownPath } from './markdown.js';
import { number } from './numbers.js';
import { paint, PLAIN, wrapLine, type Style } from './style.js';


function signed(bytes: number): string {
  return `${bytes >= 0 ? '+' : '-'}${formatSize(Math.abs(bytes))}`;
}

function align(rows: string[][], right: boolean[], indent = '  '): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows
    .map((r) => indent + r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

/** `Gates` section: one line per gate, failures first marked FAIL. */
export function formatGatesText(gates: GateResult[], indent = '  ', style: Style = PLAIN): string {
  if (gates.length === 0) return '';
  const lines = [paint(style, 'heading', 'Gates')];
  for (const g of gates) {
    const mark = g.passed ? paint(style, 'ok', 'ok  ') : paint(style, 'fail', 'FAIL');
    lines.push(...wrapLine(`${indent}${mark}  ${g.message}`, style.width, `${indent}      `));
  }
  return lines.join('\n') + '\n';
}

function changeLines(changes: PathChange[], indent: string): string[] {
  return align(
    changes.map((c) => [
      `${c.exact ? '' : '≥ '}${signed(c.delta)}`,
      c.path + (c.type === 'dir' ? '/' : ''),
      `(${c.exact ? '' : '≤ '}${formatSize(c.before)} → ${formatSize(c.after)})`,
    ]),
    [true, false, false],
    indent,
  ).split('\n');
}

/** `Since the baseline` section: totals, then the paths that grew and shrank the most. */
export function formatGrowthText(growth: BaselineComparison, cwd: string): string {
  const c = growth.context;
  const pct = c.bytesPercent === null ? 'from nothing' : formatGrowth(c.bytesPercent, c.bytesDelta);
  const lines = [`Since the baseline ${shownPath(path.resolve(cwd, growth.file), cwd)}`];
  lines.push(
    `  context    ${formatSize(c.bytesBefore)} → ${formatSize(c.bytesAfter)} (${signed(c.bytesDelta)}, ${pct}), ` +
      `files ${number.format(c.filesBefore)} → ${number.format(c.filesAfter)} (${c.filesDelta >= 0 ? '+' : ''}${number.format(c.filesDelta)})`,
  );
  if (growth.effective) {
    const e = growth.effective;
    lines.push(`  effective  ${formatSize(e.bytesBefore)} → ${formatSize(e.bytesAfter)} (${signed(e.bytesDelta)})`);
  }
  for (const note of growth.notes) lines.push(`  note: ${note}`);
  if (growth.grew.length > 0) {
    lines.push('  Grew the most:');
    lines.push(...changeLines(growth.grew, '    '));
  }
  if (growth.shrank.length > 0) {
    lines.push('  Shrank the most:');
    lines.push(...changeLines(growth.shrank.slice(0, 5), '    '));
  }
  return lines.join('\n') + '\n';
}

/** The plain-text report of a Compose project: one row per service, then failures and notes. */
export function formatComposeText(outcome: ComposeOutcome, cwd: string, style: Style = PLAIN): string {
  const lines: string[] = [];
  const files = outcome.project.files.map((f) => shownPath(f, cwd)).join(' + ');
  const builder = outcome.builder === 'buildkit' ? 'BuildKit' : 'classic builder';
  lines.push(`Compose project ${files} (${builder}): ${outcome.services.length} service${outcome.services.length === 1 ? '' : 's'}`);
  lines.push('');
  const withGrowth = outcome.services.some((s) => s.growth !== null);
  const header = ['service', 'context', 'Dockerfile', 'files', 'sent', 'kept out', ...(withGrowth ? ['growth'] : []), 'gates'];
  const right = [false, false, false, true, true, true, ...(withGrowth ? [true] : []), false];
  const rows = outcome.services.map((s) => {
    const svc = s.service;
    const r = s.report;
    const growth = s.growth === null ? '-' : s.growth.context.bytesPercent === null ? 'from nothing' : formatGrowth(s.growth.context.bytesPercent, s.growth.context.bytesDelta);
    // A note in the gates column (no build section, a remote context) is cut short: the whole note follows the table.
    const note = s.note !== null && s.note.length > 60 ? s.note.slice(0, s.note.lastIndexOf(' ', 59)) + ' …' : s.note;
    const state = s.error !== null ? 'error' : r === null ? (note ?? '-') : s.gates.length === 0 ? '-' : gatesPassed(s.gates) ? 'ok' : 'FAIL';
    return [
      svc.name + (svc.target !== null ? ` (${svc.target})` : ''),
      svc.contextText ?? (svc.image !== null ? `image ${svc.image}` : '-'),
      svc.dockerfileInline ? '(inline)' : (svc.dockerfileText ?? '-'),
      r === null ? '-' : number.format(r.context.files),
      r === null ? '-' : formatSize(r.context.bytes),
      r === null ? '-' : formatSize(r.excluded.bytes),
      ...(withGrowth ? [growth] : []),
      state,
    ];
  });
  lines.push(align([header, ...rows], right));
  const details: string[] = [];
  for (const s of outcome.services) {
    if (s.error !== null) details.push(`${paint(style, 'fail', 'ERROR')} ${s.service.name}: ${s.error}`);
    for (const g of s.gates) if (!g.passed) details.push(`${paint(style, 'fail', 'FAIL')}  ${s.service.name}: ${g.message}`);
    if (s.growth !== null && s.growth.grew.length > 0 && s.gates.some((g) => g.gate === 'max-growth' && !g.passed)) {
      details.push(`      ${s.service.name}: grew the most:`);
      details.push(...changeLines(s.growth.grew, '        '));
    }
    if (s.report !== null && s.report.warnings.length > 0) details.push(`${paint(style, 'dim', 'note')}  ${s.service.name}: ${s.report.warnings.length} path(s) could not be read (see --json)`);
    if (s.report === null && s.note !== null && s.note.length > 60) details.push(`${paint(style, 'dim', 'note')}  ${s.service.name}: ${s.note}`);
    if (s.report !== null && s.note !== null) details.push(`${paint(style, 'dim', 'note')}  ${s.service.name}: ${s.note}`);
  }
  for (const w of outcome.project.warnings) details.push(`${paint(style, 'dim', 'note')}  ${w}`);
  if (details.length > 0) {
    lines.push('');
    // Each failure or note wraps between words, continued under its text.
    for (const d of details) lines.push(...(d.startsWith('  ') ? [d] : wrapLine(d, style.width, '      ')));
  }
  return lines.join('\n') + '\n';
}
