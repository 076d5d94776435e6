/**
 * Which steps a change rebuilds, as BuildKit's cache decides (solver cache keys, v0.8 and later):
 *
 * - A COPY/ADD from the context, or a RUN with a bind mount of it, is keyed by the content and
 *   mode of the files it reads (`llbsolver.NewContentHashFunc` over its selectors), not by their
 *   modification times: a fresh `git clone` rebuilds nothing by itself.
 * - Every step is also keyed by the step before it (its root file system is not hashed by
 *   content), so once a step rebuilds, every later step of its stage rebuilds, and so does every
 *   stage built FROM that stage.
 * - `COPY --from=stage` and `RUN --mount=from=stage` are keyed by the content of what they read
 *   from that stage. When the stage rebuilds, whether they do depends on what its steps wrote:
 *   "maybe", unless only plain COPYs from the context rebuilt there: then the changed paths of
 *   the stage are known, and a COPY --from rebuilds exactly when it reads one of them.
 */
import { PatternMatcher } from '../dockerignore/matcher.js';
import type { IgnoreFile, PatternPlatform } from '../dockerignore/read.js';
import type { BuildSteps, Step } from './steps.js';

/** Whether a step rebuilds: `maybe` when it reads, by content, a stage whose steps rebuild. */
export type Rebuild = true | false | 'maybe';

/** Why a step rebuilds. */
export type Cause =
  | { type: 'file'; path: string }
  | { type: 'dockerfile'; line: number }
  | { type: 'step'; stage: string; line: number; instruction: string }
  | { type: 'stage'; stage: string };

/** The verdict for one step. */
export interface StepVerdict {
  rebuilds: Rebuild;
  /** The first reason, null when it does not rebuild. */
  cause: Cause | null;
  /** The step whose own change started the rebuild (index), null when it does not rebuild. */
  origin: number | null;
}

/** Decides which steps read a path, with the ignore file applied as BuildKit applies it. */
export class InputIndex {
  private readonly ignore: PatternMatcher | null;
  private readonly readers: { step: number; whole: boolean; matchers: PatternMatcher[] }[] = [];

  constructor(
    build: BuildSteps,
    ignore: IgnoreFile | null,
    platform: PatternPlatform = 'posix',
  ) {
    this.ignore = ignore ? new PatternMatcher(ignore, platform) : null;
    for (const step of build.steps) {
      const reads = step.sources.filter((s) => s.mount !== 'tmpfs');
      if (reads.length === 0) continue;
      const whole = reads.some((s) => s.path === '.');
      const matchers: PatternMatcher[] = [];
      if (!whole) {
        for (const source of reads) {
          try {
            matchers.push(new PatternMatcher({ file: 'Dockerfile', rules: [{ pattern: source.path, line: source.line, source: source.raw }] }, platform));
          } catch {
            // A source that cannot be a pattern matches nothing (BuildKit fails on it anyway).
          }
        }
      }
      this.readers.push({ step: step.index, whole, matchers });
    }
  }

  /** Whether the ignore file lets the path through (a path it excludes is never sent). */
  sent(path: string): boolean {
    if (this.ignore === null) return true;
    try {
      return !this.ignore.matchesOrParentMatches(path);
    } catch {
      return false;
    }
  }

  /** The steps (indexes, in build order) whose inputs hold `path`, ignoring the ignore file. */
  readersOf(path: string): number[] {
    const out: number[] = [];
    for (const reader of this.readers) {
      if (reader.whole || reader.matchers.some((m) => safeMatch(m, path))) out.push(reader.step);
    }
    return out;
  }

  /** The steps whose inputs hold `path` after the ignore file. */
  stepsReading(path: string): number[] {
    return this.sent(path) ? this.readersOf(path) : [];
  }
}

function safeMatch(matcher: PatternMatcher, path: string): boolean {
  try {
    return matcher.matchesOrParentMatches(path);
  } catch {
    return false;
  }
}

const rank = (r: Rebuild): number => (r === true ? 2 : r === 'maybe' ? 1 : 0);

/**
 * Propagates direct invalidations (a step's own inputs changed, or its instruction did) through
 * the build: along each stage, into stages built FROM it, and (as `maybe`) into steps that read a
 * rebuilt stage by content.
 */
