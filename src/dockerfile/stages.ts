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
import { DockerfileError, SyntaxProblem } from './errors.js';
import type { LexOptions } from './expand.js';
import { defaultBuildPlatform, formatPlatform, parsePlatform, platformArgs, type Platform } from './platform.js';
import { imageReferenceProblem } from './reference.js';
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
  /** The target platform (`docker build --platform`); default: the build platform. */
  platform?: Platform;
  /** The platform BuildKit builds on; default: Linux on this machine's architecture. */
  buildPlatform?: Platform;
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
  /** Per stage: variables of the FROM word that are not set (each expanded to nothing). */
  baseMissing: string[][];
  /** The target platform, as BuildKit prints it (`linux/amd64`). */
  platform: string;
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
 * name; undefined for an image or named context (an index past the stages counts the images
 * named before it, as BuildKit numbers them). A negative index is an error.
 */
export function resolveCopyFrom(dockerfile: Dockerfile, from: string, line: number): Stage | undefined {
  const index = atoi(from);
  if (index !== undefined) {
    if (index < 0) throw new DockerfileError(`invalid stage index ${index}`, dockerfile.file, line);
    return dockerfile.stages[index];
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
      const stage = findStageByName(dockerfile, mount.from === undefined || mount.from === '' ? 'scratch' : mount.from);
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

/** Go's `strconv.Atoi`: a decimal integer with an optional sign, within 64 bits. */
function atoi(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) || Math.abs(value) < 2 ** 63 ? value : undefined;
}

/**
 * Resolves bases, the target and the reachable stages of one build, refusing what BuildKit's
 * frontend refuses before it transfers anything (`toDispatchState`): a FROM that expands to
 * nothing, an invalid FROM platform, an unknown target, a stage index out of range, a cycle, and a
 * base, `COPY --from` or mount `from=` that names no stage and is not a valid image reference
 * (checked in every stage, reachable or not, as BuildKit does).
 *
 * @throws DockerfileError for each of these (line 0 for an unknown target)
 */
export function resolveStages(dockerfile: Dockerfile, options: BuildOptions = {}): StageGraph {
  const { file, stages } = dockerfile;
  const lex: LexOptions = { escapeToken: dockerfile.escapeToken };
  const buildPlatform = options.buildPlatform ?? defaultBuildPlatform();
  const targetPlatform = options.platform ?? buildPlatform;
  const global = globalScope(dockerfile.metaArgs, options.buildArgs ?? {}, lex, file, platformArgs(buildPlatform, targetPlatform));
  const named = new Set((options.namedContexts ?? []).map((n) => n.toLowerCase()));

  // BuildKit looks the expanded FROM word up as written among the (lower-cased) names of the
  // stages before it: `FROM Tools` does not find `AS tools`, and is then an image reference.
  const earlier = new Map<string, number>();
  const base: (number | undefined)[] = [];
  const baseName: string[] = [];
  const baseUnresolved: boolean[] = [];
  const baseMissing: string[][] = [];
  const replaced: boolean[] = [];
  for (const stage of stages) {
    const e = expandAt(stage.from.image, global, lex, file, stage.from.line);
    if (e.result === '') {
      throw new DockerfileError(`base name (${stage.from.image}) should not be blank`, file, stage.from.line);
    }
    if (stage.from.platform !== undefined && stage.from.platform !== '') {
      const p = expandAt(stage.from.platform, global, lex, file, stage.from.line);
      try {
        parsePlatform(p.result, buildPlatform);
      } catch (error) {
        if (!(error instanceof SyntaxProblem)) throw error;
        throw new DockerfileError(`failed to parse platform ${p.result}: ${error.message}`, file, stage.from.line, { cause: error });
      }
    }
    baseName.push(e.result);
    baseUnresolved.push(e.unresolved.size > 0);
    baseMissing.push([...e.missing]);
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

  // BuildKit's `toCommand` over every stage: `COPY --from` and mount `from=` that name no stage
  // become states of their own (images), appended after the stages; a stage index counts them.
  let stateCount = stages.length;
  const images: { name: string; line: number }[] = [];
  const own: StageDependency[][] = [];
  for (const stage of stages) {
    const deps: StageDependency[] = [];
    for (const instruction of stage.instructions) {
      if (instruction.kind === 'COPY' && instruction.from !== undefined && instruction.from !== '') {
        const index = atoi(instruction.from);
        if (index !== undefined) {
          if (index < 0 || index >= stateCount) throw new DockerfileError(`invalid stage index ${index}`, file, instruction.line);
          if (index < stages.length) deps.push({ stage: index, line: instruction.line });
          continue;
        }
        const found = findStageByName(dockerfile, instruction.from);
        if (found) deps.push({ stage: found.index, line: instruction.line });
        else {
          stateCount++;
          images.push({ name: instruction.from, line: instruction.line });
        }
      } else if (instruction.kind === 'RUN') {
        for (const mount of instruction.mounts) {
          // A mount without `from` is looked up as `scratch` (it may name a stage called so).
          const from = mount.from === undefined || mount.from === '' ? 'scratch' : mount.from;
          const found = findStageByName(dockerfile, from);
          if (found) deps.push({ stage: found.index, line: instruction.line });
          else {
            stateCount++;
            images.push({ name: from, line: instruction.line });
          }
        }
      }
    }
    own.push(deps);
  }
  checkCycles(dockerfile, own);

  for (const stage of stages) {
    const name = baseName[stage.index]!;
    if (base[stage.index] !== undefined || replaced[stage.index] || name === 'scratch') continue;
    const problem = imageReferenceProblem(name);
    if (problem !== null) {
      const stageOfName = findStageByName(dockerfile, name);
      const hint =
        stageOfName !== undefined && stageOfName.index < stage.index
          ? ` (FROM finds a stage only by its name in lower case: ${JSON.stringify(stageOfName.name)})`
          : '';
      throw new DockerfileError(`failed to parse stage name ${JSON.stringify(name)}: ${problem}${hint}`, file, stage.from.line);
    }
  }
  for (const image of images) {
    if (image.name === 'scratch' || named.has(image.name.toLowerCase())) continue;
    const problem = imageReferenceProblem(image.name);
    if (problem !== null) {
      throw new DockerfileError(`failed to parse stage name ${JSON.stringify(image.name)}: ${problem}`, file, image.line);
    }
  }

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
    baseMissing,
    replaced,
    global,
    platform: formatPlatform(targetPlatform),
  };
}
