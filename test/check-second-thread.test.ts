import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkContext } from '../src/index.js';
import { SecondThread, THREAD_TUNING } from '../src/check/second-thread.js';
import { readForScan } from '../src/check/scan-file.js';
import { scanFile } from '../src/check/secrets.js';
import { TOKEN_KINDS } from '../src/knowledge/secret-content.js';
import { Random } from './support/random-cases.js';
import { generatePemKeys, generateToken } from './support/secret-corpus.js';
import { makeTree, removeTree, withTree, type TreeSpec } from './support/tree.js';
import { buildRecordedTree, readRecordedCases, type RecordedTreeEntry } from './support/recorded-cases.js';
import { createFilter } from '../src/context/filter.js';
import { resolveContext } from '../src/context/resolve.js';
import { recordDirectory } from '../src/check/record.js';
import type { Entry } from '../src/walk/entry.js';
import { entriesOfListing, listSkippedSubtree, walkContext, type DirectoryRef } from '../src/walk/walk.js';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';

// Fake credentials made at run time (none is valid anywhere), as in check-secrets.test.ts.
const rng = new Random(7);
const PEM = new Map(generatePemKeys(rng)).get('rsa-pkcs1')!;
const GITHUB = generateToken(rng, TOKEN_KINDS.find((k) => k.kind === 'github-token')!.formats[0]!);

const SPEC: TreeSpec = {
  'Dockerfile': 'FROM scratch\nCOPY . /app\n',
  '.env': `API_TOKEN=${GITHUB}\n`,
  'config/.env.example': 'API_TOKEN=\nDEBUG=1\n',
  'src/main.js': `const token = "${GITHUB}";\n`,
  'src/clean.js': 'console.log(1);\n',
  'src/key.txt': `intro\n${PEM}`,
  'src/data.bin': 'text\u0000with a NUL ' + GITHUB,
  'assets/logo.png': GITHUB,
  'node_modules/dep/.env': `API_TOKEN=${GITHUB}\n`,
  'test/fixtures/key.pem': PEM,
  '.git/config': `[remote "origin"]\n\turl = https://user:${GITHUB}@github.com/o/r.git\n`,
};

/** checkContext with CTXSIZE_CHECK_THREAD set: `1` starts the second thread at once, `0` never. */
function checkWithThread(setting: '0' | '1', root: string): ReturnType<typeof checkContext> {
  process.env['CTXSIZE_CHECK_THREAD'] = setting;
  try {
    return checkContext({ dir: root, cwd: root });
  } finally {
    delete process.env['CTXSIZE_CHECK_THREAD'];
  }
}

const skipReason = availableParallelism() < 2 ? 'one core here: check reads on its own thread only' : false;

describe('check: the second thread', () => {
  it('answers each file exactly as the scan reads it, and nothing for files it was not given', { skip: skipReason }, async () => {
    await withTree(SPEC, (root) => {
      const max = 1024;
      const prefetch = SecondThread.start(root, max);
      assert.ok(prefetch !== null, 'the worker starts');
      const files = Object.keys(SPEC).concat(['missing.txt']);
      const sizes = new Map(files.map((f) => [f, f === 'src/main.js' ? 5000 : (SPEC[f] ?? '').length]));
      assert.ok(prefetch.awaitReady(10_000), 'the thread runs');
      for (const f of files) prefetch.addFile(f, sizes.get(f)!);
      prefetch.flush();
      // Let the thread take the batch (else the main thread scans it when asked for the answers).
      const waitUntil = Date.now() + 10_000;
      while (prefetch.batchesTakenByThread() < 1 && Date.now() < waitUntil) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      assert.equal(prefetch.batchesTakenByThread(), 1, 'the thread scanned the files');
      const lookup = prefetch.finishScan();
      for (const f of files) {
        const answer = lookup(f);
        assert.ok(answer !== undefined, `${f} answered by the worker`);
        assert.deepEqual(answer, scanFile(readForScan(path.join(root, f), sizes.get(f)!, max), f), f);
      }
      assert.equal(lookup('src/not-given.js'), undefined);
      // The kinds of answer the scan relies on are all there.
      assert.deepEqual(lookup('src/main.js'), { skipped: 'too-large' });
      assert.deepEqual(lookup('missing.txt'), { skipped: 'unreadable' });
      assert.deepEqual(lookup('src/data.bin'), { skipped: 'binary' });
      assert.equal((lookup('.env') as { env?: unknown }).env !== undefined, true, 'env settings are read for env files');
      assert.ok((lookup('src/key.txt') as { matches: unknown[] }).matches.length > 0);
    });
  });

  it('gives the same report as reading on the main thread, whole context or part of it', { skip: skipReason }, async () => {
    for (const dockerfile of ['FROM scratch\nCOPY . /app\n', 'FROM scratch\nCOPY src /app/src\nCOPY .env /app/\n', 'FROM scratch\nCOPY src/*.js /app/\n']) {
      await withTree({ ...SPEC, Dockerfile: dockerfile }, (root) => {
        const withThread = checkWithThread('1', root);
        const alone = checkWithThread('0', root);
        assert.deepEqual(withThread, alone, dockerfile);
        assert.ok(withThread.findings.some((f) => f.rule === 'secret-content'), 'the tree has secrets to find');
      });
    }
  });
});

