import { ClassicOutsideDockerfile, classicOutsideDockerfile } from './context/classic-extras.js';
import { createFilter } from './context/filter.js';
import { InputError, resolveContext, type ContextOptions, type ResolvedContext } from './context/resolve.js';
import { DockerfileError } from './dockerfile/index.js';
import { planEffective, walkEffective, type BuildSelection, type EffectivePlan, type SourceProblem } from './effective.js';
import type { Builder } from './walk/builders.js';
import type { WalkWarning } from './walk/entry.js';
import { walkFromRoot } from './walk/from-root.js';
import { walkContext } from './walk/walk.js';
import { MeasureAccumulator, emptyCounts, addToCounts } from './measure/accumulator.js';
import { measureInParallel, WalkerLost } from './measure/parallel.js';
import { defaultThreads, releaseWalkers } from './measure/pool.js';

/** Entry counts and the bytes of regular files. */
export interface Counts {
  files: number;
  dirs: number;
  symlinks: number;
  /** FIFOs, sockets and devices. */
  other: number;
  /** Sum of the lstat sizes of regular files. */
  bytes: number;
}

/** One of the heaviest paths; a directory counts its whole subtree. */
export interface LargestPath {
  path: string;
  type: 'file' | 'dir';
  bytes: number;
  /** Regular files in it (1 for a file). */
  files: number;
  /** True when the builder does not send this path itself. */
  excluded: boolean;
  /** Bytes of it that the builder sends (a sent directory may hold excluded files, and the reverse). */
  contextBytes: number;
}

/** The measurement `ctxsize --json` prints (schemaVersion 1). */
export interface MeasureReport {
  schemaVersion: 1;
  root: string;
  dockerfile: string | null;
  ignoreFile: string | null;
  builder: Builder;
  /** The whole directory. */
  all: Counts;
  /** What the builder sends. */
  context: Counts;
  /** What the ignore file keeps out: files and bytes in `all` but not in `context`. */
  excluded: { files: number; bytes: number };
  /**
   * What BuildKit transfers for this Dockerfile and target: only the context paths the build uses
   * (COPY/ADD sources, bind mounts). Equals `context` when the build uses the whole context or the
   * builder is classic (which always sends everything); null without a Dockerfile or when it
   * cannot be parsed (then a warning says why).
   */
  effective: Counts | null;
  /**
   * How much of the context the build uses: `whole` (a COPY of the root or a bind mount without
   * source), `paths` (only the paths its sources name), `none` (no instruction reads the context);
   * null when `effective` is null.
   */
  effectiveScope: 'whole' | 'paths' | 'none' | null;
  /**
   * Per target platform (`--platform`; one unless several were asked for), what its build uses:
   * the effective context is their union. Absent when `effective` is null.
   */
  effectivePlatforms?: EffectivePlatformReport[];
  /** Dockerfile sources that nothing sent satisfies: a build would fail on them. */
  sourceProblems: SourceProblemReport[];
  largest: LargestPath[];
  warnings: WalkWarning[];
  /**
   * The top-level entries of the directory (files and directories, a directory with its whole
   * subtree), heaviest first: the exact, complete breakdown that baselines compare. At most
   * {@link TOP_LEVEL_LIMIT} are listed; the others are summed in `byTopLevelOmitted`.
   * Optional because measurements saved by older versions lack it.
   */
  byTopLevel?: TopLevelEntry[];
  /** What `byTopLevel` leaves out (null when it lists every top-level entry). */
  byTopLevelOmitted?: TopLevelTotals | null;
}

/** What the build for one target platform takes from the context. */
export interface EffectivePlatformReport {
  /** As BuildKit prints it: `linux/amd64`. */
  platform: string;
  /** `whole`, `paths` or `none`, as `effectiveScope`. */
  scope: 'whole' | 'paths' | 'none';
  /** The paths (patterns) its build sends, before symlinks are followed; null for the whole context. */
  includePaths: string[] | null;
}

/** A COPY/ADD/bind-mount source the build would fail on, as the JSON report shows it. */
export interface SourceProblemReport {
  instruction: 'COPY' | 'ADD' | 'RUN';
  line: number;
  source: string;
  /** `missing`: nothing matches it; `excluded`: the ignore file keeps it out. */
  problem: 'missing' | 'excluded';
  excludedBy: { file: string; line: number; pattern: string } | null;
}

/** Files and bytes of a part of the directory, and the part of it that the builder sends. */
export interface TopLevelTotals {
  /** How many top-level entries these totals cover. */
  entries: number;
  bytes: number;
  files: number;
  contextBytes: number;
  contextFiles: number;
}

/** One top-level entry of the context directory. */
export interface TopLevelEntry {
  path: string;
  type: 'file' | 'dir';
  bytes: number;
  files: number;
  /** Bytes and files of it that the builder sends. */
  contextBytes: number;
  contextFiles: number;
}

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
