/**
 * Which Dockerfiles read an ignore file. One `.dockerignore` usually serves several builds: the
 * `Dockerfile` beside it, siblings such as `Dockerfile.dev`, `api.Dockerfile` or `Containerfile`,
 * and Compose services whose context is the same directory (with a Dockerfile anywhere). Advice
 * about that file must hold for all of them, so `check` and `suggest` ask this module who they are.
 *
 * `planReaders` is pure (names and services in, readers out); `findReaders` is the I/O edge that
 * lists the directory, reads Compose files and looks for `<Dockerfile>.dockerignore` files.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadComposeProject } from '../compose/compose.js';
import type { Builder, DockerBuilder } from '../dockerignore/builders.js';
import { readInputText } from '../input/read-file.js';

/** A Dockerfile that builds this context, and how it was found. */
export interface DockerfileReader {
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  /**
   * `given`: the Dockerfile of the command (`-f`, or the default `Dockerfile`); `sibling`: a file
   * beside the ignore file (or the given Dockerfile) whose name marks a Dockerfile; `script`: a
   * build script (package.json, Makefile) runs `docker build -f` on it with this context;
   * `compose`: a Compose service.
   */
  found: 'given' | 'sibling' | 'script' | 'compose';
  /** The Compose service, for `found: 'compose'`. */
  service?: ReaderService;
  /** The ignore file each builder reads for this Dockerfile (absolute), or null when none. */
  ignoreFiles: Record<DockerBuilder, string | null>;
}

/** What a Compose service adds to a build: its name, file, stage and arguments. */
export interface ReaderService {
  name: string;
  /** The Compose file that defines it (absolute). */
  file: string;
  target: string | null;
  /** Build arguments (null: taken from the environment at build time). */
  args: Record<string, string | null>;
}

/** A Compose service reduced to what planReaders needs. */
export interface ServiceInput extends ReaderService {
  /** Absolute, symlink-free context directory. */
  context: string;
  /** Absolute Dockerfile path. */
  dockerfile: string;
}

/** Input of {@link planReaders}. */
export interface ReaderInput {
  /** Absolute, symlink-free context root. */
  root: string;
  /**
   * Files that may be Dockerfiles, relative to the root: those directly in it, and those beside a
   * given Dockerfile that lies in a subdirectory (`docker/base.dockerfile` next to `docker/app.dockerfile`).
   */
  names: readonly string[];
  /** Dockerfiles (absolute) that a build script builds with this context (`docker build -f X .`). */
  scripted?: readonly string[];
  /** The command's Dockerfile (absolute), or null. */
  given: string | null;
  /** Local Compose services that build from some directory. */
  services?: readonly ServiceInput[];
  /** Does this absolute path exist (for `<Dockerfile>.dockerignore` and `<root>/.dockerignore`)? */
  exists: (file: string) => boolean;
  /** Does this file hold a Dockerfile (a FROM instruction)? Defaults to yes. */
  isDockerfile?: (file: string) => boolean;
}

/** Extensions that mark a copy, a template or a document rather than a Dockerfile Docker reads. */
const NOT_A_DOCKERFILE = new Set([
  'dockerignore', 'containerignore', 'md', 'txt', 'rst', 'adoc', 'html', 'j2', 'jinja', 'jinja2', 'tmpl', 'tpl',
  'template', 'in', 'erb', 'mustache', 'hbs', 'ejs', 'bak', 'orig', 'old', 'swp', 'sample', 'example', 'patch', 'diff',
]);

/**
 * Does this file name mark a Dockerfile: `Dockerfile`, `Containerfile`, `Dockerfile.<x>`,
 * `<x>.Dockerfile`, `<x>.dockerfile`, `Containerfile.<x>` (any case of the first letter), but not
 * `Dockerfile.dockerignore` nor templates and documents (`Dockerfile.tmpl`, `Dockerfile.md`)?
 */
export function isDockerfileName(name: string): boolean {
  const m = /^(?:[Dd]ockerfile|[Cc]ontainerfile)(?:\.(.+))?$/.exec(name) ?? /^(.+)\.(?:[Dd]ockerfile|[Cc]ontainerfile)$/.exec(name);
  if (m === null) return false;
  return !NOT_A_DOCKERFILE.has(path.extname(name).slice(1).toLowerCase());
}

