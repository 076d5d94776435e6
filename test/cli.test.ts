import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO, runCtxsize } from './support/cli.js';
import { withTree } from './support/tree.js';

const PROJECT = {
  '.dockerignore': '# deps\nnode_modules\n*.log\n',
  'Dockerfile': 'FROM node:20\nCOPY . /app\n',
  'package.json': '{}',
  'src/index.ts': 'export {};\n',
  'debug.log': 'x'.repeat(50),
  'node_modules/dep/index.js': 'y'.repeat(2000),
};

describe('ctxsize CLI', () => {
  it('prints its version and help', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const version = runCtxsize(['--version']);
    assert.equal(version.status, 0);
    assert.equal(version.stdout.trim(), pkg.version);
    const help = runCtxsize(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: ctxsize/);
    for (const command of ['measure', 'ls', 'explain']) {
      const r = runCtxsize([command, '--help']);
      assert.equal(r.status, 0, command);
      assert.match(r.stdout, /Examples:/, command);
    }
  });

  it('measures a directory as JSON, totals consistent with ls --json', () =>
    withTree(PROJECT, (root) => {
      const r = runCtxsize(['--json', root]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', 'no spinner or noise off a TTY');
      const report = JSON.parse(r.stdout);
      assert.equal(report.schemaVersion, 1);
      assert.equal(report.builder, 'buildkit');
      assert.equal(report.ignoreFile, path.join(root, '.dockerignore'));
      const ls = runCtxsize(['ls', '--json', root]);
      assert.equal(ls.status, 0, ls.stderr);
      const entries = ls.stdout.trim().split('\n').map((line) => JSON.parse(line));
      assert.deepEqual(entries.map((e) => e.path).sort(), ['.dockerignore', 'Dockerfile', 'package.json', 'src', 'src/index.ts']);
      const files = entries.filter((e) => e.type === 'file');
      assert.equal(report.context.files, files.length);
      assert.equal(report.context.bytes, files.reduce((s: number, e: { size: number }) => s + e.size, 0));
      assert.equal(report.all.files, 6);
      assert.equal(report.excluded.bytes, 2050);
      assert.equal(report.largest[0].path, 'node_modules/dep/index.js');
    }));

  it('prints a readable table', () =>
    withTree(PROJECT, (root) => {
      const r = runCtxsize([root], { cwd: root });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /whole directory\s+6\s/);
      assert.match(r.stdout, /sent to builder\s+4\s/);
      assert.match(r.stdout, /^  2 kB +95% +░+ +kept out  node_modules\/dep\/index\.js$/m);
    }));

  it('lists NUL-separated paths with -0', () =>
    withTree(PROJECT, (root) => {
      const r = runCtxsize(['ls', '-0', '.'], { cwd: root });
      assert.equal(r.status, 0);
      assert.ok(r.stdout.endsWith('\0'));
      assert.deepEqual(r.stdout.split('\0').filter(Boolean).sort(), ['.dockerignore', 'Dockerfile', 'package.json', 'src', 'src/index.ts']);
    }));

  it('explains which pattern decided', () =>
    withTree(PROJECT, (root) => {
      const r = runCtxsize(['explain', '--dir', root, 'node_modules/dep/index.js', '--json']);
      assert.equal(r.status, 0, r.stderr);
      const explanation = JSON.parse(r.stdout);
      assert.equal(explanation.exists, true);
      for (const b of explanation.builders) {
        assert.equal(b.inContext, false);
        assert.equal(b.decidedBy.line, 2);
        assert.equal(b.decidedBy.pattern, 'node_modules');
      }
      const text = runCtxsize(['explain', 'src/index.ts'], { cwd: root });
      assert.match(text.stdout, /BuildKit\s+SENT\s+no pattern matches it/);
    }));

  it('classic builder: Dockerfile and .dockerignore are always sent', () =>
    withTree({ '.dockerignore': '*\n', 'Dockerfile': 'FROM x', 'a': 'a' }, (root) => {
      const r = runCtxsize(['ls', '--builder', 'classic', root]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n').sort(), ['.dockerignore', 'Dockerfile']);
    }));

  describe('errors: one line, exit 2', () => {
    it('a missing directory', () => {
      const r = runCtxsize(['/nonexistent/ctxsize-dir']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^ctxsize: \/nonexistent\/ctxsize-dir: no such directory\n$/);
    });
    it('a file instead of a directory', () =>
      withTree({ 'f': 'x' }, (root) => {
        const r = runCtxsize([path.join(root, 'f')]);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /not a directory/);
      }));
    it('a malformed pattern, naming file and line', () =>
      withTree({ '.dockerignore': 'ok\n# c\nsrc/[a-\n', 'src/x': 'x' }, (root) => {
        for (const args of [['ls', root], ['--json', root], ['ls', '--builder', 'classic', root]]) {
          const r = runCtxsize(args, { cwd: root });
          assert.equal(r.status, 2, args.join(' '));
          assert.match(r.stderr, /^ctxsize: \.dockerignore:3: syntax error in pattern "src\/\[a-"\n$/);
          assert.equal(r.stdout, '');
        }
      }));
    it('a pattern Docker only rejects when it uses it', () =>
      withTree({ '.dockerignore': 'a\\q*\n', 'x': 'x' }, (root) => {
        const r = runCtxsize(['ls', root], { cwd: root });
        assert.equal(r.status, 2);
        assert.match(r.stderr, /\.dockerignore:1: syntax error in pattern/);
      }));
    it('a missing -f Dockerfile; a missing default Dockerfile is fine', () =>
      withTree({ 'a': 'x' }, (root) => {
        const missing = runCtxsize(['-f', 'nope.Dockerfile', root], { cwd: root });
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /nope\.Dockerfile: Dockerfile not found/);
        const fine = runCtxsize(['--json', root]);
        assert.equal(fine.status, 0);
        assert.equal(JSON.parse(fine.stdout).dockerfile, null);
      }));
    it('an unreadable ignore file', () =>
      withTree({ '.dockerignore/': '', 'a': 'x' }, (root) => {
        const r = runCtxsize([root], { cwd: root });
        assert.equal(r.status, 2);
        assert.match(r.stderr, /\.dockerignore: cannot read ignore file/);
      }));
    it('a mistyped flag suggests the right one', () => {
      const r = runCtxsize(['ls', '--jsn']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /unknown option --jsn \(did you mean --json\?\)/);
      const b = runCtxsize(['--builder', 'legacy', '.']);
      assert.equal(b.status, 2);
      assert.match(b.stderr, /--builder must be buildkit, classic or buildah \(podman\)/);
    });
  });
});
