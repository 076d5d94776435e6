import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkContext, type Finding, type RuleId } from '../src/index.js';
import { lintIgnoreSyntax } from '../src/check/ignore-syntax.js';
import { lintIgnoreRules, probePaths } from '../src/check/ignore-rules.js';
import { indexTree } from '../src/check/tree.js';
import { parseIgnoreFile } from '../src/dockerignore/read.js';
import type { Entry } from '../src/walk/entry.js';
import { withTree, type TreeSpec } from './support/tree.js';

/** Lint a temporary tree (the working directory is its root, so files print as relative paths). */
function check(spec: TreeSpec, options: Parameters<typeof checkContext>[0] = {}) {
  return withTree(spec, (root) => checkContext({ dir: root, cwd: root, ...options }));
}

const byRule = (findings: readonly Finding[], rule: RuleId) => findings.filter((f) => f.rule === rule);

/** Exactly one finding of this rule; returns it. */
function only(findings: readonly Finding[], rule: RuleId): Finding {
  const found = byRule(findings, rule);
  assert.equal(found.length, 1, `one ${rule} expected, got ${JSON.stringify(found, null, 1)}`);
  return found[0]!;
}

const COPY_ALL = 'FROM node:20\nCOPY . /app\n';

describe('check: ignore-file syntax', () => {
  it('reports every malformed pattern and bare "!" with its line, not only the first', async () => {
    const report = await check({
      '.dockerignore': 'ok\nsrc/[a-\n!\nfoo\\\nx[\n',
      'Dockerfile': COPY_ALL,
    });
    const malformed = byRule(report.findings, 'malformed-pattern');
    assert.deepEqual(malformed.map((f) => f.line), [2, 4, 5]);
    assert.ok(malformed.every((f) => f.severity === 'error' && f.file === '.dockerignore'));
    assert.match(malformed[1]!.message, /trailing backslash/);
    const bare = only(report.findings, 'bare-exclamation');
    assert.equal(bare.line, 3);
    assert.equal(bare.severity, 'error');
    // The rest of the file is still checked: "ok" matches nothing.
    assert.equal(only(report.findings, 'unmatched-pattern').line, 1);
  });

  it('flags "#" after whitespace and comments after a pattern, and what they do', async () => {
    const report = await check({
      '.dockerignore': '# a real comment\n  # not a comment\nnode_modules # deps\n!keep # why\n',
      'Dockerfile': COPY_ALL,
      'node_modules/x/index.js': 'x',
    });
    const misplaced = only(report.findings, 'misplaced-comment');
    assert.equal(misplaced.line, 2);
    assert.equal(misplaced.severity, 'warning');
    const trailing = byRule(report.findings, 'trailing-comment');
    assert.deepEqual(trailing.map((f) => f.line), [3, 4]);
    assert.match(trailing[0]!.message, /"node_modules # deps".*not "node_modules"/);
    // Not reported a second time as "matches nothing".
    assert.deepEqual(byRule(report.findings, 'unmatched-pattern').map((f) => f.line), []);
    // And the comment really did break the rule: node_modules is still sent.
    assert.equal(report.summary.errors, 0);
  });

  it('reports a pattern Docker only rejects when it evaluates it, saying whether this tree triggers it', async () => {
    const hit = await check({ '.dockerignore': '[[:foo:]]\n', 'Dockerfile': COPY_ALL, 'a.txt': 'a' });
    const finding = only(hit.findings, 'pattern-compile-error');
    assert.equal(finding.severity, 'error');
    assert.equal(finding.line, 1);
    assert.match(finding.message, /fails the build when it evaluates it/);
    // An exception is only evaluated for paths already excluded: nothing is, so Docker never trips on it.
    const latent = await check({ '.dockerignore': 'nothing-here\n!\\p\n', 'Dockerfile': COPY_ALL, 'a.txt': 'a' });
    assert.match(only(latent.findings, 'pattern-compile-error').message, /no path in this tree makes Docker evaluate it yet/);
  });

  it('reports an ignore file Docker cannot read at all (a line over 64 KiB)', async () => {
    const report = await check({ '.dockerignore': 'a\n' + 'x'.repeat(70_000) + '\n', 'Dockerfile': COPY_ALL });
    const finding = only(report.findings, 'ignore-file-unreadable');
    assert.equal(finding.line, 2);
    assert.equal(finding.severity, 'error');
  });

  it('lintIgnoreSyntax is pure and keeps only the rules Docker can evaluate', () => {
    const lint = lintIgnoreSyntax(parseIgnoreFile('a\n[\nb\n!\n\\p\n'), 'posix');
    assert.deepEqual(lint.usable.rules.map((r) => r.pattern), ['a', 'b']);
    assert.deepEqual(lint.lateErrors.map((r) => r.line), [5]);
    assert.deepEqual(lint.findings.map((f) => [f.rule, f.line]), [['malformed-pattern', 2], ['bare-exclamation', 4]]);
  });
});

