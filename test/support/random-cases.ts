import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Random build contexts for conformance testing: trees, Dockerfile locations and ignore files,
 * deterministic from a seed. A case has the shape of the recorded cases in
 * test/fixtures/conformance-cases.jsonl (`id`, `kind`, `dockerfile`, `tree`), so a failing random
 * case can be saved next to them; a few entry types go beyond them (FIFOs, sockets, hard links).
 */

export type CaseKind = 'plain' | 'allow-list' | 'exotic';
export const CASE_KINDS: readonly CaseKind[] = ['plain', 'allow-list', 'exotic'];

export interface TreeEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink' | 'fifo' | 'socket' | 'hardlink';
  /** File content (files only). */
  content?: string;
  /** Symlink target, or for a hard link the tree path of the file it links to. */
  target?: string;
}

export interface RandomCase {
  id: string;
  kind: CaseKind;
  /** The Dockerfile, relative to the tree's root: `Dockerfile` or `ci/app.Dockerfile`. */
  dockerfile: string;
  /** Every entry, parents before children. */
  tree: TreeEntry[];
}

/** A small, fast, seedable PRNG (sfc32); the same seed gives the same cases on every machine. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

// Names the recorded cases use, so that patterns and trees meet often.
const COMMON_NAMES = [
  'a', 'b', 'c', 'Z', 'x.log', 'y.txt', 'm.pyc', 'foo.js', 'foo', 'src', 'build', 'dist', 'deep',
  'node_modules', '.git', '.cache', '.env', '__pycache__', 'a b', 'ü.txt', 'Dockerfile', '.dockerignore',
];
const ODD_NAMES = ['!bang', ' lead', 'trail ', 'q?', 'st*r', 'back\\slash', '#hash', '[x]'];
// Beyond the recorded cases: names that regexp-ish patterns, escapes and Unicode rules can reach.
const EXOTIC_NAMES = [
  'main.go', 'x.go', '1', '42', 'a1', 'é', 'e\u0301', 'Ä', 'ß', '😀', '\u00a0nbsp', 'tab\tx', 'x{2}', '(p)',
  'a+b', '$d', '^c', 'a.b', '%', '-', '...', '~', 'a]b', 'x[', ']', 'a\\', 'y.TXT', 'ab', 'aab', 'ᾈ',
  '\u2028sep', '_', 'Aa', 'new\nline', 'cr\rname', 'x*', '\uff01wide', '\ufeffbom', '\ue000pua',
];
const DIR_NAMES = ['a', 'b', 'src', 'build', 'dist', 'deep', 'node_modules', '.git', '.cache', '__pycache__', 'a b', 'foo', 'c'];

const SYMLINK_TARGETS = ['/etc/hostname', 'nonexistent', '../a', 'a', '.', '..', '/', 'src', 'Dockerfile', 'self'];

const DOCKERFILE_TEXT = 'FROM scratch\nCOPY . /\n';

function fileContent(rng: Random): string {
  const r = rng.next();
  const size = r < 0.1 ? 0 : r < 0.85 ? rng.int(200) : r < 0.97 ? rng.range(500, 1100) : rng.range(4000, 9000);
  return 'x'.repeat(size);
}

interface TreeBuilder {
  entries: TreeEntry[];
  names: Set<string>;
  files: string[];
}

function childName(rng: Random, kind: CaseKind, taken: Set<string>, isDir: boolean): string | null {
  for (let attempt = 0; attempt < 8; attempt++) {
    let name: string;
    const r = rng.next();
    if (isDir) name = r < 0.85 ? rng.pick(DIR_NAMES) : rng.pick(kind === 'exotic' ? [...ODD_NAMES, ...EXOTIC_NAMES] : ODD_NAMES);
    else if (kind === 'exotic') name = r < 0.45 ? rng.pick(COMMON_NAMES) : r < 0.7 ? rng.pick(ODD_NAMES) : rng.pick(EXOTIC_NAMES);
    else name = r < 0.8 ? rng.pick(COMMON_NAMES) : rng.pick(ODD_NAMES);
    if (kind === 'exotic' && rng.chance(0.01)) name = 'long-' + 'n'.repeat(rng.range(90, 140));
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
  return null;
}

function addChildren(
  rng: Random,
  kind: CaseKind,
  tree: TreeBuilder,
  dir: string,
  depth: number,
  budget: { left: number },
  reserved?: string,
): void {
  const taken = new Set<string>();
  if (dir === '') for (const name of ['Dockerfile', '.dockerignore', 'ci', reserved ?? 'ci']) taken.add(name);
  const count = dir === '' ? rng.range(2, 8) : rng.range(0, 5);
  for (let i = 0; i < count && budget.left > 0; i++) {
    const r = rng.next();
    const isDir = depth < 4 && r < (depth === 0 ? 0.45 : 0.35);
    const name = childName(rng, kind, taken, isDir);
    if (name === null) continue;
    const rel = dir === '' ? name : `${dir}/${name}`;
    budget.left--;
    tree.names.add(name);
    if (isDir) {
      tree.entries.push({ path: rel, type: 'dir' });
      addChildren(rng, kind, tree, rel, depth + 1, budget);
      continue;
    }
    const t = rng.next();
    if (t < 0.12) {
      let target = rng.pick(SYMLINK_TARGETS);
      if (target === 'self') target = name;
      if (kind === 'exotic' && rng.chance(0.05)) target = 'far/' + 't'.repeat(rng.range(100, 160));
      tree.entries.push({ path: rel, type: 'symlink', target });
    } else if (kind === 'exotic' && t < 0.14) {
      tree.entries.push({ path: rel, type: 'fifo' });
    } else if (kind === 'exotic' && t < 0.15) {
      tree.entries.push({ path: rel, type: 'socket' });
    } else if (kind === 'exotic' && t < 0.17 && tree.files.length > 0) {
      tree.entries.push({ path: rel, type: 'hardlink', target: rng.pick(tree.files) });
    } else {
      tree.entries.push({ path: rel, type: 'file', content: fileContent(rng) });
      tree.files.push(rel);
    }
  }
}

// ---------------------------------------------------------------- patterns

const PLAIN_GLOBS = ['*', '*.log', '*.txt', '*.pyc', 'f*', 'foo*', 'fo?', '?', '[a-c]', '[!a]', '.*', '**'];
const EXOTIC_SEGMENTS = [
  '[^a]', '[[:alpha:]]*', '[[:digit:]]', '[[:nope:]]', '[[:^alpha:]]', '[z-a]', '\\d', '\\d*', '\\w', '\\W*', '\\s',
  '\\pL*', '\\p{Greek}', '\\p{Nope}', '\\PL', '\\pN', '^', 'a^', '^a', '$d', '\\$d', '\\Qa b\\E', '\\Q*', '[a-]', '[',
  ']', 'a]', '[]]', '[\\]]', '\\', 'a\\', '\\!bang', '\\[x\\]', 'st\\*r', 'q\\?', 'back\\\\slash', '**a', 'a**', 'a**b',
  '***', '\\x41', '\\x{e9}', '\\101', '\\1', '\\.', 'x{2}', 'x\\{2\\}', '(p)', '\\(p\\)', 'a+b', 'a\\+b', '\\b', '\\z',
  '\\A', '\\C', '[\\d]', '[ä-ü]', '[a-c-e]', '[-a]', '[a\\-z]', '\\-', '\\ lead', 'trail\\ ', '\\#hash', '[!]', '[^]',
  '[]', '[\\]', 'a{1,2}b', 'a*?', '\\n', '\\t', 'tab\\tx', '[[:alpha:][:digit:]]', '[a-z&&b]', '\\e', '\\Ä', '\\é',
  '[é]', 'e\u0301', '(?i)ab', '\\P{Greek}', '[\\p{Lu}]', '[[:word:]]+', 'ᾈ', '?*', '*?', '[!a-c]*', '\\u00e9',
  // moby/patternmatcher leaves `{`, `}` and `|` unescaped: they keep their regexp meaning.
  'a|b*', '*.log|src', 'x|', '|x*', '|', '*|', 'x{2}*', '?{2}', 'a{,2}*', '{', '}*', '*{2}', '[a]{1001}', 'x{2,1}?', 'a{1}|b?',
];

/** One path segment of a pattern. */
function segment(rng: Random, kind: CaseKind, names: readonly string[]): string {
  const r = rng.next();
  if (kind === 'exotic' && r < 0.35) return rng.pick(EXOTIC_SEGMENTS);
  if (r < 0.6 && names.length > 0) {
    const name = rng.pick(names);
    // Escape the name's glob characters now and then so that the literal can match.
    if (kind !== 'plain' && rng.chance(0.5)) return name.replace(/[\\*?[\]]/g, (c) => '\\' + c);
    return name;
  }
  return rng.pick(PLAIN_GLOBS);
}

