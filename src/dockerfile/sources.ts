/**
 * The build-context paths a build uses, collected as BuildKit's Dockerfile frontend collects its
 * `ctxPaths` (`dockerfile2llb/convert.go` `dispatch`, `convert_runmount.go` `dispatchRunMounts`),
 * and what they mean for the transfer (`normalizeContextPaths`, `filterPaths`).
 *
 * Facts this module reproduces:
 * - Only the stages reachable from the target are dispatched, so only they add paths; a stage
 *   replaced by a named build context adds none.
 * - `COPY` without `--from` (or with an empty `--from=`) adds each source; `COPY --from=<anything>`
 *   (stage, index, image, named context) adds nothing.
 * - `ADD` adds each source except `http://…` and `https://…` ones. (BuildKit also records git
 *   sources such as `git@host:repo.git`, as paths that a context never holds; ctxsize leaves them out.)
 * - `RUN --mount` adds its `source` (default: the context root) for every mount left without
 *   `from` once a cache mount's missing `from` became `scratch`: bind mounts, and also tmpfs mounts.
 *   Secret and ssh mounts add nothing. A tmpfs mount never reads the context, but its path still
 *   counts in the include list, so a tmpfs mount without `source` makes every other use of the
 *   context receive the whole context.
 * - Heredoc sources (`COPY <<EOF /dst`) are inline files, not context paths.
 * - Each path is `path.Join("/", source)` after variable expansion: cleaned, rooted. BuildKit then
 *   sends `path.Join(".", p)` of each, sorted, as the local source's FollowPaths; when one of them is
 *   the root it sends no filter at all, and the whole (ignore-filtered) context is transferred.
 *   FollowPaths are include patterns for the client's filesystem walk (tonistiigi/fsutil
 *   `NewFilterFS`): wildcards match as in .dockerignore, and symbolic links along them are followed
 *   to their targets, which are included too.
 * - `COPY --parents src` adds the whole `src` path: a `/./` pivot is cleaned away (`a/./b` → `a/b`);
 *   the pivot only shapes where files land, through the copy's own include pattern.
 * - `--exclude` patterns do not narrow the transfer: they go to the copy operation
 *   (`llb.WithExcludePatterns`) that runs in BuildKit after the context has arrived.
 */
import { classifyAddSource } from './git.js';
import { parseMount } from './mounts.js';
import { DockerfileError, locate } from './errors.js';
import type { LexOptions } from './expand.js';
import { applyArg, applyEnv, expandAt, DEFAULT_PATH, Scope } from './scope.js';
import { resolveCopyFrom, resolveStages, stageCommands, stageLabel, type BuildOptions, type StageGraph } from './stages.js';
import type { Dockerfile, Instruction, Stage } from './types.js';
import { goCleanPath } from '../dockerignore/go-text.js';

/** A build-context path that a build uses. */
export interface ContextSource {
  /**
   * The path as BuildKit matches it: expanded, joined to `/`, cleaned, relative; `.` is the
   * context root. May hold wildcards (then it is a pattern).
   */
  path: string;
  /** The source as written in the Dockerfile (before expansion). */
  raw: string;
  /** 1-based line of the instruction (of the ONBUILD, for a trigger run in a child stage). */
  line: number;
  instruction: 'COPY' | 'ADD' | 'RUN';
  /** The stage that runs it: its name, or its index when unnamed. */
  stage: string | number;
  /** The path contains `*`, `?` or `[` (not escaped by `\`). */
  wildcard: boolean;
  /**
   * Expansion used a variable ctxsize could not know (a base image's environment, a platform
   * argument, an ARG without value): `path` is computed with it unset, and may be wrong.
   */
  unresolved: boolean;
  /** An inline heredoc file (only listed with `includeHeredocs`); never a context path. */
  heredoc?: boolean;
  /** `--exclude` patterns of the COPY/ADD, as written (they do not narrow the transfer). */
  excludes?: string[];
  /** `COPY --parents`. */
  parents?: boolean;
  /** For RUN: the mount type. A tmpfs mount's path counts for the include list only. */
  mount?: 'bind' | 'tmpfs';
  /**
   * Variables the source uses without a default that are not set (not given with `--build-arg`,
   * no default): each expanded to nothing. Absent when there are none.
   */
  missing?: string[];
  /** Of `missing`, those a base image's environment may set (ctxsize cannot see it). */
  fromImage?: string[];
}

