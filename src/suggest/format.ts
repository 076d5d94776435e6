/** `ctxsize suggest`'s reports: the human text and the JSON document (schemaVersion 1). */
import path from 'node:path';
import { humanSize, percent, table } from '../report/human.js';
import type { Amount, BuildCheck, BuilderOutcome, SuggestReport } from './types.js';
import { number } from '../report/numbers.js';


function shown(file: string | null, cwd: string): string {
  if (file === null) return 'none';
  const rel = path.relative(cwd, file).split(path.sep).join('/');
  return rel === '' ? '.' : rel.startsWith('..') ? file : rel;
}

function files(n: number): string {
  return `${number.format(n)} file${n === 1 ? '' : 's'}`;
}

function saves(a: Amount): string {
  return `-${humanSize(a.bytes)}, ${files(a.files)}`;
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
  return parts.join('; ');
}

/** The human report. `writing` says whether the change is being written (else it is a dry run). */
export function formatSuggestReport(report: SuggestReport, cwd: string, writing: boolean): string {
  const out: string[] = [];
  const builder = report.builder === 'buildkit' ? 'BuildKit' : 'the classic builder';
  const ignoreFile = shown(report.ignoreFile, cwd);
  out.push(`Suggestions for the build context ${shown(report.root, cwd)} (${builder}, ${ignoreFile}${report.write.exists ? '' : ', not there yet'})`);
  out.push(`  Dockerfile: ${shown(report.dockerfile, cwd)}; context now: ${humanSize(report.context.bytes)} in ${files(report.context.files)}`);
  out.push('');

  const toWrite = report.suggestions.filter((s) => s.status === 'write');
  const toReview = report.suggestions.filter((s) => s.status === 'review');
  if (toWrite.length === 0) {
    out.push('No suggestion: nothing shown to be unneeded is left in the context.');
    out.push('');
  }
  const show = (s: (typeof report.suggestions)[number]): void => {
    const flags = [s.category, s.narrowed ? 'narrowed' : '', s.status === 'review' ? (s.selected ? 'selected by --only' : '') : s.selected ? '' : 'not selected']
      .filter(Boolean)
      .join(', ');
    out.push(`${s.id}  (${flags})  ${saves(s)}`);
    for (const line of s.lines) out.push(`    ${line}`);
    out.push(`  ${s.reason}`);
    out.push(`  removes: ${sample(s.paths, s.totalPaths)}`);
    if (s.evidence) out.push(`  ${s.status === 'review' ? 'review' : 'because'}: ${s.evidence}`);
    if (s.insideSources && s.status === 'write') {
      out.push(`  note: inside what the Dockerfile copies (${s.insideSources.map((r) => `${r.instruction} ${r.raw}, line ${r.line}`).join('; ')})`);
    }
    out.push('');
  };
  toWrite.forEach(show);
  if (toReview.length > 0) {
    out.push('Review (not written by --write unless --only names the id: a build may read these)');
    out.push('');
    toReview.forEach(show);
  }

  if (report.withheld.length > 0) {
    out.push('Withheld');
    for (const w of report.withheld) {
      out.push(`  ${w.id}  ${w.lines.slice(0, 3).join(' ')}${w.lines.length > 3 ? ' …' : ''}`);
      out.push(`    ${w.why}`);
    }
    out.push('');
  }

  const git = report.gitignore;
  if (git.length > 0 || report.gitignoreNotes.length > 0) {
    out.push('From .gitignore');
    for (const g of git) {
      const state = g.status === 'review' ? (g.selected ? ' (review, selected by --only)' : ' (review: not written)') : g.selected ? '' : ' (not selected)';
      const effect = g.redundantWith ? `(already in ${g.redundantWith})` : `${saves(g)}${state}`;
      out.push(`  ${g.file}:${g.line}  ${g.pattern}  ->  ${g.lines.join(' ')}  ${effect}`);
      if (g.status === 'review' && !g.redundantWith) out.push(`    review: ${g.evidence}  [id ${g.id}]`);
    }
    for (const note of report.gitignoreNotes) out.push(`  note: ${note}`);
    out.push('');
  }

  if (report.allowList) {
    const a = report.allowList;
    out.push(`Allow-list form (checked under BuildKit and the classic builder): ${saves(a)} compared with now`);
    for (const line of a.lines) out.push(`    ${line}`);
    out.push(
      `  sends ${humanSize(a.builders.buildkit.bytes)} (${files(a.builders.buildkit.files)}) under BuildKit, ${humanSize(a.builders.classic.bytes)} (${files(a.builders.classic.files)}) under the classic builder`,
    );
    out.push('  (not written by --write: replace the file with these lines yourself if you prefer this form)');
  } else if (report.allowListUnavailable) {
    out.push(`Allow-list form: not offered: ${report.allowListUnavailable}`);
  }
  out.push('');

  const c = report.combined;
  out.push(`All selected suggestions together (${c.lines.length} line${c.lines.length === 1 ? '' : 's'}), by running both builders' walks:`);
  const row = (name: string, o: BuilderOutcome): string[] => [
    name,
    `${humanSize(o.before.bytes)}  ${files(o.before.files)}`,
    `${humanSize(o.after.bytes)}  ${files(o.after.files)}`,
    `${humanSize(o.removed.bytes)} (${percent(o.removed.bytes, o.before.bytes)})`,
    o.readsWrittenFile ? '' : `does not read ${ignoreFile}`,
  ];
  out.push(table([['', 'now', 'after', 'saved', ''], row('BuildKit', c.buildkit), row('classic', c.classic)]));
  if (c.effective) {
    const e = c.effective;
    out.push(`  used by the Dockerfile (BuildKit transfers): ${humanSize(e.before.bytes)} -> ${humanSize(e.after.bytes)}`);
    for (const b of e.builds) out.push(`  ${b.label}: ${buildCheckText(b)}`);
  }
  for (const warning of report.warnings) out.push(`warning: ${warning}`);
  out.push('');

  const w = report.write;
  if (w.refused) {
    out.push(`Not writing ${ignoreFile}: ${w.refused}`);
  } else if (!w.changed) {
    out.push(`Nothing to add to ${ignoreFile}.`);
  } else {
    out.push(writing ? `Writing ${ignoreFile}:` : `Dry run, nothing written. ctxsize suggest --write would change ${ignoreFile}:`);
    out.push(w.diff.trimEnd());
  }
  return out.join('\n') + '\n';
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
