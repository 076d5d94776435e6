/**
 * Baselines: a saved measurement (the `--json` document) and the comparison of a new measurement
 * with it. Reading and writing are the I/O edge; `compareWithBaseline` is pure.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../context/resolve.js';
import { effectiveCounts } from './gates.js';
import type { Counts, LargestPath, MeasureReport, TopLevelEntry } from '../measure/measure.js';
import { describeReadError, readInputText } from '../input/read-file.js';
import { writeOutputFile } from '../output/write-file.js';

/** How a size changed between the baseline and now. */
export interface SizeChange {
  bytesBefore: number;
  bytesAfter: number;
  bytesDelta: number;
  /** Growth in percent of the baseline (null when the baseline was empty). */
  bytesPercent: number | null;
  filesBefore: number;
  filesAfter: number;
  filesDelta: number;
}

/** A path whose sent bytes changed. */
export interface PathChange {
  path: string;
  type: 'file' | 'dir';
  /**
   * Bytes of it sent in the baseline. When the baseline's tables do not list it, this is the most
   * it can have been (so `delta` is the least it grew) and `exact` is false.
   */
  before: number;
  after: number;
  delta: number;
  exact: boolean;
}

/** A measurement compared with its baseline. */
export interface BaselineComparison {
  /** The baseline file as given. */
  file: string;
  context: SizeChange;
  /** Present when both measurements have an effective context. */
  effective: SizeChange | null;
  /** The paths whose sent bytes grew the most, largest growth first. */
  grew: PathChange[];
  /** The paths whose sent bytes shrank the most, largest shrink first. */
  shrank: PathChange[];
  /** Differences that make the comparison less meaningful (another builder, another Dockerfile). */
  notes: string[];
}

function change(before: Counts, after: Counts): SizeChange {
  return {
    bytesBefore: before.bytes,
    bytesAfter: after.bytes,
    bytesDelta: after.bytes - before.bytes,
    bytesPercent: before.bytes === 0 ? (after.bytes === 0 ? 0 : null) : Math.round(((after.bytes - before.bytes) / before.bytes) * 1e6) / 1e4,
    filesBefore: before.files,
    filesAfter: after.files,
    filesDelta: after.files - before.files,
  };
}

/** Sent bytes of each path a report lists, exact, and bounds for the paths it does not. */
class SentBytesIndex {
  private readonly exact = new Map<string, { bytes: number; type: 'file' | 'dir' }>();
  /** Top-level entries: complete when nothing was omitted. */
  private readonly topLevel: Map<string, TopLevelEntry> | null;
  private readonly topLevelComplete: boolean;
  /** Every omitted top-level entry is at most this heavy. */
  private readonly omittedBound: number;
  /** The files `largest` lists, by top-level directory. */
  private readonly listedFiles = new Map<string, LargestPath[]>();

  constructor(report: MeasureReport) {
    for (const item of report.largest) {
      this.exact.set(item.path, { bytes: item.contextBytes, type: item.type });
      const slash = item.path.indexOf('/');
      if (item.type === 'file' && slash !== -1) {
        const top = item.path.slice(0, slash);
        const list = this.listedFiles.get(top) ?? [];
        list.push(item);
        this.listedFiles.set(top, list);
      }
    }
    if (Array.isArray(report.byTopLevel)) {
      this.topLevel = new Map(report.byTopLevel.map((e) => [e.path, e]));
      for (const e of report.byTopLevel) this.exact.set(e.path, { bytes: e.contextBytes, type: e.type });
      const omitted = report.byTopLevelOmitted ?? null;
      this.topLevelComplete = omitted === null;
      const lightest = report.byTopLevel[report.byTopLevel.length - 1];
      this.omittedBound = omitted === null ? 0 : Math.min(omitted.contextBytes, lightest?.bytes ?? omitted.contextBytes);
    } else {
      this.topLevel = null;
      this.topLevelComplete = false;
      this.omittedBound = 0;
    }
  }

  paths(): Map<string, { bytes: number; type: 'file' | 'dir' }> {
    return this.exact;
  }

