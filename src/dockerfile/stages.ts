/**
 * Stages, the target and what it reaches, as BuildKit's Dockerfile frontend works them out
 * (`dockerfile2llb/convert.go`: `addState`, `toCommand`, `findStateByName`, `allReachableStages`,
 * `validateCircularDependency`, ONBUILD triggers; `convert_runmount.go`: `detectRunMount`).
 *
 * - A stage's base is an earlier stage whose name equals the expanded FROM word exactly
 *   (stage names are stored lower-cased); anything else is an image (or `scratch`).
 * - `COPY --from=` names a stage (case-insensitive, any position in the file) or, when it is a
 *   number, a stage index; anything else is an image or a named build context, not a stage.
 * - `RUN --mount=…,from=` names a stage by name only.
 * - The ONBUILD instructions of a base stage run at the start of the stages built FROM it.
 * - Only the stages reachable from the target through bases and those references are built.
 */
import { DockerfileError } from './errors.js';
import type { LexOptions } from './expand.js';
import { expandAt, globalScope, type BuildArgs, type Scope } from './scope.js';
import type { Dockerfile, Instruction, Stage } from './types.js';

/** Which build to analyse. */
export interface BuildOptions {
  /** `--target`: a stage name (case-insensitive). Default: the last stage. */
  target?: string;
  /** `--build-arg` values. */
  buildArgs?: BuildArgs;
  /**
   * Names of `--build-context name=…` contexts. A stage with such a name is replaced by that
   * context: its instructions are not built.
   */
  namedContexts?: readonly string[];
}

/** A reference from an instruction to another stage. */
interface StageDependency {
  stage: number;
  line: number;
}

/** The stages of one build. */
export interface StageGraph {
  /** The target stage's index. */
  target: number;
  /** The reachable stages' indexes, ascending (the order BuildKit builds them in). */
  reachable: number[];
  /** Per stage: the index of its base stage, if it is built FROM a stage. */
  base: (number | undefined)[];
  /** Per stage: the FROM word expanded with the global scope. */
  baseName: string[];
  /** Per stage: whether that expansion used an unknown value. */
  baseUnresolved: boolean[];
  /** Per stage: replaced by a named build context. */
  replaced: boolean[];
  /** The global scope (platform arguments and the ARGs before the first FROM). */
  global: Scope;
}

/** BuildKit's name for a stage in messages: its name, or `stage-N`. */
export function stageLabel(stage: Stage): string {
  return stage.name ?? `stage-${stage.index}`;
}

/** The last stage with this name (case-insensitive), as BuildKit's name lookup finds it. */
export function findStageByName(dockerfile: Dockerfile, name: string): Stage | undefined {
  const lower = name.toLowerCase();
  for (let i = dockerfile.stages.length - 1; i >= 0; i--) {
    if (dockerfile.stages[i]!.name === lower) return dockerfile.stages[i];
  }
  return undefined;
}

/**
 * The stage a `COPY --from` value refers to: a stage index when it is a number, else a stage
 * name; undefined for an image or named context. An index out of range is an error.
 */
export function resolveCopyFrom(dockerfile: Dockerfile, from: string, line: number): Stage | undefined {
  if (/^[+-]?\d+$/.test(from) && Number.isSafeInteger(Number(from))) {
    const index = Number(from);
    const stage = dockerfile.stages[index];
    if (!stage) throw new DockerfileError(`invalid stage index ${index}`, dockerfile.file, line);
    return stage;
  }
  return findStageByName(dockerfile, from);
}

/** The instructions a stage runs: its base stage's ONBUILD triggers, then its own. */
export function stageCommands(dockerfile: Dockerfile, graph: Pick<StageGraph, 'base'>, stage: Stage): Instruction[] {
  const base = graph.base[stage.index];
  const triggers =
    base === undefined
      ? []
      : dockerfile.stages[base]!.instructions.flatMap((i) => (i.kind === 'ONBUILD' ? [i.trigger] : []));
  return [...triggers, ...stage.instructions];
}

