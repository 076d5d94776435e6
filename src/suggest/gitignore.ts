/**
 * `.gitignore` files: what git ignores among the context's paths (read with the `ignore` package,
 * which implements git's rules), and the `.dockerignore` line each entry becomes.
 *
 * Git and Docker read patterns differently (reference section 2):
 * - a git pattern without a slash (other than a trailing one) matches at any depth below its file's
 *   directory: `node_modules` is `**\/node_modules` in a `.dockerignore`;
 * - a git pattern with a slash is relative to its file's directory: `/build` is `build`, and in
 *   `web/.gitignore` `src/gen` is `web/src/gen`;
 * - a trailing slash (`dist/`) matches directories only in git; Docker has no such form (`dist`
 *   there matches a file too), so a conversion is checked against the tree;
 * - `[!a]` is `[^a]` for Docker;
 * - git cannot re-include a path below an ignored directory; Docker can.
 * The conversion is a proposal; the caller verifies it against what git ignores in the tree.
 *
 * Several files combine as git combines them: every file's patterns are rewritten relative to one
 * base (the repository's top, or the context root outside a repository) and added shallowest
 * first, so that a deeper file's patterns, added later, win.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';
import { goFilepathMatch } from '../dockerignore/go-glob.js';
import type { ContextTree, DiskRecord } from './engine.js';
import { literalPattern } from './patterns.js';
import { describeReadError, InputFileError, readInputText } from '../input/read-file.js';
import { InputError } from '../context/resolve.js';

/** A `.gitignore` line, parsed as git reads it. */
export interface GitPattern {
  negative: boolean;
  /** The glob, without `!`, leading `/` or trailing `/`; escapes kept as written. */
  body: string;
  /** A trailing `/`: directories only. */
  dirOnly: boolean;
  /** Relative to the file's directory (a slash at the start or in the middle). */
  anchored: boolean;
}

/** Parse one `.gitignore` line; null for blank lines and comments. */
export function parseGitignoreLine(raw: string): GitPattern | null {
  let text = raw;
  // Trailing spaces go unless a backslash quotes them.
  text = text.replace(/(?<!\\)((?:\\\\)*) +$/, '$1');
  if (text === '' || text.startsWith('#')) return null;
  let negative = false;
  if (text.startsWith('!')) {
    negative = true;
    text = text.slice(1);
  }
  let dirOnly = false;
  if (text.endsWith('/') && !text.endsWith('\\/')) {
    dirOnly = true;
    text = text.replace(/\/+$/, '');
  }
  let anchored = false;
  if (text.startsWith('/')) {
    anchored = true;
    text = text.replace(/^\/+/, '');
  }
  if (text.includes('/')) anchored = true;
  if (text === '') return null;
  return { negative, body: text, dirOnly, anchored };
}

