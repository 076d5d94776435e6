/**
 * `ctxsize cache`: which files bust which layers. Ties the pure parts together: the build's steps
 * (./steps.ts), what a change rebuilds (./rebuild.ts), the history (./history.ts) and the fix
 * (./fix.ts), with the context walk and git (./git.ts) as the only I/O.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, resolveContext, type ContextOptions, type ResolvedContext } from '../context/resolve.js';
import { DockerfileError, parseDockerfile, type Dockerfile } from '../dockerfile/index.js';
import { planEffective, selectedPlatforms, walkEffective, type BuildSelection } from '../effective/effective.js';
import type { BuildOptions } from '../dockerfile/stages.js';
import { proposeFixes, type Fix } from './fix.js';
import { changesSince, fileAt, firstParent, firstParentHistory, insideWorkTree, type CommitChange } from './git.js';
import { replayHistory, type ReplayCommit, type StepHistory } from './history.js';
import { InputIndex, invalidate, propagateRebuilds, type Cause, type ChangedFile, type Rebuild } from './rebuild.js';
import { buildSteps, stepKey, stepsChangedByDockerfile, type BuildSteps } from './steps.js';
import { describeReadError, readInputText } from '../input/read-file.js';

export { buildSteps, stepsChangedByDockerfile, type BuildSteps, type Step } from './steps.js';
export { InputIndex, invalidate, propagateRebuilds, type Cause, type Rebuild, type StepVerdict } from './rebuild.js';
export { replayHistory, type ReplayCommit, type HistorySummary } from './history.js';
export { proposeFixes, type Fix } from './fix.js';

/** Version of the JSON document. */
export const CACHE_SCHEMA_VERSION = 1;

/** What to analyse. */
export interface CacheOptions extends ContextOptions, BuildSelection {
  /** Compare the working tree with this ref (default `HEAD`); null: no comparison. */
  since?: string | null;
  /** Replay this many first-parent commits (0: none). */
  history?: number;
}

/** A step in the report. */
export interface CacheStep {
  stage: string;
  line: number;
  instruction: string;
  /** BuildKit's progress prefix (`[build 3/5]`). */
  vertex: string;
  /** The context paths it reads, as BuildKit resolves them. */
  sources: string[];
  /** The files it reads after the ignore file, null for a step that reads no context. */
  inputs: { files: number; bytes: number } | null;
  /** What a change of its inputs rebuilds after it: steps for sure, and steps that may rebuild. */
  dependents: { steps: number; maybe: number; stages: string[] };
  /** With a comparison: whether it rebuilds, and why. */
  rebuilds?: Rebuild;
  cause?: Cause | null;
  /** With `--history`. */
  history?: Omit<StepHistory, 'step'>;
}

/** A changed file and the first step it invalidates. */
export interface CacheChange {
  path: string;
  status: ChangedFile['status'];
  firstStep: { stage: string; line: number; instruction: string } | null;
}

/** The whole analysis. */
export interface CacheReport {
  schemaVersion: number;
  root: string;
  dockerfile: string;
  target: string;
  /** The target platform the build follows. */
  platform: string;
  steps: CacheStep[];
  /** The comparison with `since` (absent when there is no git work tree). */
  since?: {
    ref: string;
    commit: string;
    changed: CacheChange[];
    untracked: number;
    /** The Dockerfile itself changed since `ref`: the first step of each chain it rebuilds. */
    dockerfileChanged: { stage: string; line: number }[];
    /** Paths git ignores that the build reads: git cannot tell whether they changed. */
    unknown: string[];
    rebuilds: number;
    maybe: number;
    /** The stages in which some step rebuilds, in build order. */
    stages: string[];
  };
  history?: { commits: number; from: string | null; to: string | null };
  fixes: (Omit<Fix, 'install' | 'copy'> & {
    install: { stage: string; line: number; instruction: string };
    copy: { stage: string; line: number; instruction: string };
    benefit: { commits: number; before: number; after: number } | null;
  })[];
  notes: string[];
}

function readDockerfile(context: ResolvedContext): { text: string; dockerfile: Dockerfile } {
  if (context.dockerfile === null) throw new InputError(`${context.root}: no Dockerfile (use -f)`);
  let text: string;
  try {
    text = readInputText(context.dockerfile);
  } catch (error) {
    throw new InputError(`${context.dockerfile}: cannot read Dockerfile (${describeReadError(error)})`, { cause: error });
  }
  try {
    return { text, dockerfile: parseDockerfile(text, context.dockerfile) };
  } catch (error) {
    if (error instanceof DockerfileError) throw new InputError(error.message, { cause: error });
    throw error;
  }
}

/** The one build `ctxsize cache` follows: target, build arguments and one target platform. */
function buildOptions(selection: BuildSelection): BuildOptions {
  const platforms = selectedPlatforms(selection.platforms);
  if (platforms.length > 1) throw new InputError('--platform: ctxsize cache follows one platform at a time');
  return { target: selection.target, buildArgs: selection.buildArgs, platform: platforms[0] };
}

