import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  applySuggestWrite,
  insertIntoBlock,
  listContext,
  parseIgnoreFile,
  PatternMatcher,
  suggestIgnore,
  type Builder,
  type Entry,
  type SuggestOptions,
  type SuggestReport,
} from '../src/index.js';
import { forEachEffectiveEntry } from '../src/effective/effective.js';
import { withTree, type TreeSpec } from './support/tree.js';

const KB = (n: number, ch = 'x') => ch.repeat(n * 1000);

/** Run suggest on a tree (the tree is the working directory). */
function suggest(root: string, options: SuggestOptions = {}): SuggestReport {
  return suggestIgnore({ dir: root, cwd: root, ...options });
}

function listing(root: string, builder: Builder, dockerfile?: string): Entry[] {
  return listContext({ dir: root, cwd: root, builder, dockerfile }).entries;
}

function sum(entries: readonly Entry[]) {
  return {
    files: entries.filter((e) => e.type === 'file').length,
    bytes: entries.filter((e) => e.type === 'file').reduce((n, e) => n + e.size, 0),
    entries: entries.length,
  };
}

/**
 * What these lines remove from the context, measured the slow, independent way: write them into
 * the ignore file on disk, list the context with the real walker, restore the file.
 */
function removedOnDisk(root: string, report: SuggestReport, lines: readonly string[], dockerfile?: string) {
  const file = report.write.file;
  const existed = existsSync(file);
  const original = existed ? readFileSync(file) : Buffer.alloc(0);
  const before = listing(root, report.builder, dockerfile);
  writeFileSync(file, insertIntoBlock(original, lines.map((pattern) => ({ pattern, comment: 'test' }))).after);
  try {
    const after = new Set(listing(root, report.builder, dockerfile).map((e) => e.path));
    return sum(before.filter((e) => !after.has(e.path)));
  } finally {
    if (existed) writeFileSync(file, original);
    else rmSync(file);
  }
}

/** Every suggestion's numbers are what the real walker finds when its lines are added. */
function assertExact(root: string, report: SuggestReport, dockerfile?: string): void {
  for (const s of [...report.suggestions, ...report.gitignore]) {
    const real = removedOnDisk(root, report, s.lines, dockerfile);
    assert.deepEqual({ files: s.files, bytes: s.bytes, entries: s.entries }, real, `${s.id}: ${s.lines.join(' ')}`);
  }
}

/** Whether any of these lines excludes the path (or a parent of it), Docker's way. */
function excludes(lines: readonly string[], path: string): boolean {
  return new PatternMatcher(parseIgnoreFile(lines.join('\n'))).matchesOrParentMatches(path);
}

const byId = (report: SuggestReport, id: string) => report.suggestions.find((s) => s.id === id);

// ---- Fixture projects ------------------------------------------------------------------------

const NODE: TreeSpec = {
  'Dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY src/ ./src/\nCOPY dist/ ./dist/\nCMD ["node", "dist/index.js"]\n',
  '.dockerignore': '# keep the context small\nnode_modules\n',
  'package.json': '{"name":"app"}',
  'package-lock.json': KB(1500, 'L'), // large, but a lockfile: it stays
  'src/index.js': KB(1),
  'dist/index.js': KB(2),
  'node_modules/left-pad/index.js': KB(40),
  'web/node_modules/react/index.js': KB(20),
  'web/node_modules/react/package.json': KB(1),
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.git/objects/ab/cdef': KB(30),
  'logs/app.log': KB(5),
  'npm-debug.log': KB(1),
  '.env': 'SECRET=1\n',
  '.env.local': 'TOKEN=2\n',
  '.env.example': 'SECRET=\n',
  'coverage/lcov.info': KB(2),
  '.idea/workspace.xml': KB(1),
  '.DS_Store': 'ds',
  'assets/video.mp4': KB(2000, 'v'),
};
/** What the Node Dockerfile uses: these must stay. */
const NODE_USED = ['package.json', 'package-lock.json', 'src/index.js', 'dist/index.js'];
/** What is in the Node context now and is not needed (bytes). */
const NODE_REMOVABLE = 20_000 + 1000 + 'ref: refs/heads/main\n'.length + 30_000 + 5000 + 1000 + 9 + 8 + 2000 + 1000 + 2 + 2_000_000;

