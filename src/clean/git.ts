/**
 * Which planned items hold files tracked by git. ctxsize asks `git` itself rather than reading
 * the index: git knows about sparse checkouts, submodules, worktrees and index formats, and its
 * answer is the one the user trusts. Items are grouped by the repository that owns them (the
 * nearest directory with a `.git` entry between the item and the root, or else whatever repository
 * encloses the root, which may be far above it) and passed as literal pathspecs, in batches.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import path from 'node:path';

/** Tracked files found in one item. */
export interface TrackedFiles {
  count: number;
  /** One of them, relative to the root. */
  example: string;
}

/** The answer for a set of items. */
export interface GitCheck {
  /** Items holding tracked files (or being one), by item path. */
  tracked: Map<string, TrackedFiles>;
  /** Items inside a repository that git could not be asked about, by item path, with the reason. */
  unavailable: Map<string, string>;
}

/** Environment for git: English messages, and none of the variables that would point it elsewhere. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANGUAGE: 'C', GIT_OPTIONAL_LOCKS: '0' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE', 'GIT_PREFIX']) {
    delete env[name];
  }
  return env;
}

function hasGitEntry(dir: string): boolean {
  try {
    lstatSync(dir + '/.git');
    return true;
  } catch {
    return false;
  }
}

/** True when `dir` or one of its ancestors holds a `.git` entry. */
function insideRepositoryOnDisk(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if (hasGitEntry(current)) return true;
    if (path.dirname(current) === current) return false;
  }
}

/** Split pathspecs into batches that keep the command line well under system limits. */
function batches(specs: string[], maxChars = 60_000, maxCount = 1000): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const spec of specs) {
    if (current.length > 0 && (size + spec.length + 1 > maxChars || current.length >= maxCount)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(spec);
    size += spec.length + 1;
  }
  if (current.length > 0) out.push(current);
  return out;
}

type Listing = { ok: true; paths: string[] } | { ok: false; noRepository: boolean; gitMissing: boolean; reason: string };

/** `git ls-files -z` in `cwd` for these literal pathspecs (relative to `cwd`). */
function listTracked(cwd: string, specs: string[]): Listing {
  const paths: string[] = [];
  for (const batch of batches(specs.map((s) => ':(literal)' + s))) {
    const result = spawnSync('git', ['ls-files', '-z', '--', ...batch], {
      cwd,
      env: gitEnv(),
      encoding: 'buffer',
      maxBuffer: 512 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (result.error) {
      const code = (result.error as NodeJS.ErrnoException).code;
      return {
        ok: false,
        noRepository: false,
        gitMissing: code === 'ENOENT',
        reason: code === 'ENOENT' ? 'git is not installed, so tracked files cannot be told apart' : `could not run git (${code ?? result.error.message})`,
      };
    }
    if (result.status !== 0) {
      const stderr = result.stderr.toString('utf8').trim();
      const firstLine = stderr.split('\n').find((line) => line.trim() !== '') ?? `git exited with ${result.status}`;
      return { ok: false, noRepository: /not a git repository/i.test(stderr), gitMissing: false, reason: `git: ${firstLine}` };
    }
    for (const name of result.stdout.toString('utf8').split('\0')) if (name !== '') paths.push(name);
  }
  return { ok: true, paths };
}

/**
 * Ask git which of these items (paths relative to `root`) are, or contain, tracked files. Items
 * outside any repository come back in neither map. Works without git installed: items inside a
 * repository then come back as unavailable (never assumed untracked), others are unaffected.
 */
export function checkTracked(root: string, items: readonly { path: string }[]): GitCheck {
  const tracked = new Map<string, TrackedFiles>();
  const unavailable = new Map<string, string>();
  if (items.length === 0) return { tracked, unavailable };

  // Group items by the repository directory that owns them ('' = the root's own context).
  const ownerMemo = new Map<string, boolean>();
  const isRepoDir = (rel: string): boolean => {
    let known = ownerMemo.get(rel);
    if (known === undefined) {
      known = hasGitEntry(root + '/' + rel);
      ownerMemo.set(rel, known);
    }
    return known;
  };
  const groups = new Map<string, string[]>();
  for (const item of items) {
    let owner = '';
    for (let dir = path.posix.dirname(item.path); dir !== '.' && dir !== ''; dir = path.posix.dirname(dir)) {
      if (isRepoDir(dir)) {
        owner = dir;
        break;
      }
    }
    const list = groups.get(owner) ?? [];
    list.push(item.path);
    groups.set(owner, list);
  }

  const itemSet = new Set(items.map((item) => item.path));
  const itemOf = (rel: string): string | null => {
    for (let p = rel; p !== '.' && p !== ''; p = path.posix.dirname(p)) if (itemSet.has(p)) return p;
    return null;
  };

  for (const [owner, paths] of groups) {
    const cwd = owner === '' ? root : root + '/' + owner;
    const relToOwner = (p: string): string => (owner === '' ? p : p.slice(owner.length + 1));
    const listing = listTracked(cwd, paths.map(relToOwner));
    if (listing.ok) {
      for (const name of listing.paths) {
        const full = owner === '' ? name : owner + '/' + name;
        const item = itemOf(full);
        if (item === null) continue;
        const entry = tracked.get(item);
        if (entry) entry.count++;
        else tracked.set(item, { count: 1, example: full });
      }
      continue;
    }
    // The root's own context: no repository and no `.git` anywhere above is the ordinary case of a
    // directory outside version control. A `.git` above that git cannot use (a broken worktree
    // link, git missing) leaves the question open, so those items are not deleted.
    if (owner === '' && (listing.noRepository || listing.gitMissing) && !insideRepositoryOnDisk(root)) continue;
    for (const p of paths) unavailable.set(p, listing.reason);
  }
  return { tracked, unavailable };
}
