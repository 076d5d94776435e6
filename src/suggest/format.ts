/** `ctxsize suggest`'s reports: the human text and the JSON document (schemaVersion 1). */
import path from 'node:path';
import { humanSize, percent, table } from '../report/human.js';
import type { Amount, BuildCheck, BuilderOutcome, SuggestReport } from './types.js';
import { number } from '../report/numbers.js';
import { joinClauses, sourceLabel } from '../report/source-label.js';
import { paint, PLAIN, wrapLine, type Style } from '../report/style.js';


function shown(file: string | null, cwd: string): string {
  if (file === null) return 'none';
  const rel = path.relative(cwd, file).split(path.sep).join('/');
  return rel === '' ? '.' : rel.startsWith('..') ? file : rel;
}

function files(n: number): string {
  return `${number.format(n)} file${n === 1 ? '' : 's'}`;
}

/** What a line saves: `-1.1 MB, 2 files`; empty files save no bytes, which reads `0 B`, not `-0 B`. */
export function saves(a: Amount): string {
  return `${a.bytes > 0 ? '-' : ''}${humanSize(a.bytes)}, ${files(a.files)}`;
}

/**
 * The saved column of the combined table: before minus after. When the ignore file is new, it is
 * sent too, and on a tiny context it can weigh more than what it removes: say so instead of
 * calling a growth a saving.
 */
export function savedCell(o: Pick<BuilderOutcome, 'before' | 'after'>): string {
  const delta = o.before.bytes - o.after.bytes;
  if (delta > 0) return `${humanSize(delta)} (${percent(delta, o.before.bytes)})`;
  if (delta === 0) return '0 B';
  return `none: ${humanSize(-delta)} more`;
}

function sample(paths: readonly string[], total: number): string {
  return paths.join(', ') + (total > paths.length ? `, … (${number.format(total)} paths)` : '');
}

/** What the walks verified for one Dockerfile, and what they could not. */
function buildCheckText(b: BuildCheck): string {
  if (b.problemsAfter === null) return 'could not be read: not verified';
  const fresh = b.problemsAfter.filter((p) => !(b.problemsBefore ?? []).includes(p));
  const parts: string[] = [];
  if (fresh.length > 0) parts.push(`sources failing: ${fresh.join('; ')}`);
  else if (b.unresolved.length > 0) parts.push(`sources with unknown variables not verified (${b.unresolved.slice(0, 2).join('; ')})`);
  else if (b.readsNothing) parts.push('reads nothing from the context')
  else parts.push(b.problemsBefore && b.problemsBefore.length > 0 ? `no source fails that did not before (already failing: ${b.problemsBefore.join('; ')})` : 'every COPY/ADD source is still sent (checked with BuildKit\'s walk)');
  if (b.whole) parts.push(`it copies the whole context (${b.whole}), so what its RUN steps read is not known: only what is safe whatever they do is written by default`);
  return joinClauses(parts);
}

