/**
 * Findings you can trust (issue 12): each class of false finding seen on real repositories,
 * reproduced in a real git repository (tracked and ignored files), with the corrected behaviour.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkContext, type Finding, type RuleId } from '../src/index.js';
import { runCtxsize } from './support/cli.js';
import { makeTree, removeTree, type TreeSpec } from './support/tree.js';

const HAS_GIT = !spawnSync('git', ['--version']).error;
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' };

/**
 * A git repository: every file is added as git would (`git add -A`, so what .gitignore names stays
 * untracked and ignored), then `force` files are added despite it.
 */
async function withRepo<T>(spec: TreeSpec, body: (root: string) => T | Promise<T>, force: string[] = []): Promise<T> {
  const root = makeTree(spec, 'ctxsize-advice-');
  try {
    for (const args of [['init', '-q'], ['add', '-A'], ...(force.length > 0 ? [['add', '-f', '--', ...force]] : [])]) {
      const r = spawnSync('git', args, { cwd: root, env: GIT_ENV });
      assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    }
    return await body(root);
  } finally {
    removeTree(root);
  }
}

function check(spec: TreeSpec, options: Parameters<typeof checkContext>[0] = {}, force: string[] = []) {
  return withRepo(spec, (root) => checkContext({ dir: root, cwd: root, ...options }), force);
}

const byRule = (findings: readonly Finding[], rule: RuleId) => findings.filter((f) => f.rule === rule);
const lines = (findings: readonly Finding[], rule: RuleId) => byRule(findings, rule).map((f) => f.line);

describe('check advice: redundant-pattern only with proof', { skip: HAS_GIT ? false : 'git is not installed' }, () => {
  it('keeps a **/node_modules guard that applies inside a re-included folder', async () => {
    const report = await check({
      '.dockerignore': '*\n!packages/\n**/node_modules\n',
      '.gitignore': 'node_modules/\n',
      'Dockerfile': 'FROM node\nCOPY packages /app\n',
      'packages/a/index.js': 'x',
      'node_modules/x/i.js': 'x',
    });
    assert.deepEqual(lines(report.findings, 'redundant-pattern'), []);
  });

  it('never makes two lines each other\'s reason: duplicates report the later one, node_modules names **/node_modules', async () => {
    const report = await check({
      '.dockerignore': 'target\nnode_modules\n**/node_modules\ntarget\n',
      '.gitignore': 'target/\nnode_modules/\n',
      'Dockerfile': 'FROM x\nCOPY . .\n',
      'src/main.rs': 'fn main() {}',
      'target/debug/app': 'bin',
      'node_modules/a/i.js': 'x',
    });
    const found = byRule(report.findings, 'redundant-pattern');
    assert.deepEqual(found.map((f) => f.line), [2, 4]);
    assert.match(found[0]!.message, /"\*\*\/node_modules" at line 3/);
    assert.match(found[1]!.message, /"target" at line 1 \(earlier\)/);
    assert.match(found[1]!.evidence!, /verdict/);
  });

  it('names only a rule that really covers the line: **/*/node_modules does not cover a root node_modules', async () => {
    const report = await check({
      '.dockerignore': 'node_modules\n**/*/node_modules\n',
      '.gitignore': 'node_modules/\n',
      'Dockerfile': 'FROM x\nCOPY . .\n',
      'node_modules/a/i.js': 'x',
      'web/node_modules/b/i.js': 'x',
      'web/i.js': 'x',
    });
    assert.deepEqual(lines(report.findings, 'redundant-pattern'), []);
  });

  it('applying every reported deletion together keeps every verdict', async () => {
    const spec: TreeSpec = {
      '.dockerignore': 'dist\n**/dist\ndist\n*.log\n**/*.log\n!keep.log\n!keep.log\n',
      '.gitignore': 'dist/\n*.log\n',
      'Dockerfile': 'FROM x\nCOPY . .\n',
      'dist/a.js': 'x',
      'web/dist/b.js': 'x',
      'a.log': 'l',
      'keep.log': 'l',
      'web/c.log': 'l',
      'web/i.js': 'x',
    };
    await withRepo(spec, (root) => {
      // Paths only: the ignore file itself is sent, and its size changes.
      const listContext = (r: string) => ({ stdout: runCtxsize(['ls', r]).stdout + runCtxsize(['ls', '--builder', 'classic', r]).stdout });
      const before = listContext(root).stdout;
      const report = checkContext({ dir: root, cwd: root });
      const drop = new Set(byRule(report.findings, 'redundant-pattern').map((f) => f.line));
      assert.ok(drop.size >= 3, JSON.stringify([...drop]));
      const kept = spec['.dockerignore']!.split('\n').filter((_, i) => !drop.has(i + 1));
      writeFileSync(path.join(root, '.dockerignore'), kept.join('\n'));
      assert.equal(listContext(root).stdout, before);
    });
  });
});

