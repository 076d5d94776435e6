/**
 * A recorded tree and a builder's walk replayed over it in memory. One disk walk records the
 * whole directory; every further question of the form "what would this filter send" (the other
 * builder, the effective context, a candidate ignore line) is answered from the record, with the
 * walk's own rules for entering excluded directories and sending their parents.
 */
import type { BuilderFilter } from '../dockerignore/builders.js';
import type { Entry, WalkWarning } from './entry.js';
import { compareGoStrings } from './go-order.js';
import { decodeKeepingBytes } from './raw-names.js';
import { directoryRef, readDirectory, visitChild, walkContext, type WalkOptions, type WalkSink } from './walk.js';

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/**
 * The current context as a tree: its entries in walk order, a path index, and the nodes a walk
 * passes through: the entries plus the directories above them that the builder does not send
 * (the classic builder sends re-included entries without their parents).
 */
/** Entry index by path: what a tree's index answers (a Map is one). */
export interface PathLookup {
  get(path: string): number | undefined;
  has(path: string): boolean;
}

/**
 * A ContextTree's index: a Map of the entries it holds, and, for entries left out of it (a
 * subtree recorded in one piece, see `unindexed`), a search down the tree from the nearest
 * directory in the Map. Answers exactly what a Map of every entry answers.
 */
class PathIndex implements PathLookup {
  readonly map = new Map<string, number>();
  /** Some entries are not in the map. */
  partial = false;

  constructor(private readonly tree: ContextTree) {}

  get(path: string): number | undefined {
    const hit = this.map.get(path);
    if (hit !== undefined || !this.partial) return hit;
    // The nearest directory above it in the map (else the root), then down name by name.
    let slot = 0;
    let start = 0;
    for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
      const i = this.map.get(path.slice(0, slash));
      if (i !== undefined) {
        slot = i + 1;
        start = slash + 1;
        break;
      }
    }
    const { firstChild, nextSibling, nodes, entries } = this.tree;
    for (;;) {
      const end = path.indexOf('/', start);
      const stop = end === -1 ? path.length : end;
      const name = path.slice(start, stop);
      let found = -1;
      // The last child of that name, as a Map of every entry keeps the last one.
      for (let c = firstChild[slot]!; c !== -1; c = nextSibling[c]!) {
        const p = nodes[c]!.path;
        if (p.length === stop && (start === 0 || p.charCodeAt(start - 1) === 47) && p.endsWith(name)) found = c;
      }
      if (found === -1) return undefined;
      if (end === -1) return found < entries.length ? found : undefined;
      slot = found + 1;
      start = end + 1;
    }
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }
}

export class ContextTree {
  /**
   * Entry index by path (entries only, not the unsent directories). Entries marked `unindexed`
   * are found by a search below their nearest indexed directory: a record of a whole directory
   * then hashes only the paths it is asked about, not the 85% it holds of skipped subtrees.
   */
  readonly index: PathLookup;
  /** The entries, then the unsent directories above some of them. */
  readonly nodes: readonly Entry[];
  /** Each entry's parent directory among the entries (-1: top level, or a parent not among them). */
  readonly entryParent: Int32Array;
  /**
   * The tree's shape, in walk order: per slot (0 the root, `i + 1` node `i`) its first child, and
   * per node its next sibling (-1: none). Two arrays of integers rather than a list per directory:
   * a record of 190,000 entries would otherwise hold 20,000 lists and a map of their paths.
   */
  readonly firstChild: Int32Array;
  readonly nextSibling: Int32Array;
  private childLists: Map<string, number[]> | null = null;

