import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import type { BuilderFilter } from './builders.js';
import type { Entry, EntryType, WalkWarning } from './entry.js';
import { compareGoStrings } from './go-order.js';
import { decodeNameLikeGo, isValidUtf8 } from './raw-names.js';

/** Totals of a directory's subtree, reported when the walk leaves it. */
export interface SubtreeTotals {
  bytes: number;
  files: number;
  /** Bytes and files of the subtree that the builder sends. */
  sentBytes: number;
  sentFiles: number;
}

/** Receives the walk's results; everything the walk learns arrives here, in walk order. */
export interface WalkSink {
  /**
   * Called once per entry. `sent` says whether the builder sends it. For a directory BuildKit enters
   * although it is excluded, the call waits until the answer is known (its first sent entry, or
   * the end of the directory), so entries still arrive parents first.
   */
  entry(entry: Entry, sent: boolean): void;
  /** Called after a directory's subtree, with its totals (only when the walk measures). */
  leaveDirectory?(entry: Entry, totals: SubtreeTotals, sent: boolean): void;
  warning(warning: WalkWarning): void;
}

export interface WalkOptions<S> {
  /** Absolute path of the context root. */
  root: string;
  /** The builder's semantics. */
  filter: BuilderFilter<S>;
  /** Also walk the subtrees that the builder skips, so the whole directory is measured. */
  visitSkipped: boolean;
  sink: WalkSink;
}

interface Child {
  name: string;
  /** Raw name, only when it is not valid UTF-8. */
  raw?: Buffer;
  dirent: Dirent | Dirent<Buffer>;
}

interface Pending {
  entry: Entry;
  sent: boolean;
}

function typeOf(dirent: Dirent | Dirent<Buffer>): EntryType {
  if (dirent.isFile()) return 'file';
  if (dirent.isDirectory()) return 'dir';
  if (dirent.isSymbolicLink()) return 'symlink';
  return 'other';
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'EIO';
}

/**
 * Walk a context directory once, in Go's order (names sorted by bytes, parents first), never
 * following symbolic links, applying one builder's semantics. Unreadable entries become warnings.
 */
export function walkContext<S>(options: WalkOptions<S>): void {
  const { filter, sink, visitSkipped } = options;
  const pending: Pending[] = [];

  const readChildren = (abs: string | Buffer, rel: string): Child[] | null => {
    let dirents: Dirent[];
    try {
      dirents = readdirSync(abs as string, { withFileTypes: true });
    } catch (error) {
      sink.warning({ path: rel, code: errorCode(error), message: `cannot read directory: ${(error as Error).message}` });
      return null;
    }
    let children: Child[];
    if (dirents.some((d) => d.name.includes('\uFFFD'))) {
      // Lossy names: read again as bytes so the entries can still be opened.
      const raw = readdirSync(abs as string, { withFileTypes: true, encoding: 'buffer' });
      children = raw.map((dirent) => {
        const bytes = dirent.name;
        return isValidUtf8(bytes)
          ? { name: bytes.toString('utf8'), dirent }
          : { name: decodeNameLikeGo(bytes), raw: bytes, dirent };
      });
    } else {
      children = dirents.map((dirent) => ({ name: dirent.name, dirent }));
    }
    return children.sort((a, b) => (a.raw || b.raw ? Buffer.compare(rawOf(a), rawOf(b)) : compareGoStrings(a.name, b.name)));
  };

  const flushPending = (): void => {
    for (const p of pending) {
      if (!p.sent) {
        p.sent = true;
        sink.entry(p.entry, true);
      }
    }
  };

  const walkDirectory = (
    abs: string | Buffer,
    rel: string,
    rawRel: Buffer | undefined,
    state: S,
    builderInside: boolean,
  ): SubtreeTotals => {
    const totals: SubtreeTotals = { bytes: 0, files: 0, sentBytes: 0, sentFiles: 0 };
    const children = readChildren(abs, rel);
    if (children === null) return totals;
    for (const child of children) {
      if (filter.failure !== null) return totals;
      const path = rel === '' ? child.name : rel + '/' + child.name;
      let childAbs: string | Buffer;
      let childRaw: Buffer | undefined;
      if (child.raw || rawRel) {
        const nameBytes = child.raw ?? Buffer.from(child.name);
        childRaw = rel === '' ? nameBytes : Buffer.concat([rawRel ?? Buffer.from(rel), SLASH, nameBytes]);
        childAbs = Buffer.concat([typeof abs === 'string' ? Buffer.from(abs) : abs, SLASH, nameBytes]);
      } else {
        childAbs = (abs as string) + '/' + child.name;
      }
      const type = typeOf(child.dirent);
      let size = 0;
      if (type === 'file') {
        try {
          size = lstatSync(childAbs as string).size;
        } catch (error) {
          sink.warning({ path, code: errorCode(error), message: `cannot stat: ${(error as Error).message}` });
          continue;
        }
      }
      const entry: Entry = { path, type, size };
      if (type === 'other' && child.dirent.isSocket()) entry.socket = true;
      if (childRaw) entry.rawPath = childRaw;

      const isDir = type === 'dir';
      let sent = false;
      let descendForBuilder = false;
      let childState = state;
      if (builderInside) {
        const verdict = filter.visit(path, isDir, state);
        if (filter.failure !== null) return totals;
        sent = verdict.included && !filter.truncated && !(entry.socket && filter.builder === 'classic');
        descendForBuilder = isDir && verdict.descend;
        childState = verdict.state;
      }

      if (!isDir) {
        if (sent && filter.sendsParentsOfIncluded) flushPending();
        if (sent || visitSkipped) sink.entry(entry, sent);
        if (type === 'file') {
          totals.bytes += size;
          totals.files += 1;
          if (sent) {
            totals.sentBytes += size;
            totals.sentFiles += 1;
          }
        }
        continue;
      }

      // A directory: decide now when we can; BuildKit's excluded-but-entered ones wait.
      const deferred = !sent && descendForBuilder && filter.sendsParentsOfIncluded;
      if (sent && filter.sendsParentsOfIncluded) flushPending();
      if (!deferred && (sent || visitSkipped)) sink.entry(entry, sent);
      if (!descendForBuilder && !visitSkipped) continue;

      let marker: Pending | null = null;
      if (deferred) {
        marker = { entry, sent: false };
        pending.push(marker);
      } else if (sent && filter.sendsParentsOfIncluded) {
        pending.push({ entry, sent: true });
      }
      const sub = walkDirectory(childAbs, path, childRaw, childState, descendForBuilder);
      if (deferred || (sent && filter.sendsParentsOfIncluded)) pending.pop();
      if (marker !== null) {
        sent = marker.sent;
        if (!sent && visitSkipped && filter.failure === null) sink.entry(entry, false);
      }
      totals.bytes += sub.bytes;
      totals.files += sub.files;
      totals.sentBytes += sub.sentBytes;
      totals.sentFiles += sub.sentFiles;
      sink.leaveDirectory?.(entry, sub, sent);
    }
    return totals;
  };

  walkDirectory(options.root, '', undefined, filter.rootState, true);
}

const SLASH = Buffer.from('/');

function rawOf(child: Child): Buffer {
  return child.raw ?? Buffer.from(child.name, 'utf8');
}
