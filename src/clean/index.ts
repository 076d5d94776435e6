/** Safe cache cleaning: `planClean` returns data, `applyClean` deletes a plan after re-checking it. */
export { planClean, categoryTotals } from './plan.js';
export { applyClean, cleanFailed } from './apply.js';
export { readPlanFile, validatePlan } from './plan-file.js';
export { assertCleanableRoot, checkItemPath } from './safety.js';
export { checkTracked, type GitCheck, type TrackedFiles } from './git.js';
export { formatPlan, formatResult } from './report.js';
export * from './types.js';
