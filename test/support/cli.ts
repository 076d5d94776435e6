import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from .test-build/test). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(REPO, 'bin', 'ctxsize.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a user would, without colour. */
export function runCtxsize(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    // COLUMNS wide: human text wraps at 80 off a terminal, and assertions on a message want it on
    // one line; the tests of wrapping set COLUMNS themselves.
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '1000', ...options.env },
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

let reachable: { bin: string | null; reason: string } | undefined;

/**
 * The built CLI where an unprivileged user (`uid`, e.g. nobody) can run it. The checkout may sit
 * in a directory other users cannot enter (a root user's home, `mktemp -d`): then the built
 * package (bin, dist, package.json, node_modules) is copied once to a world-readable temporary
 * directory. Returns null, with the reason, when even that cannot run as `uid`.
 */
export function binForUser(uid: number): { bin: string | null; reason: string } {
  if (reachable) return reachable;
  const runs = (bin: string): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [bin, '--version'], { uid, gid: uid, encoding: 'utf8', env: { ...process.env, HOME: '/nonexistent' } });
  const direct = runs(BIN);
  if (!direct.error && direct.status === 0) return (reachable = { bin: BIN, reason: '' });
  try {
    const copy = mkdtempSync(path.join(tmpdir(), 'ctxsize-reachable-'));
    for (const part of ['bin', 'dist', 'node_modules', 'package.json']) {
      cpSync(path.join(REPO, part), path.join(copy, part), { recursive: true, dereference: true });
    }
    spawnSync('chmod', ['-R', 'a+rX', copy]);
    const bin = path.join(copy, 'bin', 'ctxsize.js');
    const copied = runs(bin);
    if (!copied.error && copied.status === 0) return (reachable = { bin, reason: '' });
    return (reachable = { bin: null, reason: `uid ${uid} cannot run the CLI, even from a copy in ${copy}: ${copied.error ?? copied.stderr}` });
  } catch (error) {
    return (reachable = { bin: null, reason: `cannot copy the CLI where uid ${uid} can run it: ${(error as Error).message}` });
  }
}
