import type { Counts, LargestPath, TopLevelEntry, TopLevelTotals } from './types.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import type { SubtreeTotals } from '../walk/walk.js';

export function emptyCounts(): Counts {
  return { files: 0, dirs: 0, symlinks: 0, other: 0, bytes: 0 };
}

export function addToCounts(counts: Counts, entry: Entry): void {
  // Every count is touched on every call: a count first touched after V8 optimized this (the first
  // symbolic link of a walk) would make it throw the optimized walk away.
  const type = entry.type;
  const file = type === 'file';
  const dir = type === 'dir';
  const symlink = type === 'symlink';
  counts.files += file ? 1 : 0;
  counts.bytes += file ? entry.size : 0;
  counts.dirs += dir ? 1 : 0;
  counts.symlinks += symlink ? 1 : 0;
  counts.other += file || dir || symlink ? 0 : 1;
}

function addCounts(into: Counts, from: Counts): void {
  into.files += from.files;
  into.dirs += from.dirs;
  into.symlinks += from.symlinks;
  into.other += from.other;
  into.bytes += from.bytes;
}

function compareLargest(a: LargestPath, b: LargestPath): number {
  return b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** Keeps the N heaviest paths seen, without keeping every path. */
export class LargestPaths {
  private items: LargestPath[] = [];
  constructor(private readonly limit: number) {}

  /** Would an item of this size and path make the list? (Checked before building the item.) */
  accepts(bytes: number, path: string): boolean {
    if (this.limit <= 0) return false;
    if (this.items.length < this.limit) return true;
    const last = this.items[this.items.length - 1]!;
    return bytes > last.bytes || (bytes === last.bytes && path < last.path);
  }

  offer(item: LargestPath): void {
    if (this.limit <= 0) return;
    if (this.items.length === this.limit) {
      const last = this.items[this.items.length - 1]!;
      if (compareLargest(item, last) >= 0) return;
      this.items.pop();
    }
    let i = this.items.length;
    while (i > 0 && compareLargest(item, this.items[i - 1]!) < 0) i--;
    this.items.splice(i, 0, item);
  }

  list(): LargestPath[] {
    return [...this.items];
  }
}

function compareTopLevel(a: TopLevelEntry, b: TopLevelEntry): number {
  return b.bytes - a.bytes || b.contextBytes - a.contextBytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** Keeps the heaviest top-level entries and sums the others, in bounded memory. */
export class TopLevelTable {
  private items: TopLevelEntry[] = [];
  private omitted: TopLevelTotals = { entries: 0, bytes: 0, files: 0, contextBytes: 0, contextFiles: 0 };
  constructor(private readonly limit: number) {}

  offer(item: TopLevelEntry): void {
    if (this.items.length === this.limit && compareTopLevel(item, this.items[this.limit - 1]!) >= 0) {
      this.omit(item);
      return;
    }
    let i = this.items.length;
    while (i > 0 && compareTopLevel(item, this.items[i - 1]!) < 0) i--;
    this.items.splice(i, 0, item);
    if (this.items.length > this.limit) this.omit(this.items.pop()!);
  }

  private omit(item: TopLevelEntry): void {
    this.omitted.entries++;
    this.omitted.bytes += item.bytes;
    this.omitted.files += item.files;
    this.omitted.contextBytes += item.contextBytes;
    this.omitted.contextFiles += item.contextFiles;
  }

  list(): TopLevelEntry[] {
    return [...this.items];
  }

  rest(): TopLevelTotals | null {
    return this.omitted.entries === 0 ? null : { ...this.omitted };
  }

  /**
   * Merge another table. Exact: an entry the other table omitted had `limit` entries above it
   * there, so it cannot be among the first `limit` of both together.
   */
  merge(items: readonly TopLevelEntry[], omitted: TopLevelTotals | null): void {
    for (const item of items) this.offer(item);
    if (omitted === null) return;
    this.omitted.entries += omitted.entries;
    this.omitted.bytes += omitted.bytes;
    this.omitted.files += omitted.files;
    this.omitted.contextBytes += omitted.contextBytes;
    this.omitted.contextFiles += omitted.contextFiles;
  }
}

/** What one accumulator holds, as plain data (a worker thread sends it back this way). */
export interface AccumulatedMeasure {
  all: Counts;
  sent: Counts;
  excluded: { files: number; bytes: number };
  largest: LargestPath[];
  topLevel: TopLevelEntry[];
  topLevelOmitted: TopLevelTotals | null;
  warnings: WalkWarning[];
}

/**
 * Everything a measurement adds up while it walks: counts of the whole directory and of what is
 * sent, the largest paths, the top-level breakdown and the warnings. Memory stays bounded by the
 * tables; no list of paths is kept. Accumulators of parts of a walk merge exactly.
 */
export class MeasureAccumulator {
  readonly all = emptyCounts();
  readonly sent = emptyCounts();
  readonly excluded = { files: 0, bytes: 0 };
  readonly warnings: WalkWarning[] = [];
  private readonly largest: LargestPaths;
  private readonly topLevel: TopLevelTable;
  seen = 0;

  constructor(
    top: number,
    topLevelLimit: number,
    /** Rewrites a sent entry as the builder sends it (the classic builder's grown .dockerignore). */
    private readonly adjustSent: ((entry: Entry) => Entry) | null = null,
  ) {
    this.largest = new LargestPaths(top);
    this.topLevel = new TopLevelTable(topLevelLimit);
  }

  /** One entry and whether the builder sends it. */
  entry(entry: Entry, isSent: boolean): void {
    this.seen++;
    addToCounts(this.all, entry);
    if (isSent) addToCounts(this.sent, this.adjustSent ? this.adjustSent(entry) : entry);
    if (entry.type !== 'file') return;
    if (!isSent) {
      this.excluded.files++;
      this.excluded.bytes += entry.size;
    }
    const sentBytes = isSent ? entry.size : 0;
    if (entry.path.indexOf('/') === -1) {
      this.topLevel.offer({ path: entry.path, type: 'file', bytes: entry.size, files: 1, contextBytes: sentBytes, contextFiles: isSent ? 1 : 0 });
    }
    if (entry.size > 0 && this.largest.accepts(entry.size, entry.path)) {
      this.largest.offer({ path: entry.path, type: 'file', bytes: entry.size, files: 1, excluded: !isSent, contextBytes: sentBytes });
    }
  }

  /** A directory once its subtree is known. */
  leaveDirectory(entry: Entry, totals: SubtreeTotals, isSent: boolean): void {
    if (entry.path.indexOf('/') === -1) {
      this.topLevel.offer({
        path: entry.path,
        type: 'dir',
        bytes: totals.bytes,
        files: totals.files,
        contextBytes: totals.sentBytes,
        contextFiles: totals.sentFiles,
      });
    }
    // A directory that only wraps one heavy entry (`a/` holding `a/big.iso`) is listed as that entry.
    if (totals.bytes === 0 || totals.heaviestChild === totals.bytes || !this.largest.accepts(totals.bytes, entry.path)) return;
    this.largest.offer({
      path: entry.path,
      type: 'dir',
      bytes: totals.bytes,
      files: totals.files,
      excluded: !isSent,
      contextBytes: totals.sentBytes,
    });
  }

  warning(warning: WalkWarning): void {
    this.warnings.push(warning);
  }

  /** Add an entry the builder sends although it is not in the directory (classic builder extras). */
  addSentOnly(entry: Entry): void {
    addToCounts(this.sent, entry);
  }

  snapshot(): AccumulatedMeasure {
    return {
      all: { ...this.all },
      sent: { ...this.sent },
      excluded: { ...this.excluded },
      largest: this.largest.list(),
      topLevel: this.topLevel.list(),
      topLevelOmitted: this.topLevel.rest(),
      warnings: [...this.warnings],
    };
  }

  merge(part: AccumulatedMeasure): void {
    addCounts(this.all, part.all);
    addCounts(this.sent, part.sent);
    this.excluded.files += part.excluded.files;
    this.excluded.bytes += part.excluded.bytes;
    for (const item of part.largest) this.largest.offer(item);
    this.topLevel.merge(part.topLevel, part.topLevelOmitted);
    this.warnings.push(...part.warnings);
  }

  /** The top-level breakdown: the heaviest entries, the rest summed. */
  topLevelReport(): { byTopLevel: TopLevelEntry[]; byTopLevelOmitted: TopLevelTotals | null } {
    return { byTopLevel: this.topLevel.list(), byTopLevelOmitted: this.topLevel.rest() };
  }

  largestPaths(): LargestPath[] {
    return this.largest.list();
  }
}
