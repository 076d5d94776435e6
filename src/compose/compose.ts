/**
 * Compose projects: which build contexts a Compose file defines, service by service, resolved the
 * way Docker Compose resolves them (default file names and override file, `.env` and variable
 * interpolation, `extends`, `include`, contexts relative to the project directory, remote contexts).
 * Reading files is the I/O edge; interpolation and the service model are pure.
 */
import { readFileSync, statSync } from 'node:fs';
import { displayPath } from '../report/display-path.js';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { InputError } from '../context/resolve.js';
import { describeReadError, InputFileError, readInputText } from '../input/read-file.js';

let yamlModule: typeof Yaml | null = null;

/**
 * The YAML parser, loaded when a Compose file is first read: check and suggest look for Compose
 * files in every project, and loading the parser costs about 30 ms of start-up that most never need.
 */
function yaml(): typeof Yaml {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yamlModule;
}

/** Compose's default file names, in its order of preference (compose-go `DefaultFileNames`). */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
/** Override files Compose merges over the default file, in its order of preference. */
export const COMPOSE_OVERRIDE_NAMES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'] as const;

/** One service of a Compose project and the build context it defines. */
export interface ComposeService {
  name: string;
  /** The Compose file that defines the service, and the line of its key (1-based). */
  file: string;
  line: number | null;
  /**
   * `local`: a build context directory ctxsize can measure; `remote`: a Git or HTTP context, not
   * measurable here; `image`: no `build` section, nothing is built.
   */
  kind: 'local' | 'remote' | 'image';
  /** Absolute context directory (local), the URL (remote), or null (image). */
  context: string | null;
  /**
   * The context as written, after interpolation (`./api`, `.`); for a service of an included
   * project, relative to the including project's directory.
   */
  contextText: string | null;
  /** Absolute path of the Dockerfile, or null with `dockerfile_inline` or no build. */
  dockerfile: string | null;
  /** The `dockerfile` as written, after interpolation (default `Dockerfile`). */
  dockerfileText: string | null;
  /** The Dockerfile is given inline (`dockerfile_inline`): no Dockerfile is read from the context. */
  dockerfileInline: boolean;
  target: string | null;
  /** Build arguments (null: taken from the environment at build time). */
  args: Record<string, string | null>;
  image: string | null;
  /** The service's `profiles`: when not empty, it is built only with one of them enabled. */
  profiles: string[];
  /** The target platforms it is built for: `build.platforms`, else the service's `platform` (empty: the default). */
  platforms: string[];
}

/** A Compose project's services, in file order. */
export interface ComposeProject {
  /** The Compose files read, the main one first (then the override file, then included files). */
  files: string[];
  /** The project directory: relative contexts start here. */
  dir: string;
  services: ComposeService[];
  /** Unset variables and ignored parts, as Compose would warn about them. */
  warnings: string[];
}

/** Looks up a variable: undefined when unset. */
export type VariableLookup = (name: string) => string | undefined;

/**
 * Interpolate Compose variables in one value: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`, nested defaults, and
 * `$$` for a literal `$`. An unset variable without a default becomes empty (reported through
 * `onUnset`); `:?`/`?` on an unset variable, and malformed references, throw an Error.
 */
export function interpolate(value: string, lookup: VariableLookup, onUnset: (name: string) => void = () => {}): string {
  let out = '';
  let i = 0;
  const invalid = (): Error => new Error(`invalid interpolation format in ${JSON.stringify(value)}: you may need to escape a $ with another $`);
  while (i < value.length) {
    const c = value[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next !== undefined && /[A-Za-z_]/.test(next)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1))![0];
      out += resolveVariable(name, lookup, onUnset);
      i += 1 + name.length;
      continue;
    }
    if (next !== '{') throw invalid();
    // Find the matching brace, allowing nested ${…} in defaults.
    let depth = 1;
    let j = i + 2;
    for (; j < value.length && depth > 0; j++) {
      if (value[j] === '$' && value[j + 1] === '{') {
        depth++;
        j++;
      } else if (value[j] === '}') depth--;
    }
    if (depth !== 0) throw invalid();
    const body = value.slice(i + 2, j - 1);
    i = j;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
    if (!match) throw invalid();
    const [, name, operator, argument = ''] = match as unknown as [string, string, string | undefined, string | undefined];
    const current = lookup(name);
    const emptyCounts = operator?.startsWith(':') ?? false;
    const isSet = current !== undefined && !(emptyCounts && current === '');
    switch (operator) {
      case undefined:
        out += resolveVariable(name, lookup, onUnset);
        break;
      case ':-':
      case '-':
        out += isSet ? current : interpolate(argument, lookup, onUnset);
        break;
      case ':?':
      case '?':
        if (!isSet) {
          const message = interpolate(argument, lookup, onUnset);
          throw new Error(`required variable ${name} is missing a value${message ? `: ${message}` : ''}`);
        }
        out += current;
        break;
      case ':+':
      case '+':
        out += isSet ? interpolate(argument, lookup, onUnset) : '';
        break;
      default:
        throw invalid();
    }
  }
  return out;
}