  constructor(
    readonly entries: readonly Entry[],
    /**
     * Entries to leave out of the index's map (1): each must come after its parent and before its
     * children (a subtree listed in one piece is so; BuildKit's excluded directories that it
     * entered come after their entries, and stay in the map).
     */
    unindexed?: Uint8Array,
  ) {
    const n = entries.length;
    const index = new PathIndex(this);
    this.index = index;
    // A name that is not UTF-8 may read like another one: such trees keep every path in the map.
    const partial = unindexed !== undefined && !entries.some((e) => e.rawPath !== undefined);
    index.partial = partial;
    const map = index.map;
    for (let i = 0; i < n; i++) if (!partial || unindexed[i] !== 1) map.set(entries[i]!.path, i);
    // Each path's parent is looked up once; an unsent directory is one no entry has the path of.
    this.entryParent = new Int32Array(n);
    const unsent = new Map<string, number>();
    const added = new Set<string>();
    const extra: Entry[] = [];
    // In walk order the parent is usually the innermost directory still open: a stack finds it
    // without a new string and a lookup per entry (the index answers the others).
    const open: number[] = [];
    for (let i = 0; i < n; i++) {
      const path = entries[i]!.path;
      const slash = path.lastIndexOf('/');
      let p = -1;
      if (slash !== -1) {
        while (open.length > 0) {
          const top = entries[open[open.length - 1]!]!.path;
          if (top.length < path.length && path.charCodeAt(top.length) === 47 && path.startsWith(top)) break;
          open.pop();
        }
        const top = open.length > 0 ? open[open.length - 1]! : -1;
        p = top !== -1 && entries[top]!.path.length === slash ? top : (map.get(path.slice(0, slash)) ?? -1);
      } else {
        open.length = 0;
      }
      if (entries[i]!.type === 'dir') open.push(i);
      this.entryParent[i] = p;
      if (p !== -1 || slash === -1) continue;
      for (let dir = path.slice(0, slash); dir !== '' && !map.has(dir) && !unsent.has(dir); dir = parentOf(dir)) {
        unsent.set(dir, n + extra.length);
        added.add(parentOf(dir));
        extra.push({ path: dir, type: 'dir', size: 0 });
      }
    }
    // A record of the whole directory (check's) has no unsent directory: the entries are the nodes.
    this.nodes = extra.length === 0 ? entries : [...entries, ...extra];
    const count = this.nodes.length;
    this.firstChild = new Int32Array(count + 1).fill(-1);
    this.nextSibling = new Int32Array(count).fill(-1);
    const lastChild = new Int32Array(count + 1).fill(-1);
    const slotOf = (dir: string): number => {
      if (dir === '') return 0;
      const i = map.get(dir) ?? unsent.get(dir);
      return i === undefined ? 0 : i + 1;
    };
    for (let i = 0; i < count; i++) {
      const p = i < n ? this.entryParent[i]! : -1;
      const slot = p !== -1 ? p + 1 : slotOf(parentOf(this.nodes[i]!.path));
      if (lastChild[slot] === -1) this.firstChild[slot] = i;
      else this.nextSibling[lastChild[slot]!] = i;
      lastChild[slot] = i;
    }
    // Only directories that gained an unsent directory need sorting (the walk gave the rest its order).
    for (const dir of added) {
      const slot = slotOf(dir);
      const list = this.childrenIn(slot).sort((a, b) => compareGoStrings(baseName(this.nodes[a]!.path), baseName(this.nodes[b]!.path)));
      this.firstChild[slot] = list[0] ?? -1;
      list.forEach((c, k) => (this.nextSibling[c] = list[k + 1] ?? -1));
    }
  }

  /** The children (indexes into `nodes`) in a slot (0 the root, `i + 1` node `i`), in walk order. */
  childrenIn(slot: number): number[] {
    const out: number[] = [];
    for (let c = this.firstChild[slot]!; c !== -1; c = this.nextSibling[c]!) out.push(c);
    return out;
  }

  /** Each directory's children (indexes into `nodes`) by its path, made when first asked for. */
  get children(): ReadonlyMap<string, number[]> {
    if (this.childLists === null) {
      const lists = new Map<string, number[]>();
      for (let slot = 0; slot <= this.nodes.length; slot++) {
        if (this.firstChild[slot] === -1) continue;
        lists.set(slot === 0 ? '' : this.nodes[slot - 1]!.path, this.childrenIn(slot));
      }
      this.childLists = lists;
    }
    return this.childLists;
  }

