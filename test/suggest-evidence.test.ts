/**
 * Evidence before advice (issue 12, suggest): each class of unsafe suggestion reproduced in a real
 * git repository (tracked files, and untracked files git ignores), then the default `--write` set
 * and the allow-list applied and both builders' walks checked: every file the Dockerfile or a RUN
 * step needs is still sent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { applySuggestWrite, listContext, suggestIgnore, type Builder, type SuggestOptions, type SuggestReport } from '../src/index.js';
import { forEachEffectiveEntry } from '../src/effective/effective.js';
import { withTree, type TreeSpec } from './support/tree.js';

const HAS_GIT = spawnSync('git', ['--version']).status === 0;
const skip = HAS_GIT ? false : 'git is not installed';

function git(root: string, ...args: string[]): void {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: root } });
  assert.equal(r.status, 0, r.stderr);
}

/** A tree made into a git repository: everything git does not ignore is tracked (added to the index). */
function withRepo(spec: TreeSpec, body: (root: string) => void): Promise<void> {
  return withTree(spec, (root) => {
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    body(root);
  });
}

function suggest(root: string, options: SuggestOptions = {}): SuggestReport {
  return suggestIgnore({ dir: root, cwd: root, ...options });
}

const sent = (root: string, builder: Builder, dockerfile?: string): Set<string> =>
  new Set(listContext({ dir: root, cwd: root, builder, dockerfile }).entries.map((e) => e.path));

/** Apply the default --write set, then check both builders still send what the build needs, and no source fails. */
function writeAndCheck(root: string, needed: readonly string[], options: SuggestOptions = {}): SuggestReport {
  const report = suggest(root, options);
  assert.equal(report.write.refused, undefined, report.write.refused);
  applySuggestWrite(report.write);
  for (const builder of ['buildkit', 'classic'] as const) {
    const paths = sent(root, builder, options.dockerfile);
    for (const p of needed) assert.ok(paths.has(p), `${builder} no longer sends ${p} after --write`);
  }
  assert.deepEqual(forEachEffectiveEntry({ dir: root, cwd: root, dockerfile: options.dockerfile }, () => {}).problems, []);
  return report;
}

const written = (report: SuggestReport): string[] => report.write.added;
const find = (report: SuggestReport, id: string) => report.suggestions.find((s) => s.id === id);

