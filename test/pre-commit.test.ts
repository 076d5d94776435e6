import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO } from './support/cli.js';

/**
 * The hooks of .pre-commit-hooks.yaml under the real pre-commit client (Debian 12's 3.0.4 where
 * it has to be installed), pointed at this checkout's HEAD as a user's `.pre-commit-config.yaml`
 * points at a release. pre-commit installs `ctxsize-check` with `npm install` then `npm pack` in a
 * clone and takes the whole standard output of `npm pack` as the tarball's file name, so this also
 * proves that `npm pack` prints nothing else there. Needs the npm registry (dependencies).
 */

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const TARBALL = `${pkg.name}-${pkg.version}.tgz`;

/** npm's and git's environment from `npm test` (and a user's pre-commit cache) must not reach the children. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|GIT_|PRE_COMMIT)/i.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    NO_COLOR: '1',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    GIT_AUTHOR_NAME: 'ctxsize test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'ctxsize test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
    ...extra,
  };
}

function run(command: string, args: string[], cwd: string, env = cleanEnv()): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.error) throw result.error;
  assert.equal(result.status, 0, `${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const has = (command: string): boolean => {
  const r = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
};

/** Why the real client cannot run here, or undefined when it can (installing Debian's pre-commit as root). */
function findPreCommit(): string | undefined {
  if (!has('git')) return 'git not found';
  if (!has('npm')) return 'npm not found';
  const head = run('git', ['-C', REPO, 'rev-parse', '--verify', 'HEAD'], REPO);
  if (head.status !== 0) return `the checkout has no readable git HEAD: ${(head.stderr || '').trim()}`;
  if (has('pre-commit')) return undefined;
  if (process.getuid?.() !== 0) return 'pre-commit not found, and installing it needs root';
  if (!has('apt-get')) return 'pre-commit not found, and apt-get is missing to install it';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): boolean => spawnSync('apt-get', ['install', '-y', '-q', 'pre-commit'], { env, encoding: 'utf8' }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-q'], { env, encoding: 'utf8' });
    if (!install()) return 'pre-commit not found, and `apt-get install pre-commit` failed';
  }
  return has('pre-commit') ? undefined : 'pre-commit still not found after apt-get install';
}

const skip = findPreCommit();
const head = skip ? '' : run('git', ['-C', REPO, 'rev-parse', 'HEAD'], REPO).stdout.trim();

let work = '';
let env: NodeJS.ProcessEnv = {};
let packStdout = '';

before(() => {
  if (skip) return;
  work = mkdtempSync(path.join(tmpdir(), 'ctxsize-pre-commit-'));
  // pre-commit's own cache (cloned hook repositories, their environments), away from the user's.
  env = cleanEnv({ PRE_COMMIT_HOME: path.join(work, 'cache') });
  // HEAD as committed, built as a contributor builds it; packing in the checkout itself would
  // rebuild the dist/ that other tests are running.
  const clone = path.join(work, 'ctxsize');
  ok(run('git', ['clone', '-q', '--no-checkout', REPO, clone], work, env), 'git clone');
  ok(run('git', ['checkout', '-q', head], clone, env), 'git checkout HEAD');
  ok(run('npm', ['install', '--no-audit', '--no-fund'], clone, env), 'npm install');
  packStdout = ok(run('npm', ['pack', '--pack-destination', work], clone, env), 'npm pack');
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A project whose commit pre-commit checks with `hookId`: a Dockerfile COPYing dist, an ignore file excluding it. */
function makeProject(name: string, hookId: string): string {
  const project = path.join(work, name);
  mkdirSync(path.join(project, 'dist'), { recursive: true });
  ok(run('git', ['init', '-q'], project, env), 'git init');
  writeFileSync(path.join(project, '.pre-commit-config.yaml'), `repos:\n  - repo: ${JSON.stringify(REPO)}\n    rev: ${head}\n    hooks:\n      - id: ${hookId}\n`);
  writeFileSync(path.join(project, 'Dockerfile'), 'FROM node:20-alpine\nCOPY dist /app/dist\n');
  writeFileSync(path.join(project, '.dockerignore'), '**/node_modules\ndist\n');
  writeFileSync(path.join(project, 'dist', 'index.js'), 'console.log(1);\n');
  writeFileSync(path.join(project, '.gitignore'), 'node_modules/\n');
  return project;
}

/** The commit is refused while .dockerignore excludes the COPY source, and goes through once it does not. */
function commitRefusedThenAccepted(project: string): void {
  ok(run('pre-commit', ['install'], project, env), 'pre-commit install');
  ok(run('git', ['add', '-A'], project, env), 'git add');
  const refused = run('git', ['commit', '-q', '-m', 'add the Dockerfile'], project, env);
  const output = refused.stdout + refused.stderr;
  assert.equal(refused.status, 1, `the commit should be refused:\n${output}`);
  assert.match(output, /Dockerfile:2: error source-excluded: COPY source "dist"/);
  assert.match(output, /"dist" at \.dockerignore:2 excludes it/);
  assert.equal(run('git', ['rev-parse', '--verify', '-q', 'HEAD'], project, env).status, 1, 'nothing was committed');

  writeFileSync(path.join(project, '.dockerignore'), '**/node_modules\n');
  ok(run('git', ['add', '-A'], project, env), 'git add');
  const accepted = run('git', ['commit', '-q', '-m', 'add the Dockerfile'], project, env);
  assert.equal(accepted.status, 0, `the commit should pass:\n${accepted.stdout}${accepted.stderr}`);
  assert.match(accepted.stdout + accepted.stderr, /ctxsize check\.+Passed/);
}

describe('pre-commit, the real client', { skip }, () => {
  it('npm pack prints nothing but the tarball name on standard output', () => {
    assert.equal(packStdout, `${TARBALL}\n`);
  });

  it('ctxsize-check installs from this checkout\'s HEAD, refuses a commit with an excluded COPY source, passes once fixed', () => {
    const project = makeProject('node-hook', 'ctxsize-check');
    ok(run('pre-commit', ['install-hooks'], project, env), 'pre-commit install-hooks (npm install, npm pack, npm install -g)');
    commitRefusedThenAccepted(project);
  });

  it('ctxsize-check-system runs the ctxsize the project installs from the npm pack tarball', () => {
    const project = makeProject('system-hook', 'ctxsize-check-system');
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }, null, 2));
    ok(run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', path.join(work, TARBALL)], project, env), 'npm install --save-dev <tgz>');
    const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    assert.ok(manifest.devDependencies?.['ctxsize'], 'ctxsize is a devDependency');
    ok(run('pre-commit', ['install-hooks'], project, env), 'pre-commit install-hooks');
    commitRefusedThenAccepted(project);
  });

  it('npm pack still shows a failing build to the developer (on standard error) and fails', () => {
    const clone = path.join(work, 'ctxsize');
    writeFileSync(path.join(clone, 'src', 'index.ts'), `${readFileSync(path.join(clone, 'src', 'index.ts'), 'utf8')}\nexport const broken: number = 'text';\n`);
    const result = run('npm', ['pack', '--pack-destination', path.join(work, 'broken')], clone, env);
    assert.notEqual(result.status, 0, 'npm pack must fail when the build fails');
    assert.match(result.stderr, /src\/index\.ts\(\d+,\d+\): error TS2322/, `the compiler's error reaches stderr:\n${result.stderr}`);
  });
});
