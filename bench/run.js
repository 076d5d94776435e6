#!/usr/bin/env node
// The benchmark of issues 6 and 15: ctxsize against `du -sb` on the same tree, measured in one run.
//
//   npm run bench                      # builds, then: node bench/run.js
//   node bench/run.js --files 50000 --runs 5 --scale 1 --json
//
// It makes (or reuses) a deterministic synthetic monorepo (bench/make-tree.js), warms the cache,
// then times `du -sb DIR`, `ctxsize --json DIR` (with the tree's ignore file, with the 40-line
// bench/long.dockerignore, and with a Dockerfile that copies packages/ only), `ctxsize ls --json DIR`,
// `ctxsize check DIR` and `ctxsize suggest DIR` in alternating rounds
// (the order rotates each round, so drift on a shared machine hits every command alike), with
// hyperfine when it is installed and process.hrtime otherwise. Peak memory comes from
// `/usr/bin/time -v`. A linearity check times the same generator at SCALE times the size.
// Ratios are always between commands timed in the same run: absolute times on a shared machine
// are noise, ratios much less so.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_FILES, DEFAULT_SEED, ensureTree, treeKey, DEFAULT_BYTES_PER_ENTRY } from './make-tree.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(HERE);
const BIN = path.join(REPO, 'bin', 'ctxsize.js');
const SCHEMA_VERSION = 1;

const HELP = `Usage: node bench/run.js [options]        (npm run bench -- [options] builds first)

Times du -sb, ctxsize --json, ls --json, check and suggest on a synthetic monorepo, alternately,
and prints medians, ratios to du -sb measured in the same run, peak memory and a linearity check.

Options:
      --files N        entries in the tree (files, directories and links; default ${DEFAULT_FILES})
      --runs N         timed rounds, each command once per round (default 10)
      --warmup N       untimed runs of each command first, to warm the cache (default 2)
      --scale K        linearity check: also time a tree K times larger (default 5; 1 skips it)
      --scale-runs N   rounds of the linearity check (default: half of --runs, at least 3)
      --rss-runs N     runs of each command under /usr/bin/time -v for peak memory (default 3)
      --seed S         generator seed (default ${DEFAULT_SEED})
      --tree DIR       measure this existing directory instead of a generated tree (no linearity check)
      --bin PATH       the ctxsize entry point to run (default: bin/ctxsize.js of this checkout)
      --timer NAME     hyperfine or node (default: hyperfine when installed)
      --json           print one JSON document (schemaVersion ${SCHEMA_VERSION}) instead of the table
  -h, --help           show this help

Trees are cached in bench/.trees/ (git-ignored; delete it to reclaim the inodes).
Examples:
  npm run bench
  npm run bench -- --files 50000 --runs 5 --scale 1
  node bench/run.js --tree ~/src/monorepo --runs 7 --json > bench.json
`;

function log(line) {
  process.stderr.write(line + '\n');
}

function positive(flag, value, fallback, min = 1) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

class UsageError extends Error {}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Is this program on PATH and runnable? Returns its first output line, or null. */
function probe(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr).split('\n')[0].trim();
}

/** A command as hyperfine -N reads it (split like a shell, no shell run). */
function shellWord(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs each command once, in the order given, and returns their wall times (and CPU times when
 * the timer knows them), in seconds.
 */
function makeTimer(kind) {
  if (kind === 'hyperfine') {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'ctxsize-bench-'));
    const out = path.join(tmp, 'round.json');
    return {
      name: probe('hyperfine', ['--version']),
      round(commands) {
        const r = spawnSync(
          'hyperfine',
          ['-N', '--runs', '1', '--style', 'none', ...(commands.some((c) => c.okStatus) ? ['--ignore-failure'] : []), '--export-json', out, ...commands.map((c) => c.argv.map(shellWord).join(' '))],
          { encoding: 'utf8' },
        );
        if (r.status !== 0) throw new Error(`hyperfine failed (${r.status}): ${r.stderr || r.stdout}${diagnose(commands)}`);
        const { results } = JSON.parse(readFileSync(out, 'utf8'));
        return results.map((res) => ({ wall: res.times[0], user: res.user, system: res.system }));
      },
      close() {
        rmSync(tmp, { recursive: true, force: true });
      },
    };
  }
  return {
    name: `node ${process.version} process.hrtime`,
    round(commands) {
      return commands.map((c) => {
        const started = process.hrtime.bigint();
        const r = spawnSync(c.argv[0], c.argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
        const wall = Number(process.hrtime.bigint() - started) / 1e9;
        if (r.error || !(c.okStatus ?? [0]).includes(r.status)) throw new Error(`${c.label} failed (${r.status}): ${r.error?.message ?? r.stderr}`);
        return { wall, user: null, system: null };
      });
    },
    close() {},
  };
}