/** An entry as a line: everything the record says about it. */
const line = (e: Entry): string => `${e.type} ${e.path} ${e.size}${e.socket ? ' socket' : ''}${e.rawPath ? ' raw ' + e.rawPath.toString('hex') : ''}`;

function recordLines(root: string, second: SecondThread | null): { all: string[]; sent: string[]; warnings: string[] } {
  const context = resolveContext({ dir: root });
  const record = recordDirectory(root, createFilter(context), second === null ? {} : { startThread: () => second, threadAfter: 1 });
  second?.stop();
  return {
    all: record.all.map(line),
    sent: [...record.sent].sort(),
    warnings: record.warnings.map((w) => `${w.path} ${w.code}`).sort(),
  };
}

describe('check: the directory record', () => {
  it('lists every skipped subtree as the walk records it, on every conformance tree', () => {
    const cases = readRecordedCases<{ id: string; tree: RecordedTreeEntry[] }>('conformance-cases.jsonl');
    let compared = 0;
    const failures: string[] = [];
    for (const c of cases) {
      const root = buildRecordedTree(c.tree);
      try {
        let filter;
        try {
          filter = createFilter(resolveContext({ dir: root }));
        } catch {
          continue; // an ignore file Docker refuses: no walk to compare
        }
        const whole: Entry[] = [];
        const offered: DirectoryRef<unknown>[] = [];
        walkContext({
          root,
          filter,
          visitSkipped: true,
          namesOnlyWhenSkipped: true,
          takeSkippedSubtree: (dir) => {
            offered.push(dir);
            return false;
          },
          sink: { entry: (e) => whole.push(e), warning() {} },
        });
        for (const dir of offered) {
          if (typeof dir.abs !== 'string') continue;
          const listing = listSkippedSubtree(dir.abs, dir.rel, []);
          const want = whole.filter((e) => e.path.startsWith(dir.rel + '/'));
          if (listing === null) {
            if (!want.some((e) => e.rawPath !== undefined)) failures.push(`${c.id} ${dir.rel}: gave up without a raw name`);
            continue;
          }
          const got: Entry[] = [];
          entriesOfListing(listing, got);
          compared++;
          if (JSON.stringify(got.map(line)) !== JSON.stringify(want.map(line))) failures.push(`${c.id} ${dir.rel}`);
        }
      } finally {
        removeTree(root);
      }
    }
    assert.ok(compared > 100, `only ${compared} subtrees compared`);
    assert.deepEqual(failures.slice(0, 5), []);
  });

  it('is the same with the second thread as without, whichever thread lists each subtree', { skip: skipReason }, async (t) => {
    const spec: TreeSpec = { '.dockerignore': '.git\n**/node_modules\ndist\n*.log\n!keep.log\n', 'Dockerfile': 'FROM scratch\nCOPY . /\n', 'src/a.js': 'a', 'keep.log': 'k', 'x.log': 'x' };
    for (let p = 0; p < 120; p++) {
      spec[`node_modules/pkg${p}/package.json`] = '{}';
      spec[`node_modules/pkg${p}/lib/index.js`] = 'x'.repeat(p);
      if (p % 7 === 0) spec[`node_modules/pkg${p}/node_modules/inner/deep/file.txt`] = 'deep';
      if (p % 11 === 0) spec[`node_modules/pkg${p}/empty/`] = '';
      if (p % 13 === 0) spec[`node_modules/pkg${p}/link`] = '->../pkg0';
    }
    for (let o = 0; o < 40; o++) spec[`.git/objects/${o.toString(16).padStart(2, '0')}/obj${o}`] = 'o';
    spec['dist/app.js'] = 'built';
    spec['packages/web/node_modules/react/index.js'] = 'r';
    const root = makeTree(spec);
    try {
      // A name that is not UTF-8 inside a skipped subtree (that subtree is walked by the main thread), and a socket.
      writeFileSync(Buffer.concat([Buffer.from(path.join(root, 'node_modules', 'pkg3') + '/'), Buffer.from([0x6e, 0xff])]), 'raw');
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(path.join(root, 'node_modules', 'pkg5', 'sock'), resolve));
      t.after(() => server.close());
      const alone = recordLines(root, null);
      assert.ok(alone.all.some((l) => l.includes(' raw ')) && alone.all.some((l) => l.endsWith(' socket')));
      assert.ok(alone.all.length > 600);
      for (let run = 0; run < 5; run++) {
        const second = SecondThread.start(root, 1024);
        assert.ok(second !== null && second.awaitReady(10_000), 'the thread runs');
        assert.deepEqual(recordLines(root, second), alone, `run ${run}`);
      }
    } finally {
      removeTree(root);
    }
  });
});

