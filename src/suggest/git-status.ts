/**
 * Git's view of the context's entries, asked of git itself (two `git ls-files` runs): which files
 * it tracks (source, until shown otherwise) and which it ignores (artifacts a fresh clone does
 * not have). Outside a repository, or without git, nothing is known.
 */
import { spawnSync } from 'node:child_process';
import type { ContextTree } from './engine.js';
import { parentOf } from './patterns.js';

/** Git's view, per tree entry. */
export interface GitStatus {
  /** The context is in a git repository and git answered. */
  repo: boolean;
  /** 1: a tracked file, or a directory holding one. */
  tracked: Uint8Array;
  /** 1: git ignores it (or a directory above it), and it is not tracked. */
  ignored: Uint8Array;
}

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE', 'GIT_PREFIX']) delete env[name];
  return env;
}

function lsFiles(root: string, args: readonly string[]): string[] | null {
  const result = spawnSync('git', ['-c', 'core.quotePath=false', 'ls-files', '-z', ...args], {
    cwd: root,
    env: gitEnv(),
    encoding: 'buffer',
    maxBuffer: 1 << 30,
  });
  if (result.error || result.status !== 0) return null;
  return result.stdout.toString('utf8').split('\0').filter(Boolean);
}

/** Ask git about the context at `root` (paths relative to it, as the tree's are). */
export function readGitStatus(root: string, tree: ContextTree): GitStatus {
  const n = tree.entries.length;
  const tracked = new Uint8Array(n);
  const ignored = new Uint8Array(n);
  const trackedList = lsFiles(root, []);
  const ignoredList = trackedList === null ? null : lsFiles(root, ['--others', '--ignored', '--exclude-standard', '--directory']);
  if (trackedList === null || ignoredList === null) return { repo: false, tracked, ignored };
  const holders = new Set<string>();
  for (const file of trackedList) {
    for (let p = file; p !== '' && !holders.has(p); p = parentOf(p)) holders.add(p);
  }
  const ignoredSet = new Set(ignoredList.map((p) => p.replace(/\/$/, '')));
  tree.entries.forEach((entry, i) => {
    if (holders.has(entry.path)) {
      tracked[i] = 1;
      return;
    }
    const parent = tree.parentIndex(i);
    if (parent !== -1) {
      if (ignored[parent] === 1 || ignoredSet.has(entry.path)) ignored[i] = 1;
      return;
    }
    for (let p = entry.path; p !== ''; p = parentOf(p)) {
      if (ignoredSet.has(p)) {
        ignored[i] = 1;
        break;
      }
    }
  });
  return { repo: true, tracked, ignored };
}
