/**
 * The steps of one build, as BuildKit's Dockerfile frontend turns a Dockerfile into cache vertices
 * (`dockerfile2llb/convert.go`: `dispatch`, `prefixCommand`), with what each step reads.
 *
 * - Each reachable stage is built in file order; a stage FROM an image starts with that image's
 *   vertex (`[stage 1/n] FROM …`), a stage FROM an earlier stage starts from that stage's last
 *   state (no vertex of its own).
 * - RUN, COPY, ADD and WORKDIR are vertices (`[stage i/n] RUN …`); ENV, ARG, USER, LABEL, CMD and
 *   the other instructions only change the image configuration or the environment of later RUNs.
 * - The context paths of a step are the ones `contextSources` collects for its line; a
 *   `COPY --from=stage` or a `RUN --mount=from=stage` depends on that stage's result, by content.
 */
import {
  contextSources,
  resolveStages,
  type ContextSource,
  type Dockerfile,
  type Instruction,
  type Stage,
} from '../dockerfile/index.js';
import { posix } from 'node:path';
import { resolveCopyFrom, stageCommands, stageLabel, type BuildOptions } from '../dockerfile/stages.js';

/** What a step is. */
export type StepKind = 'FROM' | 'RUN' | 'COPY' | 'ADD' | 'WORKDIR';

/** One cache vertex of the build. */
export interface Step {
  /** Position in build order, 0-based. */
  index: number;
  /** The stage's index in the Dockerfile. */
  stageIndex: number;
  /** The stage as BuildKit names it in progress output: its name, or `stage-N`. */
  stage: string;
  /** 1-based line of the instruction (of the ONBUILD, for a trigger). */
  line: number;
  kind: StepKind;
  /** The instruction's text (continuations joined). */
  instruction: string;
  /** BuildKit's progress name prefix: `[base 2/4]` (no stage name in a one-stage Dockerfile). */
  vertex: string;
  /** The context paths it reads (empty: none). */
  sources: ContextSource[];
  /** Stages whose result it reads by content (`COPY --from`, `RUN --mount=from=`). */
  readsStages: number[];
  /** The instructions of its stage before it that change the environment of a RUN (ENV, ARG, USER, SHELL). */
  environment: string[];
  /**
   * Where a COPY puts its files, when that is known without a build (no variables, no archive
   * extraction, no --parents or --exclude): the absolute destination, and whether it names a
   * directory. For a `COPY --from`: the absolute paths it reads in that stage.
   */
  layout?: { dest: string; destIsDir: boolean } | { fromPaths: string[] };
}

/** The steps of one build and how its stages hang together. */
export interface BuildSteps {
  steps: Step[];
  /** Reachable stages in build order. */
  stages: StageInfo[];
  /** The target platform, as BuildKit prints it (`linux/amd64`). */
  platform: string;
}

/** A reachable stage. */
export interface StageInfo {
  index: number;
  label: string;
  /** The stage it is built FROM, if it is built from one. */
  base?: number;
  /** The image (or `scratch`) it is built from, when not from a stage. */
  image?: string;
}

const ENVIRONMENT = new Set(['ENV', 'ARG', 'USER', 'SHELL']);

function stepKind(instruction: Instruction): StepKind | null {
  if (instruction.kind === 'COPY' || instruction.kind === 'ADD' || instruction.kind === 'RUN') return instruction.kind;
  if (instruction.kind === 'OTHER' && instruction.keyword === 'WORKDIR') return 'WORKDIR';
  return null;
}

function stagesRead(dockerfile: Dockerfile, instruction: Instruction): number[] {
  if (instruction.kind === 'COPY' && instruction.from !== undefined && instruction.from !== '') {
    const stage = resolveCopyFrom(dockerfile, instruction.from, instruction.line);
    return stage ? [stage.index] : [];
  }
  if (instruction.kind === 'RUN') {
    const out: number[] = [];
    for (const mount of instruction.mounts) {
      if (mount.from === undefined) continue;
      const lower = mount.from.toLowerCase();
      for (let i = dockerfile.stages.length - 1; i >= 0; i--) {
        if (dockerfile.stages[i]!.name === lower) {
          out.push(i);
          break;
        }
      }
    }
    return out;
  }
  return [];
}

/**
 * The steps of the build of `dockerfile` selected by `options`, in build order.
 * @throws DockerfileError as contextSources does
 */
