// Bundles the command line for a fast start: `npm run build` runs this after tsc, on dist/.
//
// A command spends its first tens of milliseconds loading ctxsize's modules: about a hundred ES
// module files, each resolved, read and compiled on its own, through Node's ES module loader. The
// bundles are CommonJS files (no ES module loader at all) in dist/bundle/:
//   walkers.cjs         the measurement's thread pool, which bin/ctxsize.js loads first to start
//                       the walker thread before the rest (the CLI bundle requires it, so there
//                       is one pool);
//   ctxsize.cjs         the CLI (dist/cli.js) and every command;
//   measure-worker.cjs  the measurement's walker thread;
//   check-worker.cjs    check's second thread.
// esbuild's own install script only checks its binary, so package.json's allowScripts denies it
// (npm then runs no dependency's script; `npm ci --ignore-scripts` builds the same).
// The library (dist/index.js and the modules beside it) is not bundled. dist/runtime/
// package-files.js names the files a thread starts; in the bundles it names theirs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'bundle');

/** What runtime/package-files.js names, and what the bundles name instead. */
const BUNDLED_FILES = [
  ["'../measure/worker.js'", "'./measure-worker.cjs'"],
  ["'../check/second-thread-worker.js'", "'./check-worker.cjs'"],
];

/** The bundles' own runtime/package-files.js (dist/bundle/ is as deep as dist/runtime/). */
const bundledPackageFiles = {
  name: 'bundled-package-files',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]runtime[\\/]package-files\.js$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of BUNDLED_FILES) {
        if (!text.includes(from)) throw new Error(`${args.path} no longer names ${from}: update scripts/bundle.js`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/** The CLI bundle takes the thread pool from walkers.cjs, the one bin/ctxsize.js started. */
const sharedPool = {
  name: 'shared-pool',
  setup(b) {
    b.onResolve({ filter: /[\\/]pool\.js$/ }, (args) => {
      if (path.resolve(args.resolveDir, args.path) !== path.join(dist, 'measure', 'pool.js')) return undefined;
      return { path: './walkers.cjs', external: true };
    });
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // CommonJS has no import.meta: each bundle gets its own file's URL.
  define: { 'import.meta.url': '__ctxsizeFileUrl' },
  banner: { js: 'const __ctxsizeFileUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'silent',
  absWorkingDir: root,
};

const bundles = [
  { stdin: { contents: "export * from './measure/pool.js';\nexport { prestartWalkersFor } from './cli/early-walkers.js';\n", resolveDir: dist, sourcefile: 'walkers-entry.js' }, outfile: path.join(out, 'walkers.cjs'), plugins: [bundledPackageFiles] },
  { entryPoints: [path.join(dist, 'cli.js')], outfile: path.join(out, 'ctxsize.cjs'), plugins: [bundledPackageFiles, sharedPool] },
  { entryPoints: [path.join(dist, 'measure', 'worker.js')], outfile: path.join(out, 'measure-worker.cjs'), plugins: [bundledPackageFiles] },
  { entryPoints: [path.join(dist, 'check', 'second-thread-worker.js')], outfile: path.join(out, 'check-worker.cjs'), plugins: [bundledPackageFiles] },
];

const results = await Promise.all(bundles.map((options) => build({ ...common, ...options })));
const warnings = results.flatMap((r) => r.warnings);
if (warnings.length > 0) {
  for (const w of warnings) console.error(`bundle: ${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`);
  process.exit(1);
}
