/**
 * Reading a saved plan. A plan file is input from outside (it may have been edited by hand, or
 * come from another machine), so it is validated before anything trusts it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../context/resolve.js';
import { checkItemPath } from './safety.js';
import { CLEAN_SCHEMA_VERSION, type Plan, type PlanItem } from './types.js';
import { describeReadError, readInputText } from '../input/read-file.js';

function fail(label: string, message: string): never {
  throw new InputError(`${label}: not a usable clean plan: ${message}`);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Check that a value is a plan `applyClean` can act on: the right type and schema version, an
 * absolute root, and items that each name a distinct path strictly inside it, none inside another.
 * Throws InputError naming the first problem.
 */
export function validatePlan(value: unknown, label = 'plan'): Plan {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(label, 'not a JSON object');
  const plan = value as Partial<Plan> & Record<string, unknown>;
  if (plan.type !== 'ctxsize-clean-plan') fail(label, `"type" is ${JSON.stringify(plan.type)}, expected "ctxsize-clean-plan"`);
  if (plan.schemaVersion !== CLEAN_SCHEMA_VERSION) {
    fail(label, `schemaVersion ${JSON.stringify(plan.schemaVersion)} is not supported (this ctxsize reads ${CLEAN_SCHEMA_VERSION})`);
  }
  if (typeof plan.root !== 'string' || !path.isAbsolute(plan.root)) fail(label, '"root" must be an absolute path');
  if (!Array.isArray(plan.items)) fail(label, '"items" must be an array');
  // The selection is how apply decides each item again; a plan without one has no --include.
  const rawSelection = (plan.selection ?? {}) as Partial<Plan['selection']>;
  if (typeof rawSelection !== 'object' || rawSelection === null) fail(label, '"selection" must be an object');
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const selection: Plan['selection'] = { only: null, include: [], exclude: [] };
  for (const key of ['include', 'exclude'] as const) {
    const v = rawSelection[key];
    if (v === undefined) continue;
    if (!strings(v)) fail(label, `"selection.${key}" must be an array of strings`);
    selection[key] = v;
  }
  if (rawSelection.only !== undefined && rawSelection.only !== null) {
    if (!strings(rawSelection.only)) fail(label, '"selection.only" must be null or an array of strings');
    selection.only = rawSelection.only;
  }
  const seen = new Set<string>();
  plan.items.forEach((raw: unknown, i: number) => {
    const item = raw as Partial<PlanItem> | null;
    const where = `items[${i}]`;
    if (typeof item !== 'object' || item === null) fail(label, `${where} is not an object`);
    const problem = checkItemPath(item.path);
    if (problem !== null) fail(label, `${where}.path ${JSON.stringify(item.path)}: ${problem}`);
    if (item.kind !== 'dir' && item.kind !== 'file') fail(label, `${where}.kind must be "dir" or "file"`);
    if (!isCount(item.bytes) || !isCount(item.files)) fail(label, `${where}: bytes and files must be non-negative numbers`);
    if (typeof item.category !== 'string' || typeof item.ruleId !== 'string') fail(label, `${where}: category and ruleId must be strings`);
    if (seen.has(item.path!)) fail(label, `${where}.path ${JSON.stringify(item.path)} appears twice`);
    seen.add(item.path!);
  });
  // Items never overlap in a plan made by planClean; an edited one must not sneak in a parent.
  for (const p of seen) {
    for (let parent = path.posix.dirname(p); parent !== '.'; parent = path.posix.dirname(parent)) {
      if (seen.has(parent)) fail(label, `item ${JSON.stringify(p)} is inside item ${JSON.stringify(parent)}`);
    }
  }
  return {
    ...(plan as Plan),
    selection,
    skipped: Array.isArray(plan.skipped) ? plan.skipped : [],
    warnings: Array.isArray(plan.warnings) ? plan.warnings : [],
  };
}

/** Read and validate a plan file written by `ctxsize clean --plan FILE`. Throws InputError. */
export function readPlanFile(file: string, cwd = process.cwd()): Plan {
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    text = readInputText(abs);
  } catch (error) {
    throw new InputError(`${file}: cannot read plan (${describeReadError(error)})`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not a usable clean plan: invalid JSON (${(error as Error).message})`, { cause: error });
  }
  return validatePlan(value, file);
}
