import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listContext, type Builder } from '../../src/index.js';
import { readTar, startFakeDockerDaemon, type BuildRequest, type FakeDockerDaemon } from './fake-docker-daemon.js';
import { CASE_KINDS, describeCase, generateCases, materializeCase, shrinkCase, type CaseKind, type RandomCase } from './random-cases.js';

/**
 * Compare ctxsize's classic-builder listing with what the real Docker CLI uploads, case by case.
 * The exported helpers back test/docker-conformance.test.ts; run directly, this file is a fuzzer
 * (a development tool, not a test):
 *
 *     npx tsc -p tsconfig.json && npx tsc -p tsconfig.test.json
 *     node .test-build/test/support/fuzz-docker.js --cases 3000 --seed 7 [--kind exotic] [--jobs 4]
 *       [--no-shrink] [--max-reports N] [--skip-ignore-chars '{}|']
 *
 * Each mismatch is shrunk against Docker and printed with the tree, the ignore file, the
 * Dockerfile path and the entries each side has that the other lacks.
 */

export interface ContextEntry {
  path: string;
  type: string;
  size: number;
}

/** What a builder does with a context: the entries it sends, or that it refuses the build. */
export type Outcome = { entries: ContextEntry[] } | { error: string };

const byPath = (a: ContextEntry, b: ContextEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The Docker CLI to test against (`$DOCKER_CLI` or `docker`), or why there is none. */
export function findDocker(): { cli: string; version: string } | { missing: string } {
  const cli = process.env['DOCKER_CLI'] ?? 'docker';
  const r = spawnSync(cli, ['--version'], { encoding: 'utf8' });
  if (r.error) return { missing: `${cli}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}` };
  if (r.status !== 0) return { missing: `${cli} --version exited with ${r.status}: ${r.stderr.trim()}` };
  return { cli, version: r.stdout.trim() };
}

/** The entries of an uploaded context tar, as ctxsize types them (a hard link is a file). */
export function contextFromTar(tar: Buffer): ContextEntry[] {
  const members = readTar(tar);
  const sizes = new Map(members.map((m) => [m.path, m.size]));
  return members
    .map((m) => ({
      path: m.path,
      type: m.type === 'hardlink' ? 'file' : m.type,
      size: m.type === 'hardlink' ? (sizes.get(m.linkname) ?? -1) : m.size,
    }))
    .sort(byPath);
}

export interface DockerBuildResult {
  status: number | null;
  stderr: string;
  /** The build request, when the CLI got as far as uploading the context. */
  build: BuildRequest | undefined;
}

let buildCounter = 0;

/** Run `docker build -f DOCKERFILE DIR` with the classic builder against the fake daemon. */
export function runDockerBuild(
  daemon: FakeDockerDaemon,
  cli: string,
  contextDir: string,
  dockerfile: string,
  configDir: string,
): Promise<DockerBuildResult> {
  const id = `${process.pid}-${++buildCounter}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_BUILDKIT: '0', DOCKER_HOST: daemon.host, DOCKER_CONFIG: configDir };
  for (const name of ['DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION']) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['build', '-q', '--build-arg', `CTXSIZE_BUILD=${id}`, '-f', dockerfile, contextDir], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr: stripDeprecation(stderr), build: daemon.findBuild('CTXSIZE_BUILD', id) });
    });
  });
}

function stripDeprecation(stderr: string): string {
  return stderr
    .replace(/DEPRECATED: The legacy builder is deprecated[\s\S]*?environment-variable\.\n*/, '')
    .trim();
}

/** ctxsize's answer for a materialized case. */
export function ctxsizeOutcome(root: string, dockerfile: string, builder: Builder): Outcome {
  try {
    const listing = listContext({ dir: root, builder, dockerfile: path.join(root, dockerfile) });
    return { entries: listing.entries.map((e) => ({ path: e.path, type: e.type, size: e.size })).sort(byPath) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** Null when both agree, else a short description of the difference. */
export function diffOutcomes(docker: Outcome, ctxsize: Outcome): string | null {
  if ('error' in docker && 'error' in ctxsize) return null;
  if ('error' in docker) return `Docker refuses the build (${docker.error}); ctxsize lists ${(ctxsize as { entries: unknown[] }).entries.length} entries`;
  if ('error' in ctxsize) return `ctxsize fails (${ctxsize.error}); Docker sends ${docker.entries.length} entries`;
  const key = (e: ContextEntry): string => `${JSON.stringify(e.path)} ${e.type} ${e.size}`;
  const want = new Set(docker.entries.map(key));
  const got = new Set(ctxsize.entries.map(key));
  const missing = [...want].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !want.has(k));
  if (missing.length === 0 && extra.length === 0 && docker.entries.length === ctxsize.entries.length) return null;
  const lines: string[] = [];
  if (missing.length) lines.push(`  sent by Docker, not listed by ctxsize:\n${missing.map((k) => '    ' + k).join('\n')}`);
  if (extra.length) lines.push(`  listed by ctxsize, not sent by Docker:\n${extra.map((k) => '    ' + k).join('\n')}`);
  if (!lines.length) lines.push('  the same entries, a different count (duplicates)');
  return lines.join('\n');
}

/** One case's verdict. */
export interface CaseCheck {
  case: RandomCase;
  docker: Outcome;
  ctxsize: Outcome;
  /** Null when ctxsize agrees with Docker. */
  mismatch: string | null;
  /** Set when the comparison itself could not be made (the CLI failed after uploading, say). */
  infrastructureError?: string;
}

/** Run one case through the real Docker CLI (classic builder) and through ctxsize. */
export async function checkClassicCase(daemon: FakeDockerDaemon, cli: string, c: RandomCase, configDir: string): Promise<CaseCheck> {
  const root = mkdtempSync(path.join(tmpdir(), 'ctxsize-docker-'));
  try {
    materializeCase(c, root);
    const ctxsize = ctxsizeOutcome(root, c.dockerfile, 'classic');
    const result = await runDockerBuild(daemon, cli, root, path.join(root, c.dockerfile), configDir);
    let docker: Outcome;
    if (result.build !== undefined) {
      if (result.status !== 0) {
        return { case: c, docker: { error: result.stderr }, ctxsize, mismatch: null, infrastructureError: `docker build exited ${result.status} after uploading: ${result.stderr}` };
      }
      docker = { entries: contextFromTar(result.build.context) };
    } else if (result.status === 0) {
      return { case: c, docker: { error: 'no upload' }, ctxsize, mismatch: null, infrastructureError: 'docker build succeeded without uploading a context' };
    } else {
      docker = { error: result.stderr || `exit ${result.status}` };
    }
    return { case: c, docker, ctxsize, mismatch: diffOutcomes(docker, ctxsize) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Run `items` through `work` with at most `jobs` in flight, in order of completion. */
export async function runPool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>, onResult: (r: R) => void): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      onResult(await work(item));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
}

function formatOutcome(o: Outcome): string {
  if ('error' in o) return `  error: ${o.error.split('\n').join('\n         ')}`;
  return o.entries.map((e) => `  ${JSON.stringify(e.path)} ${e.type} ${e.size}`).join('\n') || '  (no entries)';
}

/** A printable report of a (shrunk) mismatch. */
export function formatMismatch(check: CaseCheck): string {
  return [
    describeCase(check.case),
    `Docker (classic builder):`,
    formatOutcome(check.docker),
    `ctxsize --builder classic:`,
    formatOutcome(check.ctxsize),
    `difference:`,
    check.mismatch ?? '(none)',
    `as JSON: ${JSON.stringify(check.case)}`,
  ].join('\n');
}

interface FuzzOptions {
  cases: number;
  seed: number;
  kinds: CaseKind[];
  jobs: number;
  shrink: boolean;
  maxReports: number;
  /** Skip cases whose ignore files contain any of these characters (to look past a known bug). */
  skipIgnoreChars: string;
}

function parseArgs(argv: string[]): FuzzOptions {
  const options: FuzzOptions = { cases: 2000, seed: 1, kinds: [...CASE_KINDS], jobs: 4, shrink: true, maxReports: 50, skipIgnoreChars: '' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--cases') options.cases = Number(value());
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--kind') options.kinds = value().split(',') as CaseKind[];
    else if (arg === '--jobs') options.jobs = Number(value());
    else if (arg === '--no-shrink') options.shrink = false;
    else if (arg === '--max-reports') options.maxReports = Number(value());
    else if (arg === '--skip-ignore-chars') options.skipIgnoreChars = value();
    else {
      throw new Error(
        `unknown option ${arg} (--cases N --seed N --kind plain,allow-list,exotic --jobs N --no-shrink --max-reports N --skip-ignore-chars CHARS)`,
      );
    }
  }
  for (const k of options.kinds) if (!CASE_KINDS.includes(k)) throw new Error(`unknown kind ${k}`);
  return options;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const docker = findDocker();
  if ('missing' in docker) {
    console.error(`docker CLI not found: ${docker.missing}`);
    return 2;
  }
  const daemon = await startFakeDockerDaemon();
  const configDir = mkdtempSync(path.join(tmpdir(), 'ctxsize-docker-config-'));
  const skip = [...options.skipIgnoreChars];
  const touchesSkipped = (c: RandomCase): boolean =>
    c.tree.some((e) => e.type === 'file' && e.path.endsWith('dockerignore') && skip.some((ch) => (e.content ?? '').includes(ch)));
  const generated = generateCases(options.seed, options.cases, options.kinds);
  const cases = skip.length ? generated.filter((c) => !touchesSkipped(c)) : generated;
  if (cases.length < generated.length) console.error(`skipping ${generated.length - cases.length} cases whose ignore files contain ${JSON.stringify(options.skipIgnoreChars)}`);
  const stats = new Map<string, { run: number; dockerErrors: number; mismatches: number; infra: number }>();
  const mismatches: CaseCheck[] = [];
  const started = Date.now();
  console.error(`fuzzing ${cases.length} cases (seed ${options.seed}, ${options.kinds.join(', ')}) against ${docker.version}`);
  try {
    let done = 0;
    await runPool(cases, options.jobs, (c) => checkClassicCase(daemon, docker.cli, c, configDir), (check) => {
      const s = stats.get(check.case.kind) ?? { run: 0, dockerErrors: 0, mismatches: 0, infra: 0 };
      stats.set(check.case.kind, s);
      s.run++;
      if ('error' in check.docker) s.dockerErrors++;
      if (check.infrastructureError) {
        s.infra++;
        console.error(`${check.case.id}: ${check.infrastructureError}`);
      } else if (check.mismatch !== null) {
        s.mismatches++;
        mismatches.push(check);
      }
      if (++done % 250 === 0) console.error(`  ${done}/${cases.length} (${mismatches.length} mismatches)`);
    });

    for (const [i, check] of mismatches.slice(0, options.maxReports).entries()) {
      let report = check;
      if (options.shrink) {
        const small = await shrinkCase(check.case, async (candidate) => (await checkClassicCase(daemon, docker.cli, candidate, configDir)).mismatch !== null);
        report = await checkClassicCase(daemon, docker.cli, small, configDir);
        if (report.mismatch === null) report = check; // flaky shrink: show the original
      }
      console.log(`\n=== mismatch ${i + 1}/${mismatches.length}: ${check.case.id}${options.shrink ? ' (shrunk)' : ''}`);
      console.log(formatMismatch(report));
    }
  } finally {
    await daemon.close();
    rmSync(configDir, { recursive: true, force: true });
  }
  console.log(`\n${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${options.seed}`);
  for (const [kind, s] of stats) {
    console.log(`  ${kind}: ${s.run} run, Docker refused ${s.dockerErrors}, mismatches ${s.mismatches}, harness errors ${s.infra}`);
  }
  return mismatches.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 3;
    },
  );
}
