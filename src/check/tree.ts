import { compareGoStrings } from '../walk/go-order.js';
import type { Entry } from '../walk/entry.js';

/** The whole directory as data: every entry, parents before children, with quick lookups. */
export interface TreeIndex {
  /** Every entry below the root, sorted so that a directory comes before its entries. */
  readonly entries: readonly Entry[];
  /** Index of each entry's parent directory in `entries`, -1 for top-level entries. */
  readonly parent: Int32Array;
  /** Entry index by path. */
  readonly byPath: ReadonlyMap<string, number>;
}

/** Index a list of entries (in any order) for the checks. Pure. */
export function indexTree(entries: readonly Entry[]): TreeIndex {
  const sorted = [...entries].sort((a, b) => compareGoStrings(a.path, b.path));
  const byPath = new Map<string, number>();
  sorted.forEach((e, i) => byPath.set(e.path, i));
  const parent = new Int32Array(sorted.length);
  sorted.forEach((e, i) => {
    const slash = e.path.lastIndexOf('/');
    parent[i] = slash === -1 ? -1 : (byPath.get(e.path.slice(0, slash)) ?? -1);
  });
  return { entries: sorted, parent, byPath };
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
