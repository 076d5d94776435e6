/**
 * `clean` attacked: edited plans, --include aimed at protected folders, bind mounts, and a
 * directory swapped for a symbolic link while the deletion runs. Nothing outside what the rules
 * select may be lost, and nothing outside DIR touched. Tests that need root (mount) skip with the
 * reason otherwise.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, runCtxsize } from './support/cli.js';
import { makeTree, removeTree, type TreeSpec } from './support/tree.js';

const temps: string[] = [];
function tree(spec: TreeSpec): string {
  const root = makeTree(spec, 'ctxsize-hostile-clean-');
  temps.push(root);
  return root;
}
after(() => temps.forEach((t) => removeTree(t)));

const isRoot = process.getuid?.() === 0;

/** Whether `mount --bind` works here (root, and a kernel/sandbox that allows it). */
function canBindMount(): string | null {
  if (process.platform !== 'linux') return 'bind mounts are a Linux test';
  if (!isRoot) return 'mount --bind needs root';
  const a = tree({ 'src/f': 'x', 'dst/': '' });
  const r = spawnSync('mount', ['--bind', path.join(a, 'src'), path.join(a, 'dst')], { encoding: 'utf8' });
  if (r.status !== 0) return `mount --bind is not permitted here (${(r.stderr || String(r.error)).trim()})`;
  spawnSync('umount', [path.join(a, 'dst')]);
  return null;
}

function umount(target: string): void {
  spawnSync('umount', ['-l', target]);
}

/** Every file below `root`, relative, sorted. */
function files(root: string): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) visit(r);
      else out.push(r);
    }
  };
  visit('');
  return out.sort();
}

const PROTECTED: TreeSpec = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.git/objects/ab/cdef': 'object',
  '.env': 'SECRET=1\n',
  'node_modules/pkg/index.js': 'module.exports = 1;\n',
  'node_modules/.cache/babel/x.json': '{}',
  '.venv/pyvenv.cfg': 'home = /usr/bin\n',
  '.venv/lib/site.py': 'x = 1\n',
  'id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\n',
  'src/untracked.js': 'console.log(1);\n',
  'yarn.lock': '# yarn lockfile v1\n',
  'app/__pycache__/m.pyc': 'bytecode',
};

