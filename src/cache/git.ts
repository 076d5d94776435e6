/**
 * What git says changed: the I/O edge of `ctxsize cache`. ctxsize asks `git` itself (it knows
 * about worktrees, index formats and renames) and takes its paths relative to the context root
 * (`--relative`), so a context in a subdirectory of a repository sees only its own files.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { InputError } from '../context/resolve.js';

/** Environment for git: English messages, and none of the variables that would point it elsewhere. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANGUAGE: 'C', GIT_OPTIONAL_LOCKS: '0' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE', 'GIT_PREFIX']) {
    delete env[name];
  }
  return env;
}

function git(cwd: string, args: string[], what: string): string {
  const result = spawnSync('git', ['-c', 'core.quotePath=false', ...args], {
    cwd,
    env: gitEnv(),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (result.error) throw new InputError(`${cwd}: cannot run git for ${what} (${(result.error as NodeJS.ErrnoException).code ?? result.error.message})`);
  if (result.status !== 0) {
    const message = (result.stderr || '').trim().split('\n').pop() || 'not found';
    throw new InputError(`${cwd}: git cannot tell ${what}: ${message}`);
  }
  return result.stdout;
}

const splitZ = (text: string): string[] => text.split('\0').filter((s) => s !== '');

/** Whether `dir` is inside a git work tree. */
export function insideWorkTree(dir: string): boolean {
  const result = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir, env: gitEnv(), encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === 'true';
}

/** What changed in the context since `ref`. */
export interface WorkingChanges {
  /** The commit `ref` names. */
  commit: string;
  /** Paths relative to the context root: modified, added, deleted (tracked files) and untracked ones. */
  changed: string[];
  /** How many of `changed` are untracked (not ignored by git). */
  untracked: number;
  /** Paths git ignores (directories end with `/`): git cannot tell whether they changed. */
  gitIgnored: string[];
}

/** The working tree (with the index) against `ref`, plus untracked files, relative to `root`. */
export function changesSince(root: string, ref: string): WorkingChanges {
  const commit = git(root, ['rev-parse', '--verify', '--quiet', ref + '^{commit}'], `which commit ${JSON.stringify(ref)} is`).trim();
  const tracked = splitZ(git(root, ['diff', '--name-only', '-z', '--no-renames', '--relative', commit, '--', '.'], `what changed since ${ref}`));
  const untracked = splitZ(git(root, ['ls-files', '--others', '--exclude-standard', '-z', '--', '.'], 'the untracked files'));
  const gitIgnored = splitZ(git(root, ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z', '--', '.'], 'the ignored files'));
  const changed = [...new Set([...tracked, ...untracked])].sort();
  return { commit, changed, untracked: untracked.length, gitIgnored };
}

/** One commit of the history and the paths it changed (against its first parent). */
export interface CommitChange {
  commit: string;
  subject: string;
  /** Paths relative to the context root. */
  changed: string[];
}

/** The last `count` commits of HEAD's first-parent history, each with the paths it changed under `root`. */
export function firstParentHistory(root: string, count: number, ref = 'HEAD'): CommitChange[] {
  const out = git(
    root,
    ['log', '--first-parent', '--diff-merges=first-parent', '--no-renames', '--relative', '--name-only', '-z', `-n${count}`, '--format=%x01%H %s', ref, '--'],
    'the history',
  );
  const commits: CommitChange[] = [];
  for (const chunk of out.split('\x01')) {
    if (chunk === '') continue;
    const end = chunk.indexOf('\0');
    const head = end === -1 ? chunk : chunk.slice(0, end);
    const space = head.indexOf(' ');
    const names = end === -1 ? [] : splitZ(chunk.slice(end + 1)).map((n) => n.replace(/^\n/, '')).filter((n) => n !== '');
    commits.push({ commit: head.slice(0, space === -1 ? head.length : space), subject: space === -1 ? '' : head.slice(space + 1), changed: names });
  }
  return commits;
}

/** The text of a file at a commit, or null when it does not exist there. */
export function fileAt(file: string, commit: string): string | null {
  const result = spawnSync('git', ['show', `${commit}:./${path.basename(file)}`], {
    cwd: path.dirname(file),
    env: gitEnv(),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return result.status === 0 ? result.stdout : null;
}

/** The first parent of a commit, or null for a root commit. */
export function firstParent(root: string, commit: string): string | null {
  const result = spawnSync('git', ['rev-parse', '--verify', '--quiet', commit + '^1'], { cwd: root, env: gitEnv(), encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}
