import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { BIN, REPO, runCtxsize } from './support/cli.js';
import { withTree, type TreeSpec } from './support/tree.js';

/**
 * bin/ctxsize.js runs the command line from the CommonJS bundles in dist/bundle/ (scripts/bundle.js);
 * the library is the compiled modules. The bundles must name only files they have, share one
 * walker pool, and print exactly what the modules print.
 */

const BUNDLE = path.join(REPO, 'dist', 'bundle');

function bundles(): string[] {
  return readdirSync(BUNDLE).filter((name) => name.endsWith('.cjs'));
}

/** The same command line from the compiled modules instead of the bundles. */
function runModules(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number; stdout: string; stderr: string } {
  const cli = pathToFileURL(path.join(REPO, 'dist', 'cli.js')).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const { runCli } = await import(${JSON.stringify(cli)}); process.exitCode = await runCli(process.argv.slice(1));`, '--', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '1000', ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Enough entries for the walk's threads and for check's second thread (after 4,000 entries). */
function busyTree(): TreeSpec {
  const spec: TreeSpec = {
    Dockerfile: 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
    '.dockerignore': '**/node_modules\n*.log\n',
    'package.json': '{"name":"busy"}\n',
    'config/.env': 'DATABASE_PASSWORD=hunter2-but-longer\n',
    'debug.log': 'x'.repeat(3000),
  };
  for (let p = 0; p < 6; p++) {
    for (let f = 0; f < 40; f++) spec[`packages/p${p}/src/m${f}.ts`] = `export const v${f} = ${f};\n`;
    for (let d = 0; d < 25; d++) for (let f = 0; f < 30; f++) spec[`packages/p${p}/node_modules/dep${d}/lib/f${f}.js`] = 'y'.repeat(d + f);
  }
  return spec;
}

describe('the command-line bundles', () => {
  it('are built, and bin/ctxsize.js is CommonJS that loads them', () => {
    assert.deepEqual(bundles().sort(), ['check-worker.cjs', 'ctxsize.cjs', 'measure-worker.cjs', 'walkers.cjs']);
    assert.equal((JSON.parse(readFileSync(path.join(REPO, 'bin', 'package.json'), 'utf8')) as { type: string }).type, 'commonjs');
    const bin = readFileSync(BIN, 'utf8');
    assert.match(bin, /require\('\.\.\/dist\/bundle\/walkers\.cjs'\)/);
    assert.match(bin, /require\('\.\.\/dist\/bundle\/ctxsize\.cjs'\)/);
  });

  it('name only files that exist beside them (threads, package.json)', () => {
    let named = 0;
    for (const name of bundles()) {
      const text = readFileSync(path.join(BUNDLE, name), 'utf8');
      assert.doesNotMatch(text, /import\.meta/, `${name}: CommonJS has no import.meta`);
      for (const m of text.matchAll(/new URL\("([^"]+)", __ctxsizeFileUrl\)/g)) {
        const rel = m[1]!;
        if (rel === '.' || rel.includes('no-such-')) continue; // the file system probes' own names
        named++;
        assert.ok(existsSync(path.join(BUNDLE, rel)), `${name} names ${rel}, which is not there`);
      }
    }
    // package.json, and each thread's code, named by every bundle that holds package-files.
    assert.ok(named >= 3, `only ${named} files named`);
    const cli = readFileSync(path.join(BUNDLE, 'ctxsize.cjs'), 'utf8');
    assert.match(cli, /new URL\("\.\/measure-worker\.cjs", __ctxsizeFileUrl\)/);
    assert.match(cli, /new URL\("\.\/check-worker\.cjs", __ctxsizeFileUrl\)/);
  });

  it('share one walker pool: the CLI takes the walkers that bin/ctxsize.js started', () => {
    const cli = readFileSync(path.join(BUNDLE, 'ctxsize.cjs'), 'utf8');
    assert.match(cli, /require\("\.\/walkers\.cjs"\)/);
    assert.doesNotMatch(cli, /function startPool\(/, 'a second copy of the pool would start its own walkers');
    assert.match(readFileSync(path.join(BUNDLE, 'walkers.cjs'), 'utf8'), /function startPool\(/);
  });

  it('print what the compiled modules print, for every command that walks, with their threads', async () => {
    await withTree(busyTree(), (root) => {
      const runs: string[][] = [['--json', '.'], ['ls', '--json', '.'], ['check', '--json', '.'], ['suggest', '--json', '.'], ['.']];
      for (const args of runs) {
        const bundled = runCtxsize(args, { cwd: root, env: { CTXSIZE_CHECK_THREAD: '1' } });
        const modules = runModules(args, root, { CTXSIZE_CHECK_THREAD: '1' });
        assert.equal(bundled.stderr, modules.stderr, args.join(' '));
        assert.equal(bundled.status, modules.status, args.join(' '));
        assert.equal(bundled.stdout, modules.stdout, args.join(' '));
        assert.ok(bundled.stdout.length > 100, `${args.join(' ')} printed ${bundled.stdout}`);
      }
      // The check found the secret: its second thread's scan reached the file.
      assert.match(runCtxsize(['check', '--json', '.'], { cwd: root, env: { CTXSIZE_CHECK_THREAD: '1' } }).stdout, /config\/\.env/);
    });
  });

  it('missing (a checkout compiled with tsc alone): one line that says to build, exit 3', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'ctxsize-nobundle-'));
    try {
      cpSync(path.join(REPO, 'bin'), path.join(copy, 'bin'), { recursive: true });
      cpSync(path.join(REPO, 'package.json'), path.join(copy, 'package.json'));
      const r = spawnSync(process.execPath, [path.join(copy, 'bin', 'ctxsize.js'), '--version'], { encoding: 'utf8' });
      assert.equal(r.status, 3);
      assert.equal(r.stderr, `ctxsize: ${path.join(copy, 'dist', 'bundle')} is missing: run npm run build\n`);
      assert.equal(r.stdout, '');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('print the version and the help as the modules do', () => {
    for (const args of [['--version'], ['--help'], ['help', 'check'], ['suggest', '--help']]) {
      const bundled = runCtxsize(args);
      assert.equal(bundled.status, 0, args.join(' '));
      assert.equal(bundled.stdout, runModules(args, REPO).stdout, args.join(' '));
    }
  });
});