function readerOf(input: ReaderInput, dockerfile: string, found: DockerfileReader['found'], service?: ReaderService): DockerfileReader {
  const common = path.join(input.root, '.dockerignore');
  const commonFile = input.exists(common) ? common : null;
  const specific = dockerfile + '.dockerignore';
  return {
    dockerfile,
    found,
    ...(service !== undefined ? { service } : {}),
    ignoreFiles: { buildkit: input.exists(specific) ? specific : commonFile, classic: commonFile },
  };
}

/**
 * Every Dockerfile known to build the context `root`: the given one first, then its siblings (in
 * name order), then Compose services whose context is `root` (a service whose Dockerfile and
 * stage are already listed with no arguments adds nothing). Pure.
 */
export function planReaders(input: ReaderInput): DockerfileReader[] {
  const isDockerfile = input.isDockerfile ?? (() => true);
  const out: DockerfileReader[] = [];
  const plain = new Set<string>();
  if (input.given !== null) {
    out.push(readerOf(input, input.given, 'given'));
    plain.add(input.given);
  }
  // A Dockerfile that Compose builds with another context is not a sibling of this one.
  const elsewhere = new Set((input.services ?? []).filter((s) => s.context !== input.root).map((s) => s.dockerfile));
  const here = new Set((input.services ?? []).filter((s) => s.context === input.root).map((s) => s.dockerfile));
  for (const name of [...input.names].sort()) {
    const file = path.join(input.root, name);
    if (plain.has(file) || !isDockerfileName(path.basename(name)) || !isDockerfile(file)) continue;
    if (elsewhere.has(file) && !here.has(file)) continue;
    out.push(readerOf(input, file, 'sibling'));
    plain.add(file);
  }
  for (const file of input.scripted ?? []) {
    if (plain.has(file) || !isDockerfile(file)) continue;
    out.push(readerOf(input, file, 'script'));
    plain.add(file);
  }
  const seen = new Set<string>();
  for (const s of input.services ?? []) {
    if (s.context !== input.root) continue;
    const bare = s.target === null && Object.keys(s.args).length === 0;
    const key = JSON.stringify([s.dockerfile, s.target, s.args]);
    if ((bare && plain.has(s.dockerfile)) || seen.has(key)) continue;
    seen.add(key);
    out.push(readerOf(input, s.dockerfile, 'compose', { name: s.name, file: s.file, target: s.target, args: s.args }));
  }
  return out;
}

/** The readers of one ignore file under a builder (both builders when omitted). */
export function readersOf(readers: readonly DockerfileReader[], ignoreFile: string, builder?: DockerBuilder): DockerfileReader[] {
  return readers.filter((r) => (builder === undefined ? r.ignoreFiles.buildkit === ignoreFile || r.ignoreFiles.classic === ignoreFile : r.ignoreFiles[builder] === ignoreFile));
}

function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** A small regular file with a FROM instruction at the start of a line. */
function holdsFrom(file: string): boolean {
  try {
    return /^[ \t]*from[ \t]/im.test(readInputText(file, 1024 * 1024));
  } catch {
    return false;
  }
}

/** Options of {@link findReaders}. */
export interface FindReadersOptions {
  /** The command's Dockerfile (absolute), or null. */
  dockerfile?: string | null;
  /** Variables for Compose interpolation (default: none, so `${X:-default}` takes its default). */
  env?: NodeJS.ProcessEnv;
  /** Also read Compose files (in the root and in its direct subdirectories); default true. */
  compose?: boolean;
}

/**
 * Find the Dockerfiles that build `root` (absolute, symlink-free): reads the directory, the
 * Compose files in it and in its direct subdirectories (a Compose file Docker Compose would
 * refuse is skipped: it builds nothing), and checks that siblings hold a FROM line.
 */
