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
  /**
   * Whether it can see files from the context: it mounts it, or a COPY/ADD from the context ran
   * before it in its stage or in the stage it is built FROM.
   */
  seesContext: boolean;
  /** Whether what it sees includes the context's root directory (`COPY . .`, a bind mount of the root): `.git` and every file. */
  seesRoot: boolean;
}

/** A source word that takes the context's root (`.`, `./`, `/`, `*`, `.git`). */
function takesRoot(word: string): boolean {
  const w = word.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return w === '' || w === '.' || w === '*' || w.startsWith('.git') || w.includes('$');
}

function mountsRoot(spec: string): boolean {
  const m = /(?:^|,)\s*(?:source|src)\s*=\s*([^,]*)/i.exec(spec);
  return m === null || takesRoot(m[1]!.trim());
}

/** The RUN steps of the stages a build of `dockerfile` reaches, in build order. */
export function runSteps(dockerfile: Dockerfile, options: BuildOptions = {}): RunStep[] {
  const graph = resolveStages(dockerfile, options);
  const out: RunStep[] = [];
  const copied = new Map<number, boolean>();
  for (const index of graph.reachable) {
    if (graph.replaced[index]) continue;
    const stage = dockerfile.stages[index]!;
    const base = graph.base[index];
    let seen = base !== undefined && copied.get(base) !== undefined;
    let root = base !== undefined && copied.get(base) === true;
    for (const instruction of stageCommands(dockerfile, graph, stage)) {
      if ((instruction.kind === 'COPY' && (instruction.from === undefined || instruction.from === '')) || instruction.kind === 'ADD') {
        seen = true;
        if (instruction.sources.some(takesRoot)) root = true;
      }
      if (instruction.kind !== 'RUN') continue;
      const binds = instruction.mounts.filter((m) => m.from === undefined && /(^|,)\s*type\s*=\s*bind\s*(,|$)/i.test(m.spec));
      const mountsContext = binds.length > 0;
      out.push({
        line: instruction.line,
        stage: stage.name ?? stage.index,
        text: runText(instruction),
        mountsContext,
        seesContext: seen || mountsContext,
        seesRoot: root || binds.some((m) => mountsRoot(m.spec)),
      });
    }
    if (seen) copied.set(index, root);
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
  // `git=~2` (a pinned package, as `apk add` takes it) counts: installing git where the context
  // is visible is done to run it.
  return new RegExp(`${PREFIX}${escaped}(?=$|[\\s;&|)\\x60"'=])`, 'm').test(step.text);
}

/** The first step that calls one of these programs, or null. */
export function firstStepRunning(steps: readonly RunStep[], names: readonly string[]): { step: RunStep; program: string } | null {
  for (const step of steps) {
    for (const name of names) if (stepRuns(step, name)) return { step, program: name };
  }
  return null;
}
