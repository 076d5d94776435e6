import { goTrimSpace } from '../dockerignore/go-text.js';
import { compileRule } from '../dockerignore/matcher.js';
import type { IgnoreFile, IgnoreRule, PatternPlatform } from '../dockerignore/read.js';
import { severityOf } from './rules.js';
import type { Finding } from './types.js';

/** The outcome of linting an ignore file's lines on their own, without looking at the tree. */
export interface SyntaxLint {
  findings: Finding[];
  /**
   * The rules Docker can evaluate: the file minus malformed patterns, bare `!` and patterns that
   * fail to compile. The tree rules are checked against these, so that one bad line does not hide
   * every other problem (Docker itself would refuse the build).
   */
  usable: IgnoreFile;
  /** Rules that pass Docker's up-front check but fail when evaluated (the walk may or may not reach them). */
  lateErrors: IgnoreRule[];
}

/** A comment starts after whitespace: a pattern that follows whitespace with `#`. */
const TRAILING_COMMENT = /\s#/u;

/**
 * Lint every line of an ignore file as Docker's reader and `patternmatcher.New` see it: report
 * every malformed pattern (not only the first, where Docker stops), bare `!`, comments that are
 * not comments, and patterns Docker only rejects when it evaluates them. Pure.
 */
export function lintIgnoreSyntax(file: IgnoreFile, platform: PatternPlatform): SyntaxLint {
  const escapes = platform === 'posix';
  const findings: Finding[] = [];
  const usable: IgnoreRule[] = [];
  const lateErrors: IgnoreRule[] = [];
  const at = (rule: IgnoreRule) => ({ file: file.file, line: rule.line });

  for (const rule of file.rules) {
    const shown = JSON.stringify(rule.source.trim());
    const trimmed = goTrimSpace(rule.source);
    if (trimmed.startsWith('#')) {
      findings.push({
        severity: severityOf('misplaced-comment'),
        rule: 'misplaced-comment',
        ...at(rule),
        message: `${shown} is a pattern, not a comment: Docker only treats "#" as a comment in the first column`,
        fix: `remove the whitespace before "#"`,
      });
    } else if (TRAILING_COMMENT.test(trimmed)) {
      const before = goTrimSpace(trimmed.slice(0, trimmed.search(TRAILING_COMMENT)));
      findings.push({
        severity: severityOf('trailing-comment'),
        rule: 'trailing-comment',
        ...at(rule),
        message:
          `${shown} is one pattern, comment included: it matches only a path literally named ` +
          `${JSON.stringify(rule.pattern.replace(/^!/, ''))}, not ${JSON.stringify(before.replace(/^!/, ''))}`,
        fix: `put the comment on its own line starting with "#", and keep ${JSON.stringify(before)} alone on this one`,
      });
    }

    // The same steps as patternmatcher.New, one rule at a time so that every bad line is reported.
    const compiled = compileRule(rule, platform);
    if (compiled.kind === 'skip') continue;
    if (compiled.kind === 'bare-exclamation') {
      findings.push({
        severity: severityOf('bare-exclamation'),
        rule: 'bare-exclamation',
        ...at(rule),
        message: `a line holding only "!" makes Docker refuse the build ("illegal exclusion pattern")`,
        fix: 'delete the line, or write the path to re-include after the "!"',
      });
      continue;
    }
    if (compiled.kind === 'malformed') {
      findings.push({
        severity: severityOf('malformed-pattern'),
        rule: 'malformed-pattern',
        ...at(rule),
        message: `syntax error in pattern ${shown}: Docker refuses the build (${describeMalformation(compiled.text, escapes)})`,
        fix: malformationFix(compiled.text, escapes),
      });
      continue;
    }
    if (compiled.pattern.compileError() !== null) {
      lateErrors.push(rule);
      continue;
    }
    usable.push(rule);
  }
  return { findings, usable: { file: file.file, rules: usable }, lateErrors };
}

/**
 * The finding for a pattern that compiles only lazily. `failedOn` is the path Docker's walk was
 * matching when it hit the pattern (the build fails now), or null when this tree never makes
 * Docker evaluate it (it will fail once a path reaches it).
 */
export function lateErrorFinding(file: string, rule: IgnoreRule, failedOn: string | null): Finding {
  const shown = JSON.stringify(rule.source.trim());
  return {
    severity: severityOf('pattern-compile-error'),
    rule: 'pattern-compile-error',
    file,
    line: rule.line,
    message:
      `${shown} passes Docker's syntax check but is not a valid Go regular expression once translated; ` +
      (failedOn !== null
        ? `Docker fails the build when it evaluates it (here while matching ${JSON.stringify(failedOn)})`
        : 'no path in this tree makes Docker evaluate it yet, but the first one that does fails the build'),
    fix: 'escape or remove the backslash sequence or character class ([[:name:]] must be a POSIX class, \\p needs {Name})',
  };
}

function describeMalformation(text: string, escapes: boolean): string {
  if (escapes && /(^|[^\\])(\\\\)*\\$/.test(text)) return 'a trailing backslash escapes nothing';
  if (text.includes('[') && !/\[[^\]]*\]/.test(text)) return 'an unterminated "["';
  return 'a malformed character class or escape';
}

function malformationFix(text: string, escapes: boolean): string {
  if (escapes && /(^|[^\\])(\\\\)*\\$/.test(text)) return 'remove the trailing backslash (or double it to match a literal one)';
  if (text.includes('[')) return 'close the character class, or escape a literal "[" as "\\["';
  return 'fix the pattern\'s syntax (Go filepath.Match)';
}
