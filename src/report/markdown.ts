/**
 * The Markdown summary: GitHub-flavoured tables fit for a pull-request comment or a workflow step
 * summary (sizes, files, what is kept out, gates with ✅/❌, growth since the baseline, largest paths).
 */
import path from 'node:path';
import { displayPath } from './display-path.js';
import type { BaselineComparison, PathChange } from '../gates/baseline.js';
import { effectiveCounts, formatPercent, formatSize, gatesPassed, type ComposeOutcome, type GateResult, type MeasureOutcome, type ServiceOutcome } from '../gates/gates.js';
import type { MeasureReport } from '../measure/measure.js';
import { number } from './numbers.js';


/** A path as the user would type it from `cwd` (absolute when outside it). */
export function shownPath(file: string | null, cwd: string): string {
  return file === null ? 'none' : displayPath(cwd, file);
}

/** Text safe in a table cell: pipes escaped, line breaks and Markdown punctuation neutralised. */
export function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/([\\`*_[\]<>|#~])/g, '\\$1');
}

/** A code span that survives any content, inside a table cell too. */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  let fence = '`';
  while (flat.includes(fence)) fence += '`';
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat.replace(/\|/g, '\\|')}${pad}${fence}`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function tableLines(header: string[], align: ('l' | 'r' | 'c')[], rows: string[][]): string[] {
  return [
    row(header),
    row(align.map((a) => (a === 'r' ? '---:' : a === 'c' ? ':---:' : '---'))),
    ...rows.map(row),
  ];
}

const SCOPE: Record<GateResult['scope'], string> = { context: 'context', effective: 'effective context' };
const GATE: Record<GateResult['gate'], string> = { 'max-size': 'size', 'max-files': 'files', 'max-growth': 'growth' };

function measured(gate: GateResult): string {
  if (gate.gate === 'max-size') return formatSize(gate.actual ?? 0);
  if (gate.gate === 'max-files') return number.format(gate.actual ?? 0);
  const delta = (gate.currentBytes ?? 0) - (gate.baselineBytes ?? 0);
  const pct = gate.actual === null ? 'from nothing' : formatGrowth(gate.actual, delta);
  return `${pct} (${delta >= 0 ? '+' : '-'}${formatSize(Math.abs(delta))})`;
}

/**
 * How far a failed gate is over. Growth is measured in percent of the baseline, so its excess is
 * in percentage points (18.8% against a limit of 10% is 8.8 points over), with the bytes beyond
 * the allowed size; a size or file count is over by an amount, and that amount's share of the limit.
 */
export function overBy(gate: GateResult): string {
  if (gate.passed) return '—';
  if (gate.gate === 'max-growth') {
    const points = gate.actual === null ? null : Math.round((gate.actual - gate.limit) * 10) / 10;
    const bytes = `${formatSize(gate.over)} over the allowed ${formatSize(gate.allowedBytes ?? 0)}`;
    return points === null ? bytes : `${points < 0.1 ? '<0.1' : points} points (${bytes})`;
  }
  const pct = gate.overPercent === null ? '' : ` (${formatPercent(gate.overPercent)} of the limit)`;
  if (gate.gate === 'max-files') return `${number.format(gate.over)} files${pct}`;
  return `${formatSize(gate.over)}${pct}`;
}

/**
 * A growth in percent with its sign. Growth is rounded, so a change of a few bytes in a large
 * context rounds to 0: it reads `<0.1%` then, as everywhere else, never `0%` beside `+12 B`.
 */
export function formatGrowth(percentValue: number, deltaBytes: number): string {
  if (deltaBytes !== 0 && Math.abs(percentValue) < 0.1) return deltaBytes > 0 ? '+<0.1%' : '-<0.1%';
  return `${percentValue >= 0 ? '+' : ''}${formatPercent(percentValue)}`;
}

/**
 * A Mermaid pie of what the builder sends, by top-level entry (GitHub draws it in PR comments and
 * step summaries): the seven largest, the rest as one slice. Null when nothing is sent.
 */
export function contextPie(report: MeasureReport): string[] | null {
  const entries = (report.byTopLevel ?? []).filter((e) => e.contextBytes > 0).sort((a, b) => b.contextBytes - a.contextBytes);
  if (entries.length === 0 || report.context.bytes === 0) return null;
  const shown = entries.slice(0, 7);
  const rest = report.context.bytes - shown.reduce((n, e) => n + e.contextBytes, 0);
  const label = (text: string): string => JSON.stringify(text.replace(/["\r\n]/g, ' ').replace(/[#;]/g, ' '));
  return [
    '```mermaid',
    `pie title Sent to the builder by top-level entry (${formatSize(report.context.bytes)})`,
    ...shown.map((e) => `    ${label(e.path + (e.type === 'dir' ? '/' : ''))} : ${e.contextBytes}`),
    ...(rest > 0 ? [`    ${label('everything else')} : ${rest}`] : []),
    '```',
  ];
}

