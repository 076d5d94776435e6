/**
 * The Dockerfile side of ctxsize: a pure parser (text in, data out) and the build-context paths a
 * build uses, as BuildKit's Dockerfile frontend computes them.
 */
export { parseDockerfile } from './parse.js';
export { DockerfileError } from './errors.js';
export {
  contextSources,
  buildUse,
  contextIncludePatterns,
  dockerfileReadsContext,
  dockerfileUsesWholeContext,
  containsWildcards,
  type BuildUse,
  type ContextSource,
  type ContextSourceOptions,
  type UnresolvedWord,
} from './sources.js';
export { parsePlatform, formatPlatform, defaultBuildPlatform, platformArgs, type Platform } from './platform.js';
export { imageReferenceProblem } from './reference.js';
export { resolveStages, findStageByName, type BuildOptions, type StageGraph } from './stages.js';
export { expandWord, type Expansion, type LexOptions, type Variables, type VariableLookup } from './expand.js';
export type { BuildArgs } from './scope.js';
export type {
  AddInstruction,
  ArgDefinition,
  ArgInstruction,
  CopyInstruction,
  Dockerfile,
  DockerfileWarning,
  EnvInstruction,
  FromInstruction,
  Heredoc,
  Instruction,
  InstructionBase,
  KeyValue,
  OnbuildInstruction,
  OtherInstruction,
  ParserDirective,
  RunInstruction,
  RunMountFlag,
  Stage,
} from './types.js';
