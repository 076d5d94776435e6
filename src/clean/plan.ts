/**
 * `planClean`: walk a directory and return what cleaning it would delete, as data. Nothing here
 * deletes anything; `applyClean` (./apply.ts) deletes a plan's items after re-checking each one.
 *
 * The walk is its own (readdir + lstat), not the context walker: it must never follow a symbolic
 * link, must not enter what it will not delete (VCS data, dependencies), and treats a matched
 * directory as one item whose contents it only measures.
 */
import { lstatSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import { InputError } from '../context/resolve.js';
import { ArtifactMatcher, type ArtifactCategory, type MatchContext, type MatchKind } from '../knowledge/artifacts.js';
import { decodeNameLikeGo, isValidUtf8 } from '../walk/raw-names.js';
import { checkTracked } from './git.js';
import { readMountTable, type MountTable } from './mounts.js';
import { describeErrorCode, errorCode, resolveCleanRoot } from './safety.js';
import { compileSelection, type CompiledSelection, type TargetRule } from './select.js';
import {
  CLEAN_SCHEMA_VERSION,
  type CategoryTotals,
  type CleanWarning,
  type ItemKind,
  type Plan,
  type PlanItem,
  type PlanOptions,
  type PlanRule,
  type SkippedItem,
} from './types.js';

const SLASH = Buffer.from('/');

type EntryType = 'dir' | 'file' | 'symlink' | 'other';

interface Child {
  name: string;
  /** False when the name is not valid UTF-8: it cannot be written into a plan and found again. */
  valid: boolean;
  dirent: Dirent | Dirent<Buffer>;
}

function typeOf(dirent: Dirent | Dirent<Buffer>, abs: string): EntryType {
  if (dirent.isDirectory()) return 'dir';
  if (dirent.isFile()) return 'file';
  if (dirent.isSymbolicLink()) return 'symlink';
  if (dirent.isFIFO() || dirent.isSocket() || dirent.isBlockDevice() || dirent.isCharacterDevice()) return 'other';
  // Some file systems do not report types in readdir: ask lstat.
  try {
    const st = lstatSync(abs);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
  } catch {
    return 'other';
  }
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Measure a matched directory, or say why it must not be deleted. Never follows links. */
function measureDirectory(
  abs: string,
  rel: string,
  dev: number,
  selection: CompiledSelection,
  mounts: MountTable,
): { bytes: number; files: number } | { code: SkippedItem['code']; reason: string } {
  const { excludes, guards } = selection;
  let bytes = 0;
  let files = 0;
  const stack: { abs: Buffer; rel: string }[] = [{ abs: Buffer.from(abs), rel }];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(dir.abs, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' && dir.rel !== rel) continue; // vanished while we looked: nothing to measure
      return { code: 'unreadable', reason: `cannot read ${dir.rel}/: ${describeErrorCode(code)}` };
    }
    for (const entry of entries) {
      const nameBytes = entry.name;
      const name = isValidUtf8(nameBytes) ? nameBytes.toString('utf8') : decodeNameLikeGo(nameBytes);
      const childRel = dir.rel + '/' + name;
      const childAbs = Buffer.concat([dir.abs, SLASH, nameBytes]);
      if (name === '.git') {
        return { code: 'repository', reason: `contains a git repository (${childRel}); delete it yourself if you mean it` };
      }
      let st: Stats;
      try {
        st = lstatSync(childAbs);
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOENT') continue;
        return { code: 'unreadable', reason: `cannot read ${childRel}: ${describeErrorCode(code)}` };
      }
      const kind: MatchKind = st.isDirectory() ? 'dir' : 'file';
      if (!st.isSymbolicLink()) {
        const context: MatchContext = {
          siblings: entries.map((e) => e.name.toString('utf8')),
          contains: (inner) => exists(Buffer.concat([childAbs, SLASH, Buffer.from(inner)])),
        };
        // What clean never deletes is never deleted as part of a cache either (a .env or a
        // lockfile in a folder named with --include, a virtual environment inside a cache).
        const guard = guards.match(childRel, kind, context);
        if (guard) return { code: 'protected', reason: `contains ${childRel}, which clean never deletes (${guard.category}: ${guard.id})` };
        if (excludes && excludes.match(childRel, kind, context)) {
          return { code: 'excluded', reason: `contains ${childRel}, which --exclude keeps` };
        }
      }
      const childAbsText = abs + childRel.slice(rel.length);
      if (!st.isDirectory() && mounts.has(childAbsText)) return { code: 'mount-point', reason: `contains a mount point (${childRel})` };
      if (st.isDirectory()) {
        if (st.dev !== dev || mounts.has(childAbsText)) return { code: 'mount-point', reason: `contains a mount point (${childRel}/)` };
        stack.push({ abs: childAbs, rel: childRel });
      } else {
        files++;
        if (st.isFile()) bytes += st.size;
      }
    }
  }
  return { bytes, files };
}

/**
 * Plan the cleaning of `dir`: every cache of the selected rules, measured, minus what must not be
 * deleted (symbolic links, tracked files, excluded paths, repositories, mount points), which is
 * reported in `skipped` with the reason. Deletes nothing.
 *
 * Throws InputError for a missing directory, `/`, the home directory (or one containing it), an
 * unknown `--only` category, or a malformed pattern.
 */
export function planClean(dir: string, options: PlanOptions = {}): Plan {
  const cwd = options.cwd ?? process.cwd();
  const root = resolveCleanRoot(dir, cwd);
  const selection = compileSelection(options);
  const { targets, guards, excludes } = selection;
  const rootDev = lstatSync(root).dev;
  const mounts = readMountTable();

  const items: PlanItem[] = [];
  const skipped: SkippedItem[] = [];
  const warnings: CleanWarning[] = [];
  let seen = 0;

  const skip = (rel: string, kind: SkippedItem['kind'], rule: TargetRule, code: SkippedItem['code'], reason: string): void => {
    skipped.push({ path: rel, kind, category: rule.category, ruleId: rule.id, code, reason });
  };

  const readChildren = (abs: string, rel: string): Child[] | null => {
    let dirents: Dirent[];
    try {
      dirents = readdirSync(abs, { withFileTypes: true });
    } catch (error) {
      const code = errorCode(error);
      if (rel === '') throw new InputError(`${root}: cannot read directory (${code})`, { cause: error });
      warnings.push({ path: rel, code, message: `cannot read directory: ${describeErrorCode(code)}` });
      return null;
    }
    let children: Child[];
    if (dirents.some((d) => d.name.includes('\uFFFD'))) {
      // Node decodes invalid UTF-8 lossily; read the names again as bytes to tell which ones are.
      children = readdirSync(abs, { withFileTypes: true, encoding: 'buffer' }).map((dirent) => {
        const valid = isValidUtf8(dirent.name);
        return { name: valid ? dirent.name.toString('utf8') : decodeNameLikeGo(dirent.name), valid, dirent };
      });
    } else {
      children = dirents.map((dirent) => ({ name: dirent.name, valid: true, dirent }));
    }
    return children.sort((a, b) => compareNames(a.name, b.name));
  };

  const addItem = (abs: string, rel: string, kind: ItemKind, rule: TargetRule): void => {
    let st: Stats;
    try {
      st = lstatSync(abs);
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'ENOENT') skip(rel, kind, rule, 'unreadable', `cannot read it: ${describeErrorCode(code)}`);
      return;
    }
    if (mounts.has(abs)) {
      skip(rel, kind, rule, 'mount-point', 'is a mount point');
      return;
    }
    if (kind === 'file') {
      items.push({ path: rel, kind, bytes: st.size, files: 1, category: rule.category, ruleId: rule.id });
      return;
    }
    if (st.dev !== rootDev) {
      skip(rel, kind, rule, 'mount-point', 'is a mount point (another file system)');
      return;
    }
    const measured = measureDirectory(abs, rel, rootDev, selection, mounts);
    if ('code' in measured) skip(rel, kind, rule, measured.code, measured.reason);
    else items.push({ path: rel, kind, bytes: measured.bytes, files: measured.files, category: rule.category, ruleId: rule.id });
  };

  /**
   * Walk one directory. `restricted` is set inside a directory clean must not enter (node_modules):
   * then only the rules that name a path below it (node_modules/.cache) apply, one level deep.
   */
  const walk = (abs: string, rel: string, restricted: ArtifactMatcher<TargetRule> | null): void => {
    const children = readChildren(abs, rel);
    if (children === null) return;
    const siblings = children.map((c) => c.name);
    const matcher = restricted ?? targets;
    for (const child of children) {
      seen++;
      if (options.onProgress && seen % 512 === 0) options.onProgress(seen);
      const childRel = rel === '' ? child.name : rel + '/' + child.name;
      const childAbs = abs + '/' + child.name;
      const type = typeOf(child.dirent, childAbs);
      const noProbe: MatchContext = { siblings };

      if (!child.valid) {
        const rule = matcher.match(childRel, type === 'dir' ? 'dir' : 'file', noProbe);
        if (rule) skip(childRel, type === 'dir' ? 'dir' : 'file', rule, 'invalid-name', 'its name is not valid UTF-8, so it cannot be named safely in a plan');
        else if (type === 'dir') warnings.push({ path: childRel, code: 'EILSEQ', message: 'name is not valid UTF-8: not examined' });
        continue;
      }
      if (type === 'other') continue; // FIFOs, sockets, devices are never caches
      if (type === 'symlink') {
        // Never followed, never deleted: report it when it looks like a cache.
        const rule = matcher.match(childRel, 'dir', noProbe) ?? matcher.match(childRel, 'file', noProbe);
        if (rule) skip(childRel, 'symlink', rule, 'symlink', 'a symbolic link: not followed and not deleted');
        continue;
      }
      const kind: MatchKind = type;
      const context: MatchContext = { siblings, contains: (name) => exists(childAbs + '/' + name) };
      const rule = matcher.match(childRel, kind, context);
      if (restricted !== null && rule === null) continue; // inside node_modules & co: only named paths
      if (excludes?.match(childRel, kind, context)) {
        if (rule) skip(childRel, kind, rule, 'excluded', 'matches an --exclude pattern');
        continue; // excluded paths are neither deleted nor entered
      }
      const guard = guards.match(childRel, kind, context);
      if (guard) {
        if (rule) skip(childRel, kind, rule, 'protected', `clean never deletes this (${guard.category}: ${guard.id})`);
        if (kind === 'dir') {
          // Only the table's own caches below a protected folder (node_modules/.cache), never a
          // user's --include: `--include '.git/*'` must not reach into .git.
          const below = targets.rulesBelow(childRel).filter((r) => !r.id.startsWith('include:'));
          if (below.length > 0) walk(childAbs, childRel, new ArtifactMatcher(below));
        }
        continue;
      }
      if (rule) {
        addItem(childAbs, childRel, kind, rule);
        continue;
      }
      if (kind === 'dir' && restricted === null) {
        let st: Stats;
        try {
          st = lstatSync(childAbs);
        } catch (error) {
          warnings.push({ path: childRel, code: errorCode(error), message: `cannot read: ${describeErrorCode(errorCode(error))}` });
          continue;
        }
        if (st.dev !== rootDev || mounts.has(childAbs)) {
          warnings.push({ path: childRel, code: 'EXDEV', message: 'a mount point: not entered' });
          continue;
        }
        walk(childAbs, childRel, null);
      }
    }
  };

  walk(root, '', null);
  options.onProgress?.(seen);

  // Tracked files are git's to answer, once for all items.
  const git = checkTracked(root, items);
  const planned: PlanItem[] = [];
  for (const item of items) {
    const tracked = git.tracked.get(item.path);
    const unavailable = git.unavailable.get(item.path);
    const rule = { id: item.ruleId, category: item.category } as TargetRule;
    if (tracked) {
      const what = item.kind === 'file' && tracked.count === 1 && tracked.example === item.path
        ? 'tracked by git'
        : `contains ${tracked.count} file${tracked.count === 1 ? '' : 's'} tracked by git (e.g. ${tracked.example})`;
      skip(item.path, item.kind, rule, 'tracked', what);
    } else if (unavailable) {
      skip(item.path, item.kind, rule, 'git-unavailable', `cannot tell whether git tracks it (${unavailable})`);
    } else {
      planned.push(item);
    }
  }
  planned.sort((a, b) => compareNames(a.path, b.path));
  skipped.sort((a, b) => compareNames(a.path, b.path));
  return buildPlan(root, selection, planned, skipped, warnings);
}

