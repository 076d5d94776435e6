import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkContext } from '../src/index.js';
import { ContentPrefetch } from '../src/check/content-prefetch.js';
import { readForScan } from '../src/check/scan-file.js';
import { scanFile } from '../src/check/secrets.js';
import { TOKEN_KINDS } from '../src/knowledge/secret-content.js';
import { Random } from './support/random-cases.js';
import { generatePemKeys, generateToken } from './support/secret-corpus.js';
import { withTree, type TreeSpec } from './support/tree.js';

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

const skipReason = availableParallelism() < 2 ? 'one core here: check reads on its own thread only' : false;

describe('check: the content prefetch thread', () => {
  it('answers each file exactly as the scan reads it, and nothing for files it was not given', { skip: skipReason }, async () => {
    await withTree(SPEC, (root) => {
      const max = 1024;
      const prefetch = ContentPrefetch.start(root, max);
      assert.ok(prefetch !== null, 'the worker starts');
      const files = Object.keys(SPEC).concat(['missing.txt']);
      const sizes = new Map(files.map((f) => [f, f === 'src/main.js' ? 5000 : (SPEC[f] ?? '').length]));
      for (const f of files) prefetch.add(f, sizes.get(f)!);
      const lookup = prefetch.finish();
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
        const withThread = checkContext({ dir: root, cwd: root });
        process.env['CTXSIZE_PREFETCH'] = '0';
        let alone;
        try {
          alone = checkContext({ dir: root, cwd: root });
        } finally {
          delete process.env['CTXSIZE_PREFETCH'];
        }
        assert.deepEqual(withThread, alone, dockerfile);
        assert.ok(withThread.findings.some((f) => f.rule === 'secret-content'), 'the tree has secrets to find');
      });
    }
  });
});