/** A word of the Dockerfile that holds a variable nothing sets: the build may not be what it says. */
export interface UnresolvedWord {
  line: number;
  /** `FROM` (the stage's base), or the instruction of a context source. */
  instruction: 'FROM' | 'COPY' | 'ADD' | 'RUN';
  /** The word as written. */
  raw: string;
  /** What it expanded to. */
  expanded: string;
  /** The variables that are not set. */
  variables: string[];
  /** Of them, those a base image's environment may set. */
  fromImage: string[];
}

/** What one build of a Dockerfile takes from the context. */
export interface BuildUse {
  sources: ContextSource[];
  /** Stage bases and sources that hold variables nothing sets, in build order. */
  unresolved: UnresolvedWord[];
  /** The target platform (`linux/amd64`). */
  platform: string;
}

/** Options of {@link contextSources}. */
export interface ContextSourceOptions extends BuildOptions {
  /** Also list heredoc sources (flagged `heredoc`, `path` = the inline file's name). */
  includeHeredocs?: boolean;
}

/** BuildKit's `path.Join("/", p)` made relative: `.` for the root. */
function contextPath(source: string): string {
  const rooted = goCleanPath('/' + source);
  return rooted === '/' ? '.' : rooted.slice(1);
}

/** BuildKit's `containsWildcards` (fileop, Unix): `*`, `?`, `[`, with `\` escaping the next character. */
export function containsWildcards(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

/** Walks the reachable stages in build order, keeping each stage's environment. */
class Collector {
  readonly sources: ContextSource[] = [];
  readonly unresolved: UnresolvedWord[] = [];
  private readonly scopes = new Map<number, Scope>();
  /** Each dispatched stage's working directory (`''` when none was set), for mount targets. */
  private readonly dirs = new Map<number, string>();
  private readonly lex: LexOptions;

  constructor(
    private readonly dockerfile: Dockerfile,
    private readonly graph: StageGraph,
    private readonly options: ContextSourceOptions,
  ) {
    this.lex = { escapeToken: dockerfile.escapeToken };
  }

  run(): ContextSource[] {
    for (const index of this.graph.reachable) {
      if (this.graph.replaced[index]) continue;
      const stage = this.dockerfile.stages[index]!;
      const missing = this.graph.baseMissing[index] ?? [];
      if (missing.length > 0) {
        this.unresolved.push({
          line: stage.from.line,
          instruction: 'FROM',
          raw: stage.from.image,
          expanded: this.graph.baseName[index]!,
          variables: missing,
          fromImage: [],
        });
      }
      const scope = this.initialScope(stage);
      const base = this.graph.base[index];
      // An image's WORKDIR is unknown here; the common base images (and scratch) have none.
      const state = { scope, dir: base === undefined ? '' : (this.dirs.get(base) ?? '') };
      for (const instruction of stageCommands(this.dockerfile, this.graph, stage)) {
        this.dispatch(stage, state, instruction);
      }
      this.scopes.set(index, scope);
      this.dirs.set(index, state.dir);
    }
    return this.sources;
  }

  /** The environment a stage starts with: its base stage's, `scratch`'s (PATH only), or an image's (unknown). */
  private initialScope(stage: Stage): Scope {
    const base = this.graph.base[stage.index];
    if (base !== undefined) return this.scopes.get(base)?.clone() ?? Scope.open();
    if (this.graph.baseName[stage.index] === 'scratch' && !this.graph.baseUnresolved[stage.index]) {
      return Scope.closed([['PATH', { value: DEFAULT_PATH, exact: true }]]);
    }
    return Scope.open();
  }

  private add(
    stage: Stage,
    instruction: Instruction & { kind: 'COPY' | 'ADD' | 'RUN' },
    raw: string,
    expanded: string,
    e: { unresolved: ReadonlySet<string>; missing: ReadonlySet<string> },
    extra: Partial<ContextSource>,
  ): void {
    const missing = [...e.missing];
    const fromImage = missing.filter((name) => e.unresolved.has(name));
    this.sources.push({
      path: contextPath(expanded),
      raw,
      line: instruction.line,
      instruction: instruction.kind,
      stage: stage.name ?? stage.index,
      wildcard: containsWildcards(expanded),
      unresolved: e.unresolved.size > 0,
      ...extra,
      ...(missing.length > 0 ? { missing, fromImage } : {}),
    });
    if (missing.length > 0) {
      this.unresolved.push({ line: instruction.line, instruction: instruction.kind, raw, expanded, variables: missing, fromImage });
    }
  }

  /** Expands a word only for the errors BuildKit would stop on (its value does not matter here). */
  private check(word: string | undefined, scope: Scope, line: number, lex: LexOptions = this.lex): void {
    if (word !== undefined && word !== '') expandAt(word, scope, lex, this.dockerfile.file, line);
  }

  private dispatch(stage: Stage, state: { scope: Scope; dir: string }, instruction: Instruction): void {
    const { file } = this.dockerfile;
    const { scope } = state;
    const buildArgs = this.options.buildArgs ?? {};
    switch (instruction.kind) {
      case 'ARG':
        applyArg(scope, instruction, buildArgs, this.graph.global, this.lex, file);
        return;
      case 'ENV':
        applyEnv(scope, instruction, this.lex, file);
        return;
      case 'COPY':
      case 'ADD': {
        if (instruction.kind === 'COPY' && instruction.from !== undefined && instruction.from !== '') {
          const from = resolveCopyFrom(this.dockerfile, instruction.from, instruction.line);
          if (from && from.index >= stage.index && !this.graph.replaced[from.index]) {
            throw new DockerfileError(
              `cannot copy from stage ${JSON.stringify(instruction.from)}, it needs to be defined before current stage ${JSON.stringify(stageLabel(stage))}`,
              file,
              instruction.line,
            );
          }
          return;
        }
        this.check(instruction.chown, scope, instruction.line);
        if (instruction.kind === 'ADD') this.check(instruction.checksum, scope, instruction.line);
        const extra: Partial<ContextSource> = {
          ...(instruction.excludes.length > 0 ? { excludes: instruction.excludes } : {}),
          ...(instruction.kind === 'COPY' && instruction.parents ? { parents: true } : {}),
        };
        for (const raw of instruction.sources) {
          const e = expandAt(raw, scope, this.lex, file, instruction.line);
          const kind = classifyAddSource(e.result);
          if (instruction.kind === 'COPY' && kind === 'http') {
            throw new DockerfileError("source can't be a URL for COPY", file, instruction.line);
          }
          if (instruction.kind === 'COPY' && kind === 'git') {
            throw new DockerfileError("source can't be a git ref for COPY", file, instruction.line);
          }
          if (instruction.kind === 'ADD' && kind !== 'local') continue;
          this.add(stage, instruction, raw, e.result, e, extra);
        }
        this.check(instruction.dest, scope, instruction.line);
        // Inline files are expanded too (quotes kept), unless their delimiter was quoted.
        for (const doc of instruction.heredocSources) {
          if (doc.expand) this.check(doc.content, scope, instruction.line, { escapeToken: '\\', skipProcessQuotes: true });
        }
        if (this.options.includeHeredocs) {
          for (const doc of instruction.heredocSources) {
            this.sources.push({
              path: doc.name,
              raw: `<<${doc.chomp ? '-' : ''}${doc.name}`,
              line: instruction.line,
              instruction: instruction.kind,
              stage: stage.name ?? stage.index,
              wildcard: false,
              unresolved: false,
              heredoc: true,
            });
          }
        }
        return;
      }
      case 'RUN': {
        // BuildKit parses every mount (expanding each value) before it looks at any.
        const mounts = instruction.mounts.map((flag) => {
          const expansion = { unresolved: new Set<string>(), missing: new Set<string>() };
          let rawSource = '';
          try {
            const mount = parseMount(flag.spec, (value, key) => {
              const e = expandAt(value, scope, this.lex, file, instruction.line);
              if (key === 'source' || key === 'src') {
                rawSource = value;
                expansion.unresolved = new Set(e.unresolved);
                expansion.missing = new Set(e.missing);
              }
              return e.result;
            });
            return { mount, rawSource, expansion };
          } catch (error) {
            locate(error, file, instruction.line);
          }
        });
        for (const { mount, rawSource, expansion } of mounts) {
          if (mount.type === 'secret' || mount.type === 'ssh') continue;
          // `dispatchRunMounts`: a relative target is joined to the working directory, and a
          // mount over the root is refused.
          const written = mount.target ?? '';
          const target = goCleanPath(written).startsWith('/') ? written : goCleanPath('/' + state.dir + '/' + written);
          if (target === '/') throw new DockerfileError('invalid mount target "/"', file, instruction.line);
          if (mount.from !== undefined || (mount.type !== 'bind' && mount.type !== 'tmpfs')) continue;
          this.add(stage, instruction, rawSource, mount.source ?? '', expansion, { mount: mount.type });
        }
        return;
      }
      case 'OTHER':
        this.dispatchOther(state, instruction);
        return;
      default:
        return;
    }
  }

  private dispatchOther(state: { scope: Scope; dir: string }, instruction: Instruction & { kind: 'OTHER' }): void {
    if (instruction.keyword === 'WORKDIR') {
      const e = expandAt(instruction.args[0] ?? '', state.scope, this.lex, this.dockerfile.file, instruction.line);
      // llb's Dir: a relative path is joined to the current one (the root when none is set).
      state.dir = e.result.startsWith('/') ? e.result : goCleanPath((state.dir === '' ? '/' : state.dir) + '/' + e.result);
    } else if (EXPANDED.has(instruction.keyword)) {
      for (const arg of instruction.args) this.check(arg, state.scope, instruction.line);
    }
  }
}

/** Instructions whose arguments BuildKit expands (so a malformed one fails the build). */
const EXPANDED = new Set(['USER', 'VOLUME', 'STOPSIGNAL', 'LABEL']);

/**
 * The build-context paths a build of `dockerfile` uses, in build order, exactly as BuildKit's
 * Dockerfile frontend collects them for the target's reachable stages (see the module comment).
 *
 * @throws DockerfileError for an unknown target, a variable that does not expand, a malformed
 *   mount, or another error BuildKit would stop the build with before transferring the context
 */
export function contextSources(dockerfile: Dockerfile, options: ContextSourceOptions = {}): ContextSource[] {
  return buildUse(dockerfile, options).sources;
}

/**
 * What one build of `dockerfile` takes from the context: its sources (as {@link contextSources}),
 * the words that hold variables nothing sets, and the target platform.
 *
 * @throws DockerfileError as {@link contextSources}
 */
export function buildUse(dockerfile: Dockerfile, options: ContextSourceOptions = {}): BuildUse {
  const graph = resolveStages(dockerfile, options);
  const collector = new Collector(dockerfile, graph, options);
  const sources = collector.run();
  return { sources, unresolved: collector.unresolved, platform: graph.platform };
}

const isPath = (s: ContextSource): boolean => !s.heredoc;

/**
 * Whether the build reads the build context at all: a COPY, ADD or bind mount uses it. When it
 * does not, BuildKit transfers nothing.
 */
export function dockerfileReadsContext(sources: readonly ContextSource[]): boolean {
  return sources.some((s) => isPath(s) && s.mount !== 'tmpfs');
}

/**
 * Whether the whole (ignore-filtered) context is transferred: the context is read and one of the
 * paths is its root (`COPY . .`, `RUN --mount=type=bind` without `source`).
 */
export function dockerfileUsesWholeContext(sources: readonly ContextSource[]): boolean {
  return dockerfileReadsContext(sources) && sources.some((s) => isPath(s) && s.path === '.');
}

/** Go's string order: bytewise on UTF-8. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The include patterns (FollowPaths) BuildKit sends with the context request, as its
 * `normalizeContextPaths` computes them: the paths, deduplicated and sorted; `null` when the root
 * is among them (no filter: the whole context). An empty list means no path is used; whether the
 * context is read at all is {@link dockerfileReadsContext}.
 */
export function contextIncludePatterns(sources: readonly ContextSource[]): string[] | null {
  const paths = new Set<string>();
  for (const source of sources) {
    if (!isPath(source)) continue;
    if (source.path === '.') return null;
    paths.add(source.path);
  }
  return [...paths].sort(compareUtf8);
}
