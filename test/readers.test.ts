import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findReaders, isDockerfileName, planReaders, readersOf } from '../src/context/readers.js';
import { withTree } from './support/tree.js';

describe('readers: which Dockerfiles read an ignore file', () => {
  it('knows Dockerfile names, and not their ignore files, templates or documents', () => {
    for (const name of ['Dockerfile', 'dockerfile', 'Containerfile', 'Dockerfile.dev', 'Dockerfile.base', 'api.Dockerfile', 'web.dockerfile', 'Containerfile.ci']) {
      assert.equal(isDockerfileName(name), true, name);
    }
    for (const name of ['Dockerfile.dockerignore', 'api.Dockerfile.dockerignore', 'Dockerfile.md', 'Dockerfile.tmpl', 'Dockerfile.j2', 'Dockerfile.in', 'README.md', 'Dockerfiles', 'docker-compose.yml', 'Makefile']) {
      assert.equal(isDockerfileName(name), false, name);
    }
  });

  it('plans the given Dockerfile, its siblings and Compose services of the same context, each with the ignore file it reads', () => {
    const root = '/r';
    const existing = new Set(['/r/.dockerignore', '/r/Dockerfile.dev.dockerignore']);
    const readers = planReaders({
      root,
      names: ['Dockerfile', 'Dockerfile.dev', 'Dockerfile.dev.dockerignore', 'api.Dockerfile', 'notes.txt', 'Dockerfile.md'],
      given: '/r/Dockerfile',
      services: [
        { name: 'web', file: '/r/compose.yaml', target: null, args: {}, context: '/r', dockerfile: '/r/Dockerfile' },
        { name: 'worker', file: '/r/compose.yaml', target: 'worker', args: {}, context: '/r', dockerfile: '/r/docker/worker/Dockerfile' },
        { name: 'other', file: '/r/compose.yaml', target: null, args: {}, context: '/r/other', dockerfile: '/r/other/Dockerfile' },
      ],
      exists: (f) => existing.has(f),
    });
    assert.deepEqual(
      readers.map((r) => [r.dockerfile, r.found, r.service?.name ?? null, r.ignoreFiles.buildkit, r.ignoreFiles.classic]),
      [
        ['/r/Dockerfile', 'given', null, '/r/.dockerignore', '/r/.dockerignore'],
        ['/r/Dockerfile.dev', 'sibling', null, '/r/Dockerfile.dev.dockerignore', '/r/.dockerignore'],
        ['/r/api.Dockerfile', 'sibling', null, '/r/.dockerignore', '/r/.dockerignore'],
        ['/r/docker/worker/Dockerfile', 'compose', 'worker', '/r/.dockerignore', '/r/.dockerignore'],
      ],
    );
    // BuildKit reads Dockerfile.dev.dockerignore for Dockerfile.dev; the classic builder still reads .dockerignore.
    assert.deepEqual(readersOf(readers, '/r/.dockerignore', 'buildkit').map((r) => path.basename(r.dockerfile)), ['Dockerfile', 'api.Dockerfile', 'Dockerfile']);
    assert.equal(readersOf(readers, '/r/.dockerignore', 'classic').length, 4);
    assert.deepEqual(readersOf(readers, '/r/Dockerfile.dev.dockerignore').map((r) => path.basename(r.dockerfile)), ['Dockerfile.dev']);
  });

  it('finds them on disk: siblings need a FROM line, Compose files in the root and one level down', async () => {
    await withTree(
      {
        '.dockerignore': 'node_modules\n',
        'Dockerfile': 'FROM alpine\nCOPY . /app\n',
        'Dockerfile.base': '# base image\nfrom debian AS base\n',
        'Dockerfile.empty': 'just notes\n',
        'deploy/docker-compose.yml': 'services:\n  api:\n    build:\n      context: ..\n      dockerfile: docker/api.Dockerfile\n      target: prod\n  db:\n    image: postgres\n',
        'docker/api.Dockerfile': 'FROM node\n',
        'compose.yaml': 'services:\n  broken: [\n',
      },
      (dir) => {
        const root = realpathSync(dir);
        const readers = findReaders(root, { dockerfile: path.join(root, 'Dockerfile') });
        assert.deepEqual(
          readers.map((r) => [path.relative(root, r.dockerfile), r.found, r.service?.target ?? null]),
          [
            ['Dockerfile', 'given', null],
            ['Dockerfile.base', 'sibling', null],
            ['docker/api.Dockerfile', 'compose', 'prod'],
          ],
        );
        assert.ok(readers.every((r) => r.ignoreFiles.buildkit === path.join(root, '.dockerignore')));
      },
    );
  });
});

