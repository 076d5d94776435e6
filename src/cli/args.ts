import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Builder } from '../dockerignore/builders.js';
import { UsageError } from './errors.js';
import { parsePlatform } from '../dockerfile/platform.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every context command takes. */
export const CONTEXT_OPTIONS = {
  file: { type: 'string', short: 'f' },
  builder: { type: 'string' },
  ignorefile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies OptionSpec;

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The closest known name, when one is close enough to be a typo. */
export function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

/** Flags every command accepts (handled by the CLI before the command parses its own). */
export const GLOBAL_FLAGS = ['--version', '-V'] as const;

/**
 * The flag the user probably meant. util.parseArgs reads `-json` as the short flags `-j -s -o -n`
 * and reports `-j`: when the argument that holds it is a single-dash word, suggest from the word.
 */
function suggestFlag(reported: string, args: readonly string[], options: OptionSpec): { flag: string; guess: string | null } {
  const known = [
    ...Object.entries(options).flatMap(([long, spec]) => [`--${long}`, ...(spec.short ? [`-${spec.short}`] : [])]),
    ...GLOBAL_FLAGS,
  ];
  if (/^-[^-]$/.test(reported)) {
    const word = args.find((arg) => /^-[^-]{2,}/.test(arg) && arg.includes(reported.slice(1)));
    if (word !== undefined) {
      const guess = closest('-' + word.replace(/=.*/, ''), known.filter((k) => k.startsWith('--')));
      if (guess !== null) return { flag: word, guess };
    }
  }
  return { flag: reported, guess: closest(reported.replace(/=.*/, ''), known) };
}

/**
 * `--top -3` and `--max-size -5MB`: util.parseArgs refuses a value that starts with a dash as
 * "ambiguous". A negative number is plainly the option's value, so pass it as `--top=-3` and let
 * the option's own parser say what is wrong with it.
 */
function joinNegativeValues(args: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const long = /^--([^=]+)$/.exec(arg)?.[1];
    const short = /^-([^-])$/.exec(arg)?.[1];
    const name = long ?? Object.keys(options).find((key) => short !== undefined && options[key]!.short === short);
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** util.parseArgs with one-line errors that suggest the flag the user probably meant. */
export type ParsedValues<T extends OptionSpec> = {
  [K in keyof T]?: T[K] extends { multiple: true }
    ? T[K]['type'] extends 'boolean' ? boolean[] : string[]
    : T[K]['type'] extends 'boolean' ? boolean : string;
};

export function parseCommandArgs<T extends OptionSpec>(
  command: string,
  args: string[],
  options: T,
  maxPositionals: number,
): { values: ParsedValues<T>; positionals: string[] } {
  const end = args.indexOf('--');
  for (const arg of end === -1 ? args : args.slice(0, end)) {
    // `-file` would parse as `-f ile`: a single-dash word that spells a long option is a typo.
    const single = /^-([a-z][a-z0-9-]+)(=.*)?$/.exec(arg);
    if (single && Object.hasOwn(options, single[1]!)) {
      throw new UsageError(`${command}: unknown option ${arg} (did you mean --${single[1]}?); see 'ctxsize ${command} --help'`);
    }
  }
  let parsed: { values: unknown; positionals: string[] };
  try {
    parsed = parseArgs({ args: joinNegativeValues(args, options), allowPositionals: true, options, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message);
    if (unknown) {
      const { flag, guess } = suggestFlag(unknown[1]!, args, options);
      throw new UsageError(
        `${command}: unknown option ${flag}${guess ? ` (did you mean ${guess}?)` : ''}; see 'ctxsize ${command} --help'`,
      );
    }
    throw new UsageError(`${command}: ${message.split('\n')[0]}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(
      `${command}: unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}; see 'ctxsize ${command} --help'`,
    );
  }
  return { values: parsed.values as ParsedValues<T>, positionals: parsed.positionals };
}

export function parseBuilder(value: string | undefined): Builder {
  if (value === undefined || value === 'buildkit') return 'buildkit';
  if (value === 'classic') return 'classic';
  // Podman builds with Buildah's code: one builder, two names.
  if (value === 'buildah' || value === 'podman') return 'buildah';
  const guess = closest(value.toLowerCase(), ['buildkit', 'classic', 'buildah', 'podman']);
  throw new UsageError(`--builder must be buildkit, classic or buildah (podman), not ${JSON.stringify(value)}${guess ? ` (did you mean ${guess}?)` : ''}`);
}

/** `--ignorefile PATH`: Buildah's own flag, so only with --builder buildah. */
export function parseIgnoreFileFlag(value: string | undefined, builder: Builder): string | undefined {
  if (value !== undefined && builder !== 'buildah') throw new UsageError('--ignorefile is a Podman/Buildah flag: add --builder buildah');
  return value;
}

export function parseCount(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} takes a whole number (0 or more), not ${JSON.stringify(value)}`);
  return Number(value.trim());
}

/** A count of at least 1 (`--depth`). */
export function parsePositiveCount(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value.trim()) < 1) throw new UsageError(`${flag} takes a whole number of 1 or more, not ${JSON.stringify(value)}`);
  return Number(value.trim());
}

/** `--build-arg KEY=VALUE` (repeatable); `--build-arg KEY` takes KEY from the environment, as docker does. */
export function parseBuildArgs(values: readonly string[] | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
  const args: Record<string, string> = {};
  for (const value of values ?? []) {
    const eq = value.indexOf('=');
    if (eq === 0) throw new UsageError(`--build-arg needs KEY=VALUE, not ${JSON.stringify(value)}`);
    if (eq === -1) {
      const fromEnv = env[value];
      if (fromEnv !== undefined) args[value] = fromEnv;
    } else {
      args[value.slice(0, eq)] = value.slice(eq + 1);
    }
  }
  return args;
}

/** Options that select which build of the Dockerfile: target stage, build arguments, platforms. */
export const BUILD_OPTIONS = {
  target: { type: 'string' },
  'build-arg': { type: 'string', multiple: true },
  platform: { type: 'string', multiple: true },
} satisfies OptionSpec;

/**
 * The target platforms of the effective context: `--platform` (repeatable, each a
 * comma-separated list, as `docker build --platform`), else those of the configuration, else
 * DOCKER_DEFAULT_PLATFORM (which docker build honours too); undefined means the build platform.
 */
export function platformsFrom(
  flag: readonly string[] | undefined,
  configured: readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
): string[] | undefined {
  const fromEnv = env['DOCKER_DEFAULT_PLATFORM'];
  const [chosen, source] =
    flag !== undefined ? [flag, '--platform'] : configured !== undefined ? [configured, 'platform'] : fromEnv ? [[fromEnv], 'DOCKER_DEFAULT_PLATFORM'] : [undefined, ''];
  if (chosen === undefined) return undefined;
  for (const item of chosen.flatMap((p) => p.split(','))) {
    if (item.trim() === '') throw new UsageError(`${source}: an empty platform in ${JSON.stringify(chosen.join(','))}`);
    try {
      parsePlatform(item.trim());
    } catch (error) {
      throw new UsageError(`${source} ${item.trim()}: ${(error as Error).message}`);
    }
  }
  return [...chosen];
}

/**
 * The context and build a command works on, from the shared flags (`-f`, `--builder`, `--target`,
 * `--build-arg`, `--platform`); `configuredPlatforms` are the configuration's `platform`.
 */
export function contextFromFlags(
  values: { file?: string; builder?: string; ignorefile?: string; target?: string; 'build-arg'?: string[]; platform?: string[] },
  positionals: readonly string[],
  io: { env: NodeJS.ProcessEnv; cwd: string },
  configuredPlatforms?: readonly string[],
) {
  const platforms = platformsFrom(values.platform, configuredPlatforms, io.env);
  const builder = parseBuilder(values.builder);
  return {
    dir: positionals[0] ?? '.',
    dockerfile: values.file,
    builder,
    ignoreFile: parseIgnoreFileFlag(values.ignorefile, builder),
    target: values.target,
    buildArgs: parseBuildArgs(values['build-arg'], io.env),
    ...(platforms !== undefined ? { platforms } : {}),
    cwd: io.cwd,
  };
}
