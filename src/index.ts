/**
 * ctxsize's library API: what Docker puts in a build context, exactly as each builder does.
 * The CLI is a thin layer over these functions.
 */
export { listContext, forEachContextEntry, type ContextListing } from './list.js';
export { measureContext, type MeasureReport, type MeasureOptions, type Counts, type LargestPath } from './measure.js';
export { explainPath, type Explanation, type BuilderExplanation, type DecidingRule, type ExplainOptions } from './explain.js';
export { resolveContext, InputError, type ContextOptions, type ResolvedContext } from './context/resolve.js';
export { parseIgnoreFile, IgnoreFileError, type IgnoreFile, type IgnoreRule, type PatternPlatform } from './dockerignore/read.js';
export { PatternMatcher } from './dockerignore/matcher.js';
export { BuildFailure, type Builder } from './walk/builders.js';
export type { Entry, EntryType, WalkWarning } from './walk/entry.js';
export { runCli } from './cli.js';