const PYTHON: TreeSpec = {
  'Dockerfile': 'FROM python:3.12-slim\nWORKDIR /srv\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY app/ ./app/\nCMD ["python", "-m", "app"]\n',
  'requirements.txt': 'flask\n',
  'app/__init__.py': 'print(1)\n',
  'app/main.py': KB(3),
  'app/__pycache__/main.cpython-312.pyc': KB(4),
  'tests/test_main.py': KB(1),
  'tests/__pycache__/test_main.cpython-312.pyc': KB(2),
  '.venv/pyvenv.cfg': 'home = /usr/bin\n',
  '.venv/lib/python3.12/site-packages/flask/__init__.py': KB(90),
  '.pytest_cache/v/cache/lastfailed': '{}',
  '.mypy_cache/3.12/app.data.json': KB(6),
  'htmlcov/index.html': KB(3),
  '.coverage': KB(1),
  '.env': 'DB_PASSWORD=x\n',
  'data/dump.csv': KB(3000, 'd'),
  'notebooks/explore.ipynb': KB(2),
};

const GO: TreeSpec = {
  'Dockerfile':
    'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY vendor ./vendor\nCOPY cmd ./cmd\nCOPY internal ./internal\n' +
    'RUN go build -mod=vendor -o /out/app ./cmd/app\n\nFROM gcr.io/distroless/static\nCOPY --from=build /out/app /app\n',
  'go.mod': 'module example.com/app\n',
  'go.sum': KB(1),
  'vendor/modules.txt': KB(1),
  'vendor/github.com/pkg/errors/errors.go': KB(8),
  'cmd/app/main.go': KB(2),
  'internal/store/store.go': KB(3),
  'bin/app': KB(6000, 'b'), // a host build of the binary: large, unused
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.git/objects/pack/pack-1.pack': KB(50),
  '.vscode/settings.json': '{}',
  'id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\n',
};

const MONOREPO: TreeSpec = {
  'services/api/Dockerfile':
    'FROM node:20 AS build\nWORKDIR /repo\nCOPY package.json pnpm-lock.yaml ./\nCOPY packages/shared ./packages/shared\nCOPY services/api ./services/api\n' +
    'RUN pnpm install --frozen-lockfile && pnpm -r build\n\nFROM node:20-slim\nCOPY --from=build /repo/services/api/dist /app\n',
  'services/api/Dockerfile.dockerignore': '# the api image\nnode_modules\n',
  'services/api/src/main.ts': KB(2),
  'services/api/node_modules/express/index.js': KB(30),
  'services/web/src/app.tsx': KB(4),
  'services/web/node_modules/react/index.js': KB(25),
  'services/web/.next/cache/webpack/0.pack': KB(80),
  'packages/shared/src/index.ts': KB(1),
  'packages/shared/node_modules/lodash/index.js': KB(15),
  'packages/shared/dist/index.js': KB(1),
  '.dockerignore': '.git\n',
  '.gitignore': 'node_modules\ndist\n*.log\n',
  'packages/shared/.gitignore': 'generated/\n',
  'packages/shared/generated/types.ts': KB(2),
  'package.json': '{}',
  'pnpm-lock.yaml': KB(50),
  'node_modules/.pnpm/lodash/index.js': KB(60),
  'turbo-build.log': KB(3),
  '.turbo/cache/x': KB(7),
};