function limitText(gate: GateResult): string {
  return cell(gate.gate === 'max-growth' && !gate.limitText.endsWith('%') ? `${gate.limitText}%` : gate.limitText);
}

function gateTable(gates: GateResult[]): string[] {
  return tableLines(
    ['gate', 'limit', 'measured', 'over by', 'result'],
    ['l', 'r', 'r', 'r', 'c'],
    gates.map((g) => [`${SCOPE[g.scope]} ${GATE[g.gate]}`, limitText(g), measured(g), overBy(g), g.passed ? '✅' : '❌']),
  );
}

function signed(bytes: number): string {
  return `${bytes >= 0 ? '+' : '-'}${formatSize(Math.abs(bytes))}`;
}

function growthLine(growth: BaselineComparison, cwd: string): string {
  const c = growth.context;
  const pct = c.bytesPercent === null ? 'from nothing' : formatGrowth(c.bytesPercent, c.bytesDelta);
  let line =
    `Since the baseline ${code(shownPath(path.resolve(cwd, growth.file), cwd))}: context ${formatSize(c.bytesBefore)} → ${formatSize(c.bytesAfter)} ` +
    `(${signed(c.bytesDelta)}, ${pct}), files ${number.format(c.filesBefore)} → ${number.format(c.filesAfter)} (${c.filesDelta >= 0 ? '+' : ''}${number.format(c.filesDelta)})`;
  if (growth.effective) {
    const e = growth.effective;
    line += `; effective context ${formatSize(e.bytesBefore)} → ${formatSize(e.bytesAfter)} (${signed(e.bytesDelta)})`;
  }
  return line + '.';
}

function changeRows(changes: PathChange[]): string[][] {
  return changes.map((c) => [
    code(c.path + (c.type === 'dir' ? '/' : '')),
    c.exact ? formatSize(c.before) : `≤ ${formatSize(c.before)}`,
    formatSize(c.after),
    `${c.exact ? '' : '≥ '}${signed(c.delta)}`,
  ]);
}

function status(item: MeasureReport['largest'][number]): string {
  if (item.excluded) return item.contextBytes > 0 ? `excluded (${formatSize(item.contextBytes)} sent)` : 'excluded';
  return item.contextBytes < item.bytes ? `sent (${formatSize(item.bytes - item.contextBytes)} kept out)` : 'sent';
}

function percentOf(part: number, whole: number): string {
  return whole === 0 ? '0%' : formatPercent((part / whole) * 100);
}

function icon(gates: GateResult[]): string {
  return gates.length === 0 ? '' : gatesPassed(gates) ? '✅ ' : '❌ ';
}

/** The Markdown summary of one measurement. */
export function formatMeasureMarkdown(outcome: MeasureOutcome, cwd: string): string {
  const { report, gates, growth } = outcome;
  const lines: string[] = [];
  lines.push(`### ${icon(gates)}ctxsize: build context ${code(shownPath(report.root, cwd))}`);
  lines.push('');
  lines.push(
    `${report.builder === 'buildkit' ? 'BuildKit' : 'classic builder'} · Dockerfile ${report.dockerfile === null ? 'none' : code(shownPath(report.dockerfile, cwd))}` +
      ` · ignore file ${report.ignoreFile === null ? 'none' : code(shownPath(report.ignoreFile, cwd))}`,
  );
  lines.push('');
  const rows: string[][] = [
    ['whole directory', number.format(report.all.files), formatSize(report.all.bytes)],
    ['**sent to the builder**', `**${number.format(report.context.files)}**`, `**${formatSize(report.context.bytes)}**`],
  ];
  const effective = effectiveCounts(report);
  if (effective !== null) rows.push(['effective (used by the Dockerfile)', number.format(effective.files), formatSize(effective.bytes)]);
  rows.push(['kept out', number.format(report.excluded.files), `${formatSize(report.excluded.bytes)} (${percentOf(report.excluded.bytes, report.all.bytes)})`]);
  lines.push(...tableLines(['', 'files', 'size'], ['l', 'r', 'r'], rows));
  if (gates.length > 0) {
    lines.push('');
    lines.push(...gateTable(gates));
  }
  if (growth) {
    lines.push('');
    lines.push(growthLine(growth, cwd));
    for (const note of growth.notes) lines.push(`> ⚠️ ${cell(note)}`);
    if (growth.grew.length > 0) {
      lines.push('');
      lines.push('**Grew the most since the baseline**');
      lines.push('');
      lines.push(...tableLines(['path', 'baseline', 'now', 'change'], ['l', 'r', 'r', 'r'], changeRows(growth.grew)));
    }
  }
  const pie = contextPie(report);
  if (pie !== null) {
    lines.push('');
    lines.push(...pie);
  }
  if (report.largest.length > 0) {
    lines.push('');
    lines.push('**Largest paths**');
    lines.push('');
    lines.push(
      ...tableLines(
        ['path', 'size', 'in the context'],
        ['l', 'r', 'l'],
        report.largest.map((item) => [code(item.path + (item.type === 'dir' ? '/' : '')), formatSize(item.bytes), status(item)]),
      ),
    );
  }
  if (report.warnings.length > 0) {
    lines.push('');
    lines.push(`> ⚠️ ${report.warnings.length} path${report.warnings.length === 1 ? '' : 's'} could not be read (see \`ctxsize --json\`).`);
  }
  return lines.join('\n') + '\n';
}

