#!/usr/bin/env node
// Builds a deterministic synthetic monorepo for the benchmark: nested workspace packages with
// src/, test/, dist/ and node_modules/, a hoisted node_modules/, a .git with loose objects and a
// pack, docs and assets. Files are sparse (ftruncate), so `du -sb` and lstat see the real
// apparent size while the disk holds almost nothing but inodes and directory blocks.
//
// The same parameters give the same tree, byte for byte in names, sizes and link targets; a tree
// is cached under bench/.trees/<key>/ and reused. Usage:
//
//   node bench/make-tree.js [--files N] [--seed S] [--bytes-per-entry B] [--out DIR]
//
// prints the tree's root and its manifest (entries, files, dirs, symlinks, bytes).

import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Bump when the generator changes: cached trees of an older version are not reused. */
export const GENERATOR_VERSION = 1;
export const DEFAULT_FILES = 190_000;
/** 780 MB over 190,000 entries, the shape of the monorepo that issue 6 measured. */
export const DEFAULT_BYTES_PER_ENTRY = 4105;
export const DEFAULT_SEED = 1;
export const TREES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '.trees');

export const DOCKERIGNORE = `# what a monorepo typically keeps out of its build context
.git
**/node_modules
**/dist
coverage
**/*.log
!README.md
`;

export const DOCKERFILE = `FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci && npm run build
CMD ["node", "packages/api/dist/index.js"]
`;

/** mulberry32: small, fast and the same on every platform. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'core util utils api app auth cache client config data db event http io json log model parse ' +
  'query render router schema server shared store stream task test types ui user view web worker ' +
  'format graph index loader plugin queue retry session token upload validate widget color date ' +
  'path glob async buffer crypto diff error fetch hash lang math mime node object proxy react ' +
  'semver string style table time tree url uuid vector yaml zod lodash chalk debug ms'
).split(' ');
const SCOPES = ['@babel', '@types', '@esbuild', '@jest', '@typescript-eslint', '@smithy', '@aws-sdk', '@acme'];
const HOOKS = [
  'applypatch-msg', 'commit-msg', 'fsmonitor-watchman', 'post-update', 'pre-applypatch', 'pre-commit',
  'pre-merge-commit', 'pre-push', 'pre-rebase', 'pre-receive', 'prepare-commit-msg', 'push-to-checkout', 'update',
];

/**
 * Walks the plan of the tree: calls sink.dir / sink.file / sink.link in creation order (parents
 * first). The entry budget is `files`; `topUp` is the number of bytes given to the few big files
 * (a git pack, videos) so that the apparent size reaches files * bytesPerEntry.
 */