function resolveVariable(name: string, lookup: VariableLookup, onUnset: (name: string) => void): string {
  const value = lookup(name);
  if (value === undefined) {
    onUnset(name);
    return '';
  }
  return value;
}

/**
 * Parse a `.env` file as Compose reads it: `KEY=VALUE` lines, `export ` prefixes, `#` comments,
 * single quotes (literal), double quotes (with `\n`, `\t`, `\"`, `\\` escapes), unquoted values with
 * trailing ` #` comments removed. `${VAR}` references in unquoted and double-quoted values are
 * expanded from the variables defined so far and then `lookup`.
 */
export function parseDotEnv(text: string, lookup: VariableLookup = () => undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  const chain: VariableLookup = (name) => (Object.hasOwn(vars, name) ? vars[name] : lookup(name));
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_.][A-Za-z0-9_.-]*)\s*(?:=\s*([\s\S]*))?$/.exec(line);
    if (!match) continue;
    const key = match[1]!;
    let raw = match[2] ?? '';
    let value: string;
    if (raw.startsWith("'")) {
      let rest = raw.slice(1);
      while (!rest.includes("'") && n + 1 < lines.length) rest += '\n' + lines[++n];
      value = rest.slice(0, rest.indexOf("'") === -1 ? undefined : rest.indexOf("'"));
    } else if (raw.startsWith('"')) {
      let rest = raw.slice(1);
      const closing = (s: string): number => {
        for (let i = 0; i < s.length; i++) {
          if (s[i] === '\\') i++;
          else if (s[i] === '"') return i;
        }
        return -1;
      };
      while (closing(rest) === -1 && n + 1 < lines.length) rest += '\n' + lines[++n];
      const end = closing(rest);
      const body = end === -1 ? rest : rest.slice(0, end);
      value = safeInterpolate(body.replace(/\\([nrt"\\$])/g, (_, ch: string) => ({ n: '\n', r: '\r', t: '\t' })[ch] ?? ch), chain);
    } else {
      raw = raw.replace(/\s+#.*$/, '').trim();
      value = safeInterpolate(raw, chain);
    }
    vars[key] = value;
  }
  return vars;
}

function safeInterpolate(value: string, lookup: VariableLookup): string {
  try {
    return interpolate(value, lookup);
  } catch {
    return value;
  }
}

/** The Compose file Docker Compose would pick in `dir`, and the override file it would merge. */
export function findComposeFiles(dir: string): string[] | null {
  const existing = (names: readonly string[]): string | undefined =>
    names.map((n) => path.join(dir, n)).find((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
  const main = existing(COMPOSE_FILE_NAMES);
  if (main === undefined) return null;
  const override = existing(COMPOSE_OVERRIDE_NAMES);
  return override === undefined ? [main] : [main, override];
}

/** A `build` section, normalised; a local context is already absolute. */
interface BuildSpec {
  context?: string;
  contextText?: string;
  dockerfile?: string;
  dockerfileInline?: boolean;
  target?: string;
  args?: Record<string, string | null>;
  platforms?: string[];
}

interface RawService {
  name: string;
  file: string;
  line: number | null;
  /** Relative paths in this service start here. */
  baseDir: string;
  build?: BuildSpec;
  /** `build` was given and is not null (an override may set `build: !reset`). */
  hasBuild: boolean;
  image?: string;
  extends?: { service: string; file?: string };
  profiles?: string[];
  platform?: string;
}

/** A Git or HTTP(S) context, which Docker fetches instead of reading a directory. */
export function isRemoteContext(context: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(context) || context.startsWith('git@') || context.startsWith('github.com/');
}

interface ParsedFile {
  file: string;
  label: string;
  services: Map<string, RawService>;
  /** The file's `include` entries (Compose 2.20), paths still as written (interpolated). */
  includes: IncludeEntry[];
}

/** One `include` entry: other Compose files loaded as a project of their own. */
interface IncludeEntry {
  paths: string[];
  projectDirectory: string | null;
  envFiles: string[] | null;
  /** Where it is written, for messages. */
  where: string;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class ComposeReader {
  readonly warnings: string[] = [];
  private readonly unset = new Set<string>();
  private readonly cache = new Map<string, ParsedFile>();

  constructor(
    private readonly lookup: VariableLookup,
    private readonly cwd: string,
  ) {}

  label(file: string): string {
    return displayPath(this.cwd, file);
  }

  /** Parse one Compose file; relative paths in it start at `baseDir`. */
  read(file: string, baseDir: string): ParsedFile {
    const key = `${file}\0${baseDir}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const label = this.label(file);
    let text: string;
    try {
      text = readInputText(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(code === 'ENOENT' ? `${label}: no such Compose file` : `${label}: cannot read the Compose file (${describeReadError(error)})`, { cause: error });
    }
    const { LineCounter, parseDocument } = yaml();
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: true, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new InputError(`${label}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${message}`);
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      throw new InputError(`${label}: invalid YAML: ${(e as Error).message}`, { cause: e });
    }
    if (data === null || data === undefined) data = {};
    if (!isMap(data)) throw new InputError(`${label}: a Compose file must be a mapping at the top level`);
    const services = new Map<string, RawService>();
    const rawServices = data['services'];
    if (rawServices !== undefined && rawServices !== null && !isMap(rawServices)) throw new InputError(`${label}: services must be a mapping of service names`);
    for (const [name, body] of Object.entries(rawServices ?? {})) {
      const node = doc.getIn(['services', name], true) as { range?: [number, number, number] } | undefined;
      const keyNode = (doc.get('services', true) as { items?: { key: { value?: unknown; range?: [number, number, number] } }[] } | undefined)?.items?.find(
        (item) => item.key?.value === name,
      )?.key;
      const offset = keyNode?.range?.[0] ?? node?.range?.[0];
      const line = offset === undefined ? null : lineCounter.linePos(offset).line;
      services.set(name, this.service(name, body, { file, label, line, baseDir }));
    }
    const parsed = { file, label, services, includes: this.includes(data['include'], label) };
    this.cache.set(key, parsed);
    return parsed;
  }

  /** `include`: a list of paths, or of `{path, project_directory, env_file}` (path and env_file: one or a list). */
  private includes(value: unknown, label: string): IncludeEntry[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new InputError(`${label}: include: expected a list`);
    const list = (item: unknown, where: string): string[] =>
      Array.isArray(item) ? item.map((x, i) => this.text(x, `${where}[${i}]`, label)) : [this.text(item, where, label)];
    return value.map((entry, i) => {
      const where = `include[${i}]`;
      if (!isMap(entry)) return { paths: [this.text(entry, where, label)], projectDirectory: null, envFiles: null, where };
      if (entry['path'] === undefined) throw new InputError(`${label}: ${where}.path: required`);
      return {
        paths: list(entry['path'], `${where}.path`),
        projectDirectory: entry['project_directory'] === undefined ? null : this.text(entry['project_directory'], `${where}.project_directory`, label),
        envFiles: entry['env_file'] === undefined ? null : list(entry['env_file'], `${where}.env_file`),
        where,
      };
    });
  }

  private text(value: unknown, where: string, label: string): string {
    if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
    if (typeof value !== 'string') throw new InputError(`${label}: ${where}: expected a string, not ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
    try {
      return interpolate(value, this.lookup, (name) => {
        if (!this.unset.has(name)) {
          this.unset.add(name);
          this.warnings.push(`the ${name} variable is not set: defaulting to a blank string (${label}: ${where})`);
        }
      });
    } catch (error) {
      throw new InputError(`${label}: ${where}: ${(error as Error).message}`, { cause: error });
    }
  }

  private service(name: string, body: unknown, at: { file: string; label: string; line: number | null; baseDir: string }): RawService {
    const where = `services.${name}`;
    if (body === null || body === undefined) body = {};
    if (!isMap(body)) throw new InputError(`${at.label}: ${where}: a service must be a mapping`);
    const service: RawService = { name, file: at.file, line: at.line, baseDir: at.baseDir, hasBuild: false };
    if (body['image'] !== undefined && body['image'] !== null) service.image = this.text(body['image'], `${where}.image`, at.label);
    if (body['platform'] !== undefined && body['platform'] !== null) service.platform = this.text(body['platform'], `${where}.platform`, at.label);
    const profiles = body['profiles'];
    if (profiles !== undefined && profiles !== null) {
      if (!Array.isArray(profiles)) throw new InputError(`${at.label}: ${where}.profiles: expected a list of profile names`);
      service.profiles = profiles.map((p, i) => this.text(p, `${where}.profiles[${i}]`, at.label));
    }
    const build = body['build'];
    if (build !== undefined && build !== null) {
      service.hasBuild = true;
      service.build = this.build(build, `${where}.build`, at.label, at.baseDir);
    }
    const ext = body['extends'];
    if (ext !== undefined && ext !== null) {
      if (typeof ext === 'string') service.extends = { service: this.text(ext, `${where}.extends`, at.label) };
      else if (isMap(ext) && ext['service'] !== undefined) {
        service.extends = { service: this.text(ext['service'], `${where}.extends.service`, at.label) };
        if (ext['file'] !== undefined) service.extends.file = this.text(ext['file'], `${where}.extends.file`, at.label);
      } else throw new InputError(`${at.label}: ${where}.extends: expected a service name or {service, file}`);
    }
    return service;
  }

  private build(value: unknown, where: string, label: string, baseDir: string): BuildSpec {
    const spec: BuildSpec = {};
    const setContext = (text: string): void => {
      spec.contextText = text;
      spec.context = isRemoteContext(text) ? text : path.resolve(baseDir, text === '' ? '.' : text);
    };
    if (typeof value === 'string') {
      setContext(this.text(value, where, label));
      return spec;
    }
    if (!isMap(value)) throw new InputError(`${label}: ${where}: expected a context path or a mapping`);
    if (value['context'] !== undefined && value['context'] !== null) setContext(this.text(value['context'], `${where}.context`, label));
    if (value['dockerfile'] !== undefined && value['dockerfile'] !== null) spec.dockerfile = this.text(value['dockerfile'], `${where}.dockerfile`, label);
    if (value['dockerfile_inline'] !== undefined && value['dockerfile_inline'] !== null) spec.dockerfileInline = true;
    if (value['target'] !== undefined && value['target'] !== null) spec.target = this.text(value['target'], `${where}.target`, label);
    const args = value['args'];
    if (args !== undefined && args !== null) {
      spec.args = {};
      if (Array.isArray(args)) {
        for (const item of args) {
          const entry = this.text(item, `${where}.args`, label);
          const eq = entry.indexOf('=');
          if (eq === -1) spec.args[entry] = null;
          else spec.args[entry.slice(0, eq)] = entry.slice(eq + 1);
        }
      } else if (isMap(args)) {
        for (const [k, v] of Object.entries(args)) spec.args[k] = v === null ? null : this.text(v, `${where}.args.${k}`, label);
      } else throw new InputError(`${label}: ${where}.args: expected a mapping or a list of NAME=VALUE`);
    }
    const platforms = value['platforms'];
    if (platforms !== undefined && platforms !== null) {
      if (!Array.isArray(platforms)) throw new InputError(`${label}: ${where}.platforms: expected a list of platforms`);
      spec.platforms = platforms.map((p, i) => this.text(p, `${where}.platforms[${i}]`, label));
    }
    if (spec.dockerfile !== undefined && spec.dockerfileInline) {
      throw new InputError(`${label}: ${where}: dockerfile and dockerfile_inline are mutually exclusive`);
    }
    return spec;
  }
}

function mergeBuild(base: BuildSpec | undefined, over: BuildSpec | undefined): BuildSpec | undefined {
  if (base === undefined) return over;
  if (over === undefined) return base;
  const merged: BuildSpec = { ...base, ...over };
  if (over.dockerfile !== undefined) delete merged.dockerfileInline;
  if (over.dockerfileInline) delete merged.dockerfile;
  if (base.args || over.args) merged.args = { ...base.args, ...over.args };
  return merged;
}

function mergeService(base: RawService, over: RawService): RawService {
  return {
    ...base,
    line: over.line ?? base.line,
    hasBuild: base.hasBuild || over.hasBuild,
    build: mergeBuild(base.build, over.build),
    image: over.image ?? base.image,
    platform: over.platform ?? base.platform,
    extends: over.extends ?? base.extends,
    profiles: over.profiles ?? base.profiles,
  };
}

/**
 * The services `docker compose build` builds with these profiles enabled: those without
 * `profiles`, and those with an enabled one (`*` enables every profile).
 */
export function servicesForProfiles(services: readonly ComposeService[], enabled: readonly string[]): { selected: ComposeService[]; skipped: ComposeService[] } {
  const on = (s: ComposeService): boolean => s.profiles.length === 0 || enabled.includes('*') || s.profiles.some((p) => enabled.includes(p));
  return { selected: services.filter(on), skipped: services.filter((s) => !on(s)) };
}

/**
 * Read a Compose project: `files` are merged in order (the main file, then overrides); relative
 * paths start at the first file's directory. Variables come from `env` and then the project's
 * `.env` file (the environment wins, as in Compose). Throws InputError with the file and the key.
 */
export function loadComposeProject(files: string[], options: { env: NodeJS.ProcessEnv; cwd: string }): ComposeProject {
  return loadProject(files, options, null, null, []);
}

/** Read a `.env`-style file; null when there is none (a missing explicit one is an error). */
function readEnvFile(file: string, required: boolean, cwd: string): string | null {
  try {
    if (statSync(file).isFile()) return readInputText(file);
  } catch (error) {
    if (required || error instanceof InputFileError) throw new InputError(`${displayPath(cwd, file)}: cannot read the env file (${describeReadError(error)})`, { cause: error });
  }
  return null;
}

/**
 * A project: its files merged, then its `include`d projects, each read on its own (relative
 * paths start at its project directory, variables come from the environment and its own env
 * files), whose services join the project's. A service defined twice is an error, as in Compose.
 */
function loadProject(
  files: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string },
  projectDir: string | null,
  envFiles: string[] | null,
  including: string[],
): ComposeProject {
  const mainFile = path.resolve(options.cwd, files[0]!);
  const dir = projectDir ?? path.dirname(mainFile);
  let dotEnv: Record<string, string> = {};
  for (const envFile of envFiles ?? [path.join(dir, '.env')]) {
    const envText = readEnvFile(envFile, envFiles !== null, options.cwd);
    if (envText !== null) dotEnv = { ...dotEnv, ...parseDotEnv(envText, (name) => options.env[name]) };
  }
  const lookup: VariableLookup = (name) => options.env[name] ?? (Object.hasOwn(dotEnv, name) ? dotEnv[name] : undefined);
  const reader = new ComposeReader(lookup, options.cwd);

  const absFiles = files.map((f) => path.resolve(options.cwd, f));
  const merged = new Map<string, RawService>();
  const includes: { entry: IncludeEntry; from: ParsedFile }[] = [];
  for (const file of absFiles) {
    const parsed = reader.read(file, dir);
    for (const [name, service] of parsed.services) {
      const existing = merged.get(name);
      merged.set(name, existing ? mergeService(existing, service) : service);
    }
    for (const entry of parsed.includes) includes.push({ entry, from: parsed });
  }
  const imported: ComposeService[] = [];
  const importedFiles: string[] = [];
  const warnings: string[] = [];
  for (const { entry, from } of includes) {
    const paths = entry.paths.map((p) => path.resolve(dir, p));
    if (including.includes(paths[0]!) || absFiles.includes(paths[0]!)) {
      throw new InputError(`${from.label}: ${entry.where}: include cycle (${[...including, ...absFiles.slice(0, 1), paths[0]!].map((f) => displayPath(options.cwd, f)).join(' → ')})`);
    }
    const sub = loadProject(
      paths,
      options,
      entry.projectDirectory === null ? null : path.resolve(dir, entry.projectDirectory),
      entry.envFiles === null ? null : entry.envFiles.map((f) => path.resolve(dir, f)),
      [...including, absFiles[0]!],
    );
    for (const service of sub.services) {
      if (merged.has(service.name) || imported.some((s) => s.name === service.name)) {
        // Compose refuses it too ("services.NAME conflicts with imported resource").
        throw new InputError(`${from.label}: ${entry.where}: services.${service.name} conflicts with imported resource (from ${displayPath(options.cwd, service.file)})`);
      }
      // Shown beside this project's services: the context relative to this project's directory.
      const relative = service.kind === 'local' && service.context !== null ? path.relative(dir, service.context).split(path.sep).join('/') : null;
      imported.push(relative === null ? service : { ...service, contextText: relative === '' ? '.' : relative.startsWith('..') ? relative : `./${relative}` });
    }
    importedFiles.push(...sub.files);
    warnings.push(...sub.warnings);
  }

  const resolveExtends = (service: RawService, fileServices: Map<string, RawService>, seen: string[]): RawService => {
    if (service.extends === undefined) return service;
    const key = `${service.file}#${service.name}`;
    if (seen.includes(key)) {
      throw new InputError(`${reader.label(service.file)}: services.${service.name}.extends: circular reference (${[...seen, key].map((k) => k.split('#')[1]).join(' → ')})`);
    }
    let baseFile = service.file;
    let pool = fileServices;
    if (service.extends.file !== undefined) {
      baseFile = path.resolve(path.dirname(service.file), service.extends.file);
      const parsed = reader.read(baseFile, path.dirname(baseFile));
      pool = parsed.services;
    }
    const base = pool.get(service.extends.service);
    if (base === undefined) {
      throw new InputError(`${reader.label(service.file)}: services.${service.name}.extends: no service ${JSON.stringify(service.extends.service)} in ${reader.label(baseFile)}`);
    }
    let resolvedBase = resolveExtends(base, pool, [...seen, key]);
    if (resolvedBase.build !== undefined && resolvedBase.build.context === undefined) {
      // The base's default context is its own file's directory, not the extending file's.
      resolvedBase = { ...resolvedBase, build: { ...resolvedBase.build, context: resolvedBase.baseDir, contextText: '.' } };
    }
    const own = { ...service, extends: undefined };
    const result = mergeService({ ...resolvedBase, name: service.name, file: service.file, line: service.line, baseDir: service.baseDir }, own);
    delete result.extends;
    return result;
  };

  const services: ComposeService[] = [];
  for (const raw of merged.values()) {
    const service = resolveExtends(raw, merged, []);
    const build = service.build;
    if (!service.hasBuild || build === undefined) {
      services.push({
        name: service.name,
        file: service.file,
        line: service.line,
        kind: 'image',
        context: null,
        contextText: null,
        dockerfile: null,
        dockerfileText: null,
        dockerfileInline: false,
        target: null,
        args: {},
        image: service.image ?? null,
        profiles: service.profiles ?? [],
        platforms: [],
      });
      continue;
    }
    const contextText = build.contextText ?? '.';
    const context = build.context ?? path.resolve(service.baseDir, '.');
    const remote = isRemoteContext(context);
    const dockerfileText = build.dockerfileInline ? null : (build.dockerfile ?? 'Dockerfile');
    let dockerfile: string | null = null;
    if (!remote && dockerfileText !== null) dockerfile = path.resolve(context, dockerfileText);
    services.push({
      name: service.name,
      file: service.file,
      line: service.line,
      kind: remote ? 'remote' : 'local',
      context,
      contextText,
      dockerfile,
      dockerfileText,
      dockerfileInline: build.dockerfileInline === true,
      target: build.target ?? null,
      args: build.args ?? {},
      image: service.image ?? null,
      profiles: service.profiles ?? [],
      platforms: build.platforms ?? (service.platform !== undefined ? [service.platform] : []),
    });
  }
  return { files: [...absFiles, ...importedFiles], dir, services: [...services, ...imported], warnings: [...reader.warnings, ...warnings] };
}
