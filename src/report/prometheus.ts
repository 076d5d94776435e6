/**
 * Prometheus text exposition format (version 0.0.4), for node_exporter's textfile collector:
 * one `# HELP` and one `# TYPE` line per metric family, its samples grouped under them, label
 * values escaped, no timestamps (the textfile collector rejects them).
 */
import { effectiveCounts, type ComposeOutcome, type GateResult, type MeasureOutcome } from '../gates/gates.js';
import type { MeasureReport } from '../measure/measure.js';

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  samples: { labels: Labels; value: number }[];
}

/** Escape a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escape HELP text: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Metric families in a fixed order; a family is printed only when it has samples. */
class Registry {
  private readonly families = new Map<string, Family>();

  define(name: string, help: string): void {
    this.families.set(name, { name, help, samples: [] });
  }

  add(name: string, labels: Labels, value: number): void {
    const family = this.families.get(name);
    if (!family) throw new Error(`metric ${name} is not defined`);
    family.samples.push({ labels, value });
  }

  render(): string {
    const lines: string[] = [];
    for (const family of this.families.values()) {
      if (family.samples.length === 0) continue;
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
      lines.push(`# TYPE ${family.name} gauge`);
      for (const sample of family.samples) {
        const labels = Object.entries(sample.labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
        lines.push(`${family.name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${formatValue(sample.value)}`);
      }
    }
    return lines.join('\n') + '\n';
  }
}

function defineAll(registry: Registry): void {
  registry.define('ctxsize_context_bytes', 'Bytes of the regular files the builder sends in the build context.');
  registry.define('ctxsize_context_files', 'Regular files the builder sends in the build context.');
  registry.define('ctxsize_context_entries', 'Entries (files, directories, symlinks, others) the builder sends in the build context.');
  registry.define('ctxsize_all_bytes', 'Bytes of the regular files in the whole context directory.');
  registry.define('ctxsize_all_files', 'Regular files in the whole context directory.');
  registry.define('ctxsize_excluded_bytes', 'Bytes of the regular files the ignore file keeps out of the build context.');
  registry.define('ctxsize_excluded_files', 'Regular files the ignore file keeps out of the build context.');
  registry.define('ctxsize_effective_bytes', 'Bytes of the regular files BuildKit transfers for the Dockerfile (the effective context).');
  registry.define('ctxsize_effective_files', 'Regular files BuildKit transfers for the Dockerfile (the effective context).');
  registry.define('ctxsize_warnings', 'Paths that could not be read while measuring.');
  registry.define('ctxsize_baseline_context_bytes', 'Bytes of the build context in the baseline measurement.');
  registry.define('ctxsize_context_growth_ratio', 'Growth of the build context bytes since the baseline (0.1 is 10%).');
  registry.define('ctxsize_gate_limit_bytes', 'The size budget (--max-size) in bytes.');
  registry.define('ctxsize_gate_limit_files', 'The file budget (--max-files).');
  registry.define('ctxsize_gate_limit_growth_ratio', 'The growth budget (--max-growth) as a ratio (0.1 is 10%).');
  registry.define('ctxsize_gate_passed', '1 when the gate passed, 0 when it failed.');
  registry.define('ctxsize_service_measured', '1 when the compose service build context was measured, 0 when it could not be (remote context, no build, error).');
}

function entries(c: MeasureReport['context']): number {
  return c.files + c.dirs + c.symlinks + c.other;
}

function addMeasurement(registry: Registry, labels: Labels, outcome: Pick<MeasureOutcome, 'report' | 'gates' | 'growth'>): void {
  const { report, gates, growth } = outcome;
  registry.add('ctxsize_context_bytes', labels, report.context.bytes);
  registry.add('ctxsize_context_files', labels, report.context.files);
  registry.add('ctxsize_context_entries', labels, entries(report.context));
  registry.add('ctxsize_all_bytes', labels, report.all.bytes);
  registry.add('ctxsize_all_files', labels, report.all.files);
  registry.add('ctxsize_excluded_bytes', labels, report.excluded.bytes);
  registry.add('ctxsize_excluded_files', labels, report.excluded.files);
  const effective = effectiveCounts(report);
  if (effective !== null) {
    registry.add('ctxsize_effective_bytes', labels, effective.bytes);
    registry.add('ctxsize_effective_files', labels, effective.files);
  }
  registry.add('ctxsize_warnings', labels, report.warnings.length);
  if (growth) {
    registry.add('ctxsize_baseline_context_bytes', labels, growth.context.bytesBefore);
    if (growth.context.bytesBefore > 0) registry.add('ctxsize_context_growth_ratio', labels, growth.context.bytesDelta / growth.context.bytesBefore);
  }
  addGates(registry, labels, gates);
}

function addGates(registry: Registry, labels: Labels, gates: GateResult[]): void {
  for (const gate of gates) {
    const gateLabels = { ...labels, gate: gate.gate, scope: gate.scope };
    const scoped = { ...labels, scope: gate.scope };
    if (gate.gate === 'max-size') registry.add('ctxsize_gate_limit_bytes', scoped, gate.limit);
    else if (gate.gate === 'max-files') registry.add('ctxsize_gate_limit_files', scoped, gate.limit);
    else registry.add('ctxsize_gate_limit_growth_ratio', scoped, gate.limit / 100);
    registry.add('ctxsize_gate_passed', gateLabels, gate.passed ? 1 : 0);
  }
}

function baseLabels(report: MeasureReport): Labels {
  return { path: report.root, dockerfile: report.dockerfile ?? '', builder: report.builder };
}

/** The metrics of one measurement. */
export function formatMeasurePrometheus(outcome: MeasureOutcome): string {
  const registry = new Registry();
  defineAll(registry);
  addMeasurement(registry, baseLabels(outcome.report), outcome);
  return registry.render();
}

/** The metrics of every service of a Compose project (a `service` label on each sample). */
export function formatComposePrometheus(outcome: ComposeOutcome): string {
  const registry = new Registry();
  defineAll(registry);
  for (const s of outcome.services) {
    const svc = s.service;
    const labels: Labels = s.report
      ? { service: svc.name, ...baseLabels(s.report) }
      : { service: svc.name, path: svc.context ?? '', dockerfile: svc.dockerfile ?? '', builder: outcome.builder };
    registry.add('ctxsize_service_measured', labels, s.report ? 1 : 0);
    if (s.report) addMeasurement(registry, labels, { report: s.report, gates: s.gates, growth: s.growth });
  }
  return registry.render();
}