  /** Sent bytes of `p`: exact when known, else an upper bound, or null when nothing bounds it. */
  lookup(p: string): { bytes: number; exact: boolean } | null {
    const known = this.exact.get(p);
    if (known) return { bytes: known.bytes, exact: true };
    if (this.topLevel === null) return null;
    const slash = p.indexOf('/');
    const top = slash === -1 ? p : p.slice(0, slash);
    const entry = this.topLevel.get(top);
    if (entry) {
      // When `largest` lists every non-empty file of this top-level directory, any path below it
      // is exactly the sum of its listed files (0 for a path that was not there).
      const files = this.listedFiles.get(top) ?? [];
      if (files.reduce((sum, f) => sum + f.bytes, 0) === entry.bytes) {
        const below = p + '/';
        const bytes = files.filter((f) => f.path === p || f.path.startsWith(below)).reduce((sum, f) => sum + f.contextBytes, 0);
        return { bytes, exact: true };
      }
      return { bytes: entry.contextBytes, exact: entry.contextBytes === 0 };
    }
    if (this.topLevelComplete) return { bytes: 0, exact: true };
    return { bytes: this.omittedBound, exact: this.omittedBound === 0 };
  }
}

/**
 * Compare a measurement with its baseline: totals, and the paths that grew and shrank the most,
 * from both reports' `byTopLevel` (exact and complete) and `largest` tables (deeper paths).
 */
export function compareWithBaseline(current: MeasureReport, baseline: MeasureReport, file: string, limit = 10): BaselineComparison {
  const notes: string[] = [];
  if (baseline.builder !== current.builder) notes.push(`the baseline was measured for the ${baseline.builder} builder, this run for ${current.builder}`);
  const baseDockerfile = baseline.dockerfile === null ? null : path.basename(baseline.dockerfile);
  const curDockerfile = current.dockerfile === null ? null : path.basename(current.dockerfile);
  if (baseDockerfile !== curDockerfile) notes.push(`the baseline's Dockerfile was ${baseDockerfile ?? 'none'}, this run's is ${curDockerfile ?? 'none'}`);
  if (!Array.isArray(baseline.byTopLevel)) notes.push('the baseline has no per-top-level breakdown (saved by an older ctxsize): only its largest paths are compared');

  const before = new SentBytesIndex(baseline);
  const after = new SentBytesIndex(current);
  const changes = new Map<string, PathChange>();
  for (const [p, now] of after.paths()) {
    const was = before.lookup(p);
    if (was === null) continue;
    changes.set(p, { path: p, type: now.type, before: was.bytes, after: now.bytes, delta: now.bytes - was.bytes, exact: was.exact });
  }
  for (const [p, was] of before.paths()) {
    if (changes.has(p)) continue;
    const now = after.lookup(p);
    if (now === null || !now.exact) continue; // a shrink is only claimed when it is certain
    changes.set(p, { path: p, type: was.type, before: was.bytes, after: now.bytes, delta: now.bytes - was.bytes, exact: true });
  }
  const all = [...changes.values()];
  const grew = dropExplainedParents(all.filter((c) => c.delta > 0)).sort(byDelta).slice(0, limit);
  const shrank = dropExplainedParents(all.filter((c) => c.delta < 0 && c.exact)).sort((a, b) => byDelta(b, a)).slice(0, limit);

  const curEffective = effectiveCounts(current);
  const baseEffective = effectiveCounts(baseline);
  return {
    file,
    context: change(baseline.context, current.context),
    effective: curEffective !== null && baseEffective !== null ? change(baseEffective, curEffective) : null,
    grew,
    shrank,
    notes,
  };
}

