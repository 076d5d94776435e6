import { receiveMessageOnPort } from 'node:worker_threads';
import type { ResolvedContext } from '../context/resolve.js';
import type { BuilderFilter } from '../dockerignore/builders.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { compareGoStrings } from '../walk/go-order.js';
import { directoryRef, readDirectory, visitChild, walkSubtree, type DirectoryRef, type SubtreeTotals } from '../walk/walk.js';
import type { AccumulatedMeasure, MeasureAccumulator } from './accumulator.js';
import { BOOTING, CANCELLED, DONE, NEXT_TASK, releaseWalkers, takeWalkers } from './pool.js';

/**
 * The measurement walk on several threads. The main thread reads the first levels of the tree
 * (a skeleton), turns the directories below them into tasks, and walks tasks alongside one or more
 * worker threads that claim them from a shared counter. Each thread adds up its own accumulator;
 * the skeleton then adds the tasks' subtree totals to their ancestors, so every directory's total,
 * BuildKit's "sent because something inside is" and the largest paths come out exactly as from
 * the sequential walk. Only used when walk order cannot matter (no pattern that fails late).
 */

/**
 * How far the main thread reads before handing out tasks: until the skeleton has this many task
 * directories per thread, or is this deep. (Tests set them to put task boundaries everywhere.)
 */
export const PARALLEL_TUNING = {
  tasksPerThread: 48,
  maxSkeletonDepth: 4,
  mainWalksTasks: true,
  failWorkers: false,
  /** Tests: workers die (exit) with a task taken, as a crashed thread would. */
  dieWorkers: false,
  /**
   * How long a walker may show no progress before it is taken for lost. A blocked main thread
   * never sees a worker's exit (`threadId` changes only on its event loop): a walker that died
   * is found by its progress counter standing still, and the measurement is made again alone.
   */
  stallMs: 30_000,
};

/** A directory handed to a thread, as plain data. */
export interface WalkTask {
  id: number;
  dir: DirectoryRef<unknown>;
}

/** What a worker thread receives once its measurement begins. */
export interface WorkerJob {
  /** Tests only: the worker fails, to check that the measurement falls back to one thread. */
  fail?: boolean;
  /** Tests only: the worker exits once it has taken a task, without a reply. */
  die?: boolean;
  context: ResolvedContext;
  top: number;
  topLevelLimit: number;
  tasks: WalkTask[];
}

/** A worker thread failed: the caller measures again on one thread, which reports real errors. */
export class WalkerLost extends Error {
  constructor(reason: string) {
    super(`measurement worker failed: ${reason}`);
    this.name = 'WalkerLost';
  }
}

/** What a worker thread sends back once, at the end. */
export type WorkerReply =
  | { ok: true; measure: AccumulatedMeasure; results: [number, SubtreeTotals][] }
  | { ok: false; error: string };

interface SkeletonDir {
  entry: Entry;
  sent: boolean;
  deferred: boolean;
  dir: DirectoryRef<unknown>;
  /** Set when this directory is walked as a task. */
  taskId: number | null;
  /** Direct files and the other non-directory children, once expanded. */
  direct: SubtreeTotals | null;
  children: SkeletonDir[];
}

function emptyTotals(): SubtreeTotals {
  return { bytes: 0, files: 0, sentBytes: 0, sentFiles: 0, sentEntries: 0, heaviestChild: 0 };
}

/** Read one directory of the skeleton: its non-directory children are counted here. */
function expand(
  node: { dir: DirectoryRef<unknown>; direct: SubtreeTotals | null; children: SkeletonDir[] },
  filter: BuilderFilter<unknown>,
  accumulator: MeasureAccumulator,
): SkeletonDir[] {
  const direct = emptyTotals();
  node.direct = direct;
  const warn = (w: WalkWarning): void => accumulator.warning(w);
  const children = readDirectory(node.dir.abs, node.dir.rel, warn) ?? [];
  for (const child of children) {
    const visited = visitChild(filter, node.dir, child, warn);
    if (visited === null) continue;
    const { entry, sent, deferred } = visited;
    if (sent) direct.sentEntries++;
    if (visited.directory === null) {
      accumulator.entry(entry, sent);
      if (entry.type === 'file') {
        direct.bytes += entry.size;
        direct.files++;
        if (entry.size > direct.heaviestChild) direct.heaviestChild = entry.size;
        if (sent) {
          direct.sentBytes += entry.size;
          direct.sentFiles++;
        }
      }
      continue;
    }
    if (!deferred) accumulator.entry(entry, sent);
    node.children.push({ entry, sent, deferred, dir: visited.directory, taskId: null, direct: null, children: [] });
  }
  return node.children;
}

/** Add up a skeleton directory's subtree from its own files, its tasks and its subdirectories. */
function finish(
  node: { direct: SubtreeTotals | null; children: SkeletonDir[] },
  results: Map<number, SubtreeTotals>,
  accumulator: MeasureAccumulator,
): SubtreeTotals {
  const totals = { ...(node.direct ?? emptyTotals()) };
  for (const child of node.children) {
    const sub = child.taskId !== null ? results.get(child.taskId)! : finish(child, results, accumulator);
    const sent = child.sent || (child.deferred && sub.sentEntries > 0);
    if (child.deferred) {
      accumulator.entry(child.entry, sent);
      if (sent) totals.sentEntries++;
    }
    totals.bytes += sub.bytes;
    totals.files += sub.files;
    totals.sentBytes += sub.sentBytes;
    totals.sentFiles += sub.sentFiles;
    totals.sentEntries += sub.sentEntries;
    if (sub.bytes > totals.heaviestChild) totals.heaviestChild = sub.bytes;
    accumulator.leaveDirectory(child.entry, sub, sent);
  }
  return totals;
}

