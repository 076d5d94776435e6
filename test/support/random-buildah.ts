import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listContext } from '../../src/index.js';
import { listWithBuildahAsync, type BuildahAnswer, type ListedEntry } from './buildah.js';
import { generateCase, materializeCase, Random, type CaseKind, type RandomCase, type TreeEntry } from './random-cases.js';

/**
 * Random cases for Podman/Buildah: the Docker generator's trees and ignore files, then moved to
 * Podman's names (`.containerignore`, `Containerfile`, `<name>.containerignore`, both files side
 * by side) and given the lines where Buildah's reading differs (`+ ( ) | ^ { }`, a leading space,
 * `! /x`, a trailing backslash, a CR, slashes at both ends).
 */

/** A random case, plus whether Buildah finds the Containerfile by itself (no -f). */
export interface BuildahCase extends RandomCase {
  discover: boolean;
}

const PODMAN_LINES = [
  'a+b', '(p)', 'x|y', '^c', 'a|b', ' /a', ' a', '! /a', '!/a', '/a/', '//b//', 'a\\', '*\\', 'x{2}', 'a.b', '$d',
  '(a|b)', 'a+', 'src/(x)', '**/a+b', '^a', 'b$', 'a\r', 'a/\r', '[ab]+', '\\d', '\\a', '!a+b', '!(p)', 'st*r',
  '*.go', '!src/**/*.go', '!a/b', 'deep/**', '!deep/a', '**', '*', '!*', 'foo/', '/foo', '!foo/x', 'Containerfile',
  '.containerignore', '#x', ' #x', 'a/../b', '!a/../b', 'ab/x', '!ab/x', '?', '*/x.log', '**/x.log', 'node_modules',
];

function podmanLines(rng: Random): string {
  const lines: string[] = [];
  for (let i = rng.range(1, 6); i > 0; i--) lines.push(rng.pick(PODMAN_LINES));
  return lines.join('\n') + (rng.chance(0.7) ? '\n' : '');
}

function renamed(entries: TreeEntry[], from: string, to: string): TreeEntry[] {
  if (entries.some((e) => e.path === to)) return entries;
  return entries.map((e) => (e.path === from ? { ...e, path: to } : e));
}

/** One random Buildah case, deterministic from its seed. */
export function generateBuildahCase(seed: number, kind: CaseKind, index = 0): BuildahCase {
  const base = generateCase(seed, kind, index);
  const rng = new Random(seed ^ 0x5bd1e995);
  let tree = base.tree.filter((e) => e.type !== 'hardlink');
  let dockerfile = base.dockerfile;
  let discover = false;
  const ignore = tree.find((e) => e.path === '.dockerignore');
  if (ignore && rng.chance(0.5)) ignore.content = (ignore.content ?? '') + (ignore.content?.endsWith('\n') ? '' : '\n') + podmanLines(rng);
  const r = rng.next();
  if (r < 0.25) tree = renamed(tree, '.dockerignore', '.containerignore');
  else if (r < 0.45) tree = [...tree, { path: '.containerignore', type: 'file', content: rng.chance(0.2) ? '' : podmanLines(rng) }];
  if (dockerfile !== 'Dockerfile') {
    const r2 = rng.next();
    if (r2 < 0.3) tree = renamed(tree, dockerfile + '.dockerignore', dockerfile + '.containerignore');
    else if (r2 < 0.5) tree = [...tree, { path: dockerfile + '.containerignore', type: 'file', content: podmanLines(rng) }];
  } else if (rng.chance(0.4)) {
    tree = renamed(tree, 'Dockerfile', 'Containerfile');
    dockerfile = tree.some((e) => e.path === 'Containerfile') ? 'Containerfile' : 'Dockerfile';
  }
  if (dockerfile === 'Containerfile' || (dockerfile === 'Dockerfile' && rng.chance(0.5))) discover = true;
  return { ...base, id: `buildah-${base.id}`, tree, dockerfile, discover };
}

export function generateBuildahCases(seed: number, count: number): BuildahCase[] {
  const master = new Random(seed);
  const kinds: CaseKind[] = ['plain', 'allow-list', 'exotic'];
  return Array.from({ length: count }, (_, i) => generateBuildahCase(master.int(2 ** 32), kinds[i % 3]!, i));
}

const byPath = (a: ListedEntry, b: ListedEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** ctxsize's answer for a materialized case, as `ctxsize ls --builder buildah --json` gives it. */
export function ctxsizeBuildah(root: string, c: { dockerfile: string; discover?: boolean }): BuildahAnswer {
  try {
    const listing = listContext({ dir: root, builder: 'buildah', dockerfile: c.discover ? undefined : path.join(root, c.dockerfile) });
    return { entries: listing.entries.map((e) => ({ path: e.path, type: e.type, size: e.type === 'file' ? e.size : 0 })).sort(byPath) };
  } catch (error) {
    return { error: true, message: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** Null when both agree (paths, types, file sizes; or both refuse), else what differs. */
export function diffAnswers(buildah: BuildahAnswer, ctxsize: BuildahAnswer): string | null {
  if ('error' in buildah && 'error' in ctxsize) return null;
  if ('error' in buildah) return `Buildah refuses (${buildah.message}); ctxsize lists ${(ctxsize as { entries: unknown[] }).entries.length} entries`;
  if ('error' in ctxsize) return `ctxsize fails (${ctxsize.message}); Buildah copies ${buildah.entries.length} entries`;
  const key = (e: ListedEntry): string => `${JSON.stringify(e.path)} ${e.type} ${e.type === 'file' ? e.size : 0}`;
  const want = new Set(buildah.entries.map(key));
  const got = new Set(ctxsize.entries.map(key));
  const missing = [...want].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !want.has(k));
  if (missing.length === 0 && extra.length === 0) return null;
  return [missing.length ? `copied by Buildah only: ${missing.join(', ')}` : '', extra.length ? `listed by ctxsize only: ${extra.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
}

/** Build the case, ask both, and return the difference (null when identical). */
export async function compareWithBuildah(contextSh: string, c: BuildahCase): Promise<string | null> {
  const root = mkdtempSync(path.join(tmpdir(), 'ctxsize-buildah-'));
  try {
    materializeCase(c, root);
    const real = await listWithBuildahAsync(contextSh, root, c.discover ? undefined : c.dockerfile);
    return diffAnswers(real, ctxsizeBuildah(root, c));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A reproduction: the ignore files and the tree's paths. */
export function describeBuildahCase(c: BuildahCase): string {
  const files = c.tree.filter((e) => e.type === 'file' && /ignore$/.test(e.path)).map((e) => `  ${e.path}: ${JSON.stringify(e.content)}`);
  return [`${c.id} (${c.discover ? 'no -f' : `-f ${c.dockerfile}`})`, ...files, `  tree: ${c.tree.map((e) => (e.type === 'dir' ? e.path + '/' : e.type === 'file' ? e.path : `${e.path}(${e.type})`)).join(' ')}`].join('\n');
}
