import { compareGoStrings } from '../walk/go-order.js';
import type { Entry } from '../walk/entry.js';
import type { PathLookup } from '../walk/replay.js';

/** The whole directory as data: every entry, with quick lookups of paths and parents. */
export interface TreeIndex {
  /**
   * Every entry below the root, in walk order (Go's order, except that a directory BuildKit
   * enters although it is excluded comes after its entries).
   */
  readonly entries: readonly Entry[];
  /** Index of each entry's parent directory in `entries`, -1 for top-level entries. */
  readonly parent: Int32Array;
  /** Entry index by path. */
  readonly byPath: PathLookup;
}

/**
 * Index a list of entries (in any order) for the checks. Pure. `known`: the same index made
 * already (a ContextTree of these entries has both), so that it is not made twice.
 */
export function indexTree(entries: readonly Entry[], known?: { index: PathLookup; entryParent: Int32Array }): TreeIndex {
  if (known !== undefined) return { entries, parent: known.entryParent, byPath: known.index };
  const byPath = new Map<string, number>();
  entries.forEach((e, i) => byPath.set(e.path, i));
  const parent = new Int32Array(entries.length);
  entries.forEach((e, i) => {
    const slash = e.path.lastIndexOf('/');
    parent[i] = slash === -1 ? -1 : (byPath.get(e.path.slice(0, slash)) ?? -1);
  });
  return { entries, parent, byPath };
}

/**
 * Compute a per-entry value that depends on the parent's value, whatever the order of the
 * entries: `own(i, parentValue)` is called once per entry, parents first.
 */
export function fromParents(tree: TreeIndex, own: (index: number, parentValue: number) => number): Uint8Array {
  const UNSET = 255;
  const values = new Uint8Array(tree.entries.length).fill(UNSET);
  const stack: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== UNSET) continue;
    // Climb to the first ancestor with a value (or the top), then come down.
    let j = i;
    while (j !== -1 && values[j] === UNSET) {
      stack.push(j);
      j = tree.parent[j]!;
    }
    let above = j === -1 ? 0 : values[j]!;
    while (stack.length > 0) {
      const k = stack.pop()!;
      above = own(k, above);
      values[k] = above;
    }
  }
  return values;
}

/** `a/b/c` -> `c`. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Is `path` equal to `dir` or inside it? */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + '/');
}

/**
 * Keep only the topmost paths: drop every path that lies inside another one of the list.
 * Returns them sorted.
 */
export function topmost(paths: Iterable<string>): string[] {
  const all = new Set(paths);
  const out: string[] = [];
  for (const p of all) {
    let inside = false;
    for (let i = p.indexOf('/'); i !== -1 && !inside; i = p.indexOf('/', i + 1)) inside = all.has(p.slice(0, i));
    if (!inside) out.push(p);
  }
  return out.sort(compareGoStrings);
}

/**
 * Bytes of the regular files among `sentFiles` that lie in (or are) one of `paths`. `paths` must
 * be topmost (no path inside another).
 */
export function bytesWithin(tree: TreeIndex, paths: readonly string[], sent: ReadonlySet<string>): number {
  const roots = new Set(paths);
  let total = 0;
  tree.entries.forEach((entry, i) => {
    if (entry.type !== 'file' || !sent.has(entry.path)) return;
    for (let j = i; j !== -1; j = tree.parent[j]!) {
      if (roots.has(tree.entries[j]!.path)) {
        total += entry.size;
        return;
      }
    }
  });
  return total;
}
