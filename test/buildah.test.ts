import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listContext } from '../src/index.js';
import { BuildahMatcher, buildahRegexpSource, parseBuildahIgnoreFile } from '../src/dockerignore/buildah.js';
import { IgnoreFileError } from '../src/dockerignore/read.js';
import { findBuildah, buildCaseTree, type BuildahAnswer, type CaseTreeEntry } from './support/buildah.js';
import { REPO, runCtxsize } from './support/cli.js';
import { compareWithBuildah, ctxsizeBuildah, describeBuildahCase, diffAnswers, generateBuildahCases } from './support/random-buildah.js';
import { removeTree, withTree } from './support/tree.js';

/**
 * `--builder buildah` (alias podman): what Podman and Buildah 1.28 copy from a build context. The
 * expectations below were measured with the real Buildah (see test/support/buildah.ts); the
 * recorded cases and the random cases compare with it directly.
 */

const matcher = (text: string): BuildahMatcher => new BuildahMatcher(parseBuildahIgnoreFile(text));
const paths = (dir: string, extra: Parameters<typeof listContext>[0] = {}): string[] =>
  listContext({ dir, builder: 'buildah', ...extra }).entries.map((e) => e.path);

describe('Buildah: reading an ignore file (imagebuilder ParseIgnore)', () => {
  const cases: [string, string[]][] = [
    ['node_modules\n', ['node_modules']],
    ['# comment\n  # not a comment\n', ['  # not a comment']],
    ['/dist/\n//\n/\n', ['dist']],
    ['crlf\r\n', ['crlf\r']],
    ['\uFEFFbom\n', ['\uFEFFbom']],
    [' /lead\n', [' /lead']],
    ['last', ['last']],
  ];
  for (const [text, patterns] of cases) {
    it(`${JSON.stringify(text)} -> ${JSON.stringify(patterns)}`, () => {
      assert.deepEqual(parseBuildahIgnoreFile(text).rules.map((r) => r.pattern), patterns);
    });
  }
});

describe('Buildah: matching (containers/storage fileutils)', () => {
  const table: [patterns: string, path: string, excluded: boolean][] = [
    ['a+b', 'a+b', false],
    ['a+b', 'aab', true],
    ['a+b', 'ab', true],
    ['(p)', 'p', true],
    ['(p)', '(p)', false],
    ['x|y', 'y', true],
    ['x|y', 'x', true],
    ['^c', 'c', true],
    ['^c', '^c', false],
    [' /a', 'a', false],
    [' a', 'a', true],
    ['a\n! /a', 'a', true],
    ['a\n!/a', 'a', false],
    ['dist', 'dist/x/y', true],
    ['*.log', 'a/x.log', false],
    ['*/x.log', 'a/x.log', true],
    ['a.b', 'axb', false],
    ['$d', '$d', true],
    ['foo # x', 'foo # x', true],
    ['a\r', 'a', true],
    ['!a/../b', 'b', true],
    ['**/x', 'a/b/x', true],
    ['deep/**', 'deep', false],
    ['deep/**', 'deep/a', true],
  ];
  for (const [patterns, path, excluded] of table) {
    it(`${JSON.stringify(patterns)} ${excluded ? 'excludes' : 'keeps'} ${JSON.stringify(path)}`, () => {
      assert.equal(matcher(patterns).matches(path), excluded);
    });
  }

  it('a trailing backslash is refused when the pattern is first used', () => {
    assert.equal(buildahRegexpSource('a\\'), null);
    assert.throws(() => matcher('[a]\\\\\\').matches('x'), /syntax error/);
  });

  it('a bare "!" and malformed brackets are refused up front, naming the line', () => {
    assert.throws(() => matcher('a\n!\n'), (e: unknown) => e instanceof IgnoreFileError && e.line === 2);
    assert.throws(() => matcher('a\n\n[x\n'), (e: unknown) => e instanceof IgnoreFileError && e.line === 3);
    assert.throws(() => matcher('!/\n'), IgnoreFileError);
  });

  it('an excluded directory is entered only when an exception starts with its path, as plain text', () => {
    const m = matcher('*\n!src/**/*.go\n!ab/x\n');
    assert.equal(m.entersExcludedDirectory('src'), true);
    assert.equal(m.entersExcludedDirectory('src/sub'), false);
    assert.equal(m.entersExcludedDirectory('a'), true);
    assert.equal(m.entersExcludedDirectory('b'), false);
    assert.equal(matcher('*\n').entersExcludedDirectory('src'), false);
  });
});