export function propagateRebuilds(
  build: BuildSteps,
  direct: ReadonlyMap<number, Cause>,
  /** The changed files each step reads (from {@link invalidate}): lets a COPY --from be decided. */
  filesByStep?: ReadonlyMap<number, readonly string[]>,
): StepVerdict[] {
  const none: StepVerdict = { rebuilds: false, cause: null, origin: null };
  const verdicts: StepVerdict[] = build.steps.map(() => none);
  // The state at the end of each stage: rebuilt or not, and why.
  const stageEnd = new Map<number, StepVerdict>();
  // Per stage: the paths of its file system whose content changed, when only plain COPYs from
  // the context rebuilt there (a RUN writes what it writes: unknown, null).
  const landed = new Map<number, Set<string> | null>();
  const byStage = new Map<number, Step[]>();
  for (const step of build.steps) {
    const list = byStage.get(step.stageIndex) ?? [];
    list.push(step);
    byStage.set(step.stageIndex, list);
  }
  for (const stage of build.stages) {
    let chain: StepVerdict = none;
    let landing: Set<string> | null = stage.base === undefined ? new Set() : copyOf(landed.get(stage.base));
    if (stage.base !== undefined) {
      const end = stageEnd.get(stage.base);
      const label = build.stages.find((s) => s.index === stage.base)?.label ?? String(stage.base);
      if (end && end.rebuilds !== false) chain = { rebuilds: end.rebuilds, cause: { type: 'stage', stage: label }, origin: end.origin };
    }
    for (const step of byStage.get(stage.index) ?? []) {
      let verdict: StepVerdict = chain;
      const own = direct.get(step.index);
      if (own && rank(verdict.rebuilds) < 2) verdict = { rebuilds: true, cause: own, origin: step.index };
      if (rank(verdict.rebuilds) < 2) {
        for (const read of step.readsStages) {
          const end = stageEnd.get(read);
          if (!end || end.rebuilds === false) continue;
          const label = build.stages.find((s) => s.index === read)?.label ?? String(read);
          const changed = filesByStep ? landed.get(read) : null;
          const from = step.layout && 'fromPaths' in step.layout ? step.layout.fromPaths : null;
          if (changed && from && step.readsStages.length === 1) {
            // BuildKit keys the copy by the content it reads: decided when that content is known.
            if (from.some((p) => [...changed].some((c) => overlaps(p, c)))) {
              verdict = { rebuilds: true, cause: { type: 'stage', stage: label }, origin: end.origin };
            }
            continue;
          }
          if (verdict.rebuilds === false) verdict = { rebuilds: 'maybe', cause: { type: 'stage', stage: label }, origin: end.origin };
        }
      }
      landing = land(landing, step, verdict, direct.get(step.index), filesByStep?.get(step.index));
      verdicts[step.index] = verdict;
      if (verdict.rebuilds !== false && (chain.rebuilds === false || rank(verdict.rebuilds) > rank(chain.rebuilds))) {
        chain = {
          rebuilds: verdict.rebuilds,
          cause: { type: 'step', stage: step.stage, line: step.line, instruction: step.instruction },
          origin: verdict.origin,
        };
      }
    }
    stageEnd.set(stage.index, chain);
    landed.set(stage.index, landing);
  }
  return verdicts;
}

function copyOf(set: Set<string> | null | undefined): Set<string> | null {
  return set ? new Set(set) : null;
}

/** Whether a path read and a path changed overlap: the same, or one inside the other. */
function overlaps(read: string, changed: string): boolean {
  return read === changed || read === '/' || changed.startsWith(read + '/') || read.startsWith(changed + '/');
}

/** The changed paths of a stage's file system after a step (see propagateRebuilds). */
function land(
  landing: Set<string> | null,
  step: Step,
  verdict: StepVerdict,
  own: Cause | undefined,
  files: readonly string[] | undefined,
): Set<string> | null {
  if (landing === null || verdict.rebuilds === false || step.kind === 'FROM' || step.kind === 'WORKDIR') return landing;
  if (verdict.rebuilds === 'maybe') return null;
  const layout = step.layout;
  if (step.kind === 'COPY' && layout && 'dest' in layout) {
    if (own === undefined) return landing; // rebuilt after an earlier step: it copies the same files
    if (own.type !== 'file') return null;
    for (const file of files ?? []) {
      const source = step.sources.find((s) => s.path === '.' || s.path === file || file.startsWith(s.path + '/'));
      if (!source) return null;
      const dest = layout.dest === '/' ? '' : layout.dest;
      if (source.path === file) landing.add(layout.destIsDir ? `${dest}/${file.slice(file.lastIndexOf('/') + 1)}` : layout.dest);
      else landing.add(`${dest}/${source.path === '.' ? file : file.slice(source.path.length + 1)}`);
    }
    return landing;
  }
  if ((step.kind === 'COPY' || step.kind === 'ADD') && own === undefined && step.sources.length > 0) return landing;
  return null;
}

/** For each changed path: the first step it invalidates, or why it invalidates none. */
export interface ChangedFile {
  path: string;
  /** The first step (index) whose inputs hold it, or null. */
  firstStep: number | null;
  /** `ignored`: the ignore file keeps it out; `unread`: no step reads it; `read`: some step does. */
  status: 'read' | 'ignored' | 'unread';
}

/** The direct invalidations of a set of changed paths, and what each path does. */
export function invalidate(
  index: InputIndex,
  changed: readonly string[],
): { direct: Map<number, Cause>; files: ChangedFile[]; filesByStep: Map<number, string[]> } {
  const direct = new Map<number, Cause>();
  const files: ChangedFile[] = [];
  const filesByStep = new Map<number, string[]>();
  for (const path of changed) {
    if (!index.sent(path)) {
      files.push({ path, firstStep: null, status: index.readersOf(path).length > 0 ? 'ignored' : 'unread' });
      continue;
    }
    const readers = index.stepsReading(path);
    files.push({ path, firstStep: readers[0] ?? null, status: readers.length > 0 ? 'read' : 'unread' });
    for (const step of readers) {
      if (!direct.has(step)) direct.set(step, { type: 'file', path });
      const list = filesByStep.get(step) ?? [];
      list.push(path);
      filesByStep.set(step, list);
    }
  }
  return { direct, files, filesByStep };
}
