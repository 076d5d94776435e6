import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { displayPath, toSlash } from '../report/display-path.js';
import { parseBuildahIgnoreFile } from '../dockerignore/buildah.js';
import { parseIgnoreFile, type IgnoreFile, type PatternPlatform } from '../dockerignore/read.js';
import type { Builder } from '../dockerignore/builders.js';
import { describeReadError, readInputFile } from '../input/read-file.js';

/** Bad input: a missing directory, an unreadable ignore file, a missing `-f` Dockerfile. Exit code 2. */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** Where the context is and which files shape it. */
export interface ContextOptions {
  /** The context directory (default: the current directory). */
  dir?: string;
  /** The Dockerfile (`-f`), relative to `cwd` as Docker takes it; default `<dir>/Dockerfile`. */
  dockerfile?: string;
  /** Which builder's semantics apply (default `buildkit`). */
  builder?: Builder;
  /** Pattern rules of which platform (default: the running OS). */
  platform?: PatternPlatform;
  /** Base for relative paths (default: process.cwd()). */
  cwd?: string;
  /** Buildah only: the ignore file to read instead of its own lookup (`--ignorefile`). */
  ignoreFile?: string;
}

/** The resolved inputs of a build context. */
export interface ResolvedContext {
  /** Absolute, symlink-free path of the context root. */
  root: string;
  builder: Builder;
  platform: PatternPlatform;
  /** Absolute path of the Dockerfile, or null when there is none. */
  dockerfile: string | null;
  /** The Dockerfile relative to the root, `/`-separated (`../x` when outside), or null. */
  dockerfileRelative: string | null;
  /** Absolute path of the ignore file this builder reads, or null when there is none. */
  ignorePath: string | null;
  /** The parsed ignore file, or null. */
  ignore: IgnoreFile | null;
}

export function defaultPlatform(): PatternPlatform {
  return process.platform === 'win32' ? 'win32' : 'posix';
}

function resolveRoot(dir: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? `${dir}: no such directory` : `${dir}: cannot open context directory (${code})`,
      { cause: error },
    );
  }
  if (!statSync(real).isDirectory()) throw new InputError(`${dir}: not a directory (the context must be a directory)`);
  return real;
}

/** Docker's default: `Dockerfile`, or `dockerfile` when only that exists. */
function defaultDockerfile(root: string): string | null {
  for (const name of ['Dockerfile', 'dockerfile']) {
    const candidate = path.join(root, name);
    try {
      lstatSync(candidate);
      return candidate;
    } catch {
      // try the next name
    }
  }
  return null;
}

function readIgnore(file: string, label: string, platform: PatternPlatform | 'buildah'): IgnoreFile | null {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new InputError(`${label}: cannot read ignore file (${describeReadError(error)})`, { cause: error });
  }
  return platform === 'buildah' ? parseBuildahIgnoreFile(bytes, label) : parseIgnoreFile(bytes, label, platform);
}

/** Does `file` exist, following symbolic links (Go's os.Stat succeeds)? */
function statExists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Buildah's default (`DiscoverContainerfile`): `Containerfile`, else `Dockerfile`, links followed;
 * what it finds must be a regular file, or Buildah refuses the build.
 */
function defaultContainerfile(root: string): string {
  for (const name of ['Containerfile', 'Dockerfile']) {
    const candidate = path.join(root, name);
    let isFile: boolean;
    try {
      isFile = statSync(candidate).isFile();
    } catch {
      continue;
    }
    if (!isFile) throw new InputError(`${name}: is not a file (Podman and Buildah refuse the build)`);
    return candidate;
  }
  throw new InputError(`${root}: no Containerfile or Dockerfile (Podman and Buildah refuse the build; name one with -f)`);
}

/**
 * Buildah's ignore file (`parse.ContainerIgnoreFile`): `--ignorefile`; else beside the
 * Containerfile `<name>.dockerignore`, else `<name>.containerignore`; else the context's
 * `.containerignore` (even empty), else its `.dockerignore`.
 */