function byDelta(a: PathChange, b: PathChange): number {
  return b.delta - a.delta || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** A directory whose whole change is one listed descendant's change says nothing more: keep the descendant. */
function dropExplainedParents(items: PathChange[]): PathChange[] {
  return items.filter(
    (parent) =>
      parent.type !== 'dir' ||
      !items.some((child) => child !== parent && child.path.startsWith(parent.path + '/') && child.delta === parent.delta && child.exact === parent.exact),
  );
}

/** A saved measurement, validated. */
export interface LoadedBaseline {
  file: string;
  /** The file as shown in messages. */
  label: string;
  document: Record<string, unknown>;
}

/** What a value is, for a message: its kind, and a short, escaped excerpt of a scalar. */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? text.slice(0, 37) + '...' : text}`;
}

function isCounts(value: unknown): value is Counts {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['files', 'bytes'].every((k) => typeof v[k] === 'number' && Number.isFinite(v[k]) && (v[k] as number) >= 0);
}

function isLargest(value: unknown): value is LargestPath {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['path'] === 'string' && (v['type'] === 'file' || v['type'] === 'dir') && typeof v['contextBytes'] === 'number' && typeof v['bytes'] === 'number';
}

function isTopLevel(value: unknown): value is TopLevelEntry {
  return isLargest(value) && typeof (value as unknown as Record<string, unknown>)['contextFiles'] === 'number';
}

/**
 * Check that a parsed document is a measurement this ctxsize can compare with (schemaVersion 1,
 * `context`, `largest`, and well-formed optional parts). Throws InputError naming the file and the key.
 */
export function validateMeasurement(value: unknown, label: string): MeasureReport {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`baseline ${label}: not a ctxsize measurement (the document is ${describe(value)}, not an object)`);
  }
  const doc = value as Record<string, unknown>;
  if (!('schemaVersion' in doc)) throw new InputError(`baseline ${label}: not a ctxsize measurement (no schemaVersion; save one with --save-baseline)`);
  if (doc['schemaVersion'] !== 1) {
    throw new InputError(`baseline ${label}: schemaVersion ${JSON.stringify(doc['schemaVersion'])} is not supported (this ctxsize reads schemaVersion 1); save a new baseline with --save-baseline`);
  }
  if (!isCounts(doc['context'])) throw new InputError(`baseline ${label}: "context" must be an object with numeric "files" and "bytes", but it is ${describe(doc['context'])}`);
  if (doc['effective'] !== undefined && doc['effective'] !== null && !isCounts(doc['effective'])) {
    throw new InputError(`baseline ${label}: "effective" must be null or an object with numeric "files" and "bytes"`);
  }
  if (!Array.isArray(doc['largest']) || !doc['largest'].every(isLargest)) {
    throw new InputError(`baseline ${label}: "largest" must be an array of {"path","type","bytes","contextBytes"} objects`);
  }
  if (doc['byTopLevel'] !== undefined && (!Array.isArray(doc['byTopLevel']) || !doc['byTopLevel'].every(isTopLevel))) {
    throw new InputError(`baseline ${label}: "byTopLevel" must be an array of {"path","type","bytes","contextBytes","contextFiles"} objects`);
  }
  const omitted = doc['byTopLevelOmitted'];
  if (omitted !== undefined && omitted !== null && (typeof omitted !== 'object' || typeof (omitted as Record<string, unknown>)['contextBytes'] !== 'number')) {
    throw new InputError(`baseline ${label}: "byTopLevelOmitted" must be null or an object with numeric "contextBytes"`);
  }
  if (doc['builder'] !== 'buildkit' && doc['builder'] !== 'classic') {
    throw new InputError(`baseline ${label}: "builder" must be "buildkit" or "classic", not ${describe(doc['builder'])}`);
  }
  return { ...(doc as unknown as MeasureReport), dockerfile: typeof doc['dockerfile'] === 'string' ? doc['dockerfile'] : null };
}

/**
 * Read a baseline file: a missing, unreadable or unparsable file is an InputError (exit 2),
 * never a pass. The document is returned for the caller to validate (a measurement or a compose document).
 */
export function readBaselineFile(file: string, cwd: string): LoadedBaseline {
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    text = readInputText(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `baseline ${file}: no such file (create it with --save-baseline ${file})`
        : code === 'EISDIR'
          ? `baseline ${file}: is a directory, not a baseline file`
          : `baseline ${file}: cannot read it (${describeReadError(error)})`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`baseline ${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`baseline ${file}: not a ctxsize measurement (the document is ${describe(parsed)}, not an object)`);
  }
  return { file: abs, label: file, document: parsed as Record<string, unknown> };
}

/** Write a document to a file: see writeOutputFile (atomic for a regular file, in place for a device or FIFO). */
export function writeFileAtomic(file: string, text: string, cwd: string, what: string): void {
  writeOutputFile(file, text, cwd, what);
}

/** Save a measurement (or a compose document) as a baseline. */
export function writeBaselineFile(file: string, document: unknown, cwd: string): void {
  writeFileAtomic(file, JSON.stringify(document, null, 2) + '\n', cwd, 'baseline');
}