describe('Buildah: which files (parse.ContainerIgnoreFile, DiscoverContainerfile)', () => {
  it('Containerfile before Dockerfile; .containerignore before .dockerignore; an empty one wins', async () => {
    await withTree({ Containerfile: 'FROM scratch\n', Dockerfile: 'FROM scratch\n', '.containerignore': '', '.dockerignore': 'a\n', a: 'x' }, (root) => {
      const listing = listContext({ dir: root, builder: 'buildah' });
      assert.equal(path.basename(listing.context.dockerfile!), 'Containerfile');
      assert.equal(path.basename(listing.context.ignorePath!), '.containerignore');
      assert.ok(listing.entries.some((e) => e.path === 'a'));
    });
  });

  it('beside the Containerfile: <name>.dockerignore before <name>.containerignore, before the context ones', async () => {
    await withTree(
      { 'ci/': '', 'ci/app': 'FROM scratch\n', 'ci/app.containerignore': 'b\n', 'ci/app.dockerignore': 'a\n', '.containerignore': 'ci\n', a: 'x', b: 'y' },
      (root) => {
        assert.deepEqual(paths(root, { dockerfile: path.join(root, 'ci/app') }).sort(), ['.containerignore', 'b', 'ci', 'ci/app', 'ci/app.containerignore', 'ci/app.dockerignore']);
        removeTree(path.join(root, 'ci/app.dockerignore'));
        assert.ok(!paths(root, { dockerfile: path.join(root, 'ci/app') }).includes('b'));
      },
    );
  });

  it('--ignorefile replaces the lookup', async () => {
    await withTree({ Containerfile: 'FROM scratch\n', '.containerignore': 'a\n', 'other.ignore': 'b\n', a: 'x', b: 'y' }, (root) => {
      const listed = paths(root, { ignoreFile: path.join(root, 'other.ignore') });
      assert.ok(listed.includes('a') && !listed.includes('b'));
    });
  });

  it('without a Containerfile or Dockerfile (and no -f) Buildah refuses the build', async () => {
    await withTree({ 'Dockerfile.dev': 'FROM scratch\n', a: '' }, (root) => {
      const ls = runCtxsize(['ls', '--builder', 'podman', root]);
      assert.equal(ls.status, 2);
      assert.match(ls.stderr, /no Containerfile or Dockerfile/);
      assert.equal(runCtxsize(['ls', '--builder', 'podman', '-f', path.join(root, 'Dockerfile.dev'), root]).status, 0);
    });
  });

  it('a Containerfile that is a directory makes Buildah refuse the build', async () => {
    await withTree({ 'Containerfile/': '', Dockerfile: 'FROM scratch\n' }, (root) => {
      assert.throws(() => listContext({ dir: root, builder: 'buildah' }), /Containerfile: is not a file/);
    });
  });
});

describe('Buildah: the walk (copier.Get)', () => {
  it('`*` then `!src/**/*.go` loses what lies in subdirectories; parents of copied entries come along', async () => {
    await withTree({ Containerfile: '', '.containerignore': '*\n!src/**/*.go\n!deep/a/b\n', 'src/x.go': '', 'src/sub/y.go': '', 'deep/a/b': '', 'deep/c': '' }, (root) => {
      assert.deepEqual(paths(root).sort(), ['deep', 'deep/a', 'deep/a/b', 'src', 'src/x.go']);
    });
  });

  it('the Containerfile and the ignore file are not added back', async () => {
    await withTree({ Containerfile: '', '.containerignore': 'Containerfile\n.containerignore\n', a: '' }, (root) => {
      assert.deepEqual(paths(root), ['a']);
    });
  });
});

