/**
 * GitHub Actions: workflow-command annotations for failed gates, and the step summary.
 * The runner reads workflow commands from both stdout and stderr; ctxsize writes them to stderr
 * so that stdout keeps only the report (JSON, Prometheus…).
 */
import { appendFileSync } from 'node:fs';
import { displayPath } from './display-path.js';
import { formatSize, type ComposeOutcome, type GateResult, type MeasureOutcome } from '../gates/gates.js';
import type { BaselineComparison } from '../gates/baseline.js';

/** Escape a workflow command's message: `%`, CR and LF. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escape a workflow command's property value: as data, plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One annotation: `::error file=…,line=…,title=…::message`. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  title: string;
  message: string;
  /** Path relative to the repository (the working directory), and a 1-based line. */
  file?: string;
  line?: number;
}

export function formatAnnotation(a: Annotation): string {
  const props: string[] = [];
  if (a.file !== undefined) props.push(`file=${escapeProperty(a.file)}`);
  if (a.line !== undefined) props.push(`line=${a.line}`);
  props.push(`title=${escapeProperty(a.title)}`);
  return `::${a.level} ${props.join(',')}::${escapeData(a.message)}\n`;
}

/** True when running as a GitHub Actions step. */
export function onGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env['GITHUB_ACTIONS'] === 'true';
}

const GATE_TITLE: Record<GateResult['gate'], string> = {
  'max-size': 'over its size budget',
  'max-files': 'over its file budget',
  'max-growth': 'grew past its budget',
};

function grownPaths(growth: BaselineComparison | null): string {
  if (growth === null || growth.grew.length === 0) return '';
  const lines = growth.grew.slice(0, 5).map((c) => `  ${c.exact ? '+' : '≥ +'}${formatSize(c.delta)}  ${c.path}${c.type === 'dir' ? '/' : ''}`);
  return `\nGrew the most:\n${lines.join('\n')}`;
}

function relative(file: string, cwd: string): string {
  return displayPath(cwd, file);
}

/** Annotations for the failed gates of one measurement. */
export function measureAnnotations(outcome: MeasureOutcome, cwd: string): Annotation[] {
  const where = relative(outcome.report.root, cwd);
  return outcome.gates
    .filter((g) => !g.passed)
    .map((g) => ({
      level: 'error' as const,
      title: `ctxsize: ${g.scope === 'effective' ? 'effective context' : 'build context'} ${where === '.' ? '' : `${where} `}${GATE_TITLE[g.gate]}`,
      message: g.message + (g.gate === 'max-growth' ? grownPaths(outcome.growth) : ''),
    }));
}

/** Annotations for the failed gates of every compose service, pointing at the service in the Compose file. */
export function composeAnnotations(outcome: ComposeOutcome, cwd: string): Annotation[] {
  return outcome.services.flatMap((s) =>
    s.gates
      .filter((g) => !g.passed)
      .map((g) => ({
        level: 'error' as const,
        title: `ctxsize: service ${s.service.name}: ${g.scope === 'effective' ? 'effective context' : 'build context'} ${GATE_TITLE[g.gate]}`,
        message: g.message + (g.gate === 'max-growth' ? grownPaths(s.growth) : ''),
        file: relative(s.service.file, cwd),
        ...(s.service.line !== null ? { line: s.service.line } : {}),
      })),
  );
}

/**
 * Append the Markdown summary to the file GITHUB_STEP_SUMMARY names. Returns an error message
 * when it cannot (the measurement itself stands; the caller warns).
 */
export function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): string | null {
  const file = env['GITHUB_STEP_SUMMARY'];
  if (file === undefined || file === '') return null;
  try {
    appendFileSync(file, markdown.endsWith('\n') ? markdown + '\n' : markdown + '\n\n');
    return null;
  } catch (error) {
    return `cannot append to GITHUB_STEP_SUMMARY ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
}