export function findReaders(root: string, options: FindReadersOptions = {}): DockerfileReader[] {
  let dirents: import('node:fs').Dirent[] = [];
  try {
    dirents = readdirSync(root, { withFileTypes: true });
  } catch {
    dirents = [];
  }
  const names = dirents.filter((d) => d.isFile() || d.isSymbolicLink()).map((d) => d.name);
  const given = options.dockerfile ?? null;
  if (given !== null) {
    const dir = path.relative(root, path.dirname(given));
    if (dir !== '' && !dir.startsWith('..') && !path.isAbsolute(dir)) {
      try {
        for (const d of readdirSync(path.dirname(given), { withFileTypes: true })) {
          if (d.isFile() || d.isSymbolicLink()) names.push(dir.split(path.sep).join('/') + '/' + d.name);
        }
      } catch {
        // an unreadable directory holds no Dockerfile we can check
      }
    }
  }
  const scripted = scriptedDockerfiles(root, names);
  const services: ServiceInput[] = [];
  if (options.compose !== false) {
    const composeName = /^(docker-)?compose(\.[\w.-]+)?\.ya?ml$/;
    const files = names.filter((n) => composeName.test(n)).map((n) => path.join(root, n));
    for (const d of dirents) {
      if (!d.isDirectory() || d.name.startsWith('.') || d.name === 'node_modules') continue;
      let inner: string[] = [];
      try {
        inner = readdirSync(path.join(root, d.name));
      } catch {
        continue;
      }
      files.push(...inner.filter((n) => composeName.test(n)).map((n) => path.join(root, d.name, n)));
    }
    // Compose files above the root too (a `frontend/` context built from `../compose.yml`), up
    // to the repository's top or three levels.
    const top = dirents.some((d) => d.name === '.git');
    for (let dir = path.dirname(root), i = 0; !top && i < 3 && dir !== path.dirname(dir); dir = path.dirname(dir), i++) {
      try {
        const inner = readdirSync(dir);
        files.push(...inner.filter((n) => composeName.test(n)).map((n) => path.join(dir, n)));
        if (inner.includes('.git')) break;
      } catch {
        break;
      }
    }
    for (const file of files) {
      try {
        const project = loadComposeProject([file], { env: options.env ?? {}, cwd: path.dirname(file) });
        for (const s of project.services) {
          if (s.kind !== 'local' || s.context === null || s.dockerfile === null) continue;
          services.push({ name: s.name, file: s.file, target: s.target, args: s.args, context: realOrSelf(s.context), dockerfile: realOrSelf(s.dockerfile) });
        }
      } catch {
        // Not a Compose file Compose would read (a fragment, a template): it builds nothing.
      }
    }
  }
  return planReaders({
    root,
    names,
    given,
    services,
    scripted,
    exists: (file) => {
      try {
        lstatSync(file);
        return true;
      } catch {
        return false;
      }
    },
    isDockerfile: holdsFrom,
  });
}

/**
 * The Dockerfiles that `docker build -f FILE .` (or `buildx build`, `podman build`, `--file`) in a
 * build script at the root builds with the root as its context: package.json scripts and the
 * Makefile. Only a context of `.` counts (the scripts run from the root).
 */
export function dockerfilesInScripts(root: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:docker|podman)\s+(?:buildx\s+)?build\b([^\n;&|"]*)/g)) {
    const words = m[1]!.trim().split(/\s+/).filter(Boolean);
    let file: string | null = null;
    const positional: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w === '-f' || w === '--file') file = words[++i] ?? null;
      else if (w.startsWith('--file=')) file = w.slice('--file='.length);
      else if (w.startsWith('-f') && w.length > 2 && !w.startsWith('--')) file = w.slice(2);
      else if (/^--?[A-Za-z]/.test(w)) {
        // an option with a separate value (`-t name`, `--target x`, `--platform p`)
        if (!w.includes('=') && /^(-t|--tag|--target|--platform|--build-arg|--label|--cache-from|--cache-to|--output|-o|--secret|--ssh|--network|--progress|--builder|--iidfile|--metadata-file|--build-context|--shm-size|--ulimit|--add-host|--annotation|--attest|--provenance|--sbom|--allow)$/.test(w)) i++;
      } else positional.push(w);
    }
    if (file === null || positional.length !== 1 || !/^\.\/?$/.test(positional[0]!) || /[$`{}]/.test(file)) continue;
    out.push(path.resolve(root, file));
  }
  return out;
}

function scriptedDockerfiles(root: string, names: readonly string[]): string[] {
  const out: string[] = [];
  const read = (name: string): string | null => {
    try {
      return readFileSync(path.join(root, name), 'utf8');
    } catch {
      return null;
    }
  };
  if (names.includes('package.json')) {
    const text = read('package.json');
    try {
      const scripts = text === null ? null : (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts;
      for (const value of Object.values(scripts ?? {})) if (typeof value === 'string') out.push(...dockerfilesInScripts(root, value));
    } catch {
      // not JSON: no scripts to read
    }
  }
  for (const name of ['Makefile', 'makefile', 'GNUmakefile']) {
    if (!names.includes(name)) continue;
    const text = read(name);
    if (text !== null) out.push(...dockerfilesInScripts(root, text));
  }
  return [...new Set(out)];
}
