import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './cli.js';
import { makeTree } from './tree.js';

/**
 * The real Buildah (Podman's build engine) as a judge: `../shared/tools/buildah/context.sh` next
 * to the checkout (or where CTXSIZE_BUILDAH_TOOLS points) lists what `COPY . /ctx/` copies from a
 * directory, after `setup.sh` unpacked Debian's buildah (root, apt access to Debian's mirror).
 */

export interface ListedEntry {
  path: string;
  type: string;
  size: number;
}

/** What Buildah copies, or that it refuses the build (with its message). */
export type BuildahAnswer = { entries: ListedEntry[] } | { error: true; message: string };

export interface CaseTreeEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink' | 'fifo';
  content?: string;
  target?: string;
}

/** Build a conformance case's tree (parents listed before children) in a new temporary directory. */
export function buildCaseTree(tree: readonly CaseTreeEntry[]): string {
  const root = makeTree({});
  for (const e of tree) {
    const abs = path.join(root, e.path);
    if (e.type === 'dir') mkdirSync(abs);
    else if (e.type === 'file') writeFileSync(abs, e.content ?? '');
    else if (e.type === 'fifo') spawnSync('mkfifo', [abs]);
    else symlinkSync(e.target!, abs);
  }
  return root;
}

function toolsDir(): string {
  return process.env['CTXSIZE_BUILDAH_TOOLS'] ?? path.resolve(REPO, '..', 'shared', 'tools', 'buildah');
}

/** The context.sh to run, or why the real Buildah cannot run here (set it up when we may). */
export function findBuildah(): { contextSh: string } | { missing: string } {
  const dir = toolsDir();
  const contextSh = path.join(dir, 'context.sh');
  if (!existsSync(contextSh)) return { missing: `${contextSh} not found (set CTXSIZE_BUILDAH_TOOLS to the buildah tools folder)` };
  const root = process.env['BUILDAH_ROOT'] ?? '/tmp/buildah';
  if (!existsSync(path.join(root, 'root/usr/bin/buildah'))) {
    if (process.getuid?.() !== 0) return { missing: 'buildah is not set up, and setting it up needs root' };
    const setup = spawnSync(path.join(dir, 'setup.sh'), [], { encoding: 'utf8' });
    if (setup.status !== 0) return { missing: `setup.sh failed: ${(setup.stderr || setup.stdout).trim().split('\n').pop()}` };
  }
  // A trivial build proves that buildah runs here (chroot isolation needs root).
  const probe = makeTree({ Containerfile: 'FROM scratch\n', a: 'x' });
  const r = spawnSync(contextSh, ['--json', probe], { encoding: 'utf8' });
  spawnSync('rm', ['-rf', probe]);
  if (r.status !== 0 || !r.stdout.includes('"path":"a"')) return { missing: `buildah does not run here: ${(r.stderr || r.stdout).trim().split('\n').pop()}` };
  return { contextSh };
}

function parse(status: number | null, stdout: string, stderr: string): BuildahAnswer {
  if (status === 2) return { error: true, message: stderr.trim() };
  if (status !== 0) throw new Error(`context.sh failed (${status}): ${stderr.trim()}`);
  const entries = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ListedEntry);
  return { entries };
}

/**
 * Builds side by side share the private image store, and now and then one fails to commit its
 * image after copying ("layer not known"): a failure of the store, not Buildah refusing the
 * context. Such answers are asked again.
 */
const storeHiccup = (a: BuildahAnswer): boolean => 'error' in a && /layer not known|committing the finished image|copying layers and metadata/.test(a.message);

/** What the real Buildah copies from `dir` (with `-f dockerfile` when given). */
export function listWithBuildah(contextSh: string, dir: string, dockerfile?: string): BuildahAnswer {
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync(contextSh, ['--json', dir, ...(dockerfile ? [dockerfile] : [])], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const answer = parse(r.status, r.stdout, r.stderr);
    if (!storeHiccup(answer) || attempt === 2) return answer;
  }
}

/** The same, without blocking (to run a few builds side by side). */
export async function listWithBuildahAsync(contextSh: string, dir: string, dockerfile?: string): Promise<BuildahAnswer> {
  for (let attempt = 0; ; attempt++) {
    const answer = await listOnce(contextSh, dir, dockerfile);
    if (!storeHiccup(answer) || attempt === 2) return answer;
  }
}

function listOnce(contextSh: string, dir: string, dockerfile?: string): Promise<BuildahAnswer> {
  return new Promise((resolve, reject) => {
    execFile(contextSh, ['--json', dir, ...(dockerfile ? [dockerfile] : [])], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        resolve(parse(error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr));
      } catch (e) {
        reject(e);
      }
    });
  });
}