describe('suggest: Node project', () => {
  it('proposes each entry with the exact bytes and files it removes', () =>
    withTree(NODE, (root) => {
      const report = suggest(root);
      assert.equal(report.schemaVersion, 1);
      assert.equal(report.ignoreFile, path.join(root, '.dockerignore'));

      const modules = byId(report, 'node-modules')!;
      assert.deepEqual(modules.lines, ['**/node_modules']);
      assert.deepEqual({ files: modules.files, bytes: modules.bytes }, { files: 2, bytes: 21_000 });
      assert.deepEqual(modules.paths, ['web/node_modules']);
      assert.equal(modules.category, 'dependencies');
      assert.match(modules.reason, /installs its own/);

      assert.deepEqual(byId(report, 'git')!.lines, ['**/.git']);
      assert.equal(byId(report, 'git')!.bytes, 30_000 + 'ref: refs/heads/main\n'.length);
      assert.deepEqual(byId(report, 'dotenv')!.paths, ['.env']);
      // Templates stay: the table's exception becomes a literal one for the file that exists.
      assert.deepEqual(byId(report, 'dotenv-variants')!.lines, ['**/.env.*', '!.env.example']);
      assert.deepEqual(byId(report, 'dotenv-variants')!.paths, ['.env.local']);
      assert.equal(byId(report, 'large-file:assets/video.mp4')!.bytes, 2_000_000);
      for (const id of ['logs-dir', 'npm-debug-log', 'coverage-report', 'jetbrains', 'macos-ds-store']) {
        assert.ok(byId(report, id), `${id} suggested`);
      }
      assertExact(root, report);
    }));

  it('never suggests what the Dockerfile uses, and says why it withheld it', () =>
    withTree(NODE, (root) => {
      const report = suggest(root);
      const all = [...report.suggestions, ...report.gitignore];
      for (const used of NODE_USED) {
        for (const s of all) assert.equal(excludes(s.lines, used), false, `${s.id} would exclude ${used}`);
      }
      const dist = report.withheld.find((w) => w.id === 'dist');
      assert.ok(dist, 'dist withheld');
      assert.deepEqual(dist.paths, ['dist']);
      assert.match(dist.why, /COPY dist\/ \(line 6\)/);
      assert.deepEqual(dist.sources.map((s) => s.line), [6]);
      // The large lockfile is not a "large file nobody uses".
      assert.equal(byId(report, 'large-file:package-lock.json'), undefined);
    }));

  it('--write takes out most of the removable weight and keeps every path the Dockerfile uses', () =>
    withTree(NODE, (root) => {
      const before = { buildkit: sum(listing(root, 'buildkit')), classic: sum(listing(root, 'classic')) };
      const original = readFileSync(path.join(root, '.dockerignore'));
      const report = suggest(root);
      assert.equal(applySuggestWrite(report.write), true);
      const written = readFileSync(path.join(root, '.dockerignore'));
      assert.ok(written.subarray(0, original.length).equals(original), 'existing lines and comments kept byte for byte');

      for (const builder of ['buildkit', 'classic'] as const) {
        const after = listing(root, builder);
        const paths = new Set(after.map((e) => e.path));
        for (const used of NODE_USED) assert.ok(paths.has(used), `${builder} still sends ${used}`);
        const removed = before[builder].bytes - sum(after).bytes;
        assert.ok(removed >= 0.95 * NODE_REMOVABLE, `${builder}: removed ${removed} of ${NODE_REMOVABLE}`);
        // The combined result announced is what the walker finds after the write.
        const announced = report.combined[builder];
        assert.deepEqual(announced.after, sum(after), `${builder} combined.after`);
        assert.deepEqual(announced.before, before[builder]);
      }
      assert.deepEqual(forEachEffectiveEntry({ dir: root, cwd: root }, () => {}).problems, []);
      assert.deepEqual(report.combined.effective!.problemsAfter, []);
    }));

  it('a second --write changes nothing (byte-identical file)', () =>
    withTree(NODE, (root) => {
      applySuggestWrite(suggest(root).write);
      const once = readFileSync(path.join(root, '.dockerignore'));
      const again = suggest(root);
      assert.equal(again.write.changed, false);
      assert.deepEqual(again.suggestions, []);
      assert.equal(applySuggestWrite(again.write), false);
      assert.ok(readFileSync(path.join(root, '.dockerignore')).equals(once));
    }));

  it('writes only the selection (--only, --category, --min-bytes)', () =>
    withTree(NODE, (root) => {
      const lines = (selection: SuggestOptions['selection']) => {
        const report = suggest(root, { selection });
        return parseIgnoreFile(report.write.after).rules.map((r) => r.pattern).slice(1);
      };
      assert.deepEqual(lines({ only: ['node-modules', 'git'] }), ['**/.git', '**/node_modules']);
      assert.deepEqual(lines({ categories: ['secrets'] }), ['**/.env.*', '!.env.example', '**/.env']);
      assert.deepEqual(lines({ minBytes: 1_000_000 }), ['assets/video.mp4']);
      assert.deepEqual(lines({ only: ['large-file'] }), ['assets/video.mp4']);
    }));

  it('creates the ignore file when there is none', () =>
    withTree(Object.fromEntries(Object.entries(NODE).filter(([k]) => k !== '.dockerignore')), (root) => {
      const report = suggest(root);
      assert.equal(report.write.exists, false);
      assert.match(report.write.diff, /^--- \/dev\/null\n\+\+\+ b\/\.dockerignore\n/);
      assert.ok(byId(report, 'node-modules')!.paths.includes('node_modules'));
      assert.equal(existsSync(path.join(root, '.dockerignore')), false, 'planning writes nothing');
      applySuggestWrite(report.write);
      // The new .dockerignore is part of the context now: the announced result counts it.
      assert.deepEqual(report.combined.buildkit.after, sum(listing(root, 'buildkit')));
      assert.deepEqual(report.combined.classic.after, sum(listing(root, 'classic')));
    }));
});