describe('check: a second thread that dies', () => {
  for (const when of ['subtree', 'batch'] as const) {
    it(`with a ${when} claimed and unanswered: check notices its heartbeat has stopped and does that share itself`, { skip: skipReason, timeout: 30_000 }, async () => {
      const spec: TreeSpec = { '.dockerignore': '**/node_modules\n', 'Dockerfile': 'FROM scratch\nCOPY . /\n', 'src/a.js': `const t = "${GITHUB}";\n` };
      for (let p = 0; p < 40; p++) spec[`node_modules/pkg${p}/lib/index.js`] = 'x';
      await withTree(spec, (root) => {
        const want = checkWithThread('0', root);
        const stall = THREAD_TUNING.stallMs;
        THREAD_TUNING.stallMs = 300;
        process.env['CTXSIZE_TEST_THREAD_DIES'] = when;
        try {
          const second = SecondThread.start(root, 1024 * 1024);
          assert.ok(second !== null && second.awaitReady(10_000), 'the thread runs');
          if (when === 'subtree') {
            // The record: the dying thread claims the first subtree it is given.
            const alone = recordLines(root, null);
            const withDying = recordLines(root, second);
            assert.deepEqual(withDying, alone);
          } else {
            // The scan: the dying thread claims the batch and never answers.
            second.addFile('src/a.js', readFileSync(path.join(root, 'src/a.js')).length);
            second.flush();
            const waitUntil = Date.now() + 10_000;
            while (second.batchesTakenByThread() < 1 && Date.now() < waitUntil) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
            const started = Date.now();
            const lookup = second.finishScan();
            assert.equal(lookup('src/a.js'), undefined, 'no answer from a dead thread: the scan reads the file itself');
            assert.ok(Date.now() - started < 5_000, 'found dead within the stall time, not hung');
          }
        } finally {
          THREAD_TUNING.stallMs = stall;
          delete process.env['CTXSIZE_TEST_THREAD_DIES'];
        }
        assert.ok(want.findings.some((f) => f.rule === 'secret-content'));
      });
    });
  }
});
