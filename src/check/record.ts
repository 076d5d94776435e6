import type { BuilderFilter } from '../dockerignore/builders.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { directoryRef, walkContext, walkSubtree, type DirectoryRef } from '../walk/walk.js';
import type { SecondThread } from './second-thread.js';

/** The whole directory, as check records it once under the primary builder's filter. */
export interface DirectoryRecord {
  /** Every entry, excluded ones too, in walk order; files the builder skips are unsized. */
  all: Entry[];
  /** The paths the builder sends. */
  sent: Set<string>;
  warnings: WalkWarning[];
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
  options: { second: SecondThread | null; onEntry?: (entry: Entry, sent: boolean) => void },
): DirectoryRecord {
  const { second, onEntry } = options;
  const warnings: WalkWarning[] = [];
  const sent = new Set<string>();
  const recorded: Entry[] = [];
  // The first level of a skipped subtree is read here (node_modules/ itself); the subtrees below
  // it go to the second thread one by one: small pieces, that either thread can take.
  const handOver = second === null ? undefined : (dir: DirectoryRef<unknown>, parentEntered: boolean): boolean => !parentEntered && second.addSubtree(dir.abs, dir.rel, recorded.length);
  walkContext({
    root,
    filter,
    visitSkipped: true,
    namesOnlyWhenSkipped: true,
    ...(handOver === undefined ? {} : { takeSkippedSubtree: handOver }),
    sink: {
      entry(entry, isSent) {
        recorded.push(entry);
        if (isSent) sent.add(entry.path);
        onEntry?.(entry, isSent);
      },
      warning(warning) {
        warnings.push(warning);
      },
    },
  });
  if (second === null) return { all: recorded, sent, warnings };
  const all = second.spliceSubtrees(recorded, warnings, (abs, rel, out) => {
    walkSubtree(
      { filter, visitSkipped: true, namesOnlyWhenSkipped: true, sink: { entry: (e) => out.push(e), warning: (w) => warnings.push(w) } },
      directoryRef<unknown>(abs, rel, undefined, filter.rootState, false),
    );
  });
  return { all, sent, warnings };
}
