/**
 * What the history says: replay each commit's changed paths against one build's steps and count,
 * per step, the commits in which it would have rebuilt and the files that started it. Pure: the
 * commits come in as data.
 */
import { invalidate, propagateRebuilds, type Cause, type InputIndex } from './rebuild.js';
import type { BuildSteps } from './steps.js';

/** One commit to replay. */
export interface ReplayCommit {
  commit: string;
  /** Paths it changed, relative to the context root. */
  changed: string[];
  /** Steps its edit of the Dockerfile rebuilds directly (step index -> line), if it edited it. */
  dockerfile?: Map<number, number>;
}

/** One step over the history. */
export interface StepHistory {
  step: number;
  /** Commits in which it would have rebuilt. */
  rebuilt: number;
  /** Commits in which it may have rebuilt (it reads a rebuilt stage by content). */
  maybe: number;
  /** The files that started its rebuilds, most frequent first: in how many commits each did. */
  causes: { path: string; commits: number }[];
}

/** The replay of a history. */
export interface HistorySummary {
  commits: number;
  steps: StepHistory[];
}

/** The label used for a rebuild the Dockerfile's own edit started. */
export const DOCKERFILE_CAUSE = '(the Dockerfile itself)';

/** Replays `commits` on `build`. */
export function replayHistory(build: BuildSteps, index: InputIndex, commits: readonly ReplayCommit[]): HistorySummary {
  const steps: { rebuilt: number; maybe: number; causes: Map<string, number> }[] = build.steps.map(() => ({ rebuilt: 0, maybe: 0, causes: new Map() }));
  for (const commit of commits) {
    const { direct, filesByStep } = invalidate(index, commit.changed);
    for (const [step, line] of commit.dockerfile ?? []) {
      if (!direct.has(step)) direct.set(step, { type: 'dockerfile', line } satisfies Cause);
      filesByStep.set(step, [...(filesByStep.get(step) ?? []), DOCKERFILE_CAUSE]);
    }
    const verdicts = propagateRebuilds(build, direct, filesByStep);
    verdicts.forEach((verdict, i) => {
      if (verdict.rebuilds === false) return;
      const entry = steps[i]!;
      if (verdict.rebuilds === 'maybe') {
        entry.maybe++;
        return;
      }
      entry.rebuilt++;
      // The files that started it, and those that would have invalidated its stage's chain anyway.
      const own = build.steps.filter((s) => s.stageIndex === build.steps[i]!.stageIndex && s.index <= i).flatMap((s) => filesByStep.get(s.index) ?? []);
      for (const path of new Set([...(verdict.origin === null ? [] : filesByStep.get(verdict.origin) ?? []), ...own])) {
        entry.causes.set(path, (entry.causes.get(path) ?? 0) + 1);
      }
    });
  }
  return {
    commits: commits.length,
    steps: steps.map((s, i) => ({
      step: i,
      rebuilt: s.rebuilt,
      maybe: s.maybe,
      causes: [...s.causes].map(([path, n]) => ({ path, commits: n })).sort((a, b) => b.commits - a.commits || (a.path < b.path ? -1 : 1)),
    })),
  };
}