  /** The index of the entry's parent directory among the entries, or -1 (top level, or a parent not sent). */
  parentIndex(i: number): number {
    return this.entryParent[i]!;
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Replay a builder's filter over the tree exactly as `walkContext` drives it (parents first,
 * directories entered when the verdict says so, BuildKit's excluded directories sent when they
 * hold a sent entry). Returns one flag per entry: sent or not. Throws BuildFailure.
 */
export function replayFilter(filter: BuilderFilter<unknown>, tree: ContextTree): Uint8Array {
  const sent = new Uint8Array(tree.nodes.length);
  const pending: { index: number; sent: boolean }[] = [];
  const flush = (): void => {
    for (const p of pending) {
      if (!p.sent) {
        p.sent = true;
        sent[p.index] = 1;
      }
    }
  };
  const { firstChild, nextSibling } = tree;
  const visitDirectory = (slot: number, state: unknown): void => {
    for (let i = firstChild[slot]!; i !== -1; i = nextSibling[i]!) {
      if (filter.failure !== null) return;
      const entry = tree.nodes[i]!;
      const isDir = entry.type === 'dir';
      // As the walk does: a name that is not UTF-8 is matched with its bytes kept.
      const verdict = filter.visit(entry.rawPath ? decodeKeepingBytes(entry.rawPath) : entry.path, isDir, state);
      if (filter.failure !== null) return;
      const isSent = verdict.included && !filter.truncated && !(entry.socket && filter.builder === 'classic');
      if (isSent && filter.sendsParentsOfIncluded) flush();
      if (isSent) sent[i] = 1;
      if (!isDir || !verdict.descend) continue;
      const deferred = !isSent && filter.sendsParentsOfIncluded;
      const marker = deferred ? { index: i, sent: false } : isSent && filter.sendsParentsOfIncluded ? { index: i, sent: true } : null;
      if (marker) pending.push(marker);
      visitDirectory(i + 1, verdict.state);
      if (marker) pending.pop();
    }
  };
  visitDirectory(0, filter.rootState);
  if (filter.failure) throw filter.failure;
  return sent.subarray(0, tree.entries.length);
}

/** Passed to visitChild for a directory read outside any builder's walk: it is never consulted then. */
const NO_FILTER = null as unknown as BuilderFilter<null>;
const SLASH = Buffer.from('/');

/**
 * A walk's entry point, as `walkContext` has it: a measurement-free walk that reports the sent
 * entries to the sink. Several walks of one directory can share a {@link DiskRecord}.
 */
export type ContextWalker = (options: WalkOptions<unknown>) => void;

/**
 * The directory as read from disk so far, shared by several builders' walks of it. A directory is
 * read (listed, its files stat'ed, exactly as `walkContext` reads it) the first time some walk
 * enters it; every later walk that enters it is replayed from memory. So the first walk costs what
 * a disk walk costs, and the others (the other builder, the ignore file with new lines, the
 * effective context) only read what none before them entered.
 */
export class DiskRecord {
  /** Every entry of the directories read so far. */
  private readonly entries: Entry[] = [];
  /** Per entry: its children (indexes into `entries`, in walk order) once read. */
  private readonly children: (number[] | undefined)[] = [];
  private rootChildren: number[] | undefined;
  /** Entries whose directory could not be read (a warning said so). */
  private readonly unreadable = new Set<number>();
  /** Directories with a child the walk skipped (it could not be stat'ed): their names are not all here. */
  private readonly partial = new Set<number>();
  /** Each entry's index, made when first asked for (see `lists`). */
  private indexes: Map<Entry, number> | null = null;
  /** Per directory asked about: whether all its names are printable ASCII (see `lists`). */
  private readonly plainNames = new Map<number, boolean>();
  private warn: (w: WalkWarning) => void = () => {};

  constructor(
    /** The context root, as the walks name it. */
    readonly root: string,
  ) {}

  /**
   * A walker for `walkContext`'s callers (no measurement, `visitSkipped` false): replayed over the
   * record when it walks this root, a disk walk otherwise.
   */
  readonly walk: ContextWalker = (options) => {
    if (options.root !== this.root || options.visitSkipped || options.sink.leaveDirectory) {
      walkContext(options);
      return;
    }
    this.replay(options.filter, options.sink);
  };

  /** The entry at an index of the record. */
  entryAt(index: number): Entry {
    return this.entries[index]!;
  }

  /**
   * The children of a directory (`-1`: the root) that some walk read already, in walk order;
   * undefined when none did, or when it could not be read.
   */
  readChildren(index: number): readonly number[] | undefined {
    if (this.unreadable.has(index)) return undefined;
    return index === -1 ? this.rootChildren : this.children[index];
  }

