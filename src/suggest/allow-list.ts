/**
 * The allow-list form of an ignore file: `*`, then one `!path` per path the Dockerfile uses, then
 * the exclusions that still apply inside those paths. Offered only when it is correct under both
 * builders, which is checked by running both real walkers on the proposed content:
 * - BuildKit: every Dockerfile source is still satisfied (`walkEffective` finds no new problem);
 * - the classic builder, which enters an excluded directory only when an exception names a path
 *   under it literally (reference section 3): every entry a source names is still sent. When a
 *   wildcard source leaves some out, literal exceptions for those entries are added and the
 *   check runs again.
 */
import type { ResolvedContext } from '../context/resolve.js';
import { parseIgnoreFile } from '../dockerignore/read.js';
import { walkEffective, type EffectivePlan, type SourceProblem } from '../effective.js';
import type { Builder } from '../walk/builders.js';
import type { Entry } from '../walk/entry.js';
import { amountOf, walkSent, withWrittenFile } from './engine.js';
import { literalPattern } from './patterns.js';
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
}

export type AllowListResult = { allowList: AllowList; unavailable: null } | { allowList: null; unavailable: string };

export function problemKey(problem: SourceProblem): string {
  return `${problem.source.line}\u0000${problem.source.path}\u0000${problem.problem}`;
}

/** Propose and check the allow-list (see the module comment). */
export function proposeAllowList(input: AllowListInput): AllowListResult {
  const { plan } = input;
  if (plan === null) return { allowList: null, unavailable: 'there is no Dockerfile to take the used paths from' };
  let includes: string[];
  if (!plan.readsContext) {
    includes = [];
  } else if (plan.includePaths === null) {
    return { allowList: null, unavailable: 'the Dockerfile uses the whole context (COPY . or a bind mount of the root)' };
  } else {
    includes = plan.includePaths;
  }
  const unresolved = plan.sources.find((s) => s.unresolved && !s.heredoc);
  if (unresolved) {
    return {
      allowList: null,
      unavailable: `the source ${JSON.stringify(unresolved.raw)} (line ${unresolved.line}) uses a variable ctxsize cannot know (pass --build-arg)`,
    };
  }
  if (includes.length > ALLOW_LIST_MAX_PATHS) {
    return { allowList: null, unavailable: `the Dockerfile uses ${includes.length} paths (more than ${ALLOW_LIST_MAX_PATHS})` };
  }
  const tail = [...input.currentLines, ...input.exclusions];
  let exceptions = includes.map((p) => '!' + p);
  for (let attempt = 0; attempt < 2; attempt++) {
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
    if (checked.classicMissing.length === 0 || attempt === 1) return { allowList: null, unavailable: checked.why };
    const literal = checked.classicMissing.map(literalPattern);
    if (literal.some((l) => l === null)) return { allowList: null, unavailable: checked.why };
    exceptions = [...exceptions, ...literal.map((l) => '!' + l)];
  }
  return { allowList: null, unavailable: 'the allow-list could not be checked' };
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
    sent[builder] = withWrittenFile(walkSent(allowContext).entries, allowContext, input.writePath, Buffer.from(text));
  }
  const missing = (builder: Builder): string[] => {
    const paths = new Set(sent[builder].map((e) => e.path));
    return input.namedPaths.filter((p) => !paths.has(p));
  };
  const buildkitMissing = missing('buildkit');
  const classicMissing = missing('classic');
  const fail = (why: string): Checked => ({ ok: false, why, sent, classicMissing });
  if (input.plan && input.plan.readsContext) {
    const context = input.contexts.buildkit;
    const ignore = parseIgnoreFile(text, '(allow-list)', context.platform);
    const { problems } = walkEffective({ ...context, ignore }, input.plan, () => {}, false);
    const before = new Set(input.problemsBefore.map(problemKey));
    const fresh = problems.filter((p) => !before.has(problemKey(p)));
    if (fresh.length > 0) {
      const p = fresh[0]!;
      return fail(`under BuildKit, ${p.source.instruction} ${p.source.raw} (line ${p.source.line}) would fail (${p.problem})`);
    }
  }
  if (buildkitMissing.length > 0) return fail(`BuildKit would no longer send ${buildkitMissing[0]}`);
  if (classicMissing.length > 0) return fail(`the classic builder would no longer send ${classicMissing[0]}`);
  return { ok: true, why: '', sent, classicMissing };
}