function buildahIgnore(root: string, containerfile: string | null, ignoreFile: string | undefined, cwd: string, label: (file: string) => string): { ignorePath: string | null; ignore: IgnoreFile | null } {
  if (ignoreFile !== undefined) {
    const file = path.resolve(cwd, ignoreFile);
    const ignore = readIgnore(file, label(file), 'buildah');
    if (ignore === null) throw new InputError(`${ignoreFile}: ignore file not found`);
    return { ignorePath: file, ignore };
  }
  if (containerfile !== null) {
    const beside = [containerfile + '.dockerignore', containerfile + '.containerignore'].find(statExists);
    if (beside !== undefined) {
      const ignore = readIgnore(beside, label(beside), 'buildah');
      if (ignore === null) throw new InputError(`${label(beside)}: cannot read ignore file`);
      return { ignorePath: beside, ignore };
    }
  }
  for (const name of ['.containerignore', '.dockerignore']) {
    const file = path.join(root, name);
    const ignore = readIgnore(file, label(file), 'buildah');
    if (ignore !== null) return { ignorePath: file, ignore };
  }
  return { ignorePath: null, ignore: null };
}

/**
 * Resolve the context root, the Dockerfile and the ignore file that the chosen builder reads:
 * BuildKit prefers `<Dockerfile>.dockerignore` next to the Dockerfile (even an empty one), the
 * classic builder only reads `<root>/.dockerignore`.
 */
export function resolveContext(options: ContextOptions = {}): ResolvedContext {
  const cwd = options.cwd ?? process.cwd();
  const builder = options.builder ?? 'buildkit';
  const platform = options.platform ?? defaultPlatform();
  const dirArg = options.dir ?? '.';
  const root = resolveRoot(path.resolve(cwd, dirArg));

  let dockerfileGiven: string | null;
  if (options.dockerfile !== undefined) {
    dockerfileGiven = path.resolve(cwd, options.dockerfile);
    // Buildah also looks for a relative -f inside the context.
    if (builder === 'buildah' && !existsSync(dockerfileGiven) && existsSync(path.resolve(root, options.dockerfile))) dockerfileGiven = path.resolve(root, options.dockerfile);
    if (!existsSync(dockerfileGiven)) throw new InputError(`${options.dockerfile}: Dockerfile not found`);
    if (statSync(dockerfileGiven).isDirectory()) throw new InputError(`${options.dockerfile}: is a directory, not a Dockerfile`);
  } else {
    dockerfileGiven = builder === 'buildah' ? defaultContainerfile(root) : defaultDockerfile(root);
  }
  let dockerfile: string | null = null;
  let dockerfileRelative: string | null = null;
  if (dockerfileGiven !== null) {
    try {
      dockerfile = realpathSync(dockerfileGiven);
    } catch {
      dockerfile = dockerfileGiven; // a dangling default Dockerfile link: Docker fails later, we measure
    }
    dockerfileRelative = toSlash(path.relative(root, dockerfile));
  }

  const label = (file: string): string => displayPath(cwd, file);
  let ignorePath: string | null = null;
  let ignore: IgnoreFile | null = null;
  if (builder === 'buildah') {
    // A relative -f names the ignore files beside it from the context, as Buildah joins them.
    const named = options.dockerfile === undefined ? dockerfileGiven : path.isAbsolute(options.dockerfile) ? options.dockerfile : path.join(root, options.dockerfile);
    return { root, builder, platform, dockerfile, dockerfileRelative, ...buildahIgnore(root, named, options.ignoreFile, cwd, label) };
  }
  if (builder === 'buildkit' && dockerfileGiven !== null) {
    const specific = dockerfileGiven + '.dockerignore';
    ignore = readIgnore(specific, label(specific), platform);
    if (ignore !== null) ignorePath = specific;
  }
  if (ignorePath === null) {
    const common = path.join(root, '.dockerignore');
    ignore = readIgnore(common, label(common), platform);
    if (ignore !== null) ignorePath = common;
  }
  return { root, builder, platform, dockerfile, dockerfileRelative, ignorePath, ignore };
}
