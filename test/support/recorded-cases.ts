import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './cli.js';
import { makeTree } from './tree.js';

/** One entry of a recorded tree (test/fixtures/*.jsonl), parents before children. */
export interface RecordedTreeEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink';
  content?: string;
  target?: string;
}

/** The cases of a recorded JSON-lines file in test/fixtures, one object a line. */
export function readRecordedCases<T>(file: string): T[] {
  return readFileSync(path.join(REPO, 'test/fixtures', file), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

/** Make a recorded tree in a new temporary directory; returns its root (remove it with removeTree). */
export function buildRecordedTree(tree: readonly RecordedTreeEntry[]): string {
  const root = makeTree({});
  for (const e of tree) {
    const abs = path.join(root, e.path);
    if (e.type === 'dir') mkdirSync(abs);
    else if (e.type === 'file') writeFileSync(abs, e.content ?? '');
    else symlinkSync(e.target!, abs);
  }
  return root;
}
