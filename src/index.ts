/**
 * ctxsize's library API: what Docker puts in a build context, exactly as each builder does.
 * The CLI is a thin layer over these functions.
 */
export { listContext, forEachContextEntry, type ContextListing } from './context/list.js';
export { measureContext, type MeasureReport, type MeasureOptions, type Counts, type LargestPath } from './measure/measure.js';
export { explainPath, type Explanation, type BuilderExplanation, type DecidingRule, type ExplainOptions } from './explain/explain.js';
export { resolveContext, InputError, type ContextOptions, type ResolvedContext } from './context/resolve.js';
export { findReaders, planReaders, readersOf, isDockerfileName, type DockerfileReader, type ReaderService } from './context/readers.js';
export { parseIgnoreFile, IgnoreFileError, type IgnoreFile, type IgnoreRule, type PatternPlatform } from './dockerignore/read.js';
export { PatternMatcher } from './dockerignore/matcher.js';
export { BuildFailure, type Builder } from './dockerignore/builders.js';
export type { Entry, EntryType, WalkWarning } from './walk/entry.js';
export { runCli } from './cli.js';
export { evaluateGates, gatesPassed, parseSize, parseFileCount, parseGrowth, LimitSyntaxError, type Budgets, type GateResult, type GateName, type GateScope, type SizeLimit, type GrowthLimit, type MeasureOutcome, type ComposeOutcome, type ServiceOutcome } from './gates/gates.js';
export { compareWithBaseline, readBaselineFile, validateMeasurement, writeBaselineFile, type BaselineComparison, type PathChange, type SizeChange } from './gates/baseline.js';
export { loadConfig, validateConfig, CONFIG_FILE, type CtxsizeConfig, type BudgetConfig, type LoadedConfig, type OutputFormat } from './config/config.js';
export { loadComposeProject, findComposeFiles, interpolate, parseDotEnv, isRemoteContext, type ComposeProject, type ComposeService } from './compose/compose.js';
export { formatMeasureMarkdown, formatComposeMarkdown } from './report/markdown.js';
export { formatMeasurePrometheus, formatComposePrometheus } from './report/prometheus.js';
export type { TopLevelEntry, TopLevelTotals } from './measure/measure.js';
export { parseDockerfile, DockerfileError, contextSources, contextIncludePatterns, dockerfileReadsContext, dockerfileUsesWholeContext, resolveStages, findStageByName, expandWord } from './dockerfile/index.js';
export type { ContextSource, ContextSourceOptions, BuildOptions, StageGraph, BuildArgs, Dockerfile, Stage, Instruction, DockerfileWarning } from './dockerfile/index.js';
export { checkContext, type CheckOptions } from './check/check.js';
export type { Finding, CheckReport, RuleId, Severity } from './check/types.js';
export { planClean, applyClean, readPlanFile, validatePlan, cleanFailed, assertCleanableRoot } from './clean/index.js';
export type { Plan, PlanItem, PlanOptions, ApplyOptions, CleanResult, ItemOutcome, ItemStatus, SkippedItem, SkipCode, CleanWarning, CleanSelection, CleanTotals, CategoryTotals } from './clean/index.js';
export { ARTIFACTS, ArtifactMatcher, artifactMatcher, findArtifact, matchesArtifact, artifactById, cleanableCategories, dockerignoreLinesFor, parseArtifactPattern } from './knowledge/artifacts.js';
export type { ArtifactRule, ArtifactPattern, ArtifactCategory, ArtifactKind, ArtifactDepth, Ecosystem, MatchContext, MatchKind } from './knowledge/artifacts.js';
export { suggestIgnore, applySuggestWrite, insertIntoBlock, unifiedDiff, convertGitignorePattern, parseGitignoreLine, literalPattern, DEFAULT_LARGE_FILE_BYTES, BLOCK_BEGIN, BLOCK_END } from './suggest/index.js';
export type { SuggestOptions, SuggestReport, SuggestSelection, Suggestion, SuggestionCategory, Withheld, GitignoreSuggestion, AllowList, Amount, BuilderOutcome, CombinedOutcome, EffectiveOutcome, WritePlan, SourceRef, BlockLine, GitPattern, GitignoreLocation, Conversion } from './suggest/index.js';
export { forEachEffectiveEntry, planEffective, walkEffective, type BuildSelection, type EffectivePlan, type SourceProblem } from './effective/effective.js';
export { analyzeCache, CACHE_SCHEMA_VERSION, type CacheOptions, type CacheReport, type CacheStep, type CacheChange } from './cache/index.js';
export { DEPENDENCY_TOOLS, matchInstall, type DependencyTool } from './knowledge/dependencies.js';
