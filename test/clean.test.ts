/**
 * The cleaning core, on real temporary trees (no fs mocks). Each safety rule has its own test;
 * the end-to-end versions through the built CLI are in clean-cli.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { applyClean } from '../src/clean/apply.js';
import { validatePlan } from '../src/clean/plan-file.js';
import { planClean } from '../src/clean/plan.js';
import type { Plan } from '../src/clean/types.js';
import { InputError } from '../src/context/resolve.js';
import { makeTree, removeTree, type TreeSpec } from './support/tree.js';

// ---- helpers ------------------------------------------------------------------------------------

/**
 * Every entry under `root` with everything a deletion or a stray write would change: type, mode,
 * size, mtime in nanoseconds, content hash, link target. Directory mtimes are kept apart because
 * deleting a child legitimately changes its parent's.
 */
function snapshot(root: string): { entries: Map<string, string>; dirTimes: Map<string, bigint> } {
  const entries = new Map<string, string>();
  const dirTimes = new Map<string, bigint>();
  const visit = (rel: string): void => {
    const abs = rel === '' ? root : path.join(root, rel);
    const st = lstatSync(abs, { bigint: true });
    if (st.isSymbolicLink()) {
      entries.set(rel, `link ${readlinkSync(abs)} ${st.mtimeNs}`);
    } else if (st.isDirectory()) {
      entries.set(rel, `dir ${st.mode}`);
      dirTimes.set(rel, st.mtimeNs);
      for (const name of readdirSync(abs).sort()) visit(rel === '' ? name : `${rel}/${name}`);
    } else {
      const hash = createHash('sha256').update(readFileSync(abs)).digest('hex');
      entries.set(rel, `file ${st.mode} ${st.size} ${st.mtimeNs} ${hash}`);
    }
  };
  visit('');
  return { entries, dirTimes };
}

/** The snapshot minus everything at or below these paths. */
function without(entries: Map<string, string>, removed: readonly string[]): Map<string, string> {
  const out = new Map(entries);
  for (const key of entries.keys()) {
    if (removed.some((r) => key === r || key.startsWith(r + '/'))) out.delete(key);
  }
  return out;
}

const temps: string[] = [];
function tree(spec: TreeSpec): string {
  const root = makeTree(spec, 'ctxsize-clean-');
  temps.push(root);
  return root;
}
after(() => {
  for (const t of temps) {
    try {
      removeTree(t);
    } catch {
      // an immutable leftover from a failed permission test: best effort
    }
  }
});

const gitAvailable = spawnSync('git', ['--version']).status === 0;

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', ['-c', 'user.name=ctxsize', '-c', 'user.email=ctxsize@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
}

function paths(plan: Plan): string[] {
  return plan.items.map((item) => item.path);
}

function skippedCodes(plan: Plan): Record<string, string> {
  return Object.fromEntries(plan.skipped.map((s) => [s.path, s.code]));
}

/** A project with caches next to things that must survive. Sizes are known, so totals can be checked. */
function projectSpec(outside: string): TreeSpec {
  return {
    'requirements.txt': 'flask\n',
    'poetry.lock': 'lock\n',
    'legacy.pyc': '12345', // 5 bytes, cache
    'src/app.py': 'print(1)\n',
    'src/__pycache__/app.cpython-311.pyc': '1234567890', // 10, cache
    'src/__pycache__/escape': `->${outside}`, // a link inside a cache: unlinked, never followed
    'src/pkg/__pycache__/m.cpython-311.pyc': '123', // 3, cache
    'src/.mypy_cache': `->${outside}/.mypy_cache`, // a link that looks like a cache: left alone
    '.pytest_cache/v/cache/lastfailed': '{}', // 2, cache
    '.mypy_cache/3.11/app.data.json': '1234', // 4, cache
    '.ruff_cache/0.4.0/123': '1', // 1, cache
    '.venv/pyvenv.cfg': 'home = /usr/bin\n',
    '.venv/lib/python3.11/site-packages/pkg/__pycache__/x.cpython-311.pyc': 'venv',
    'venv/bin/python': 'binary',
    'tools/env/pyvenv.cfg': 'home = /usr/bin\n', // a virtual environment under another name
    'tools/env/lib/__pycache__/y.pyc': 'venv',
    'web/package.json': '{}',
    'web/package-lock.json': '{"lockfileVersion":3}',
    'web/yarn.lock': '# yarn\n',
    'web/node_modules/react/index.js': 'module.exports = 1;\n',
    'web/node_modules/react/__pycache__/odd.pyc': 'inside node_modules: left alone',
    'web/node_modules/.cache/babel/abc.json': '123456', // 6, cache
    'web/.eslintcache': '12', // 2, cache
    'web/.next/cache/webpack/x.pack': '12345678', // 8, cache
    'web/.next/server/page.js': 'page',
    'web/.turbo/turbo-build.log': '123', // 3, cache
    'web/.parcel-cache/data.mdb': '1234', // 4, cache
    'web/.nyc_output/out.json': '12', // 2, cache
    'web/coverage/index.html': 'report',
    'web/dist/main.js': 'built',
    'web/build/x.js': 'built',
    '.env': 'SECRET=1\n',
    '.env.local': 'SECRET=2\n',
    'id_rsa': 'key',
    '.idea/workspace.xml': '<xml/>',
    '.DS_Store': 'ds',
    'logs/app.log': 'log',
    'link-out': `->${outside}`, // a directory outside the root, reached through a link
  };
}

