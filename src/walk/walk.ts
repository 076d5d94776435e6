import { readdirSync, type Dirent } from 'node:fs';
import type { BuilderFilter } from '../dockerignore/builders.js';
import type { Entry, EntryType, WalkWarning } from './entry.js';
import { directoryLister, ENTRY_TYPES, SOCKET } from './dir-listing.js';
import { fileSizeReader } from './file-size.js';
import { compareGoStrings } from './go-order.js';
import { decodeKeepingBytes, decodeNameLikeGo, isValidUtf8 } from './raw-names.js';

/** Totals of a directory's subtree, reported when the walk leaves it. */
export interface SubtreeTotals {
  bytes: number;
  files: number;
  /** Bytes and files of the subtree that the builder sends. */
  sentBytes: number;
  sentFiles: number;
  /** Entries of the subtree that the builder sends (BuildKit then also sends the directory). */
  sentEntries: number;
  /** Bytes of the heaviest direct child (a file, or a subdirectory's subtree). */
  heaviestChild: number;
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
  /**
   * In the subtrees the builder skips, leave regular files unstat'ed: their `size` is
   * {@link UNKNOWN_SIZE} (a record of names, as check's, needs no sizes of what no builder
   * sends, and a `lstat` per file is most of a walk's cost). Default false.
   */
  namesOnlyWhenSkipped?: boolean;
  /**
   * Offered each directory of a skipped subtree before the walk goes into it (`visitSkipped`,
   * `namesOnlyWhenSkipped`); `parentEntered` says whether the builder entered its parent. Returning
   * true leaves the subtree to the caller, who records it elsewhere (check lists such subtrees on
   * another thread with {@link listSkippedSubtree}) and splices it in after the directory's entry.
   */
  takeSkippedSubtree?: (dir: DirectoryRef<S>, parentEntered: boolean) => boolean;
  sink: WalkSink;
}

/** The `size` of a regular file the walk did not stat (see `namesOnlyWhenSkipped`). */
export const UNKNOWN_SIZE = -1;

/**
 * Stat, now, the regular files among `entries` that a names-only walk left unsized (the ones
 * some builder sends after all). A file gone since the walk counts 0 bytes, as it would no longer
 * be sent.
 */
export function fillUnknownSizes(root: string, entries: Iterable<Entry>): void {
  for (const entry of entries) {
    if (entry.size !== UNKNOWN_SIZE) continue;
    const abs = entry.rawPath ? Buffer.concat([Buffer.from(root), SLASH, entry.rawPath]) : root + '/' + entry.path;
    try {
      entry.size = fileSize(abs);
    } catch {
      entry.size = 0;
    }
  }
}

/** A directory to walk: where it is, and the builder's state there. */
export interface DirectoryRef<S> {
  /**
   * Where the file system finds it: an absolute path, or a path relative to the working directory
   * when the walk runs from the root (see `walkFromRoot`; the root itself is then `.`).
   */
  abs: string | Buffer;
  /** Relative path (`''` for the root). */
  rel: string;
  /** Raw relative path, only when some name on the way is not valid UTF-8. */
  rawRel: Buffer | undefined;
  state: S;
  /** The builder's own walk enters this directory (else it is only measured). */
  builderInside: boolean;
}

/**
 * A DirectoryRef, always built here: objects of one shape keep the walk's hot code monomorphic
 * (V8 otherwise deoptimizes and recompiles it for each new shape it meets).
 */
export function directoryRef<S>(abs: string | Buffer, rel: string, rawRel: Buffer | undefined, state: S, builderInside: boolean): DirectoryRef<S> {
  return { abs, rel, rawRel, state, builderInside };
}

/**
 * A directory entry as read, before any decision: its name, its type, and, in a directory where
 * some name is not valid UTF-8, the raw bytes of a name that is not. One class, so that the walk
 * sees objects of one shape.
 */
export class Child {
  constructor(
    readonly name: string,
    readonly type: EntryType,
    /** A Unix socket (type `other`). */
    readonly socket: boolean,
    /** The raw name, when it is not valid UTF-8. */
    readonly raw: Buffer | null,
  ) {}
}