function patternPath(rng: Random, kind: CaseKind, names: readonly string[]): string {
  const depth = rng.chance(0.55) ? 1 : rng.chance(0.7) ? 2 : 3;
  const parts: string[] = [];
  for (let i = 0; i < depth; i++) parts.push(segment(rng, kind, names));
  let text = '';
  parts.forEach((part, i) => {
    if (i > 0) {
      const sep = kind === 'exotic' ? rng.pick(['/', '/', '/', '/', '//', '/./', '/../']) : '/';
      text += sep;
    }
    text += part;
  });
  if (rng.chance(0.08)) text = '**/' + text;
  if (rng.chance(kind === 'exotic' ? 0.12 : 0.06)) text += rng.pick(['/', '/**', '/*', '/**/*']);
  return text;
}

function decorate(rng: Random, kind: CaseKind, pattern: string, exception: boolean): string {
  let line = pattern;
  const r = rng.next();
  if (r < 0.1) line = '/' + line;
  else if (r < 0.18) line = './' + line;
  else if (kind === 'exotic' && r < 0.22) line = '../' + line;
  if (exception) line = (kind === 'exotic' && rng.chance(0.2) ? rng.pick(['! ', '!  ', '!\t', '!/', '!./']) : '!') + line;
  if (rng.chance(0.06)) line = '  ' + line + '  ';
  if (kind === 'exotic') {
    const e = rng.next();
    if (e < 0.04) line = '\t' + line;
    else if (e < 0.07) line += ' # comment';
    else if (e < 0.09) line = '\u00a0' + line + '\u0085';
    else if (e < 0.1) line = '\u3000' + line;
  }
  return line;
}

