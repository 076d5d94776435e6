/**
 * Silencing findings, as linters do: a rule by id (`check --ignore RULE`, the `ignore` list of
 * .ctxsizerc.json, optionally for some paths only), or one line (`# ctxsize-ignore RULE` on the
 * line above a .dockerignore pattern or a Dockerfile instruction). Suppressed findings are kept
 * aside and counted, never lost. Pure.
 */
import { CompiledPattern } from '../dockerignore/pattern.js';
import { RULES } from './rules.js';
import type { Finding, RuleId } from './types.js';

/** One suppression of a rule, everywhere or for some paths. */
export interface RuleSuppression {
  rule: RuleId;
  /** Docker-style globs (`**` allowed) relative to the context root; absent: everywhere. */
  paths?: string[];
  /** Where it was given: `--ignore`, `.ctxsizerc.json`. */
  source: string;
}

/** A finding that was silenced, and by what. */
export interface SuppressedFinding extends Finding {
  suppressedBy: string;
}

/** Is this a rule id of `ctxsize check`? */
export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}

/**
 * The inline suppressions of a file: for each line that a `# ctxsize-ignore RULE[, RULE…]` comment
 * (or a block of comments holding one) stands directly above, the rule ids it names; an empty
 * list names every rule.
 */
export function inlineSuppressions(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const lines = text.split(/\r?\n/);
  let pending: string[] | null = null;
  lines.forEach((line, i) => {
    const comment = /^\s*#(.*)$/.exec(line);
    if (comment !== null) {
      const directive = /^\s*ctxsize-ignore(?:\s+(.*))?$/.exec(comment[1]!);
      if (directive !== null) {
        const rules = (directive[1] ?? '').split(/[\s,]+/).filter(Boolean);
        pending = pending === null ? rules : pending.length === 0 || rules.length === 0 ? [] : [...pending, ...rules];
      }
      return;
    }
    if (pending !== null && line.trim() !== '') {
      out.set(i + 1, pending);
      pending = null;
    } else if (line.trim() === '') {
      pending = null;
    }
  });
  return out;
}

function matchesGlob(glob: string, path: string): boolean {
  try {
    const p = new CompiledPattern(glob.replace(/^\.?\/+/, '').replace(/\/+$/, ''), false, 0, true);
    if (p.matches(path)) return true;
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) if (p.matches(path.slice(0, i))) return true;
  } catch {
    // an invalid glob was refused when the configuration was read
  }
  return false;
}

/** Input of {@link applySuppressions}. */
export interface SuppressionInput {
  rules: readonly RuleSuppression[];
  /** The inline suppressions of a finding's file (by `Finding.file`), or undefined when it has none. */
  inline: (file: string) => Map<number, string[]> | undefined;
  /** A finding's file relative to the context root (null when outside it). */
  relative: (file: string) => string | null;
}

/**
 * Split findings into those kept and those suppressed. A path-limited suppression applies when
 * the finding's file, or every path it lists, lies in one of its globs.
 */
export function applySuppressions(findings: readonly Finding[], input: SuppressionInput): { kept: Finding[]; suppressed: SuppressedFinding[] } {
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const finding of findings) {
    let by: string | null = null;
    if (finding.line > 0) {
      const rules = input.inline(finding.file)?.get(finding.line);
      if (rules !== undefined && (rules.length === 0 || rules.includes(finding.rule))) by = `# ctxsize-ignore at ${finding.file}:${finding.line - 1}`;
    }
    for (const s of input.rules) {
      if (by !== null) break;
      if (s.rule !== finding.rule) continue;
      if (s.paths === undefined) {
        by = s.source;
        break;
      }
      const file = input.relative(finding.file);
      const paths = finding.paths ?? [];
      const inside = (p: string): boolean => s.paths!.some((g) => matchesGlob(g, p));
      if ((file !== null && inside(file)) || (paths.length > 0 && paths.every(inside))) by = s.source;
    }
    if (by === null) kept.push(finding);
    else suppressed.push({ ...finding, suppressedBy: by });
  }
  return { kept, suppressed };
}
