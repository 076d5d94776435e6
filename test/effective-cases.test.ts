import assert from 'node:assert/strict';
import { sink } from './support/sink.js';
import { describe, it } from 'node:test';
import { runCli } from '../src/cli.js';
import { buildRecordedTree, readRecordedCases, type RecordedTreeEntry } from './support/recorded-cases.js';
import { removeTree } from './support/tree.js';

/**
 * The recorded cases of ../shared/conformance/effective-cases.jsonl (copied into test/fixtures):
 * random trees, ignore files and multi-stage Dockerfiles with their build options, and the exact
 * entries BuildKit's Dockerfile frontend transfers for them, or its refusal (exit 2 here).
 */
interface RecordedCase {
  id: string;
  args: string[];
  tree: RecordedTreeEntry[];
  effective: { entries: { path: string; type: string }[] } | { error: true };
}

const cases = readRecordedCases<RecordedCase>('effective-cases.jsonl');

const build = (c: RecordedCase): string => buildRecordedTree(c.tree);

/** `ctxsize ls --effective --json ARGS ROOT`, in this process. */
async function listEffective(root: string, args: string[]): Promise<{ status: number; entries: { path: string; type: string }[]; stderr: string }> {
  const out = sink();
  const err = sink();
  const status = await runCli(['ls', '--effective', '--json', ...args, root], {
    stdout: out.stream,
    stderr: err.stream,
    env: { NO_COLOR: '1' },
    cwd: root,
  });
  const entries = out
    .text()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const { path: p, type } = JSON.parse(line) as { path: string; type: string };
      return { path: p, type };
    });
  return { status, entries, stderr: err.text() };
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

describe('recorded effective-context cases (BuildKit frontend)', () => {
  it('has the recorded cases, refusals among them', () => {
    assert.ok(cases.length >= 290);
    assert.ok(cases.some((c) => 'error' in c.effective));
  });
  for (const kind of ['transfers', 'refusals'] as const) {
    it(`every case's ${kind} match BuildKit exactly`, async () => {
      const failures: string[] = [];
      for (const c of cases.filter((x) => ('error' in x.effective) === (kind === 'refusals'))) {
        const root = build(c);
        try {
          const got = await listEffective(root, c.args);
          const want = c.effective;
          if ('error' in want) {
            if (got.status !== 2) failures.push(`${c.id}: BuildKit refuses the Dockerfile, ctxsize exited ${got.status}`);
            else if (!/Dockerfile:\d+: /.test(got.stderr)) failures.push(`${c.id}: the refusal names no Dockerfile line: ${got.stderr.trim()}`);
          } else if (got.status !== 0) {
            failures.push(`${c.id}: ctxsize exited ${got.status} (${got.stderr.trim()}), BuildKit sends ${want.entries.length} entries`);
          } else {
            const expected = want.entries.map((e) => ({ path: e.path, type: e.type })).sort(byPath);
            const actual = got.entries.sort(byPath);
            try {
              assert.deepEqual(actual, expected);
            } catch {
              const wanted = new Set(expected.map((e) => `${e.path} (${e.type})`));
              const have = new Set(actual.map((e) => `${e.path} (${e.type})`));
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
});