describe('check: Dockerfile sources', () => {
  it('errors on COPY/ADD/bind-mount sources that are excluded or missing', async () => {
    const report = await check({
      '.dockerignore': 'dist\nbuild/**\n*.txt\n',
      'Dockerfile':
        'FROM node:20\nCOPY package.json ./\nCOPY dist/ /app/dist\nADD build/out /out\nCOPY requirments.txt .\n' +
        'COPY *.lock yarn.lock* ./\nRUN --mount=type=bind,source=scripts,target=/s sh /s/run.sh\nCOPY README.MD .\nCOPY *.txt /\n',
      'package.json': '{}',
      'dist/a.js': 'a',
      'build/out/b.js': 'b',
      'requirements.txt': 'flask',
      'README.md': 'r',
    });
    const excluded = byRule(report.findings, 'source-excluded');
    assert.deepEqual(excluded.map((f) => f.line), [3, 4]);
    assert.ok(excluded.every((f) => f.severity === 'error' && f.file === 'Dockerfile'));
    assert.match(excluded[0]!.message, /"dist" at \.dockerignore:1 excludes it/);
    assert.match(excluded[0]!.fix, /"!dist"/);
    assert.match(excluded[1]!.message, /"build\/\*\*" at \.dockerignore:2/);
    const missing = byRule(report.findings, 'source-missing');
    // Line 6: wildcards that match nothing are allowed by BuildKit (the optional-file idiom).
    assert.deepEqual(missing.map((f) => f.line), [5, 7, 8]);
    assert.match(missing[1]!.message, /RUN --mount=type=bind source "scripts"/);
    assert.match(missing[2]!.message, /there is "README\.md": paths are case-sensitive/);
    // Line 9: the wildcard matches requirements.txt, which is excluded: nothing is copied, silently.
    const wildcard = only(report.findings, 'wildcard-source-excluded');
    assert.equal(wildcard.line, 9);
    assert.equal(wildcard.severity, 'warning');
    assert.match(wildcard.message, /matches "requirements\.txt", but none is in the context/);
  });

  it('does not report a source of a stage the target does not reach, and resolves build args', async () => {
    const spec = {
      'Dockerfile':
        'FROM alpine AS test\nCOPY tests/ /tests\nFROM alpine AS app\nARG APP=web\nCOPY apps/${APP} /srv\n',
      'apps/api/main.go': 'package main',
    };
    const last = await check(spec);
    assert.deepEqual(byRule(last.findings, 'source-missing').map((f) => [f.line, f.paths]), [[5, ['apps/web']]]);
    const withArg = await check(spec, { buildArgs: { APP: 'api' } });
    assert.deepEqual(byRule(withArg.findings, 'source-missing'), []);
    const testStage = await check(spec, { target: 'test', buildArgs: { APP: 'api' } });
    assert.deepEqual(byRule(testStage.findings, 'source-missing').map((f) => f.line), [2]);
  });

  it('accepts a directory source that is excluded but holds a re-included file (BuildKit sends it)', async () => {
    const report = await check({
      '.dockerignore': 'config\n!config/app.yaml\n',
      'Dockerfile': 'FROM alpine\nCOPY config /etc/app\n',
      'config/app.yaml': 'a: 1',
      'config/local.yaml': 'b: 2',
    });
    assert.deepEqual(byRule(report.findings, 'source-excluded'), []);
  });

  it('follows a symlinked source to its target, which must be sent too', async () => {
    const report = await check({
      '.dockerignore': 'real\n',
      'Dockerfile': 'FROM alpine\nCOPY link/ /l\nCOPY dangling /d\nCOPY ok /o\n',
      'real/a.txt': 'a',
      'link': '->real',
      'dangling': '->nowhere',
      'fine/b.txt': 'b',
      'ok': '->fine',
    });
    const excluded = only(report.findings, 'source-excluded');
    assert.equal(excluded.line, 2);
    assert.deepEqual(excluded.paths, ['link', 'real']);
    const missing = only(report.findings, 'source-missing');
    assert.equal(missing.line, 3);
    assert.match(missing.message, /symbolic link to "nowhere"/);
  });

  it('reports a Dockerfile BuildKit would refuse as a finding, and goes on', async () => {
    const report = await check({
      'Dockerfile': 'FROM alpine\nCOPY --from=5 /x /y\n',
      '.env': 'TOKEN=1',
    });
    const finding = only(report.findings, 'dockerfile-error');
    assert.equal(finding.line, 2);
    only(report.findings, 'secret-file');
  });
});

