/**
 * `applyClean`: delete exactly the items of a plan, each one re-checked just before its deletion.
 *
 * A plan is a snapshot; the tree may have changed since (a saved plan applied a day later, a build
 * running meanwhile, a hostile edit). Before an item is touched: it must still exist, be the same
 * kind (lstat: a directory that became a symbolic link is refused), its parent must still resolve
 * to the same real path inside the root (a parent replaced by a link cannot redirect the deletion),
 * it must not have become a mount point, and git must not track anything in it. During deletion,
 * links are unlinked, never followed, and each directory is checked to still be the one examined.
 *
 * Limit: Node has no unlinkat/openat, so deletion goes by path. A process that swaps a directory
 * for a link in the instant between that check and an unlink can still race it; what this code
 * rules out is any change made before the item's turn came.
 */
import { lstatSync, readdirSync, realpathSync, rmdirSync, unlinkSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { InputError } from '../context/resolve.js';
import { decodeNameLikeGo, isValidUtf8 } from '../walk/raw-names.js';
import { checkTracked, type GitCheck } from './git.js';
import { validatePlan } from './plan-file.js';
import { assertCleanableRoot, describeErrorCode, errorCode } from './safety.js';
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

const SLASH = Buffer.from('/');
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

/**
 * Delete a directory's contents and then the directory, by path, without following links.
 * `expected` is the lstat taken when it was checked: if what is there now differs (another inode,
 * a link), it is left alone.
 */
function removeDirectory(abs: Buffer, rel: string, expected: Stats, rootDev: number, out: Deletion): void {
  let entries: Dirent<Buffer>[];
  try {
    entries = readdirSync(abs, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') out.failWith(rel + '/', 'read directory', error);
    return;
  }
  let now: Stats;
  try {
    now = lstatSync(abs);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') out.failWith(rel + '/', 'read', error);
    return;
  }
  if (!now.isDirectory() || now.ino !== expected.ino || now.dev !== expected.dev) {
    out.fail(rel, 'ECHANGED', `${rel} changed while it was being deleted: left alone`);
    return;
  }
  if (entries.some((e) => e.name.length === 4 && e.name.toString('latin1') === '.git')) {
    out.fail(rel + '/.git', 'EREPO', `a git repository appeared in ${rel}/: left alone`);
    return;
  }
  const before = out.errorCount;
  for (const entry of entries) {
    const childAbs = Buffer.concat([abs, SLASH, entry.name]);
    const childRel = rel + '/' + (isValidUtf8(entry.name) ? entry.name.toString('utf8') : decodeNameLikeGo(entry.name));
    let st: Stats;
    try {
      st = lstatSync(childAbs);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') out.failWith(childRel, 'read', error);
      continue;
    }
    if (st.isDirectory()) {
      if (st.dev !== rootDev) {
        out.fail(childRel + '/', 'EXDEV', `${childRel}/ is a mount point: left alone`);
        continue;
      }
      removeDirectory(childAbs, childRel, st, rootDev, out);
      continue;
    }
    try {
      unlinkSync(childAbs);
      out.files++;
      if (st.isFile()) out.bytes += st.size;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') out.failWith(childRel, 'delete', error);
    }
  }
  try {
    rmdirSync(abs);
  } catch (error) {
    const code = errorCode(error);
    // ENOTEMPTY after a failed child says nothing new.
    if (code !== 'ENOENT' && !(code === 'ENOTEMPTY' && out.errorCount > before)) out.failWith(rel + '/', 'remove directory', error);
  }
}

type Check = { ok: true; stat: Stats } | { ok: false; status: 'refused' | 'vanished'; reason: string };

/** The re-check before one deletion. */
function recheck(root: string, rootDev: number, item: PlanItem, git: GitCheck): Check {
  const tracked = git.tracked.get(item.path);
  if (tracked) return { ok: false, status: 'refused', reason: `now holds ${tracked.count} file(s) tracked by git (e.g. ${tracked.example})` };
  const unavailable = git.unavailable.get(item.path);
  if (unavailable) return { ok: false, status: 'refused', reason: `cannot tell whether git tracks it (${unavailable})` };

  const abs = root + '/' + item.path;
  const parentRel = path.posix.dirname(item.path);
  const parent = parentRel === '.' ? root : root + '/' + parentRel;
  let parentReal: string;
  try {
    parentReal = realpathSync(parent);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, status: 'vanished', reason: 'its directory no longer exists' };
    return { ok: false, status: 'refused', reason: `cannot resolve its directory: ${describeErrorCode(code)}` };
  }
  if (parentReal !== parent) {
    return { ok: false, status: 'refused', reason: `its directory now resolves to ${parentReal} (a symbolic link was put in the path): not followed` };
  }
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { ok: false, status: 'vanished', reason: 'already gone' };
    return { ok: false, status: 'refused', reason: `cannot examine it: ${describeErrorCode(code)}` };
  }
  if (st.isSymbolicLink()) return { ok: false, status: 'refused', reason: 'it is now a symbolic link: not followed, not deleted' };
  const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  if (kind !== item.kind) {
    const name = (k: string): string => (k === 'dir' ? 'a directory' : k === 'file' ? 'a file' : 'a special file');
    return { ok: false, status: 'refused', reason: `it was ${name(item.kind)} and is now ${name(kind)}` };
  }
  if (kind === 'dir' && st.dev !== rootDev) return { ok: false, status: 'refused', reason: 'it is now a mount point' };
  return { ok: true, stat: st };
}

function applyItem(root: string, rootDev: number, item: PlanItem, git: GitCheck, dryRun: boolean): ItemOutcome {
  const outcome = (status: ItemStatus, extra: Partial<ItemOutcome> = {}): ItemOutcome => ({
    ...item,
    status,
    freedBytes: 0,
    freedFiles: 0,
    ...extra,
  });
  const check = recheck(root, rootDev, item, git);
  if (!check.ok) return outcome(check.status, { reason: check.reason });
  if (dryRun) return outcome('ready');

  const abs = root + '/' + item.path;
  const out = new Deletion();
  if (item.kind === 'file') {
    try {
      unlinkSync(abs);
      out.files = 1;
      out.bytes = check.stat.size;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return outcome('vanished', { reason: 'already gone' });
      out.failWith(item.path, 'delete', error);
    }
  } else {
    removeDirectory(Buffer.from(abs), item.path, check.stat, rootDev, out);
  }
  const freed = { freedBytes: out.bytes, freedFiles: out.files };
  if (out.errorCount === 0) return outcome('deleted', freed);
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
  const rootStat = lstatSync(root);
  if (!rootStat.isDirectory()) throw new InputError(`${root}: not a directory`);

  // Ask git again: a file may have been committed since the plan was made.
  const git = checkTracked(root, valid.items);
  const dryRun = options.dryRun ?? false;
  const items: ItemOutcome[] = [];
  for (const item of valid.items) {
    const outcome = applyItem(root, rootStat.dev, item, git, dryRun);
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