function exists(abs: string | Buffer): boolean {
  try {
    lstatSync(abs);
    return true;
  } catch {
    return false;
  }
}

/** Sum items per category, heaviest first. */
export function categoryTotals(items: readonly PlanItem[]): CategoryTotals[] {
  const byCategory = new Map<ArtifactCategory, CategoryTotals>();
  for (const item of items) {
    const t = byCategory.get(item.category) ?? { category: item.category, items: 0, bytes: 0, files: 0 };
    t.items++;
    t.bytes += item.bytes;
    t.files += item.files;
    byCategory.set(item.category, t);
  }
  return [...byCategory.values()].sort((a, b) => b.bytes - a.bytes || compareNames(a.category, b.category));
}

function buildPlan(
  root: string,
  selection: CompiledSelection,
  items: PlanItem[],
  skipped: SkippedItem[],
  warnings: CleanWarning[],
): Plan {
  const rules: Record<string, PlanRule> = {};
  const allRules = selection.targets.rules;
  for (const item of items) {
    if (rules[item.ruleId]) continue;
    const rule = allRules.find((r) => r.id === item.ruleId);
    if (rule) rules[item.ruleId] = { category: rule.category, pattern: rule.pattern, reason: rule.reason };
  }
  return {
    schemaVersion: CLEAN_SCHEMA_VERSION,
    type: 'ctxsize-clean-plan',
    root,
    createdAt: new Date().toISOString(),
    selection: { only: selection.only, include: selection.include, exclude: selection.exclude },
    items,
    totals: {
      items: items.length,
      bytes: items.reduce((sum, item) => sum + item.bytes, 0),
      files: items.reduce((sum, item) => sum + item.files, 0),
    },
    categories: categoryTotals(items),
    rules,
    skipped,
    warnings,
  };
}
