/** Text and Markdown renderings of a {@link CacheReport}. */
import { formatSize as formatBytes } from '../gates/gates.js';
import type { CacheReport, CacheStep } from './index.js';
import type { Cause } from './rebuild.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function inputsText(step: CacheStep): string {
  if (step.inputs === null) return '-';
  return `${plural(step.inputs.files, 'file')}, ${formatBytes(step.inputs.bytes)}`;
}

function causeText(cause: Cause | null | undefined): string {
  if (!cause) return '';
  switch (cause.type) {
    case 'file':
      return `${cause.path} changed`;
    case 'dockerfile':
      return `Dockerfile line ${cause.line} changed`;
    case 'step':
      return `after line ${cause.line}`;
    case 'stage':
      return `stage ${cause.stage} rebuilds`;
  }
}

function rebuildText(step: CacheStep): string {
  if (step.rebuilds === undefined) return '';
  if (step.rebuilds === false) return 'cached';
  return `${step.rebuilds === true ? 'REBUILDS' : 'maybe'} (${causeText(step.cause)})`;
}

/** The one-sentence summary of a comparison. */
export function sinceSummary(report: CacheReport): string | null {
  const since = report.since;
  if (!since) return null;
  const read = since.changed.filter((c) => c.status === 'read');
  const parts: string[] = [];
  const changedCount = since.changed.length;
  let head = `${plural(changedCount, 'file')} changed since ${since.ref}`;
  if (since.dockerfileChanged.length > 0) head += ' (the Dockerfile too)';
  if (read.length > 0) {
    const first = read[0]!;
    head += `: \`${first.path}\` invalidates \`${first.firstStep!.instruction}\` (line ${first.firstStep!.line})`;
    if (read.length > 1) head += ` and ${read.length - 1} more ${read.length === 2 ? 'file reaches' : 'files reach'} the build`;
  } else if (changedCount > 0 && since.dockerfileChanged.length === 0) {
    head += ', none of them read by the build';
  }
  parts.push(head);
  const total = report.steps.length;
  if (since.rebuilds === 0 && since.maybe === 0) parts.push(`all ${total} steps come from the cache`);
  else {
    const runs = report.steps.filter((s) => s.rebuilds === true && s.instruction.startsWith('RUN'));
    let text = `${since.rebuilds} of ${total} steps rebuild`;
    if (since.maybe > 0) text += ` (${since.maybe} more maybe)`;
    if (since.stages.length > 1 || (since.stages.length === 1 && report.steps.some((s) => s.stage !== since.stages[0]))) {
      text += ` in stage${since.stages.length === 1 ? '' : 's'} ${since.stages.join(', ')}`;
    }
    if (runs.length > 0) text += `, including \`${truncate(runs[0]!.instruction, 50)}\` (line ${runs[0]!.line})`;
    parts.push(text);
  }
  return parts.join('; ');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** The human report. */
export function formatCacheText(report: CacheReport): string {
  const out: string[] = [];
  out.push(`${report.dockerfile}, target ${report.target} (${report.platform}): ${plural(report.steps.length, 'step')} in build order`);
  out.push('(cache keys use file content and mode, not modification times: a fresh clone reuses the cache)');
  out.push('');
  for (const step of report.steps) {
    out.push(`  ${step.vertex} line ${step.line}: ${truncate(step.instruction, 60)}`);
    const details: string[] = [];
    if (step.inputs !== null) {
      details.push(`reads ${inputsText(step)}`);
      const d = step.dependents;
      details.push(`a change rebuilds ${plural(d.steps, 'later step')}${d.maybe > 0 ? ` (+${d.maybe} maybe)` : ''}${d.stages.length > 0 ? `, stages ${d.stages.join(', ')}` : ''}`);
    }
    if (step.rebuilds !== undefined) details.push(rebuildText(step));
    if (step.history && report.history) {
      const h = step.history;
      let text = `rebuilt in ${h.rebuilt} of ${report.history.commits} commits${h.maybe > 0 ? ` (+${h.maybe} maybe)` : ''}`;
      if (h.causes.length > 0) text += `, most by ${h.causes.slice(0, 3).map((c) => `${c.path} (${c.commits})`).join(', ')}`;
      details.push(text);
    }
    if (details.length > 0) out.push(`      ${details.join('; ')}`);
  }
  const summary = sinceSummary(report);
  if (summary !== null) {
    out.push('', summary + '.');
    const since = report.since!;
    for (const change of since.changed.slice(0, 20)) {
      const what =
        change.status === 'read'
          ? `invalidates ${change.firstStep!.instruction.slice(0, 50)} (line ${change.firstStep!.line})`
          : change.status === 'ignored'
            ? 'kept out by the ignore file'
            : 'read by no step';
      out.push(`  ${change.path}: ${what}`);
    }
    if (since.changed.length > 20) out.push(`  … and ${since.changed.length - 20} more`);
    if (since.unknown.length > 0) {
      out.push(`  note: git ignores ${plural(since.unknown.length, 'path')} the build reads (${since.unknown.slice(0, 3).join(', ')}): git cannot tell whether they changed`);
    }
  }
  const candidates = ignoreCandidates(report);
  if (candidates.length > 0) {
    out.push('', 'Files that bust a broad COPY most often (review: if no step needs them, .dockerignore them):');
    for (const c of candidates) out.push(`  ${c.path} changed in ${c.commits} commits and invalidated \`${c.step}\` (line ${c.line}) each time`);
  }
  for (const fix of report.fixes) {
    out.push('');
    out.push(`Fix: \`${truncate(fix.install.instruction, 50)}\` (line ${fix.install.line}, ${fix.toolName}) follows \`${fix.copy.instruction}\` (line ${fix.copy.line})`);
    if (fix.benefit) {
      out.push(`  \`${truncate(fix.install.instruction, 40)}\` would have rebuilt in ${fix.benefit.after} of ${fix.benefit.commits} commits instead of ${fix.benefit.before}`);
    }
    if (fix.diff) out.push(...fix.diff.trimEnd().split('\n').map((l) => '  ' + l));
    for (const reason of fix.reasons) out.push(`  review: ${reason}`);
    if (fix.diff) out.push(fix.writable ? '  (--write applies it)' : '  (shown, not written: see the review lines)');
    if (fix.cacheMount) out.push(`  also: a cache mount keeps downloads between rebuilds: ${fix.cacheMount}`);
  }
  for (const note of report.notes) out.push('', `note: ${note}`);
  return out.join('\n') + '\n';
}

/** Files that, over the history, most often started the rebuild of a step that reads a whole directory. */
export function ignoreCandidates(report: CacheReport): { path: string; commits: number; step: string; line: number }[] {
  if (!report.history) return [];
  const out: { path: string; commits: number; step: string; line: number }[] = [];
  const seen = new Set<string>();
  for (const step of report.steps) {
    if (!step.history || step.inputs === null) continue;
    // Only steps that copy a directory: a file named on its own is needed by the build.
    if (!step.sources.some((s) => s === '.' || !/\.[^/]+$/.test(s))) continue;
    for (const cause of step.history.causes.slice(0, 3)) {
      if (seen.has(cause.path) || cause.path.startsWith('(')) continue;
      if (/(^|\/)(package(-lock)?\.json|yarn\.lock|pnpm-lock\.yaml|go\.(mod|sum)|Cargo\.(toml|lock)|requirements[^/]*\.txt|pyproject\.toml|poetry\.lock|uv\.lock|Pipfile(\.lock)?|Gemfile(\.lock)?|pom\.xml|composer\.(json|lock)|build\.gradle(\.kts)?)$/.test(cause.path)) continue;
      if (!/(^|\/)(README[^/]*|CHANGELOG[^/]*|[^/]*\.md|docs\/.*|\.github\/.*|LICENSE[^/]*)$/i.test(cause.path)) continue;
      seen.add(cause.path);
      out.push({ path: cause.path, commits: cause.commits, step: step.instruction, line: step.line });
    }
  }
  return out.slice(0, 5);
}

/** The Markdown report (for a pull request comment or a job summary). */
export function formatCacheMarkdown(report: CacheReport): string {
  const out: string[] = [];
  out.push(`### Build cache: \`${report.dockerfile}\` (target \`${report.target}\`)`, '');
  const summary = sinceSummary(report);
  if (summary !== null) out.push(summary + '.', '');
  const withSince = report.since !== undefined;
  const withHistory = report.history !== undefined;
  const header = ['Step', 'Line', 'Instruction', 'Inputs', ...(withSince ? ['Rebuilds'] : []), ...(withHistory ? [`Rebuilt in ${report.history!.commits} commits`] : [])];
  out.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  for (const step of report.steps) {
    const row = [step.vertex, String(step.line), '`' + cell(truncate(step.instruction, 60)) + '`', inputsText(step)];
    if (withSince) row.push(cell(rebuildText(step)));
    if (withHistory) row.push(step.history ? `${step.history.rebuilt}${step.history.maybe ? ` (+${step.history.maybe} maybe)` : ''}` : '');
    out.push(`| ${row.join(' | ')} |`);
  }
  for (const fix of report.fixes) {
    out.push('', `**Fix** (${fix.toolName}): \`${cell(fix.install.instruction)}\` (line ${fix.install.line}) follows \`${cell(fix.copy.instruction)}\` (line ${fix.copy.line}).`);
    if (fix.benefit) out.push(`It would have rebuilt in ${fix.benefit.after} of ${fix.benefit.commits} commits instead of ${fix.benefit.before}.`);
    if (fix.diff) out.push('', '```diff', fix.diff.trimEnd(), '```');
    for (const reason of fix.reasons) out.push(`- review: ${reason}`);
    if (fix.cacheMount) out.push(`- a cache mount keeps downloads between rebuilds: \`${fix.cacheMount}\``);
  }
  out.push('', '_Cache keys use file content and mode, not modification times._');
  return out.join('\n') + '\n';
}
