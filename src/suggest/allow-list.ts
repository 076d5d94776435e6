/**
 * The allow-list form of an ignore file, built from scratch: `*`, then one `!path` per path a
 * Dockerfile uses (for every Dockerfile that reads the file), then the user's lines that still
 * apply inside those paths (never the current `*` or `!` lines that the allow-list replaces). A
 * path built from build arguments gets a wildcard for each (`.build/*-*` then `/app`), so that
 * another `--build-arg` value is still sent. Offered only when it is correct under both
 * builders for every Dockerfile, which is checked by running both real walkers on the content:
 * - BuildKit: every source of every Dockerfile is still satisfied (`walkEffective` finds no new problem);
 * - the classic builder, which enters an excluded directory only when an exception names a path
 *   under it literally (reference section 3): every entry a source names is still sent. When a
 *   wildcard source leaves some out, literal exceptions for those entries are added and the
 *   check runs again.
 */
import type { ResolvedContext } from '../context/resolve.js';
import { sourceLabel } from '../report/source-label.js';
import { parseIgnoreFile } from '../dockerignore/read.js';
import { walkEffective, type EffectivePlan, type SourceProblem } from '../effective/effective.js';
import type { DockerBuilder as Builder } from '../dockerignore/builders.js';
import type { BuildRead } from './build-reads.js';
import { namingSources } from './protect.js';
import type { Entry } from '../walk/entry.js';
import { amountOf, walkSent, withWrittenFile, wouldSend, type ContextWalker } from './engine.js';
import { literalPattern, sourcePattern } from './patterns.js';
import type { AllowList } from './types.js';

/** At most this many paths used by the Dockerfile for an allow-list to be offered. */
export const ALLOW_LIST_MAX_PATHS = 20;

export interface AllowListInput {
  /** The context under each builder, with its current ignore file. */
  contexts: Record<Builder, ResolvedContext>;
  /** The builder whose context the savings are counted against. */
  builder: Builder;
  /** The selected builder's current entries. */
  entries: readonly Entry[];
  plan: EffectivePlan | null;
  /** Every build that reads the ignore file (the allow-list must serve all of them). */
  builds: readonly BuildRead[];
  /** Lines of the current file kept after the allow-list's exceptions (the user's intent inside them). */
  currentLines: readonly string[];
  /** Exclusion lines of the suggestions that remove something inside the allowed paths. */
  exclusions: readonly string[];
  /** Context paths that Dockerfile sources name (they must stay under both builders). */
  namedPaths: readonly string[];
  /** Problems of the effective context now (they are not the allow-list's fault). */
  problemsBefore: readonly SourceProblem[];
  /** The ignore file that would hold the allow-list (its own entry in the context is counted). */
  writePath: string;
  /** Replaces the disk walks (the record the other walks of this directory share). */
  walk?: ContextWalker;
}

export type AllowListResult = { allowList: AllowList; unavailable: null } | { allowList: null; unavailable: string };

export function problemKey(problem: SourceProblem): string {
  return `${problem.source.line}\u0000${problem.source.path}\u0000${problem.problem}`;
}

/** Propose and check the allow-list (see the module comment). */
/** The paths to re-include: each source's path with a wildcard per build argument, and symlink targets. */
function includesOf(builds: readonly BuildRead[]): { includes: string[] } | { unavailable: string } {
  const includes: string[] = [];
  const add = (p: string): void => {
    if (!includes.includes(p)) includes.push(p);
  };
  for (const b of builds) {
    if (b.plan === null) return { unavailable: `${b.label} also reads this ignore file and could not be read` };
    if (b.whole !== null) return { unavailable: `${b.label} uses the whole context (${b.whole})` };
    if (!b.plan.readsContext) continue;
    const own = namingSources(b.plan);
    for (const s of own) {
      const general = sourcePattern(s.raw, s.path);
      if (s.unresolved && general === null) {
        return { unavailable: `the source ${JSON.stringify(s.raw)} (line ${s.line} of ${b.label}) uses a variable ctxsize cannot know (pass --build-arg)` };
      }
      add(general ?? s.path);
    }
    // Symbolic links among the sources: BuildKit sends their targets too.
    const named = new Set(own.map((s) => s.path));
    for (const p of b.plan.includePaths ?? []) if (!named.has(p)) add(p);
  }
  return { includes: includes.sort() };
}