function stepsOf(dockerfile: Dockerfile, selection: BuildSelection): BuildSteps {
  try {
    return buildSteps(dockerfile, buildOptions(selection));
  } catch (error) {
    if (error instanceof DockerfileError) throw new InputError(error.message, { cause: error });
    throw error;
  }
}

/** The steps of another version of the Dockerfile, or null when it does not parse or build. */
function stepsOfText(text: string | null, file: string, selection: BuildSelection): BuildSteps | null {
  if (text === null) return null;
  try {
    return buildSteps(parseDockerfile(text, file), buildOptions(selection));
  } catch {
    return null;
  }
}

/** The step keys (stage and place) a Dockerfile edit rebuilds first, mapped onto `build`. */
function mapEdit(edit: Map<string, number>, build: BuildSteps): Map<number, number> {
  const out = new Map<number, number>();
  for (const step of build.steps) {
    const line = edit.get(stepKey(step));
    if (line !== undefined) out.set(step.index, line);
  }
  return out;
}

/**
 * Analyse the build cache of a context: steps and inputs, what the working tree's changes rebuild,
 * the history, and the fixes.
 */
export function analyzeCache(options: CacheOptions = {}): CacheReport {
  const context = resolveContext({ ...options, builder: 'buildkit' });
  const { text, dockerfile } = readDockerfile(context);
  const selection: BuildSelection = { target: options.target, buildArgs: options.buildArgs, ...(options.platforms ? { platforms: options.platforms } : {}) };
  const build = stepsOf(dockerfile, selection);
  const index = new InputIndex(build, context.ignore, context.platform);
  const notes: string[] = [];

  // 1. Inputs: walk what BuildKit sends and count, per step, the files it reads.
  const plan = planEffective(context, selection)!;
  const sent = new Map<string, number>();
  const { warnings } = walkEffective(context, plan, (entry) => {
    if (entry.type !== 'dir') sent.set(entry.path, entry.size);
  });
  for (const w of warnings.slice(0, 3)) notes.push(`${w.path}: ${w.message}`);
  // What the inputs rest on: a variable ctxsize cannot know reads as if it were unset.
  for (const w of plan.warnings) notes.push(`${context.dockerfileRelative ?? 'Dockerfile'}:${w.line}: ${w.message}`);
  const inputs = build.steps.map(() => ({ files: 0, bytes: 0 }));
  for (const [file, size] of sent) {
    for (const step of index.readersOf(file)) {
      inputs[step]!.files++;
      inputs[step]!.bytes += size;
    }
  }
  const dependents = build.steps.map((step) => {
    const verdicts = propagateRebuilds(build, new Map([[step.index, { type: 'dockerfile', line: step.line } as Cause]]));
    const later = verdicts.filter((v, i) => i !== step.index && v.rebuilds !== false);
    const stages = [...new Set(build.steps.filter((s, i) => s.stageIndex !== step.stageIndex && verdicts[i]!.rebuilds !== false).map((s) => s.stage))];
    return { steps: later.filter((v) => v.rebuilds === true).length, maybe: later.filter((v) => v.rebuilds === 'maybe').length, stages };
  });
  const steps: CacheStep[] = build.steps.map((step, i) => ({
    stage: step.stage,
    line: step.line,
    instruction: step.instruction,
    vertex: step.vertex,
    sources: step.sources.filter((s) => s.mount !== 'tmpfs').map((s) => s.path),
    inputs: step.sources.some((s) => s.mount !== 'tmpfs') ? inputs[i]! : null,
    dependents: dependents[i]!,
  }));
  const describe = (i: number) => ({ stage: build.steps[i]!.stage, line: build.steps[i]!.line, instruction: build.steps[i]!.instruction });

  const report: CacheReport = {
    schemaVersion: CACHE_SCHEMA_VERSION,
    root: context.root,
    dockerfile: context.dockerfileRelative ?? '',
    target: build.stages.at(-1)?.label ?? '',
    platform: build.platform,
    steps,
    fixes: [],
    notes,
  };
  const git = insideWorkTree(context.root);
  if (!git && (options.since != null || (options.history ?? 0) > 0)) {
    notes.push(`${context.root} is not in a git work tree: no comparison and no history`);
  }

  // 2. What the working tree's changes rebuild.
  if (git && options.since !== null) {
    const ref = options.since ?? 'HEAD';
    const changes = changesSince(context.root, ref);
    const { direct, files, filesByStep } = invalidate(index, changes.changed);
    const editedSteps: { stage: string; line: number }[] = [];
    const dockerfilePath = context.dockerfile!;
    const before = fileAt(dockerfilePath, changes.commit);
    if (before !== text) {
      const previous = stepsOfText(before, dockerfilePath, selection);
      for (const [step, line] of stepsChangedByDockerfile(previous, build)) {
        direct.set(step, { type: 'dockerfile', line });
        editedSteps.push({ stage: build.steps[step]!.stage, line });
      }
    }
    const verdicts = propagateRebuilds(build, direct, filesByStep);
    verdicts.forEach((v, i) => {
      steps[i]!.rebuilds = v.rebuilds;
      steps[i]!.cause = v.cause;
    });
    const unknown = changes.gitIgnored.filter((p) => index.stepsReading(p.replace(/\/$/, '')).length > 0);
    report.since = {
      ref,
      commit: changes.commit,
      changed: files.map((f) => ({ path: f.path, status: f.status, firstStep: f.firstStep === null ? null : describe(f.firstStep) })),
      untracked: changes.untracked,
      dockerfileChanged: editedSteps,
      unknown,
      rebuilds: verdicts.filter((v) => v.rebuilds === true).length,
      maybe: verdicts.filter((v) => v.rebuilds === 'maybe').length,
      stages: [...new Set(build.steps.filter((_, i) => verdicts[i]!.rebuilds === true).map((s) => s.stage))],
    };
  }

  // 3. The history, replayed on today's Dockerfile and ignore file.
  let commits: (CommitChange & { edit?: Map<string, number> })[] | null = null;
  const historyCount = options.history ?? 0;
  const fixes = proposeFixes(dockerfile, build, {
    sentFiles: new Set(sent.keys()),
    readText: (file) => {
      try {
        return readInputText(path.join(context.root, file));
      } catch {
        return null;
      }
    },
    text,
    name: context.dockerfileRelative ?? 'Dockerfile',
  });
  if (git && (historyCount > 0 || fixes.some((f) => f.proposed !== null))) {
    const raw = firstParentHistory(context.root, historyCount > 0 ? historyCount : 100);
    commits = replayable(raw, context, selection);
  }
  // A build that reads .git sees it change in every commit (new objects, moved refs).
  const readsGit = index.stepsReading('.git/HEAD').length > 0 && sent.has('.git/HEAD');
  if (readsGit) {
    notes.push(`the build reads .git (${build.steps[index.stepsReading('.git/HEAD')[0]!]!.instruction}): every commit changes it and rebuilds that step; add .git to the ignore file unless the build needs it`);
  }
  const editsFor = (target: BuildSteps): ReplayCommit[] =>
    (commits ?? []).map((c) => ({
      commit: c.commit,
      changed: readsGit ? [...c.changed, '.git'] : c.changed,
      ...(c.edit ? { dockerfile: mapEdit(c.edit, target) } : {}),
    }));
  if (commits !== null && historyCount > 0) {
    const summary = replayHistory(build, index, editsFor(build));
    summary.steps.forEach((s) => {
      steps[s.step]!.history = { rebuilt: s.rebuilt, maybe: s.maybe, causes: s.causes.slice(0, 10) };
    });
    report.history = { commits: summary.commits, from: commits.at(-1)?.commit ?? null, to: commits[0]?.commit ?? null };
  }

  // 4. The fixes, with their benefit over the same commits.
  for (const fix of fixes) {
    let benefit: { commits: number; before: number; after: number } | null = null;
    if (commits !== null && fix.proposed !== null) {
      const current = replayHistory(build, index, editsFor(build));
      const proposedBuild = stepsOfText(fix.proposed, context.dockerfile!, selection);
      if (proposedBuild) {
        const proposedIndex = new InputIndex(proposedBuild, context.ignore, context.platform);
        const after = replayHistory(proposedBuild, proposedIndex, editsFor(proposedBuild));
        const moved = proposedBuild.steps.find((s) => s.kind === 'RUN' && s.instruction === build.steps[fix.install]!.instruction && s.stage === build.steps[fix.install]!.stage);
        if (moved) benefit = { commits: current.commits, before: current.steps[fix.install]!.rebuilt, after: after.steps[moved.index]!.rebuilt };
      }
    }
    report.fixes.push({ ...fix, install: describe(fix.install), copy: describe(fix.copy), benefit });
  }
  return report;
}

