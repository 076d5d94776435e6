/**
 * Exact savings: what a set of ignore lines removes from the current context, computed with
 * Docker's own matcher and the builders' own filters (src/walk/builders.ts), never estimated.
 *
 * The current context is walked once from disk. A candidate's lines are then judged in memory:
 * - BuildKit with no exception anywhere in the resulting file: an appended exclusion removes
 *   exactly the entries that it or their parents match (reference section 2);
 * - otherwise the builder's filter is replayed over the current context's tree, in the walk's
 *   order, with the walk's rules for entering excluded directories and sending their parents.
 *   Adding lines to ctxsize's block only ever adds exclusions, and exceptions for entries that are
 *   sent now, so no entry outside the current context can appear: its tree is enough.
 * The combined result and the allow-list are checked with the real walkers on disk (`walkSent`).
 */
import { createFilter } from '../context/filter.js';
import type { ResolvedContext } from '../context/resolve.js';
import { PatternMatcher } from '../dockerignore/matcher.js';
import { PatternCompileError } from '../dockerignore/pattern.js';
import { parseIgnoreFile, type IgnoreFile } from '../dockerignore/read.js';
import { BuildFailure, type BuilderFilter } from '../walk/builders.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { walkContext } from '../walk/walk.js';
import { insertIntoBlock } from './block.js';
import { parentOf } from './patterns.js';
import type { Amount } from './types.js';

/** The entries a builder sends for a context, read from disk with the real walker. */
export function walkSent(context: ResolvedContext): { entries: Entry[]; warnings: WalkWarning[] } {
  const filter = createFilter(context);
  const entries: Entry[] = [];
  const warnings: WalkWarning[] = [];
  walkContext({
    root: context.root,
    filter,
    visitSkipped: false,
    sink: {
      entry: (entry, sent) => {
        if (sent) entries.push(entry);
      },
      warning: (warning) => warnings.push(warning),
    },
  });
  if (filter.failure) throw filter.failure;
  return { entries, warnings };
}

/** Files, bytes and entries of a list of entries. */
export function amountOf(entries: Iterable<Entry>): Amount {
  const amount: Amount = { files: 0, bytes: 0, entries: 0 };
  for (const entry of entries) {
    amount.entries++;
    if (entry.type === 'file') {
      amount.files++;
      amount.bytes += entry.size;
    }
  }
  return amount;
}

/** The current context as a tree: entries in walk order, each directory's children, a path index. */
export class ContextTree {
  readonly index = new Map<string, number>();
  readonly children = new Map<string, number[]>();

  constructor(readonly entries: readonly Entry[]) {
    entries.forEach((entry, i) => {
      this.index.set(entry.path, i);
      const parent = parentOf(entry.path);
      const list = this.children.get(parent);
      if (list) list.push(i);
      else this.children.set(parent, [i]);
    });
  }

  /** The index of the entry's parent directory in the tree, or -1 (a top-level entry). */
  parentIndex(i: number): number {
    const parent = parentOf(this.entries[i]!.path);
    return parent === '' ? -1 : (this.index.get(parent) ?? -1);
  }
}

/**
 * Replay a builder's filter over the tree exactly as `walkContext` drives it (parents first,
 * directories entered when the verdict says so, BuildKit's excluded directories sent when they
 * hold a sent entry). Returns one flag per entry: sent or not. Throws BuildFailure.
 */
export function replayFilter(filter: BuilderFilter<unknown>, tree: ContextTree): Uint8Array {
  const sent = new Uint8Array(tree.entries.length);
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
      const entry = tree.entries[i]!;
      const isDir = entry.type === 'dir';
      const verdict = filter.visit(entry.path, isDir, state);
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
  return sent;
}

/** What a set of lines removes from the current context. */
export interface Removal {
  /** One flag per entry of the tree: removed or not. */
  flags: Uint8Array;
  amount: Amount;
  /** Removed entries whose parent stays (a removed directory stands for its content), walk order. */
  top: string[];
}

/** Computes removals against one current context and its ignore file. */
export class RemovalEngine {
  constructor(
    readonly context: ResolvedContext,
    readonly tree: ContextTree,
    /** The current bytes of the ignore file the lines go into (empty when it does not exist). */
    readonly current: Buffer,
    /** A label for parse errors. */
    readonly label: string,
  ) {}

  /** The ignore file's bytes with these lines added to ctxsize's block. */
  contentWith(lines: readonly string[]): Buffer {
    return insertIntoBlock(this.current, lines.map((pattern) => ({ pattern, comment: '' }))).after;
  }

  parse(bytes: Buffer): IgnoreFile {
    return parseIgnoreFile(bytes, this.label, this.context.platform);
  }

  /**
   * What adding these lines to ctxsize's block removes. Null when Docker would refuse the result
   * (a line that does not compile).
   */
  evaluate(lines: readonly string[]): Removal | null {
    const { after, added } = insertIntoBlock(this.current, lines.map((pattern) => ({ pattern, comment: '' })));
    if (added.length === 0) return this.removal(new Uint8Array(this.tree.entries.length));
    const ignore = this.parse(after);
    try {
      if (this.context.builder === 'buildkit' && !ignore.rules.some((rule) => rule.pattern.startsWith('!'))) {
        return this.removal(this.appendedExclusions(added));
      }
      const sent = replayFilter(createFilter({ ...this.context, ignore }), this.tree);
      return this.removal(sent.map((flag) => (flag ? 0 : 1)));
    } catch (error) {
      if (error instanceof PatternCompileError || error instanceof BuildFailure) return null;
      throw error;
    }
  }

  /** BuildKit without exceptions: an entry goes when a new line matches it or its parent went. */
  private appendedExclusions(lines: readonly string[]): Uint8Array {
    const matcher = new PatternMatcher(parseIgnoreFile(lines.join('\n'), this.label, this.context.platform), this.context.platform);
    const flags = new Uint8Array(this.tree.entries.length);
    this.tree.entries.forEach((entry, i) => {
      const parent = this.tree.parentIndex(i);
      if ((parent !== -1 && flags[parent] === 1) || matcher.patterns.some((p) => p.matches(entry.path))) flags[i] = 1;
    });
    return flags;
  }

  private removal(flags: Uint8Array): Removal {
    const removed: Entry[] = [];
    const top: string[] = [];
    flags.forEach((flag, i) => {
      if (!flag) return;
      const entry = this.tree.entries[i]!;
      removed.push(entry);
      const parent = this.tree.parentIndex(i);
      if (parent === -1 || flags[parent] !== 1) top.push(entry.path);
    });
    return { flags, amount: amountOf(removed), top };
  }
}

/** Whether every entry removed by `a` is also removed by `b`. */
export function isSubset(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] === 1 && b[i] !== 1) return false;
  return true;
}
