import { ClassicOutsideDockerfile, classicOutsideDockerfile } from '../context/classic-extras.js';
import { createFilter } from '../context/filter.js';
import { InputError, resolveContext, type ContextOptions, type ResolvedContext } from '../context/resolve.js';
import { DockerfileError } from '../dockerfile/index.js';
import { planEffective, walkEffective, type BuildSelection, type EffectivePlan, type SourceProblem } from '../effective/effective.js';
import type { WalkWarning } from '../walk/entry.js';
import { walkFromRoot } from '../walk/from-root.js';
import { walkContext } from '../walk/walk.js';
import { MeasureAccumulator, emptyCounts, addToCounts } from './accumulator.js';
import { measureInParallel, WalkerLost } from './parallel.js';
import { defaultThreads, releaseWalkers } from './pool.js';

import type { Counts, EffectivePlatformReport, MeasureReport, SourceProblemReport } from './types.js';
export type { Counts, EffectivePlatformReport, LargestPath, MeasureReport, SourceProblemReport, TopLevelEntry, TopLevelTotals } from './types.js';

/** How many top-level entries a measurement lists; a bounded table keeps memory flat. */
export const TOP_LEVEL_LIMIT = 100;

export interface MeasureOptions extends ContextOptions, BuildSelection {
  /** How many of the largest paths to keep (default 10). */
  top?: number;
  /** Called now and then during the walk with the number of entries seen so far. */
  onProgress?: (entriesSeen: number) => void;
  /**
   * Threads for the walk, this one included (default: the CPUs, at most 4). 1 walks on this
   * thread alone; the results are the same.
   */
  threads?: number;
  /**
   * Walk with the working directory at the context root, which makes the walk faster. The
   * working directory is the whole process's: set this only when nothing else in the process uses
   * relative paths during the call (the CLI sets it). The results are the same.
   */
  chdirToRoot?: boolean;
}

/**
 * Measure a context in one walk: the whole directory, what the builder sends, and the largest
 * paths. Throws IgnoreFileError, BuildFailure or InputError as listContext does.
 */
export function measureContext(options: MeasureOptions = {}): MeasureReport {
  const context = resolveContext(options);
  return measureResolved(context, options);
}

export function measureResolved(context: ResolvedContext, options: MeasureOptions = {}): MeasureReport {
  let filter = createFilter(context);
  const top = options.top ?? 10;
  const outside = classicOutsideDockerfile(context);
  const extras = outside ? new ClassicOutsideDockerfile(outside) : null;
  const newAccumulator = () => new MeasureAccumulator(top, TOP_LEVEL_LIMIT, extras ? (entry) => extras.adjust(entry) : null);
  let accumulator = newAccumulator();
  const threads = options.threads ?? defaultThreads();
  const onProgress = options.onProgress;
  const effective = effectiveMeasurement(context, options);
  const walk = (base: string): MeasureAccumulator => {
    if (threads > 1 && !filter.orderMatters) {
      try {
        // The effective context's own walk runs here while the worker starts on the tasks.
        measureInParallel(context, filter, accumulator, { threads, top, topLevelLimit: TOP_LEVEL_LIMIT, onProgress, base, sideWork: () => effective.walk(base) });
        return accumulator;
      } catch (error) {
        if (!(error instanceof WalkerLost)) throw error;
        // Measure again on this thread alone, from scratch.
        accumulator = newAccumulator();
        filter = createFilter(context);
      }
    }
    // Where a pattern fails only when evaluated, the walk order decides the outcome: one thread.
    releaseWalkers();
    const sequential = accumulator;
    walkContext({
      root: base,
      filter,
      visitSkipped: true,
      sink: {
        entry(entry, isSent) {
          sequential.entry(entry, isSent);
          if (onProgress !== undefined && (sequential.seen & 0x3fff) === 0) onProgress(sequential.seen);
        },
        leaveDirectory: (entry, totals, isSent) => sequential.leaveDirectory(entry, totals, isSent),
        warning: (warning) => sequential.warning(warning),
      },
    });
    if (filter.failure) throw filter.failure;
    return sequential;
  };
  accumulator = options.chdirToRoot ? walkFromRoot(context.root, walk) : walk(context.root);
  if (extras && !filter.truncated) for (const entry of extras.appended()) accumulator.addSentOnly(entry);
  const { all, sent, excluded, warnings } = accumulator;
  const { effective: effectiveCounts, effectiveScope, effectivePlatforms, sourceProblems } = effective.finish(sent, warnings);
  return {
    schemaVersion: 1,
    root: context.root,
    dockerfile: context.dockerfile,
    ignoreFile: context.ignorePath,
    builder: context.builder,
    all,
    context: sent,
    excluded,
    effective: effectiveCounts,
    effectiveScope,
    ...(effectivePlatforms !== null ? { effectivePlatforms } : {}),
    sourceProblems,
    largest: accumulator.largestPaths(),
    warnings,
    ...accumulator.topLevelReport(),
  };
}

