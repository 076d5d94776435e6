import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { displayPath, toSlash } from '../display-path.js';
import { parseIgnoreFile, type IgnoreFile, type PatternPlatform } from '../dockerignore/read.js';
import type { Builder } from '../walk/builders.js';
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

function readIgnore(file: string, label: string, platform: PatternPlatform): IgnoreFile | null {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new InputError(`${label}: cannot read ignore file (${describeReadError(error)})`, { cause: error });
  }
  return parseIgnoreFile(bytes, label, platform);
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
    if (!existsSync(dockerfileGiven)) throw new InputError(`${options.dockerfile}: Dockerfile not found`);
    if (statSync(dockerfileGiven).isDirectory()) throw new InputError(`${options.dockerfile}: is a directory, not a Dockerfile`);
  } else {
    dockerfileGiven = defaultDockerfile(root);
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