export function buildSteps(dockerfile: Dockerfile, options: BuildOptions = {}): BuildSteps {
  const graph = resolveStages(dockerfile, options);
  const sources = contextSources(dockerfile, options);
  const byStep = new Map<string, ContextSource[]>();
  for (const source of sources) {
    if (source.heredoc) continue;
    const key = `${source.stage}:${source.line}`;
    const list = byStep.get(key) ?? [];
    list.push(source);
    byStep.set(key, list);
  }
  const multiStage = dockerfile.stages.length > 1;
  const workdirs = new Map<number, string | null>();
  const steps: Step[] = [];
  const stages: StageInfo[] = [];
  for (const index of graph.reachable) {
    if (graph.replaced[index]) continue;
    const stage: Stage = dockerfile.stages[index]!;
    const label = stageLabel(stage);
    const base = graph.base[index];
    stages.push({ index, label, ...(base !== undefined ? { base } : { image: graph.baseName[index] }) });
    const commands = stageCommands(dockerfile, graph, stage);
    const total = commands.filter((c) => stepKind(c) !== null).length + (base === undefined ? 1 : 0);
    let ordinal = 0;
    const prefix = (): string => `[${multiStage ? label + ' ' : ''}${++ordinal}/${total}]`;
    if (base === undefined) {
      steps.push({
        index: steps.length,
        stageIndex: index,
        stage: label,
        line: stage.from.line,
        kind: 'FROM',
        instruction: stage.from.text,
        vertex: prefix(),
        sources: [],
        readsStages: [],
        environment: [],
      });
    }
    const environment: string[] = [];
    // The working directory: the base stage's, or unknown for an image (it may set one).
    let workdir: string | null = base !== undefined ? (workdirs.get(base) ?? null) : graph.baseName[index] === 'scratch' ? '/' : null;
    for (const instruction of commands) {
      if (instruction.kind === 'OTHER' && instruction.keyword === 'WORKDIR') {
        const arg = instruction.args[0] ?? '';
        workdir = arg.includes('$') ? null : arg.startsWith('/') ? posix.normalize(arg) : workdir === null ? null : posix.join(workdir, arg);
      }
      const kind = stepKind(instruction);
      if (kind === null) {
        if (ENVIRONMENT.has(instruction.keyword)) environment.push(instruction.text);
        continue;
      }
      steps.push({
        index: steps.length,
        stageIndex: index,
        stage: label,
        line: instruction.line,
        kind,
        instruction: instruction.text,
        vertex: prefix(),
        sources: byStep.get(`${stage.name ?? stage.index}:${instruction.line}`) ?? [],
        readsStages: stagesRead(dockerfile, instruction),
        environment: [...environment],
        ...layoutOf(instruction, workdir),
      });
    }
    workdirs.set(index, workdir);
  }
  return { steps, stages, platform: graph.platform };
}

/** Where a COPY puts its files (see Step.layout), when it is plain enough to know. */
function layoutOf(instruction: Instruction, workdir: string | null): Pick<Step, 'layout'> {
  if (instruction.kind !== 'COPY') return {};
  const plain = (w: string): boolean => !w.includes('$') && !/[*?[\\]/.test(w);
  if (instruction.from !== undefined && instruction.from !== '') {
    if (!instruction.sources.every(plain)) return {};
    return { layout: { fromPaths: instruction.sources.map((s) => posix.join('/', s)) } };
  }
  if (instruction.parents || instruction.excludes.length > 0 || instruction.heredocSources.length > 0) return {};
  const dest = instruction.dest;
  if (!plain(dest) || !instruction.sources.every(plain)) return {};
  if (!dest.startsWith('/') && workdir === null) return {};
  const absolute = dest.startsWith('/') ? posix.normalize(dest) : posix.join(workdir!, dest);
  const destIsDir = dest.endsWith('/') || dest === '.' || instruction.sources.length > 1;
  return { layout: { dest: absolute.replace(/(.)\/$/, '$1'), destIsDir } };
}

/** The step's key across two versions of a Dockerfile: its stage and its place in the stage. */
export function stepKey(step: Step): string {
  return `${step.stage} ${step.vertex.replace(/^\[(?:\S+ )?(\d+)\/\d+\]$/, '$1')}`;
}

/**
 * The steps of `current` that a change of the Dockerfile itself rebuilds, against its version
 * `previous`: per stage, from the first step whose instruction (or the FROM, or the steps before
 * it) differs; a RUN also when the ENV/ARG/USER/SHELL lines before it differ (they are part of its
 * cache key). A stage that did not exist before rebuilds whole. Only the first step of a chain is
 * returned: the chain follows from it.
 */
export function stepsChangedByDockerfile(previous: BuildSteps | null, current: BuildSteps): Map<number, number> {
  const changed = new Map<number, number>(); // step index -> line that changed
  const oldByStage = new Map<string, Step[]>();
  for (const step of previous?.steps ?? []) {
    const list = oldByStage.get(step.stage) ?? [];
    list.push(step);
    oldByStage.set(step.stage, list);
  }
  const newByStage = new Map<string, Step[]>();
  for (const step of current.steps) {
    const list = newByStage.get(step.stage) ?? [];
    list.push(step);
    newByStage.set(step.stage, list);
  }
  const oldStages = new Map((previous?.stages ?? []).map((s) => [s.label, s]));
  const labelOf = (build: BuildSteps | null, index: number | undefined): string | undefined =>
    index === undefined ? undefined : build?.stages.find((s) => s.index === index)?.label;
  for (const info of current.stages) {
    const now = newByStage.get(info.label) ?? [];
    const before = oldByStage.get(info.label);
    const oldInfo = oldStages.get(info.label);
    const sameBase =
      oldInfo !== undefined && oldInfo.image === info.image && labelOf(previous, oldInfo.base) === labelOf(current, info.base);
    if (before === undefined || !sameBase) {
      if (now[0]) changed.set(now[0].index, now[0].line);
      continue;
    }
    for (let i = 0; i < now.length; i++) {
      const step = now[i]!;
      const old = before[i];
      const differs =
        old === undefined ||
        old.kind !== step.kind ||
        old.instruction !== step.instruction ||
        (step.kind === 'RUN' && old.environment.join('\n') !== step.environment.join('\n'));
      if (differs) {
        changed.set(step.index, step.line);
        break;
      }
    }
  }
  return changed;
}