/** Walk order of paths: parents first, names in Go's order (for warnings gathered from threads). */
export function comparePreorder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = compareGoStrings(x[i]!, y[i]!);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

function runTasks(
  tasks: WalkTask[],
  shared: Int32Array,
  filter: BuilderFilter<unknown>,
  sink: { entry(e: Entry, s: boolean): void; leaveDirectory(e: Entry, t: SubtreeTotals, s: boolean): void; warning(w: WalkWarning): void },
  results: Map<number, SubtreeTotals>,
): void {
  for (;;) {
    const index = Atomics.add(shared, NEXT_TASK, 1);
    if (index >= tasks.length) return;
    const task = tasks[index]!;
    results.set(task.id, walkSubtree({ filter, sink, visitSkipped: true }, task.dir));
  }
}

/**
 * Measure with `threads` threads (the main one included). Fills `accumulator` exactly as the
 * sequential walk would.
 */
export function measureInParallel(
  context: ResolvedContext,
  filter: BuilderFilter<unknown>,
  accumulator: MeasureAccumulator,
  options: {
    threads: number;
    top: number;
    topLevelLimit: number;
    onProgress?: (seen: number) => void;
    base?: string;
    /** Other work for this thread once the tasks are handed out (the workers start on them). */
    sideWork?: () => void;
  },
): void {
  // Take the walkers first (the CLI started them already): they boot while this thread reads.
  const pool = takeWalkers(options.threads);
  const { shared, walkers } = pool;
  const workerSeen = (): number => walkers.reduce((sum, w) => sum + Atomics.load(shared, w.stateSlot + 1), 0);

  const root = { dir: directoryRef<unknown>(options.base ?? context.root, '', undefined, filter.rootState, true), direct: null, children: [] as SkeletonDir[] };
  let frontier: SkeletonDir[] = expand(root, filter, accumulator);
  const target = PARALLEL_TUNING.tasksPerThread * options.threads;
  for (let depth = 1; depth < PARALLEL_TUNING.maxSkeletonDepth && frontier.length > 0 && frontier.length < target; depth++) {
    const next: SkeletonDir[] = [];
    for (const node of frontier) next.push(...expand(node, filter, accumulator));
    frontier = next;
  }
  const tasks: WalkTask[] = frontier.map((node, id) => {
    node.taskId = id;
    return { id, dir: node.dir };
  });

  const progress = options.onProgress;
  const sink = {
    entry(entry: Entry, sent: boolean) {
      accumulator.entry(entry, sent);
      if (progress !== undefined && (accumulator.seen & 0x3fff) === 0) progress(accumulator.seen + workerSeen());
    },
    leaveDirectory: (entry: Entry, totals: SubtreeTotals, sent: boolean) => accumulator.leaveDirectory(entry, totals, sent),
    warning: (warning: WalkWarning) => accumulator.warning(warning),
  };
  const results = new Map<number, SubtreeTotals>();
  const job: WorkerJob = { context, top: options.top, topLevelLimit: options.topLevelLimit, tasks, ...(PARALLEL_TUNING.failWorkers ? { fail: true } : {}), ...(PARALLEL_TUNING.dieWorkers ? { die: true } : {}) };
  if (tasks.length > 0) for (const walker of walkers) walker.port.postMessage(job);
  try {
    options.sideWork?.();
  } catch (error) {
    releaseWalkers(pool);
    throw error;
  }
  if (PARALLEL_TUNING.mainWalksTasks || walkers.length === 0) runTasks(tasks, shared, filter, sink, results);

  if (filter.failure) {
    releaseWalkers(pool);
    throw filter.failure;
  }

  // Wait for the walkers that took the job; one still booting is told to stay out.
  try {
    for (const walker of walkers) {
      const slot = walker.stateSlot;
      const mustWait = !PARALLEL_TUNING.mainWalksTasks && tasks.length > 0;
      if (!mustWait && Atomics.compareExchange(shared, slot, BOOTING, CANCELLED) === BOOTING) continue;
      let seen = -1;
      let seenAt = Date.now();
      while (Atomics.load(shared, slot) !== DONE) {
        // A thread that is gone (threadId -1) without saying DONE took its tasks with it.
        if (walker.worker.threadId === -1 && Atomics.load(shared, slot) !== DONE) throw new WalkerLost('it stopped');
        const now = Atomics.load(shared, slot + 1);
        if (now !== seen) {
          seen = now;
          seenAt = Date.now();
        } else if (Date.now() - seenAt > PARALLEL_TUNING.stallMs) {
          throw new WalkerLost('it stopped making progress');
        }
        Atomics.wait(shared, slot, Atomics.load(shared, slot), 100);
      }
      const reply = receiveMessageOnPort(walker.port)?.message as WorkerReply | undefined;
      if (reply === undefined) throw new WalkerLost('it ended without a result');
      if (!reply.ok) throw new WalkerLost(reply.error);
      accumulator.merge(reply.measure);
      for (const [id, totals] of reply.results) results.set(id, totals);
    }
  } finally {
    releaseWalkers(pool);
  }
  finish(root, results, accumulator);
  accumulator.warnings.sort((a, b) => comparePreorder(a.path, b.path));
}