/** Which of these commands fails, and how (hyperfine only says that one did). */
function diagnose(commands) {
  for (const c of commands) {
    const r = spawnSync(c.argv[0], c.argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.error || r.status !== 0) return `\n${c.label} exits with ${r.status}: ${r.error?.message ?? r.stderr.trim()}`;
  }
  return '\n(each command succeeds when run again: a transient failure, for example dist/ being rebuilt)';
}

/**
 * Time `commands` in `rounds` rounds, each command once per round, the order rotated each round.
 * Returns per command its wall times (in round order) and CPU times.
 */
function alternate(timer, commands, rounds, label) {
  const samples = commands.map(() => ({ wall: [], cpu: [] }));
  for (let r = 0; r < rounds; r++) {
    const order = commands.map((_, i) => (i + r) % commands.length);
    const times = timer.round(order.map((i) => commands[i]));
    order.forEach((i, k) => {
      samples[i].wall.push(times[k].wall);
      if (times[k].user !== null) samples[i].cpu.push(times[k].user + times[k].system);
    });
    if (label && process.stderr.isTTY) process.stderr.write(`\r${label}: round ${r + 1}/${rounds}`);
  }
  if (label) process.stderr.write(process.stderr.isTTY ? '\n' : `${label}: ${rounds} rounds\n`);
  return samples;
}