describe('check advice: unmatched exceptions for build outputs are info', { skip: HAS_GIT ? false : 'git is not installed' }, () => {
  it('info when a Dockerfile source uses what it names or git ignores it; a warning for a typo', async () => {
    const report = await check({
      '.dockerignore': '*\n!src\n!.build/linux-*/\n!target/app-*.jar\n!scr\n',
      '.gitignore': '.build/\ntarget/\n',
      'Dockerfile': 'FROM alpine\nARG OS=linux\nARG ARCH=amd64\nCOPY src /src\nCOPY .build/${OS}-${ARCH}/app /bin/app\n',
      'src/main.go': 'package main',
    });
    const found = byRule(report.findings, 'unmatched-exception');
    assert.deepEqual(found.map((f) => [f.line, f.severity]), [[3, 'info'], [4, 'info'], [5, 'warning']]);
    assert.match(found[0]!.evidence!, /Dockerfile:5/);
    assert.match(found[1]!.evidence!, /git check-ignore/);
    // The COPY of the build output is a warning, not an error: git ignores the location.
    const missing = byRule(report.findings, 'source-missing');
    assert.deepEqual(missing.map((f) => [f.line, f.severity]), [[5, 'warning']]);
    assert.equal(report.summary.errors, 0);
  });

  it('an exclusion that matches nothing is quiet when git ignores what it names (a guard for a build output), also in a nested .gitignore', async () => {
    const report = await check({
      '.dockerignore': 'static\n**/target\ncoverage-old\n',
      '.gitignore': '/static/\n',
      'apps/desktop/.gitignore': '/target\n',
      'apps/desktop/main.rs': 'fn main() {}',
      'Dockerfile': 'FROM x\nCOPY . .\n',
    });
    assert.deepEqual(byRule(report.findings, 'unmatched-pattern').map((f) => [f.line, f.severity]), [[3, 'info']]);
  });

  it('a missing source that git does not ignore is still an error', async () => {
    const report = await check({ '.gitignore': 'dist/\n', 'Dockerfile': 'FROM x\nCOPY requirements.txt .\n', 'app.py': 'x' });
    assert.deepEqual(byRule(report.findings, 'source-missing').map((f) => f.severity), ['error']);
  });
});

describe('check advice: wildcard sources that match nothing', { skip: HAS_GIT ? false : 'git is not installed' }, () => {
  it('warns when an instruction copies nothing at all, not for the optional-file idiom', async () => {
    const report = await check({
      '.gitignore': 'build/\n',
      'Dockerfile': 'FROM eclipse-temurin:21\nCOPY build/libs/*.jar app.jar\nCOPY package.json yarn.lock* ./\nCOPY docs/*.md /docs/\n',
      'package.json': '{}',
      'build.gradle': '',
    });
    const found = byRule(report.findings, 'empty-wildcard-source');
    assert.deepEqual(found.map((f) => [f.line, f.severity]), [[2, 'warning'], [4, 'warning']]);
    assert.match(found[0]!.message, /copies nothing/);
    assert.match(found[0]!.message, /git ignores "build\/libs\/x\.jar"/);
    assert.doesNotMatch(found[1]!.message, /git ignores/);
  });
});

