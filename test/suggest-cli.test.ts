import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listContext } from '../src/index.js';
import { forEachEffectiveEntry } from '../src/effective/effective.js';
import { runCtxsize } from './support/cli.js';
import { withTree, type TreeSpec } from './support/tree.js';

const APP: TreeSpec = {
  'Dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY src/ ./src/\n',
  'package.json': '{}',
  'package-lock.json': '{"lockfileVersion":3}',
  'src/index.js': 'x'.repeat(1000),
  'node_modules/a/index.js': 'n'.repeat(40_000),
  'packages/b/node_modules/c/index.js': 'n'.repeat(10_000),
  '.git/objects/pack/p.pack': 'g'.repeat(25_000),
  'debug.log': 'l'.repeat(3000),
  '.env': 'TOKEN=1\n',
  'fixtures/dump.sql': 'd'.repeat(1_200_000),
};
const USED = ['package.json', 'package-lock.json', 'src/index.js'];

const run = (root: string, ...args: string[]) => runCtxsize(['suggest', ...args, root], { cwd: root });
const bytes = (root: string, builder: 'buildkit' | 'classic' = 'buildkit') =>
  listContext({ dir: root, builder }).entries.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0);

describe('ctxsize suggest (end to end)', () => {
  it('a dry run by default: shows the suggestions and the diff, writes nothing', () =>
    withTree(APP, (root) => {
      const result = run(root);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^node-modules {2}\(dependencies\) {2}-50 kB, 2 files$/m);
      assert.match(result.stdout, /^large-file:fixtures\/dump\.sql {2}\(large-file\) {2}-1\.2 MB, 1 file$/m);
      assert.match(result.stdout, /Dry run, nothing written/);
      assert.match(result.stdout, /^--- \/dev\/null\n\+\+\+ b\/\.dockerignore\n@@ -0,0 \+1,\d+ @@\n\+# >>> ctxsize suggest >>>$/m);
      assert.match(result.stdout, /^\+\*\*\/node_modules$/m);
      assert.equal(existsSync(path.join(root, '.dockerignore')), false);
      assert.equal(run(root, '--dry-run').status, 0);
      assert.equal(existsSync(path.join(root, '.dockerignore')), false);
    }));

  it('--write shrinks the context, keeps what the Dockerfile uses, and a second run changes nothing', () =>
    withTree(APP, (root) => {
      const before = { buildkit: bytes(root), classic: bytes(root, 'classic') };
      const removable = 40_000 + 10_000 + 25_000 + 3000 + 8 + 1_200_000;
      const first = run(root, '--write');
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /^Wrote \d+ lines to .*\.dockerignore\.$/m);
      for (const builder of ['buildkit', 'classic'] as const) {
        const entries = listContext({ dir: root, builder }).entries;
        const paths = new Set(entries.map((e) => e.path));
        for (const used of USED) assert.ok(paths.has(used), `${builder} keeps ${used}`);
        const after = bytes(root, builder);
        // Only the new .dockerignore is added to what remains.
        assert.ok(before[builder] - after >= removable - 2000, `${builder}: ${before[builder]} -> ${after}`);
      }
      assert.deepEqual(forEachEffectiveEntry({ dir: root }, () => {}).problems, []);
      const written = readFileSync(path.join(root, '.dockerignore'));
      const second = run(root, '--write');
      assert.equal(second.status, 0, second.stderr);
      assert.match(second.stdout, /Nothing to add to \.dockerignore\./);
      assert.ok(readFileSync(path.join(root, '.dockerignore')).equals(written), 'byte-identical');
    }));

  it('keeps existing comments and CRLF line ends, and a missing final newline is handled', () =>
    withTree({ ...APP, '.dockerignore': '# our rules\r\n.git\r\n# the end' }, (root) => {
      const result = run(root, '--write');
      assert.equal(result.status, 0, result.stderr);
      const text = readFileSync(path.join(root, '.dockerignore'), 'utf8');
      assert.ok(text.startsWith('# our rules\r\n.git\r\n# the end\r\n\r\n# >>> ctxsize suggest >>>\r\n'), JSON.stringify(text.slice(0, 80)));
      assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'every line ends with CRLF');
      assert.ok(text.endsWith('# <<< ctxsize suggest <<<\r\n'));
      // .git was already excluded by the user's line: not suggested again.
      assert.equal(text.includes('**/.git'), false);
      assert.match(result.stdout, /^-# the end\n\\ No newline at end of file\n\+# the end$/m);
    }));

  it('--only, --category and --min-bytes choose what is written', () =>
    withTree(APP, (root) => {
      const block = (...args: string[]) => {
        const result = run(root, '--json', ...args);
        assert.equal(result.status, 0, result.stderr);
        return JSON.parse(result.stdout).write.added as string[];
      };
      assert.deepEqual(block('--only', 'node-modules'), ['**/node_modules']);
      assert.deepEqual(block('--only', 'dotenv,git'), ['**/.git', '**/.env']);
      assert.deepEqual(block('--category', 'logs', '--category', 'secrets'), ['**/*.log', '**/.env']);
      assert.deepEqual(block('--min-bytes', '1MB'), ['fixtures/dump.sql']);
      assert.equal(existsSync(path.join(root, '.dockerignore')), false);
    }));

  it('--json prints one versioned document', () =>
    withTree(APP, (root) => {
      const result = run(root, '--json');
      assert.equal(result.status, 0, result.stderr);
      const doc = JSON.parse(result.stdout);
      assert.equal(doc.schemaVersion, 1);
      const modules = doc.suggestions.find((s: { id: string }) => s.id === 'node-modules');
      assert.deepEqual(
        { ...modules, reason: typeof modules.reason, evidence: typeof modules.evidence },
        { id: 'node-modules', lines: ['**/node_modules'], category: 'dependencies', reason: 'string', files: 2, bytes: 50_000, entries: 6, paths: ['node_modules', 'packages/b/node_modules'], totalPaths: 2, status: 'write', evidence: 'string', selected: true },
      );
      assert.ok(Array.isArray(doc.withheld));
      assert.ok(Array.isArray(doc.gitignore));
      assert.deepEqual(doc.allowList.lines.slice(0, 4), ['*', '!package-lock.json', '!package.json', '!src']);
      for (const builder of ['buildkit', 'classic']) {
        assert.deepEqual(Object.keys(doc.combined[builder]).sort(), ['after', 'before', 'readsWrittenFile', 'removed']);
      }
      assert.deepEqual(doc.combined.effective.problemsAfter, []);
      assert.equal(doc.write.written, false);
      assert.match(doc.write.diff, /^--- \/dev\/null/);
    }));

  it('rejects bad usage with exit code 2', () =>
    withTree(APP, (root) => {
      const unknown = run(root, '--only', 'node-modulse');
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /unknown suggestion id "node-modulse" \(did you mean node-modules\?\)/);
      assert.equal(run(root, '--category', 'nope').status, 2);
      assert.equal(run(root, '--write', '--dry-run').status, 2);
      assert.match(run(root, '--min-bytes', 'lots').stderr, /--min-bytes/);
      assert.equal(runCtxsize(['suggest', '--help']).status, 0);
    }));

  it('writes to <Dockerfile>.dockerignore when BuildKit reads it, and reads the target and build args', () =>
    withTree(
      {
        ...APP,
        'docker/app.Dockerfile': 'FROM node:20 AS app\nARG SRC=src\nCOPY ${SRC}/ /app/\n\nFROM app AS tools\nCOPY fixtures/ /fixtures/\n',
        'docker/app.Dockerfile.dockerignore': '# app image\n',
      },
      (root) => {
        const file = path.join(root, 'docker/app.Dockerfile.dockerignore');
        const withTarget = run(root, '-f', 'docker/app.Dockerfile', '--json');
        assert.equal(withTarget.status, 0, withTarget.stderr);
        // The last stage copies fixtures/: its large file is used.
        assert.equal(JSON.parse(withTarget.stdout).suggestions.some((s: { id: string }) => s.id.startsWith('large-file:')), false);
        const app = run(root, '-f', 'docker/app.Dockerfile', '--target', 'app', '--write');
        assert.equal(app.status, 0, app.stderr);
        assert.match(readFileSync(file, 'utf8'), /^fixtures\/dump\.sql$/m);
        assert.equal(existsSync(path.join(root, '.dockerignore')), false);
        writeFileSync(file, '# app image\n');
        const args = run(root, '-f', 'docker/app.Dockerfile', '--target', 'app', '--build-arg', 'SRC=fixtures', '--json');
        assert.equal(args.status, 0, args.stderr);
        assert.equal(JSON.parse(args.stdout).suggestions.some((s: { id: string }) => s.id === 'large-file:fixtures/dump.sql'), false);
      },
    ));
});
