/**
 * `ctxsize clean` end to end: the built CLI on real temporary trees, checked byte for byte.
 * Each safety rule of issue 4 has its own test here; clean.test.ts covers the library.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, binForUser, runCtxsize } from './support/cli.js';
import { makeTree, removeTree, type TreeSpec } from './support/tree.js';

/** Every entry with type, mode, size, mtime (ns), content hash and link target; directory mtimes apart. */
function snapshot(root: string): { entries: Map<string, string>; dirTimes: Map<string, bigint> } {
  const entries = new Map<string, string>();
  const dirTimes = new Map<string, bigint>();
  const visit = (rel: string): void => {
    const abs = rel === '' ? root : path.join(root, rel);
    const st = lstatSync(abs, { bigint: true });
    if (st.isSymbolicLink()) entries.set(rel, `link ${readlinkSync(abs)} ${st.mtimeNs}`);
    else if (st.isDirectory()) {
      entries.set(rel, `dir ${st.mode}`);
      dirTimes.set(rel, st.mtimeNs);
      for (const name of readdirSync(abs).sort()) visit(rel === '' ? name : `${rel}/${name}`);
    } else {
      entries.set(rel, `file ${st.mode} ${st.size} ${st.mtimeNs} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`);
    }
  };
  visit('');
  return { entries, dirTimes };
}

function without(entries: Map<string, string>, removed: readonly string[]): Map<string, string> {
  const out = new Map(entries);
  for (const key of entries.keys()) if (removed.some((r) => key === r || key.startsWith(r + '/'))) out.delete(key);
  return out;
}

const temps: string[] = [];
function tree(spec: TreeSpec): string {
  const root = makeTree(spec, 'ctxsize-clean-cli-');
  temps.push(root);
  return root;
}
after(() => temps.forEach((t) => removeTree(t)));

const gitAvailable = spawnSync('git', ['--version']).status === 0;

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.name=ctxsize', '-c', 'user.email=ctxsize@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** A Node and Python project; the caches have known sizes (bytes in comments). */
function project(outside: string): TreeSpec {
  return {
    'Dockerfile': 'FROM python:3.12\n',
    'app/main.py': 'print("hi")\n',
    'app/__pycache__/main.cpython-312.pyc': '0123456789', // 10
    'app/__pycache__/link-out': `->${outside}`, // unlinked with its directory, never followed
    'app/util.pyc': '123', // 3
    '.pytest_cache/v/cache/nodeids': '[]', // 2
    '.mypy_cache/3.12/main.meta.json': '12345', // 5
    'requirements.txt': 'flask\n',
    'uv.lock': 'version = 1\n',
    '.venv/pyvenv.cfg': 'home = /usr/bin\n',
    '.venv/lib/python3.12/site-packages/flask/__pycache__/app.pyc': 'venv cache: left alone',
    'ui/package.json': '{}',
    'ui/package-lock.json': '{}',
    'ui/node_modules/left-pad/index.js': 'module.exports = () => {};\n',
    'ui/node_modules/.cache/terser/abc': '1234567', // 7
    'ui/.eslintcache': '1234', // 4
    'ui/.next/cache/images/a.webp': '12', // 2
    'ui/.next/standalone/server.js': 'built output: left alone',
    'ui/dist/bundle.js': 'built',
    'ui/.turbo/turbo-build.log': '1', // 1
    '.env.local': 'TOKEN=1\n',
    'notes.log': 'log',
    'outside-link': `->${outside}`, // a directory outside the root, reached through a link
    'app/.ruff_cache': `->${outside}/.ruff_cache`, // a link named like a cache
  };
}

const CACHES = [
  '.mypy_cache',
  '.pytest_cache',
  'app/__pycache__',
  'app/util.pyc',
  'ui/.eslintcache',
  'ui/.next/cache',
  'ui/.turbo',
  'ui/node_modules/.cache',
];
const CACHE_BYTES = 10 + 3 + 2 + 5 + 7 + 4 + 2 + 1;

function outsideTree(): string {
  return tree({ '.ruff_cache/x': 'outside', '__pycache__/y.pyc': 'outside', 'precious.txt': 'outside' });
}