const PROJECT_CACHES = [
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'legacy.pyc',
  'src/__pycache__',
  'src/pkg/__pycache__',
  'web/.eslintcache',
  'web/.next/cache',
  'web/.nyc_output',
  'web/.parcel-cache',
  'web/.turbo',
  'web/node_modules/.cache',
];
const PROJECT_CACHE_BYTES = 5 + 10 + 3 + 2 + 4 + 1 + 6 + 2 + 8 + 3 + 4 + 2;

function outsideTree(): string {
  return tree({
    '__pycache__/x.pyc': 'outside',
    '.eslintcache': 'outside',
    '.mypy_cache/data.json': 'outside',
    'precious.txt': 'outside',
  });
}

// ---- planning -----------------------------------------------------------------------------------

describe('planClean', () => {
  it('finds exactly the caches of the default set, one item per matched directory', () => {
    const outside = outsideTree();
    const root = tree(projectSpec(outside));
    const plan = planClean(root);
    assert.equal(plan.schemaVersion, 1);
    assert.equal(plan.type, 'ctxsize-clean-plan');
    assert.equal(plan.root, root);
    assert.deepEqual(paths(plan), PROJECT_CACHES);
    assert.equal(plan.totals.items, PROJECT_CACHES.length);
    assert.equal(plan.totals.bytes, PROJECT_CACHE_BYTES);
    const pycache = plan.items.find((i) => i.path === 'src/__pycache__')!;
    // the link inside counts as an entry to delete but adds no bytes: it is never followed
    assert.deepEqual(pycache, { path: 'src/__pycache__', kind: 'dir', bytes: 10, files: 2, category: 'python-cache', ruleId: 'python-pycache' });
    assert.deepEqual(plan.items.find((i) => i.path === 'legacy.pyc'), {
      path: 'legacy.pyc', kind: 'file', bytes: 5, files: 1, category: 'python-cache', ruleId: 'python-bytecode',
    });
    const byCategory = Object.fromEntries(plan.categories.map((c) => [c.category, c.bytes]));
    assert.deepEqual(byCategory, { 'python-cache': 25, 'node-cache': 23, 'test-output': 2 });
    assert.equal(plan.categories.reduce((sum, c) => sum + c.bytes, 0), plan.totals.bytes);
    assert.ok(plan.rules['python-pycache']?.reason);
    // The link named like a cache is reported, not planned.
    assert.equal(skippedCodes(plan)['src/.mypy_cache'], 'symlink');
  });

  it('changes nothing on disk: every byte, mode and mtime stays the same', () => {
    const outside = outsideTree();
    const root = tree(projectSpec(outside));
    const before = snapshot(root);
    const outsideBefore = snapshot(outside);
    planClean(root, { include: ['logs/'], exclude: ['web/dist/'] });
    assert.deepEqual(snapshot(root), before);
    assert.deepEqual(snapshot(outside), outsideBefore);
  });

  it('never enters virtual environments or node_modules (except the caches named below it)', () => {
    const outside = outsideTree();
    const plan = planClean(tree(projectSpec(outside)));
    for (const p of paths(plan)) {
      assert.ok(!p.startsWith('.venv/') && !p.startsWith('tools/env/') && !p.startsWith('venv/'), p);
      assert.ok(!p.startsWith('web/node_modules/') || p === 'web/node_modules/.cache', p);
    }
  });

  it('--only limits the categories, and refuses categories that are never cleaned', () => {
    const outside = outsideTree();
    const root = tree(projectSpec(outside));
    assert.deepEqual(paths(planClean(root, { only: ['test-output'] })), ['web/.nyc_output']);
    assert.throws(() => planClean(root, { only: ['dependencies'] }), (e: unknown) => e instanceof InputError && /never cleaned/.test(e.message));
    assert.throws(() => planClean(root, { only: ['nope'] }), (e: unknown) => e instanceof InputError && /unknown category/.test(e.message));
  });

  it('--include adds user-named caches; --exclude keeps paths and does not enter them', () => {
    const root = tree({
      'tmp/a.tmp': '1',
      'deep/x/.cache/blob': '12',
      'keep/__pycache__/a.pyc': '1',
      'mixed/__pycache__/a.pyc': '1',
      'mixed/__pycache__/golden.pyc': '1',
      'src/main.tmp': '123',
    });
    const plan = planClean(root, { include: ['.cache/', '/tmp/', '*.tmp'], exclude: ['keep/', 'golden.pyc'] });
    assert.deepEqual(paths(plan), ['deep/x/.cache', 'src/main.tmp', 'tmp']);
    assert.equal(plan.items.find((i) => i.path === 'tmp')!.ruleId, 'include:/tmp/');
    assert.equal(plan.items.find((i) => i.path === 'deep/x/.cache')!.category, 'custom');
    // keep/ is not entered at all; mixed/__pycache__ holds an excluded file, so it is skipped whole.
    assert.deepEqual(skippedCodes(plan), { 'mixed/__pycache__': 'excluded' });
  });

  it('--include cannot reach what clean never deletes (node_modules, .git, lockfiles, secrets, venvs)', () => {
    const root = tree({
      'node_modules/a/index.js': '1',
      'yarn.lock': '1',
      '.env': '1',
      '.venv/pyvenv.cfg': '1',
      'scratch/x': '1',
    });
    const plan = planClean(root, { include: ['node_modules/', 'yarn.lock', '.env', '.venv/', 'scratch/'] });
    assert.deepEqual(paths(plan), ['scratch']);
    assert.deepEqual(skippedCodes(plan), { '.env': 'protected', '.venv': 'protected', 'node_modules': 'protected', 'yarn.lock': 'protected' });
  });

  it('reports a matched directory that holds a git repository, and does not plan it', () => {
    const root = tree({ '.turbo/clone/.git/HEAD': 'ref: refs/heads/main\n', '.turbo/clone/file': 'x', '__pycache__/a.pyc': '1' });
    const plan = planClean(root);
    assert.deepEqual(paths(plan), ['__pycache__']);
    assert.equal(skippedCodes(plan)['.turbo'], 'repository');
  });

  it('refuses / and the home directory (and a directory containing it) before walking', () => {
    assert.throws(() => planClean('/'), (e: unknown) => e instanceof InputError && /file-system root/.test(e.message));
    const fakeHome = tree({ 'project/__pycache__/a.pyc': '1' });
    const saved = process.env['HOME'];
    process.env['HOME'] = path.join(fakeHome, 'project');
    try {
      assert.throws(() => planClean(path.join(fakeHome, 'project')), (e: unknown) => e instanceof InputError && /home directory/.test(e.message));
      assert.throws(() => planClean(fakeHome), (e: unknown) => e instanceof InputError && /contains the home directory/.test(e.message));
    } finally {
      process.env['HOME'] = saved;
    }
    assert.throws(() => planClean(path.join(fakeHome, 'missing')), (e: unknown) => e instanceof InputError && /no such directory/.test(e.message));
  });

  it('resolves a root given through a symbolic link to its real path', () => {
    const real = tree({ '__pycache__/a.pyc': '1' });
    const holder = tree({});
    symlinkSync(real, path.join(holder, 'via-link'));
    const plan = planClean(path.join(holder, 'via-link'));
    assert.equal(plan.root, real);
    assert.deepEqual(paths(plan), ['__pycache__']);
  });
});