/** What the builder decides about one child of a directory. */
export interface Visited<S> {
  entry: Entry;
  /** The builder sends it (a BuildKit directory may still become sent: see `deferred`). */
  sent: boolean;
  /** A directory BuildKit enters although excluded: sent only if something inside is. */
  deferred: boolean;
  /** For a directory: where and how to walk it. */
  directory: DirectoryRef<S> | null;
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

const SLASH = Buffer.from('/');
const fileSize = fileSizeReader();

const listDirectory = directoryLister();

function rawOf(child: Child): Buffer {
  return child.raw ?? Buffer.from(child.name, 'utf8');
}

function byGoOrder(a: Child, b: Child): number {
  return compareGoStrings(a.name, b.name);
}

/** A directory's entries, sorted in Go's order (bytes of the names). Null when it cannot be read. */
export function readDirectory(abs: string | Buffer, rel: string, warn: (w: WalkWarning) => void): Child[] | null {
  let children: Child[];
  let lossy = false;
  const listed = typeof abs === 'string' ? listDirectory(abs) : null;
  if (listed !== null) {
    const { names, types } = listed;
    children = new Array<Child>(names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const type = types[i]!;
      if (name.includes('\uFFFD')) lossy = true;
      children[i] = new Child(name, ENTRY_TYPES[type] ?? 'other', type === SOCKET, null);
    }
  } else {
    let dirents: Dirent[];
    try {
      dirents = readdirSync(abs as string, { withFileTypes: true });
    } catch (error) {
      warn({ path: rel, code: errorCode(error), message: `cannot read directory: ${(error as Error).message}` });
      return null;
    }
    children = dirents.map((dirent) => {
      if (dirent.name.includes('\uFFFD')) lossy = true;
      return new Child(dirent.name, typeOf(dirent), dirent.isSocket(), null);
    });
  }
  if (!lossy) return children.sort(byGoOrder);
  // Lossy names: read again as bytes so the entries can still be opened.
  const raw = readdirSync(abs as string, { withFileTypes: true, encoding: 'buffer' });
  children = raw.map((dirent) => {
    const bytes = dirent.name;
    const valid = isValidUtf8(bytes);
    return new Child(valid ? bytes.toString('utf8') : decodeNameLikeGo(bytes), typeOf(dirent), dirent.isSocket(), valid ? null : bytes);
  });
  return children.sort((a, b) => Buffer.compare(rawOf(a), rawOf(b)));
}

/**
 * Stat one child (regular files only: the size is all a walk needs) and let the builder decide.
 * Null when the child vanished or cannot be stat'ed (a warning says so).
 */
export function visitChild<S>(
  filter: BuilderFilter<S>,
  dir: DirectoryRef<S>,
  child: Child,
  warn: (w: WalkWarning) => void,
  statFiles = true,
): Visited<S> | null {
  const { rel, rawRel, abs } = dir;
  const path = rel === '' ? child.name : rel + '/' + child.name;
  const rawName = child.raw;
  let childAbs: string | Buffer;
  let childRaw: Buffer | undefined;
  if (rawName || rawRel) {
    const nameBytes = rawName ?? Buffer.from(child.name);
    childRaw = rel === '' ? nameBytes : Buffer.concat([rawRel ?? Buffer.from(rel), SLASH, nameBytes]);
    childAbs = abs === '.' ? nameBytes : Buffer.concat([typeof abs === 'string' ? Buffer.from(abs) : abs, SLASH, nameBytes]);
  } else if (abs === rel) {
    // Walking from the root (see `walkFromRoot`): the path is where the file system finds it, one
    // string, which the kernel call and the patterns then read flattened once.
    childAbs = path;
  } else {
    childAbs = abs === '.' ? child.name : (abs as string) + '/' + child.name;
  }
  const type = child.type;
  let size = 0;
  if (type === 'file' && !statFiles) {
    size = UNKNOWN_SIZE;
  } else if (type === 'file') {
    try {
      size = fileSize(childAbs);
    } catch (error) {
      warn({ path, code: errorCode(error), message: `cannot stat: ${(error as Error).message}` });
      return null;
    }
  }
  const entry: Entry = { path, type, size };
  if (type === 'other' && child.socket) entry.socket = true;
  if (childRaw) entry.rawPath = childRaw;

  const isDir = type === 'dir';
  let sent = false;
  let descend = false;
  let state = dir.state;
  if (dir.builderInside) {
    // Patterns compare bytes: a name that is not UTF-8 is matched with its bytes kept.
    const verdict = filter.visit(childRaw ? decodeKeepingBytes(childRaw) : path, isDir, dir.state);
    sent = verdict.included && !filter.truncated && !(entry.socket && filter.builder !== 'buildkit');
    // Read for files too: V8 then knows the field before the first directory (see walkDirectory).
    const verdictDescends = verdict.descend;
    descend = isDir && verdictDescends;
    state = verdict.state;
  }
  const deferred = isDir && !sent && descend && filter.sendsParentsOfIncluded;
  const directory = isDir ? directoryRef(childAbs, path, childRaw, state, descend) : null;
  return { entry, sent, deferred, directory };
}

interface Pending {
  entry: Entry;
  sent: boolean;
}

/**
 * Walk a context directory once, in Go's order (names sorted by bytes, parents first), never
 * following symbolic links, applying one builder's semantics. Unreadable entries become warnings.
 */
export function walkContext<S>(options: WalkOptions<S>): SubtreeTotals {
  const root = directoryRef(options.root, '', undefined, options.filter.rootState, true);
  return walkSubtree(options, root);
}

/**
 * Walk the subtree below one directory (not the directory itself), as walkContext does from the
 * root. Directories that BuildKit enters although excluded are reported once their answer is known;
 * the starting directory's own answer is the caller's (see `sentEntries`).
 */
export function walkSubtree<S>(options: Omit<WalkOptions<S>, 'root'>, start: DirectoryRef<S>): SubtreeTotals {
  return new SubtreeWalk(options.filter, options.sink, options.visitSkipped, options.namesOnlyWhenSkipped === true, options.takeSkippedSubtree ?? null).walkDirectory(start);
}

/**
 * One walk's state. A class rather than closures: a parallel measurement starts thousands of
 * walks, and methods shared by all of them stay optimized, where fresh closures would make V8
 * throw away and recompile the walk's code again and again.
 */
class SubtreeWalk<S> {
  /** Directories BuildKit entered although excluded, and sent ones, down to the current one. */
  private readonly pending: Pending[] = [];
  private sentEntries = 0;
  private readonly warn: (w: WalkWarning) => void;