describe('check: patterns written for .gitignore', () => {
  it('flags node_modules and *.log that miss deeper paths, with the paths and bytes, suggesting **/', async () => {
    const report = await check({
      '.dockerignore': 'node_modules\n*.log\n',
      'Dockerfile': COPY_ALL,
      'node_modules/left-pad/index.js': 'x'.repeat(10),
      'packages/a/node_modules/dep/index.js': 'y'.repeat(100),
      'packages/a/node_modules/dep/package.json': '{}',
      'packages/b/node_modules/other.js': 'z'.repeat(5),
      'packages/a/src/index.js': 'ok',
      'debug.log': 'l',
      'logs/app.log': 'l'.repeat(7),
    });
    const [nodeModules, logs] = byRule(report.findings, 'gitignore-style-pattern');
    assert.equal(nodeModules!.line, 1);
    assert.equal(nodeModules!.severity, 'warning');
    assert.deepEqual(nodeModules!.paths, ['packages/a/node_modules', 'packages/b/node_modules']);
    assert.equal(nodeModules!.bytes, 107);
    assert.match(nodeModules!.fix, /"\*\*\/node_modules"/);
    assert.equal(logs!.line, 2);
    assert.deepEqual(logs!.paths, ['logs/app.log']);
    assert.equal(logs!.bytes, 7);
    assert.match(logs!.fix, /"\*\*\/\*\.log"/);
  });

  it('caps the listed paths at 20 and gives the full count', async () => {
    const spec: TreeSpec = { '.dockerignore': 'node_modules\n', 'Dockerfile': COPY_ALL };
    for (let i = 0; i < 25; i++) spec[`packages/p${String(i).padStart(2, '0')}/node_modules/x.js`] = 'x';
    const finding = only((await check(spec)).findings, 'gitignore-style-pattern');
    assert.equal(finding.paths!.length, 20);
    assert.equal(finding.totalPaths, 25);
    assert.equal(finding.bytes, 25);
    assert.equal(finding.paths![0], 'packages/p00/node_modules');
  });

  it('leaves alone a plain top-level name that also exists deeper (it may mean the root one only), and /anchored ones', async () => {
    const report = await check({
      '.dockerignore': 'src\n**/node_modules\n/dist\nlogs\n',
      'dist/a.js': 'a',
      'packages/a/dist/b.js': 'b',
      'logs/x.txt': 'x',
      'packages/a/logs/y.txt': 'y',
      'Dockerfile': COPY_ALL,
      'src/a.js': 'a',
      'packages/a/src/b.js': 'b',
      'packages/a/node_modules/x.js': 'x',
    });
    assert.deepEqual(byRule(report.findings, 'gitignore-style-pattern'), []);
  });

  it('flags a name that only exists deeper, and does not propose excluding what the Dockerfile copies', async () => {
    const report = await check({
      '.dockerignore': '__pycache__\nnode_modules\n',
      'Dockerfile': 'FROM node:20\nCOPY web/node_modules /deps\nCOPY api /api\n',
      'api/__pycache__/m.pyc': 'p',
      'web/node_modules/a.js': 'a',
      'api/node_modules/b.js': 'b',
    });
    const findings = byRule(report.findings, 'gitignore-style-pattern');
    assert.deepEqual(findings.map((f) => [f.line, f.paths]), [[1, ['api/__pycache__']], [2, ['api/node_modules']]]);
    assert.match(findings[1]!.fix, /"!web\/node_modules"/);
  });
});

