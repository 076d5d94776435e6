/**
 * The rules that keep `clean` inside its directory. They live here, in the core, so that every
 * caller (the CLI, the library API, a saved plan applied later) goes through them.
 */
import { realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../context/resolve.js';

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** The current user's home directories as the system knows them ($HOME and the password database). */
function homeDirectories(): string[] {
  const homes = new Set<string>();
  const add = (p: string | undefined): void => {
    if (p && path.isAbsolute(p)) homes.add(realOrResolved(p));
  };
  add(os.homedir());
  add(process.env['HOME']);
  try {
    add(os.userInfo().homedir);
  } catch {
    // no password entry (some containers): $HOME is all there is
  }
  return [...homes];
}

/**
 * Refuse a root that no cleaning should start from: the file-system root, the home directory
 * itself, and any directory that contains the home directory (cleaning `/home` would reach into
 * `~/.gradle`, `~/.npm` and other user-level stores that hold settings as well as caches).
 * Throws InputError (exit 2).
 */
export function assertCleanableRoot(root: string): void {
  if (root === path.parse(root).root) {
    throw new InputError(`refusing to clean ${root}: it is the file-system root; name a project directory`);
  }
  for (const home of homeDirectories()) {
    if (root === home) {
      throw new InputError(`refusing to clean ${root}: it is the home directory; name a project directory inside it`);
    }
    if (home.startsWith(root + path.sep)) {
      throw new InputError(`refusing to clean ${root}: it contains the home directory ${home}; name a project directory`);
    }
  }
}

/** Resolve DIR to its real path, check that it is a directory that may be cleaned. */
export function resolveCleanRoot(dir: string, cwd: string): string {
  const given = path.resolve(cwd, dir);
  let root: string;
  try {
    root = realpathSync(given);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${dir}: no such directory` : `${dir}: cannot open directory (${code})`, { cause: error });
  }
  if (!statSync(root).isDirectory()) throw new InputError(`${dir}: not a directory`);
  assertCleanableRoot(root);
  return root;
}

/**
 * Why a plan item's path is unacceptable, or null when it is fine: it must name something strictly
 * inside the root, by plain names (no empty, `.` or `..` segments, not absolute).
 */
export function checkItemPath(rel: unknown): string | null {
  if (typeof rel !== 'string' || rel === '') return 'empty path (the root itself is never deleted)';
  if (rel.includes('\0')) return 'path contains a NUL byte';
  if (rel.startsWith('/') || path.isAbsolute(rel)) return 'absolute path (items are relative to the root)';
  if (process.platform === 'win32' && rel.includes('\\')) return 'backslash in path';
  for (const part of rel.split('/')) {
    if (part === '') return 'empty path segment';
    if (part === '.' || part === '..') return `"${part}" segment (items must stay inside the root)`;
  }
  return null;
}

/** Short human text for the error codes a deletion meets. */
export function describeErrorCode(code: string): string {
  switch (code) {
    case 'EACCES':
      return 'permission denied';
    case 'EPERM':
      return 'operation not permitted';
    case 'EBUSY':
      return 'resource busy';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTEMPTY':
      return 'directory not empty';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return code;
  }
}

export function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'EIO';
}