/** The stages an instruction depends on (COPY --from, RUN --mount from). */
function dependenciesOf(dockerfile: Dockerfile, instruction: Instruction): StageDependency[] {
  if (instruction.kind === 'COPY' && instruction.from !== undefined && instruction.from !== '') {
    const stage = resolveCopyFrom(dockerfile, instruction.from, instruction.line);
    return stage ? [{ stage: stage.index, line: instruction.line }] : [];
  }
  if (instruction.kind === 'RUN') {
    return instruction.mounts.flatMap((mount) => {
      const stage = mount.from === undefined ? undefined : findStageByName(dockerfile, mount.from);
      return stage ? [{ stage: stage.index, line: instruction.line }] : [];
    });
  }
  return [];
}

/** BuildKit's `validateCircularDependency`, over every stage's own references. */
function checkCycles(dockerfile: Dockerfile, deps: StageDependency[][]): void {
  const visited = new Set<number>();
  const onPath = new Set<number>();
  const visit = (stage: number): StageDependency | undefined => {
    if (visited.has(stage)) return undefined;
    visited.add(stage);
    onPath.add(stage);
    for (const dep of deps[stage]!) {
      if (onPath.has(dep.stage)) return dep;
      const found = visit(dep.stage);
      if (found) return found;
    }
    onPath.delete(stage);
    return undefined;
  };
  for (const stage of dockerfile.stages) {
    const cycle = visit(stage.index);
    if (cycle) {
      throw new DockerfileError(`circular dependency detected on stage: ${stageLabel(stage)}`, dockerfile.file, cycle.line);
    }
  }
}

/**
 * Resolves bases, the target and the reachable stages of one build.
 *
 * @throws DockerfileError for an unknown target (line 0), a FROM that expands to nothing, an
 *   invalid stage index, or a circular dependency
 */
export function resolveStages(dockerfile: Dockerfile, options: BuildOptions = {}): StageGraph {
  const { file, stages } = dockerfile;
  const lex: LexOptions = { escapeToken: dockerfile.escapeToken };
  const global = globalScope(dockerfile.metaArgs, options.buildArgs ?? {}, lex, file);
  const named = new Set((options.namedContexts ?? []).map((n) => n.toLowerCase()));

  const earlier = new Map<string, number>();
  const base: (number | undefined)[] = [];
  const baseName: string[] = [];
  const baseUnresolved: boolean[] = [];
  const replaced: boolean[] = [];
  for (const stage of stages) {
    const e = expandAt(stage.from.image, global, lex, file, stage.from.line);
    if (e.result === '' && e.unresolved.size === 0) {
      throw new DockerfileError(`base name (${stage.from.image}) should not be blank`, file, stage.from.line);
    }
    baseName.push(e.result);
    baseUnresolved.push(e.unresolved.size > 0);
    base.push(earlier.get(e.result));
    replaced.push(stage.name !== undefined && named.has(stage.name));
    if (stage.name !== undefined) earlier.set(stage.name, stage.index);
  }

  let target: number;
  if (options.target === undefined) target = stages.length - 1;
  else {
    const found = findStageByName(dockerfile, options.target);
    if (!found) throw new DockerfileError(`target stage ${JSON.stringify(options.target)} could not be found`, file, 0);
    target = found.index;
  }

  const own = stages.map((stage) => stage.instructions.flatMap((i) => dependenciesOf(dockerfile, i)));
  checkCycles(dockerfile, own);

  const reached = new Set<number>();
  const pending = [target];
  while (pending.length > 0) {
    const index = pending.pop()!;
    if (reached.has(index)) continue;
    reached.add(index);
    const b = base[index];
    if (b !== undefined) pending.push(b);
    for (const instruction of stageCommands(dockerfile, { base }, stages[index]!)) {
      for (const dep of dependenciesOf(dockerfile, instruction)) pending.push(dep.stage);
    }
  }
  return {
    target,
    reachable: [...reached].sort((a, b) => a - b),
    base,
    baseName,
    baseUnresolved,
    replaced,
    global,
  };
}
