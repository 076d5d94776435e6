/**
 * Gates: budgets a measurement must stay within (size, file count, growth since a baseline).
 * Pure: limits are parsed from text, results are data with a one-line message each.
 */
import { filesize } from 'filesize';
import type { Counts, MeasureReport } from '../measure/measure.js';
import { number } from '../report/numbers.js';

/** A size limit, as the user wrote it and in bytes. */
export interface SizeLimit {
  bytes: number;
  /** The limit as written (`500MB`, `1.5GiB`, `300000`). */
  text: string;
  /** Written in binary units (KiB, MiB…): sizes in its messages are then shown in binary units too. */
  binary: boolean;
}

/** A growth limit in percent, kept exact: `percent` = `millionths` / 1,000,000. */
export interface GrowthLimit {
  percent: number;
  millionths: number;
  text: string;
}

/** The budgets a context is checked against; each says where it was set (`--max-size`, a config file). */
export interface Budgets {
  maxSize?: SizeLimit & { source: string };
  maxFiles?: { files: number; text: string; source: string };
  maxGrowth?: GrowthLimit & { source: string };
}

export type GateName = 'max-size' | 'max-files' | 'max-growth';
/** `context` is what the builder sends; `effective` what BuildKit transfers for the Dockerfile. */
export type GateScope = 'context' | 'effective';

/** The outcome of one gate. */
export interface GateResult {
  gate: GateName;
  scope: GateScope;
  /** What `limit`, `actual` and `over` count. */
  unit: 'bytes' | 'files' | 'percent';
  limit: number;
  /** The limit as written. */
  limitText: string;
  /** Where the limit was set: a flag (`--max-size`) or a configuration file. */
  source: string;
  /** The measured value: bytes, files, or the growth in percent (null: grew from nothing). */
  actual: number | null;
  /** Exactly at the limit passes. */
  passed: boolean;
  /** How much is over the limit, in bytes or files (for growth: bytes over the allowed size); 0 when passed. */
  over: number;
  /** `over` as a percentage of the limit (null when the limit is 0). */
  overPercent: number | null;
  /** Growth gates only: the sizes compared. */
  baselineBytes?: number;
  currentBytes?: number;
  /** Growth gates only: the largest size the limit allows. */
  allowedBytes?: number;
  /** One line naming what is over and by how much (or that it is within the limit). */
  message: string;
}

/** A usage error in a limit: the caller wraps it with the flag or config key that held it. */
export class LimitSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitSyntaxError';
  }
}

const DECIMAL: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const BINARY: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/**
 * Parse a size: a number, optional spaces, an optional unit. Units are case-insensitive:
 * `B`; decimal `k`/`kB`, `M`/`MB`, `G`/`GB`, `T`/`TB`, `P`/`PB` (powers of 1000); binary `Ki`/`KiB`,
 * `Mi`/`MiB`, `Gi`/`GiB`, `Ti`/`TiB`, `Pi`/`PiB` (powers of 1024). A plain number is bytes and must
 * be whole; with a unit, fractions are allowed and the result is rounded to the nearest byte.
 * Throws LimitSyntaxError on anything else (negative numbers, exponents, `1,000`, unknown units).
 */
export function parseSize(text: string): SizeLimit {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!match) {
    throw new LimitSyntaxError(`${JSON.stringify(text)} is not a size (write bytes or a number with a unit: 500MB, 1.5GiB, 300kB)`);
  }
  const number = Number(match[1]);
  const unit = match[2]!;
  const unitMatch = /^(?:([kmgtp])(i)?b?|b?)$/i.exec(unit);
  if (!unitMatch) {
    throw new LimitSyntaxError(`${JSON.stringify(text)}: unknown unit ${JSON.stringify(unit)} (use B, kB, MB, GB, TB, or KiB, MiB, GiB, TiB)`);
  }
  const prefix = (unitMatch[1] ?? '').toLowerCase();
  const binary = unitMatch[2] !== undefined;
  const factor = binary ? BINARY[prefix]! : DECIMAL[prefix]!;
  if (prefix === '' && !Number.isInteger(number)) {
    throw new LimitSyntaxError(`${JSON.stringify(text)} is not a whole number of bytes`);
  }
  const bytes = Math.round(number * factor);
  if (!Number.isSafeInteger(bytes)) throw new LimitSyntaxError(`${JSON.stringify(text)} is too large`);
  return { bytes, text: text.trim(), binary };
}