const ODD_LINES = [
  '!', '/', '!/', '.', '!.', '..', '../', '!..', '*/..', '**', '!**', '**/', '/**', '***', ' # not a comment',
  '#comment', '# *', '!!bang', '!\\!bang', '\\#hash', '[', '\\', '/*/', '*//', './.', '!./', '\uFEFFa',
  // Go's text/scanner skips a leading BOM when it classifies a pattern, but the match still uses
  // the pattern's bytes (`cleanedPattern[2:]` for `**…`).
  '\uFEFF**', '\uFEFF**/x', '!\uFEFF**', '\uFEFF*', '\uFEFFa/**', '\uFEFF**/*.log',
];

// Patterns that pass Docker's syntax check but fail to compile as regexps when first used.
const LATE_FAILING = ['[z-a]', '[[:nope:]]', '\\p{Nope}', 'x{2,1}?', '[a]{1001}', '\\C', '*{2}', '\\1'];

function ignoreLines(rng: Random, kind: CaseKind, names: readonly string[], nested: readonly string[]): string[] {
  const lines: string[] = [];
  // Everything excluded, a nested path re-included, then a pattern that only fails where it is
  // evaluated: the classic builder's tar walk reaches it inside the excluded directory (after its
  // context check passed), stops, and Docker sends what it archived so far.
  if (kind === 'exotic' && nested.length > 0 && rng.chance(0.06)) {
    lines.push(rng.pick(['*', '**', '/*']), '!' + rng.pick(nested), rng.pick(LATE_FAILING));
    if (rng.chance(0.7)) lines.push('!' + rng.pick(names.length ? names : ['z']));
    return lines;
  }
  const comment = (): string => '# ' + patternPath(rng, kind, names);
  // Exotic allow-lists put odd patterns where only the classic builder's tar walk evaluates them
  // (inside excluded directories it enters for an exception): Docker then sends a truncated context.
  if (kind === 'allow-list' || (kind === 'exotic' && rng.chance(0.25))) {
    const style = kind === 'allow-list' ? 'plain' : 'exotic';
    lines.push(rng.pick(['*', '*', '*', '**', '/*', '*/', '**/*', '**/**']));
    const exceptions = rng.range(1, 5);
    for (let i = 0; i < exceptions; i++) {
      let p = patternPath(rng, style, names);
      const r = rng.next();
      if (r < 0.15) p = `${rng.pick(names.length ? names : ['src'])}/**/*.${rng.pick(['go', 'log', 'txt', 'pyc', 'js'])}`;
      else if (r < 0.22) p = `**/${rng.pick(names.length ? names : ['x.log'])}`;
      else if (r < 0.28) p = `${rng.pick(DIR_NAMES)}/*/${rng.pick(names.length ? names : ['x.log'])}`;
      lines.push(decorate(rng, style, p, true));
      if (rng.chance(0.25)) lines.push(decorate(rng, style, patternPath(rng, style, names), false));
    }
    if (rng.chance(0.2)) lines.push(comment());
    return lines;
  }
  const count = rng.range(1, kind === 'exotic' ? 7 : 5);
  for (let i = 0; i < count; i++) {
    const r = rng.next();
    if (r < 0.08) lines.push(comment());
    else if (r < 0.12) lines.push('');
    else if (kind === 'exotic' && r < 0.2) lines.push(rng.pick(ODD_LINES));
    else lines.push(decorate(rng, kind, patternPath(rng, kind, names), rng.chance(0.22)));
  }
  if (kind !== 'exotic' && rng.chance(0.15)) lines.push('*');
  return lines;
}

