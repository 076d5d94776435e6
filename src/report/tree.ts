import type { LargestPath, MeasureReport } from '../measure/measure.js';

/**
 * One row of the "where the bytes are" tree. `label` is the path below the parent row: a chain
 * of directories that holds nothing else (a directory whose bytes are all in one child) is
 * folded into one row, `typescript/lib/typescript.js`, as dust and ncdu users expect.
 */
export interface TreeNode {
  path: string;
  label: string;
  type: 'file' | 'dir';
  bytes: number;
  /** Bytes of it that the builder sends. */
  contextBytes: number;
  files: number;
  children: TreeNode[];
}

export interface TreeOptions {
  /** Rows down to this many path levels below the root (1: top-level entries only); default all. */
  depth?: number;
}

function levels(path: string): number {
  let n = 1;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}

/**
 * The largest paths of a measurement as a tree: each path under the nearest listed ancestor, the
 * top-level directory of each taken from `byTopLevel` when `largest` does not list it itself, so
 * that every row hangs under its top-level entry. Pure: data in, data out.
 */
export function buildTree(report: Pick<MeasureReport, 'largest' | 'byTopLevel'>, options: TreeOptions = {}): TreeNode[] {
  const maxDepth = options.depth ?? Infinity;
  const byPath = new Map<string, TreeNode>();
  const add = (item: Pick<LargestPath, 'path' | 'type' | 'bytes' | 'contextBytes' | 'files'>): void => {
    if (byPath.has(item.path) || levels(item.path) > maxDepth) return;
    byPath.set(item.path, { path: item.path, label: item.path, type: item.type, bytes: item.bytes, contextBytes: item.contextBytes, files: item.files, children: [] });
  };
  const topLevel = new Map((report.byTopLevel ?? []).map((t) => [t.path, t]));
  for (const item of report.largest) {
    add(item);
    const top = item.path.split('/')[0]!;
    const entry = topLevel.get(top);
    if (entry !== undefined && top !== item.path) add(entry);
  }
  const roots: TreeNode[] = [];
  for (const node of [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    let parent: TreeNode | undefined;
    for (let cut = node.path.lastIndexOf('/'); cut > 0 && parent === undefined; cut = node.path.lastIndexOf('/', cut - 1)) {
      parent = byPath.get(node.path.slice(0, cut));
    }
    if (parent === undefined) roots.push(node);
    else {
      node.label = node.path.slice(parent.path.length + 1);
      parent.children.push(node);
    }
  }
  const fold = (node: TreeNode): TreeNode => {
    node.children = node.children.map(fold).sort(heaviestFirst);
    const only = node.children.length === 1 ? node.children[0]! : null;
    if (only !== null && only.bytes === node.bytes && only.contextBytes === node.contextBytes) {
      return { ...only, label: `${node.label}/${only.label}` };
    }
    return node;
  };
  return roots.map(fold).sort(heaviestFirst);
}

function heaviestFirst(a: TreeNode, b: TreeNode): number {
  return b.bytes - a.bytes || (a.path < b.path ? -1 : 1);
}

/** A node and its descendants in display order, with their depth in the tree and whether each is the last child. */
export function* walkTree(nodes: readonly TreeNode[], prefix: boolean[] = []): Generator<{ node: TreeNode; lasts: boolean[] }> {
  for (let i = 0; i < nodes.length; i++) {
    const lasts = [...prefix, i === nodes.length - 1];
    yield { node: nodes[i]!, lasts };
    yield* walkTree(nodes[i]!.children, lasts);
  }
}