describe('ctxsize ls --builder buildah (the CLI)', () => {
  it('podman is an alias; --ignorefile needs it; --effective is refused with the reason', async () => {
    await withTree({ Containerfile: 'FROM scratch\n', '.containerignore': 'a+b\n', ab: '', 'a+b': '' }, (root) => {
      const ls = runCtxsize(['ls', '--builder', 'podman', root]);
      assert.equal(ls.status, 0, ls.stderr);
      assert.deepEqual(ls.stdout.trim().split('\n').sort(), ['.containerignore', 'Containerfile', 'a+b']);
      const docker = runCtxsize(['ls', root]);
      assert.ok(docker.stdout.split('\n').includes('ab'), 'Docker reads a+b as a name');
      const flag = runCtxsize(['ls', '--ignorefile', 'x', root]);
      assert.equal(flag.status, 2);
      assert.match(flag.stderr, /--ignorefile .* --builder buildah/);
      const effective = runCtxsize(['ls', '--builder', 'buildah', '--effective', root]);
      assert.equal(effective.status, 2);
      assert.match(effective.stderr, /remote Podman uploads the whole context/);
    });
  });

  it('a pattern Buildah cannot compile: exit 2 naming the file and line', async () => {
    await withTree({ Containerfile: '', '.containerignore': 'ok\n(x\n', a: '' }, (root) => {
      const ls = runCtxsize(['ls', '--builder', 'buildah', root]);
      assert.equal(ls.status, 2);
      assert.match(ls.stderr, /\.containerignore:2: syntax error in pattern "\(x"/);
    });
  });
});

