/**
 * `applyClean`: delete exactly the items of a plan, each one decided again just before its deletion.
 *
 * A plan is a snapshot and a file anyone can edit; the tree may have changed since (a saved plan
 * applied a day later, a build running meanwhile, a hostile edit). So nothing the plan says is
 * trusted beyond the paths it names: each item must still match the cache rule it claims (a table
 * rule clean deletes, or an `--include` pattern the plan was made with), must not be, contain or
 * lie below anything clean never deletes (VCS data, dependency folders, virtual environments,
 * lockfiles, secrets: the table's `neverDelete` entries, apart from the table's own caches that
 * name a path below one, such as `node_modules/.cache`), must not be or contain a mount point (by
 * the kernel's mount list, so a bind mount on the same file system is seen), and git must not
 * track anything in it.
 *
 * Deletion cannot be redirected by a concurrent swap: it never uses a path of more than one name.
 * It changes the working directory one level at a time and checks, after each step, that the
 * directory it is in has the device and inode that lstat saw for that name before stepping (a
 * name swapped for a symbolic link, or for another directory, fails the check and stops the item),
 * then unlinks names relative to that directory. Going back up is checked the same way. Node has
 * no unlinkat/openat; this gives the same guarantee on POSIX systems, at the price of changing
 * the process's working directory while it runs (restored afterwards), so it runs on the main
 * thread only.
 */
import { lstatSync, readdirSync, realpathSync, rmdirSync, statSync, unlinkSync, type BigIntStats, type Dirent } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { InputError } from '../context/resolve.js';
import { ArtifactMatcher, type ArtifactPattern, type ArtifactRule, type MatchContext, type MatchKind } from '../knowledge/artifacts.js';
import { decodeNameLikeGo, isValidUtf8 } from '../walk/raw-names.js';
import { checkTracked, type GitCheck } from './git.js';
import { readMountTable, type MountTable } from './mounts.js';
import { validatePlan } from './plan-file.js';
import { assertCleanableRoot, describeErrorCode, errorCode } from './safety.js';
import { compileSelection, type CompiledSelection, type TargetRule } from './select.js';
import {
  CLEAN_SCHEMA_VERSION,
  type ApplyOptions,
  type CleanResult,
  type DeleteError,
  type ItemOutcome,
  type ItemStatus,
  type Plan,
  type PlanItem,
} from './types.js';

const MAX_ERRORS = 20;

/** Collects what one item's deletion freed and what went wrong. */
class Deletion {
  bytes = 0;
  files = 0;
  errors: DeleteError[] = [];
  errorCount = 0;

  fail(rel: string, code: string, message: string): void {
    this.errorCount++;
    if (this.errors.length < MAX_ERRORS) this.errors.push({ path: rel, code, message });
  }

  failWith(rel: string, action: string, error: unknown): void {
    const code = errorCode(error);
    this.fail(rel, code, `cannot ${action} ${rel}: ${describeErrorCode(code)}`);
  }
}

/** The item must not be touched (found before anything was deleted). */
class Refusal extends Error {
  constructor(readonly status: 'refused' | 'vanished', reason: string) {
    super(reason);
  }
}

/** The tree changed under a deletion: a directory is no longer the one that was checked. */
class Moved extends Error {}

const sameNode = (a: BigIntStats, b: BigIntStats): boolean => a.dev === b.dev && a.ino === b.ino;

/** Step into `name` (one name, relative to the working directory) and check it is `expected`. */
function enter(name: string, expected: BigIntStats, rel: string): void {
  process.chdir(name);
  if (!sameNode(statSync('.', { bigint: true }), expected)) throw new Moved(`${rel}/ was replaced while clean was entering it: stopped`);
}

/** Step back up and check the directory is `parent`. */
function leave(parent: BigIntStats, rel: string): void {
  process.chdir('..');
  if (!sameNode(statSync('.', { bigint: true }), parent)) throw new Moved(`${rel}/ was moved while clean was deleting it: stopped`);
}

