import { createFilter } from './context/filter.js';
import { resolveContext, type ContextOptions, type ResolvedContext } from './context/resolve.js';
import type { Builder } from './walk/builders.js';
import type { Entry, WalkWarning } from './walk/entry.js';
import { walkContext } from './walk/walk.js';

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
  largest: LargestPath[];
  warnings: WalkWarning[];
}

export interface MeasureOptions extends ContextOptions {
  /** How many of the largest paths to keep (default 10). */
  top?: number;
  /** Called now and then during the walk with the number of entries seen so far. */
  onProgress?: (entriesSeen: number) => void;
}

export function emptyCounts(): Counts {
  return { files: 0, dirs: 0, symlinks: 0, other: 0, bytes: 0 };
}

export function addToCounts(counts: Counts, entry: Entry): void {
  switch (entry.type) {
    case 'file':
      counts.files++;
      counts.bytes += entry.size;
      break;
    case 'dir':
      counts.dirs++;
      break;
    case 'symlink':
      counts.symlinks++;
      break;
    default:
      counts.other++;
  }
}

/** Keeps the N heaviest paths seen, without keeping every path. */
export class LargestPaths {
  private items: LargestPath[] = [];
  constructor(private readonly limit: number) {}

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

function slashes(path: string): number {
  let n = 0;
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) n++;
  return n;
}

function compareLargest(a: LargestPath, b: LargestPath): number {
  return b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
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
  const filter = createFilter(context);
  const all = emptyCounts();
  const sent = emptyCounts();
  const largest = new LargestPaths(options.top ?? 10);
  const warnings: WalkWarning[] = [];
  let seen = 0;
  const onProgress = options.onProgress;
  // The largest child seen so far at each depth, to tell when a directory is just a wrapper
  // around one heavy entry (`a/` holding only `a/big.iso`): then only the entry is listed.
  const largestChildAtDepth: number[] = [];
  const noteChild = (path: string, bytes: number): void => {
    const depth = slashes(path);
    largestChildAtDepth[depth] = Math.max(largestChildAtDepth[depth] ?? 0, bytes);
  };
  walkContext({
    root: context.root,
    filter,
    visitSkipped: true,
    sink: {
      entry(entry, isSent) {
        addToCounts(all, entry);
        if (isSent) addToCounts(sent, entry);
        if (entry.type === 'file') {
          noteChild(entry.path, entry.size);
          if (entry.size > 0) {
            largest.offer({ path: entry.path, type: 'file', bytes: entry.size, files: 1, excluded: !isSent, contextBytes: isSent ? entry.size : 0 });
          }
        }
        if (onProgress !== undefined && (++seen & 0x3fff) === 0) onProgress(seen);
      },
      leaveDirectory(entry, totals, isSent) {
        const childDepth = slashes(entry.path) + 1;
        const heaviestChild = largestChildAtDepth[childDepth] ?? 0;
        largestChildAtDepth[childDepth] = 0;
        noteChild(entry.path, totals.bytes);
        if (totals.bytes === 0 || heaviestChild === totals.bytes) return;
        largest.offer({
          path: entry.path,
          type: 'dir',
          bytes: totals.bytes,
          files: totals.files,
          excluded: !isSent,
          contextBytes: totals.sentBytes,
        });
      },
      warning: (warning) => warnings.push(warning),
    },
  });
  if (filter.failure) throw filter.failure;
  return {
    schemaVersion: 1,
    root: context.root,
    dockerfile: context.dockerfile,
    ignoreFile: context.ignorePath,
    builder: context.builder,
    all,
    context: sent,
    excluded: { files: all.files - sent.files, bytes: all.bytes - sent.bytes },
    largest: largest.list(),
    warnings,
  };
}
