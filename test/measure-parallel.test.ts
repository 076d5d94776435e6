import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { measureContext, type Builder } from '../src/index.js';
import { PARALLEL_TUNING } from '../src/measure/parallel.js';
import { generateCase, materializeCase, CASE_KINDS } from './support/random-cases.js';
import { makeTree, removeTree } from './support/tree.js';

/**
 * The parallel measurement must be the sequential one, to the byte: same counts, same largest
 * paths, same top-level breakdown, same warnings, same effective context. Task boundaries are put
 * at every depth by tuning how far the main thread reads before handing directories out.
 */
// `mainWalksTasks: false` leaves every task to the worker threads, so their results are merged.
const SETTINGS = [
  { name: 'tasks at depth 1', tasksPerThread: 0, maxSkeletonDepth: 1, mainWalksTasks: true },
  { name: 'tasks at depth 2, all in workers', tasksPerThread: 1e9, maxSkeletonDepth: 2, mainWalksTasks: false },
  { name: 'tasks at depth 3, all in workers', tasksPerThread: 1e9, maxSkeletonDepth: 3, mainWalksTasks: false },
  { name: 'tasks at depth 1, all in workers', tasksPerThread: 0, maxSkeletonDepth: 1, mainWalksTasks: false },
];

function withTuning<T>(tuning: Partial<typeof PARALLEL_TUNING>, body: () => T): T {
  const saved = { ...PARALLEL_TUNING };
  Object.assign(PARALLEL_TUNING, tuning);
  try {
    return body();
  } finally {
    Object.assign(PARALLEL_TUNING, saved);
  }
}

describe('parallel measurement equals the sequential one', () => {
  for (const setting of SETTINGS) {
    it(`on random trees under both builders (${setting.name})`, () => {
      let compared = 0;
      for (let i = 0; i < 45; i++) {
        const c = generateCase(7100 + i, CASE_KINDS[i % CASE_KINDS.length]!, i);
        const root = makeTree({});
        try {
          materializeCase(c, root);
          for (const builder of ['buildkit', 'classic'] as Builder[]) {
            const options = { dir: root, builder, dockerfile: path.join(root, c.dockerfile), top: 25 };
            let sequential: unknown;
            try {
              sequential = measureContext({ ...options, threads: 1 });
            } catch (error) {
              sequential = { error: (error as Error).message };
            }
            let parallel: unknown;
            try {
              parallel = withTuning(setting, () => measureContext({ ...options, threads: 2 }));
            } catch (error) {
              parallel = { error: (error as Error).message };
            }
            assert.deepEqual(parallel, sequential, `${c.id} under ${builder}`);
            compared++;
          }
        } finally {
          removeTree(root);
        }
      }
      assert.ok(compared >= 90);
    });
  }

  it('on a deep monorepo where BuildKit sends excluded directories for what they hold', () => {
    const spec: Record<string, string> = {
      '.dockerignore': '**/node_modules\n!**/node_modules/keep/*.js\npackages/*/dist\n*.log\n',
      'Dockerfile': 'FROM node\nCOPY . .\n',
    };
    for (let p = 0; p < 6; p++) {
      for (let m = 0; m < 5; m++) {
        spec[`packages/p${p}/node_modules/m${m}/index.js`] = 'x'.repeat(10 + p * m);
        spec[`packages/p${p}/node_modules/keep/k${m}.js`] = 'k'.repeat(m + 1);
        spec[`packages/p${p}/src/deep/er/f${m}.ts`] = 's'.repeat(m * 7);
        spec[`packages/p${p}/dist/out${m}.js`] = 'd'.repeat(100 * m);
      }
      spec[`packages/p${p}/app.log`] = 'log';
    }
    const root = makeTree(spec);
    try {
      // A name that is not valid UTF-8, inside a task directory: raw bytes cross threads.
      const rawDir = Buffer.concat([Buffer.from(root + '/packages/p1/src/raw-'), Buffer.from([0xff])]);
      mkdirSync(rawDir);
      writeFileSync(Buffer.concat([rawDir, Buffer.from('/inner.bin')]), 'abcdef');
      for (const builder of ['buildkit', 'classic'] as Builder[]) {
        const sequential = measureContext({ dir: root, builder, threads: 1, top: 40 });
        for (const setting of SETTINGS) {
          assert.deepEqual(withTuning(setting, () => measureContext({ dir: root, builder, threads: 2, top: 40 })), sequential, `${builder}, ${setting.name}`);
          assert.deepEqual(withTuning(setting, () => measureContext({ dir: root, builder, threads: 3, top: 40 })), sequential, `${builder}, 3 threads, ${setting.name}`);
        }
        assert.equal(sequential.all.files, Object.keys(spec).length + 1, 'the raw-named file is measured');
      }
    } finally {
      removeTree(root);
    }
  });

  it('falls back to one thread, with the same report, when a worker fails', () => {
    const spec: Record<string, string> = { '.dockerignore': '**/skip\n' };
    for (let d = 0; d < 8; d++) for (let f = 0; f < 4; f++) spec[`d${d}/sub/f${f}.txt`] = 'x'.repeat(d * 10 + f);
    spec['d1/skip/big.bin'] = 'y'.repeat(500);
    const root = makeTree(spec);
    try {
      const sequential = measureContext({ dir: root, threads: 1 });
      const fallback = withTuning({ tasksPerThread: 0, maxSkeletonDepth: 1, mainWalksTasks: false, failWorkers: true }, () =>
        measureContext({ dir: root, threads: 2 }),
      );
      assert.deepEqual(fallback, sequential);
    } finally {
      removeTree(root);
    }
  });
});