describe('suggest evidence: a Dockerfile that copies the whole context', { skip }, () => {
  const GO: TreeSpec = {
    'Dockerfile': 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/tool ./cmd/tool && sh scripts/build/version.sh\n',
    '.gitignore': '/bin/\n*.out\n',
    'go.mod': 'module example.com/tool\n',
    'cmd/tool/main.go': 'package main\n',
    'cmd/tool/build/build.go': 'package build\n',
    'scripts/build/version.sh': 'echo 1\n',
    'docs/usage.md': '# usage\n',
    'bin/tool': 'x'.repeat(5000),
    'cover.out': 'mode: set\n',
    '.vscode/settings.json': '{}',
    'pkg/__pycache__/x.pyc': 'c',
  };

  it('never writes **/build over tracked Go packages; writes caches, editor files and .git', () =>
    withRepo(GO, (root) => {
      const report = suggest(root);
      const build = find(report, 'build');
      assert.ok(build, 'the name match is shown');
      assert.equal(build.status, 'review');
      assert.match(build.evidence, /git tracks 2 files/);
      assert.match(build.evidence, /copies the whole context \(COPY \., line 3\)/);
      assert.equal(build.selected, false);
      assert.equal(find(report, 'git')!.status, 'write');
      assert.equal(find(report, 'vscode')!.status, 'write');
      assert.equal(find(report, 'python-pycache')!.status, 'write');
      // A build output git ignores may be made before docker build on purpose: review.
      const bin = report.gitignore.find((g) => g.pattern === '/bin/')!;
      assert.equal(bin.status, 'review');
      assert.equal(bin.selected, false);
      const after = writeAndCheck(root, ['cmd/tool/build/build.go', 'scripts/build/version.sh', 'docs/usage.md', 'bin/tool', 'go.mod']);
      assert.ok(written(after).includes('**/.git'));
      assert.ok(!written(after).some((l) => /build|bin/.test(l)), written(after).join(' '));
      assert.match(after.combined.effective!.builds[0]!.whole ?? '', /COPY \./);
    }));

  it('keeps .git when a RUN step runs git', () =>
    withRepo({ ...GO, 'Dockerfile': 'FROM golang:1.22\nCOPY . .\nRUN VERSION=$(git describe --tags --always) go build ./cmd/tool\n' }, (root) => {
      const report = suggest(root);
      assert.equal(find(report, 'git'), undefined);
      const w = report.withheld.find((x) => x.id === 'git')!;
      assert.match(w.why, /RUN git \(line 3 of Dockerfile\) runs git/);
      writeAndCheck(root, ['.git/HEAD', '.git/config']);
    }));

  it('installing git after COPY . . (for go build to stamp the revision) keeps .git', () =>
    withRepo({ ...GO, 'Dockerfile': 'FROM golang:1.22-alpine\nCOPY . .\nRUN apk --no-cache add git=~2\nRUN go build ./cmd/tool\n' }, (root) => {
      assert.equal(find(suggest(root), 'git'), undefined);
    }));

  it('a RUN step that installs git before the context is copied does not need .git', () =>
    withRepo({ ...GO, 'Dockerfile': 'FROM golang:1.22\nRUN apt-get install -y git make\nCOPY . .\nRUN go build ./cmd/tool\n' }, (root) => {
      assert.equal(find(suggest(root), 'git')!.status, 'write');
    }));

  it('.git is for review when the package build takes its version from git (setuptools-scm)', () =>
    withRepo(
      {
        'Dockerfile': 'FROM python:3.12\nCOPY . /src\nRUN pip install /src\n',
        'pyproject.toml': '[build-system]\nrequires = ["setuptools", "setuptools-scm"]\n[tool.setuptools_scm]\n',
        'src/pkg/__init__.py': '',
      },
      (root) => {
        const report = suggest(root);
        assert.equal(find(report, 'git')!.status, 'review');
        assert.match(find(report, 'git')!.evidence, /pyproject\.toml uses setuptools-scm/);
        writeAndCheck(root, ['.git/HEAD', 'pyproject.toml']);
      },
    ));

  it('node_modules: written when the image installs its own, for review when it does not', () =>
    withRepo(
      {
        'Dockerfile': 'FROM node:20\nCOPY . .\nRUN npm ci && npm run build\n',
        '.gitignore': 'node_modules/\n',
        'package.json': '{}',
        'package-lock.json': '{}',
        'node_modules/left-pad/index.js': 'x'.repeat(3000),
        'src/index.js': '1',
      },
      (root) => {
        assert.equal(find(suggest(root), 'node-modules')!.status, 'write');
        writeFileSync(path.join(root, 'Dockerfile'), 'FROM node:20\nCOPY . .\nCMD ["node", "src/index.js"]\n');
        const report = suggest(root);
        assert.equal(find(report, 'node-modules')!.status, 'review');
        assert.match(find(report, 'node-modules')!.evidence, /no RUN step recreates it/);
        writeAndCheck(root, ['node_modules/left-pad/index.js', 'src/index.js']);
      },
    ));

  it('an .npmrc without a token is configuration that pnpm reads; one with a token is for review', () =>
    withRepo(
      {
        'Dockerfile': 'FROM node:20\nCOPY . .\nRUN pnpm install --frozen-lockfile\n',
        '.npmrc': 'shamefully-hoist=true\nauto-install-peers=true\n',
        'package.json': '{}',
        'pnpm-lock.yaml': 'x',
      },
      (root) => {
        const report = suggest(root);
        assert.equal(find(report, 'npmrc'), undefined);
        assert.match(report.withheld.find((w) => w.id === 'npmrc')!.why, /no credential/);
        writeAndCheck(root, ['.npmrc']);
        writeFileSync(path.join(root, '.npmrc'), '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n');
        const again = suggest(root);
        assert.equal(find(again, 'npmrc')!.status, 'review');
        assert.match(find(again, 'npmrc')!.evidence, /RUN pnpm \(line 3 of Dockerfile\)/);
        writeAndCheck(root, ['.npmrc']);
      },
    ));

  it('an environment reference is not a credential', () =>
    withRepo({ 'Dockerfile': 'FROM node:20\nCOPY package.json ./\n', '.npmrc': '//npm.pkg.github.com/:_authToken=${NPM_TOKEN}\n', 'package.json': '{}' }, (root) => {
      assert.match(suggest(root).withheld.find((w) => w.id === 'npmrc')!.why, /no credential/);
    }));

  it('tracked secrets-by-name are for review, untracked ones git ignores are written', () =>
    withRepo(
      {
        'Dockerfile': 'FROM python:3.12\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n',
        '.gitignore': '.env\n',
        'requirements.txt': 'django\n',
        'tests/fixtures/server.key': 'test key',
        '.env': 'SECRET=1\n',
      },
      (root) => {
        const report = suggest(root);
        assert.equal(find(report, 'key-files')!.status, 'review');
        assert.equal(find(report, 'dotenv')!.status, 'write');
        const after = writeAndCheck(root, ['tests/fixtures/server.key', 'requirements.txt']);
        assert.ok(written(after).includes('**/.env'));
      },
    ));
});

