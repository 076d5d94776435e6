import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureContext } from '../src/index.js';
import { forEachEffectiveEntry } from '../src/effective/effective.js';
import { runCtxsize } from './support/cli.js';
import { withTree, type TreeSpec } from './support/tree.js';

const effectivePaths = (root: string, extra: { target?: string; buildArgs?: Record<string, string> } = {}) => {
  const paths: string[] = [];
  const result = forEachEffectiveEntry({ dir: root, ...extra }, (e) => paths.push(e.path));
  return { paths: paths.sort(), problems: result.problems };
};

const NODE_APP: TreeSpec = {
  'Dockerfile': 'FROM node:20 AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY src/ ./src/\nRUN npm run build\n\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n',
  'package.json': '{}',
  'package-lock.json': '{}',
  'src/index.ts': 'export {}',
  'src/deep/util.ts': 'export {}',
  'node_modules/dep/index.js': 'x'.repeat(500),
  'docs/readme.md': 'docs',
  '.dockerignore': 'node_modules\n',
};

describe('effective context (what BuildKit transfers)', () => {
  it('holds only the paths the target stages use', () =>
    withTree(NODE_APP, (root) => {
      const { paths, problems } = effectivePaths(root);
      assert.deepEqual(paths, ['package-lock.json', 'package.json', 'src', 'src/deep', 'src/deep/util.ts', 'src/index.ts']);
      assert.deepEqual(problems, []);
      const report = measureContext({ dir: root });
      assert.deepEqual(report.effective, { files: 4, dirs: 2, symlinks: 0, other: 0, bytes: 2 + 2 + 9 + 9 });
    }));

  it('equals the context when the Dockerfile copies the root', () =>
    withTree({ ...NODE_APP, 'Dockerfile': 'FROM node\nCOPY . /app\n' }, (root) => {
      const report = measureContext({ dir: root });
      assert.deepEqual(report.effective, report.context);
    }));

  it('is empty when no stage reads the context, and follows the target', () =>
    withTree(
      {
        'Dockerfile': 'FROM alpine AS tools\nCOPY tools/ /tools\n\nFROM alpine AS app\nRUN echo hi\n',
        'tools/t.sh': 'echo',
        'other': 'o',
      },
      (root) => {
        assert.deepEqual(effectivePaths(root).paths, []);
        assert.deepEqual(effectivePaths(root, { target: 'tools' }).paths, ['tools', 'tools/t.sh']);
        assert.deepEqual(measureContext({ dir: root }).effective, { files: 0, dirs: 0, symlinks: 0, other: 0, bytes: 0 });
      },
    ));

  it('keeps wildcards as patterns and follows symlinked sources to their targets', () =>
    withTree(
      {
        'Dockerfile': 'FROM alpine\nCOPY *.json /app/\nCOPY conf /conf\n',
        'a.json': '{}',
        'b.json': '{}',
        'sub/c.json': '{}',
        'conf': '->real-conf',
        'real-conf/x.ini': 'x',
      },
      (root) => {
        assert.deepEqual(effectivePaths(root).paths, ['a.json', 'b.json', 'conf', 'real-conf', 'real-conf/x.ini']);
      },
    ));

  it('reports sources that are excluded or missing', () =>
    withTree(
      {
        'Dockerfile': 'FROM alpine\nARG CFG=config\nCOPY ${CFG}/ /etc/app/\nCOPY nothing-here /x\n',
        'config/app.yml': 'a: 1',
        '.dockerignore': '# keep it small\nconfig\n',
      },
      (root) => {
        const { problems } = effectivePaths(root);
        assert.deepEqual(
          problems.map((p) => [p.source.line, p.problem, p.excludedBy?.line ?? null]),
          [
            [3, 'excluded', 2],
            [4, 'missing', null],
          ],
        );
        const report = measureContext({ dir: root });
        assert.equal(report.sourceProblems.length, 2);
        const cli = runCtxsize(['ls', '--effective', root]);
        assert.equal(cli.status, 0);
        assert.match(cli.stderr, /Dockerfile line 3: COPY source "\$\{CFG\}\/" is excluded by "config"/);
        assert.match(cli.stderr, /Dockerfile line 4: COPY source "nothing-here" matches nothing/);
      },
    ));

  it('ls --effective lists NDJSON and takes --target and --build-arg', () =>
    withTree(
      { 'Dockerfile': 'FROM alpine AS a\nARG DIR=one\nCOPY $DIR /x\nFROM alpine AS b\nCOPY two /y\n', 'one/f': '1', 'two/g': '22', 'three/h': '333' },
      (root) => {
        const byArg = runCtxsize(['ls', '--effective', '--json', '--target', 'a', '--build-arg', 'DIR=three', root]);
        assert.equal(byArg.status, 0, byArg.stderr);
        assert.deepEqual(
          byArg.stdout.trim().split('\n').map((l) => JSON.parse(l)),
          [{ path: 'three', type: 'dir', size: 0 }, { path: 'three/h', type: 'file', size: 3 }],
        );
        const last = runCtxsize(['ls', '--effective', root]);
        assert.deepEqual(last.stdout.trim().split('\n'), ['two', 'two/g']);
        const unknown = runCtxsize(['ls', '--effective', '--target', 'nope', root]);
        assert.equal(unknown.status, 2);
        assert.match(unknown.stderr, /nope/);
      },
    ));

  it('measures a context whose default Dockerfile is a directory, saying why the effective context is unknown', () =>
    withTree({ 'dockerfile/parse.ts': 'export {}', 'main.ts': 'x'.repeat(40) }, (root) => {
      const report = measureContext({ dir: root });
      assert.equal(report.all.files, 2);
      assert.equal(report.context.bytes, 9 + 40);
      assert.equal(report.effective, null);
      assert.deepEqual(
        report.warnings.map((w) => [w.code, w.message.endsWith('a directory, not a Dockerfile (docker build would fail on it; name one with -f)')]),
        [['EDOCKERFILE', true]],
      );
      const check = runCtxsize(['check', root]);
      assert.equal(check.status, 1, 'docker build would fail: check says so');
      assert.match(check.stdout, /dockerfile-error: a directory, not a\s+Dockerfile/);
      assert.match(check.stdout, /name the right one with -f/);
    }));
});