function ignoreText(rng: Random, kind: CaseKind, names: readonly string[], nested: readonly string[]): string {
  const lines = ignoreLines(rng, kind, names, nested);
  let text = '';
  const crlf = rng.chance(0.3);
  lines.forEach((line, i) => {
    text += line;
    if (i < lines.length - 1 || rng.chance(0.6)) {
      if (kind === 'exotic' && rng.chance(0.08)) text += rng.pick(['\r\n', '\r', '\n\n', ' \r\n', '\r\r\n']);
      else text += crlf ? '\r\n' : '\n';
    }
  });
  if (kind === 'exotic') {
    if (rng.chance(0.08)) text = '\uFEFF' + text;
    if (rng.chance(0.01)) text += '\n' + 'z'.repeat(rng.chance(0.5) ? 65535 : 65536) + (rng.chance(0.5) ? '\n' : '');
  }
  return text;
}

// Dockerfiles in subdirectories: the classic builder re-includes an excluded one with a pattern
// built from its path (so glob characters in it count), checked by the single-parent `Matches`.
const DEEP_DOCKERFILES = ['docker/dev/Dockerfile', 'ci/sub/app.Dockerfile', 'build/Dockerfile', 'ci/app[1].Dockerfile', 'a b/Dockerfile.dev'];
const BUILD_FILE_NAMES = ['Dockerfile', '.dockerignore', '*.dockerignore', 'Dockerfile*', '*Dockerfile', '.docker*'];