function problemReport(problem: SourceProblem): SourceProblemReport {
  return {
    instruction: problem.source.instruction,
    line: problem.source.line,
    source: problem.source.raw,
    problem: problem.problem,
    excludedBy: problem.excludedBy ?? null,
  };
}

/** The effective context as the report shows it. */
interface EffectiveResult {
  effective: Counts | null;
  effectiveScope: MeasureReport['effectiveScope'];
  effectivePlatforms: EffectivePlatformReport[] | null;
  sourceProblems: SourceProblemReport[];
}

/**
 * The effective context, in two steps: `prepare` reads the Dockerfile (before the measurement
 * walk, so that its warnings come first), `walk` makes the second, pruned walk when the build uses
 * only some paths (a parallel measurement runs it on the main thread while the worker walks), and
 * `finish` completes the report once the measurement is known (`context` equals it when the build
 * uses the whole context).
 */
function effectiveMeasurement(context: ResolvedContext, selection: BuildSelection) {
  let plan: EffectivePlan | null = null;
  let note: WalkWarning | null = null;
  // Buildah has no effective context to compute: a local build reads its COPY sources from the
  // directory itself, and a remote Podman uploads the whole filtered context (see the report).
  if (context.dockerfile !== null && context.builder !== 'buildah') {
    try {
      plan = planEffective({ ...context, builder: 'buildkit' }, selection);
    } catch (error) {
      if (!(error instanceof DockerfileError)) throw error;
      if (selection.target !== undefined && error.line === 0) throw new InputError(error.message, { cause: error });
      const where = error.line > 0 ? ` (line ${error.line})` : '';
      note = { path: context.dockerfile, code: 'EDOCKERFILE', message: `effective context unknown: docker build would fail${where}: ${error.detail}` };
    }
  }
  const dockerfileNotes: WalkWarning[] = (plan?.warnings ?? []).map((w) => ({ path: w.file, code: 'EUNRESOLVED', message: `line ${w.line}: ${w.message}` }));
  const whole = plan !== null && plan.readsContext && plan.includePaths === null;
  const counts = emptyCounts();
  let walked: { problems: SourceProblem[]; warnings: WalkWarning[] } | null = null;
  return {
    /** Walk now if the report needs a walk of its own (`base`: as for walkEffective). */
    walk(base = context.root): void {
      if (plan === null || context.builder === 'classic' || walked !== null) return;
      walked = walkEffective(context, plan, (entry) => addToCounts(counts, entry), false, base);
    },
    finish(sent: Counts, warnings: WalkWarning[]): EffectiveResult {
      if (note !== null) warnings.push(note);
      if (plan === null) return { effective: null, effectiveScope: null, effectivePlatforms: null, sourceProblems: [] };
      warnings.push(...dockerfileNotes);
      if (context.builder === 'classic') return { effective: { ...sent }, effectiveScope: 'whole', effectivePlatforms: null, sourceProblems: [] };
      this.walk();
      const { problems, warnings: walkWarnings } = walked!;
      if (!whole) warnings.push(...walkWarnings.filter((w) => !warnings.some((x) => x.path === w.path)));
      return {
        effective: whole ? { ...sent } : counts,
        effectiveScope: whole ? 'whole' : plan.readsContext ? 'paths' : 'none',
        effectivePlatforms: plan.platforms.map((p) => ({
          platform: p.platform,
          scope: p.readsContext ? (p.includePaths === null ? 'whole' : 'paths') : 'none',
          includePaths: p.includePaths,
        })),
        sourceProblems: problems.map(problemReport),
      };
    },
  };
}