describe('ctxsize clean', () => {
  it('dry run (the default) lists every item with its size, by category, with the total, and changes nothing', () => {
    const outside = outsideTree();
    const root = tree(project(outside));
    const before = snapshot(root);
    const outsideBefore = snapshot(outside);
    // stdin says "y", but off a terminal clean never asks and never deletes without --yes.
    const r = runCtxsize(['clean', root], { input: 'y\n' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(snapshot(root), before, 'every byte, mode and mtime is the same');
    assert.deepEqual(snapshot(outside), outsideBefore);
    for (const item of CACHES) assert.match(r.stdout, new RegExp(`^  ${item.replace(/\./g, '\\.')}/?\\s+\\d+ files?\\s+\\d+ B$`, 'm'), item);
    assert.match(r.stdout, /^python-cache: 4 items, 20 B$/m);
    assert.match(r.stdout, /^node-cache: 4 items, 14 B$/m);
    assert.match(r.stdout, new RegExp(`^Total: ${CACHES.length} items \\(\\d+ files\\), ${CACHE_BYTES} B$`, 'm'));
    assert.match(r.stdout, /Nothing was deleted/);
    assert.match(r.stdout, /app\/\.ruff_cache \(link\)\s+a symbolic link: not followed and not deleted/);
  });

  it('--json prints the plan with schemaVersion', () => {
    const root = tree(project(outsideTree()));
    const r = runCtxsize(['clean', '--json', root]);
    assert.equal(r.status, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    assert.equal(plan.schemaVersion, 1);
    assert.equal(plan.type, 'ctxsize-clean-plan');
    assert.deepEqual(plan.items.map((i: { path: string }) => i.path), CACHES);
    assert.equal(plan.totals.bytes, CACHE_BYTES);
  });

  it('--yes removes exactly the planned items; sources, lockfiles, the venv and the outside survive; freed equals planned', () => {
    const outside = outsideTree();
    const root = tree(project(outside));
    const planned = JSON.parse(runCtxsize(['clean', '--json', root]).stdout);
    const before = snapshot(root);
    const outsideBefore = snapshot(outside);
    const r = runCtxsize(['clean', '--yes', '--json', root]);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.type, 'ctxsize-clean-result');
    assert.deepEqual(result.items.map((i: { path: string; status: string }) => [i.path, i.status]), CACHES.map((p) => [p, 'deleted']));
    assert.deepEqual(snapshot(root).entries, without(before.entries, CACHES));
    assert.deepEqual(snapshot(outside), outsideBefore);
    assert.equal(result.freed.bytes, planned.totals.bytes);
    assert.equal(result.freed.bytes, CACHE_BYTES);
    assert.equal(result.freed.files, planned.totals.files);
  });

  it('the human --yes output reports what was freed', () => {
    const root = tree(project(outsideTree()));
    const r = runCtxsize(['purge', '-y', root]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Freed ${CACHE_BYTES} B \\(\\d+ files\\): ${CACHES.length} of ${CACHES.length} items deleted\\.$`, 'm'));
    for (const item of CACHES) assert.ok(!existsSync(path.join(root, item)), item);
  });

  it('--plan FILE, then --apply FILE --yes after the tree changed: a swapped-in link cannot redirect a deletion', () => {
    const outside = outsideTree();
    const root = tree(project(outside));
    const planFile = path.join(tree({}), 'plan.json');
    assert.equal(runCtxsize(['clean', '--plan', planFile, root]).status, 0);
    // Between plan and apply, app/__pycache__ becomes a link to a directory outside the root.
    rmSync(path.join(root, 'app/__pycache__'), { recursive: true });
    symlinkSync(path.join(outside, '__pycache__'), path.join(root, 'app/__pycache__'));
    const outsideBefore = snapshot(outside);
    const r = runCtxsize(['clean', '--apply', planFile, '--yes', '--json', root]);
    assert.equal(r.status, 1, 'a refused item makes the run fail');
    const result = JSON.parse(r.stdout);
    const byPath = Object.fromEntries(result.items.map((i: { path: string; status: string }) => [i.path, i.status]));
    assert.equal(byPath['app/__pycache__'], 'refused');
    assert.equal(Object.values(byPath).filter((s) => s === 'deleted').length, CACHES.length - 1);
    assert.deepEqual(snapshot(outside), outsideBefore);
    assert.ok(lstatSync(path.join(root, 'app/__pycache__')).isSymbolicLink());
  });

  it('--apply FILE refuses a plan made for another directory, and without --yes deletes nothing', () => {
    const root = tree(project(outsideTree()));
    const other = tree({ '__pycache__/a.pyc': '1' });
    const planFile = path.join(tree({}), 'plan.json');
    assert.equal(runCtxsize(['clean', '--plan', planFile, root]).status, 0);
    const before = snapshot(root);
    const wrong = runCtxsize(['clean', '--apply', planFile, '--yes', other]);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /this plan was made for/);
    const preview = runCtxsize(['clean', '--apply', planFile, root], { input: 'y\n' });
    assert.equal(preview.status, 0, preview.stderr);
    assert.match(preview.stdout, /would delete/);
    assert.deepEqual(snapshot(root), before);
    assert.ok(existsSync(path.join(other, '__pycache__/a.pyc')));
  });

  it('an edited plan that names a path outside the root is refused whole', () => {
    const outside = outsideTree();
    const root = tree({ '__pycache__/a.pyc': '1' });
    const planFile = path.join(tree({}), 'plan.json');
    runCtxsize(['clean', '--plan', planFile, root]);
    const plan = JSON.parse(readFileSync(planFile, 'utf8'));
    plan.items.push({ path: `../${path.basename(outside)}`, kind: 'dir', bytes: 0, files: 0, category: 'python-cache', ruleId: 'x' });
    writeFileSync(planFile, JSON.stringify(plan));
    const r = runCtxsize(['clean', '--apply', planFile, '--yes', root]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /"\.\." segment/);
    assert.ok(existsSync(path.join(root, '__pycache__/a.pyc')));
    assert.ok(existsSync(path.join(outside, 'precious.txt')));
  });

  it('refuses / and the home directory, even with --yes', () => {
    const slash = runCtxsize(['clean', '--yes', '/']);
    assert.equal(slash.status, 2);
    assert.match(slash.stderr, /refusing to clean \/: it is the file-system root/);
    const home = tree({ '__pycache__/a.pyc': '1', 'project/__pycache__/b.pyc': '2' });
    const asHome = runCtxsize(['clean', '--yes', home], { env: { HOME: home } });
    assert.equal(asHome.status, 2);
    assert.match(asHome.stderr, /it is the home directory/);
    const parent = runCtxsize(['clean', '--yes', path.dirname(home)], { env: { HOME: home } });
    assert.equal(parent.status, 2);
    assert.match(parent.stderr, /contains the home directory/);
    assert.ok(existsSync(path.join(home, '__pycache__/a.pyc')));
    // A project inside the home directory is fine.
    const inside = runCtxsize(['clean', '--yes', path.join(home, 'project')], { env: { HOME: home } });
    assert.equal(inside.status, 0, inside.stderr);
    assert.ok(!existsSync(path.join(home, 'project/__pycache__')));
  });

  it('keeps files tracked by git that look like caches (a real repository)', { skip: gitAvailable ? false : 'git is not installed' }, () => {
    const root = tree({
      'src/app.py': 'x',
      'tests/data/__pycache__/fixture.cpython-312.pyc': 'committed on purpose',
      '.eslintcache': 'committed',
      'src/__pycache__/app.cpython-312.pyc': 'untracked',
    });
    git(root, 'init', '-q');
    git(root, 'add', 'src/app.py', 'tests/data/__pycache__/fixture.cpython-312.pyc', '.eslintcache');
    git(root, 'commit', '-q', '-m', 'init');
    const before = snapshot(root);
    const r = runCtxsize(['clean', '--yes', root]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /tests\/data\/__pycache__\/\s+contains 1 file tracked by git/);
    assert.match(r.stdout, /\.eslintcache\s+tracked by git/);
    assert.deepEqual(snapshot(root).entries, without(before.entries, ['src/__pycache__']));
  });

  it('reports a permission error per item, deletes the rest, and exits 1', (t) => {
    const root = tree({ 'locked/__pycache__/x.pyc': '1', 'open/__pycache__/y.pyc': '22', '.eslintcache': '333' });
    const locked = path.join(root, 'locked/__pycache__');
    let r;
    if (process.getuid?.() === 0) {
      // Root ignores file modes, so run the CLI as an unprivileged user (nobody) on a tree it
      // owns, except for one directory that stays root's: unlinking inside it fails with EACCES.
      const uid = 65534;
      const chownTree = (abs: string): void => {
        chownSync(abs, uid, uid);
        if (lstatSync(abs).isDirectory()) for (const name of readdirSync(abs)) chownTree(path.join(abs, name));
      };
      chownTree(root);
      chownSync(locked, 0, 0);
      chmodSync(locked, 0o755);
      const { bin, reason } = binForUser(uid);
      if (bin === null) {
        t.skip(reason);
        return;
      }
      const spawned = spawnSync(process.execPath, [bin, 'clean', '--yes', '--json', root], {
        uid,
        gid: uid,
        env: { ...process.env, NO_COLOR: '1', HOME: '/nonexistent' },
        encoding: 'utf8',
      });
      if (spawned.error || (spawned.status !== 0 && spawned.status !== 1)) {
        t.skip(`running as root and cannot run the CLI as uid ${uid} here: ${spawned.error ?? spawned.stderr}`);
        return;
      }
      r = spawned;
    } else {
      chmodSync(locked, 0o555);
      try {
        r = runCtxsize(['clean', '--yes', '--json', root]);
      } finally {
        chmodSync(locked, 0o755);
      }
    }
    assert.equal(r.status, 1, r.stderr);
    const result = JSON.parse(r.stdout);
    const status = Object.fromEntries(result.items.map((i: { path: string; status: string }) => [i.path, i.status]));
    assert.deepEqual(status, { '.eslintcache': 'deleted', 'locked/__pycache__': 'failed', 'open/__pycache__': 'deleted' });
    const failed = result.items.find((i: { path: string }) => i.path === 'locked/__pycache__');
    assert.equal(failed.errors[0].code, 'EACCES');
    assert.equal(failed.errors[0].path, 'locked/__pycache__/x.pyc');
    assert.equal(result.freed.bytes, 5);
    assert.ok(existsSync(path.join(locked, 'x.pyc')));
  });

  it('--only, --include and --exclude select what is cleaned', () => {
    const root = tree({ 'a/__pycache__/x.pyc': '1', 'b/__pycache__/y.pyc': '1', '.eslintcache': '1', 'scratch/tmp': '1' });
    const r = runCtxsize(['clean', '--json', '--only', 'python-cache', '--exclude', 'b/', '--include', '/scratch/', root]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).items.map((i: { path: string }) => i.path), ['a/__pycache__', 'scratch']);
    const bad = runCtxsize(['clean', '--only', 'dependencies', root]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /never cleaned/);
    const conflict = runCtxsize(['clean', '--apply', 'x.json', '--only', 'node-cache', root]);
    assert.equal(conflict.status, 2);
  });

  it('on a terminal without --yes, asks before deleting (No by default)', (t) => {
    // `script` gives the CLI a pseudo-terminal; without it the prompt cannot be exercised.
    if (spawnSync('script', ['--version']).status !== 0) {
      t.skip('the script command (util-linux) is not available');
      return;
    }
    const root = tree({ '__pycache__/a.pyc': '1' });
    const command = `${process.execPath} ${BIN} clean ${root}`;
    const no = spawnSync('script', ['-qec', command, '/dev/null'], { input: 'n\n', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.match(no.stdout, /Delete 1 item \(1 B\)\? \[y\/N\]/);
    assert.ok(existsSync(path.join(root, '__pycache__/a.pyc')), 'answering no deletes nothing');
    const yes = spawnSync('script', ['-qec', command, '/dev/null'], { input: 'y\n', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.match(yes.stdout, /Freed 1 B/);
    assert.ok(!existsSync(path.join(root, '__pycache__')));
  });
});