/** Parse a file count: a whole number. */
export function parseFileCount(text: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new LimitSyntaxError(`${JSON.stringify(text)} is not a whole number of files`);
  const files = Number(text);
  if (!Number.isSafeInteger(files)) throw new LimitSyntaxError(`${JSON.stringify(text)} is too large`);
  return files;
}

/** Parse a growth limit in percent: `10`, `10%`, `2.5`, `0` (up to 6 decimals). */
export function parseGrowth(text: string): GrowthLimit {
  const match = /^\s*(\d+)(?:\.(\d{1,6}))?\s*%?\s*$/.exec(text);
  if (!match) throw new LimitSyntaxError(`${JSON.stringify(text)} is not a percentage (write 10, 10% or 2.5)`);
  const millionths = Number(match[1]) * 1e6 + Number((match[2] ?? '').padEnd(6, '0'));
  if (!Number.isSafeInteger(millionths)) throw new LimitSyntaxError(`${JSON.stringify(text)} is too large`);
  return { percent: millionths / 1e6, millionths, text: text.trim() };
}


/** A human size in SI units, or in IEC units when the limit it is compared with was written so. */
export function formatSize(bytes: number, binary = false): string {
  return (binary ? filesize(bytes, { round: 1, base: 2, standard: 'iec' }) : filesize(bytes, { round: 1 })) as string;
}

/** A percentage for messages: `2.5%`, `10%`, `<0.1%`. */
export function formatPercent(value: number): string {
  if (value === 0) return '0%';
  if (Math.abs(value) < 0.1) return value > 0 ? '<0.1%' : '>-0.1%';
  const fixed = value.toFixed(1);
  return `${fixed.endsWith('.0') ? fixed.slice(0, -2) : fixed}%`;
}

function overPercentOf(over: number, limit: number): number | null {
  return limit === 0 ? null : Math.round((over / limit) * 1e6) / 1e4;
}

const SCOPE_LABEL: Record<GateScope, string> = {
  context: 'context',
  effective: 'effective context',
};

/** The effective context of a report, once the measurement computes one. */
export function effectiveCounts(report: MeasureReport): Counts | null {
  return (report as MeasureReport & { effective?: Counts | null }).effective ?? null;
}

/**
 * A limit gate's result: passed or by how much the amount is over. `what` says the amount,
 * `overBy` how much it is over (with its share of the limit when that is known).
 */
function limitGate(
  gate: 'max-size' | 'max-files',
  scope: GateScope,
  actual: number,
  limit: { value: number; text: string; source: string },
  what: string,
  overBy: (over: number, overPercent: number | null) => string,
): GateResult {
  const over = Math.max(0, actual - limit.value);
  const passed = over === 0;
  const overPercent = overPercentOf(over, limit.value);
  const where = `the limit of ${limit.text} (${limit.source})`;
  return {
    gate,
    scope,
    unit: gate === 'max-size' ? 'bytes' : 'files',
    limit: limit.value,
    limitText: limit.text,
    source: limit.source,
    actual,
    passed,
    over,
    overPercent: passed ? 0 : overPercent,
    message: passed ? `${what}, within ${where}` : `${what}, over ${where} by ${overBy(over, overPercent)}`,
  };
}

function sizeGate(scope: GateScope, bytes: number, limit: NonNullable<Budgets['maxSize']>): GateResult {
  const what = `${SCOPE_LABEL[scope]} is ${formatSize(bytes, limit.binary)} (${number.format(bytes)} bytes)`;
  return limitGate('max-size', scope, bytes, { value: limit.bytes, text: limit.text, source: limit.source }, what, (over, overPercent) =>
    `${number.format(over)} byte${over === 1 ? '' : 's'} (${formatSize(over, limit.binary)}${overPercent === null ? '' : `, ${formatPercent(overPercent)}`})`,
  );
}

function filesGate(scope: GateScope, files: number, limit: NonNullable<Budgets['maxFiles']>): GateResult {
  const what = `${SCOPE_LABEL[scope]} has ${number.format(files)} file${files === 1 ? '' : 's'}`;
  return limitGate('max-files', scope, files, { value: limit.files, text: limit.text, source: limit.source }, what, (over, overPercent) =>
    `${number.format(over)} file${over === 1 ? '' : 's'}${overPercent === null ? '' : ` (${formatPercent(overPercent)})`}`,
  );
}

/**
 * The growth gate: fails when `after` exceeds `before` by more than the limit. Compared exactly,
 * in integers: after * 100e6 > before * (100e6 + millionths).
 */
