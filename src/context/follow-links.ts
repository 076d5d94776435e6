import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { goFilepathMatch } from '../dockerignore/go-glob.js';
import { goCleanPath } from '../dockerignore/go-text.js';

/** Does a path segment hold glob characters (fsutil's containsWildcards)? */
function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  // A name over the system's limit cannot exist either: a source that matches nothing.
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG';
}

/** The targets of `rel` if it is a symlink (or, for a wildcard last segment, of the links it matches). */
function readSymlink(root: string, rel: string, allowWildcard: boolean): string[] | null {
  const base = path.posix.basename(rel);
  const parent = path.posix.dirname(rel);
  if (allowWildcard && containsWildcards(base)) {
    let names: string[];
    try {
      names = readdirSync(path.join(root, parent));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    let out: string[] | null = null;
    for (const name of names) {
      let matched = false;
      try {
        matched = goFilepathMatch(base, name);
      } catch {
        matched = false;
      }
      if (!matched) continue;
      const targets = readSymlink(root, path.posix.join(parent, name), false);
      if (targets !== null) (out ??= []).push(...targets);
    }
    return out;
  }
  let link: string;
  try {
    if (!lstatSync(path.join(root, rel)).isSymbolicLink()) return null;
    link = readlinkSync(path.join(root, rel));
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  link = goCleanPath(link);
  if (link.startsWith('/')) return [link];
  return [path.posix.join('/', path.posix.join(parent, link))];
}

/**
 * BuildKit's FollowPaths: the paths a Dockerfile uses, plus, for every symlink met along them, the
 * link itself and its target (followed within the context, never outside it), sorted and with
 * paths inside others dropped (tonistiigi/fsutil FollowLinks). Returns null when the whole
 * context is used.
 */
export function followLinks(root: string, paths: readonly string[]): string[] | null {
  const resolved = new Set<string>();
  const append = (p: string, depth: number): void => {
    if (depth > 255) return; // a symlink loop: BuildKit would keep the paths seen so far
    let rest = p;
    let current = '.';
    for (;;) {
      const slash = rest.indexOf('/');
      const head = slash === -1 ? rest : rest.slice(0, slash);
      current = goCleanPath(current === '.' ? head : current + '/' + head);
      const targets = current === '.' ? null : readSymlink(root, current, true);
      rest = slash === -1 ? '' : rest.slice(slash + 1);
      if ((rest === '' || targets !== null) && resolved.has(current)) return;
      if (targets !== null) {
        resolved.add(current);
        for (const target of targets) append(goCleanPath(path.posix.join(target, rest)), depth + 1);
        return;
      }
      if (rest === '') {
        resolved.add(current);
        return;
      }
    }
  };
  for (const p of paths) append(p, 0);
  const sorted = [...resolved].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: string[] = [];
  let last: string | null = null;
  for (const p of sorted) {
    if (p === '.' || p === '/') return null;
    if (last !== null && p.startsWith(last + '/')) continue;
    out.push(p.startsWith('/') ? p.slice(1) : p);
    last = p;
  }
  return out;
}