/** Git's `[!…]` class negation is Docker's (Go's) `[^…]`; the rest of the glob syntax is shared. */
function gitGlobToDocker(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\' && i + 1 < body.length) {
      out += ch + body[++i];
    } else if (ch === '[' && body[i + 1] === '!') {
      out += '[^';
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Make a line safe as a `.dockerignore` line: `#` would start a comment, `!` an exception. */
function guardLineStart(line: string): string {
  return line.startsWith('#') || line.startsWith('!') ? '\\' + line : line;
}

/** Where a `.gitignore` file is, seen from the context root. */
export type GitignoreLocation =
  /** In the context: its directory relative to the root (`` for the root itself). */
  | { inside: string }
  /** Above the context: the context root relative to the file's directory (`services/api`). */
  | { above: string };

/** The outcome of converting one pattern. */
export type Conversion =
  | { kind: 'line'; line: string }
  /** The pattern can only match outside the context. */
  | { kind: 'outside' }
  /** No single `.dockerignore` line says the same (the caller may fall back to literal paths). */
  | { kind: 'none'; why: string };

/**
 * The `.dockerignore` line for a `.gitignore` pattern (see the module comment). An exception stays
 * an exception (`!` first). Directory-only patterns become plain patterns: the caller checks
 * whether that removes a file git keeps.
 */
export function convertGitignorePattern(pattern: GitPattern, location: GitignoreLocation): Conversion {
  if (/\\ $/.test(pattern.body)) return { kind: 'none', why: 'a trailing space cannot be written in a .dockerignore' };
  const body = gitGlobToDocker(pattern.body);
  let line: string;
  if ('inside' in location) {
    let prefix = '';
    if (location.inside !== '') {
      const dir = literalPattern(location.inside);
      if (dir === null) return { kind: 'none', why: `the directory name ${JSON.stringify(location.inside)} cannot be written as a pattern` };
      prefix = dir + '/';
    }
    line = prefix + (pattern.anchored || body.startsWith('**/') ? body : '**/' + body);
  } else if (!pattern.anchored) {
    line = body.startsWith('**/') ? body : '**/' + body;
  } else {
    const within = location.above.split('/');
    const segments = body.split('/');
    let j = 0;
    for (const dir of within) {
      const segment = segments[j];
      if (segment === undefined) return { kind: 'none', why: 'it ignores the whole context directory' };
      if (segment.includes('**')) return { kind: 'none', why: 'its "**" spans the path down to the context' };
      let hit: boolean;
      try {
        hit = goFilepathMatch(segment, dir);
      } catch {
        return { kind: 'none', why: 'malformed pattern' };
      }
      if (!hit) return { kind: 'outside' };
      j++;
    }
    if (j >= segments.length) return { kind: 'none', why: 'it ignores the whole context directory' };
    line = segments.slice(j).join('/');
  }
  line = guardLineStart(line);
  return { kind: 'line', line: pattern.negative ? '!' + line : line };
}

/** Escape a directory path for use inside a `.gitignore` pattern. */
function gitLiteral(dir: string): string {
  const escaped = dir.replace(/[\\*?[\]]/g, (ch) => '\\' + ch);
  return escaped.startsWith('#') || escaped.startsWith('!') ? '\\' + escaped : escaped;
}

/**
 * A pattern from a file in `dir` (relative to the base), rewritten relative to the base, so that
 * one `ignore` instance holds every file. Null for blank lines and comments.
 */
export function rebaseGitignoreLine(raw: string, dir: string): string | null {
  const parsed = parseGitignoreLine(raw);
  if (parsed === null) return null;
  if (dir === '') return raw;
  const body = parsed.anchored ? parsed.body : '**/' + parsed.body;
  return (parsed.negative ? '!' : '') + gitLiteral(dir) + '/' + body + (parsed.dirOnly ? '/' : '');
}

/** One `.gitignore` entry. */
export interface GitRule {
  /** Index in {@link GitignoreSet.rules}. */
  id: number;
  /** The file, relative to the context root (`.gitignore`, `web/.gitignore`, `../.gitignore`). */
  file: string;
  line: number;
  /** The line as written (trailing line end removed). */
  text: string;
  pattern: GitPattern;
  location: GitignoreLocation;
}

/** Every `.gitignore` that applies to the context, combined as git combines them. */
export interface GitignoreSet {
  rules: GitRule[];
  /** Files read, relative to the context root. */
  files: string[];
  /** The context root relative to the base (`` when the base is the context root). */
  prefix: string;
  matcher: ignore.Ignore;
  /** Git ignores the context directory itself. */
  rootIgnored: boolean;
}

function findRepositoryTop(root: string): string | null {
  for (let dir = root; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

function readLines(file: string): string[] | null {
  try {
    return readInputText(file).split(/\r?\n/);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Git skips a .gitignore it cannot open; one that is a FIFO, a device or huge is bad input.
    if (error instanceof InputFileError && code !== 'EISDIR') throw new InputError(`${file}: cannot read the .gitignore (${describeReadError(error)})`, { cause: error });
    return null;
  }
}

/**
 * Where to look for `.gitignore` files inside the context, when a walk has read the directory
 * already: its record, and which directories the context holds something below. A `.gitignore`
 * applies only below its own directory, so one in a directory the context holds nothing below
 * (an excluded `node_modules`) cannot change what git decides for any entry of the context.
 */
export interface GitignoreScope {
  record: DiskRecord;
  /** Whether the directory is an entry of the context or holds one below it. */
  holdsEntries: (dir: string) => boolean;
}

/** The scope of a context's tree: the directories that are entries or hold one below them. */
export function contextScope(record: DiskRecord, tree: ContextTree): GitignoreScope {
  // The tree's nodes past its entries are the unsent directories above some entry.
  const above = new Set(tree.nodes.slice(tree.entries.length).map((e) => e.path));
  return { record, holdsEntries: (dir) => tree.index.has(dir) || above.has(dir) };
}

/**
 * Read the `.gitignore` files that apply to the context at `root`: those above it up to the
 * repository's top, and those inside it in directories git does not ignore (git never reads a
 * `.gitignore` in an ignored directory, nor in `.git`). Symbolic links are not followed. With a
 * `scope`, the directories inside are listed from the walk's record, and only those the context
 * holds something below are searched (see GitignoreScope).
 */
export function readGitignores(root: string, scope?: GitignoreScope): GitignoreSet {
  const top = findRepositoryTop(root) ?? root;
  const prefix = path.relative(top, root).split(path.sep).join('/');
  const matcher = ignore({ ignorecase: false });
  const rules: GitRule[] = [];
  const files: string[] = [];

  const load = (dirAbs: string, dirFromBase: string, location: GitignoreLocation): void => {
    const file = path.join(dirAbs, '.gitignore');
    const lines = readLines(file);
    if (lines === null) return;
    const label = path.relative(root, file).split(path.sep).join('/');
    files.push(label);
    lines.forEach((text, index) => {
      const pattern = parseGitignoreLine(text);
      const rebased = rebaseGitignoreLine(text, dirFromBase);
      if (pattern === null || rebased === null) return;
      const id = rules.length;
      rules.push({ id, file: label, line: index + 1, text, pattern, location });
      matcher.add({ pattern: rebased, mark: String(id) });
    });
  };

  // Files above the context, shallowest first.
  if (prefix !== '') {
    const parts = prefix.split('/');
    for (let n = 0; n < parts.length; n++) {
      const dirFromBase = parts.slice(0, n).join('/');
      load(path.join(top, ...parts.slice(0, n)), dirFromBase, { above: parts.slice(n).join('/') });
    }
  }
  const rootIgnored = prefix !== '' && matcher.ignores(prefix + '/');
  const fromBaseOf = (rel: string): string => (prefix === '' ? rel : rel === '' ? prefix : prefix + '/' + rel);
  const visit = (dirAbs: string, rel: string): void => {
    const fromBase = fromBaseOf(rel);
    let children: Dirent[];
    try {
      children = readdirSync(dirAbs, { withFileTypes: true });
    } catch {
      // A directory that cannot be listed may still let its .gitignore be opened.
      load(dirAbs, fromBase, { inside: rel });
      return;
    }
    // Only a directory that lists a .gitignore is asked for one (an open that fails costs a system call per directory).
    if (children.some((child) => child.name === '.gitignore')) load(dirAbs, fromBase, { inside: rel });
    for (const child of children) {
      if (!child.isDirectory() || child.name === '.git') continue;
      const childRel = rel === '' ? child.name : rel + '/' + child.name;
      if (matcher.ignores(fromBaseOf(childRel) + '/')) continue;
      visit(path.join(dirAbs, child.name), childRel);
    }
  };
  // The same search over the record. Node lists a directory's names sorted by their bytes (libuv
  // sorts them), the walk's order too: the files come in the same order as from the disk.
  const visitRecorded = (record: DiskRecord, holdsEntries: (dir: string) => boolean, index: number, dirAbs: string, rel: string): void => {
    const children = record.readChildren(index);
    if (children === undefined || children.some((i) => record.entryAt(i).rawPath !== undefined)) {
      // Not read by a walk, or names that are not UTF-8 (Node lists those lossily): from the disk.
      visit(dirAbs, rel);
      return;
    }
    const own = rel === '' ? '.gitignore' : rel + '/.gitignore';
    if (children.some((i) => record.entryAt(i).path === own)) load(dirAbs, fromBaseOf(rel), { inside: rel });
    for (const i of children) {
      const child = record.entryAt(i);
      if (child.type !== 'dir' || !holdsEntries(child.path)) continue;
      const name = baseName(child.path);
      if (name === '.git' || matcher.ignores(fromBaseOf(child.path) + '/')) continue;
      visitRecorded(record, holdsEntries, i, path.join(dirAbs, name), child.path);
    }
  };
  if (!rootIgnored) {
    if (scope === undefined) visit(root, '');
    else visitRecorded(scope.record, scope.holdsEntries, -1, root, '');
  }
  return { rules, files, prefix, matcher, rootIgnored };
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Environment for git: none of the variables that would point it at another repository. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE', 'GIT_PREFIX']) {
    delete env[name];
  }
  return env;
}

/**
 * The files git tracks under `root`, relative to it, asking git itself (`git ls-files`); null
 * outside a repository or without git. Ignore rules do not apply to tracked files: git keeps them
 * whatever `.gitignore` says, and so does a fresh clone.
 */
export function trackedFiles(root: string): Set<string> | null {
  if (findRepositoryTop(root) === null) return null;
  const result = spawnSync('git', ['ls-files', '-z'], { cwd: root, env: gitEnv(), encoding: 'buffer', maxBuffer: 1 << 30 });
  if (result.status !== 0 || result.error) return null;
  return new Set(result.stdout.toString('utf8').split('\0').filter(Boolean));
}

/**
 * What git decides for each entry of the context: per entry index, the id of the rule that ignores
 * it (or that ignores the directory it is in), or -1 when git does not ignore it. Tracked files,
 * and the directories holding them, are not ignored.
 */
export function gitDecisions(set: GitignoreSet, tree: ContextTree, tracked: ReadonlySet<string> | null = null): Int32Array {
  const decisions = new Int32Array(tree.entries.length).fill(-1);
  if (set.rules.length === 0) return decisions;
  const kept = new Set<string>();
  for (const file of tracked ?? []) {
    for (let p = file; p !== '' && !kept.has(p); p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') kept.add(p);
  }
  tree.entries.forEach((entry, i) => {
    if (kept.has(entry.path)) return;
    const rel = set.prefix === '' ? entry.path : set.prefix + '/' + entry.path;
    let result;
    try {
      result = set.matcher.test(entry.type === 'dir' ? rel + '/' : rel);
    } catch {
      return; // a path the package refuses (e.g. an odd name): git's view unknown, treat as kept
    }
    if (result.ignored) decisions[i] = set.rootIgnored ? -1 : Number(result.rule?.mark ?? -1);
  });
  return decisions;
}
