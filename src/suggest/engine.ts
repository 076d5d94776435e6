/**
 * Exact savings: what a set of ignore lines removes from the current context, computed with
 * Docker's own matcher and the builders' own filters (src/dockerignore/builders.ts), never estimated.
 *
 * The current context is walked once from disk. A candidate's lines are then judged in memory:
 * - BuildKit with no exception anywhere in the resulting file: an appended exclusion removes
 *   exactly the entries that it or their parents match (reference section 2);
 * - otherwise the builder's filter is replayed over the current context's tree, in the walk's
 *   order, with the walk's rules for entering excluded directories and sending their parents.
 *   Adding lines to ctxsize's block only ever adds exclusions, and exceptions for entries that are
 *   sent now, so no entry outside the current context can appear: its tree is enough.
 * The combined result and the allow-list are checked with the real walkers (`walkSent`), replayed
 * over one record of the directory that reads each directory from disk once (DiskRecord).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createFilter } from '../context/filter.js';
import type { ResolvedContext } from '../context/resolve.js';
import { PatternMatcher } from '../dockerignore/matcher.js';
import { PatternCompileError } from '../dockerignore/pattern.js';
import { IgnoreFileError, parseIgnoreFile, type IgnoreFile } from '../dockerignore/read.js';
import { BuildFailure, type BuilderFilter } from '../dockerignore/builders.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { ContextTree, DiskRecord, replayFilter, type ContextWalker } from '../walk/replay.js';
import { forEachResolvedEntry } from '../context/list.js';
import { insertIntoBlock } from './block.js';

export { ContextTree, DiskRecord, replayFilter, type ContextWalker };
import type { Amount } from './types.js';

/**
 * The entries a builder sends for a context, read with the real walker: from disk, or replayed
 * from the record of the directories earlier walks read (`walk`, a {@link DiskRecord}'s).
 */
export function walkSent(context: ResolvedContext, walk?: ContextWalker): { entries: Entry[]; warnings: WalkWarning[] } {
  const entries: Entry[] = [];
  const warnings = forEachResolvedEntry(context, (entry) => entries.push(entry), walk);
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

/**
 * Whether the builder would send a file at `path` that is not on disk yet (the ignore file that
 * `--write` creates), judged by replaying the filter over the path's directories and the file.
 */
export function wouldSend(context: ResolvedContext, path: string): boolean {
  const parts = path.split('/');
  const chain: Entry[] = parts.map((_, i) => ({
    path: parts.slice(0, i + 1).join('/'),
    type: i === parts.length - 1 ? 'file' : 'dir',
    size: 0,
  }));
  try {
    const sent = replayFilter(createFilter(context), new ContextTree(chain));
    return sent[chain.length - 1] === 1;
  } catch (error) {
    if (error instanceof BuildFailure || error instanceof PatternCompileError) return false;
    throw error;
  }
}

/**
 * The entries after the write, with the ignore file as it will be: its new size when the context
 * holds it, and the file itself when it is created and the builder sends it.
 */
export function withWrittenFile(entries: readonly Entry[], context: ResolvedContext, writePath: string, after: Buffer): Entry[] {
  const rel = path.relative(context.root, writePath).split(path.sep).join('/');
  if (rel.startsWith('../') || path.isAbsolute(rel)) return [...entries];
  const present = entries.some((e) => e.path === rel);
  if (present) return entries.map((e) => (e.path === rel && e.type === 'file' ? { ...e, size: after.length } : e));
  if (existsSync(writePath) || after.length === 0 || !wouldSend(context, rel)) return [...entries];
  return [...entries, { path: rel, type: 'file', size: after.length }];
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
    try {
      const ignore = this.parse(after);
      if (this.context.builder === 'buildkit' && !ignore.rules.some((rule) => rule.pattern.startsWith('!'))) {
        return this.removal(this.appendedExclusions(added));
      }
      const sent = replayFilter(createFilter({ ...this.context, ignore }), this.tree);
      return this.removal(sent.map((flag) => (flag ? 0 : 1)));
    } catch (error) {
      // Docker would refuse the file: a line that does not compile, or one too long to read.
      if (error instanceof PatternCompileError || error instanceof BuildFailure || error instanceof IgnoreFileError) return null;
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
