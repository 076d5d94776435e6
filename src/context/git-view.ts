/**
 * Git's view of a context directory, the evidence advice rests on: a tracked file is source until
 * shown otherwise; a path git ignores is an artifact (a build output, a dependency folder) that a
 * fresh clone does not have. ctxsize asks `git` itself (it knows nested .gitignore files, the
 * global excludes file, info/exclude and the index); without git or outside a repository there is
 * no view, and advice that needs one says "review" instead.
 */
import { spawnSync } from 'node:child_process';

/** What git says about paths below the context root (all paths relative to it, `/`-separated). */
export interface GitView {
  /** Files git tracks below the root. */
  readonly tracked: ReadonlySet<string>;
  /** Is this path tracked, or a directory holding a tracked file? */
  holdsTracked(path: string): boolean;
  /**
   * Which of these paths git ignores (they need not exist: `.build/linux-amd64/app` is ignored
   * when `.build/` is). A tracked path is never ignored.
   */
  ignored(paths: readonly string[]): Set<string>;
}

/** Environment for git: English messages, and none of the variables that would point it elsewhere. */
export function gitEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANGUAGE: 'C', GIT_OPTIONAL_LOCKS: '0' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE', 'GIT_PREFIX']) {
    delete env[name];
  }
  return env;
}

function git(root: string, args: string[], input?: Buffer): { status: number | null; stdout: Buffer } | null {
  const result = spawnSync('git', args, { cwd: root, env: gitEnvironment(), encoding: 'buffer', maxBuffer: 1 << 30, ...(input ? { input } : {}) });
  if (result.error) return null;
  return { status: result.status, stdout: result.stdout };
}

/**
 * Ask git about `root` (absolute). Returns null when git is missing, the directory is not in a
 * work tree, or git fails.
 */
export function readGitView(root: string): GitView | null {
  const inside = git(root, ['rev-parse', '--is-inside-work-tree']);
  if (inside === null || inside.status !== 0 || inside.stdout.toString().trim() !== 'true') return null;
  const listing = git(root, ['ls-files', '-z']);
  if (listing === null || listing.status !== 0) return null;
  const tracked = new Set(listing.stdout.toString('utf8').split('\0').filter(Boolean));
  const dirs = new Set<string>();
  for (const file of tracked) {
    for (let i = file.lastIndexOf('/'); i > 0; i = file.lastIndexOf('/', i - 1)) {
      const dir = file.slice(0, i);
      if (dirs.has(dir)) break;
      dirs.add(dir);
    }
  }
  const cache = new Map<string, boolean>();
  return {
    tracked,
    holdsTracked: (p) => tracked.has(p) || dirs.has(p),
    ignored(paths) {
      const ask = [...new Set(paths)].filter((p) => p !== '' && !p.startsWith('../') && !cache.has(p) && !p.includes('\0'));
      if (ask.length > 0) {
        const result = git(root, ['check-ignore', '-z', '--stdin'], Buffer.from(ask.join('\0') + '\0'));
        // Status 1: none is ignored; anything else but 0 is a failure, and then nothing is known.
        const hits = result !== null && result.status === 0 ? new Set(result.stdout.toString('utf8').split('\0').filter(Boolean)) : new Set<string>();
        for (const p of ask) cache.set(p, hits.has(p) && !tracked.has(p));
      }
      return new Set(paths.filter((p) => cache.get(p) === true));
    },
  };
}