describe('check and suggest for Podman users', () => {
  it('check reports lines Docker and Podman read differently, with the paths, when both files exist', async () => {
    await withTree(
      { Dockerfile: 'FROM alpine\nCOPY src /src\n', '.dockerignore': 'dist\na+b\n', '.containerignore': 'dist\na\\+b\n', 'dist/x': '', ab: '', 'a+b': '', 'src/y': '' },
      (root) => {
        const r = runCtxsize(['check', '--json', root]);
        const report = JSON.parse(r.stdout) as { findings: { rule: string; line: number; paths?: string[]; file: string }[] };
        const hides = report.findings.find((f) => f.rule === 'containerignore-hides-dockerignore');
        assert.equal(hides, undefined, 'the two files send the same paths (Podman reads "a\\+b" as Docker reads "a+b")');
        writeFileSync(path.join(root, '.containerignore'), 'dist\n');
        const again = JSON.parse(runCtxsize(['check', '--json', root]).stdout) as typeof report;
        const hidden = again.findings.find((f) => f.rule === 'containerignore-hides-dockerignore');
        assert.ok(hidden, JSON.stringify(again.findings.map((f) => f.rule)));
        assert.deepEqual(hidden.paths, ['a+b']);
      },
    );
  });

  it('check --builder buildkit,podman: each differing line of the shared file, with the paths it splits', async () => {
    await withTree({ Dockerfile: 'FROM alpine\n', '.dockerignore': ' /dist\na+b\nnode_modules\n', 'dist/x': '', ab: '', 'a+b': '' }, (root) => {
      const quiet = JSON.parse(runCtxsize(['check', '--json', root]).stdout) as { findings: { rule: string }[] };
      assert.ok(!quiet.findings.some((f) => f.rule === 'podman-pattern-differs'), 'Docker users only: nothing to compare');
      const r = JSON.parse(runCtxsize(['check', '--json', '--builder', 'buildkit,podman', root]).stdout) as { findings: { rule: string; line: number; paths?: string[] }[] };
      const differs = r.findings.filter((f) => f.rule === 'podman-pattern-differs');
      assert.deepEqual(differs.map((f) => [f.line, f.paths]), [[1, ['dist', 'dist/x']], [2, ['a+b', 'ab']]]);
    });
  });

  it('check --builder podman reports what Buildah refuses, and sources against what it copies', async () => {
    await withTree({ Containerfile: 'FROM alpine\nCOPY dist /dist\n', '.containerignore': '(x\ndist\n', 'dist/x': '' }, (root) => {
      const r = runCtxsize(['check', '--json', '--builder', 'podman', root]);
      assert.equal(r.status, 1);
      const report = JSON.parse(r.stdout) as { findings: { rule: string; line: number; message: string }[] };
      assert.ok(report.findings.some((f) => f.rule === 'pattern-compile-error' && f.line === 1 && /Podman/.test(f.message)));
      assert.ok(report.findings.some((f) => f.rule === 'source-excluded' && /Podman\/Buildah/.test(f.message)));
    });
  });

  it('suggest --builder podman --write writes the .containerignore Podman reads, and only that file', async () => {
    await withTree({ Containerfile: 'FROM alpine\nCOPY src /src\n', '.containerignore': '# mine\n', '.dockerignore': 'x\n', 'src/a': '', '.git/HEAD': 'ref: x\n', '.git/objects/o': 'y'.repeat(4000) }, (root) => {
      const r = runCtxsize(['suggest', '--builder', 'podman', '--write', root]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(readFileSync(path.join(root, '.containerignore'), 'utf8'), /^# mine\n[\s\S]*\.git/);
      assert.equal(readFileSync(path.join(root, '.dockerignore'), 'utf8'), 'x\n');
      assert.ok(!paths(root).includes('.git/objects/o'));
    });
  });
});

interface RecordedCase {
  id: string;
  kind: string;
  dockerfile: string;
  tree: CaseTreeEntry[];
}

describe('recorded conformance cases under Buildah', () => {
  const cases = readFileSync(path.join(REPO, 'test/fixtures/conformance-cases.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RecordedCase);
  const answers = new Map(
    readFileSync(path.join(REPO, 'test/fixtures/conformance-buildah.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; buildah: BuildahAnswer })
      .map((a) => [a.id, a.buildah]),
  );
  it('has a Buildah answer for each of the 700 cases', () => {
    assert.equal(cases.length, 700);
    for (const c of cases) assert.ok(answers.has(c.id), c.id);
  });
  for (const kind of ['plain', 'allow-list', 'exotic']) {
    it(`${kind} cases match what the real Buildah copied`, () => {
      const failures: string[] = [];
      for (const c of cases.filter((x) => x.kind === kind)) {
        const root = buildCaseTree(c.tree);
        try {
          const diff = diffAnswers(answers.get(c.id)!, ctxsizeBuildah(root, { dockerfile: c.dockerfile }));
          if (diff !== null) failures.push(`${c.id}: ${diff}`);
        } finally {
          removeTree(root);
        }
      }
      assert.deepEqual(failures, []);
    });
  }
});

describe('random cases against the real Buildah', () => {
  const found = findBuildah();
  it('lists what Buildah copies, refusals included', { skip: 'missing' in found ? found.missing : false }, async () => {
    if ('missing' in found) return;
    const seed = Number(process.env['CTXSIZE_SEED'] ?? Date.now() % 100000);
    const failures: string[] = [];
    for (const c of generateBuildahCases(seed, 24)) {
      const diff = await compareWithBuildah(found.contextSh, c);
      if (diff !== null) failures.push(`${describeBuildahCase(c)}\n  => ${diff}`);
    }
    assert.deepEqual(failures, [], `seed ${seed} (CTXSIZE_SEED=${seed} repeats it)`);
  });
});
