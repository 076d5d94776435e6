import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RULES } from '../src/check/rules.js';
import { REPO, runCtxsize } from './support/cli.js';
import { withTree } from './support/tree.js';

const CLEAN = {
  '.dockerignore': '**/node_modules\n.git\n',
  'Dockerfile': 'FROM node:20\nCOPY package.json ./\nCOPY src ./src\n',
  'package.json': '{}',
  'src/index.js': 'console.log(1)\n',
  'web/node_modules/a.js': 'a',
};

/** A warning (gitignore habit) and an info (a rule that matches nothing), no error. */
const WARNINGS = {
  '.dockerignore': 'node_modules\ncoverag\n',
  'Dockerfile': 'FROM node:20\nCOPY . /app\n',
  'package.json': '{}',
  'web/node_modules/a.js': 'a'.repeat(300),
};

/** An error: a secret, a gitignore habit and a missing COPY source. */
const ERRORS = {
  '.dockerignore': '*.log\n',
  'Dockerfile': 'FROM node:20\nCOPY package.json yarn.lock ./\nCOPY . /app\n',
  'package.json': '{}',
  '.env': 'TOKEN=1\n',
  'logs/app.log': 'l',
};

describe('ctxsize check (end to end)', () => {
  it('prints error-level findings as GitHub workflow annotations on GitHub Actions', () =>
    withTree({ 'Dockerfile': 'FROM x\nCOPY . .\n', '.dockerignore': 'ok\n[\n', 'a': 'a' }, (root) => {
      const onActions = runCtxsize(['check', '.'], { cwd: root, env: { GITHUB_ACTIONS: 'true' } });
      assert.equal(onActions.status, 1);
      assert.match(onActions.stderr, /^::error file=\.dockerignore,line=2,title=ctxsize check%3A malformed-pattern::syntax error in pattern/m);
      const elsewhere = runCtxsize(['check', '.'], { cwd: root, env: { GITHUB_ACTIONS: '' } });
      assert.equal(elsewhere.status, 1);
      assert.doesNotMatch(elsewhere.stderr, /::error/);
    }));

  it('exits 0 on a clean context and says so', () =>
    withTree(CLEAN, (root) => {
      const r = runCtxsize(['check', root]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(r.stdout, 'no problems found\n');
      assert.equal(r.stderr, '');
    }));

  it('exits 0 on warnings, 1 with --strict', () =>
    withTree(WARNINGS, (root) => {
      const r = runCtxsize(['check', '.'], { cwd: root });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^\.dockerignore:1: warning gitignore-style-pattern: /m);
      assert.match(r.stdout, /^ {2}fix: replace it with "\*\*\/node_modules"/m);
      assert.match(r.stdout, /^ {2}paths: web\/node_modules$/m);
      assert.match(r.stdout, /^\.dockerignore:2: info unmatched-pattern: "coverag" matches nothing/m);
      assert.match(r.stdout, /0 errors, 1 warning, 1 info\n$/);
      const strict = runCtxsize(['check', '--strict', '.'], { cwd: root });
      assert.equal(strict.status, 1);
    }));

  it('exits 1 on an error, groups findings by file, and prints JSON with --json', () =>
    withTree(ERRORS, (root) => {
      const r = runCtxsize(['check', '.'], { cwd: root });
      assert.equal(r.status, 1, r.stderr);
      const blocks = r.stdout.trimEnd().split('\n\n');
      assert.match(blocks[0]!, /^\.dockerignore:1: warning gitignore-style-pattern:/);
      assert.match(blocks[1]!, /^Dockerfile:2: error source-missing: COPY source "yarn\.lock" matches nothing/);
      assert.match(blocks[2]!, /^\.env: error secret-file: \.env is in the build context/);
      assert.match(blocks[3]!, /^2 errors, 1 warning, 0 infos$/);

      const json = runCtxsize(['check', '--json', root]);
      assert.equal(json.status, 1);
      const report = JSON.parse(json.stdout);
      assert.equal(report.schemaVersion, 1);
      assert.deepEqual(report.summary, { errors: 2, warnings: 1, infos: 0, suppressed: 0 });
      assert.ok(path.isAbsolute(report.root));
      assert.deepEqual(
        report.findings.map((f: { rule: string; severity: string; file: string; line: number }) => [f.rule, f.severity, f.line]),
        [
          ['gitignore-style-pattern', 'warning', 1],
          ['source-missing', 'error', 2],
          ['secret-file', 'error', 0],
        ],
      );
      for (const f of report.findings) {
        assert.equal(typeof f.message, 'string');
        assert.equal(typeof f.fix, 'string');
      }
    }));

  it('lints both ignore files when the builders read different ones (--builder picks the first)', () =>
    withTree(
      {
        '.dockerignore': 'x[\n',
        'app.Dockerfile': 'FROM x\nCOPY . .\n',
        'app.Dockerfile.dockerignore': '!\n',
      },
      (root) => {
        const r = runCtxsize(['check', '-f', 'app.Dockerfile', '.'], { cwd: root });
        assert.equal(r.status, 1);
        const lines = r.stdout.split('\n').filter((l) => / error /.test(l));
        assert.match(lines[0]!, /^app\.Dockerfile\.dockerignore:1: error bare-exclamation/);
        assert.ok(lines.some((l) => /^\.dockerignore:1: error malformed-pattern/.test(l)));
        const classic = runCtxsize(['check', '-f', 'app.Dockerfile', '--builder', 'classic', '.'], { cwd: root });
        assert.match(classic.stdout.split('\n').filter((l) => / error /.test(l))[0]!, /^\.dockerignore:1: error malformed-pattern/);
        assert.match(r.stdout, /^app\.Dockerfile\.dockerignore: warning shadowed-ignore-file: /m);
      },
    ));

  it('exits 2 on bad usage or input', () =>
    withTree(CLEAN, (root) => {
      for (const args of [
        ['check', path.join(root, 'missing')],
        ['check', '--build-arg', '=x', root],
        ['check', '--builder', 'kaniko', root],
        ['check', '--target', 'nope', root],
        ['check', '--frobnicate', root],
        ['check', '-f', 'missing.Dockerfile', root],
      ]) {
        const r = runCtxsize(args, { cwd: root });
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /^ctxsize: /);
      }
    }));

  it('passes --target and --build-arg on to the Dockerfile analysis', () =>
    withTree(
      {
        'Dockerfile': 'FROM alpine AS dev\nCOPY dev-tools /t\nFROM alpine\nARG SVC=api\nCOPY services/${SVC} /srv\n',
        'services/web/index.js': 'x',
      },
      (root) => {
        assert.equal(runCtxsize(['check', root]).status, 1, 'services/api is missing');
        assert.equal(runCtxsize(['check', '--build-arg', 'SVC=web', root]).status, 0);
        const dev = runCtxsize(['check', '--build-arg', 'SVC=web', '--target', 'dev', root]);
        assert.equal(dev.status, 1);
        assert.match(dev.stdout, /Dockerfile:2: error source-missing: COPY source\s+"dev-tools"/);
      },
    ));

  it('has help with examples, and is listed in the program help', () => {
    const r = runCtxsize(['check', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Examples:/);
    assert.match(r.stdout, /--strict/);
    assert.match(runCtxsize(['--help']).stdout, /^ {2}check +lint/m);
  });

  it('docs/check-rules.md lists every rule with its severity', () => {
    const section = readFileSync(path.join(REPO, 'docs', 'check-rules.md'), 'utf8');
    assert.ok(section.length > 0);
    for (const [id, info] of Object.entries(RULES)) {
      assert.match(section, new RegExp(`\\| \`${id}\` \\| ${info.severity} \\|`), id);
    }
  });
});