describe('suggest: Python project', () => {
  it('finds the virtual environment, caches and test output, and a large unused file, exactly', () =>
    withTree(PYTHON, (root) => {
      const report = suggest(root);
      assert.deepEqual(byId(report, 'python-venv')!.lines, ['.venv']);
      assert.equal(byId(report, 'python-venv')!.bytes, 90_000 + 'home = /usr/bin\n'.length);
      const pycache = byId(report, 'python-pycache')!;
      assert.deepEqual(pycache.lines, ['**/__pycache__']);
      assert.deepEqual(pycache.paths, ['app/__pycache__', 'tests/__pycache__']);
      // Bytecode inside the copied app/ goes too, and the report says it is inside a source.
      assert.deepEqual(pycache.insideSources?.map((s) => s.raw), ['app/']);
      for (const id of ['pytest-cache', 'mypy-cache', 'python-htmlcov', 'python-coverage-data', 'dotenv']) assert.ok(byId(report, id), id);
      assert.equal(byId(report, 'large-file:data/dump.csv')!.bytes, 3_000_000);
      assertExact(root, report);
    }));

  it('keeps requirements.txt and app/ under both builders after --write', () =>
    withTree(PYTHON, (root) => {
      applySuggestWrite(suggest(root).write);
      for (const builder of ['buildkit', 'classic'] as const) {
        const paths = new Set(listing(root, builder).map((e) => e.path));
        for (const used of ['requirements.txt', 'app', 'app/__init__.py', 'app/main.py']) assert.ok(paths.has(used), `${builder}: ${used}`);
        assert.equal(paths.has('.venv'), false);
        assert.equal(paths.has('data/dump.csv'), false);
      }
      assert.deepEqual(forEachEffectiveEntry({ dir: root, cwd: root }, () => {}).problems, []);
    }));

  it('offers an allow-list that is correct under both builders', () =>
    withTree(PYTHON, (root) => {
      const report = suggest(root);
      const allow = report.allowList!;
      assert.ok(allow, report.allowListUnavailable ?? '');
      assert.deepEqual(allow.lines.slice(0, 3), ['*', '!app', '!requirements.txt']);
      assert.ok(allow.lines.includes('**/__pycache__'), 'exclusions that still apply inside app/ follow');
      writeFileSync(path.join(root, '.dockerignore'), allow.lines.join('\n') + '\n');
      const buildkit = listing(root, 'buildkit');
      const classic = listing(root, 'classic');
      for (const entries of [buildkit, classic]) {
        const paths = new Set(entries.map((e) => e.path));
        for (const used of ['requirements.txt', 'app/__init__.py', 'app/main.py']) assert.ok(paths.has(used), used);
        assert.equal(paths.has('app/__pycache__/main.cpython-312.pyc'), false);
      }
      assert.deepEqual(allow.builders.buildkit, sum(buildkit));
      assert.deepEqual(allow.builders.classic, sum(classic));
      assert.deepEqual(forEachEffectiveEntry({ dir: root, cwd: root }, () => {}).problems, []);
    }));
});

