/**
 * The effective-context part of `ctxsize explain`: does the Dockerfile's target use a path, through
 * which instruction and line, and does BuildKit transfer it for this build?
 */
import { InputError, type ResolvedContext } from '../context/resolve.js';
import { DockerfileError } from '../dockerfile/index.js';
import { PatternMatcher } from '../dockerignore/matcher.js';
import { planEffective, walkEffective, type BuildSelection, type EffectivePlan } from '../effective/effective.js';

/** An instruction of the target's stages that reads the path (or a directory holding it). */
export interface EffectiveUse {
  instruction: 'COPY' | 'ADD' | 'RUN';
  line: number;
  /** The source as written (`src/`, `$APP/dist`, `.` for a bind mount without source). */
  source: string;
  /** The stage that runs it: its name, or its index when unnamed. */
  stage: string | number;
}

/** Whether the Dockerfile's target uses a path. */
export interface EffectiveExplanation {
  /** The target platforms considered (`linux/amd64`). */
  platforms: string[];
  /** The instructions that read the path (or a directory holding it), in build order. */
  usedBy: EffectiveUse[];
  /** BuildKit transfers the path for this build (it is in the effective context). */
  inEffectiveContext: boolean;
  /** Set when BuildKit refuses the Dockerfile: why (then nothing is transferred). */
  dockerfileError: string | null;
  /** One sentence saying why. */
  reason: string;
  /** Warnings about the Dockerfile (variables nothing sets), `line: message`. */
  warnings: string[];
}

function describeUse(use: EffectiveUse): string {
  const what = use.instruction === 'RUN' ? (use.source === '' ? 'RUN --mount (the whole context)' : `RUN --mount source=${use.source}`) : `${use.instruction} ${use.source}`;
  const stage = typeof use.stage === 'number' ? `stage ${use.stage}` : `stage "${use.stage}"`;
  return `${what} (line ${use.line}, ${stage})`;
}

function sourceMatches(pattern: string, relative: string): boolean {
  if (pattern === '.') return true;
  try {
    const matcher = new PatternMatcher({ file: 'Dockerfile', rules: [{ pattern, line: 1, source: pattern }] });
    return matcher.matchesOrParentMatches(relative);
  } catch {
    return false;
  }
}

/**
 * Explain whether the Dockerfile's build (target, build arguments, platforms) uses `relative` (a
 * path relative to the context root), for the BuildKit context `context`. Null without a Dockerfile.
 * @throws InputError for an unreadable Dockerfile or a target that names no stage
 */
export function explainEffective(
  context: ResolvedContext,
  relative: string,
  selection: BuildSelection = {},
  /** Whether BuildKit sends the path at all (its ignore file), when known: spares a walk when the build uses the whole context. */
  sentByBuildKit?: boolean,
): EffectiveExplanation | null {
  if (context.dockerfile === null) return null;
  let plan: EffectivePlan | null;
  try {
    plan = planEffective(context, selection);
  } catch (error) {
    if (!(error instanceof DockerfileError)) throw error;
    if (error.line === 0) throw new InputError(error.message, { cause: error });
    return {
      platforms: [],
      usedBy: [],
      inEffectiveContext: false,
      dockerfileError: `line ${error.line}: ${error.detail}`,
      reason: `docker build fails at line ${error.line} before sending anything: ${error.detail}`,
      warnings: [],
    };
  }
  if (plan === null) return null;
  const usedBy: EffectiveUse[] = plan.sources
    .filter((s) => !s.heredoc && s.mount !== 'tmpfs' && sourceMatches(s.path, relative))
    .map((s) => ({ instruction: s.instruction, line: s.line, source: s.raw, stage: s.stage }));
  // Walk what BuildKit transfers (pruned to the include paths): exact, symlinks followed.
  let inEffectiveContext = false;
  if (plan.readsContext && plan.includePaths === null && sentByBuildKit !== undefined) {
    inEffectiveContext = sentByBuildKit;
  } else if (plan.readsContext) {
    walkEffective(context, plan, (entry) => {
      if (entry.path === relative) inEffectiveContext = true;
    });
  }
  const platforms = plan.platforms.map((p) => p.platform);
  let reason: string;
  if (usedBy.length > 0) {
    const list = usedBy.map(describeUse).join('; ');
    reason = inEffectiveContext
      ? `used by ${list}: BuildKit transfers it for this build`
      : `named by ${list}, but BuildKit does not transfer it (the ignore file keeps it out, or it does not exist)`;
  } else if (inEffectiveContext) {
    reason = 'no instruction names it, but BuildKit transfers it (a directory that holds a source, or the target of a symbolic link among the sources)';
  } else if (!plan.readsContext) {
    reason = 'no instruction of the target reads the build context: BuildKit transfers nothing';
  } else {
    reason = 'no COPY, ADD or bind mount of the target uses it: BuildKit does not transfer it';
  }
  return {
    platforms,
    usedBy,
    inEffectiveContext,
    dockerfileError: null,
    reason,
    warnings: plan.warnings.map((w) => `line ${w.line}: ${w.message}`),
  };
}
