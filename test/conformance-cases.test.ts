import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listContext } from '../src/index.js';
import { buildRecordedTree, readRecordedCases, type RecordedTreeEntry } from './support/recorded-cases.js';
import { removeTree } from './support/tree.js';

/**
 * The 700 recorded cases of ../shared/conformance (copied into test/fixtures): for each tree and
 * ignore files, the exact entries each builder puts in the context, or that it refuses the build.
 */
interface RecordedEntry {
  path: string;
  type: string;
  size: number;
}
interface RecordedCase {
  id: string;
  kind: string;
  dockerfile: string;
  tree: RecordedTreeEntry[];
  buildkit: { entries: RecordedEntry[] } | { error: true };
  classic: { entries: RecordedEntry[] } | { error: true };
}

const cases = readRecordedCases<RecordedCase>('conformance-cases.jsonl');

const build = (c: RecordedCase): string => buildRecordedTree(c.tree);

const byPath = (a: RecordedEntry, b: RecordedEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

describe('recorded conformance cases', () => {
  it('has the 700 cases', () => assert.equal(cases.length, 700));
  for (const kind of ['plain', 'allow-list', 'exotic']) {
    for (const builder of ['buildkit', 'classic'] as const) {
      it(`${kind} cases under ${builder} match Docker exactly`, () => {
        const failures: string[] = [];
        for (const c of cases.filter((x) => x.kind === kind)) {
          const root = build(c);
          try {
            const want = c[builder];
            let got: { entries: RecordedEntry[] } | { error: string };
            try {
              const listing = listContext({ dir: root, builder, dockerfile: path.join(root, c.dockerfile) });
              got = { entries: listing.entries.map((e) => ({ path: e.path, type: e.type, size: e.size })).sort(byPath) };
            } catch (error) {
              got = { error: (error as Error).message };
            }
            if ('error' in want) {
              if (!('error' in got)) failures.push(`${c.id}: Docker refuses the build, ctxsize listed ${got.entries.length} entries`);
            } else if ('error' in got) {
              failures.push(`${c.id}: ctxsize failed (${got.error}), Docker sends ${want.entries.length} entries`);
            } else {
              try {
                assert.deepEqual(got.entries, want.entries);
              } catch {
                const wanted = new Set(want.entries.map((e) => e.path));
                const have = new Set(got.entries.map((e) => e.path));
                failures.push(
                  `${c.id}: missing ${JSON.stringify([...wanted].filter((p) => !have.has(p)))} extra ${JSON.stringify([...have].filter((p) => !wanted.has(p)))}`,
                );
              }
            }
          } finally {
            removeTree(root);
          }
        }
        assert.deepEqual(failures, []);
      });
    }
  }
});