describe('check advice: gitignore-style-pattern rests on git', { skip: HAS_GIT ? false : 'git is not installed' }, () => {
  it('stays quiet about tracked deeper copies (Django static sources), reports ignored ones', async () => {
    const report = await check({
      '.dockerignore': 'static\nnode_modules\n',
      '.gitignore': '/static/\nnode_modules/\n',
      'Dockerfile': 'FROM python\nCOPY . /app\nRUN python manage.py collectstatic\n',
      'app/static/app.css': 'body{}',
      'static/admin.css': 'collected',
      'packages/web/node_modules/x/i.js': 'x',
      'packages/web/i.js': 'x',
    });
    const found = byRule(report.findings, 'gitignore-style-pattern');
    assert.deepEqual(found.map((f) => [f.line, f.paths]), [[2, ['packages/web/node_modules']]]);
    assert.match(found[0]!.fix, /replace it with "\*\*\/node_modules"/);
    assert.match(found[0]!.evidence!, /git ignores/);
  });

  it('says "review" rather than **/build when **/build would exclude tracked source', async () => {
    const report = await check({
      '.dockerignore': 'build\n',
      '.gitignore': 'build/\n!/cmd/tool/build/\n',
      'Dockerfile': 'FROM golang\nCOPY . /src\nRUN go build ./...\n',
      'build/out': 'x',
      'web/build/bundle.js': 'x',
      'cmd/tool/build/main.go': 'package build',
    });
    const found = byRule(report.findings, 'gitignore-style-pattern');
    assert.equal(found.length, 1);
    assert.deepEqual(found[0]!.paths, ['web/build']);
    assert.match(found[0]!.fix, /^review: /);
    assert.match(found[0]!.fix, /cmd\/tool\/build/);
    assert.doesNotMatch(found[0]!.fix, /replace it with/);
  });
});

describe('check advice: one ignore file, several Dockerfiles', { skip: HAS_GIT ? false : 'git is not installed' }, () => {
  it('checks the siblings and Compose services that read the same ignore file, and names them', async () => {
    const report = await check({
      '.dockerignore': 'dist\n',
      'Dockerfile': 'FROM node\nCOPY src /src\n',
      'Dockerfile.base': 'FROM node\nCOPY dist /dist\n',
      'compose.yaml': 'services:\n  worker:\n    build:\n      context: .\n      dockerfile: docker/worker.Dockerfile\n',
      'docker/worker.Dockerfile': 'FROM node\nCOPY worker.js /w.js\n',
      'src/a.js': 'x',
      'dist/b.js': 'x',
    });
    assert.deepEqual(
      report.dockerfiles.map((d) => [path.basename(d.dockerfile), d.found, d.service ?? null]),
      [['Dockerfile', 'given', null], ['Dockerfile.base', 'sibling', null], ['worker.Dockerfile', 'compose', 'worker']],
    );
    assert.deepEqual(
      report.findings.filter((f) => f.severity === 'error').map((f) => [f.rule, f.file, f.line]),
      [['source-excluded', 'Dockerfile.base', 2], ['source-missing', 'docker/worker.Dockerfile', 2]],
    );
  });
});

