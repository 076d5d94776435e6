/**
 * Hostile input and output: FIFOs and devices where ctxsize expects files, a configuration that
 * points at /proc/self/environ, output targets that are devices, FIFOs or links, names with
 * terminal escapes, a closed pipe. Nothing may hang, leak, clobber or end in exit 3.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN } from './support/cli.js';
import { makeTree, removeTree, type TreeSpec } from './support/tree.js';

const temps: string[] = [];
function tree(spec: TreeSpec): string {
  const root = makeTree(spec, 'ctxsize-hostile-input-');
  temps.push(root);
  return root;
}
after(() => temps.forEach((t) => removeTree(t)));

const isRoot = process.getuid?.() === 0;
const canMkfifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).status === 0;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The CLI with a time limit: a hang is a failure, not a stuck suite. */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' };
}

function assertRefused(r: Run, name: string): void {
  assert.equal(r.timedOut, false, `hung on ${name}`);
  assert.equal(r.status, 2, `exit ${r.status} for ${name}: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|    at /);
}

const BASE: TreeSpec = { 'Dockerfile': 'FROM scratch\nCOPY . /app\n', 'app.js': 'x' };

describe('hostile: inputs that are not regular files', { skip: canMkfifo ? false : 'mkfifo is not available' }, () => {
  for (const name of ['Dockerfile', '.dockerignore', 'Dockerfile.dockerignore', '.ctxsizerc.json']) {
    it(`a FIFO named ${name} is refused by every command, without hanging`, () => {
      const root = tree(BASE);
      const fifo = path.join(root, name);
      if (existsSync(fifo)) execFileSync('rm', [fifo]);
      execFileSync('mkfifo', [fifo]);
      for (const args of [['.'], ['check', '.'], ['suggest', '.'], ['ls', '.']]) {
        const r = run(args, root);
        if ((name === 'Dockerfile' && args[0] === 'ls') || (name === '.ctxsizerc.json' && args[0] !== '.')) {
          // ls does not read the Dockerfile, only measure reads the configuration: they must not hang.
          assert.equal(r.timedOut, false);
          continue;
        }
        assertRefused(r, name);
      }
    });
  }

  it('-f FIFO and --config FIFO are refused', () => {
    const root = tree(BASE);
    execFileSync('mkfifo', [path.join(root, 'df'), path.join(root, 'cfg.json')]);
    assertRefused(run(['-f', 'df', '.'], root), 'df');
    assertRefused(run(['check', '-f', 'df', '.'], root), 'df');
    assertRefused(run(['--config', 'cfg.json', '.'], root), 'cfg.json');
  });
});

describe('hostile: inputs that never end', { skip: existsSync('/dev/zero') ? false : 'no /dev/zero' }, () => {
  for (const name of ['Dockerfile', '.dockerignore', '.ctxsizerc.json', '.gitignore']) {
    it(`${name} linked to /dev/zero is refused`, () => {
      const root = tree(BASE);
      const file = path.join(root, name);
      if (existsSync(file)) execFileSync('rm', [file]);
      symlinkSync('/dev/zero', file);
      const r = run(name === '.gitignore' ? ['suggest', '.'] : ['.'], root);
      assertRefused(r, name);
    });
  }

  it('--baseline, check -f and clean --apply on /dev/zero are refused', () => {
    const root = tree(BASE);
    assertRefused(run(['--baseline', '/dev/zero', '.'], root), '/dev/zero');
    assertRefused(run(['check', '-f', '/dev/zero', '.'], root), '/dev/zero');
    assertRefused(run(['clean', '--apply', '/dev/zero', '.'], root), '/dev/zero');
  });

  it('a file over the input cap is refused, naming it', () => {
    const root = tree(BASE);
    // A sparse file: 65 MiB that take no room on disk.
    const big = path.join(root, '.dockerignore');
    writeFileSync(big, '');
    execFileSync('truncate', ['-s', '65M', big]);
    const r = run(['.'], root);
    assertRefused(r, '.dockerignore');
    assert.match(r.stderr, /64 MiB/);
  });
});

describe('hostile: a configuration that points outside the project', () => {
  it('does not read /proc/self/environ, and prints no secret', () => {
    const root = tree({ ...BASE, '.ctxsizerc.json': JSON.stringify({ file: '/proc/self/environ' }) });
    const r = run(['.'], root, { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-hostile-secret', GITHUB_TOKEN: 'ghp_hostiletoken' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /outside the project/);
    assert.doesNotMatch(r.stdout + r.stderr, /hostile-secret|hostiletoken/);
    for (const key of ['baseline', 'compose']) {
      writeFileSync(path.join(root, '.ctxsizerc.json'), JSON.stringify({ [key]: '../../etc/passwd' }));
      const r2 = run(['.'], root);
      assert.equal(r2.status, 2, r2.stderr);
      assert.match(r2.stderr, new RegExp(`${key}: .*outside the project`));
    }
  });

  it('cuts short and escapes a Dockerfile line echoed in an error', () => {
    const secret = 'AWS_SECRET_ACCESS_KEY=' + 'x'.repeat(200) + '\u001b[2K';
    const root = tree({ 'Dockerfile': `FROM scratch\n${secret}\n`, 'a': 'a' });
    const r = run(['check', '.'], root);
    assert.notEqual(r.status, 3);
    assert.doesNotMatch(r.stdout + r.stderr, /x{60}/);
    assert.doesNotMatch(r.stdout + r.stderr, /\u001b/);
  });
});

describe('hostile: output targets', () => {
  it('-o /dev/null writes to the device and leaves it a device', { skip: existsSync('/dev/null') ? false : 'no /dev/null' }, () => {
    const root = tree(BASE);
    const r = run(['-o', '/dev/null', '.'], root);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(statSync('/dev/null').isCharacterDevice());
  });

  it('-o FIFO with no reader fails at once with exit 2 and stays a FIFO', { skip: canMkfifo ? false : 'mkfifo is not available' }, () => {
    const root = tree(BASE);
    const fifo = path.join(root, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = run(['-o', 'out.fifo', '.'], root);
    assert.equal(r.timedOut, false);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /out\.fifo.*nobody reads/);
    assert.ok(lstatSync(fifo).isFIFO());
  });

  it('-o through a link to a regular file keeps the link and leaves no temporary file', () => {
    const root = tree({ ...BASE, 'reports/real.txt': 'old', 'report.txt': '->reports/real.txt' });
    const r = run(['-o', 'report.txt', '.'], root);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(lstatSync(path.join(root, 'report.txt')).isSymbolicLink());
    assert.match(readFileSync(path.join(root, 'reports/real.txt'), 'utf8'), /Build context/);
    assert.deepEqual(execFileSync('ls', ['-A', path.join(root, 'reports')], { encoding: 'utf8' }).trim().split('\n'), ['real.txt']);
  });

  it('-o onto a directory is refused with exit 2', () => {
    const root = tree({ ...BASE, 'outdir/': '' });
    const r = run(['-o', 'outdir', '.'], root);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /outdir.*directory/);
  });

  it('suggest --write refuses a .dockerignore that links out of DIR, and changes nothing there', () => {
    const outside = tree({ 'victim.txt': 'keep me\n' });
    const root = tree({ ...BASE, '__pycache__/m.pyc': 'x'.repeat(5000), '.dockerignore': `->${path.join(outside, 'victim.txt')}` });
    const r = run(['suggest', '--write', '.'], root);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /outside/);
    assert.equal(readFileSync(path.join(outside, 'victim.txt'), 'utf8'), 'keep me\n');
  });

  it('suggest --write on a dangling link or a read-only file is exit 2 with the reason, not a crash', () => {
    const root = tree({ ...BASE, '__pycache__/m.pyc': 'x'.repeat(5000), '.dockerignore': '->nowhere/.dockerignore' });
    const r = run(['suggest', '--write', '.'], root);
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    if (!isRoot) {
      const ro = tree({ ...BASE, '__pycache__/m.pyc': 'x'.repeat(5000), '.dockerignore': '*.log\n' });
      chmodSync(path.join(ro, '.dockerignore'), 0o444);
      const r2 = run(['suggest', '--write', '.'], ro);
      assert.equal(r2.status, 2, r2.stderr);
      assert.match(r2.stderr, /permission denied/);
    }
  });
});

describe('hostile: names and pipes', () => {
  it('escapes control characters of file names in human output', () => {
    const evil = 'x\u001b[2K\r__pycache__';
    const root = tree({ ...BASE, [`${evil}/a.pyc`]: 'x', [`${evil}.txt`]: 'y' });
    for (const args of [['ls', '.'], ['.'], ['clean', '.'], ['explain', `${evil}.txt`]]) {
      const r = run(args, root);
      assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /\u001b/, args.join(' '));
    }
    assert.match(run(['ls', '.'], root).stdout, /x\\x1b\[2K\\r__pycache__/);
  });

  it('output closed early ends quietly with the command\'s own exit code', { skip: process.platform === 'win32' ? 'needs sh' : false }, () => {
    const spec: TreeSpec = { ...BASE };
    for (let i = 0; i < 3000; i++) spec[`f/${i}.txt`] = 'x';
    const root = tree(spec);
    // `set -o pipefail` is not POSIX: take the status of ctxsize from a file instead.
    const status = (cmd: string): { err: string; rc: string } => {
      const r = spawnSync('sh', ['-c', `{ "${process.execPath}" "${BIN}" ${cmd} 2>err.txt; echo $? > rc.txt; } | head -1 > /dev/null`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.error, undefined);
      return { err: readFileSync(path.join(root, 'err.txt'), 'utf8'), rc: readFileSync(path.join(root, 'rc.txt'), 'utf8').trim() };
    };
    const ls = status('ls --json .');
    assert.equal(ls.rc, '0');
    assert.equal(ls.err, '');
    const gate = status('--max-size 1 .');
    assert.equal(gate.rc, '1');
  });

  it('the spinner never draws on a terminal of 0 columns', { skip: spawnSync('script', ['--version']).status === 0 ? false : 'script(1) is not available' }, () => {
    const spec: TreeSpec = { ...BASE };
    for (let i = 0; i < 2000; i++) spec[`d/${i % 50}/${i}.txt`] = 'x';
    const root = tree(spec);
    const r = spawnSync('script', ['-qec', `stty cols 0 rows 0 2>/dev/null; "${process.execPath}" "${BIN}" .`, '/dev/null'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, CI: undefined as unknown as string },
    });
    assert.equal((r.error as NodeJS.ErrnoException | undefined)?.code, undefined);
    assert.ok(r.stdout.length < 100_000, `the spinner wrote ${r.stdout.length} bytes`);
    assert.match(r.stdout, /Build context/);
  });
});

describe('hostile: links planted where the output\'s temporary file would go', () => {
  it('the old predictable names (<out>.<pid>.tmp) are not used, so a planted link redirects nothing', async () => {
    const { writeOutputFile } = await import('../src/output/write-file.js');
    const dir = makeTree({ 'victim.txt': 'keep me\n' });
    try {
      const out = path.join(dir, 'report.json');
      // Links at every name the old code could have picked, for this process.
      for (const name of [`report.json.${process.pid}.tmp`, `.report.json.${process.pid}.tmp`, 'report.json.tmp', '.report.json.tmp']) {
        symlinkSync(path.join(dir, 'victim.txt'), path.join(dir, name));
      }
      for (let i = 0; i < 20; i++) writeOutputFile('report.json', `{"run": ${i}}\n`, dir, 'output');
      assert.equal(readFileSync(path.join(dir, 'victim.txt'), 'utf8'), 'keep me\n');
      assert.equal(readFileSync(out, 'utf8'), '{"run": 19}\n');
      assert.ok(!lstatSync(out).isSymbolicLink());
      // Nothing left behind: the planted links, the victim and the output only.
      const { readdirSync } = await import('node:fs');
      assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp') && !lstatSync(path.join(dir, n)).isSymbolicLink()).length, 0);
    } finally {
      removeTree(dir);
    }
  });
});
