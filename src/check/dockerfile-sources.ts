import { readFileSync } from 'node:fs';
import { InputError } from '../context/resolve.js';
import {
  contextIncludePatterns,
  contextSources,
  dockerfileReadsContext,
  DockerfileError,
  findStageByName,
  parseDockerfile,
} from '../dockerfile/index.js';
import type { SourceUse } from './sources.js';

/** What the check learns from the Dockerfile. */
export interface DockerfileUse {
  /** The context paths the target's stages read (COPY, ADD, bind mounts), variables expanded. */
  sources: SourceUse[];
  /**
   * BuildKit's include paths (FollowPaths, before symlinks are followed): null when the whole
   * context is transferred, empty when the build reads no context at all.
   */
  includePaths: string[] | null;
}

/** The Dockerfile could not be used: BuildKit would refuse it. */
export interface DockerfileProblem {
  error: DockerfileError;
}

/**
 * Read and parse the Dockerfile and collect the context sources of the target's stages. Returns
 * null when there is no Dockerfile, a problem when BuildKit would refuse it. Throws InputError
 * for an unreadable Dockerfile or a `--target` that names no stage.
 */
export function dockerfileUse(
  dockerfile: string | null,
  label: string,
  options: { target?: string; buildArgs?: Record<string, string> },
): DockerfileUse | DockerfileProblem | null {
  if (dockerfile === null) return null;
  let text: string;
  try {
    text = readFileSync(dockerfile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null; // a dangling default Dockerfile link: nothing to check
    throw new InputError(`${label}: cannot read the Dockerfile (${code ?? (error as Error).message})`, { cause: error });
  }
  try {
    const parsed = parseDockerfile(text, label);
    if (options.target !== undefined && findStageByName(parsed, options.target) === undefined) {
      throw new InputError(`--target ${options.target}: no stage of that name in ${label}`);
    }
    const all = contextSources(parsed, { target: options.target, buildArgs: options.buildArgs ?? {} });
    const paths = all.filter((s) => !s.heredoc);
    const sources: SourceUse[] = paths
      .filter((s) => s.mount !== 'tmpfs')
      .map((s) => ({ path: s.path, raw: s.raw, line: s.line, instruction: s.mount === 'bind' ? 'RUN --mount=type=bind' : s.instruction, wildcard: s.wildcard, unresolved: s.unresolved }));
    const includePaths = dockerfileReadsContext(paths) ? contextIncludePatterns(paths) : [];
    return { sources, includePaths };
  } catch (error) {
    if (error instanceof DockerfileError) return { error };
    throw error;
  }
}