  /**
   * Whether a directory of the record (an entry some walk gave out) holds an entry with this name,
   * as `existsSync` would answer; undefined when the record cannot say so for sure: the directory
   * was not read or not wholly, the name is a symbolic link (existsSync follows it), or a name
   * there differs from it only in case or is not ASCII (a file system may ignore case).
   */
  lists(dir: Entry, name: string): boolean | undefined {
    if (this.indexes === null) {
      this.indexes = new Map();
      this.entries.forEach((e, i) => this.indexes!.set(e, i));
    }
    const index = this.indexes.get(dir);
    if (index === undefined || this.partial.has(index)) return undefined;
    const children = this.readChildren(index);
    if (children === undefined) return undefined;
    let plain = this.plainNames.get(index);
    if (plain === undefined) {
      plain = children.every((i) => this.entries[i]!.rawPath === undefined && /^[\x20-\x7e]*$/.test(this.entries[i]!.path));
      this.plainNames.set(index, plain);
    }
    if (!plain) return undefined;
    const lower = name.toLowerCase();
    let found: boolean | undefined = false;
    for (const i of children) {
      const child = this.entries[i]!;
      const own = child.path.slice(child.path.lastIndexOf('/') + 1);
      if (own === name) found = child.type === 'symlink' ? undefined : true;
      else if (own.length === name.length && own.toLowerCase() === lower) return undefined;
    }
    return found;
  }

  /** The children of a directory (`-1`: the root), read from disk the first time. */
  private childrenOf(index: number): number[] {
    const known = index === -1 ? this.rootChildren : this.children[index];
    if (known !== undefined) return known;
    const dir = index === -1 ? null : this.entries[index]!;
    const rel = dir === null ? '' : dir.path;
    const raw = dir?.rawPath;
    // The same names the walk gives it: the root, then `/` and each name (bytes when one is not UTF-8).
    const abs = dir === null ? this.root : raw ? Buffer.concat([Buffer.from(this.root), SLASH, raw]) : this.root + '/' + rel;
    const ref = directoryRef<null>(abs, rel, raw, null, false);
    const list: number[] = [];
    const read = readDirectory(abs, rel, this.warn);
    if (read === null) {
      this.unreadable.add(index);
    } else {
      for (const child of read) {
        const visited = visitChild(NO_FILTER, ref, child, this.warn);
        if (visited === null) {
          this.partial.add(index);
          continue;
        }
        list.push(this.entries.length);
        this.entries.push(visited.entry);
        this.children.push(undefined);
      }
    }
    if (index === -1) this.rootChildren = list;
    else this.children[index] = list;
    return list;
  }

  /** Walk the record as `walkContext` walks the disk (see the class comment). */
  private replay(filter: BuilderFilter<unknown>, sink: WalkSink): void {
    const pending: { entry: Entry; sent: boolean }[] = [];
    const flush = (): void => {
      for (const p of pending) {
        if (!p.sent) {
          p.sent = true;
          sink.entry(p.entry, true);
        }
      }
    };
    const visitDirectory = (index: number, state: unknown): void => {
      for (const i of this.childrenOf(index)) {
        if (filter.failure !== null) return;
        const entry = this.entries[i]!;
        const isDir = entry.type === 'dir';
        // As the walk does: a name that is not UTF-8 is matched with its bytes kept.
        const verdict = filter.visit(entry.rawPath ? decodeKeepingBytes(entry.rawPath) : entry.path, isDir, state);
        if (filter.failure !== null) return;
        const sent = verdict.included && !filter.truncated && !(entry.socket && filter.builder !== 'buildkit');
        if (sent) {
          if (filter.sendsParentsOfIncluded) flush();
          sink.entry(entry, true);
        }
        if (!isDir || !verdict.descend) continue;
        const marked = filter.sendsParentsOfIncluded;
        if (marked) pending.push({ entry, sent });
        visitDirectory(i, verdict.state);
        if (marked) pending.pop();
      }
    };
    const warn = this.warn;
    this.warn = (w) => sink.warning(w);
    try {
      visitDirectory(-1, filter.rootState);
    } finally {
      this.warn = warn;
    }
  }
}