describe('suggest evidence: named sources', { skip }, () => {
  it('a COPY source directory is needed whole: **/*.pem does not take its certificates', () =>
    withRepo(
      {
        'Dockerfile': 'FROM alpine\nCOPY tests/data/ca/certs /certs\nCOPY app /app\n',
        'tests/data/ca/certs/ca.pem': 'cert',
        'local/dev.pem': 'key',
        'app/main.sh': 'echo',
      },
      (root) => {
        const report = suggest(root);
        const pem = find(report, 'pem-keys');
        assert.ok(pem === undefined || pem.status === 'review' || !pem.lines.some((l) => l === '**/*.pem'), JSON.stringify(pem));
        writeAndCheck(root, ['tests/data/ca/certs/ca.pem', 'app/main.sh']);
      },
    ));

  it('outside every source, a tracked file that looks like an artifact is safe to exclude', () =>
    withRepo({ 'Dockerfile': 'FROM alpine\nCOPY app /app\n', 'app/run.sh': 'x', 'tools/build/gen.go': 'package build\n' }, (root) => {
      const build = find(suggest(root), 'build')!;
      assert.equal(build.status, 'write');
      assert.match(build.evidence, /no build reads it/);
      writeAndCheck(root, ['app/run.sh']);
    }));
});

describe('suggest evidence: every Dockerfile that reads the ignore file', { skip }, () => {
  it('a Compose service whose Dockerfile copies the whole context makes the name matches for review', () =>
    withRepo(
      {
        'Dockerfile': 'FROM alpine\nCOPY app /app\n',
        'compose.yaml': 'services:\n  tools:\n    build:\n      context: .\n      dockerfile: docker/tools.Dockerfile\n',
        'docker/tools.Dockerfile': 'FROM golang:1.22\nCOPY . /src\nRUN cd /src && go run ./scripts/build\n',
        'app/run.sh': 'x',
        'scripts/build/main.go': 'package main\n',
      },
      (root) => {
        const report = suggest(root);
        const build = find(report, 'build')!;
        assert.equal(build.status, 'review');
        assert.match(build.evidence, /docker\/tools\.Dockerfile \(Compose service tools\) copies the whole context/);
        assert.equal(report.allowList, null);
        writeAndCheck(root, ['scripts/build/main.go', 'app/run.sh']);
      },
    ));
});

describe('suggest evidence: Dockerfiles elsewhere in the context', { skip }, () => {
  it('counts one whose sources are all here (docker build -f docker/x.Dockerfile .), not one that builds its own directory', () =>
    withRepo(
      {
        'Dockerfile': 'FROM alpine\nCOPY app /app\n',
        'docker/worker.Dockerfile': 'FROM golang:1.22\nCOPY go.mod ./\nCOPY . .\nRUN go build ./cmd/worker\n',
        'services/web/Dockerfile': 'FROM nginx\nCOPY index.html /usr/share/nginx/html/\n',
        'services/web/index.html': '<p>',
        'go.mod': 'module x\n',
        'app/run.sh': 'x',
        'cmd/worker/build/build.go': 'package build\n',
      },
      (root) => {
        const report = suggest(root);
        assert.equal(find(report, 'build')!.status, 'review');
        assert.match(find(report, 'build')!.evidence, /docker\/worker\.Dockerfile \(its sources are all in this context\) copies the whole context/);
        assert.ok(!report.combined.effective!.builds.some((b) => b.label.startsWith('services/web')));
        writeAndCheck(root, ['cmd/worker/build/build.go', 'app/run.sh']);
      },
    ));

  it('a package script the build runs that calls git keeps .git for review', () =>
    withRepo(
      {
        'Dockerfile': 'FROM node:20\nCOPY . .\nRUN npm ci && npm run build\n',
        'package.json': '{"scripts":{"build":"git rev-parse HEAD > public/version.txt && vite build","precommit":"git diff"}}',
      },
      (root) => {
        const git = find(suggest(root), 'git')!;
        assert.equal(git.status, 'review');
        assert.match(git.evidence, /the script "build" in package\.json calls git/);
      },
    ));
});