describe('check: rules that match nothing or change nothing', () => {
  it('matches nothing: info for an exclusion, warning for an exception, silence for a known guard', async () => {
    const report = await check({
      '.dockerignore': 'node_module\nbuild\n!scr\n!build/app\n.env\n**/*.pem\n',
      'Dockerfile': 'FROM x\nCOPY build/app /app\n',
      'build/app/main.py': 'print()',
      'build/tmp/x': 'x',
    });
    const unmatched = only(report.findings, 'unmatched-pattern');
    assert.equal(unmatched.line, 1);
    assert.equal(unmatched.severity, 'info');
    const exception = only(report.findings, 'unmatched-exception');
    assert.equal(exception.line, 3);
    assert.equal(exception.severity, 'warning');
  });

  it('redundant: node_modules then **/node_modules, naming the covering rule', async () => {
    const report = await check({
      '.dockerignore': 'node_modules\n**/node_modules\n',
      'Dockerfile': COPY_ALL,
      'node_modules/a.js': 'a',
      'web/node_modules/b.js': 'b',
    });
    const redundant = only(report.findings, 'redundant-pattern');
    assert.equal(redundant.line, 1);
    assert.equal(redundant.severity, 'info');
    assert.match(redundant.message, /"\*\*\/node_modules" at line 2/);
  });

  it('redundant also when the later rule is the earlier one: a narrower rule after a broader one', async () => {
    const report = await check({
      '.dockerignore': 'docs\ndocs/*.md\n!README.md\n',
      'Dockerfile': COPY_ALL,
      'docs/a.md': 'a',
      'docs/b.txt': 'b',
      'README.md': 'r',
    });
    const redundant = byRule(report.findings, 'redundant-pattern');
    assert.deepEqual(redundant.map((f) => f.line), [2, 3]);
    assert.match(redundant[0]!.message, /"docs" at line 1 \(earlier\)/);
    assert.match(redundant[1]!.message, /no earlier rule excludes/);
  });

  it('not redundant when paths that do not exist yet would tell the rules apart', async () => {
    // Only node_modules/.cache exists, so in this tree the second rule changes nothing; but a
    // packages/x/node_modules/.cache would be excluded by it alone.
    const report = await check({
      '.dockerignore': 'node_modules\n**/node_modules/.cache\n',
      'Dockerfile': COPY_ALL,
      'node_modules/.cache/x': 'x',
    });
    assert.deepEqual(byRule(report.findings, 'redundant-pattern'), []);
  });

  it('an exception undone by a later exclusion (last match wins)', async () => {
    const report = await check({
      '.dockerignore': '!src/keep.txt\nsrc\n',
      'Dockerfile': COPY_ALL,
      'src/keep.txt': 'k',
      'src/other.txt': 'o',
    });
    const finding = only(report.findings, 'overridden-exception');
    assert.equal(finding.line, 1);
    assert.equal(finding.severity, 'warning');
    assert.match(finding.fix, /below line 2/);
  });

  it('probePaths fills wildcards in several ways', () => {
    assert.deepEqual(probePaths('node_modules'), ['node_modules', 'node_modules/zz']);
    assert.ok(probePaths('**/node_modules').includes('p/q/node_modules'));
    assert.ok(probePaths('*.log').includes('x.y.log'));
  });

  it('lintIgnoreRules works on data: an entry list and a sent set', () => {
    const entries: Entry[] = [
      { path: 'a', type: 'dir', size: 0 },
      { path: 'a/node_modules', type: 'dir', size: 0 },
      { path: 'a/node_modules/x.js', type: 'file', size: 42 },
    ];
    const findings = lintIgnoreRules({
      ignore: parseIgnoreFile('node_modules\n'),
      platform: 'posix',
      tree: indexTree(entries),
      sent: new Set(entries.map((e) => e.path)),
      knownName: (name) => (name === 'node_modules' ? 'any-depth' : null),
    });
    assert.deepEqual(findings.map((f) => [f.rule, f.paths, f.bytes]), [['gitignore-style-pattern', ['a/node_modules'], 42]]);
  });
});

