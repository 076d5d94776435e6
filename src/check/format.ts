import path from 'node:path';
import { paint, PLAIN, wrapLine, type Style } from '../report/style.js';
import type { CheckReport, Finding } from './types.js';
import { escapeControl } from '../input/escape.js';

/** A Dockerfile as findings name it: relative to the context root when inside it. */
function displayFrom(report: CheckReport, file: string): string {
  const rel = path.relative(report.root, file).split(path.sep).join('/');
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatPaths(finding: Finding): string | null {
  if (finding.paths === undefined || finding.paths.length === 0) return null;
  if (finding.paths.length === 1 && finding.file.endsWith(finding.paths[0]!)) return null;
  const total = finding.totalPaths ?? finding.paths.length;
  const more = total > finding.paths.length ? ` (and ${total - finding.paths.length} more)` : '';
  return `  paths: ${finding.paths.map(escapeControl).join(', ')}${more}`;
}

/**
 * The human report: findings grouped by file, one `file:line: severity rule: message` line each
 * (no line number when the finding concerns the whole file), then its fix and affected paths,
 * then a one-line summary.
 */
export function formatCheckReport(report: CheckReport, style: Style = PLAIN): string {
  const lines: string[] = [];
  // Each line wraps at the width between words; its continuation is indented under its text.
  const say = (line: string, hang: string): void => {
    lines.push(...wrapLine(line, style.width, hang));
  };
  let previous: string | null = null;
  for (const finding of report.findings) {
    if (previous !== null && finding.file !== previous) lines.push('');
    previous = finding.file;
    const where = finding.line > 0 ? `${finding.file}:${finding.line}` : finding.file;
    const severity = paint(style, finding.severity, finding.severity);
    // Names and reasons are escaped before they are painted: the colours are ours, not the file system's.
    say(`${paint(style, 'path', escapeControl(where))}: ${severity} ${paint(style, 'dim', finding.rule)}: ${escapeControl(finding.message)}`, '  ');
    say(`  ${paint(style, 'dim', 'fix:')} ${escapeControl(finding.fix)}`, '       ');
    if (finding.evidence !== undefined) say(`  ${paint(style, 'dim', 'evidence:')} ${escapeControl(finding.evidence)}`, '            ');
    const paths = formatPaths(finding);
    if (paths !== null) say(paths, '         ');
  }
  const { errors, warnings, infos, suppressed } = report.summary;
  if (lines.length > 0) lines.push('');
  const others = report.dockerfiles.filter((d) => d.found !== 'given');
  if (others.length > 0) {
    // Say which other Dockerfiles were checked: their sources count, and findings name them.
    // One entry per Dockerfile, with the Compose services that build it.
    const byFile = new Map<string, string[]>();
    for (const d of others) {
      const services = byFile.get(d.dockerfile) ?? [];
      if (d.service !== undefined) services.push(d.service);
      byFile.set(d.dockerfile, services);
    }
    const names = [...byFile].map(([file, services]) =>
      displayFrom(report, file) + (services.length === 0 ? '' : ` (${services.length === 1 ? 'service' : 'services'} ${services.join(', ')})`),
    );
    say(`also checked: ${names.join(', ')}, ${others.length === 1 ? 'which reads' : 'which read'} the same ignore file`, '  ');
  }
  const count = (n: number, word: string, role: 'error' | 'warning' | 'info'): string =>
    n > 0 ? paint(style, role, plural(n, word)) : plural(n, word);
  lines.push(
    (errors + warnings + infos === 0
      ? paint(style, 'ok', 'no problems found')
      : `${count(errors, 'error', 'error')}, ${count(warnings, 'warning', 'warning')}, ${count(infos, 'info', 'info')}`) + (suppressed > 0 ? ` (${suppressed} suppressed)` : ''),
  );
  return lines.join('\n') + '\n';
}