describe('suggest: Go project', () => {
  it('keeps vendor/ (vendored modules stay), suggests the host binary, .git, editor files and keys', () =>
    withTree(GO, (root) => {
      const report = suggest(root);
      for (const s of [...report.suggestions, ...report.gitignore]) {
        for (const used of ['go.mod', 'go.sum', 'vendor/modules.txt', 'cmd/app/main.go', 'internal/store/store.go']) {
          assert.equal(excludes(s.lines, used), false, `${s.id} would exclude ${used}`);
        }
      }
      assert.equal(byId(report, 'large-file:bin/app')!.bytes, 6_000_000);
      assert.ok(byId(report, 'git'));
      assert.ok(byId(report, 'vscode'));
      assert.deepEqual(byId(report, 'ssh-key-rsa')!.lines, ['**/id_rsa']);
      assertExact(root, report);
    }));

  it('withholds large files when the Dockerfile copies the whole context', () =>
    withTree({ ...GO, 'Dockerfile': 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build ./cmd/app\n' }, (root) => {
      const report = suggest(root);
      assert.equal(byId(report, 'large-file:bin/app'), undefined);
      const withheld = report.withheld.find((w) => w.id === 'large-file')!;
      assert.deepEqual(withheld.paths, ['bin/app']);
      assert.match(withheld.why, /copies the whole context \(COPY \., line 3\)/);
      assert.equal(report.allowList, null);
      assert.match(report.allowListUnavailable!, /whole context/);
    }));
});

describe('suggest: monorepo with a Dockerfile-specific ignore file', () => {
  const FILE = 'services/api/Dockerfile';

  it('writes to <Dockerfile>.dockerignore, which BuildKit reads, and keeps what the api build copies', () =>
    withTree(MONOREPO, (root) => {
      const report = suggest(root, { dockerfile: FILE });
      assert.equal(report.ignoreFile, path.join(root, 'services/api/Dockerfile.dockerignore'));
      assert.equal(report.combined.buildkit.readsWrittenFile, true);
      assert.equal(report.combined.classic.readsWrittenFile, false);
      const modules = byId(report, 'node-modules')!;
      assert.deepEqual(modules.lines, ['**/node_modules']);
      assert.deepEqual(modules.paths, ['packages/shared/node_modules', 'services/api/node_modules', 'services/web/node_modules']);
      assert.ok(byId(report, 'next-build') ?? byId(report, 'next-cache'));
      assert.ok(byId(report, 'turbo-cache'));
      assertExact(root, report, FILE);

      applySuggestWrite(report.write);
      const paths = new Set(listing(root, 'buildkit', FILE).map((e) => e.path));
      for (const used of ['package.json', 'pnpm-lock.yaml', 'packages/shared/src/index.ts', 'services/api/src/main.ts']) assert.ok(paths.has(used), used);
      assert.deepEqual(forEachEffectiveEntry({ dir: root, cwd: root, dockerfile: FILE }, () => {}).problems, []);
      assert.equal(readFileSync(path.join(root, '.dockerignore'), 'utf8'), '.git\n', 'the other ignore file is untouched');
    }));

  it('withholds a .gitignore entry inside a directory the Dockerfile copies (ctxsize cannot know it is unused)', () =>
    withTree(MONOREPO, (root) => {
      const report = suggest(root, { dockerfile: FILE });
      const generated = report.withheld.find((w) => w.id === 'gitignore:packages/shared/.gitignore:1')!;
      assert.deepEqual(generated.lines, ['packages/shared/**/generated']);
      assert.match(generated.why, /COPY packages\/shared \(line 4\)/);
      // The root .gitignore's entries are the table's own lines here: listed, not written twice.
      const modules = report.gitignore.find((g) => g.pattern === 'node_modules')!;
      assert.equal(modules.redundantWith, 'node-modules');
      assert.equal(modules.selected, false);
    }));
});