function lstatHere(name: string | Buffer): BigIntStats | null {
  try {
    return lstatSync(name, { bigint: true });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function existsHere(name: string | Buffer): boolean {
  try {
    lstatSync(name);
    return true;
  } catch {
    return false;
  }
}

/** How the rules look at entries of the working directory (siblings, contents). */
function contextHere(name: string | Buffer, siblings: () => string[]): MatchContext {
  const prefix = typeof name === 'string' ? name + '/' : Buffer.concat([name, Buffer.from('/')]);
  return {
    get siblings() {
      return siblings();
    },
    contains: (inner) => existsHere(typeof prefix === 'string' ? prefix + inner : Buffer.concat([prefix, Buffer.from(inner)])),
  } as MatchContext;
}

function namesHere(): string[] {
  return readdirSync('.', { encoding: 'buffer' }).map((n) => (isValidUtf8(n) ? n.toString('utf8') : decodeNameLikeGo(n)));
}

/** What the apply-time decision needs, compiled once per plan. */
interface Rules {
  root: string;
  rootDev: bigint;
  selection: CompiledSelection;
  mounts: MountTable;
}

function describeKind(kind: string): string {
  return kind === 'dir' ? 'a directory' : kind === 'file' ? 'a file' : 'a special file';
}

/** The rule an item claims, if the plan's selection has it; else why the item is refused. */
function claimedRule(item: PlanItem, selection: CompiledSelection): TargetRule | string {
  const rule = selection.targets.rules.find((r) => r.id === item.ruleId);
  if (rule) return rule;
  if (item.ruleId.startsWith('include:')) return `it claims --include ${JSON.stringify(item.ruleId.slice(8))}, which is not among the plan's --include patterns`;
  return `it claims the rule ${JSON.stringify(item.ruleId)}, which is not a cache that clean deletes${selection.only ? ' in this selection' : ''}`;
}

interface Visit {
  mode: 'scan' | 'delete';
  rules: Rules;
  out: Deletion;
}

/**
 * Go through the directory `name` (in the working directory, lstat'ed as `expected`) by changing
 * into each level with an identity check: scan (a problem refuses the whole item) or delete (a
 * problem leaves that entry and goes on). Returns with the working directory where it started.
 */
function visitTree(name: string, expected: BigIntStats, parent: BigIntStats, rel: string, visit: Visit): void {
  const { rules, out, mode } = visit;
  const { guards, excludes } = rules.selection;
  interface Frame {
    name: string;
    stat: BigIntStats;
    rel: string;
    abs: string;
    entries: Dirent<Buffer>[];
    next: number;
    names: string[] | null;
  }
  const problem = (path: string, code: string, message: string): void => {
    if (mode === 'scan') throw new Refusal('refused', message);
    out.fail(path, code, message);
  };
  const open = (frameName: string, stat: BigIntStats, frameRel: string): Frame => {
    let entries: Dirent<Buffer>[] = [];
    try {
      entries = readdirSync('.', { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      problem(frameRel + '/', errorCode(error), `cannot read ${frameRel}/: ${describeErrorCode(errorCode(error))}`);
    }
    return { name: frameName, stat, rel: frameRel, abs: rules.root + '/' + frameRel, entries, next: 0, names: null };
  };
  enter(name, expected, rel);
  const frames: Frame[] = [open(name, expected, rel)];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    if (frame.next < frame.entries.length) {
      const raw = frame.entries[frame.next++]!.name;
      const valid = isValidUtf8(raw);
      const childName = valid ? raw.toString('utf8') : decodeNameLikeGo(raw);
      const childRel = frame.rel + '/' + childName;
      let st: BigIntStats | null;
      try {
        st = lstatHere(raw);
      } catch (error) {
        problem(childRel, errorCode(error), `cannot examine ${childRel}: ${describeErrorCode(errorCode(error))}`);
        continue;
      }
      if (st === null) continue; // gone meanwhile
      const kind: MatchKind = st.isDirectory() ? 'dir' : 'file';
      const context = contextHere(raw, () => (frame.names ??= namesHere()));
      if (!st.isSymbolicLink()) {
        const guard = guards.match(childRel, kind, context);
        if (guard) {
          problem(childRel, 'EPROTECTED', `it holds ${childRel}, which clean never deletes (${guard.category}: ${guard.id})`);
          continue;
        }
        if (excludes?.match(childRel, kind, context)) {
          problem(childRel, 'EEXCLUDED', `it holds ${childRel}, which --exclude keeps`);
          continue;
        }
      }
      const childAbs = frame.abs + '/' + childName;
      if (st.isDirectory()) {
        if (st.dev !== rules.rootDev || rules.mounts.has(childAbs)) {
          problem(childRel + '/', 'EXDEV', `it holds a mount point (${childRel}/): left alone`);
          continue;
        }
        if (!valid) {
          // process.chdir takes only UTF-8 names.
          problem(childRel + '/', 'EILSEQ', `${childRel}/: name is not valid UTF-8, so it cannot be entered safely: left alone`);
          continue;
        }
        try {
          enter(childName, st, childRel);
        } catch (error) {
          if (error instanceof Moved) throw error;
          problem(childRel + '/', errorCode(error), `cannot enter ${childRel}/: ${describeErrorCode(errorCode(error))}`);
          continue;
        }
        frames.push(open(childName, st, childRel));
        continue;
      }
      if (rules.mounts.has(childAbs)) {
        problem(childRel, 'EXDEV', `it holds a mount point (${childRel}): left alone`);
        continue;
      }
      if (mode === 'delete') {
        try {
          unlinkSync(raw);
        } catch (error) {
          if (errorCode(error) !== 'ENOENT') out.failWith(childRel, 'delete', error);
          continue;
        }
      }
      out.files++;
      if (st.isFile()) out.bytes += Number(st.size);
      continue;
    }
    frames.pop();
    const up = frames.length > 0 ? frames[frames.length - 1]!.stat : parent;
    leave(up, frame.rel);
    if (mode === 'delete') {
      const before = out.errorCount;
      try {
        rmdirSync(frame.name);
      } catch (error) {
        const code = errorCode(error);
        // ENOTEMPTY after a failed child says nothing new.
        if (code !== 'ENOENT' && !(code === 'ENOTEMPTY' && before > 0)) out.failWith(frame.rel + '/', 'remove directory', error);
      }
    }
  }
}

/**
 * Decide one item again and, unless `dryRun`, delete it. Runs with the working directory changed
 * (see the module comment); the caller restores it.
 */
function decideAndDelete(rules: Rules, rootStat: BigIntStats, item: PlanItem, git: GitCheck, dryRun: boolean): { status: ItemStatus; out: Deletion; reason?: string } {
  const tracked = git.tracked.get(item.path);
  if (tracked) throw new Refusal('refused', `now holds ${tracked.count} file(s) tracked by git (e.g. ${tracked.example})`);
  const unavailable = git.unavailable.get(item.path);
  if (unavailable) throw new Refusal('refused', `cannot tell whether git tracks it (${unavailable})`);
  const rule = claimedRule(item, rules.selection);
  if (typeof rule === 'string') throw new Refusal('refused', rule);
  const ruleSegments = rule.pattern.split('/').length;
  const { guards, excludes } = rules.selection;

  process.chdir(rules.root);
  if (!sameNode(statSync('.', { bigint: true }), rootStat)) throw new Refusal('refused', `${rules.root} was replaced since the plan was checked`);

  const parts = item.path.split('/');
  let parent = rootStat;
  for (let i = 0; i < parts.length - 1; i++) {
    const name = parts[i]!;
    const rel = parts.slice(0, i + 1).join('/');
    const st = lstatHere(name);
    if (st === null) throw new Refusal('vanished', 'its directory no longer exists');
    if (st.isSymbolicLink()) throw new Refusal('refused', `${rel} is now a symbolic link: not followed`);
    if (!st.isDirectory()) throw new Refusal('vanished', `${rel} is no longer a directory`);
    if (st.dev !== rules.rootDev || rules.mounts.has(rules.root + '/' + rel)) throw new Refusal('refused', `it is below a mount point (${rel}/): not entered`);
    const context = contextHere(name, namesHere);
    const guard = guards.match(rel, 'dir', context);
    // Only the table's own caches below a protected folder (node_modules/.cache), and only
    // where the protected folder is part of the rule's pattern, not anywhere above it.
    const covered = !rule.id.startsWith('include:') && i >= parts.length - ruleSegments;
    if (guard && !covered) throw new Refusal('refused', `it is inside ${rel}/, which clean never deletes or enters (${guard.category}: ${guard.id})`);
    if (excludes?.match(rel, 'dir', context)) throw new Refusal('refused', `it is inside ${rel}/, which --exclude keeps`);
    enter(name, st, rel);
    parent = st;
  }

  const name = parts[parts.length - 1]!;
  const st = lstatHere(name);
  if (st === null) throw new Refusal('vanished', 'already gone');
  if (st.isSymbolicLink()) throw new Refusal('refused', 'it is now a symbolic link: not followed, not deleted');
  const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  if (kind !== item.kind) throw new Refusal('refused', `it was ${describeKind(item.kind)} and is now ${describeKind(kind)}`);
  if ((kind === 'dir' && st.dev !== rules.rootDev) || rules.mounts.has(rules.root + '/' + item.path)) throw new Refusal('refused', 'it is now a mount point');
  const context = contextHere(name, namesHere);
  if (new ArtifactMatcher<ArtifactPattern>([rule]).match(item.path, kind, context) === null) {
    throw new Refusal('refused', `it does not match the rule it claims (${rule.id}: ${rule.pattern}${rule.kind === 'dir' ? '/' : ''})`);
  }
  const guard = guards.match(item.path, kind, context);
  if (guard) throw new Refusal('refused', `clean never deletes this (${guard.category}: ${guard.id})`);
  if (excludes?.match(item.path, kind, context)) throw new Refusal('refused', 'it matches an --exclude pattern of the plan');

  const out = new Deletion();
  if (kind === 'file') {
    if (!dryRun) {
      unlinkSync(name);
      out.files = 1;
      out.bytes = Number(st.size);
    }
    return { status: dryRun ? 'ready' : 'deleted', out };
  }
  // Scan first, so that a problem anywhere inside refuses the item before anything is deleted.
  visitTree(name, st, parent, item.path, { mode: 'scan', rules, out: new Deletion() });
  if (dryRun) return { status: 'ready', out };
  visitTree(name, st, parent, item.path, { mode: 'delete', rules, out });
  return { status: out.errorCount === 0 ? 'deleted' : 'failed', out };
}

function applyItem(rules: Rules, rootStat: BigIntStats, item: PlanItem, git: GitCheck, dryRun: boolean): ItemOutcome {
  const outcome = (status: ItemStatus, extra: Partial<ItemOutcome> = {}): ItemOutcome => ({
    ...item,
    status,
    freedBytes: 0,
    freedFiles: 0,
    ...extra,
  });
  let result: { status: ItemStatus; out: Deletion };
  try {
    result = decideAndDelete(rules, rootStat, item, git, dryRun);
  } catch (error) {
    if (error instanceof Refusal) return outcome(error.status, { reason: error.message });
    if (error instanceof Moved) return outcome('failed', { reason: error.message, errors: [{ path: item.path, code: 'ECHANGED', message: error.message }], errorCount: 1 });
    const code = errorCode(error);
    if (!(error as NodeJS.ErrnoException)?.code) throw error;
    if (code === 'ENOENT') return outcome('vanished', { reason: 'already gone' });
    const message = `cannot delete ${item.path}: ${describeErrorCode(code)}`;
    return outcome('failed', { reason: message, errors: [{ path: item.path, code, message }], errorCount: 1 });
  }
  const { status, out } = result;
  const freed = { freedBytes: out.bytes, freedFiles: out.files };
  if (status !== 'failed') return outcome(status, dryRun ? {} : freed);
  return outcome('failed', {
    ...freed,
    reason: out.errors[0]!.message + (out.errorCount > 1 ? ` (and ${out.errorCount - 1} more error${out.errorCount > 2 ? 's' : ''})` : ''),
    errors: out.errors,
    errorCount: out.errorCount,
  });
}

/**
 * Delete the items of a plan (made by `planClean`, or read back with `readPlanFile`), re-checking
 * each just before its deletion; one item's failure does not stop the others. With `dryRun`, runs
 * every check and deletes nothing. Throws InputError when the plan is malformed, its root is gone,
 * is `/` or the home directory, or (with `options.dir`) the plan was made for another directory.
 */
export function applyClean(plan: Plan, options: ApplyOptions = {}): CleanResult {
  const valid = validatePlan(plan);
  const root = valid.root;
  let rootReal: string;
  try {
    rootReal = realpathSync(root);
  } catch (error) {
    throw new InputError(`the plan's directory ${root} no longer exists (${errorCode(error)})`, { cause: error });
  }
  if (rootReal !== root) throw new InputError(`the plan's directory ${root} now resolves to ${rootReal}: refusing to follow it`);
  if (options.dir !== undefined) {
    const wanted = path.resolve(options.cwd ?? process.cwd(), options.dir);
    let wantedReal: string;
    try {
      wantedReal = realpathSync(wanted);
    } catch {
      wantedReal = wanted;
    }
    if (wantedReal !== root) throw new InputError(`this plan was made for ${root}, not ${wantedReal}`);
  }
  assertCleanableRoot(root);
  const rootStat = lstatSync(root, { bigint: true });
  if (!rootStat.isDirectory()) throw new InputError(`${root}: not a directory`);
  if (!isMainThread) throw new Error('applyClean changes the working directory while it deletes, so it runs on the main thread only');
  // The plan's own selection, compiled again: a malformed pattern in an edited plan is bad input.
  const selection = compileSelection({
    ...(valid.selection.only !== null ? { only: valid.selection.only } : {}),
    include: valid.selection.include,
    exclude: valid.selection.exclude,
  });

  // Ask git again: a file may have been committed since the plan was made.
  const git = checkTracked(root, valid.items);
  const dryRun = options.dryRun ?? false;
  const items: ItemOutcome[] = [];
  let startCwd: string | null = null;
  try {
    startCwd = process.cwd();
  } catch {
    // the working directory was deleted: come back to the root afterwards
  }
  const restoreCwd = (): void => {
    try {
      process.chdir(startCwd ?? root);
    } catch {
      process.chdir(root);
    }
  };
  for (const item of valid.items) {
    // The mount table again for each item: a mount made meanwhile must be seen.
    const rules: Rules = { root, rootDev: rootStat.dev, selection, mounts: readMountTable() };
    let outcome: ItemOutcome;
    try {
      outcome = applyItem(rules, rootStat, item, git, dryRun);
    } finally {
      restoreCwd();
    }
    items.push(outcome);
    options.onItem?.(outcome);
  }
  const counts: Record<ItemStatus, number> = { deleted: 0, failed: 0, refused: 0, vanished: 0, ready: 0 };
  for (const item of items) counts[item.status]++;
  return {
    schemaVersion: CLEAN_SCHEMA_VERSION,
    type: 'ctxsize-clean-result',
    root,
    dryRun,
    items,
    planned: {
      items: valid.items.length,
      bytes: valid.items.reduce((sum, item) => sum + item.bytes, 0),
      files: valid.items.reduce((sum, item) => sum + item.files, 0),
    },
    freed: {
      items: counts.deleted,
      bytes: items.reduce((sum, item) => sum + item.freedBytes, 0),
      files: items.reduce((sum, item) => sum + item.freedFiles, 0),
    },
    counts,
    skipped: valid.skipped,
  };
}

/** Whether a result should make the command exit 1: something planned was neither deleted nor already gone. */
export function cleanFailed(result: CleanResult): boolean {
  return result.counts.failed > 0 || result.counts.refused > 0;
}