export function plan({ files: budget, seed }, topUp, sink) {
  const rnd = prng(seed);
  let made = 0;
  const left = () => budget - made;
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const chance = (p) => rnd() < p;
  const gauss = () => {
    const u = 1 - rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const logNormal = (median, sigma, max = Infinity) => Math.min(max, Math.round(median * Math.exp(sigma * gauss())));
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)];
    return s;
  };
  const name = () => (chance(0.5) ? pick(WORDS) : pick(WORDS) + '-' + pick(WORDS));

  const dir = (p) => {
    made++;
    sink.dir(p);
    return p;
  };
  const file = (p, size) => {
    made++;
    sink.file(p, Math.max(0, Math.round(size)));
  };
  const link = (p, target) => {
    made++;
    sink.link(p, target);
  };
  /** A namer that never gives the same name twice (within one directory). */
  const unique = () => {
    const used = new Set();
    return (base, ext) => {
      let n = base + ext;
      for (let i = 2; used.has(n); i++) n = `${base}${i}${ext}`;
      used.add(n);
      return n;
    };
  };

  // A source tree: nested directories of modules; returns the module paths (without extension)
  // so that dist/ can mirror them.
  const sourceTree = (root, count, exts, median, area) => {
    const modules = [];
    const dirs = [''];
    const namer = new Map([['', unique()]]);
    for (let i = 0; i < count && area() > 1; i++) {
      if (chance(0.12) && dirs.length < 1 + count / 4) {
        const parent = pick(dirs);
        const depth = parent === '' ? 0 : parent.split('/').length;
        if (depth < 4) {
          const d = (parent === '' ? '' : parent + '/') + namer.get(parent)(name(), '');
          dir(root + '/' + d);
          dirs.push(d);
          namer.set(d, unique());
          continue;
        }
      }
      const parent = pick(dirs);
      const base = namer.get(parent)(name(), '');
      const mod = (parent === '' ? '' : parent + '/') + base;
      file(`${root}/${mod}${pick(exts)}`, logNormal(median, 1.0, 400_000));
      modules.push(mod);
    }
    return { modules, dirs };
  };

  // One npm package as installed in node_modules.
  const npmPackage = (root, area, nested) => {
    dir(root);
    file(root + '/package.json', logNormal(1400, 0.6));
    if (chance(0.85)) file(root + '/README.md', logNormal(5000, 1.0));
    if (chance(0.8)) file(root + '/LICENSE', 1070 + int(0, 60));
    if (chance(0.25)) file(root + '/CHANGELOG.md', logNormal(12_000, 1.2));
    const layout = pick(['lib', 'dist', 'build', 'src', '']);
    const count = logNormal(10, 1.2, 900);
    const codeRoot = layout === '' ? root : dir(root + '/' + layout);
    const { modules } = sourceTree(codeRoot, count, ['.js', '.js', '.cjs', '.mjs', '.d.ts', '.js.map'], 1400, area);
    if (modules.length > 0 && chance(0.01)) file(`${codeRoot}/${modules[0]}.node`, logNormal(800_000, 0.6));
    if (!nested && chance(0.08) && area() > 40) {
      const nm = dir(root + '/node_modules');
      const names = unique();
      for (let k = int(1, 3); k > 0 && area() > 20; k--) npmPackage(nm + '/' + names(name(), ''), area, true);
    }
    return modules;
  };

  // ---- the root
  file('Dockerfile', DOCKERFILE.length);
  file('.dockerignore', DOCKERIGNORE.length);
  file('package.json', 2400);
  file('package-lock.json', budget * 9);
  file('README.md', 8200);
  file('tsconfig.json', 640);
  file('.gitignore', 180);
  file('.editorconfig', 220);
  file('npm-debug.log', 48_000);

  // ---- .git: 9% of the entries
  const gitEnd = made + Math.round(budget * 0.09);
  const gitArea = () => gitEnd - made;
  dir('.git');
  for (const f of ['HEAD', 'config', 'description', 'packed-refs', 'ORIG_HEAD', 'FETCH_HEAD']) file('.git/' + f, int(20, 900));
  file('.git/index', budget * 95);
  dir('.git/hooks');
  for (const h of HOOKS) file(`.git/hooks/${h}.sample`, int(400, 4800));
  dir('.git/info');
  file('.git/info/exclude', 240);
  dir('.git/refs');
  dir('.git/refs/heads');
  dir('.git/refs/tags');
  dir('.git/refs/remotes');
  dir('.git/refs/remotes/origin');
  for (let i = 0; i < 24; i++) file(`.git/refs/heads/feature-${name()}-${i}`, 41);
  dir('.git/logs');
  file('.git/logs/HEAD', logNormal(60_000, 0.5));
  dir('.git/objects');
  dir('.git/objects/info');
  dir('.git/objects/pack');
  const packId = hex(40);
  file(`.git/objects/pack/pack-${packId}.idx`, budget * 28);
  file(`.git/objects/pack/pack-${packId}.pack`, Math.round(topUp * 0.6));
  const fanout = Math.min(256, Math.max(1, Math.floor(gitArea() / 8)));
  for (let d = 0; d < fanout && gitArea() > 1; d++) {
    const prefix = d.toString(16).padStart(2, '0');
    dir('.git/objects/' + prefix);
    const n = Math.floor(gitArea() / (fanout - d));
    const seen = new Set();
    for (let i = 0; i < n - 1 && gitArea() > 0; i++) {
      let h = hex(38);
      while (seen.has(h)) h = hex(38);
      seen.add(h);
      file(`.git/objects/${prefix}/${h}`, logNormal(700, 1.3, 2_000_000));
    }
  }

  // ---- the hoisted node_modules: 50%
  const nmEnd = made + Math.round(budget * 0.5);
  const nmArea = () => nmEnd - made;
  dir('node_modules');
  dir('node_modules/.bin');
  file('node_modules/.package-lock.json', budget * 6);
  const scopes = new Set();
  const installed = new Set();
  while (nmArea() > 30) {
    let pkg = name();
    if (chance(0.18)) {
      const scope = pick(SCOPES);
      if (!scopes.has(scope)) {
        scopes.add(scope);
        dir('node_modules/' + scope);
      }
      pkg = scope + '/' + pkg;
    }
    if (installed.has(pkg)) pkg += '-' + hex(4);
    if (installed.has(pkg)) continue;
    installed.add(pkg);
    const modules = npmPackage('node_modules/' + pkg, nmArea, false);
    if (chance(0.1) && modules.length > 0) {
      const bin = pkg.replace(/^@[^/]+\//, '') + (chance(0.5) ? '' : '-cli');
      if (!installed.has('.bin/' + bin)) {
        installed.add('.bin/' + bin);
        link('node_modules/.bin/' + bin, `../${pkg}/${modules[0]}.js`);
      }
    }
  }

  // ---- workspace packages: 36%
  const pkEnd = made + Math.round(budget * 0.36);
  const pkArea = () => pkEnd - made;
  dir('packages');
  const workspaces = [];
  const wsNames = unique();
  while (pkArea() > 20) {
    const ws = wsNames(name(), '');
    workspaces.push(ws);
    const root = dir('packages/' + ws);
    file(root + '/package.json', logNormal(1200, 0.4));
    file(root + '/README.md', logNormal(3000, 0.8));
    file(root + '/tsconfig.json', 420);
    const size = logNormal(260, 0.9, 6000);
    const src = dir(root + '/src');
    const { modules, dirs } = sourceTree(src, Math.round(size * 0.45), ['.ts', '.ts', '.tsx', '.json'], 2000, pkArea);
    if (chance(0.7) && pkArea() > 10) {
      const test = dir(root + '/test');
      sourceTree(test, Math.round(size * 0.15), ['.test.ts'], 3500, pkArea);
    }
    // dist/ mirrors src/: .js, .d.ts and .js.map per module (skipped when the budget runs out)
    if (pkArea() > modules.length * 3 + dirs.length) {
      const dist = dir(root + '/dist');
      for (const d of dirs) if (d !== '') dir(dist + '/' + d);
      for (const m of modules) {
        file(`${dist}/${m}.js`, logNormal(1800, 1.0));
        file(`${dist}/${m}.d.ts`, logNormal(400, 0.8));
        file(`${dist}/${m}.js.map`, logNormal(2500, 1.0));
      }
    }
    if (chance(0.2)) file(root + '/debug.log', logNormal(20_000, 1));
    if (pkArea() > 40) {
      const nm = dir(root + '/node_modules');
      dir(nm + '/.bin');
      for (let k = int(0, 3); k > 0; k--) link(`${nm}/.bin/${pick(WORDS)}-${k}`, `../${pick(WORDS)}/bin/cli.js`);
      dir(nm + '/@acme');
      for (const other of workspaces.slice(-3, -1)) link(`${nm}/@acme/${other}`, `../../../${other}`);
      const names = unique();
      for (let k = int(0, 2); k > 0 && pkArea() > 30; k--) npmPackage(`${nm}/${names(name(), '')}`, pkArea, true);
    }
  }

  // ---- docs, assets and coverage: the rest
  const restArea = () => budget - made;
  dir('docs');
  dir('docs/guide');
  dir('assets');
  dir('assets/images');
  dir('assets/video');
  file('assets/video/intro.mp4', Math.round(topUp * 0.25));
  file('assets/video/demo-résumé.mp4', Math.round(topUp * 0.15));
  dir('coverage');
  const docNames = unique();
  const imgNames = unique();
  const covNames = unique();
  while (restArea() > 0) {
    const r = rnd();
    if (r < 0.4) file('docs/guide/' + docNames(name(), '.md'), logNormal(6000, 0.9));
    else if (r < 0.7) file('assets/images/' + imgNames(name(), pick(['.png', '.jpg', '.svg', '.webp'])), logNormal(25_000, 1.1, 30_000_000));
    else file('coverage/' + covNames(name(), '.html'), logNormal(8000, 0.8));
  }
}

