/**
 * What the builds that read the ignore file may read from the context: every Dockerfile that
 * reads it (the given one, siblings, Compose services: src/context/readers.ts), each with its
 * sources and its RUN steps. Suggestions must be safe for all of them.
 *
 * A build's "read area" is where ctxsize cannot see which files a build step uses: inside a
 * directory a source copies or mounts (`COPY app/ /app` then `RUN make`: any file of `app/` may be
 * read), or the whole context (`COPY . .`, a bind mount of the root). Outside every read area a
 * build cannot read a path at all: excluding it is safe whatever the path is.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { findReaders, isDockerfileName, type DockerfileReader } from '../context/readers.js';
import { resolveContext, type ResolvedContext } from '../context/resolve.js';
import { PatternMatcher } from '../dockerignore/matcher.js';
import { parseDockerfile } from '../dockerfile/index.js';
import { firstStepRunning, runSteps, type RunStep } from '../dockerfile/run-steps.js';
import { planEffective, type BuildSelection, type EffectivePlan } from '../effective/effective.js';
import type { DockerBuilder as Builder } from '../dockerignore/builders.js';
import type { ContextTree } from './engine.js';
import { readInputText } from '../input/read-file.js';

/** One build that reads the ignore file. */
export interface BuildRead {
  /** How reports name it: `Dockerfile`, `Dockerfile.distroless`, `compose service web`. */
  label: string;
  dockerfile: string;
  /** The context as BuildKit resolves it for this Dockerfile (its own ignore file). */
  context: ResolvedContext;
  /** Null when the Dockerfile could not be planned: its reads are unknown. */
  plan: EffectivePlan | null;
  steps: RunStep[];
  /** Why the plan is missing, when it is. */
  unknown: string | null;
  /** Whether the builder reads the ignore file `--write` changes, per builder. */
  readsWritten: Record<Builder, boolean>;
  /** A source that takes the whole context, for messages (`COPY . . (line 4)`), when there is one. */
  whole: string | null;
  /** Per tree entry: this build may read it (see the module comment). */
  area: Uint8Array;
}

/** A RUN step of one build, found by the program it calls. */
export interface StepRef {
  build: BuildRead;
  step: RunStep;
  program: string;
}

/** The builds of the ignore file (see the module comment). */
export class BuildReads {
  constructor(
    readonly builds: readonly BuildRead[],
    /** Every build's area together. */
    readonly area: Uint8Array,
  ) {}

  /** No Dockerfile at all: nothing is known about what a build reads. */
  get none(): boolean {
    return this.builds.length === 0;
  }

  /** The builds whose area holds one of these entries. */
  readers(flags: Uint8Array): BuildRead[] {
    return this.builds.filter((b) => flags.some((f, i) => f === 1 && b.area[i] === 1));
  }

  /**
   * The first step of these builds that calls one of the programs. `seeing`: only steps that can
   * see the context (a step before any COPY cannot read `.git` or `.npmrc` from it).
   */
  runs(builds: readonly BuildRead[], programs: readonly string[], seeing: false | 'context' | 'root' = false): StepRef | null {
    for (const build of builds) {
      const steps = seeing === 'root' ? build.steps.filter((s) => s.seesRoot) : seeing === 'context' ? build.steps.filter((s) => s.seesContext) : build.steps;
      const hit = firstStepRunning(steps, programs);
      if (hit) return { build, ...hit };
    }
    return null;
  }

  /** A plan for all builds together (sources of every build; the whole context if one reads it). */
  merged(): EffectivePlan | null {
    const plans = this.builds.flatMap((b) => (b.plan ? [b.plan] : []));
    if (plans.length === 0) return null;
    const whole = this.builds.some((b) => b.plan === null) || plans.some((p) => p.readsContext && p.includePaths === null);
    return {
      sources: plans.flatMap((p) => p.sources),
      readsContext: plans.some((p) => p.readsContext),
      includePaths: whole ? null : [...new Set(plans.flatMap((p) => p.includePaths ?? []))].sort(),
      platforms: plans.flatMap((p) => p.platforms),
      warnings: plans.flatMap((p) => p.warnings),
    };
  }
}

/** Options of {@link findBuildReads}. */
export interface BuildReadsOptions extends BuildSelection {
  /** The context of the command (its Dockerfile is the given one). */
  context: ResolvedContext;
  /** The ignore file `--write` changes (absolute). */
  writePath: string;
  tree: ContextTree;
  cwd: string;
  /** The command's BuildKit plan, already made (errors in it are the user's to see). */
  plan: EffectivePlan | null;
}

function label(reader: DockerfileReader, root: string): string {
  const rel = path.relative(root, reader.dockerfile).split(path.sep).join('/');
  if (reader.found === 'compose' && reader.service) return `${rel} (Compose service ${reader.service.name})`;
  return rel;
}

function wholeSource(plan: EffectivePlan | null): string | null {
  if (plan === null || !plan.readsContext || plan.includePaths !== null) return null;
  const s = plan.sources.find((x) => x.path === '.' && !x.heredoc);
  if (!s) return 'a source at the context root';
  return s.instruction === 'RUN' ? `RUN --mount, line ${s.line}` : `${s.instruction} ${s.raw || '.'}, line ${s.line}`;
}