/** History commits with, for those that edited the Dockerfile, the steps the edit rebuilds first (by key). */
function replayable(raw: CommitChange[], context: ResolvedContext, selection: BuildSelection): (CommitChange & { edit?: Map<string, number> })[] {
  const dockerfile = context.dockerfile!;
  const relative = context.dockerfileRelative;
  return raw.map((commit) => {
    // A Dockerfile outside the context is not in the relative name list: ask git about it.
    const edited = relative !== null && !relative.startsWith('../') ? commit.changed.includes(relative) : dockerfileChangedIn(dockerfile, commit.commit, context.root);
    if (!edited) return commit;
    const parent = firstParent(context.root, commit.commit);
    const now = stepsOfText(fileAt(dockerfile, commit.commit), dockerfile, selection);
    const before = parent === null ? null : stepsOfText(fileAt(dockerfile, parent), dockerfile, selection);
    if (now === null) return commit;
    const edit = new Map<string, number>();
    for (const [step, line] of stepsChangedByDockerfile(before, now)) edit.set(stepKey(now.steps[step]!), line);
    return { ...commit, edit };
  });
}

function dockerfileChangedIn(file: string, commit: string, root: string): boolean {
  const parent = firstParent(root, commit);
  return fileAt(file, commit) !== (parent === null ? null : fileAt(file, parent));
}