export function growthGate(
  scope: GateScope,
  before: number,
  after: number,
  limit: NonNullable<Budgets['maxGrowth']>,
  baselineLabel: string,
): GateResult {
  const scaled = BigInt(after) * 100_000_000n;
  const allowedScaled = BigInt(before) * BigInt(100_000_000 + limit.millionths);
  const passed = scaled <= allowedScaled;
  // The largest whole size the limit allows.
  const allowedBytes = Number(allowedScaled / 100_000_000n);
  const over = passed ? 0 : after - allowedBytes;
  const growth = before === 0 ? (after === 0 ? 0 : null) : Math.round(((after - before) / before) * 1e6) / 1e4;
  const delta = after - before;
  const change =
    `${formatSize(before)} → ${formatSize(after)}, ${delta >= 0 ? '+' : '-'}${number.format(Math.abs(delta))} bytes`;
  const grew =
    growth === null
      ? `${SCOPE_LABEL[scope]} grew from nothing since ${baselineLabel} (${change})`
      : delta >= 0
        ? `${SCOPE_LABEL[scope]} grew by ${formatPercent(growth)} since ${baselineLabel} (${change})`
        : `${SCOPE_LABEL[scope]} shrank by ${formatPercent(-growth)} since ${baselineLabel} (${change})`;
  const where = `the limit of ${limit.text.endsWith('%') ? limit.text : `${limit.text}%`} (${limit.source})`;
  const overPercent = overPercentOf(over, allowedBytes);
  return {
    gate: 'max-growth',
    scope,
    unit: 'percent',
    limit: limit.percent,
    limitText: limit.text,
    source: limit.source,
    actual: growth,
    passed,
    over,
    overPercent: passed ? 0 : overPercent,
    baselineBytes: before,
    currentBytes: after,
    allowedBytes,
    message: passed
      ? `${grew}, within ${where}`
      : `${grew}, over ${where}: ${number.format(over)} byte${over === 1 ? '' : 's'} (${formatSize(over)}) more than the ${formatSize(allowedBytes)} allowed`,
  };
}

/**
 * Check a measurement against budgets: the size and file gates apply to the context and, when the
 * report has one, to the effective context; the growth gate needs the baseline measurement.
 */
export function evaluateGates(
  report: MeasureReport,
  budgets: Budgets,
  baseline?: { report: MeasureReport; label: string } | null,
): GateResult[] {
  const results: GateResult[] = [];
  const scopes: [GateScope, Counts][] = [['context', report.context]];
  const effective = effectiveCounts(report);
  if (effective !== null) scopes.push(['effective', effective]);
  for (const [scope, counts] of scopes) {
    if (budgets.maxSize) results.push(sizeGate(scope, counts.bytes, budgets.maxSize));
    if (budgets.maxFiles) results.push(filesGate(scope, counts.files, budgets.maxFiles));
  }
  if (budgets.maxGrowth && baseline) {
    results.push(growthGate('context', baseline.report.context.bytes, report.context.bytes, budgets.maxGrowth, baseline.label));
    const before = effectiveCounts(baseline.report);
    if (effective !== null && before !== null) {
      results.push(growthGate('effective', before.bytes, effective.bytes, budgets.maxGrowth, baseline.label));
    }
  }
  return results;
}

/** True when every gate passed (and when there is none). */
export function gatesPassed(results: readonly GateResult[]): boolean {
  return results.every((r) => r.passed);
}

/** A measurement with the gates it was checked against and its comparison with a baseline. */
export interface MeasureOutcome {
  report: MeasureReport;
  gates: GateResult[];
  growth: import('./baseline.js').BaselineComparison | null;
}

/** One compose service: its measurement (null when it cannot be measured) and its gates. */
export interface ServiceOutcome {
  service: import('../compose/compose.js').ComposeService;
  report: MeasureReport | null;
  gates: GateResult[];
  growth: import('./baseline.js').BaselineComparison | null;
  /** Why the service was not measured or checked in full (remote context, no build, no baseline entry). */
  note: string | null;
  /** An input error that kept the service from being measured (a missing context or Dockerfile). */
  error: string | null;
}

/** Every service of a Compose project, measured and checked. */
export interface ComposeOutcome {
  project: import('../compose/compose.js').ComposeProject;
  builder: import('../dockerignore/builders.js').Builder;
  services: ServiceOutcome[];
}

/** True when no gate of any service failed. */
export function composePassed(outcome: ComposeOutcome): boolean {
  return outcome.services.every((s) => gatesPassed(s.gates));
}