/** Per entry: inside (or equal to) a path the plan's sources name. */
function areaOf(plan: EffectivePlan | null, tree: ContextTree): Uint8Array {
  const area = new Uint8Array(tree.entries.length);
  if (plan === null || (plan.readsContext && plan.includePaths === null)) return area.fill(1);
  if (!plan.readsContext) return area;
  const paths = [...new Set([...plan.sources.filter((s) => !s.heredoc && s.mount !== 'tmpfs').map((s) => s.path), ...(plan.includePaths ?? [])])];
  let matcher: PatternMatcher;
  try {
    matcher = new PatternMatcher({ file: 'Dockerfile', rules: paths.map((p) => ({ pattern: p, line: 0, source: p })) });
  } catch {
    return area.fill(1);
  }
  tree.entries.forEach((entry, i) => {
    const parent = tree.parentIndex(i);
    if (parent !== -1 && area[parent] === 1) {
      area[i] = 1;
      return;
    }
    try {
      if (matcher.patterns.some((p) => p.matches(entry.path))) area[i] = 1;
    } catch {
      area[i] = 1;
    }
  });
  return area;
}

/** At most this many Dockerfiles elsewhere in the context are examined. */
const MAX_ELSEWHERE = 30;

/**
 * Dockerfiles deeper in the context (`docker/worker.Dockerfile`) that CI may build with this
 * directory as the context (`docker build -f docker/worker.Dockerfile .`): nothing says so, so
 * one counts when every source it names by a literal path exists here (`COPY go.mod ./`,
 * `COPY services/api ./`), the evidence that this directory is its context. A Dockerfile that
 * names no such source (only `COPY . .`) is taken to build its own directory.
 */
function elsewhere(options: BuildReadsOptions, found: readonly BuildRead[]): BuildRead[] {
  const { context, tree, writePath } = options;
  const root = context.root;
  const known = new Set(found.map((b) => b.dockerfile));
  const out: BuildRead[] = [];
  for (const entry of tree.entries) {
    if (out.length >= MAX_ELSEWHERE) break;
    if (entry.type !== 'file' || !entry.path.includes('/')) continue;
    const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    if (!isDockerfileName(name) || /(^|\/)(node_modules|vendor|testdata|fixtures?)\//.test(entry.path)) continue;
    const dockerfile = path.join(root, entry.path);
    if (known.has(dockerfile)) continue;
    const specific = dockerfile + '.dockerignore';
    const readsWritten = { buildkit: (existsSync(specific) ? specific : path.join(root, '.dockerignore')) === writePath, classic: path.join(root, '.dockerignore') === writePath };
    if (!readsWritten.buildkit && !readsWritten.classic) continue;
    let own: ResolvedContext;
    let plan: EffectivePlan | null;
    let steps: RunStep[];
    try {
      own = resolveContext({ dir: root, dockerfile, builder: 'buildkit', cwd: options.cwd, platform: context.platform });
      plan = planEffective(own, {});
      steps = runSteps(parseDockerfile(readFileSync(dockerfile, 'utf8'), dockerfile), {});
    } catch {
      continue; // not a Dockerfile this directory builds, as far as anything shows
    }
    if (plan === null) continue;
    const literal = plan.sources.filter((s) => !s.heredoc && !s.wildcard && !s.unresolved && s.mount === undefined && s.path !== '.');
    if (literal.length === 0 || !literal.every((s) => tree.index.has(s.path))) continue;
    out.push({
      label: `${entry.path} (its sources are all in this context)`,
      dockerfile,
      context: own,
      plan,
      steps,
      unknown: null,
      readsWritten,
      whole: wholeSource(plan),
      area: areaOf(plan, tree),
    });
  }
  return out;
}

/**
 * Find the builds that read the ignore file `writePath` and what each may read. A Dockerfile
 * that cannot be planned (a template, a syntax error) counts as reading the whole context.
 */
export function findBuildReads(options: BuildReadsOptions): BuildReads {
  const { context, tree, writePath } = options;
  const root = context.root;
  const common = path.join(root, '.dockerignore');
  const readers = findReaders(root, { dockerfile: context.dockerfile });
  const builds: BuildRead[] = [];
  for (const reader of readers) {
    const readsWritten = {
      buildkit: (reader.ignoreFiles.buildkit ?? common) === writePath,
      classic: (reader.ignoreFiles.classic ?? common) === writePath,
    };
    if (!readsWritten.buildkit && !readsWritten.classic) continue;
    const given = reader.found === 'given';
    const selection: BuildSelection = given
      ? { target: options.target, buildArgs: options.buildArgs }
      : {
          target: reader.service?.target ?? undefined,
          buildArgs: Object.fromEntries(Object.entries(reader.service?.args ?? {}).flatMap(([k, v]) => (v === null ? [] : [[k, v]]))),
        };
    let own: ResolvedContext = context;
    let plan: EffectivePlan | null = null;
    let steps: RunStep[] = [];
    let unknown: string | null = null;
    try {
      own = given ? context : resolveContext({ dir: root, dockerfile: reader.dockerfile, builder: 'buildkit', cwd: options.cwd, platform: context.platform });
      plan = given ? options.plan : planEffective(own, selection);
      steps = runSteps(parseDockerfile(readInputText(reader.dockerfile), reader.dockerfile), selection);
    } catch (error) {
      plan = null;
      unknown = error instanceof Error ? error.message : String(error);
    }
    builds.push({
      label: label(reader, root),
      dockerfile: reader.dockerfile,
      context: own,
      plan,
      steps,
      unknown,
      readsWritten,
      whole: plan === null ? null : wholeSource(plan),
      area: areaOf(plan, tree),
    });
  }
  builds.push(...elsewhere(options, builds));
  const area = new Uint8Array(tree.entries.length);
  for (const b of builds) b.area.forEach((f, i) => f && (area[i] = 1));
  if (builds.length === 0) area.fill(1);
  return new BuildReads(builds, area);
}