  constructor(
    private readonly filter: BuilderFilter<S>,
    private readonly sink: WalkSink,
    private readonly visitSkipped: boolean,
    private readonly namesOnlyWhenSkipped: boolean,
    private readonly takeSkipped: ((dir: DirectoryRef<S>, parentEntered: boolean) => boolean) | null,
  ) {
    this.warn = (w) => sink.warning(w);
    // V8 takes a field that has only been set once for a constant, and the optimized walk would
    // read this count as 0 until the first sent entry throws that code away: set it twice here.
    this.sentEntries = -1;
    this.sentEntries = 0;
  }

  private send(entry: Entry): void {
    this.sentEntries++;
    this.sink.entry(entry, true);
  }

  /** Something inside is sent: BuildKit sends the excluded directories above it first. */
  private flushPending(): void {
    for (const p of this.pending) {
      if (!p.sent) {
        p.sent = true;
        this.send(p.entry);
      }
    }
  }

  // The walk's loop hands every entry to the small methods below, whatever the builder decided.
  // V8 optimizes the loop early, from what the first directories showed it; code on a path they
  // never took (the first sent file, the first directory BuildKit enters although it is excluded)
  // would make V8 throw the whole optimized loop away and compile it again, on every thread. In a
  // method of its own, which V8 compiles on its own, only that method is compiled again.

  /** Report an entry now, unless BuildKit's answer for this directory must wait (`deferred`). */
  private report(entry: Entry, sent: boolean, deferred: boolean): void {
    const sendsParents = this.filter.sendsParentsOfIncluded;
    if (sent) {
      if (sendsParents) this.flushPending();
      this.send(entry);
    } else if (!deferred && this.visitSkipped) {
      this.sink.entry(entry, false);
    }
  }

  /**
   * Before walking into a directory, where BuildKit sends the parents of what it sends: the
   * directory goes on the stack, a waiting one (`deferred`, not sent yet) or a sent one (so that
   * nothing sends it again). Returns what was pushed, for `leave`.
   */
  private enter(entry: Entry, sent: boolean, deferred: boolean): Pending | null {
    const sendsParents = this.filter.sendsParentsOfIncluded;
    if (!deferred && !(sent && sendsParents)) return null;
    const pending = { entry, sent };
    this.pending.push(pending);
    return pending;
  }