describe('suggest: protection and exactness in harder cases', () => {
  it('is exact when the ignore file has exceptions (both builders replay their own walk)', () =>
    withTree(
      {
        'Dockerfile': 'FROM node:20\nCOPY . /app\n',
        '.dockerignore': '# docs stay out, except the readme\n*.md\n!README.md\ndocs\n!docs/keep/**\n',
        'README.md': 'r',
        'CHANGES.md': 'c',
        'docs/keep/a.txt': KB(1),
        'docs/keep/node_modules/x/i.js': KB(3),
        'docs/other.txt': KB(1),
        'src/index.js': KB(1),
        'node_modules/a/index.js': KB(10),
        'src/node_modules/b/index.js': KB(4),
        'src/.env.production': 'K=1\n',
        'src/.env.sample': 'K=\n',
        '.git/config': KB(2),
        'tmp.log': KB(1),
      },
      (root) => {
        for (const builder of ['buildkit', 'classic'] as const) {
          const report = suggest(root, { builder });
          assert.ok(report.suggestions.length >= 4, `${builder}: ${report.suggestions.map((s) => s.id).join(',')}`);
          assertExact(root, report);
          const modules = byId(report, 'node-modules')!;
          // Both builders enter docs/ for the exception, so docs/keep/node_modules is sent (and removed) by both.
          assert.deepEqual(modules.paths, ['docs/keep/node_modules', 'node_modules', 'src/node_modules'], builder);
          assert.deepEqual(byId(report, 'dotenv-variants')!.lines, ['**/.env.*', '!src/.env.sample']);
        }
      },
    ));

  it('protects a source that does not exist yet, narrowing the line to the paths that are safe', () =>
    withTree(
      {
        'Dockerfile': 'FROM nginx\nCOPY dist/ /usr/share/nginx/html/\n',
        'src/app.ts': KB(1),
        'packages/ui/dist/ui.js': KB(5),
        'packages/ui/src/ui.ts': KB(1),
      },
      (root) => {
        const report = suggest(root);
        const dist = byId(report, 'dist')!;
        assert.deepEqual(dist.lines, ['packages/ui/dist']);
        assert.equal(dist.narrowed, true);
        assert.equal(dist.bytes, 5000);
        const withheld = report.withheld.find((w) => w.id === 'dist')!;
        assert.deepEqual(withheld.paths, ['dist']);
        assert.match(withheld.why, /narrowed to 1 literal path/);
        assert.equal(excludes(report.combined.lines, 'dist'), false);
      },
    ));

  it('looks inside a node_modules the Dockerfile copies, for its cache only', () =>
    withTree(
      {
        'Dockerfile': 'FROM node:20\nCOPY node_modules ./node_modules\nCOPY index.js .\n',
        'index.js': KB(1),
        'node_modules/a/index.js': KB(10),
        'node_modules/.cache/babel/x.json': KB(7),
        'tools/node_modules/b/index.js': KB(3),
      },
      (root) => {
        const report = suggest(root);
        assert.deepEqual(byId(report, 'node-modules')!.lines, ['tools/node_modules']);
        assert.deepEqual(byId(report, 'node-modules-cache')!.lines, ['**/node_modules/.cache']);
        assert.equal(byId(report, 'node-modules-cache')!.bytes, 7000);
        assert.ok(!excludes(report.combined.lines, 'node_modules/a/index.js'));
        assertExact(root, report);
      },
    ));

  it('follows --target and --build-arg: only the stages and paths of that build are protected', () =>
    withTree(
      {
        'Dockerfile':
          'FROM alpine AS docs\nCOPY build/ /docs\n\nFROM node:20 AS app\nARG OUT=dist\nCOPY ${OUT}/ /app\n',
        'build/index.html': KB(2),
        'dist/main.js': KB(3),
      },
      (root) => {
        const ids = (options: SuggestOptions) => suggest(root, options).suggestions.map((s) => s.id).sort();
        assert.deepEqual(ids({}), ['build']); // the app stage copies dist; build is unused
        assert.deepEqual(ids({ target: 'docs' }), ['dist']);
        assert.deepEqual(ids({ buildArgs: { OUT: 'build' } }), ['dist']);
        const withheld = suggest(root, { target: 'docs' }).withheld.find((w) => w.id === 'build')!;
        assert.match(withheld.why, /COPY build\/ \(line 2\)/);
      },
    ));

  it('adds literal exceptions for the classic builder when a wildcard source needs them in an allow-list', () =>
    withTree(
      {
        'Dockerfile': 'FROM golang:1.22\nCOPY go.mod ./\nCOPY cmd/*/main.go ./cmd/\n',
        'go.mod': 'module x\n',
        'cmd/a/main.go': KB(1),
        'cmd/b/main.go': KB(2),
        'cmd/a/notes.txt': KB(1),
        'assets/big.bin': KB(1200),
      },
      (root) => {
        const report = suggest(root);
        const allow = report.allowList!;
        assert.ok(allow, report.allowListUnavailable ?? '');
        assert.deepEqual(allow.lines, ['*', '!cmd/*/main.go', '!go.mod', '!cmd/a/main.go', '!cmd/b/main.go']);
        writeFileSync(path.join(root, '.dockerignore'), allow.lines.join('\n') + '\n');
        for (const builder of ['buildkit', 'classic'] as const) {
          const paths = new Set(listing(root, builder).map((e) => e.path));
          for (const used of ['go.mod', 'cmd/a/main.go', 'cmd/b/main.go']) assert.ok(paths.has(used), `${builder}: ${used}`);
          assert.equal(paths.has('assets/big.bin'), false);
        }
        assert.deepEqual(forEachEffectiveEntry({ dir: root, cwd: root }, () => {}).problems, []);
      },
    ));
});

