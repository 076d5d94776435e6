import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A tree to build: paths ending in `/` are directories; `->target` makes a symlink; else file content. */
export type TreeSpec = Record<string, string>;

/** Build a tree in a new temporary directory and return its path. */
export function makeTree(spec: TreeSpec, prefix = 'ctxsize-test-'): string {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [rel, content] of Object.entries(spec)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    if (rel.endsWith('/')) mkdirSync(abs, { recursive: true });
    else if (content.startsWith('->')) symlinkSync(content.slice(2), abs);
    else writeFileSync(abs, content);
  }
  return root;
}

export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** Run `body` with a fresh tree, removing it afterwards. */
export async function withTree<T>(spec: TreeSpec, body: (root: string) => T | Promise<T>): Promise<T> {
  const root = makeTree(spec);
  try {
    return await body(root);
  } finally {
    removeTree(root);
  }
}