describe('git view: the evidence about tracked and ignored paths', () => {
  it('knows tracked files and the directories holding them, and which paths (existing or not) git ignores', async (t) => {
    const { spawnSync } = await import('node:child_process');
    const { readGitView } = await import('../src/context/git-view.js');
    if (spawnSync('git', ['--version']).error) return t.skip('git is not installed');
    await withTree({ '.gitignore': '.build/\ntarget\n*.jar\n', 'src/main.go': 'package main\n', 'lib/keep.jar': 'x', 'notes.txt': 'x' }, (root) => {
      const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
      for (const args of [['init', '-q'], ['add', '.gitignore', 'src'], ['add', '-f', 'lib/keep.jar']]) spawnSync('git', args, { cwd: root, env });
      const view = readGitView(realpathSync(root))!;
      assert.ok(view !== null);
      assert.deepEqual([...view.tracked].sort(), ['.gitignore', 'lib/keep.jar', 'src/main.go']);
      assert.equal(view.holdsTracked('src'), true);
      assert.equal(view.holdsTracked('notes.txt'), false);
      // Not there, yet ignored: build outputs. A tracked file is never ignored.
      assert.deepEqual([...view.ignored(['.build/linux-amd64/app', 'target/app-1.jar', 'lib/keep.jar', 'src/main.go', 'dist/x'])].sort(), ['.build/linux-amd64/app', 'target/app-1.jar']);
    });
    assert.equal(readGitView('/'), null);
  });
});

describe('readers: build scripts and the given Dockerfile\'s folder', () => {
  it('reads docker build -f FILE . from package.json scripts and the Makefile, only with the root as context', async () => {
    const { dockerfilesInScripts } = await import('../src/context/readers.js');
    assert.deepEqual(
      dockerfilesInScripts('/r', 'npm run build && docker build -f docker/app.dockerfile -t x:1 --target nightly .; docker buildx build --file=docker/base.dockerfile --platform linux/amd64 . --push'),
      ['/r/docker/app.dockerfile', '/r/docker/base.dockerfile'],
    );
    assert.deepEqual(dockerfilesInScripts('/r', 'docker build -f other/Dockerfile other; docker build -f $FILE .; docker build .'), []);
    await withTree(
      {
        '.dockerignore': 'x\n',
        'package.json': JSON.stringify({ scripts: { 'build-docker': 'docker build -f ops/web.dockerfile -t web .' } }),
        'Makefile': 'image:\n\tdocker buildx build -f ops/worker.Dockerfile .\n',
        'ops/web.dockerfile': 'FROM node\n',
        'ops/worker.Dockerfile': 'FROM node\n',
        'ops/README.md': 'x',
        'ops/seed.Dockerfile': 'FROM busybox\n',
      },
      (dir) => {
        const root = realpathSync(dir);
        assert.deepEqual(
          findReaders(root).map((r) => [path.relative(root, r.dockerfile), r.found]),
          [['ops/web.dockerfile', 'script'], ['ops/worker.Dockerfile', 'script']],
        );
        // With -f ops/web.dockerfile, its neighbours are siblings too.
        assert.deepEqual(
          findReaders(root, { dockerfile: path.join(root, 'ops/web.dockerfile') }).map((r) => [path.relative(root, r.dockerfile), r.found]),
          [['ops/web.dockerfile', 'given'], ['ops/seed.Dockerfile', 'sibling'], ['ops/worker.Dockerfile', 'sibling']],
        );
      },
    );
  });
});