/** The human report. `writing` says whether the change is being written (else it is a dry run). */
export function formatSuggestReport(report: SuggestReport, cwd: string, writing: boolean, style: Style = PLAIN): string {
  const out: string[] = [];
  // Prose wraps at the width between words; pattern lines, tables and the diff stay whole.
  const say = (line: string, hang = '  '): void => {
    out.push(...wrapLine(line, style.width, hang));
  };
  const builder = report.builder === 'buildkit' ? 'BuildKit' : 'the classic builder';
  const ignoreFile = shown(report.ignoreFile, cwd);
  say(`${paint(style, 'heading', 'Suggestions')} for the build context ${shown(report.root, cwd)} (${builder}, ${ignoreFile}${report.write.exists ? '' : ', not there yet'})`);
  say(`  Dockerfile: ${shown(report.dockerfile, cwd)}; context now: ${humanSize(report.context.bytes)} in ${files(report.context.files)}`, '    ');
  out.push('');

  const toWrite = report.suggestions.filter((s) => s.status === 'write');
  const toReview = report.suggestions.filter((s) => s.status === 'review');
  if (toWrite.length === 0) {
    say(paint(style, 'ok', 'No suggestion: nothing shown to be unneeded is left in the context.'));
    out.push('');
  }
  const show = (s: (typeof report.suggestions)[number]): void => {
    const flags = [s.category, s.narrowed ? 'narrowed' : '', s.status === 'review' ? (s.selected ? 'selected by --only' : '') : s.selected ? '' : 'not selected']
      .filter(Boolean)
      .join(', ');
    out.push(`${paint(style, 'heading', s.id)}  ${paint(style, 'dim', `(${flags})`)}  ${paint(style, 'sent', saves(s))}`);
    for (const line of s.lines) out.push(`    ${paint(style, 'path', line)}`);
    say(`  ${s.reason}`);
    say(`  removes: ${sample(s.paths, s.totalPaths)}`, '    ');
    if (s.evidence) say(`  ${s.status === 'review' ? paint(style, 'warning', 'review') : 'because'}: ${s.evidence}`, '    ');
    if (s.insideSources && s.status === 'write') {
      say(`  note: inside what the Dockerfile copies (${s.insideSources.map(sourceLabel).join('; ')})`, '    ');
    }
    out.push('');
  };
  toWrite.forEach(show);
  if (toReview.length > 0) {
    say(`${paint(style, 'warning', 'Review')} (not written by --write unless --only names the id: a build may read these)`);
    out.push('');
    toReview.forEach(show);
  }

  if (report.withheld.length > 0) {
    out.push(paint(style, 'warning', 'Withheld'));
    for (const w of report.withheld) {
      out.push(`  ${w.id}  ${w.lines.slice(0, 3).join(' ')}${w.lines.length > 3 ? ' …' : ''}`);
      say(`    ${w.why}`, '      ');
    }
    out.push('');
  }

  const git = report.gitignore;
  if (git.length > 0 || report.gitignoreNotes.length > 0) {
    out.push(paint(style, 'heading', 'From .gitignore'));
    for (const g of git) {
      const state = g.status === 'review' ? (g.selected ? ' (review, selected by --only)' : ' (review: not written)') : g.selected ? '' : ' (not selected)';
      const effect = g.redundantWith ? `(already in ${g.redundantWith})` : `${saves(g)}${state}`;
      out.push(`  ${g.file}:${g.line}  ${g.pattern}  ->  ${g.lines.join(' ')}  ${effect}`);
      if (g.status === 'review' && !g.redundantWith) say(`    review: ${g.evidence}  [id ${g.id}]`, '      ');
    }
    for (const note of report.gitignoreNotes) say(`  note: ${note}`, '    ');
    out.push('');
  }

  if (report.allowList) {
    const a = report.allowList;
    say(`${paint(style, 'heading', 'Allow-list form')} (checked under BuildKit and the classic builder): ${saves(a)} compared with now`);
    for (const line of a.lines) out.push(`    ${line}`);
    say(
      `  sends ${humanSize(a.builders.buildkit.bytes)} (${files(a.builders.buildkit.files)}) under BuildKit, ${humanSize(a.builders.classic.bytes)} (${files(a.builders.classic.files)}) under the classic builder`,
    );
    say('  (not written by --write: replace the file with these lines yourself if you prefer this form)', '   ');
  } else if (report.allowListUnavailable) {
    say(`${paint(style, 'heading', 'Allow-list form')}: not offered: ${report.allowListUnavailable}`);
  }
  out.push('');

  const c = report.combined;
  say(`${paint(style, 'heading', 'All selected suggestions together')} (${c.lines.length} line${c.lines.length === 1 ? '' : 's'}), by running both builders' walks:`);
  const row = (name: string, o: BuilderOutcome): string[] => [
    name,
    `${humanSize(o.before.bytes)}  ${files(o.before.files)}`,
    `${humanSize(o.after.bytes)}  ${files(o.after.files)}`,
    paint(style, o.after.bytes < o.before.bytes ? 'sent' : 'warning', savedCell(o)),
    o.readsWrittenFile ? '' : `does not read ${ignoreFile}`,
  ];
  out.push(table([['', 'now', 'after', 'saved', ''], row('BuildKit', c.buildkit), row('classic', c.classic)]));
  if (!report.write.exists && (c.buildkit.after.bytes > c.buildkit.before.bytes || c.classic.after.bytes > c.classic.before.bytes)) {
    say(`  ${ignoreFile} does not exist yet, and the builder sends it too: on a context this small it weighs more than the ${humanSize(Math.max(c.buildkit.removed.bytes, c.classic.removed.bytes))} it keeps out`);
  }
  if (c.effective) {
    const e = c.effective;
    say(`  used by the Dockerfile (BuildKit transfers): ${humanSize(e.before.bytes)} -> ${humanSize(e.after.bytes)}`);
    for (const b of e.builds) say(`  ${b.label}: ${buildCheckText(b)}`, '    ');
  }
  for (const warning of report.warnings) say(`${paint(style, 'warning', 'warning:')} ${warning}`);
  out.push('');

  const w = report.write;
  if (w.refused) {
    say(`${paint(style, 'error', 'Not writing')} ${ignoreFile}: ${w.refused}`);
  } else if (!w.changed) {
    say(`Nothing to add to ${ignoreFile}.`);
  } else {
    say(writing ? `Writing ${ignoreFile}:` : `Dry run, nothing written. ctxsize suggest --write would change ${ignoreFile}:`);
    out.push(colorDiff(w.diff.trimEnd(), style));
  }
  return out.join('\n') + '\n';
}

/** A unified diff with its added lines green and removed lines red (headers stay plain). */
function colorDiff(diff: string, style: Style): string {
  if (!style.color) return diff;
  return diff
    .split('\n')
    .map((line) =>
      line.startsWith('+') && !line.startsWith('+++') ? paint(style, 'ok', line) : line.startsWith('-') && !line.startsWith('---') ? paint(style, 'error', line) : line,
    )
    .join('\n');
}

/** The JSON document of `ctxsize suggest --json`. */
export function suggestReportJson(report: SuggestReport, written: boolean): unknown {
  const { write, ...rest } = report;
  return {
    ...rest,
    write: {
      file: write.file,
      exists: write.exists,
      changed: write.changed,
      written,
      added: write.added,
      diff: write.diff,
      ...(write.refused ? { refused: write.refused } : {}),
    },
  };
}
