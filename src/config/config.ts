/**
 * The configuration file: `.ctxsizerc.json` in the measured directory, or a `ctxsize` key in its
 * package.json. It holds budgets and options so that CI needs no long command lines; command-line
 * flags win over it. `validateConfig` is pure; `loadConfig` reads the files.
 */
import { existsSync, realpathSync } from 'node:fs';
import { displayPath } from '../report/display-path.js';
import path from 'node:path';
import { parsePlatform } from '../dockerfile/platform.js';
import { closest } from '../cli/args.js';
import { InputError } from '../context/resolve.js';
import { LimitSyntaxError, parseFileCount, parseGrowth, parseSize, type GrowthLimit, type SizeLimit } from '../gates/gates.js';
import { describeReadError, readInputText } from '../input/read-file.js';
import { excerpt } from '../input/escape.js';

export const CONFIG_FILE = '.ctxsizerc.json';

export const OUTPUT_FORMATS = ['text', 'json', 'markdown', 'prometheus', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Budgets, at the top level of the configuration or per compose service. */
export interface BudgetConfig {
  /** A size (`"500MB"`, `"1.5GiB"`) or a number of bytes. */
  maxSize?: SizeLimit;
  /** A whole number of files. */
  maxFiles?: number;
  /** Percent (`10`, `"10%"`, `2.5`): fails when the context grew by more since the baseline. */
  maxGrowth?: GrowthLimit;
}

/** The validated configuration; paths are absolute (resolved against the file's directory). */
export interface CtxsizeConfig extends BudgetConfig {
  /** The baseline file to compare with. */
  baseline?: string;
  builder?: 'buildkit' | 'classic' | 'buildah';
  /** The Dockerfile. */
  file?: string;
  format?: OutputFormat;
  /** How many largest paths to show. */
  top?: number;
  /** Measure a Compose project: true for the default file names, or the Compose file. */
  compose?: boolean | string;
  /** Budgets per compose service, over the top-level ones. */
  services?: Record<string, BudgetConfig>;
  /** `ctxsize check` rules to silence: a rule id (everywhere) or a rule id with path globs. */
  ignore?: { rule: string; paths?: string[] }[];
  /** The target platforms of the effective context (`--platform`), e.g. `["linux/arm64"]`. */
  platform?: string[];
}

/** A configuration and where it came from. */
export interface LoadedConfig {
  /** Absolute path of the file read. */
  file: string;
  /** How messages name it: `.ctxsizerc.json`, `package.json#ctxsize`. */
  label: string;
  config: CtxsizeConfig;
}

const BUDGET_KEYS = ['maxSize', 'maxFiles', 'maxGrowth'] as const;
const KEYS = ['$schema', ...BUDGET_KEYS, 'baseline', 'builder', 'file', 'format', 'top', 'compose', 'services', 'ignore', 'platform'] as const;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKey(label: string, where: string, key: string, known: readonly string[]): InputError {
  const guess = closest(key, known);
  return new InputError(`${label}: unknown key ${JSON.stringify(where + key)}${guess ? ` (did you mean ${JSON.stringify(where + guess)}?)` : ''}; known keys: ${known.filter((k) => k !== '$schema').join(', ')}`);
}

function budgets(raw: Record<string, unknown>, label: string, where: string): BudgetConfig {
  const out: BudgetConfig = {};
  const fail = (key: string, message: string): InputError => new InputError(`${label}: ${where}${key}: ${message}`);
  const wrap = <T>(key: string, parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      if (error instanceof LimitSyntaxError) throw fail(key, error.message);
      throw error;
    }
  };
  const size = raw['maxSize'];
  if (size !== undefined) {
    if (typeof size === 'number') {
      if (!Number.isSafeInteger(size) || size < 0) throw fail('maxSize', `a number of bytes must be a whole number ≥ 0, not ${size}`);
      out.maxSize = { bytes: size, text: String(size), binary: false };
    } else if (typeof size === 'string') {
      out.maxSize = wrap('maxSize', () => parseSize(size));
    } else {
      throw fail('maxSize', `expected a size such as "500MB" or a number of bytes, not ${describe(size)}`);
    }
  }
  const files = raw['maxFiles'];
  if (files !== undefined) {
    if (typeof files !== 'number' || !Number.isSafeInteger(files) || files < 0) throw fail('maxFiles', `expected a whole number of files, not ${describe(files)}`);
    out.maxFiles = wrap('maxFiles', () => parseFileCount(String(files)));
  }
  const growth = raw['maxGrowth'];
  if (growth !== undefined) {
    if (typeof growth === 'number') {
      if (!Number.isFinite(growth) || growth < 0) throw fail('maxGrowth', `expected a percentage ≥ 0, not ${growth}`);
      out.maxGrowth = wrap('maxGrowth', () => parseGrowth(String(growth)));
    } else if (typeof growth === 'string') {
      out.maxGrowth = wrap('maxGrowth', () => parseGrowth(growth));
    } else {
      throw fail('maxGrowth', `expected a percentage such as 10 or "10%", not ${describe(growth)}`);
    }
  }
  return out;
}

