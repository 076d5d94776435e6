/** Human output of `ctxsize clean`: the plan (dry run) and the result of applying it. */
import { displayPath } from '../report/display-path.js';
import { humanSize, table } from '../report/human.js';
import { categoryTotals } from './plan.js';
import type { CleanResult, CleanWarning, ItemOutcome, ItemStatus, Plan, PlanItem, SkippedItem } from './types.js';
import { number } from '../report/numbers.js';
import { escapeControl } from '../input/escape.js';


const plural = (n: number, word: string, many = word + 's'): string => `${number.format(n)} ${n === 1 ? word : many}`;

/** The root as the user would type it from `cwd`. */
export function shownRoot(root: string, cwd: string): string {
  return displayPath(cwd, root);
}

const shownPath = (item: { path: string; kind: string }): string => escapeControl(item.path) + (item.kind === 'dir' ? '/' : '');

function groupByCategory<T extends PlanItem>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const { category } of categoryTotals(items)) groups.set(category, []);
  for (const item of items) groups.get(item.category)!.push(item);
  return groups;
}

function formatSkipped(skipped: readonly SkippedItem[], lines: string[]): void {
  if (skipped.length === 0) return;
  lines.push('');
  lines.push(`Left alone (${plural(skipped.length, 'match', 'matches')}):`);
  const shown = skipped.map((s) => escapeControl(s.path) + (s.kind === 'dir' ? '/' : s.kind === 'symlink' ? ' (link)' : ''));
  const width = Math.max(...shown.map((p) => p.length));
  skipped.forEach((s, i) => lines.push(`  ${shown[i]!.padEnd(width)}  ${escapeControl(s.reason)}`));
}

function formatWarnings(warnings: readonly CleanWarning[], lines: string[]): void {
  if (warnings.length === 0) return;
  lines.push('');
  lines.push(`${plural(warnings.length, 'warning')}:`);
  for (const w of warnings.slice(0, 20)) lines.push(`  ${escapeControl(w.path)}: ${escapeControl(w.message)}`);
  if (warnings.length > 20) lines.push(`  … and ${warnings.length - 20} more (see --json)`);
}

/** The dry run: every item with its size, grouped by category, what is left alone, and the total. */
export function formatPlan(plan: Plan, cwd: string, hint: string | null): string {
  const lines: string[] = [];
  lines.push(`Caches in ${shownRoot(plan.root, cwd)} (dry run: nothing is deleted)`);
  if (plan.items.length === 0) {
    lines.push('');
    lines.push('Nothing to clean.');
  }
  for (const [category, items] of groupByCategory(plan.items)) {
    const bytes = items.reduce((sum, item) => sum + item.bytes, 0);
    lines.push('');
    lines.push(`${category}: ${plural(items.length, 'item')}, ${humanSize(bytes)}`);
    lines.push(table(items.map((item) => [shownPath(item), plural(item.files, 'file'), humanSize(item.bytes)])));
  }
  formatSkipped(plan.skipped, lines);
  formatWarnings(plan.warnings, lines);
  lines.push('');
  lines.push(`Total: ${plural(plan.totals.items, 'item')} (${plural(plan.totals.files, 'file')}), ${humanSize(plan.totals.bytes)}`);
  if (hint !== null && plan.items.length > 0) lines.push(hint);
  return lines.join('\n') + '\n';
}

const STATUS_WORD: Record<ItemStatus, string> = {
  deleted: 'deleted',
  failed: 'FAILED',
  refused: 'refused',
  vanished: 'gone',
  ready: 'would delete',
};

/** The result of applying a plan (or of re-checking a saved one with nothing deleted). */
export function formatResult(result: CleanResult, cwd: string): string {
  const lines: string[] = [];
  lines.push(`Caches in ${shownRoot(result.root, cwd)}${result.dryRun ? ' (re-checked; nothing is deleted)' : ''}`);
  for (const [category, items] of groupByCategory<ItemOutcome>(result.items)) {
    lines.push('');
    lines.push(`${category}:`);
    const rows = items.map((item) => [
      STATUS_WORD[item.status],
      humanSize(item.status === 'deleted' || item.status === 'failed' ? item.freedBytes : item.bytes),
      shownPath(item) + (item.reason ? `  ${escapeControl(item.reason)}` : ''),
    ]);
    const statusWidth = Math.max(...rows.map((r) => r[0]!.length));
    const sizeWidth = Math.max(...rows.map((r) => r[1]!.length));
    for (const [status, size, what] of rows) lines.push(`  ${status!.padEnd(statusWidth)}  ${size!.padStart(sizeWidth)}  ${what}`);
  }
  formatSkipped(result.skipped, lines);
  lines.push('');
  const { counts } = result;
  if (result.dryRun) {
    lines.push(`Would delete ${plural(counts.ready, 'item')} of ${number.format(result.planned.items)}, ${humanSize(
      result.items.filter((i) => i.status === 'ready').reduce((sum, i) => sum + i.bytes, 0),
    )}.`);
  } else {
    lines.push(`Freed ${humanSize(result.freed.bytes)} (${plural(result.freed.files, 'file')}): ${number.format(counts.deleted)} of ${plural(result.planned.items, 'item')} deleted.`);
  }
  const problems = [
    counts.failed > 0 ? `${number.format(counts.failed)} failed` : '',
    counts.refused > 0 ? `${number.format(counts.refused)} refused after re-checking` : '',
    counts.vanished > 0 ? `${number.format(counts.vanished)} already gone` : '',
  ].filter((p) => p !== '');
  if (problems.length > 0) lines.push(`${problems.join(', ')} (see above).`);
  return lines.join('\n') + '\n';
}