describe('hostile: an edited plan', () => {
  it('refuses every item that its claimed rule does not select, or that clean never deletes', () => {
    const root = tree(PROTECTED);
    const planFile = path.join(tree({}), 'plan.json');
    assert.equal(runCtxsize(['clean', '--plan', planFile, root]).status, 0);
    const plan = JSON.parse(readFileSync(planFile, 'utf8'));
    // (The fake .git makes git unusable, so the plan itself lists nothing: the items are written in.)
    const template = { kind: 'dir', bytes: 0, files: 0, category: 'python-cache', ruleId: 'python-pycache' };
    // Items of one plan never nest (the plan file is refused then), so the folders' insides come second.
    const outer = [
      { path: '.git', kind: 'dir' },
      { path: '.env', kind: 'file' },
      { path: 'node_modules', kind: 'dir' },
      { path: '.venv', kind: 'dir' },
      { path: 'id_rsa', kind: 'file' },
      { path: 'src/untracked.js', kind: 'file' },
      { path: 'yarn.lock', kind: 'file' },
    ];
    const inner = [
      { path: '.git/objects', kind: 'dir' },
      { path: 'node_modules/pkg', kind: 'dir' },
      { path: '.venv/lib', kind: 'dir' },
    ];
    const innerFiles = [
      { path: '.git/HEAD', kind: 'file' },
      { path: 'node_modules/pkg/index.js', kind: 'file' },
      { path: '.venv/pyvenv.cfg', kind: 'file' },
    ];
    const claims = ['python-pycache', 'include:.git', 'include:*', 'include:*/*', 'no-such-rule', 'node-modules', 'git', 'node-modules-cache'];
    for (const [ruleId, hostile] of claims.flatMap((c) => [[c, outer], [c, inner], [c, innerFiles]] as const)) {
      // The plan may even list the pattern it claims: the never-delete rules still hold.
      plan.selection = { only: null, include: ['*', '.git', 'node_modules/', '*/*', 'src/untracked.js'], exclude: [] };
      plan.items = hostile.map((h) => ({ ...template, ...h, ruleId }));
      if (ruleId === 'include:*') plan.items = plan.items.filter((i: { path: string }) => i.path !== 'src/untracked.js');
      writeFileSync(planFile, JSON.stringify(plan));
      const r = runCtxsize(['clean', '--apply', planFile, '--yes', '--json', root]);
      assert.equal(r.status, 1, r.stderr);
      const result = JSON.parse(r.stdout);
      for (const item of result.items) {
        assert.equal(item.status, 'refused', `${ruleId} ${item.path}: ${item.reason}`);
      }
      for (const rel of Object.keys(PROTECTED)) {
        if (rel.includes('__pycache__') || rel.includes('.cache')) continue;
        assert.ok(existsSync(path.join(root, rel)), `${rel} was deleted with ruleId ${ruleId}`);
      }
    }
  });

  it('deletes an untracked file only through a pattern the plan was made with', () => {
    const root = tree({ 'src/untracked.js': 'x', 'a.pyc': 'b' });
    const planFile = path.join(tree({}), 'plan.json');
    assert.equal(runCtxsize(['clean', '--plan', planFile, root]).status, 0);
    const plan = JSON.parse(readFileSync(planFile, 'utf8'));
    plan.items.push({ ...plan.items[0], path: 'src/untracked.js', ruleId: 'include:src/untracked.js' });
    writeFileSync(planFile, JSON.stringify(plan));
    const r = runCtxsize(['clean', '--apply', planFile, '--yes', '--json', root]);
    assert.equal(r.status, 1);
    const result = JSON.parse(r.stdout);
    assert.match(result.items.find((i: { path: string }) => i.path === 'src/untracked.js').reason, /not among the plan's --include/);
    assert.ok(existsSync(path.join(root, 'src/untracked.js')));
    assert.ok(!existsSync(path.join(root, 'a.pyc')));
  });

  it('refuses an item whose contents changed into something protected since the plan', () => {
    const root = tree({ 'build/__pycache__/a.pyc': 'x' });
    const planFile = path.join(tree({}), 'plan.json');
    assert.equal(runCtxsize(['clean', '--plan', planFile, root]).status, 0);
    writeFileSync(path.join(root, 'build/__pycache__/.env'), 'SECRET=1\n');
    mkdirSync(path.join(root, 'build/__pycache__/venv'));
    writeFileSync(path.join(root, 'build/__pycache__/venv/pyvenv.cfg'), 'home = /usr\n');
    const r = runCtxsize(['clean', '--apply', planFile, '--yes', '--json', root]);
    assert.equal(r.status, 1);
    const result = JSON.parse(r.stdout);
    assert.equal(result.items[0].status, 'refused');
    assert.deepEqual(files(path.join(root, 'build')), ['__pycache__/.env', '__pycache__/a.pyc', '__pycache__/venv/pyvenv.cfg']);
  });
});

describe('hostile: --include aimed at protected folders', () => {
  for (const pattern of ['.git/*', '*/*', '.venv/*', 'node_modules/*', '*', '.git/', '**/*', 'HEAD', 'pyvenv.cfg', 'index.js']) {
    it(`--include '${pattern}' deletes nothing protected`, () => {
      const root = tree(PROTECTED);
      const before = files(root);
      const r = runCtxsize(['clean', '--include', pattern, '--yes', '--json', root]);
      assert.ok(r.status === 0 || r.status === 1, r.stderr);
      const after = new Set(files(root));
      for (const rel of before) {
        const protectedPath = /^(\.git|\.venv|node_modules\/pkg)\//.test(rel) || ['.env', 'id_rsa', 'yarn.lock'].includes(rel);
        if (protectedPath) assert.ok(after.has(rel), `${rel} was deleted by --include '${pattern}'`);
      }
    });
  }

  it('does not delete a secret or lockfile inside a folder named with --include', () => {
    const root = tree({ 'config/.env': 'S=1', 'config/app.yaml': 'a: 1', 'out/yarn.lock': '#', 'out/x.js': '1' });
    const r = runCtxsize(['clean', '--include', 'config/', '--include', 'out/', '--yes', '--json', root]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(files(root), ['config/.env', 'config/app.yaml', 'out/x.js', 'out/yarn.lock']);
    const r2 = runCtxsize(['clean', '--include', 'config/', '--include', 'out/', '--json', root]);
    const plan = JSON.parse(r2.stdout);
    assert.deepEqual(plan.skipped.map((s: { path: string; code: string }) => `${s.path} ${s.code}`), ['config protected', 'out protected']);
  });
});

describe('hostile: mount points', () => {
  const reason = canBindMount();

  it('never enters or deletes a bind mount of the same file system', { skip: reason ?? false }, (t) => {
    const outside = tree({ 'keep1.pyc': 'a', 'deep/keep2.pyc': 'b', '__pycache__/keep3.pyc': 'c' });
    const root = tree({ '__pycache__/x.pyc': 'x', 'vendor/': '', 'src/app.py': 'print(1)' });
    const mounted = [path.join(root, '__pycache__'), path.join(root, 'vendor')];
    t.after(() => mounted.forEach(umount));
    assert.equal(spawnSync('mount', ['--bind', outside, mounted[0]!]).status, 0);
    assert.equal(spawnSync('mount', ['--bind', outside, mounted[1]!]).status, 0);
    const before = files(outside);
    const r = runCtxsize(['clean', '--yes', '--json', root]);
    assert.equal(r.status, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    assert.equal(plan.freed.files, 0);
    mounted.forEach(umount);
    assert.deepEqual(files(outside), before);
  });

  it('refuses at apply time an item that became a bind mount after the plan', { skip: reason ?? false }, (t) => {
    const outside = tree({ 'keep.pyc': 'a', 'sub/keep.pyc': 'b' });
    const root = tree({ 'a/__pycache__/x.pyc': 'x', 'b/__pycache__/sub/y.pyc': 'y' });
    const planFile = path.join(tree({}), 'plan.json');
    assert.equal(runCtxsize(['clean', '--plan', planFile, root]).status, 0);
    const targets = [path.join(root, 'a/__pycache__'), path.join(root, 'b/__pycache__/sub')];
    t.after(() => targets.forEach(umount));
    for (const target of targets) assert.equal(spawnSync('mount', ['--bind', outside, target]).status, 0);
    const r = runCtxsize(['clean', '--apply', planFile, '--yes', '--json', root]);
    assert.equal(r.status, 1, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(result.items.map((i: { status: string }) => i.status), ['refused', 'refused']);
    targets.forEach(umount);
    assert.deepEqual(files(outside), ['keep.pyc', 'sub/keep.pyc']);
  });
});

describe('hostile: a directory swapped for a symbolic link during the deletion', () => {
  it('deletes nothing outside DIR when the swap falls in the middle of the deletion', { timeout: 180_000 }, async () => {
    const count = 4000;
    const outsideSpec: TreeSpec = {};
    // The same names as the cache's: a deletion that followed the link would find them.
    for (let i = 0; i < count; i++) outsideSpec[`f${i}.pyc`] = 'outside';
    const outside = tree(outsideSpec);
    let swaps = 0;
    for (let round = 0; round < 4 && swaps < 2; round++) {
      const spec: TreeSpec = {};
      for (let i = 0; i < count; i++) spec[`__pycache__/sub/f${i}.pyc`] = 'cache';
      const root = tree(spec);
      const pyc = path.join(root, '__pycache__');
      // The attacker waits for the first file of sub to go (the deletion has begun inside it), then
      // renames sub away and puts a link to the outside directory in its place.
      const script = `
        const fs = require('fs');
        const dir = ${JSON.stringify(pyc)}, outside = ${JSON.stringify(outside)};
        const first = dir + '/sub/' + fs.readdirSync(dir + '/sub')[0];
        const end = Date.now() + 60000;
        console.log('ready');
        while (Date.now() < end) {
          if (!fs.existsSync(first)) {
            try { fs.renameSync(dir + '/sub', dir + '/real'); fs.symlinkSync(outside, dir + '/sub'); console.log('swapped'); } catch {}
            break;
          }
        }`;
      const attacker = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let said = '';
      attacker.stdout.on('data', (d) => (said += d));
      const done = new Promise((resolve) => attacker.on('exit', resolve));
      await new Promise<void>((resolve) => {
        const wait = (): void => (said.includes('ready') ? resolve() : void setTimeout(wait, 5));
        wait();
      });
      const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'clean', '--yes', root], { env: { ...process.env, NO_COLOR: '1' } });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (status) => resolve({ status, stderr }));
      });
      attacker.kill();
      await done;
      assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
      assert.equal(readdirSync(outside).length, count, `round ${round}: files outside DIR were deleted`);
      if (said.includes('swapped')) swaps++;
    }
    // The test proves something only if the swap did fall during a deletion.
    assert.ok(swaps > 0, 'the swap never happened during a deletion (the machine was too fast or too slow for the attacker)');
  });
});
