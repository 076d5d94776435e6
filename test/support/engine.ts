/**
 * A real Docker engine with BuildKit for tests: the shared `docker-engine/start.sh` (a sibling
 * `shared/` folder of the checkout, or of the main checkout for a git worktree) starts dockerd
 * from Debian's packages. Tests that need it skip, with the reason, where it cannot start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The engine's scripts folder, or null. */
export function engineScripts(): string | null {
  const candidates = [path.resolve(repo, '../shared/tools/docker-engine')];
  const common = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repo, encoding: 'utf8' });
  if (common.status === 0) candidates.push(path.resolve(path.dirname(common.stdout.trim()), '../shared/tools/docker-engine'));
  if (process.env['CTXSIZE_ENGINE_SCRIPTS']) candidates.unshift(process.env['CTXSIZE_ENGINE_SCRIPTS']);
  return candidates.find((c) => existsSync(path.join(c, 'start.sh'))) ?? null;
}

/** A running engine: its CLI and the environment that points it at the socket. */
export interface Engine {
  docker: string;
  env: NodeJS.ProcessEnv;
  /** Stops dockerd if this process started it; one that was running before is left running. */
  stop(): void;
}

/** The pid in dockerd's pid file, if that process is alive. */
function runningDockerd(pidFile: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** Starts the engine (idempotent); a string says why it cannot. */
export function startEngine(): Engine | string {
  if (process.platform !== 'linux') return 'the engine runs on Linux only';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'starting dockerd needs root';
  const scripts = engineScripts();
  if (scripts === null) return 'no shared/tools/docker-engine/start.sh next to the checkout';
  for (const tool of ['apt-get', 'dpkg', 'gcc']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (start.sh needs it)`;
  }
  const dir = process.env['DOCKER_ENGINE_DIR'] ?? '/tmp/engine';
  const pidFile = path.join(dir, 'dockerd.pid');
  const wasRunning = runningDockerd(pidFile) !== null;
  const started = spawnSync('bash', [path.join(scripts, 'start.sh')], { encoding: 'utf8', timeout: 600_000, env: { ...process.env, DOCKER_ENGINE_DIR: dir } });
  if (started.status !== 0) return `the engine did not start: ${(started.stderr || String(started.error ?? '')).trim().split('\n').pop()}`;
  const socket = started.stdout.trim().split('\n').pop()!;
  return {
    docker: path.join(dir, 'root/usr/bin/docker'),
    env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: '1' },
    stop() {
      if (wasRunning) return;
      const pid = runningDockerd(pidFile);
      if (pid !== null) process.kill(pid, 'SIGTERM');
    },
  };
}

/** One vertex of a plain-progress build log: `[stage 2/4]` and whether it came from the cache. */
export interface BuiltStep {
  vertex: string;
  text: string;
  cached: boolean;
}

/** Builds `dir` with plain progress and returns its steps; throws with the log on failure. */
export function build(engine: Engine, dir: string, dockerfile = 'Dockerfile'): BuiltStep[] {
  const result = spawnSync(engine.docker, ['build', '--network=none', '--progress=plain', '-f', path.join(dir, dockerfile), '-t', 'ctxsize-cache-test', dir], {
    env: engine.env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const log = (result.stdout ?? '') + (result.stderr ?? '');
  if (result.status !== 0) throw new Error(`docker build failed:\n${log}`);
  const byId = new Map<string, BuiltStep>();
  for (const line of log.split('\n')) {
    const named = /^#(\d+) (\[[^\]]*\d+\/\d+\]) (.*)$/.exec(line);
    if (named) {
      if (!byId.has(named[1]!)) byId.set(named[1]!, { vertex: named[2]!, text: named[3]!, cached: false });
      continue;
    }
    const cached = /^#(\d+) CACHED$/.exec(line);
    if (cached && byId.has(cached[1]!)) byId.get(cached[1]!)!.cached = true;
  }
  return [...byId.values()];
}

let bases = 0;
/** Every base image this process built, for removeImages. */
export const built: string[] = [];

/**
 * A base image of its own (busybox with a unique file): every step built on it has cache keys no
 * other build shares, so a case starts cold without pruning the engine's cache, and test runs on
 * the same engine (other checkouts) cannot disturb each other. `extra` adds Dockerfile lines.
 */
export function freshBase(engine: Engine, extra: Record<string, string> = {}, lines: string[] = []): string {
  const name = `ctxsize-cache-test-${process.pid}-${Date.now()}-${bases++}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'ctxsize-base-'));
  try {
    writeFileSync(path.join(dir, 'Dockerfile'), ['FROM bbox', `RUN echo ${name} > /.base`, ...lines, ''].join('\n'));
    for (const [file, content] of Object.entries(extra)) writeFileSync(path.join(dir, file), content);
    const result = spawnSync(engine.docker, ['build', '--network=none', '-q', '-t', name, dir], { env: engine.env, encoding: 'utf8', timeout: 300_000 });
    if (result.status !== 0) throw new Error(`cannot build a base image: ${result.stderr}`);
    built.push(name);
    return name;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes the base images a test built (their cache records go with the engine's own GC). */
export function removeImages(engine: Engine, names: string[]): void {
  if (names.length > 0) spawnSync(engine.docker, ['rmi', '-f', ...names], { env: engine.env, encoding: 'utf8', timeout: 120_000 });
}
