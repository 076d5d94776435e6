import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { measureContext, type Builder } from '../src/index.js';
import { PARALLEL_TUNING } from '../src/measure/parallel.js';
import { walkFromRoot } from '../src/walk/from-root.js';
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

  it('measures the effective context (its own walk, beside the workers) as one thread does', () => {
    const spec: Record<string, string> = {
      '.dockerignore': '**/node_modules\n!**/node_modules/keep\n*.log\n',
      'Dockerfile': 'FROM node\nCOPY packages/p1 ./p1\nCOPY packages/p3/src/*.ts ./src/\nCOPY missing.txt app.log ./\nRUN --mount=type=bind,source=packages/p2/node_modules,target=/m true\n',
      'app.log': 'log',
    };
    for (let p = 0; p < 5; p++) {
      for (let m = 0; m < 4; m++) {
        spec[`packages/p${p}/src/f${m}.ts`] = 's'.repeat(m * 3 + p);
        spec[`packages/p${p}/node_modules/m${m}/index.js`] = 'x'.repeat(10 + m);
        spec[`packages/p${p}/node_modules/keep/k${m}.js`] = 'k'.repeat(m + 1);
      }
    }
    const root = makeTree(spec);
    try {
      const sequential = measureContext({ dir: root, threads: 1 });
      assert.equal(sequential.effectiveScope, 'paths');
      assert.ok(sequential.effective!.files > 0 && sequential.effective!.files < sequential.context.files);
      assert.deepEqual(
        sequential.sourceProblems.map((p) => [p.source, p.problem]),
        [['missing.txt', 'missing'], ['app.log', 'excluded']],
      );
      for (const setting of SETTINGS) {
        assert.deepEqual(withTuning(setting, () => measureContext({ dir: root, threads: 2 })), sequential, setting.name);
        assert.deepEqual(withTuning(setting, () => measureContext({ dir: root, threads: 2, chdirToRoot: true })), sequential, `${setting.name}, from the root`);
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

  it('falls back to one thread, with the same report, when a worker dies with a task taken (not hanging on it)', () => {
    const spec: Record<string, string> = {};
    for (let d = 0; d < 8; d++) for (let f = 0; f < 4; f++) spec[`d${d}/sub/f${f}.txt`] = 'x'.repeat(d * 10 + f);
    const root = makeTree(spec);
    try {
      const sequential = measureContext({ dir: root, threads: 1 });
      const started = Date.now();
      const fallback = withTuning({ tasksPerThread: 0, maxSkeletonDepth: 1, mainWalksTasks: false, dieWorkers: true, stallMs: 300 }, () =>
        measureContext({ dir: root, threads: 2 }),
      );
      assert.deepEqual(fallback, sequential);
      assert.ok(Date.now() - started < 10_000, 'the dead walker is found by its stopped progress');
    } finally {
      removeTree(root);
    }
  });
});

describe('walking from the context root (chdirToRoot)', () => {
  it('measures exactly what the walk with absolute paths measures, and restores the working directory', () => {
    const before = process.cwd();
    let compared = 0;
    for (let i = 0; i < 30; i++) {
      const c = generateCase(8300 + i, CASE_KINDS[i % CASE_KINDS.length]!, i);
      const root = makeTree({});
      try {
        materializeCase(c, root);
        if (i % 3 === 0) {
          // A name that is not valid UTF-8: its raw bytes are joined to the relative base.
          const raw = Buffer.concat([Buffer.from(root + '/raw-'), Buffer.from([0xfe])]);
          mkdirSync(raw);
          writeFileSync(Buffer.concat([raw, Buffer.from('/x.bin')]), 'abc');
        }
        for (const builder of ['buildkit', 'classic'] as Builder[]) {
          const options = { dir: root, builder, dockerfile: path.join(root, c.dockerfile), top: 25 };
          const outcome = (extra: object): unknown => {
            try {
              return measureContext({ ...options, ...extra });
            } catch (error) {
              return { error: (error as Error).message };
            }
          };
          const absolute = outcome({ threads: 1 });
          assert.deepEqual(outcome({ threads: 1, chdirToRoot: true }), absolute, `${c.id} under ${builder}, one thread`);
          assert.deepEqual(outcome({ threads: 2, chdirToRoot: true }), absolute, `${c.id} under ${builder}, two threads`);
          assert.equal(process.cwd(), before, 'the working directory is back');
          compared++;
        }
      } finally {
        removeTree(root);
      }
    }
    assert.equal(compared, 60);
  });

  it('walks with the absolute root where the working directory cannot change', () => {
    const missing = path.join(makeTree({}), 'gone');
    const bases: string[] = [];
    assert.equal(walkFromRoot(missing, (base) => (bases.push(base), 7)), 7);
    assert.deepEqual(bases, [missing]);
    removeTree(path.dirname(missing));
    const root = makeTree({ 'a.txt': 'a' });
    try {
      const seen: string[] = [];
      walkFromRoot(root, (base) => seen.push(base, process.cwd()));
      assert.deepEqual(seen, ['.', root]);
      assert.notEqual(process.cwd(), root);
    } finally {
      removeTree(root);
    }
  });
});