describe("suggest evidence: the user's own ! lines", { skip }, () => {
  it('**/.env.* never removes a file the user re-included with !', () =>
    withRepo(
      {
        'Dockerfile': 'FROM node:20\nCOPY . .\nRUN npm ci && npm run build\n',
        '.dockerignore': '.env*\n!.env.production\n',
        '.gitignore': '.env.local\n',
        '.env.production': 'API_URL=https://example.com\n',
        '.env.local': 'TOKEN=1\n',
        'web/.env.staging': 'X=1\n',
        'package.json': '{}',
      },
      (root) => {
        const report = suggest(root);
        for (const s of report.suggestions.filter((x) => x.selected)) {
          assert.ok(!s.paths.includes('.env.production'), `${s.id} takes .env.production`);
        }
        writeAndCheck(root, ['.env.production', 'package.json']);
      },
    ));

  it('a ! line for a build output that is not there yet is kept working', () =>
    withRepo(
      {
        'Dockerfile': 'FROM alpine\nCOPY . /srv\n',
        '.dockerignore': 'dist\n!dist/linux/app\n',
        'dist/': '',
        'src/a.txt': 'a',
        'x.log': 'log',
      },
      (root) => {
        const report = suggest(root);
        applySuggestWrite(report.write);
        mkdirSync(path.join(root, 'dist/linux'), { recursive: true });
        writeFileSync(path.join(root, 'dist/linux/app'), 'bin');
        for (const builder of ['buildkit', 'classic'] as const) assert.ok(sent(root, builder).has('dist/linux/app'), builder);
      },
    ));
});

describe('suggest evidence: allow-lists', { skip }, () => {
  const SPEC: TreeSpec = {
    'Dockerfile': 'FROM alpine\nARG OS=linux\nARG ARCH=amd64\nCOPY .build/${OS}-${ARCH}/app /bin/app\nCOPY LICENSE /\n',
    'Dockerfile.base': 'FROM alpine\nCOPY config/ /etc/app/\n',
    '.dockerignore': '*\n!.build/linux-amd64/\n!LICENSE\n!config\n!src\n',
    '.gitignore': '.build/\n',
    '.build/linux-amd64/app': 'amd64',
    'LICENSE': 'MIT',
    'config/app.yml': 'a: 1',
    'src/main.go': 'package main',
    'docs/readme.md': 'docs',
  };

  it('is built from scratch, serves every Dockerfile of the ignore file, and every build-argument value', () =>
    withRepo(SPEC, (root) => {
      const report = suggest(root);
      const allow = report.allowList;
      assert.ok(allow, report.allowListUnavailable ?? '');
      assert.equal(new Set(allow.lines).size, allow.lines.length, `a line repeats: ${allow.lines.join(' | ')}`);
      assert.ok(!allow.lines.includes('!.build/linux-amd64/'), 'no value of today is pinned');
      assert.ok(allow.lines.some((l) => l === '!config'), 'Dockerfile.base is served');
      writeFileSync(path.join(root, '.dockerignore'), allow.lines.join('\n') + '\n');
      mkdirSync(path.join(root, '.build/linux-arm64'), { recursive: true });
      writeFileSync(path.join(root, '.build/linux-arm64/app'), 'arm64');
      for (const builder of ['buildkit', 'classic'] as const) {
        const paths = sent(root, builder);
        for (const p of ['.build/linux-amd64/app', '.build/linux-arm64/app', 'LICENSE', 'config/app.yml']) assert.ok(paths.has(p), `${builder}: ${p}`);
        assert.ok(!paths.has('src/main.go'), `${builder} still sends src/main.go`);
      }
      for (const dockerfile of ['Dockerfile', 'Dockerfile.base']) {
        assert.deepEqual(forEachEffectiveEntry({ dir: root, cwd: root, dockerfile, buildArgs: { ARCH: 'arm64' } }, () => {}).problems, [], dockerfile);
      }
    }));

  it('keeps the wildcard where only BuildKit reads the file (<Dockerfile>.dockerignore)', () =>
    withRepo({ ...SPEC, 'Dockerfile.dockerignore': '.git\n' }, (root) => {
      const allow = suggest(root).allowList!;
      assert.ok(allow, 'offered');
      assert.ok(allow.lines.includes('!.build/*-*/app'), allow.lines.join(' | '));
    }));

  it('is not offered when another Dockerfile of the same ignore file copies the whole context', () =>
    withRepo({ ...SPEC, 'Dockerfile.dev': 'FROM alpine\nCOPY . /src\n' }, (root) => {
      const report = suggest(root);
      assert.equal(report.allowList, null);
      assert.match(report.allowListUnavailable!, /Dockerfile\.dev uses the whole context/);
    }));
});