// ---- applying -----------------------------------------------------------------------------------

describe('applyClean', () => {
  it('deletes exactly the planned items; sources, lockfiles, venvs, build outputs, secrets and the outside survive', () => {
    const outside = outsideTree();
    const root = tree(projectSpec(outside));
    const plan = planClean(root);
    const before = snapshot(root);
    const outsideBefore = snapshot(outside);
    const result = applyClean(plan);
    assert.equal(result.type, 'ctxsize-clean-result');
    assert.equal(result.counts.deleted, PROJECT_CACHES.length);
    assert.equal(result.counts.failed + result.counts.refused + result.counts.vanished, 0);
    // Everything except the planned items is byte-for-byte what it was.
    assert.deepEqual(snapshot(root).entries, without(before.entries, PROJECT_CACHES));
    assert.deepEqual(snapshot(outside), outsideBefore);
    for (const kept of ['poetry.lock', 'web/package-lock.json', 'web/yarn.lock', '.venv/pyvenv.cfg', 'venv/bin/python', 'web/dist/main.js', '.env', 'src/.mypy_cache', 'link-out']) {
      assert.ok(existsSync(path.join(root, kept)) || lstatSync(path.join(root, kept)).isSymbolicLink(), kept);
    }
  });

  it('frees exactly what it planned', () => {
    const outside = outsideTree();
    const root = tree(projectSpec(outside));
    const plan = planClean(root);
    const result = applyClean(plan);
    assert.equal(result.planned.bytes, PROJECT_CACHE_BYTES);
    assert.equal(result.freed.bytes, result.planned.bytes);
    assert.equal(result.freed.files, result.planned.files);
    for (const item of result.items) assert.equal(item.freedBytes, item.bytes, item.path);
  });

  it('cannot be redirected: an item replaced by a symbolic link to the outside is refused', () => {
    const outside = outsideTree();
    const root = tree({ 'a/__pycache__/x.pyc': '1', 'b/__pycache__/y.pyc': '2' });
    const plan = planClean(root);
    rmSync(path.join(root, 'a/__pycache__'), { recursive: true });
    symlinkSync(path.join(outside, '__pycache__'), path.join(root, 'a/__pycache__'));
    const outsideBefore = snapshot(outside);
    const result = applyClean(plan);
    const a = result.items.find((i) => i.path === 'a/__pycache__')!;
    assert.equal(a.status, 'refused');
    assert.match(a.reason!, /symbolic link/);
    assert.equal(result.items.find((i) => i.path === 'b/__pycache__')!.status, 'deleted');
    assert.deepEqual(snapshot(outside), outsideBefore);
    assert.ok(lstatSync(path.join(root, 'a/__pycache__')).isSymbolicLink(), 'the link itself is not deleted either');
  });

  it('cannot be redirected: a parent directory replaced by a symbolic link is refused', () => {
    const outside = tree({ 'pkg/__pycache__/x.pyc': 'outside' });
    const root = tree({ 'pkg/__pycache__/x.pyc': '1' });
    const plan = planClean(root);
    renameSync(path.join(root, 'pkg'), path.join(root, 'pkg-moved'));
    symlinkSync(path.join(outside, 'pkg'), path.join(root, 'pkg'));
    const result = applyClean(plan);
    assert.equal(result.items[0]!.status, 'refused');
    assert.match(result.items[0]!.reason!, /symbolic link: not followed/);
    assert.equal(readFileSync(path.join(outside, 'pkg/__pycache__/x.pyc'), 'utf8'), 'outside');
  });

  it('refuses an item whose kind changed, and reports a vanished one without failing', () => {
    const root = tree({ 'a/__pycache__/x.pyc': '1', 'b.pyc': '2', 'c/__pycache__/z.pyc': '3' });
    const plan = planClean(root);
    rmSync(path.join(root, 'a/__pycache__'), { recursive: true });
    writeFileSync(path.join(root, 'a/__pycache__'), 'now a file');
    rmSync(path.join(root, 'b.pyc'));
    const result = applyClean(plan);
    const status = Object.fromEntries(result.items.map((i) => [i.path, i.status]));
    assert.deepEqual(status, { 'a/__pycache__': 'refused', 'b.pyc': 'vanished', 'c/__pycache__': 'deleted' });
    assert.equal(readFileSync(path.join(root, 'a/__pycache__'), 'utf8'), 'now a file');
  });

  it('dryRun re-checks and deletes nothing', () => {
    const outside = outsideTree();
    const root = tree(projectSpec(outside));
    const plan = planClean(root);
    const before = snapshot(root);
    const result = applyClean(plan, { dryRun: true });
    assert.equal(result.counts.ready, PROJECT_CACHES.length);
    assert.equal(result.freed.bytes, 0);
    assert.deepEqual(snapshot(root), before);
  });

  it('refuses a plan made for another directory, or that names paths outside its root', () => {
    const root = tree({ '__pycache__/a.pyc': '1' });
    const other = tree({ '__pycache__/a.pyc': '1' });
    const plan = planClean(root);
    assert.throws(() => applyClean(plan, { dir: other }), (e: unknown) => e instanceof InputError && /made for/.test(e.message));
    for (const bad of ['../escape', '/etc', '', 'a/../../x', 'a//b', '.']) {
      const edited = { ...plan, items: [{ ...plan.items[0]!, path: bad }] };
      assert.throws(() => applyClean(edited as Plan), InputError, JSON.stringify(bad));
    }
    const overlapping = { ...plan, items: [plan.items[0]!, { ...plan.items[0]!, path: '__pycache__/a.pyc', kind: 'file' as const }] };
    assert.throws(() => applyClean(overlapping), /inside item/);
    assert.throws(() => validatePlan({ ...plan, schemaVersion: 99 }), /schemaVersion/);
    assert.ok(existsSync(path.join(root, '__pycache__/a.pyc')), 'nothing was deleted by the refused plans');
  });

  it('refuses a plan whose root is / or the home directory', () => {
    const root = tree({ '__pycache__/a.pyc': '1' });
    const plan = planClean(root);
    assert.throws(() => applyClean({ ...plan, root: '/' }), /file-system root/);
    const saved = process.env['HOME'];
    process.env['HOME'] = root;
    try {
      assert.throws(() => applyClean(plan), /home directory/);
    } finally {
      process.env['HOME'] = saved;
    }
    assert.ok(existsSync(path.join(root, '__pycache__/a.pyc')));
  });

  it('reports a permission error per item and goes on with the others', (t) => {
    const root = tree({ 'locked/__pycache__/x.pyc': '1', 'open/__pycache__/y.pyc': '22', 'z.pyc': '333' });
    const plan = planClean(root);
    const locked = path.join(root, 'locked/__pycache__');
    // As a normal user, a read-only directory stops unlink (EACCES). Root ignores modes, so there
    // make the directory immutable (EPERM), which root's unlink does respect.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const chattr = spawnSync('chattr', ['+i', locked], { encoding: 'utf8' });
      if (chattr.status !== 0) {
        t.skip(`running as root and chattr +i is unavailable here (${(chattr.stderr || String(chattr.error)).trim()}); the CLI test covers this by dropping to an unprivileged user`);
        return;
      }
    } else {
      chmodSync(locked, 0o555);
    }
    try {
      const result = applyClean(plan);
      const failed = result.items.find((i) => i.path === 'locked/__pycache__')!;
      assert.equal(failed.status, 'failed');
      assert.ok(['EACCES', 'EPERM'].includes(failed.errors![0]!.code), failed.errors![0]!.code);
      assert.equal(failed.errors![0]!.path, 'locked/__pycache__/x.pyc');
      assert.equal(failed.freedBytes, 0);
      assert.equal(result.items.find((i) => i.path === 'open/__pycache__')!.status, 'deleted');
      assert.equal(result.items.find((i) => i.path === 'z.pyc')!.status, 'deleted');
      assert.equal(result.freed.bytes, 5);
      assert.ok(existsSync(path.join(locked, 'x.pyc')));
    } finally {
      if (asRoot) spawnSync('chattr', ['-i', locked]);
      else chmodSync(locked, 0o755);
    }
  });
});