const hasGit = spawnSync('git', ['--version']).status === 0;

describe('suggest: .gitignore conversion checked against git itself', { skip: !hasGit && 'git is not installed' }, () => {
  const TREE: TreeSpec = {
    'Dockerfile': 'FROM alpine\nCOPY . /app\n',
    '.gitignore': 'node_modules\n/build\ndist/\n*.log\n!keep.log\ntmp/\n[!a]*.bak\n',
    'docs/.gitignore': '_site/\n/drafts\n',
    'build/out.js': KB(2),
    'lib/build/x.js': KB(1),
    'lib/dist/x.js': KB(1),
    'src/dist': 'a file named dist: git keeps it',
    'a.log': KB(1),
    'sub/b.log': KB(1),
    'keep.log': 'keep',
    'tmp/t.txt': KB(1),
    'sub/tmp': 'a file named tmp',
    'x.bak': 'b',
    'a.bak': 'a',
    'docs/_site/index.html': KB(3),
    'docs/drafts/d.md': KB(1),
    'docs/guide/drafts/kept.md': 'kept: /drafts is anchored to docs/',
    'src/main.js': KB(1),
    'web/node_modules/r/i.js': KB(2),
  };

  function gitIgnored(root: string, paths: readonly string[]): Set<string> {
    spawnSync('git', ['init', '-q'], { cwd: root });
    const result = spawnSync('git', ['check-ignore', '--stdin'], { cwd: root, input: paths.join('\n') + '\n', encoding: 'utf8' });
    return new Set(result.stdout.split('\n').filter(Boolean));
  }

  it('every converted entry removes only what git ignores, and together exactly that', () =>
    withTree(TREE, (root) => {
      const report = suggest(root);
      const context = listing(root, 'buildkit').map((e) => e.path).filter((p) => p !== '.git' && !p.startsWith('.git/'));
      const ignored = gitIgnored(root, context);
      assert.ok(ignored.size > 5);
      const all = report.gitignore.flatMap((g) => g.lines);
      for (const g of report.gitignore) {
        assert.equal(g.verified, true);
        const removed = removedPaths(root, report, g.lines);
        for (const p of removed) assert.ok(ignored.has(p), `${g.file}:${g.line} ${g.pattern} -> ${g.lines.join(' ')} removes ${p}, which git keeps`);
      }
      const removed = removedPaths(root, report, all);
      assert.deepEqual([...removed].filter((p) => !p.startsWith('.git')).sort(), [...ignored].sort());
      const line = (pattern: string) => report.gitignore.find((g) => g.pattern === pattern)?.lines;
      assert.deepEqual(line('node_modules'), ['**/node_modules']);
      assert.deepEqual(line('/build'), ['build']);
      assert.deepEqual(line('dist/'), ['**/dist', '!src/dist']);
      assert.deepEqual(line('*.log'), ['**/*.log', '!keep.log']);
      assert.deepEqual(line('tmp/'), ['**/tmp', '!sub/tmp']);
      assert.deepEqual(line('[!a]*.bak'), ['**/[^a]*.bak']);
      assert.deepEqual(line('_site/'), ['docs/**/_site']);
      assert.deepEqual(line('/drafts'), ['docs/drafts']);
    }));

  function removedPaths(root: string, report: SuggestReport, lines: readonly string[]): Set<string> {
    const before = listing(root, report.builder).map((e) => e.path);
    const file = report.write.file;
    const original = existsSync(file) ? readFileSync(file) : null;
    writeFileSync(file, insertIntoBlock(original ?? Buffer.alloc(0), lines.map((pattern) => ({ pattern, comment: '' }))).after);
    try {
      const after = new Set(listing(root, report.builder).map((e) => e.path));
      return new Set(before.filter((p) => !after.has(p)));
    } finally {
      if (original) writeFileSync(file, original);
      else rmSync(file);
    }
  }
});

