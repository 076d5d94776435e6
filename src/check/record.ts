import type { BuilderFilter } from '../dockerignore/builders.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { directoryRef, walkContext, walkSubtree, type DirectoryRef } from '../walk/walk.js';
import type { SecondThread } from './second-thread.js';

/**
 * Entries the walk meets before check starts its second thread. A thread takes 50-80 ms to boot,
 * and the process waits for it at exit: on real repositories it cost about 30 ms below about
 * 4,000 entries and saved about 0.2 s at 9,000.
 */
export const THREAD_AFTER_ENTRIES = 4000;

/** The whole directory, as check records it once under the primary builder's filter. */
export interface DirectoryRecord {
  /** Every entry, excluded ones too, in walk order; files the builder skips are unsized. */
  all: Entry[];
  /** The paths the builder sends. */
  sent: Set<string>;
  warnings: WalkWarning[];
  /**
   * 1 for the entries of the subtrees listed in one piece (below the first level of a skipped
   * directory), each after its parent: ContextTree's `unindexed`. Null when there are none.
   */
  spliced: Uint8Array | null;
}

/**
 * Record the whole directory in one walk. Where the builder skips a subtree, its entries are
 * recorded by name only (the sizes of what no builder sends are never needed), and with a second
 * thread the subtrees below its first level are listed there, or here for the ones that thread
 * has not taken when this walk is done: the record is the same either way. `onEntry` sees each
 * entry this thread walks, with whether it is sent.
 */
export function recordDirectory(
  root: string,
  filter: BuilderFilter<unknown>,
  options: {
    /** Starts the second thread (null: none here), called once the walk has met `threadAfter` entries. */
    startThread?: () => SecondThread | null;
    threadAfter?: number;
    onEntry?: (entry: Entry, sent: boolean) => void;
  },
): DirectoryRecord {
  const { onEntry } = options;
  // CTXSIZE_CHECK_THREAD=1 starts it at once (tests of small trees), =0 never (see second-thread.ts).
  const threadAfter = options.threadAfter ?? (process.env['CTXSIZE_CHECK_THREAD'] === '1' ? 1 : THREAD_AFTER_ENTRIES);
  let second: SecondThread | null = null;
  const warnings: WalkWarning[] = [];
  const sent = new Set<string>();
  const recorded: Entry[] = [];
  // The first level of a skipped subtree is read here (node_modules/ itself); the subtrees below
  // it go to the second thread one by one: small pieces, that either thread can take.
  const handOver = (dir: DirectoryRef<unknown>, parentEntered: boolean): boolean => second !== null && !parentEntered && second.addSubtree(dir.abs, dir.rel, recorded.length);
  walkContext({
    root,
    filter,
    visitSkipped: true,
    namesOnlyWhenSkipped: true,
    takeSkippedSubtree: handOver,
    sink: {
      entry(entry, isSent) {
        if (recorded.push(entry) === threadAfter && options.startThread !== undefined) second = options.startThread();
        if (isSent) sent.add(entry.path);
        onEntry?.(entry, isSent);
      },
      warning(warning) {
        warnings.push(warning);
      },
    },
  });
  const thread = second as SecondThread | null; // set by the walk's callback
  if (thread === null) return { all: recorded, sent, warnings, spliced: null };
  const { all, spliced } = thread.spliceSubtrees(recorded, warnings, (abs, rel, out) => {
    walkSubtree(
      { filter, visitSkipped: true, namesOnlyWhenSkipped: true, sink: { entry: (e) => out.push(e), warning: (w) => warnings.push(w) } },
      directoryRef<unknown>(abs, rel, undefined, filter.rootState, false),
    );
  });
  // Which entries came in one piece with a subtree: the record's index need not hash their paths.
  const mask = new Uint8Array(all.length);
  for (const [start, end] of spliced) mask.fill(1, start, end);
  return { all, sent, warnings, spliced: mask };
}
