/**
 * A recorded tree and a builder's walk replayed over it in memory. One disk walk records the
 * whole directory; every further question of the form "what would this filter send" (the other
 * builder, the effective context, a candidate ignore line) is answered from the record, with the
 * walk's own rules for entering excluded directories and sending their parents.
 */
import type { BuilderFilter } from '../dockerignore/builders.js';
import type { Entry } from './entry.js';
import { compareGoStrings } from './go-order.js';
import { decodeKeepingBytes } from './raw-names.js';

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/**
 * The current context as a tree: its entries in walk order, a path index, and the nodes a walk
 * passes through: the entries plus the directories above them that the builder does not send
 * (the classic builder sends re-included entries without their parents).
 */
export class ContextTree {
  /** Entry index by path (entries only, not the unsent directories). */
  readonly index = new Map<string, number>();
  /** The entries, then the unsent directories above some of them. */
  readonly nodes: Entry[];
  /** Each directory's children (indexes into `nodes`), in walk order. */
  readonly children = new Map<string, number[]>();

  constructor(readonly entries: readonly Entry[]) {
    this.nodes = [...entries];
    const n = entries.length;
    for (let i = 0; i < n; i++) this.index.set(entries[i]!.path, i);
    // Each path's parent is computed once; an unsent directory is one no entry has the path of.
    const parents: string[] = new Array<string>(n);
    const unsent = new Set<string>();
    const added = new Set<string>();
    for (let i = 0; i < n; i++) {
      const parent = parentOf(entries[i]!.path);
      parents[i] = parent;
      for (let dir = parent; dir !== '' && !this.index.has(dir) && !unsent.has(dir); dir = parentOf(dir)) {
        unsent.add(dir);
        added.add(parentOf(dir));
        this.nodes.push({ path: dir, type: 'dir', size: 0 });
      }
    }
    for (let i = 0; i < this.nodes.length; i++) {
      const parent = i < n ? parents[i]! : parentOf(this.nodes[i]!.path);
      const list = this.children.get(parent);
      if (list) list.push(i);
      else this.children.set(parent, [i]);
    }
    // Only directories that gained an unsent directory need sorting (the walk gave the rest its order).
    for (const dir of added) {
      this.children.get(dir)?.sort((a, b) => compareGoStrings(baseName(this.nodes[a]!.path), baseName(this.nodes[b]!.path)));
    }
  }

  /** The index of the entry's parent directory among the entries, or -1 (top level, or a parent not sent). */
  parentIndex(i: number): number {
    const parent = parentOf(this.entries[i]!.path);
    return parent === '' ? -1 : (this.index.get(parent) ?? -1);
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
  const visitDirectory = (dir: string, state: unknown): void => {
    for (const i of tree.children.get(dir) ?? []) {
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
      visitDirectory(entry.path, verdict.state);
      if (marker) pending.pop();
    }
  };
  visitDirectory('', filter.rootState);
  if (filter.failure) throw filter.failure;
  return sent.subarray(0, tree.entries.length);
}