// ---- git ----------------------------------------------------------------------------------------

describe('clean and git', { skip: gitAvailable ? false : 'git is not installed' }, () => {
  it('skips items holding tracked files, in a real repository, and deletes the untracked ones', () => {
    const root = tree({
      'app.py': 'x',
      'fixtures/__pycache__/golden.cpython-311.pyc': 'tracked on purpose',
      'fixtures/__pycache__/stray.pyc': 'untracked',
      'web/.eslintcache': 'tracked',
      'other/__pycache__/a.pyc': 'untracked',
    });
    git(root, 'init', '-q');
    git(root, 'add', 'app.py', 'fixtures/__pycache__/golden.cpython-311.pyc', 'web/.eslintcache');
    git(root, 'commit', '-q', '-m', 'init');
    const plan = planClean(root);
    assert.deepEqual(paths(plan), ['other/__pycache__']);
    assert.deepEqual(skippedCodes(plan), { 'fixtures/__pycache__': 'tracked', 'web/.eslintcache': 'tracked' });
    const before = snapshot(root);
    applyClean(plan);
    assert.deepEqual(snapshot(root).entries, without(before.entries, ['other/__pycache__']));
  });

  it('works when DIR is a subdirectory of the repository', () => {
    const repo = tree({ 'sub/__pycache__/t.pyc': 'tracked', 'sub/pkg/__pycache__/u.pyc': 'untracked', 'README': 'r' });
    git(repo, 'init', '-q');
    git(repo, 'add', 'sub/__pycache__/t.pyc', 'README');
    git(repo, 'commit', '-q', '-m', 'init');
    const plan = planClean(path.join(repo, 'sub'));
    assert.deepEqual(paths(plan), ['pkg/__pycache__']);
    assert.deepEqual(skippedCodes(plan), { __pycache__: 'tracked' });
  });

  it('asks each nested repository about its own files', () => {
    const root = tree({ 'proj/__pycache__/t.pyc': 'tracked in proj', 'proj/lib/__pycache__/u.pyc': 'untracked', 'loose/__pycache__/v.pyc': 'no repo' });
    git(path.join(root, 'proj'), 'init', '-q');
    git(path.join(root, 'proj'), 'add', '__pycache__/t.pyc');
    git(path.join(root, 'proj'), 'commit', '-q', '-m', 'init');
    const plan = planClean(root);
    assert.deepEqual(paths(plan), ['loose/__pycache__', 'proj/lib/__pycache__']);
    assert.deepEqual(skippedCodes(plan), { 'proj/__pycache__': 'tracked' });
  });

  it('refuses at apply time a file committed after the plan was made', () => {
    const root = tree({ '__pycache__/a.pyc': '1', 'b/__pycache__/b.pyc': '2' });
    git(root, 'init', '-q');
    const plan = planClean(root);
    assert.deepEqual(paths(plan), ['__pycache__', 'b/__pycache__']);
    git(root, 'add', '__pycache__/a.pyc');
    git(root, 'commit', '-q', '-m', 'now tracked');
    const result = applyClean(plan);
    assert.equal(result.items[0]!.status, 'refused');
    assert.match(result.items[0]!.reason!, /tracked by git/);
    assert.equal(result.items[1]!.status, 'deleted');
    assert.ok(existsSync(path.join(root, '__pycache__/a.pyc')));
  });

  it('without git installed: items inside a repository are skipped, items outside any are planned', () => {
    const inRepo = tree({ '__pycache__/a.pyc': '1' });
    git(inRepo, 'init', '-q');
    const noRepo = tree({ '__pycache__/a.pyc': '1' });
    const savedPath = process.env['PATH'];
    process.env['PATH'] = tree({}); // an empty directory: no git to be found
    try {
      const inside = planClean(inRepo);
      assert.deepEqual(paths(inside), []);
      assert.equal(inside.skipped[0]!.code, 'git-unavailable');
      assert.match(inside.skipped[0]!.reason, /git is not installed/);
      assert.deepEqual(paths(planClean(noRepo)), ['__pycache__']);
    } finally {
      process.env['PATH'] = savedPath;
    }
  });
});

describe('clean without a repository', () => {
  it('plans normally when the directory is in no repository at all', () => {
    const root = tree({ '__pycache__/a.pyc': '1' });
    assert.ok(!existsSync(path.join(root, '.git')));
    mkdirSync(path.join(root, 'empty'));
    assert.deepEqual(paths(planClean(root)), ['__pycache__']);
  });
});