  /**
   * After walking into it: whether the directory is sent. A waiting one is sent if something inside
   * was; if nothing was, it is reported unsent now that its entries are known.
   */
  private leave(entry: Entry, sent: boolean, pending: Pending | null): boolean {
    if (pending === null) return sent;
    this.pending.pop();
    if (!pending.sent && this.visitSkipped && this.filter.failure === null) this.sink.entry(entry, false);
    return pending.sent;
  }

  walkDirectory(dir: DirectoryRef<S>): SubtreeTotals {
    const { filter, sink, visitSkipped } = this;
    const totals: SubtreeTotals = { bytes: 0, files: 0, sentBytes: 0, sentFiles: 0, sentEntries: 0, heaviestChild: 0 };
    const before = this.sentEntries;
    const children = readDirectory(dir.abs, dir.rel, this.warn);
    if (children === null) return totals;
    for (const child of children) {
      if (filter.failure !== null) break;
      const visited = visitChild(filter, dir, child, this.warn, dir.builderInside || !this.namesOnlyWhenSkipped);
      if (visited === null) continue;
      if (filter.failure !== null) break;
      const { entry, deferred } = visited;
      const sent = visited.sent;
      // A directory BuildKit enters although excluded waits for its answer (`deferred`).
      this.report(entry, sent, deferred);

      const directory = visited.directory;
      if (directory === null) {
        if (entry.type === 'file') {
          const size = entry.size;
          totals.bytes += size;
          totals.files += 1;
          if (size > totals.heaviestChild) totals.heaviestChild = size;
          totals.sentBytes += sent ? size : 0;
          totals.sentFiles += sent ? 1 : 0;
        }
        continue;
      }

      if (!directory.builderInside && !visitSkipped) continue;
      if (!directory.builderInside && this.namesOnlyWhenSkipped && this.takeSkipped?.(directory, dir.builderInside)) continue;

      const pending = this.enter(entry, sent, deferred);
      const sub = this.walkDirectory(directory);
      const dirSent = this.leave(entry, sent, pending);
      totals.bytes += sub.bytes;
      totals.files += sub.files;
      totals.sentBytes += sub.sentBytes;
      totals.sentFiles += sub.sentFiles;
      if (sub.bytes > totals.heaviestChild) totals.heaviestChild = sub.bytes;
      sink.leaveDirectory?.(entry, sub, dirSent);
    }
    totals.sentEntries = this.sentEntries - before;
    return totals;
  }
}

/** Type letters of {@link listSkippedSubtree}'s record. */
const TYPE_LETTER: Record<EntryType, string> = { file: 'f', dir: 'd', symlink: 'l', other: 'o' };
const LETTER_TYPE: Record<string, EntryType> = { f: 'file', d: 'dir', l: 'symlink', o: 'other', s: 'other' };

/**
 * List a subtree the builder skips, names only, exactly as a names-only walk records it (parents
 * first, Go's order, regular files unsized), as one string: per entry a type letter (`s` for a
 * socket), its path, NUL. Null when some name is not valid UTF-8 (the caller walks that subtree
 * itself). Only readdir: it runs on any thread.
 */
export function listSkippedSubtree(abs: string, rel: string, warnings: WalkWarning[], onDirectory?: () => void): string | null {
  let out = '';
  const warn = (w: WalkWarning): void => {
    warnings.push(w);
  };
  const list = (dirAbs: string, dirRel: string): boolean => {
    onDirectory?.();
    const children = readDirectory(dirAbs, dirRel, warn);
    if (children === null) return true;
    for (const child of children) {
      if (child.raw !== null) return false;
      const type = child.type;
      const path = dirRel + '/' + child.name;
      out += (type === 'other' && child.socket ? 's' : TYPE_LETTER[type]) + path + '\0';
      if (type === 'dir' && !list(dirAbs + '/' + child.name, path)) return false;
    }
    return true;
  };
  return list(abs, rel) ? out : null;
}

/** The entries of a {@link listSkippedSubtree} record. */
export function entriesOfListing(listing: string, out: Entry[]): void {
  let start = 0;
  for (let end = listing.indexOf('\0'); end !== -1; start = end + 1, end = listing.indexOf('\0', start)) {
    const letter = listing[start]!;
    const type = LETTER_TYPE[letter]!;
    const entry: Entry = { path: listing.slice(start + 1, end), type, size: type === 'file' ? UNKNOWN_SIZE : 0 };
    if (letter === 's') entry.socket = true;
    out.push(entry);
  }
}