/** One random case. `index` only names it; everything else comes from `seed`. */
export function generateCase(seed: number, kind: CaseKind, index = 0): RandomCase {
  const rng = new Random(seed);
  const r = rng.next();
  const dockerfile = r < 0.8 ? 'Dockerfile' : r < 0.95 ? 'ci/app.Dockerfile' : rng.pick(DEEP_DOCKERFILES);
  const dockerfileDirs = dockerfile.split('/').slice(0, -1);

  const tree: TreeBuilder = { entries: [], names: new Set(), files: [] };
  addChildren(rng, kind, tree, '', 0, { left: rng.range(4, kind === 'exotic' ? 45 : 35) }, dockerfileDirs[0]);

  const root: TreeEntry[] = [{ path: 'Dockerfile', type: 'file', content: DOCKERFILE_TEXT }];
  const names = [...tree.names, ...dockerfileDirs];
  if (rng.chance(0.3)) names.push(rng.pick(BUILD_FILE_NAMES), dockerfile.split('/').pop()!);
  const nested = tree.entries.map((e) => e.path).filter((p) => p.includes('/') && !/[\\*?[\]]/.test(p));
  if (rng.chance(0.95)) root.push({ path: '.dockerignore', type: 'file', content: ignoreText(rng, kind, names, nested) });
  if (dockerfile !== 'Dockerfile') {
    dockerfileDirs.forEach((_, i) => root.push({ path: dockerfileDirs.slice(0, i + 1).join('/'), type: 'dir' }));
    root.push({ path: dockerfile, type: 'file', content: DOCKERFILE_TEXT });
    if (rng.chance(0.6)) root.push({ path: dockerfile + '.dockerignore', type: 'file', content: ignoreText(rng, kind, names, nested) });
  }
  const entries = [...root, ...tree.entries];
  return { id: `${kind}-${index}-s${seed >>> 0}`, kind, dockerfile, tree: entries };
}

/** `count` cases cycling through `kinds`, all derived from one seed. */
export function generateCases(seed: number, count: number, kinds: readonly CaseKind[] = CASE_KINDS): RandomCase[] {
  const master = new Random(seed);
  const cases: RandomCase[] = [];
  for (let i = 0; i < count; i++) cases.push(generateCase(master.int(2 ** 32), kinds[i % kinds.length]!, i));
  return cases;
}

// ---------------------------------------------------------------- materializing

let mkfifoMissing = false;