/** The literal directories before a pattern's first wildcard segment (`.build` for `.build/*-*` + `/app`). */
function literalPrefix(pattern: string): string | null {
  const segments = pattern.split('/');
  const cut = segments.findIndex((s) => /[*?[\\]/.test(s));
  if (cut <= 0) return null;
  return segments.slice(0, cut).join('/');
}

export function proposeAllowList(input: AllowListInput): AllowListResult {
  const { builds } = input;
  if (input.plan === null && builds.length === 0) return { allowList: null, unavailable: 'there is no Dockerfile to take the used paths from' };
  const found = includesOf(builds);
  if ('unavailable' in found) return { allowList: null, unavailable: found.unavailable };
  const { includes } = found;
  if (includes.length > ALLOW_LIST_MAX_PATHS) {
    return { allowList: null, unavailable: `the Dockerfiles use ${includes.length} paths (more than ${ALLOW_LIST_MAX_PATHS})` };
  }
  const tail = [...input.currentLines, ...input.exclusions];
  let exceptions = includes.map((p) => '!' + p);
  for (let attempt = 0; attempt < 3; attempt++) {
    const lines = ['*', ...exceptions, ...tail.filter((line, i) => tail.indexOf(line) === i)];
    const checked = check(input, lines);
    if (checked.ok) {
      const baseline = new Set(input.entries.map((e) => e.path));
      const now = new Set(checked.sent[input.builder].map((e) => e.path));
      const removed = amountOf(input.entries.filter((e) => !now.has(e.path)));
      if (removed.entries === 0 && checked.sent[input.builder].every((e) => baseline.has(e.path))) {
        return { allowList: null, unavailable: 'the current ignore file already sends only what the Dockerfile uses' };
      }
      return {
        allowList: {
          lines,
          ...removed,
          builders: { buildkit: amountOf(checked.sent.buildkit), classic: amountOf(checked.sent.classic) },
          verified: { buildkit: true, classic: true },
        },
        unavailable: null,
      };
    }
    if (checked.classicMissing.length === 0 || attempt === 2) return { allowList: null, unavailable: checked.why };
    // The classic builder enters an excluded directory only when an exception names a path
    // below it literally: a wildcard made for a build argument becomes its literal directory
    // (so every value is still sent); a wildcard source of the Dockerfile gets its matches.
    let widened = false;
    exceptions = exceptions.map((line) => {
      const body = line.slice(1);
      const prefix = literalPrefix(body);
      if (prefix === null || !includes.includes(body) || !isArgPattern(body, builds)) return line;
      widened = true;
      return '!' + prefix;
    });
    exceptions = exceptions.filter((l, i) => exceptions.indexOf(l) === i);
    if (widened) continue;
    const literal = checked.classicMissing.map(literalPattern);
    if (literal.some((l) => l === null)) return { allowList: null, unavailable: checked.why };
    exceptions = [...exceptions, ...literal.map((l) => '!' + l)];
  }
  return { allowList: null, unavailable: 'the allow-list could not be checked' };
}

/** Sample paths of the sources: today's path when literal, and the build-argument pattern with each `*` as `x`. */
function probePaths(builds: readonly BuildRead[]): string[] {
  const out = new Set<string>();
  for (const b of builds) {
    for (const s of namingSources(b.plan)) {
      if (!s.wildcard) out.add(s.path);
      const general = sourcePattern(s.raw, s.path);
      if (general !== null && !/[?[\\]/.test(general)) out.add(general.replace(/\*/g, 'x'));
    }
  }
  return [...out].filter((p) => p !== '.' && !p.startsWith('../'));
}

/** Whether an include path is a source's build-argument pattern (not a wildcard the Dockerfile wrote). */
function isArgPattern(pattern: string, builds: readonly BuildRead[]): boolean {
  return builds.some((b) => namingSources(b.plan).some((s) => sourcePattern(s.raw, s.path) === pattern && !s.wildcard));
}

interface Checked {
  ok: boolean;
  why: string;
  sent: Record<Builder, Entry[]>;
  /** Named entries the classic builder would no longer send. */
  classicMissing: string[];
}

function check(input: AllowListInput, lines: readonly string[]): Checked {
  const sent = {} as Record<Builder, Entry[]>;
  const text = lines.join('\n') + '\n';
  for (const builder of ['buildkit', 'classic'] as const) {
    const context = input.contexts[builder];
    const ignore = parseIgnoreFile(text, '(allow-list)', context.platform);
    const allowContext = { ...context, ignore };
    sent[builder] = withWrittenFile(walkSent(allowContext, input.walk).entries, allowContext, input.writePath, Buffer.from(text));
  }
  // Sources that are not in the tree yet (a build output made before docker build, another
  // build argument's value) are checked on a sample path by replaying each builder's filter.
  const probes = probePaths(input.builds);
  const missing = (builder: Builder): string[] => {
    const paths = new Set(sent[builder].map((e) => e.path));
    const context = { ...input.contexts[builder], ignore: parseIgnoreFile(text, '(allow-list)', input.contexts[builder].platform) };
    return [...input.namedPaths.filter((p) => !paths.has(p)), ...probes.filter((p) => !paths.has(p) && !wouldSend(context, p))];
  };
  const buildkitMissing = missing('buildkit');
  // The classic builder reads only <context>/.dockerignore: a <Dockerfile>.dockerignore is not its concern.
  const classicMissing = input.builds.some((b) => b.readsWritten.classic) || input.builds.length === 0 ? missing('classic') : [];
  const fail = (why: string): Checked => ({ ok: false, why, sent, classicMissing });
  // Every build whose BuildKit context reads this file: no source may fail that did not before.
  for (const b of input.builds) {
    if (b.plan === null || !b.plan.readsContext || !b.readsWritten.buildkit) continue;
    const ignore = parseIgnoreFile(text, '(allow-list)', b.context.platform);
    const before = new Set(walkEffective(b.context, b.plan, () => {}, false, undefined, input.walk).problems.map(problemKey));
    const { problems } = walkEffective({ ...b.context, ignore }, b.plan, () => {}, false, undefined, input.walk);
    const fresh = problems.filter((p) => !before.has(problemKey(p)));
    if (fresh.length > 0) {
      const p = fresh[0]!;
      return fail(`under BuildKit, ${sourceLabel(p.source).replace(/\)$/, ` of ${b.label})`)} would fail (${p.problem})`);
    }
  }
  if (buildkitMissing.length > 0) return fail(`BuildKit would no longer send ${buildkitMissing[0]}`);
  if (classicMissing.length > 0) return fail(`the classic builder would no longer send ${classicMissing[0]}`);
  return { ok: true, why: '', sent, classicMissing };
}