/** The key of a tree in the cache: everything that decides its content. */
export function treeKey({ files, seed, bytesPerEntry }) {
  return `monorepo-v${GENERATOR_VERSION}-n${files}-s${seed}-b${bytesPerEntry}`;
}

/** Count what a plan makes, without touching the disk. */
function countPlan(params, topUp) {
  const m = { entries: 0, files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  plan(params, topUp, {
    dir() {
      m.entries++;
      m.dirs++;
    },
    file(_p, size) {
      m.entries++;
      m.files++;
      m.bytes += size;
    },
    link() {
      m.entries++;
      m.symlinks++;
    },
  });
  return m;
}

/**
 * The manifest of a tree: what it holds (entries below the root, regular files and their
 * summed sizes, as ctxsize counts them in `all`) and how it was made.
 */
export function describeTree(params) {
  const base = countPlan(params, 0);
  const target = params.files * params.bytesPerEntry;
  const topUp = Math.max(0, target - base.bytes);
  const counts = countPlan(params, topUp);
  return { generator: GENERATOR_VERSION, params, topUp, ...counts };
}

/** Write the tree under `root` (which must not exist). */
function writeTree(params, topUp, root) {
  mkdirSync(root, { recursive: true });
  const at = (p) => root + '/' + p;
  plan(params, topUp, {
    dir(p) {
      mkdirSync(at(p));
    },
    file(p, size) {
      let content = null;
      if (p === 'Dockerfile') content = DOCKERFILE;
      else if (p === '.dockerignore') content = DOCKERIGNORE;
      if (content !== null) return writeFileSync(at(p), content);
      const fd = openSync(at(p), 'w');
      // Sparse: the size is real for lstat and `du -sb`, the blocks are not allocated.
      if (size > 0) ftruncateSync(fd, size);
      closeSync(fd);
    },
    link(p, target) {
      symlinkSync(target, at(p));
    },
  });
}

/** Free space and inodes where the tree would go; throws when the tree would not fit. */
export function checkRoom(dir, manifest) {
  mkdirSync(dir, { recursive: true });
  const fs = statfsSync(dir);
  const freeInodes = fs.ffree;
  const freeBytes = fs.bavail * fs.bsize;
  // Real usage is the inodes plus the directory blocks (the files are sparse).
  const needBytes = manifest.dirs * 8192 + manifest.entries * 256 + 64 * 1024 * 1024;
  const needInodes = manifest.entries + 10_000;
  if (freeInodes > 0 && freeInodes < needInodes) {
    throw new Error(`${dir}: ${freeInodes} free inodes, the tree needs ${needInodes}; pick a smaller --files`);
  }
  if (freeBytes < needBytes) {
    throw new Error(`${dir}: ${Math.round(freeBytes / 2 ** 20)} MiB free, the tree needs about ${Math.round(needBytes / 2 ** 20)} MiB`);
  }
}

/**
 * Return the cached tree for these parameters, making it first when needed. The tree is written
 * next to its final place and renamed when complete, so an interrupted run leaves no half tree.
 */
export function ensureTree(options = {}, log = () => {}) {
  const params = {
    files: options.files ?? DEFAULT_FILES,
    seed: options.seed ?? DEFAULT_SEED,
    bytesPerEntry: options.bytesPerEntry ?? DEFAULT_BYTES_PER_ENTRY,
  };
  const base = path.resolve(options.out ?? TREES_DIR);
  const dir = path.join(base, treeKey(params));
  const root = path.join(dir, 'tree');
  const manifestPath = path.join(dir, 'manifest.json');
  if (existsSync(manifestPath) && existsSync(root)) {
    return { root, manifest: JSON.parse(readFileSync(manifestPath, 'utf8')), cached: true };
  }
  const manifest = describeTree(params);
  checkRoom(base, manifest);
  rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  log(`making ${treeKey(params)}: ${manifest.entries.toLocaleString('en-US')} entries, ${(manifest.bytes / 1e6).toFixed(0)} MB (sparse)…`);
  const started = Date.now();
  writeTree(params, manifest.topUp, path.join(tmp, 'tree'));
  writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  renameSync(tmp, dir);
  log(`made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { root, manifest, cached: false };
}

function main() {
  const { values } = parseArgs({
    options: {
      files: { type: 'string' },
      seed: { type: 'string' },
      'bytes-per-entry': { type: 'string' },
      out: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: node bench/make-tree.js [--files N] [--seed S] [--bytes-per-entry B] [--out DIR] [--dry-run]\n' +
        `Makes (or finds in ${path.relative(process.cwd(), TREES_DIR) || TREES_DIR}) the synthetic monorepo and prints its root and manifest.\n`,
    );
    return;
  }
  const number = (flag, value, fallback) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
  const options = {
    files: number('--files', values.files, DEFAULT_FILES),
    seed: number('--seed', values.seed, DEFAULT_SEED),
    bytesPerEntry: number('--bytes-per-entry', values['bytes-per-entry'], DEFAULT_BYTES_PER_ENTRY),
    out: values.out,
  };
  if (values['dry-run']) {
    process.stdout.write(JSON.stringify(describeTree(options), null, 2) + '\n');
    return;
  }
  const { root, manifest } = ensureTree(options, (line) => process.stderr.write(line + '\n'));
  process.stdout.write(root + '\n' + JSON.stringify(manifest, null, 2) + '\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`make-tree: ${error.message}\n`);
    process.exitCode = 1;
  }
}