function makeSocket(abs: string): boolean {
  // Node removes a listening socket's file when the server closes, so keep a hard link to it.
  const script =
    "const net=require('net'),fs=require('fs');const [p,l]=process.argv.slice(1);" +
    'const s=net.createServer();s.listen(p,()=>{fs.linkSync(p,l);s.close();});';
  const tmp = path.join(path.dirname(abs), `.sock-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, ['-e', script, tmp, abs], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * Create the case's tree under `root` (an existing empty directory). FIFOs and sockets that the
 * platform cannot make are left out; the returned list says which entries really exist.
 */
export function materializeCase(c: RandomCase, root: string): TreeEntry[] {
  const made: TreeEntry[] = [];
  for (const e of c.tree) {
    const abs = path.join(root, e.path);
    switch (e.type) {
      case 'dir':
        mkdirSync(abs);
        break;
      case 'file':
        writeFileSync(abs, e.content ?? '');
        break;
      case 'symlink':
        symlinkSync(e.target!, abs);
        break;
      case 'hardlink':
        linkSync(path.join(root, e.target!), abs);
        break;
      case 'fifo':
        if (mkfifoMissing || spawnSync('mkfifo', [abs], { stdio: 'ignore' }).status !== 0) {
          mkfifoMissing = true;
          continue;
        }
        break;
      case 'socket':
        if (!makeSocket(abs)) continue;
        break;
    }
    made.push(e);
  }
  return made;
}

// ---------------------------------------------------------------- reporting and shrinking

/** A human-readable reproduction: every entry, with ignore files shown line by line. */
export function describeCase(c: RandomCase): string {
  const out = [`case ${c.id} (${c.kind}), docker build -f ${JSON.stringify(c.dockerfile)} .`];
  for (const e of c.tree) {
    if (e.type === 'file' && e.path.endsWith('dockerignore')) {
      out.push(`  ${JSON.stringify(e.path)}:`);
      const lines = (e.content ?? '').split('\n');
      lines.forEach((line, i) => {
        if (i === lines.length - 1 && line === '') return;
        out.push(`    | ${JSON.stringify(line.length > 200 ? line.slice(0, 40) + `…(${line.length} chars)` : line)}`);
      });
    } else if (e.type === 'file') {
      out.push(`  ${JSON.stringify(e.path)} file ${(e.content ?? '').length} bytes`);
    } else if (e.type === 'symlink' || e.type === 'hardlink') {
      out.push(`  ${JSON.stringify(e.path)} ${e.type} -> ${JSON.stringify(e.target)}`);
    } else {
      out.push(`  ${JSON.stringify(e.path)} ${e.type}`);
    }
  }
  return out.join('\n');
}

function isBuildFile(c: RandomCase, p: string): boolean {
  return p === 'Dockerfile' || p.endsWith('dockerignore') || p === c.dockerfile || c.dockerfile.startsWith(p + '/');
}

function withoutSubtree(c: RandomCase, victim: string): RandomCase {
  const keep = c.tree.filter((e) => e.path !== victim && !e.path.startsWith(victim + '/'));
  // A hard link needs its target.
  const present = new Set(keep.map((e) => e.path));
  return { ...c, tree: keep.filter((e) => e.type !== 'hardlink' || present.has(e.target!)) };
}

function withIgnoreLines(c: RandomCase, file: string, lines: string[]): RandomCase {
  return { ...c, tree: c.tree.map((e) => (e.path === file ? { ...e, content: lines.join('\n') } : e)) };
}

/**
 * Shrink a failing case: drop ignore-file lines, then subtrees, then shorten file contents, keeping
 * each change only while `stillFails` holds. Greedy, so the result is small, not minimal.
 */
export async function shrinkCase(c: RandomCase, stillFails: (candidate: RandomCase) => Promise<boolean>): Promise<RandomCase> {
  let best = c;
  for (let round = 0; round < 6; round++) {
    let changed = false;
    for (const file of best.tree.filter((e) => e.type === 'file' && e.path.endsWith('dockerignore')).map((e) => e.path)) {
      let lines = (best.tree.find((e) => e.path === file)!.content ?? '').split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const candidate = withIgnoreLines(best, file, [...lines.slice(0, i), ...lines.slice(i + 1)]);
        if (await stillFails(candidate)) {
          best = candidate;
          lines = [...lines.slice(0, i), ...lines.slice(i + 1)];
          changed = true;
        }
      }
      const withoutFile: RandomCase = { ...best, tree: best.tree.filter((e) => e.path !== file) };
      if (await stillFails(withoutFile)) {
        best = withoutFile;
        changed = true;
      }
    }
    for (const entry of [...best.tree].reverse()) {
      if (isBuildFile(best, entry.path) || !best.tree.includes(entry)) continue;
      const candidate = withoutSubtree(best, entry.path);
      if (await stillFails(candidate)) {
        best = candidate;
        changed = true;
      }
    }
    for (const entry of best.tree) {
      if (entry.type !== 'file' || isBuildFile(best, entry.path) || (entry.content ?? '').length <= 1) continue;
      const candidate: RandomCase = {
        ...best,
        tree: best.tree.map((e) => (e === entry ? { ...e, content: 'x' } : e)),
      };
      if (await stillFails(candidate)) {
        best = candidate;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return best;
}