describe('check: BuildKit and the classic builder', () => {
  it('names the rule and the paths that differ: * then !src/**/*.go', async () => {
    const report = await check({
      '.dockerignore': '*\n!src/**/*.go\n',
      'Dockerfile': COPY_ALL,
      'src/main.go': 'package main',
      'src/pkg/util.go': 'package pkg',
      'src/pkg/deep/more.go': 'package deep',
      'src/notes.txt': 'n',
    });
    const finding = only(report.findings, 'builder-difference');
    assert.equal(finding.line, 2);
    assert.equal(finding.severity, 'warning');
    assert.deepEqual(finding.paths, ['src/pkg/deep/more.go', 'src/pkg/util.go']);
    assert.match(finding.message, /sends nothing from src\/pkg/);
  });

  it('says that the classic builder uploads an excluded Dockerfile and .dockerignore anyway', async () => {
    const report = await check({ '.dockerignore': 'Dockerfile\n.dockerignore\n', 'Dockerfile': COPY_ALL, 'a.txt': 'a' });
    const found = byRule(report.findings, 'classic-sends-build-files');
    assert.deepEqual(found.map((f) => [f.line, f.paths, f.severity]), [[1, ['Dockerfile'], 'info'], [2, ['.dockerignore'], 'info']]);
    assert.deepEqual(byRule(report.findings, 'builder-difference'), []);
  });

  it('warns when <Dockerfile>.dockerignore replaces a different .dockerignore', async () => {
    const report = await check(
      {
        '.dockerignore': 'node_modules\n',
        'app.Dockerfile': COPY_ALL,
        'app.Dockerfile.dockerignore': 'node_modules\n*.md\n',
        'node_modules/a.js': 'a',
        'NOTES.md': 'n',
      },
      { dockerfile: 'app.Dockerfile' },
    );
    const finding = only(report.findings, 'shadowed-ignore-file');
    assert.equal(finding.file, 'app.Dockerfile.dockerignore');
    assert.equal(finding.severity, 'warning');
    assert.deepEqual(finding.paths, ['NOTES.md']);
    assert.match(finding.message, /1 path only the classic builder sends/);
  });

  it('stays quiet when both ignore files say the same', async () => {
    const report = await check(
      { '.dockerignore': 'x\n', 'app.Dockerfile': COPY_ALL, 'app.Dockerfile.dockerignore': '# same rules\nx\n', 'x': 'x' },
      { dockerfile: 'app.Dockerfile' },
    );
    assert.deepEqual(byRule(report.findings, 'shadowed-ignore-file'), []);
  });
});

describe('check: letter case', () => {
  it('reports a pattern that differs from a sent path only by case', async () => {
    const report = await check({ '.dockerignore': 'readme.md\nDocs\n', 'Dockerfile': COPY_ALL, 'README.md': 'r', 'docs/a.md': 'a' });
    const found = byRule(report.findings, 'case-mismatch');
    assert.deepEqual(found.map((f) => [f.line, f.paths, f.severity]), [[1, ['README.md'], 'info'], [2, ['docs'], 'info']]);
    assert.deepEqual(byRule(report.findings, 'unmatched-pattern'), [], 'not also "matches nothing"');
    assert.deepEqual(byRule(report.findings, 'case-insensitive-fs'), [], 'this test file system is case-sensitive');
  });

  it('reports lower-case patterns and exceptions only for the paths with capitals they miss', async () => {
    const report = await check({
      '.dockerignore': 'build\n!build/keep.txt\nsrc/*.log\n',
      'Dockerfile': COPY_ALL,
      'Build/a': 'a',
      'build/keep.txt': 'k',
      'build/KEEP.txt': 'K',
      'build/other': 'o',
      'src/a.log': 'l',
      'src/B.LOG': 'L',
      'src/c.txt': 'c',
    });
    const found = byRule(report.findings, 'case-mismatch');
    assert.deepEqual(found.map((f) => [f.line, f.paths]), [[1, ['Build']], [2, ['build/KEEP.txt']], [3, ['src/B.LOG']]]);
  });
});

describe('check: unreadable paths', () => {
  it('warns about a directory the builder would fail to read, not about an excluded one', async (t) => {
    const { chmodSync, existsSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const path = await import('node:path');
    const { binForUser } = await import('./support/cli.js');
    const asRoot = process.getuid?.() === 0;
    if (asRoot && !existsSync('/usr/bin/setpriv')) return t.skip('running as root without setpriv: no way to drop privileges'); // root reads everything
    const BIN = asRoot ? binForUser(65534).bin : null;
    if (asRoot && BIN === null) return t.skip(binForUser(65534).reason);
    await withTree({ 'Dockerfile': COPY_ALL, 'locked/a.txt': 'a', 'cache/b.txt': 'b', '.dockerignore': 'cache\n' }, (root) => {
      chmodSync(root, 0o755);
      chmodSync(path.join(root, 'locked'), 0o000);
      chmodSync(path.join(root, 'cache'), 0o000);
      try {
        let findings: Finding[];
        if (asRoot) {
          // Run the CLI as nobody, for whom permissions apply.
          const r = spawnSync('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN!, 'check', '--json', root], {
            encoding: 'utf8',
          });
          assert.equal(r.status, 0, r.stderr);
          findings = JSON.parse(r.stdout).findings;
        } else {
          findings = checkContext({ dir: root, cwd: root }).findings;
        }
        const finding = only(findings, 'unreadable-path');
        assert.match(finding.file, /locked$/);
        assert.equal(finding.severity, 'warning');
      } finally {
        chmodSync(path.join(root, 'locked'), 0o755);
        chmodSync(path.join(root, 'cache'), 0o755);
      }
    });
  });
});
