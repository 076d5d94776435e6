import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO } from './support/cli.js';

/**
 * The package as a user gets it: `npm pack` of this checkout, installed from the tarball into an
 * empty project (dependencies come from the npm registry), then run with npx and imported as a
 * typed library. `npm test` builds dist/ first, so the pack skips the prepare script's rebuild.
 */

interface PackResult {
  filename: string;
  files: { path: string; size: number }[];
  unpackedSize: number;
}

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  engines?: { node?: string };
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  type?: string;
};

/** npm's own environment from `npm test` (lifecycle, package, local prefix) must not leak into the child npm. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(lifecycle_|package_|command$|config_local_prefix$|config_global_prefix$|config_prefix$)/i.test(key)) continue;
    if (key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

function run(command: string, args: string[], cwd: string, env = cleanEnv()): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

let work = '';
let pack: PackResult;
let project = '';
const installed = (): string => path.join(project, 'node_modules', 'ctxsize');

before(() => {
  for (const built of ['dist/index.js', 'dist/index.d.ts', 'dist/cli.js']) {
    assert.ok(existsSync(path.join(REPO, built)), `${built} is missing: build first (npm test does)`);
  }
  work = mkdtempSync(path.join(tmpdir(), 'ctxsize-package-'));
  const out = ok(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO), 'npm pack');
  pack = (JSON.parse(out) as PackResult[])[0]!;
  project = path.join(work, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'ctxsize-smoke', private: true, type: 'module' }, null, 2));
  ok(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, pack.filename)], project), 'npm install <tgz>');
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds only what a user needs: built JavaScript, declarations, README, LICENSE, bin', () => {
    // bin/package.json makes bin/ctxsize.js CommonJS; dist/bundle/ holds the command line's bundles.
    const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^bin\/ctxsize\.js$/, /^bin\/package\.json$/, /^dist\/.+\.js$/, /^dist\/.+\.d\.ts$/, /^dist\/bundle\/[a-z-]+\.cjs$/];
    const files = pack.files.map((f) => f.path).sort();
    for (const file of files) assert.ok(allowed.some((re) => re.test(file)), `${file} should not be in the package`);
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'bin/ctxsize.js', 'bin/package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'dist/bundle/ctxsize.cjs']) {
      assert.ok(files.includes(needed), `${needed} is missing from the package`);
    }
    assert.ok(!files.some((f) => /(^|\/)(test|bench|src|node_modules|\.test-build)\//.test(f) || f.endsWith('.map')));
    assert.ok(pack.unpackedSize < 3_000_000, `unpacked size ${pack.unpackedSize}`);
  });

  it('ships a declaration for every module, and no stale module without a source', () => {
    const files = new Set(pack.files.map((f) => f.path));
    for (const file of files) {
      if (!file.startsWith('dist/') || !file.endsWith('.js')) continue;
      assert.ok(files.has(file.replace(/\.js$/, '.d.ts')), `${file} has no .d.ts`);
      const source = path.join(REPO, 'src', file.slice('dist/'.length).replace(/\.js$/, '.ts'));
      assert.ok(existsSync(source), `${file} has no source (stale build output: rm -rf dist && npm run build)`);
    }
  });

  it('imports only Node built-ins and declared dependencies, in code and in declarations', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const declared = new Set(Object.keys(pkg.dependencies));
    const root = installed();
    const missing = new Set<string>();
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const abs = path.join(dir, entry.name);
        if (entry.isDirectory()) visit(abs);
        else if (entry.name.endsWith('.js') || entry.name.endsWith('.cjs') || entry.name.endsWith('.d.ts')) {
          const text = readFileSync(abs, 'utf8');
          for (const m of text.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
            const spec = (m[1] ?? m[2])!;
            if (spec.startsWith('.') || builtins.has(spec)) continue;
            const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
            if (!declared.has(name)) missing.add(`${path.relative(root, abs)}: ${spec}`);
          }
        }
      }
    };
    visit(path.join(root, 'dist'));
    visit(path.join(root, 'bin'));
    assert.deepEqual([...missing], [], 'imports of packages that are not dependencies');
  });

  it('states Node 20+ and exports the typed library API', () => {
    const manifest = JSON.parse(readFileSync(path.join(installed(), 'package.json'), 'utf8')) as typeof pkg;
    assert.equal(manifest.engines?.node, '>=20');
    assert.equal(manifest.type, 'module');
    const root = manifest.exports['.'] as Record<string, string>;
    assert.equal(root['types'], './dist/index.d.ts');
    assert.equal(root['import'], './dist/index.js');
    assert.equal(Object.keys(root)[0], 'types', 'types must come first for TypeScript to pick it');
    assert.equal(manifest.bin['ctxsize'], 'bin/ctxsize.js');
    assert.match(readFileSync(path.join(installed(), 'bin', 'ctxsize.js'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });
});

describe('installed from the tarball into an empty project', () => {
  const npx = (args: string[], cwd = project): SpawnSyncReturns<string> => run('npx', ['--no-install', 'ctxsize', ...args], cwd);

  it('npx ctxsize --version and --help work', () => {
    assert.equal(ok(npx(['--version']), 'ctxsize --version').trim(), pkg.version);
    const help = ok(npx(['--help']), 'ctxsize --help');
    assert.match(help, /^Usage: ctxsize/m);
    assert.match(help, /^Examples:/m);
    assert.match(ok(npx(['check', '--help']), 'ctxsize check --help'), /^Usage: ctxsize check/m);
  });

  it('measures a real context, with exit codes for gates', () => {
    const app = path.join(work, 'app');
    mkdirSync(path.join(app, 'node_modules', 'dep'), { recursive: true });
    mkdirSync(path.join(app, 'src'), { recursive: true });
    writeFileSync(path.join(app, 'Dockerfile'), 'FROM node:20-alpine\nCOPY package.json ./\nCOPY src ./src\n');
    writeFileSync(path.join(app, '.dockerignore'), '**/node_modules\n');
    writeFileSync(path.join(app, 'package.json'), '{}');
    writeFileSync(path.join(app, 'src', 'index.js'), 'console.log(1)\n'.repeat(10));
    writeFileSync(path.join(app, 'node_modules', 'dep', 'index.js'), 'x'.repeat(5000));
    const report = JSON.parse(ok(npx(['--json', app]), 'ctxsize --json')) as {
      schemaVersion: number;
      context: { files: number; bytes: number };
      excluded: { files: number; bytes: number };
    };
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.context.files, 4);
    assert.equal(report.excluded.bytes, 5000);
    const ls = ok(npx(['ls', '--effective', app]), 'ctxsize ls --effective').trim().split('\n').sort();
    assert.deepEqual(ls, ['package.json', 'src', 'src/index.js']);
    const over = npx(['--max-size', '100B', app]);
    assert.equal(over.status, 1, over.stderr);
    assert.match(over.stdout, /FAIL/);
    const typo = npx(['--max-sise', '1MB', app]);
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /did you mean --max-size\?/);
  });

  it('imports the library API from the package name, in ESM (and with require where Node allows it)', () => {
    const script = `import { measureContext, listContext, parseIgnoreFile } from 'ctxsize';
const r = measureContext({ dir: ${JSON.stringify(path.join(work, 'app'))} });
console.log(JSON.stringify({ files: r.context.files, entries: listContext({ dir: ${JSON.stringify(path.join(work, 'app'))} }).entries.length, rules: parseIgnoreFile('a\\n!b\\n').rules.length }));`;
    writeFileSync(path.join(project, 'use.mjs'), script);
    const out = JSON.parse(ok(run(process.execPath, ['use.mjs'], project), 'import ctxsize')) as Record<string, number>;
    assert.deepEqual(out, { files: 4, entries: 5, rules: 2 });
    if ((process.features as { require_module?: boolean }).require_module) {
      const cjs = ok(run(process.execPath, ['-e', "console.log(typeof require('ctxsize').measureContext)"], project), 'require ctxsize');
      assert.equal(cjs.trim(), 'function');
    }
  });

  it('type-checks a TypeScript user of the API against the installed declarations', () => {
    writeFileSync(
      path.join(project, 'use.ts'),
      `import { measureContext, checkContext, explainPath, type MeasureReport, type Finding, type Builder } from 'ctxsize';

const builder: Builder = 'classic';
const report: MeasureReport = measureContext({ dir: '.', builder });
const bytes: number = report.context.bytes + report.excluded.bytes;
const findings: Finding[] = checkContext({ dir: '.' }).findings;
const sent: boolean | undefined = explainPath('x', { dir: '.' }).builders[0]?.inContext;
// @ts-expect-error: the builder is 'buildkit' or 'classic'
measureContext({ builder: 'podman' });
// @ts-expect-error: a count is a number
const wrong: string = report.context.files;
export { bytes, findings, sent, wrong };
`,
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          // The declarations' own imports are checked above; checking all of @types/node is slow.
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [path.join(REPO, 'node_modules', '@types')],
        },
        files: ['use.ts', 'readme-example.ts'],
      }),
    );
    // The library example of docs/library.md must compile too.
    const page = readFileSync(path.join(REPO, 'docs', 'library.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(page)?.[1];
    assert.ok(example, 'docs/library.md has a TypeScript example');
    writeFileSync(path.join(project, 'readme-example.ts'), example + '\nexport {};\n');
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
    assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
  });
});
