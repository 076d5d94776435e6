/**
 * Variable scopes as BuildKit's Dockerfile frontend keeps them (`dockerfile2llb/convert.go`):
 * the global scope of FROM lines (platform arguments and the ARGs before the first FROM), and each
 * stage's environment, which COPY/ADD sources and RUN mounts are expanded against (the base image's
 * ENV, then the stage's ENV and ARG values, in order).
 */
import { locate } from './errors.js';
import { expandWord, type Expansion, type LexOptions, type VariableLookup, type Variables } from './expand.js';
import type { ArgInstruction, EnvInstruction } from './types.js';

/** Build arguments (`--build-arg NAME=value`). */
export type BuildArgs = Readonly<Record<string, string>>;

/** Arguments BuildKit defines from the build and target platforms (see `platform.ts`). */
export const PLATFORM_ARGS = [
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT', 'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
] as const;

/** The PATH BuildKit sets when the base has none (`system.DefaultPathEnv` on Linux). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface Binding {
  value: string;
  exact: boolean;
}

/**
 * A set of variables. A closed scope knows every variable (anything else is unset); an open one
 * sits on a base image whose environment ctxsize cannot see (anything else is unknown).
 */
export class Scope implements Variables {
  private constructor(
    private readonly vars: Map<string, Binding>,
    readonly open: boolean,
  ) {}

  /** A scope where nothing but the given variables is set. */
  static closed(vars: Iterable<[string, Binding]> = []): Scope {
    return new Scope(new Map(vars), false);
  }

  /** A scope on an unknown environment. */
  static open(): Scope {
    return new Scope(new Map(), true);
  }

  lookup(name: string): VariableLookup {
    const binding = this.vars.get(name);
    if (binding) return { kind: 'set', value: binding.value, exact: binding.exact };
    return this.open ? { kind: 'unknown' } : { kind: 'unset' };
  }

  set(name: string, value: string, exact: boolean): void {
    this.vars.set(name, { value, exact });
  }

  clone(): Scope {
    return new Scope(new Map(this.vars), this.open);
  }
}

const has = (args: BuildArgs, key: string): boolean => Object.hasOwn(args, key);

/** Expands `word` in `scope`, turning a syntax problem into a DockerfileError at `file:line`. */
export function expandAt(word: string, scope: Variables, lex: LexOptions, file: string, line: number): Expansion {
  try {
    return expandWord(word, scope, lex);
  } catch (error) {
    locate(error, file, line);
  }
}

/**
 * The global scope: the platform arguments (BuildKit always defines them; a build argument of the
 * same name wins), then each ARG before the first FROM, whose value is the build argument if one
 * is passed, else its default expanded in the scope so far. An ARG without either stays as it was.
 */
export function globalScope(
  metaArgs: readonly ArgInstruction[],
  buildArgs: BuildArgs,
  lex: LexOptions,
  file: string,
  platformValues: Readonly<Record<string, string>>,
): Scope {
  const scope = Scope.closed();
  for (const name of PLATFORM_ARGS) {
    scope.set(name, has(buildArgs, name) ? buildArgs[name]! : (platformValues[name] ?? ''), true);
  }
  for (const instruction of metaArgs) {
    for (const arg of instruction.args) {
      if (has(buildArgs, arg.key)) scope.set(arg.key, buildArgs[arg.key]!, true);
      else if (arg.value !== undefined) {
        const e = expandAt(arg.value, scope, lex, file, instruction.line);
        scope.set(arg.key, e.result, e.unresolved.size === 0);
      }
    }
  }
  return scope;
}

/**
 * An ARG inside a stage (BuildKit's `dispatchArg`): a passed build argument wins, else the default
 * expanded in the stage's environment, else the global value of the same name; an ARG with none of
 * these leaves the variable as it was.
 */
export function applyArg(
  scope: Scope,
  instruction: ArgInstruction,
  buildArgs: BuildArgs,
  global: Variables,
  lex: LexOptions,
  file: string,
): void {
  for (const written of instruction.args) {
    // BuildKit expands the name and the default first (a malformed one fails the build even when
    // a build argument replaces it).
    const key = expandAt(written.key, scope, lex, file, instruction.line).result;
    const value = written.value === undefined ? undefined : expandAt(written.value, scope, lex, file, instruction.line);
    const arg = { key };
    if (has(buildArgs, arg.key)) {
      scope.set(arg.key, buildArgs[arg.key]!, true);
    } else if (value !== undefined) {
      scope.set(arg.key, value.result, value.unresolved.size === 0);
    } else {
      const inherited = global.lookup(arg.key);
      if (inherited.kind === 'set') scope.set(arg.key, inherited.value, inherited.exact);
    }
  }
}

/**
 * An ENV (BuildKit's `dispatchEnv`): every key and value is expanded against the environment as it
 * was before the instruction (`ENV a=1 b=$a` gives b the old a), then all are set in order.
 */
export function applyEnv(scope: Scope, instruction: EnvInstruction, lex: LexOptions, file: string): void {
  const expanded = instruction.pairs.map((pair) => {
    const key = expandAt(pair.key, scope, lex, file, instruction.line);
    const value = expandAt(pair.value, scope, lex, file, instruction.line);
    return { key: key.result, value: value.result, exact: key.unresolved.size + value.unresolved.size === 0 };
  });
  for (const { key, value, exact } of expanded) scope.set(key, value, exact);
}
