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
 *   "maybe".
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
export function propagateRebuilds(build: BuildSteps, direct: ReadonlyMap<number, Cause>): StepVerdict[] {
  const none: StepVerdict = { rebuilds: false, cause: null, origin: null };
  const verdicts: StepVerdict[] = build.steps.map(() => none);
  // The state at the end of each stage: rebuilt or not, and why.
  const stageEnd = new Map<number, StepVerdict>();
  const byStage = new Map<number, Step[]>();
  for (const step of build.steps) {
    const list = byStage.get(step.stageIndex) ?? [];
    list.push(step);
    byStage.set(step.stageIndex, list);
  }
  for (const stage of build.stages) {
    let chain: StepVerdict = none;
    if (stage.base !== undefined) {
      const end = stageEnd.get(stage.base);
      const label = build.stages.find((s) => s.index === stage.base)?.label ?? String(stage.base);
      if (end && end.rebuilds !== false) chain = { rebuilds: end.rebuilds, cause: { type: 'stage', stage: label }, origin: end.origin };
    }
    for (const step of byStage.get(stage.index) ?? []) {
      let verdict: StepVerdict = chain;
      const own = direct.get(step.index);
      if (own && rank(verdict.rebuilds) < 2) verdict = { rebuilds: true, cause: own, origin: step.index };
      if (verdict.rebuilds === false) {
        for (const read of step.readsStages) {
          const end = stageEnd.get(read);
          if (end && end.rebuilds !== false) {
            const label = build.stages.find((s) => s.index === read)?.label ?? String(read);
            verdict = { rebuilds: 'maybe', cause: { type: 'stage', stage: label }, origin: end.origin };
            break;
          }
        }
      }
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
  }
  return verdicts;
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
