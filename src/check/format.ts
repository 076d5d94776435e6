import path from 'node:path';
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
export function formatCheckReport(report: CheckReport): string {
  const lines: string[] = [];
  let previous: string | null = null;
  for (const finding of report.findings) {
    if (previous !== null && finding.file !== previous) lines.push('');
    previous = finding.file;
    const where = finding.line > 0 ? `${finding.file}:${finding.line}` : finding.file;
    lines.push(escapeControl(`${where}: ${finding.severity} ${finding.rule}: ${finding.message}`));
    lines.push(`  fix: ${escapeControl(finding.fix)}`);
    if (finding.evidence !== undefined) lines.push(`  evidence: ${escapeControl(finding.evidence)}`);
    const paths = formatPaths(finding);
    if (paths !== null) lines.push(paths);
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
    lines.push(`also checked: ${names.join(', ')}, ${others.length === 1 ? 'which reads' : 'which read'} the same ignore file`);
  }
  lines.push(
    (errors + warnings + infos === 0
      ? 'no problems found'
      : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}`) + (suppressed > 0 ? ` (${suppressed} suppressed)` : ''),
  );
  return lines.join('\n') + '\n';
}