/**
 * Validate a configuration object. `baseDir` resolves its relative paths; `label` names it in
 * errors, which are InputErrors naming the key.
 */
export function validateConfig(raw: unknown, label: string, baseDir: string): CtxsizeConfig {
  if (!isPlainObject(raw)) throw new InputError(`${label}: the configuration must be a JSON object, not ${describe(raw)}`);
  for (const key of Object.keys(raw)) if (!(KEYS as readonly string[]).includes(key)) throw unknownKey(label, '', key, KEYS);
  const config: CtxsizeConfig = budgets(raw, label, '');
  const fail = (key: string, message: string): InputError => new InputError(`${label}: ${key}: ${message}`);
  const string = (key: string): string | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') throw fail(key, `expected a non-empty string, not ${describe(value)}`);
    return value;
  };
  const baseline = string('baseline');
  if (baseline !== undefined) config.baseline = insideProject(label, 'baseline', baseline, baseDir);
  const file = string('file');
  if (file !== undefined) config.file = insideProject(label, 'file', file, baseDir);
  const builder = string('builder');
  if (builder !== undefined) {
    if (builder !== 'buildkit' && builder !== 'classic' && builder !== 'buildah' && builder !== 'podman') {
      throw fail('builder', `expected "buildkit", "classic", "buildah" or "podman", not ${JSON.stringify(builder)}`);
    }
    config.builder = builder === 'podman' ? 'buildah' : builder;
  }
  const format = string('format');
  if (format !== undefined) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw fail('format', `expected one of ${OUTPUT_FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    config.format = format as OutputFormat;
  }
  const top = raw['top'];
  if (top !== undefined) {
    if (typeof top !== 'number' || !Number.isSafeInteger(top) || top < 0) throw fail('top', `expected a whole number, not ${describe(top)}`);
    config.top = top;
  }
  const compose = raw['compose'];
  if (compose !== undefined) {
    if (typeof compose === 'boolean') config.compose = compose;
    else if (typeof compose === 'string' && compose !== '') config.compose = insideProject(label, 'compose', compose, baseDir);
    else throw fail('compose', `expected true, false or the Compose file, not ${describe(compose)}`);
  }
  const ignore = raw['ignore'];
  if (ignore !== undefined) {
    const expected = 'expected a list of rule ids, or of {"rule": ID, "paths": [GLOB, …]}';
    if (!Array.isArray(ignore)) throw fail('ignore', `${expected}, not ${describe(ignore)}`);
    config.ignore = ignore.map((item: unknown, i) => {
      const where = `ignore[${i}]`;
      if (typeof item === 'string' && item !== '') return { rule: item };
      if (!isPlainObject(item)) throw fail(where, `${expected}, not ${describe(item)}`);
      for (const key of Object.keys(item)) if (key !== 'rule' && key !== 'paths') throw unknownKey(label, `${where}.`, key, ['rule', 'paths']);
      const rule = item['rule'];
      if (typeof rule !== 'string' || rule === '') throw fail(`${where}.rule`, `expected a rule id, not ${describe(rule)}`);
      const paths = item['paths'];
      if (paths === undefined) return { rule };
      if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p !== '')) {
        throw fail(`${where}.paths`, `expected a non-empty list of path globs (relative to the context root), not ${describe(paths)}`);
      }
      return { rule, paths: paths as string[] };
    });
  }
  const platform = raw['platform'];
  if (platform !== undefined) {
    const list = typeof platform === 'string' ? [platform] : Array.isArray(platform) ? platform : null;
    if (list === null || list.length === 0 || list.some((p) => typeof p !== 'string' || p.trim() === '')) {
      throw fail('platform', `expected a platform ("linux/arm64"), a comma-separated list or an array of them, not ${describe(platform)}`);
    }
    for (const item of (list as string[]).flatMap((p) => p.split(','))) {
      try {
        parsePlatform(item.trim());
      } catch (error) {
        throw fail('platform', (error as Error).message);
      }
    }
    config.platform = list as string[];
  }
  const services = raw['services'];
  if (services !== undefined) {
    if (!isPlainObject(services)) throw fail('services', `expected an object of service name → budgets, not ${describe(services)}`);
    config.services = {};
    for (const [name, value] of Object.entries(services)) {
      const where = `services.${name}.`;
      if (!isPlainObject(value)) throw fail(`services.${name}`, `expected an object with maxSize, maxFiles or maxGrowth, not ${describe(value)}`);
      for (const key of Object.keys(value)) if (!(BUDGET_KEYS as readonly string[]).includes(key)) throw unknownKey(label, where, key, BUDGET_KEYS);
      config.services[name] = budgets(value, label, where);
    }
  }
  return config;
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The project a configuration belongs to: the git repository around it, else its own directory. */
function projectRoot(baseDir: string): string {
  for (let dir = baseDir; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return baseDir;
  }
}

/**
 * Resolve a path named in a configuration file, which must stay inside the project (a committed
 * config is input from whoever wrote the repository: `"file": "/proc/self/environ"` must not make
 * ctxsize read, and echo, files elsewhere). Links are resolved before the check.
 */
function insideProject(label: string, key: string, value: string, baseDir: string): string {
  const resolved = path.resolve(baseDir, value);
  const project = realOrSelf(projectRoot(baseDir));
  const real = realOrSelf(resolved);
  const rel = path.relative(project, real);
  if (rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) {
    throw new InputError(`${label}: ${key}: ${JSON.stringify(excerpt(value))} is outside the project (${project}); paths in a configuration must stay inside it`);
  }
  return resolved;
}

function readText(file: string): string | null {
  try {
    return readInputText(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new InputError(`${file}: cannot read the configuration (${describeReadError(error)})`, { cause: error });
  }
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${label}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

function shown(file: string, cwd: string): string {
  return displayPath(cwd, file);
}

/**
 * Find and read the configuration of `dir`: `explicit` when given (it must exist), else
 * `dir/.ctxsizerc.json`, else the `ctxsize` key of `dir/package.json`. Returns null when there is none.
 * A package.json that is not valid JSON is only an error when it mentions "ctxsize".
 */
export function loadConfig(dir: string, options: { cwd: string; explicit?: string }): LoadedConfig | null {
  if (options.explicit !== undefined) {
    const file = path.resolve(options.cwd, options.explicit);
    const text = readText(file);
    if (text === null) throw new InputError(`${options.explicit}: no such configuration file`);
    const label = shown(file, options.cwd);
    const raw = parseJson(text, label);
    const fromPackage = path.basename(file) === 'package.json';
    if (fromPackage && !(isPlainObject(raw) && 'ctxsize' in raw)) throw new InputError(`${label}: has no "ctxsize" key`);
    const config = fromPackage ? (raw as Record<string, unknown>)['ctxsize'] : raw;
    return { file, label: fromPackage ? `${label}#ctxsize` : label, config: validateConfig(config, fromPackage ? `${label}#ctxsize` : label, path.dirname(file)) };
  }
  const root = path.resolve(options.cwd, dir);
  const rc = path.join(root, CONFIG_FILE);
  const rcText = readText(rc);
  if (rcText !== null) {
    const label = shown(rc, options.cwd);
    return { file: rc, label, config: validateConfig(parseJson(rcText, label), label, root) };
  }
  const pkg = path.join(root, 'package.json');
  const pkgText = readText(pkg);
  if (pkgText === null) return null;
  const label = shown(pkg, options.cwd);
  let raw: unknown;
  try {
    raw = JSON.parse(pkgText);
  } catch (error) {
    if (!pkgText.includes('"ctxsize"')) return null; // not our business: the build may not even use it
    throw new InputError(`${label}: not valid JSON, so its "ctxsize" configuration cannot be read (${(error as Error).message})`, { cause: error });
  }
  if (!isPlainObject(raw) || raw['ctxsize'] === undefined) return null;
  return { file: pkg, label: `${label}#ctxsize`, config: validateConfig(raw['ctxsize'], `${label}#ctxsize`, root) };
}

/**
 * The `platform` of the configuration of DIR (`.ctxsizerc.json` or package.json#ctxsize), for the
 * commands that read nothing else of it: the effective context is the same in every command.
 */
export function configuredPlatforms(dir: string, cwd: string): string[] | undefined {
  return loadConfig(dir, { cwd })?.config.platform;
}
