import { readFileSync } from 'node:fs';
import { InputError, type ResolvedContext } from '../context/resolve.js';
import { DockerfileError, findStageByName, parseDockerfile } from '../dockerfile/index.js';
import { planEffective, type BuildSelection, type EffectiveWarning } from '../effective/effective.js';
import type { SourceUse } from './sources.js';
import { readInputText } from '../input/read-file.js';

/** What the check learns from the Dockerfile. */
export interface DockerfileUse {
  /** The context paths the target's stages read (COPY, ADD, bind mounts), variables expanded. */
  sources: SourceUse[];
  /**
   * BuildKit's include paths, symlinks followed (its FollowPaths): null when the whole context is
   * transferred, empty when the build reads no context at all.
   */
  includePaths: string[] | null;
  /** Words of the Dockerfile that hold variables nothing sets. */
  warnings: EffectiveWarning[];
}

/** The Dockerfile could not be used: BuildKit would refuse it. */
export interface DockerfileProblem {
  error: DockerfileError;
}

/**
 * The Dockerfile's context sources for the selected build, through the effective-context planner
 * (src/effective/effective.ts). Returns null when there is no Dockerfile, a problem when BuildKit would
 * refuse it. Throws InputError for an unreadable Dockerfile or a `--target` that names no stage
 * (bad input, not a finding).
 */
export function dockerfileUse(context: ResolvedContext, selection: BuildSelection): DockerfileUse | DockerfileProblem | null {
  if (context.dockerfile === null) return null;
  try {
    if (selection.target !== undefined) {
      let text: string;
      try {
        text = readInputText(context.dockerfile);
      } catch {
        text = ''; // planEffective reports it
      }
      const parsed = parseDockerfile(text, context.dockerfile);
      if (findStageByName(parsed, selection.target) === undefined) {
        throw new InputError(`--target ${selection.target}: no stage of that name in ${context.dockerfile}`);
      }
    }
    const plan = planEffective(context, selection);
    if (plan === null) return null;
    const sources: SourceUse[] = plan.sources
      .filter((s) => !s.heredoc && s.mount !== 'tmpfs')
      .map((s) => ({
        path: s.path,
        raw: s.raw,
        line: s.line,
        instruction: s.mount === 'bind' ? 'RUN --mount=type=bind' : s.instruction,
        wildcard: s.wildcard,
        unresolved: s.unresolved,
      }));
    return { sources, includePaths: plan.readsContext ? plan.includePaths : [], warnings: plan.warnings };
  } catch (error) {
    if (error instanceof DockerfileError) return { error };
    throw error;
  }
}