describe("check advice: the user's own ! lines", { skip: HAS_GIT ? false : 'git is not installed' }, () => {
  it('a secret-looking file re-included by name says so, naming that line; its content still decides the severity', async () => {
    const report = await check({
      '.dockerignore': '*\n!.env.production\n!src\n!.env.local\n',
      'Dockerfile': 'FROM node\nCOPY . .\nRUN npm run build\n',
      '.env.production': 'VITE_APP_URL=https://example.org\n',
      '.env.local': 'STRIPE_SECRET_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc9f3Kq2xZ\n',
      'src/.env': 'X=1\n',
      'src/a.js': 'x',
    });
    const found = byRule(report.findings, 'secret-file');
    const production = found.find((f) => f.file === '.env.production')!;
    assert.equal(production.severity, 'info');
    assert.match(production.message, /re-included on purpose by "!\.env\.production" at \.dockerignore:2\.$/);
    assert.match(production.evidence!, /"!\.env\.production" at \.dockerignore:2 names it/);
    assert.doesNotMatch(production.fix, /add "\*\*\/\.env/);
    assert.match(production.fix, /^keep "!\.env\.production"/);
    const local = found.find((f) => f.file === '.env.local');
    if (local !== undefined) {
      // A real credential: the user's ! line is named, the error stays.
      assert.equal(local.severity, 'error');
      assert.match(local.message, /"!\.env\.local" at \.dockerignore:4/);
    }
    assert.doesNotMatch(found.find((f) => f.file === 'src/.env')?.message ?? '', /re-included on purpose/);
  });
});

describe('check advice: a sibling built with another context is not checked here', { skip: HAS_GIT ? false : 'git is not installed' }, () => {
  it('skips a sibling that Compose (in a parent folder) builds with another context, or whose sources are all elsewhere', async () => {
    await withRepo(
      {
        'compose.yml': 'services:\n  e2e:\n    build:\n      context: .\n      dockerfile: web/Dockerfile.e2e\n',
        'web/.dockerignore': 'node_modules\n',
        'web/Dockerfile': 'FROM node\nCOPY package.json .\n',
        'web/Dockerfile.e2e': 'FROM node\nCOPY web/package.json ./\n',
        'web/Dockerfile.docs': 'FROM nginx\nCOPY docs/site /usr/share/nginx/html\n',
        'web/package.json': '{}',
        'docs/site/index.html': 'x',
      },
      (root) => {
        const report = checkContext({ dir: path.join(root, 'web'), cwd: root });
        assert.deepEqual(report.dockerfiles.map((d) => path.basename(d.dockerfile)), ['Dockerfile']);
        assert.deepEqual(report.findings.filter((f) => f.severity === 'error'), []);
      },
    );
  });

  it('without a Dockerfile of its own, secrets are looked for in what the Dockerfiles that build it transfer', async () => {
    const report = await check({
      'compose.yml': 'services:\n  api:\n    build:\n      context: .\n      dockerfile: api/Dockerfile\n',
      'api/Dockerfile': 'FROM python\nCOPY api/app /app\n',
      'api/app/main.py': 'x',
      'local/.env': 'TOKEN=1\n',
    });
    assert.deepEqual(byRule(report.findings, 'secret-file'), []);
    assert.equal(report.dockerfiles.length, 1);
  });
});

describe('check advice: suppression', { skip: HAS_GIT ? false : 'git is not installed' }, () => {
  const spec: TreeSpec = {
    '.dockerignore': 'nothing-here\n# ctxsize-ignore unmatched-pattern\nstale-too\n!typo\n',
    'Dockerfile': 'FROM x\n# ctxsize-ignore source-missing\nCOPY missing.txt /\nCOPY other-missing.txt /\n',
    'app.py': 'x',
  };

  it('inline comments silence one line; options silence a rule, optionally for some paths', async () => {
    const report = await check(spec, { suppress: [{ rule: 'unmatched-exception', source: '--ignore unmatched-exception' }] });
    assert.deepEqual(report.findings.map((f) => [f.rule, f.line]), [['unmatched-pattern', 1], ['source-missing', 4]]);
    assert.deepEqual(report.suppressed.map((f) => [f.rule, f.line, f.suppressedBy]), [
      ['unmatched-pattern', 3, '# ctxsize-ignore at .dockerignore:2'],
      ['unmatched-exception', 4, '--ignore unmatched-exception'],
      ['source-missing', 3, '# ctxsize-ignore at Dockerfile:2'],
    ]);
    assert.equal(report.summary.suppressed, 3);
    const scoped = await check(spec, { suppress: [{ rule: 'source-missing', paths: ['other-*.txt'], source: 'ignore in .ctxsizerc.json' }] });
    assert.deepEqual(byRule(scoped.findings, 'source-missing'), []);
  });

  it('the CLI: --ignore, the configuration\'s ignore list, the count in the summary and in JSON', async () => {
    await withRepo({ ...spec, '.ctxsizerc.json': JSON.stringify({ ignore: [{ rule: 'source-missing', paths: ['other-missing.txt'] }] }) }, (root) => {
      const r = runCtxsize(['check', '--ignore', 'unmatched-exception', '.'], { cwd: root });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^0 errors, 0 warnings, 1 info \(4 suppressed\)$/m);
      const json = JSON.parse(runCtxsize(['check', '--json', '.'], { cwd: root }).stdout);
      assert.equal(json.summary.suppressed, 3);
      assert.ok(json.suppressed.every((f: { suppressedBy: string }) => typeof f.suppressedBy === 'string'));
      const bad = runCtxsize(['check', '--ignore', 'unmatched-patern', '.'], { cwd: root });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /did you mean unmatched-pattern/);
      writeFileSync(path.join(root, '.ctxsizerc.json'), JSON.stringify({ ignore: ['no-such-rule'] }));
      const badConfig = runCtxsize(['check', '.'], { cwd: root });
      assert.equal(badConfig.status, 2);
      assert.match(badConfig.stderr, /\.ctxsizerc\.json: ignore: no rule "no-such-rule"/);
    });
  });

  it('every finding says what it rests on', async () => {
    const report = await check(spec);
    assert.ok(report.findings.length > 0);
    for (const f of report.findings) assert.ok(typeof f.evidence === 'string' && f.evidence.length > 0, f.rule);
  });
});
