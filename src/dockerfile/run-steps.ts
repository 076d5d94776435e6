/**
 * The commands a build runs: the RUN instructions of the stages reachable from the target (with
 * the ONBUILD triggers they inherit), as text, and which programs they call. Advice uses them as
 * evidence of what a build step reads from what the Dockerfile copied: `git` needs `.git`,
 * `npm ci` reads `.npmrc` and installs its own `node_modules`, `cargo build` makes its own `target`.
 *
 * Programs are found by name in the shell text (a word at the start of a command, after `;`, `&&`,
 * `|`, `(`, `$(`, a backtick, `sudo`, `exec`, `env`, or a path ending in the name: `./mvnw`). A name
 * inside a string or a comment also counts: for evidence that a step needs something, a false
 * "runs git" keeps a file in the context, which is the safe side.
 */
import { resolveStages, stageCommands, type BuildOptions } from './stages.js';
import type { Dockerfile, RunInstruction } from './types.js';

/** One RUN step of the build. */
export interface RunStep {
  /** 1-based line of the RUN (of the ONBUILD, for an inherited trigger). */
  line: number;
  /** The stage that runs it: its name, or its index. */
  stage: string | number;
  /** The command and heredoc bodies, as written (variables unexpanded). */
  text: string;
  /** Whether it mounts the build context (a bind mount without `from`). */
  mountsContext: boolean;
}

/** The RUN steps of the stages a build of `dockerfile` reaches, in build order. */
export function runSteps(dockerfile: Dockerfile, options: BuildOptions = {}): RunStep[] {
  const graph = resolveStages(dockerfile, options);
  const out: RunStep[] = [];
  for (const index of graph.reachable) {
    if (graph.replaced[index]) continue;
    const stage = dockerfile.stages[index]!;
    for (const instruction of stageCommands(dockerfile, graph, stage)) {
      if (instruction.kind !== 'RUN') continue;
      out.push({
        line: instruction.line,
        stage: stage.name ?? stage.index,
        text: runText(instruction),
        mountsContext: instruction.mounts.some((m) => m.from === undefined && /(^|,)\s*type\s*=\s*bind\s*(,|$)/i.test(m.spec)),
      });
    }
  }
  return out;
}

function runText(run: RunInstruction): string {
  return [run.command.join(' '), ...run.heredocs.map((h) => h.content)].join('\n');
}

const PREFIX = String.raw`(?:^|[\s;&|(\x60]|\$\(|/)`;

/** Whether the step's text calls the program `name` (see the module comment). */
export function stepRuns(step: Pick<RunStep, 'text'>, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${PREFIX}${escaped}(?=$|[\\s;&|)\\x60"'])`, 'm').test(step.text);
}

/** The first step that calls one of these programs, or null. */
export function firstStepRunning(steps: readonly RunStep[], names: readonly string[]): { step: RunStep; program: string } | null {
  for (const step of steps) {
    for (const name of names) if (stepRuns(step, name)) return { step, program: name };
  }
  return null;
}