/** Peak resident set size in KiB, by /usr/bin/time -v, or by a preloaded probe for Node. */
function peakRss(command, haveGnuTime) {
  if (haveGnuTime) {
    const r = spawnSync('/usr/bin/time', ['-v', ...command.argv], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
    if (!(command.okStatus ?? [0]).includes(r.status) || !m) throw new Error(`/usr/bin/time -v ${command.label} failed: ${r.stderr}`);
    return Number(m[1]);
  }
  if (command.argv[0] !== process.execPath) return null;
  const code = `import{writeSync}from'node:fs';process.on('exit',()=>writeSync(2,'\\nbench-maxrss-kib='+process.resourceUsage().maxRSS+'\\n'))`;
  const argv = [process.execPath, '--import', 'data:text/javascript,' + encodeURIComponent(code), ...command.argv.slice(1)];
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /bench-maxrss-kib=(\d+)/.exec(r.stderr ?? '');
  return m ? Number(m[1]) : null;
}

const FS_TYPES = { 0xef53: 'ext4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs', 0x65735546: 'fuse' };

function machine(dir) {
  const cpus = os.cpus();
  let fsType = null;
  try {
    const t = statfsSync(dir).type;
    fsType = FS_TYPES[t] ?? `0x${t.toString(16)}`;
  } catch {
    // statfs is informative only
  }
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    fs: fsType,
    /** 1-minute load average when timing started: above the core count, other work competed. */
    loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

function summarize(samples, duSamples) {
  const wall = samples.wall;
  const paired = wall.map((t, i) => t / duSamples.wall[i]);
  return {
    medianS: median(wall),
    minS: Math.min(...wall),
    maxS: Math.max(...wall),
    cpuMedianS: samples.cpu.length ? median(samples.cpu) : null,
    ratioToDu: median(wall) / median(duSamples.wall),
    pairedRatioToDu: median(paired),
    timesS: wall,
  };
}

const fmtS = (s) => (s < 10 ? s.toFixed(3) : s.toFixed(2)) + ' s';
const fmtMB = (kib) => (kib === null ? 'n/a' : ((kib * 1024) / 1e6).toFixed(1) + ' MB');
const fmtN = (n) => n.toLocaleString('en-US');

async function main() {
  const { values } = parseArgs({
    options: {
      files: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      scale: { type: 'string' },
      'scale-runs': { type: 'string' },
      'rss-runs': { type: 'string' },
      seed: { type: 'string' },
      tree: { type: 'string' },
      bin: { type: 'string' },
      timer: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const files = positive('--files', values.files, DEFAULT_FILES);
  const runs = positive('--runs', values.runs, 10);
  const warmup = positive('--warmup', values.warmup, 2, 0);
  const scale = values.tree ? 1 : positive('--scale', values.scale, 5);
  const scaleRuns = positive('--scale-runs', values['scale-runs'], Math.max(3, Math.round(runs / 2)));
  const rssRuns = positive('--rss-runs', values['rss-runs'], 3);
  const seed = positive('--seed', values.seed, DEFAULT_SEED, 0);

  const bin = values.bin ? path.resolve(values.bin) : BIN;
  if (values.bin ? !existsSync(bin) : !existsSync(path.join(REPO, 'dist', 'cli.js'))) {
    throw new UsageError(values.bin ? `--bin: ${values.bin}: not found` : 'dist/ is missing: run `npm run bench` (it builds first) or `npm run build`');
  }
  const hyperfine = probe('hyperfine', ['--version']);
  let timerKind = values.timer ?? (hyperfine ? 'hyperfine' : 'node');
  if (timerKind !== 'hyperfine' && timerKind !== 'node') throw new UsageError(`--timer: expected hyperfine or node, got ${timerKind}`);
  if (timerKind === 'hyperfine' && !hyperfine) {
    if (values.timer) throw new UsageError('--timer hyperfine: hyperfine is not installed');
    timerKind = 'node';
  }
  if (!hyperfine) log('hyperfine is not installed: timing with process.hrtime around spawnSync instead (install hyperfine for finer timing)');
  const haveGnuTime = probe('/usr/bin/time', ['-V']) !== null || existsSync('/usr/bin/time');
  if (!haveGnuTime) log('/usr/bin/time is missing: peak memory of ctxsize comes from process.resourceUsage(), of du is not measured');

  // ---- the trees (made before any timing, so that writing them disturbs nothing)
  let tree;
  if (values.tree) {
    const root = path.resolve(values.tree);
    if (!existsSync(root)) throw new UsageError(`--tree: ${values.tree}: no such directory`);
    tree = { root, key: null, manifest: null };
  } else {
    const made = ensureTree({ files, seed, bytesPerEntry: DEFAULT_BYTES_PER_ENTRY }, log);
    tree = { root: made.root, key: treeKey(made.manifest.params), manifest: made.manifest };
  }
  let big = null;
  if (scale > 1) {
    try {
      const made = ensureTree({ files: files * scale, seed, bytesPerEntry: DEFAULT_BYTES_PER_ENTRY }, log);
      big = { root: made.root, key: treeKey(made.manifest.params), manifest: made.manifest };
    } catch (error) {
      log(`linearity check skipped: ${error.message}`);
    }
  }

  const du = (root, tag = '') => ({ label: `du -sb DIR${tag}`, argv: ['du', '-sb', root] });
  const measure = (root, tag = '') => ({ label: `ctxsize --json DIR${tag}`, argv: [process.execPath, bin, '--json', root] });
  const ls = (root, tag = '') => ({ label: `ctxsize ls --json DIR${tag}`, argv: [process.execPath, bin, 'ls', '--json', root] });
  // check exits 1 when it finds an error (a --tree of the user's may hold one): that is a result, not a failure.
  const check = (root, tag = '') => ({ label: `ctxsize check DIR${tag}`, argv: [process.execPath, bin, 'check', root], okStatus: [0, 1] });
  const suggest = (root, tag = '') => ({ label: `ctxsize suggest DIR${tag}`, argv: [process.execPath, bin, 'suggest', root] });
  // Other builds of the same tree, each a Dockerfile outside it with its `<Dockerfile>.dockerignore`
  // (BuildKit reads that one instead of the tree's), so the tree stays as generated.
  const treeIgnore = path.join(tree.root, '.dockerignore');
  const buildOf = (label, dockerfile, ignore) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ctxsize-bench-build-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    writeFileSync(path.join(dir, 'Dockerfile.dockerignore'), ignore);
    return { label, argv: [process.execPath, bin, '--json', '-f', path.join(dir, 'Dockerfile'), tree.root] };
  };
  // A long, realistic ignore file.
  const measureLong = buildOf(
    'ctxsize --json DIR (40-line ignore file)',
    'FROM node:20-slim\nWORKDIR /app\nCOPY . .\n',
    readFileSync(path.join(HERE, 'long.dockerignore')),
  );
  // A Dockerfile that copies only some paths, as most do: the effective context's own walk.
  const measureSome = buildOf(
    'ctxsize --json DIR (COPY packages/ only)',
    'FROM node:20-slim\nWORKDIR /app\nCOPY package.json ./\nCOPY packages ./packages\n',
    existsSync(treeIgnore) ? readFileSync(treeIgnore) : '',
  );
  // The last one is not a target: it shows what Node.js and loading ctxsize cost before any walk.
  const startup = { label: 'ctxsize --version (startup)', argv: [process.execPath, bin, '--version'] };
  const commands = [du(tree.root), measure(tree.root), ls(tree.root), check(tree.root), suggest(tree.root), measureLong, measureSome, startup];

  // ---- what ctxsize reports must match what the generator made
  const first = spawnSync(process.execPath, [bin, '--json', tree.root], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (first.status !== 0) throw new Error(`ctxsize --json failed (${first.status}): ${first.stderr}`);
  const report = JSON.parse(first.stdout);
  const lsCheck = spawnSync(process.execPath, [bin, 'ls', '--json', tree.root], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const lsEntries = lsCheck.stdout.split('\n').filter(Boolean).length;
  const all = report.all;
  if (tree.manifest) {
    const m = tree.manifest;
    if (all.files !== m.files || all.bytes !== m.bytes || all.dirs !== m.dirs || all.symlinks !== m.symlinks) {
      throw new Error(`ctxsize disagrees with the generator: ${JSON.stringify(all)} vs ${JSON.stringify(m)}`);
    }
  }
  const sentEntries = report.context.files + report.context.dirs + report.context.symlinks + report.context.other;
  if (lsEntries !== sentEntries) log(`warning: ctxsize ls listed ${lsEntries} entries, ctxsize --json counts ${sentEntries} sent`);
  const entries = all.files + all.dirs + all.symlinks + all.other;

  const timer = makeTimer(timerKind);
  const machineAtStart = machine(tree.root);
  try {
    // ---- warm the cache, then the alternating rounds
    if (warmup > 0) alternate(timer, commands, warmup, 'warm-up');
    const samples = alternate(timer, commands, runs, 'timing');
    const rss = commands.map(() => []);
    for (let r = 0; r < rssRuns; r++) commands.forEach((c, i) => rss[i].push(peakRss(c, haveGnuTime)));
    const results = commands.map((c, i) => ({
      command: c.label,
      argv: c.argv,
      ...summarize(samples[i], samples[0]),
      peakRssKiB: rss[i].every((x) => x !== null) ? Math.max(...rss[i]) : null,
    }));

    // ---- linearity: the same generator at 1x and Kx, alternating
    let linearity = null;
    if (big) {
      // Each command at 1x and Kx; the 1x figures come from the same rounds, so drift cancels.
      const kinds = { du, measure, ls, check, suggest };
      const lin = Object.values(kinds).flatMap((make) => [make(tree.root, ' (1x)'), make(big.root, ` (${scale}x)`)]);
      alternate(timer, lin, 1, null);
      const s = alternate(timer, lin, scaleRuns, `linearity ${scale}x`);
      const bigEntries = big.manifest.entries;
      const entryRatio = bigEntries / tree.manifest.entries;
      linearity = { scale, entries: { base: tree.manifest.entries, scaled: bigEntries, ratio: entryRatio }, rounds: scaleRuns };
      Object.keys(kinds).forEach((name, k) => {
        const [base, scaled] = [median(s[2 * k].wall), median(s[2 * k + 1].wall)];
        const rss = name === 'du' ? null : { base: results[commands.findIndex((c) => c.label === lin[2 * k].label.replace(' (1x)', ''))]?.peakRssKiB ?? null, scaled: peakRss(lin[2 * k + 1], haveGnuTime) };
        linearity[name] = {
          baseS: base,
          scaledS: scaled,
          ratio: scaled / base,
          ratioPerEntry: scaled / base / entryRatio,
          peakRssKiB: rss,
          rssRatioPerEntry: rss && rss.base && rss.scaled ? rss.scaled / rss.base / entryRatio : null,
        };
      });
    }

    const limitKiB = 150e6 / 1024;
    const [, mR, lsR, checkR, suggestR, longR, someR] = results;
    const under150 = (r) => r.peakRssKiB !== null && r.peakRssKiB < limitKiB;
    const targets = {
      measureWithin1_5xOfDu: { pass: mR.ratioToDu <= 1.5, value: mR.ratioToDu },
      // Issue 15's targets: check and suggest within 2x of du -sb, under 150 MB.
      checkWithin2xOfDu: { pass: checkR.ratioToDu <= 2 && under150(checkR), value: checkR.ratioToDu, peakRssKiB: checkR.peakRssKiB },
      suggestWithin2xOfDu: { pass: suggestR.ratioToDu <= 2 && under150(suggestR), value: suggestR.ratioToDu, peakRssKiB: suggestR.peakRssKiB },
      // Not one of issue 6's targets: the same bar, under a long, realistic ignore file.
      measureLongIgnoreWithin1_5xOfDu: { pass: longR.ratioToDu <= 1.5, value: longR.ratioToDu },
      measureSomePathsWithin1_5xOfDu: { pass: someR.ratioToDu <= 1.5, value: someR.ratioToDu },
      measureParityWithDu: { pass: mR.ratioToDu <= 1.0, value: mR.ratioToDu },
      lsNotSlowerThanMeasure: { pass: lsR.medianS <= mR.medianS, value: lsR.medianS / mR.medianS },
      peakRssUnder150MB: {
        pass: mR.peakRssKiB !== null && lsR.peakRssKiB !== null && Math.max(mR.peakRssKiB, lsR.peakRssKiB) < limitKiB,
        value: Math.max(mR.peakRssKiB ?? 0, lsR.peakRssKiB ?? 0),
      },
      linearTime: linearity ? { pass: linearity.measure.ratioPerEntry <= 1.1, value: linearity.measure.ratio } : null,
      // Time and memory of every command grow linearly or better (10% of slack for noise).
      linearAll: linearity
        ? {
            pass: ['measure', 'ls', 'check', 'suggest'].every((n) => linearity[n].ratioPerEntry <= 1.1 && (linearity[n].rssRatioPerEntry ?? 0) <= 1.1),
            value: Math.max(...['measure', 'ls', 'check', 'suggest'].map((n) => linearity[n].ratioPerEntry)),
          }
        : null,
    };

    const doc = {
      schemaVersion: SCHEMA_VERSION,
      date: new Date().toISOString(),
      machine: { ...machineAtStart, loadAverageAfter: Math.round(os.loadavg()[0] * 100) / 100 },
      ctxsize: {
        bin,
        version: probe(process.execPath, [bin, '--version']),
        commit: probe('git', ['-C', path.dirname(path.dirname(bin)), 'rev-parse', '--short', 'HEAD']),
      },
      timer: timer.name,
      runs,
      warmup,
      rssRuns,
      tree: {
        root: tree.root,
        key: tree.key,
        generated: tree.manifest !== null,
        entries,
        files: all.files,
        dirs: all.dirs,
        symlinks: all.symlinks,
        bytes: all.bytes,
        context: { entries: sentEntries, bytes: report.context.bytes },
      },
      results,
      linearity,
      targets,
    };
    if (values.json) {
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    } else {
      process.stdout.write(formatText(doc));
    }
  } finally {
    timer.close();
  }
  return 0;
}

function formatText(doc) {
  const { tree, machine: mc } = doc;
  const lines = [];
  lines.push(
    `tree: ${tree.key ?? tree.root}: ${fmtN(tree.entries)} entries (${fmtN(tree.files)} files, ${fmtN(tree.dirs)} dirs, ` +
      `${fmtN(tree.symlinks)} symlinks), ${(tree.bytes / 1e6).toFixed(0)} MB in files; the ignore file sends ${fmtN(tree.context.entries)} entries`,
  );
  lines.push(`machine: ${mc.cores} cores (${mc.cpu}), ${mc.memoryGiB} GiB, ${mc.os}, ${mc.fs ?? 'fs ?'}, Node ${mc.node}`);
  lines.push(`ctxsize ${doc.ctxsize.version ?? '?'}${doc.ctxsize.commit ? ` (commit ${doc.ctxsize.commit})` : ''}: ${doc.ctxsize.bin}`);
  lines.push(`load average: ${mc.loadAverage} at the start, ${mc.loadAverageAfter} at the end${mc.loadAverage > mc.cores ? ' (a busy machine: absolute times are inflated, ratios less so)' : ''}`);
  lines.push(`timer: ${doc.timer}; ${doc.runs} alternating rounds after ${doc.warmup} warm-up rounds; peak RSS: max of ${doc.rssRuns} runs under /usr/bin/time -v`);
  lines.push('');
  const header = ['command', 'median', 'min', 'max', 'cpu', 'vs du -sb', 'paired', 'peak RSS'];
  const rows = doc.results.map((r) => [
    r.command,
    fmtS(r.medianS),
    fmtS(r.minS),
    fmtS(r.maxS),
    r.cpuMedianS === null ? 'n/a' : fmtS(r.cpuMedianS),
    r.ratioToDu.toFixed(2) + 'x',
    r.pairedRatioToDu.toFixed(2) + 'x',
    fmtMB(r.peakRssKiB),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmtRow = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  lines.push(fmtRow(header));
  for (const r of rows) lines.push(fmtRow(r));
  lines.push('("vs du -sb": ratio of the medians; "paired": median of the per-round ratios; cpu: user + system)');
  const lin = doc.linearity;
  if (lin) {
    lines.push('');
    lines.push(`linearity (${lin.scale}x: ${fmtN(lin.entries.scaled)} entries, ${lin.rounds} alternating rounds):`);
    for (const name of ['du', 'measure', 'ls', 'check', 'suggest']) {
      const x = lin[name];
      const rss = x.peakRssKiB ? `; peak RSS ${fmtMB(x.peakRssKiB.base)} -> ${fmtMB(x.peakRssKiB.scaled)}` : '';
      lines.push(`  ${name.padEnd(7)} ${fmtS(x.baseS)} -> ${fmtS(x.scaledS)} = ${x.ratio.toFixed(2)}x time${rss}`);
    }
  }
  const t = doc.targets;
  const mark = (x) => (x === null ? 'skipped' : x.pass ? 'met' : 'MISSED');
  const K = lin ? lin.scale : 'K';
  const targetRows = [
    ['ctxsize --json within 1.5x of du -sb', t.measureWithin1_5xOfDu, `${t.measureWithin1_5xOfDu.value.toFixed(2)}x`],
    ['ctxsize --json at parity with du -sb (aim)', t.measureParityWithDu, `${t.measureParityWithDu.value.toFixed(2)}x`],
    ['ctxsize ls --json no slower than --json', t.lsNotSlowerThanMeasure, `${t.lsNotSlowerThanMeasure.value.toFixed(2)}x the time`],
    ['peak RSS under 150 MB', t.peakRssUnder150MB, fmtMB(t.peakRssUnder150MB.value)],
    [`time linear in entries (${K}x tree, <= ~${K}x time)`, t.linearTime, t.linearTime ? `${t.linearTime.value.toFixed(2)}x for ${lin.entries.ratio.toFixed(2)}x entries` : ''],
    ['ctxsize check within 2x of du -sb, < 150 MB', t.checkWithin2xOfDu, `${t.checkWithin2xOfDu.value.toFixed(2)}x, ${fmtMB(t.checkWithin2xOfDu.peakRssKiB)}`],
    ['ctxsize suggest within 2x of du -sb, < 150 MB', t.suggestWithin2xOfDu, `${t.suggestWithin2xOfDu.value.toFixed(2)}x, ${fmtMB(t.suggestWithin2xOfDu.peakRssKiB)}`],
    [`all four linear in time and memory (${K}x tree)`, t.linearAll, t.linearAll ? `worst ${t.linearAll.value.toFixed(2)}x per entry` : ''],
  ];
  const w = Math.max(...targetRows.map((r) => r[0].length));
  lines.push('');
  lines.push('targets (issues 6 and 15):');
  for (const [what, result, detail] of targetRows) lines.push(`  ${what.padEnd(w)}  ${mark(result)}${detail ? ` (${detail})` : ''}`);
  const long = t.measureLongIgnoreWithin1_5xOfDu;
  lines.push(`beyond them: ctxsize --json with bench/long.dockerignore (40 lines, an exception with a wildcard) ${long.value.toFixed(2)}x du -sb;`);
  lines.push(`             with a Dockerfile that copies packages/ only (the effective context's own walk) ${t.measureSomePathsWithin1_5xOfDu.value.toFixed(2)}x`);
  return lines.join('\n') + '\n';
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`bench: ${error instanceof UsageError ? '' : 'error: '}${error.message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