function serviceGates(s: ServiceOutcome): string {
  if (s.error !== null) return `⚠️ ${cell(s.error)}`;
  if (s.report === null) return s.note === null ? '—' : cell(s.note);
  if (s.gates.length === 0) return '—';
  return gatesPassed(s.gates) ? '✅' : `❌ ${s.gates.filter((g) => !g.passed).map((g) => `${SCOPE[g.scope]} ${GATE[g.gate]}`).join(', ')}`;
}

/** The Markdown summary of a Compose project: one row per service. */
export function formatComposeMarkdown(outcome: ComposeOutcome, cwd: string): string {
  const all = outcome.services.flatMap((s) => s.gates);
  const lines: string[] = [];
  const files = outcome.project.files.map((f) => code(shownPath(f, cwd))).join(' + ');
  lines.push(`### ${icon(all)}ctxsize: compose project ${files}`);
  lines.push('');
  const measured = outcome.services.filter((s) => s.report !== null).length;
  lines.push(`${outcome.builder === 'buildkit' ? 'BuildKit' : 'classic builder'} · ${outcome.services.length} service${outcome.services.length === 1 ? '' : 's'}, ${measured} measured`);
  lines.push('');
  const withGrowth = outcome.services.some((s) => s.growth !== null);
  const header = ['service', 'context', 'Dockerfile', 'files sent', 'size sent', 'kept out', ...(withGrowth ? ['growth'] : []), 'gates'];
  const align: ('l' | 'r' | 'c')[] = ['l', 'l', 'l', 'r', 'r', 'r', ...(withGrowth ? (['r'] as const) : []), 'l'];
  const rows = outcome.services.map((s) => {
    const r = s.report;
    const svc = s.service;
    const dockerfile = svc.dockerfileInline ? '(inline)' : svc.dockerfileText === null ? '—' : code(svc.dockerfileText);
    const context = svc.contextText === null ? (svc.image === null ? '—' : `image ${code(svc.image)}`) : code(svc.contextText);
    const growth = s.growth === null ? '—' : s.growth.context.bytesPercent === null ? 'from nothing' : formatGrowth(s.growth.context.bytesPercent, s.growth.context.bytesDelta);
    return [
      code(svc.name) + (svc.target !== null ? ` (target ${code(svc.target)})` : ''),
      context,
      dockerfile,
      r === null ? '—' : number.format(r.context.files),
      r === null ? '—' : formatSize(r.context.bytes),
      r === null ? '—' : `${formatSize(r.excluded.bytes)} (${percentOf(r.excluded.bytes, r.all.bytes)})`,
      ...(withGrowth ? [growth] : []),
      serviceGates(s),
    ];
  });
  lines.push(...tableLines(header, align, rows));
  const failed = outcome.services.flatMap((s) => s.gates.filter((g) => !g.passed).map((g) => `- ❌ ${code(s.service.name)}: ${cell(g.message)}`));
  if (failed.length > 0) {
    lines.push('');
    lines.push('**Failed gates**');
    lines.push('');
    lines.push(...failed);
  }
  const grew = outcome.services.filter((s) => s.growth !== null && s.growth.grew.length > 0 && !gatesPassed(s.gates.filter((g) => g.gate === 'max-growth')));
  for (const s of grew) {
    lines.push('');
    lines.push(`**${cell(s.service.name)}: grew the most since the baseline**`);
    lines.push('');
    lines.push(...tableLines(['path', 'baseline', 'now', 'change'], ['l', 'r', 'r', 'r'], changeRows(s.growth!.grew)));
  }
  return lines.join('\n') + '\n';
}
