import type { CheckReport, Finding } from './types.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatPaths(finding: Finding): string | null {
  if (finding.paths === undefined || finding.paths.length === 0) return null;
  if (finding.paths.length === 1 && finding.file.endsWith(finding.paths[0]!)) return null;
  const total = finding.totalPaths ?? finding.paths.length;
  const more = total > finding.paths.length ? ` (and ${total - finding.paths.length} more)` : '';
  return `  paths: ${finding.paths.join(', ')}${more}`;
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
    lines.push(`${where}: ${finding.severity} ${finding.rule}: ${finding.message}`);
    lines.push(`  fix: ${finding.fix}`);
    const paths = formatPaths(finding);
    if (paths !== null) lines.push(paths);
  }
  const { errors, warnings, infos } = report.summary;
  if (lines.length > 0) lines.push('');
  lines.push(
    errors + warnings + infos === 0
      ? 'no problems found'
      : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}`,
  );
  return lines.join('\n') + '\n';
}