describe('suggest: a context inside a repository', { skip: !hasGit && 'git is not installed' }, () => {
  it('converts the .gitignore files above the context relative to it', () =>
    withTree(
      {
        '.gitignore': '/services/api/tmp\n/services/web/out\n*.log\nservices/*/cache/\n',
        'services/api/Dockerfile': 'FROM node:20\nCOPY . /app\n',
        'services/api/tmp/scratch.txt': KB(2),
        'services/api/out/keep.txt': 'not ignored: /services/web/out is another service',
        'services/api/run.log': KB(1),
        'services/api/cache/c.bin': KB(3),
        'services/api/src/index.js': KB(1),
      },
      (top) => {
        spawnSync('git', ['init', '-q'], { cwd: top });
        const root = path.join(top, 'services/api');
        const report = suggest(root);
        const line = (pattern: string) => report.gitignore.find((g) => g.pattern === pattern);
        assert.equal(line('/services/api/tmp')!.file, '../../.gitignore');
        assert.deepEqual(line('/services/api/tmp')!.lines, ['tmp']);
        assert.equal(line('/services/web/out'), undefined);
        assert.deepEqual(line('services/*/cache/')!.lines, ['cache']);
        assert.deepEqual(line('*.log')!.lines, ['**/*.log']);
        const result = spawnSync('git', ['check-ignore', '--stdin'], {
          cwd: top,
          input: ['tmp/scratch.txt', 'out/keep.txt', 'run.log', 'cache/c.bin', 'src/index.js'].map((p) => 'services/api/' + p).join('\n') + '\n',
          encoding: 'utf8',
        });
        assert.deepEqual(result.stdout.split('\n').filter(Boolean), ['services/api/tmp/scratch.txt', 'services/api/run.log', 'services/api/cache/c.bin']);
        assertExact(root, report);
      },
    ));
});

describe('suggest: tracked files', { skip: !hasGit && 'git is not installed' }, () => {
  it('a file git tracks despite .gitignore stays (a fresh clone has it)', () =>
    withTree(
      {
        'Dockerfile': 'FROM alpine\nCOPY . /app\n',
        '.gitignore': '*.bin\n',
        'model.bin': KB(3),
        'fixtures/golden.bin': KB(2),
        'cache/x.bin': KB(1),
      },
      (root) => {
        const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root });
        git('init', '-q');
        git('add', '-f', 'fixtures/golden.bin');
        git('commit', '-qm', 'golden');
        const report = suggest(root);
        const bin = report.gitignore.find((g) => g.pattern === '*.bin')!;
        assert.deepEqual(bin.lines, ['**/*.bin', '!fixtures/golden.bin']);
        assert.equal(excludes(bin.lines, 'fixtures/golden.bin'), false);
        assertExact(root, report);
      },
    ));
});
