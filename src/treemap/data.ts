/**
 * The data of the HTML treemap: the whole directory as a tree of sizes, each node with the bytes
 * the builder sends and the bytes the Dockerfile uses (BuildKit's effective context). Pure: the
 * entries come in, a bounded tree comes out.
 */

/** One rectangle of the treemap. `rest` nodes stand for the entries too small to draw, summed. */
export interface MapNode {
  name: string;
  kind: 'dir' | 'file' | 'rest';
  bytes: number;
  /** Bytes of it that the builder sends. */
  sent: number;
  /** Bytes of it that the Dockerfile uses (BuildKit transfers); 0 when unknown. */
  effective: number;
  files: number;
  children?: MapNode[];
}

/** Builds the tree one file at a time, in any order. */
export class MapBuilder {
  readonly root: MapNode = { name: '.', kind: 'dir', bytes: 0, sent: 0, effective: 0, files: 0, children: [] };
  private readonly index = new Map<string, MapNode>([['', this.root]]);

  /** A regular file, sent or not. Directories come with their files. */
  file(path: string, bytes: number, sent: boolean): void {
    const node = this.node(path, 'file');
    node.bytes = bytes;
    node.files = 1;
    node.sent = sent ? bytes : 0;
    for (const parent of this.ancestors(path)) {
      parent.bytes += bytes;
      parent.files += 1;
      if (sent) parent.sent += bytes;
    }
  }

  /** A directory, so that empty ones exist too. */
  dir(path: string): void {
    this.node(path, 'dir');
  }

  /** A regular file of the effective context (already added with file()). */
  effective(path: string, bytes: number): void {
    const node = this.index.get(path);
    if (node === undefined) return;
    node.effective = bytes;
    for (const parent of this.ancestors(path)) parent.effective += bytes;
  }

  private ancestors(path: string): MapNode[] {
    const out: MapNode[] = [this.root];
    for (let cut = path.indexOf('/'); cut !== -1; cut = path.indexOf('/', cut + 1)) out.push(this.index.get(path.slice(0, cut))!);
    return out;
  }

  private node(path: string, kind: 'dir' | 'file'): MapNode {
    let node = this.index.get(path);
    if (node !== undefined) return node;
    const cut = path.lastIndexOf('/');
    const parent = cut === -1 ? this.root : this.node(path.slice(0, cut), 'dir');
    node = { name: path.slice(cut + 1), kind, bytes: 0, sent: 0, effective: 0, files: 0, ...(kind === 'dir' ? { children: [] } : {}) };
    parent.children!.push(node);
    this.index.set(path, node);
    return node;
  }
}

export interface PruneOptions {
  /** Entries smaller than this share of the whole are summed into their directory's `rest` node. */
  minShare?: number;
  /** At most this many nodes in all (the heaviest are kept). */
  maxNodes?: number;
}

/**
 * A copy of the tree small enough for a page: children sorted heaviest first, entries below
 * `minShare` of the whole (and beyond `maxNodes`) summed into one `rest` node per directory, so
 * every byte is still drawn somewhere and the totals stay exact.
 */
export function pruneMap(root: MapNode, options: PruneOptions = {}): MapNode {
  const minBytes = Math.max(1, root.bytes * (options.minShare ?? 0.0005));
  const maxNodes = options.maxNodes ?? 4000;
  // The heaviest nodes first, across the whole tree, until the budget is spent.
  const kept = new Set<MapNode>([root]);
  const frontier: MapNode[] = [...(root.children ?? [])];
  while (frontier.length > 0 && kept.size < maxNodes) {
    let best = 0;
    for (let i = 1; i < frontier.length; i++) if (frontier[i]!.bytes > frontier[best]!.bytes) best = i;
    const node = frontier.splice(best, 1)[0]!;
    if (node.bytes < minBytes) break;
    kept.add(node);
    if (node.children) frontier.push(...node.children);
  }
  const copy = (node: MapNode): MapNode => {
    if (!node.children) return { ...node };
    const children: MapNode[] = [];
    const rest: MapNode = { name: '', kind: 'rest', bytes: 0, sent: 0, effective: 0, files: 0 };
    let restEntries = 0;
    for (const child of node.children) {
      if (kept.has(child)) children.push(copy(child));
      else {
        rest.bytes += child.bytes;
        rest.sent += child.sent;
        rest.effective += child.effective;
        rest.files += child.files;
        restEntries++;
      }
    }
    children.sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1));
    if (rest.bytes > 0) {
      rest.name = `${restEntries} smaller entr${restEntries === 1 ? 'y' : 'ies'}`;
      children.push(rest);
    }
    // A directory that holds one entry only is drawn as one rectangle, `lib/typescript.js`.
    const only = children.length === 1 ? children[0]! : null;
    if (node !== root && only !== null && only.kind !== 'rest') return { ...only, name: `${node.name}/${only.name}` };
    return { ...node, children };
  };
  return copy(root);
}

/** Count the nodes of a tree (for tests and limits). */
export function countNodes(node: MapNode): number {
  return 1 + (node.children ?? []).reduce((n, c) => n + countNodes(c), 0);
}
