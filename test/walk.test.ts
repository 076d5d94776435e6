import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listContext, measureContext, type Builder } from '../src/index.js';
import { readDirectory } from '../src/walk/walk.js';
import { BIN } from './support/cli.js';
import { makeTree, removeTree, withTree, type TreeSpec } from './support/tree.js';

const paths = (root: string, builder: Builder, dockerfile?: string) =>
  listContext({ dir: root, builder, dockerfile }).entries.map((e) => e.path).sort();

function both(spec: TreeSpec, expected: { buildkit: string[]; classic: string[] }) {
  return withTree(spec, (root) => {
    assert.deepEqual(paths(root, 'buildkit'), [...expected.buildkit].sort(), 'buildkit');
    assert.deepEqual(paths(root, 'classic'), [...expected.classic].sort(), 'classic');
  });
}

describe('walkers on real trees', () => {
  it('sends everything without an ignore file, never following symlinks', () =>
    both(
      { 'Dockerfile': 'FROM x', 'src/a.ts': 'a', 'link': '->src', 'dangling': '->nowhere', 'outside': '->/etc' },
      {
        buildkit: ['Dockerfile', 'dangling', 'link', 'outside', 'src', 'src/a.ts'],
        classic: ['Dockerfile', 'dangling', 'link', 'outside', 'src', 'src/a.ts'],
      },
    ));

  it('prunes an excluded directory (and does not match deeper ones without **)', () =>
    both(
      { '.dockerignore': 'node_modules\n', 'node_modules/x/y.js': '1', 'pkg/node_modules/z.js': '2' },
      {
        buildkit: ['.dockerignore', 'pkg', 'pkg/node_modules', 'pkg/node_modules/z.js'],
        classic: ['.dockerignore', 'pkg', 'pkg/node_modules', 'pkg/node_modules/z.js'],
      },
    ));

  it('BuildKit sends the parents of a re-included file, classic does not', () =>
    both(
      { '.dockerignore': 'docs\n!docs/keep/me.md\n', 'Dockerfile': 'FROM x', 'docs/keep/me.md': 'm', 'docs/other.md': 'o' },
      {
        buildkit: ['.dockerignore', 'Dockerfile', 'docs', 'docs/keep', 'docs/keep/me.md'],
        classic: ['.dockerignore', 'Dockerfile', 'docs/keep/me.md'],
      },
    ));

  it('only BuildKit enters excluded directories for wildcard exceptions', () =>
    both(
      { '.dockerignore': '*\n!src/**/*.go\n', 'Dockerfile': 'FROM x', 'src/a/b.go': 'b', 'src/a/c.txt': 'c' },
      {
        buildkit: ['src', 'src/a', 'src/a/b.go'],
        classic: ['Dockerfile', '.dockerignore'],
      },
    ));

  it('the classic builder always sends the Dockerfile and .dockerignore', () =>
    both(
      { '.dockerignore': '*\n', 'Dockerfile': 'FROM x', 'app.py': 'x' },
      { buildkit: [], classic: ['.dockerignore', 'Dockerfile'] },
    ));

  it('BuildKit reads <Dockerfile>.dockerignore instead of the root one; classic does not', async () => {
    const root = makeTree({
      '.dockerignore': 'a\n',
      'ci/app.Dockerfile': 'FROM x',
      'ci/app.Dockerfile.dockerignore': 'b\n',
      'a': '1',
      'b': '2',
    });
    try {
      const dockerfile = path.join(root, 'ci/app.Dockerfile');
      assert.deepEqual(paths(root, 'buildkit', dockerfile), ['.dockerignore', 'a', 'ci', 'ci/app.Dockerfile', 'ci/app.Dockerfile.dockerignore']);
      assert.deepEqual(paths(root, 'classic', dockerfile), ['.dockerignore', 'b', 'ci', 'ci/app.Dockerfile', 'ci/app.Dockerfile.dockerignore']);
    } finally {
      removeTree(root);
    }
  });

  it('classic builder, Dockerfile outside the context: the CLI adds it and grows .dockerignore', async () => {
    const base = makeTree({ 'Dockerfile': 'FROM scratch\nCOPY . /\n', 'ctx/a': 'aa', 'other/ctx/a': 'aa', 'other/ctx/.dockerignore': 'b\n' });
    try {
      // Checked against the Docker CLI 28.2.2: `.dockerignore` gets "\n.dockerfile.<20 hex>\n"
      // appended (47 bytes when it did not exist, 3 + 34 when it held "b\n").
      for (const [dir, ignoreSize] of [['ctx', 47], ['other/ctx', 36]] as const) {
        const entries = listContext({ dir: path.join(base, dir), builder: 'classic', dockerfile: path.join(base, 'Dockerfile') }).entries;
        const added = entries.find((e) => e.path.startsWith('.dockerfile.'));
        assert.match(added?.path ?? '', /^\.dockerfile\.[0-9a-f]{20}$/);
        assert.equal(added?.size, 22);
        assert.equal(entries.find((e) => e.path === '.dockerignore')?.size, ignoreSize);
        const report = measureContext({ dir: path.join(base, dir), builder: 'classic', dockerfile: path.join(base, 'Dockerfile') });
        assert.equal(report.context.files, entries.length);
        assert.equal(report.context.bytes, entries.reduce((sum, e) => sum + e.size, 0));
        const buildkit = listContext({ dir: path.join(base, dir), dockerfile: path.join(base, 'Dockerfile') }).entries;
        assert.ok(!buildkit.some((e) => e.path.startsWith('.dockerfile.')));
      }
    } finally {
      removeTree(base);
    }
  });

  it('measures names that are not valid UTF-8', async () => {
    const root = makeTree({ 'Dockerfile': 'FROM x' });
    try {
      const raw = Buffer.concat([Buffer.from(root + '/bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]);
      writeFileSync(raw, '12345');
      const dirRaw = Buffer.concat([Buffer.from(root + '/d-'), Buffer.from([0xc3])]);
      mkdirSync(dirRaw);
      writeFileSync(Buffer.concat([dirRaw, Buffer.from('/inner.txt')]), 'abc');
      const listing = listContext({ dir: root });
      const names = listing.entries.map((e) => e.path).sort();
      assert.deepEqual(names, ['Dockerfile', 'bad-\uFFFD\uFFFD.bin', 'd-\uFFFD', 'd-\uFFFD/inner.txt']);
      const bad = listing.entries.find((e) => e.path.startsWith('bad-'))!;
      assert.equal(bad.size, 5);
      assert.deepEqual(bad.rawPath, Buffer.concat([Buffer.from('bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]));
      const report = measureContext({ dir: root });
      assert.equal(report.all.bytes, 6 + 5 + 3);
      // Go matches each invalid byte as one character: `bad-??.bin` matches.
      writeFileSync(path.join(root, '.dockerignore'), 'bad-??.bin\n');
      assert.ok(!paths(root, 'buildkit').some((p) => p.startsWith('bad-')));
    } finally {
      removeTree(root);
    }
  });

  it('reads a byte that cannot start a UTF-8 sequence (F5 to FF) as invalid, even before continuation bytes', () => {
    const root = makeTree({});
    try {
      // FF 82 80 is no character: three invalid bytes, not U+F080.
      writeFileSync(Buffer.concat([Buffer.from(root + '/x'), Buffer.from([0xff, 0x82, 0x80])]), 'abcd');
      const listing = listContext({ dir: root });
      assert.deepEqual(listing.warnings, []);
      assert.deepEqual(listing.entries.map((e) => [e.path, e.size]), [['x\uFFFD\uFFFD\uFFFD', 4]]);
    } finally {
      removeTree(root);
    }
  });

  it('sends FIFOs under both builders and sockets only under BuildKit', async () => {
    const root = makeTree({ 'Dockerfile': 'FROM x' });
    const server = net.createServer();
    try {
      execFileSync('mkfifo', [path.join(root, 'pipe')]);
      await new Promise<void>((resolve) => server.listen(path.join(root, 'sock'), resolve));
      const bk = listContext({ dir: root, builder: 'buildkit' }).entries;
      assert.deepEqual(bk.map((e) => [e.path, e.type]).sort(), [['Dockerfile', 'file'], ['pipe', 'other'], ['sock', 'other']]);
      assert.deepEqual(paths(root, 'classic'), ['Dockerfile', 'pipe']);
      const report = measureContext({ dir: root, builder: 'classic' });
      assert.equal(report.all.other, 2);
      assert.equal(report.context.other, 1);
    } finally {
      server.close();
      removeTree(root);
    }
  });

  it('lists directories through the fs binding exactly as through fs.readdirSync (CTXSIZE_PLAIN_FS=1)', async () => {
    const root = makeTree({ 'Dockerfile': 'FROM x', '.dockerignore': '**/skip\n*.log\n', 'a/b.log': 'x', 'a/skip/c': 'yy', 'z/empty/.keep': '' });
    const server = net.createServer();
    try {
      execFileSync('mkfifo', [path.join(root, 'pipe')]);
      await new Promise<void>((resolve) => server.listen(path.join(root, 'sock'), resolve));
      symlinkSync('a', path.join(root, 'link'));
      mkdirSync(path.join(root, 'z/void'));
      // Not at the root: a directory with such a name is read again through the public API.
      writeFileSync(Buffer.concat([Buffer.from(root + '/z/bad-'), Buffer.from([0xff]), Buffer.from('.bin')]), '12345');
      for (const builder of ['buildkit', 'classic']) {
        const run = (env: Record<string, string>) => {
          const result = spawnSync(process.execPath, [BIN, '--json', '--builder', builder, root], { encoding: 'utf8', env: { ...process.env, ...env } });
          assert.equal(result.status, 0, result.stderr);
          return result.stdout;
        };
        const fast = run({});
        // The classic builder does not send the socket.
        assert.equal(JSON.parse(fast).context.other, builder === 'classic' ? 1 : 2, builder);
        assert.equal(fast, run({ CTXSIZE_PLAIN_FS: '1' }), builder);
      }
    } finally {
      server.close();
      removeTree(root);
    }
  });

  it('names the error of a directory that cannot be read as fs.readdirSync does', () => {
    const root = makeTree({ 'Dockerfile': 'FROM x' });
    try {
      const missing = path.join(root, 'gone');
      const warnings: { path: string; code: string; message: string }[] = [];
      assert.equal(readDirectory(missing, 'gone', (w) => warnings.push(w)), null);
      let expected = '';
      try {
        readdirSync(missing);
      } catch (error) {
        expected = (error as Error).message;
      }
      assert.deepEqual(warnings, [{ path: 'gone', code: 'ENOENT', message: `cannot read directory: ${expected}` }]);
    } finally {
      removeTree(root);
    }
  });

  it('reports an unreadable directory as a warning and goes on', { skip: process.getuid?.() === 0 ? 'running as root: permissions do not stop reads' : false }, async () => {
    const root = makeTree({ 'Dockerfile': 'FROM x', 'locked/secret': 's', 'ok/file': 'f' });
    try {
      chmodSync(path.join(root, 'locked'), 0o000);
      const report = measureContext({ dir: root });
      assert.deepEqual(report.warnings.map((w) => [w.path, w.code]), [['locked', 'EACCES']]);
      assert.equal(report.all.files, 2);
    } finally {
      chmodSync(path.join(root, 'locked'), 0o755);
      removeTree(root);
    }
  });
});

describe('measure totals', () => {
  it('equal the sums over the listed entries and over the whole tree', () =>
    withTree(
      {
        '.dockerignore': '**/node_modules\n*.log\n!keep.log\n',
        'Dockerfile': 'FROM x',
        'a.log': 'xxxx',
        'keep.log': 'yy',
        'src/main.ts': 'main',
        'src/node_modules/m/index.js': 'module',
        'node_modules/big.bin': 'z'.repeat(1000),
        'link': '->src',
      },
      (root) => {
        for (const builder of ['buildkit', 'classic'] as const) {
          const report = measureContext({ dir: root, builder });
          const entries = listContext({ dir: root, builder }).entries;
          const files = entries.filter((e) => e.type === 'file');
          assert.equal(report.context.files, files.length);
          assert.equal(report.context.bytes, files.reduce((s, e) => s + e.size, 0));
          assert.equal(report.context.dirs, entries.filter((e) => e.type === 'dir').length);
          assert.equal(report.context.symlinks, entries.filter((e) => e.type === 'symlink').length);
          assert.deepEqual(report.all, { files: 7, dirs: 4, symlinks: 1, other: 0, bytes: 32 + 6 + 4 + 2 + 4 + 6 + 1000 });
          assert.equal(report.excluded.bytes, report.all.bytes - report.context.bytes);
          assert.equal(report.excluded.files, 3);
          assert.equal(report.largest[0]!.path, 'node_modules/big.bin');
          assert.equal(report.largest[0]!.excluded, true);
        }
      },
    ));
});
