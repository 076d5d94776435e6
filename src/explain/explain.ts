import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createFilter } from '../context/filter.js';
import { InputError, resolveContext, type ContextOptions } from '../context/resolve.js';
import { BuildahMatcher, BuildahPatternError } from '../dockerignore/buildah.js';
import { PatternMatcher, parentPaths } from '../dockerignore/matcher.js';
import { PatternCompileError } from '../dockerignore/pattern.js';
import type { Builder, BuilderFilter } from '../dockerignore/builders.js';
import type { EntryType } from '../walk/entry.js';
import { compareGoStrings } from '../walk/go-order.js';

/** The pattern that decided a path. */
export interface DecidingRule {
  file: string;
  /** 1-based line, or 0 for a rule Docker adds itself. */
  line: number;
  /** The pattern as written in the file (cleaned, `!` kept). */
  pattern: string;
  /** The path the pattern matched: the path itself or one of its parent directories. */
  matched: string;
}

export interface BuilderExplanation {
  builder: Builder;
  ignoreFile: string | null;
  inContext: boolean;
  /** The last pattern that matched the path or a parent, or null when none did. */
  decidedBy: DecidingRule | null;
  /** One sentence saying why. */
  reason: string;
}

export interface Explanation {
  schemaVersion: 1;
  path: string;
  /**
   * How PATH was read, as `-f` is: relative to the current directory when it exists there (inside
   * the context), else relative to the context directory.
   */
  resolvedFrom: 'cwd' | 'dir';
  exists: boolean;
  /** When a parent directory of PATH is a symbolic link: that parent. PATH is then not in the context. */
  behindLink?: string;
  type: EntryType | null;
  builders: BuilderExplanation[];
}

export interface ExplainOptions extends Omit<ContextOptions, 'builder'> {
  /** Which builders to explain (default both). */
  builders?: Builder[];
}

/** The first parent directory of `relative` (inside `root`) that is a symbolic link, or null. */
function symlinkedParent(root: string, relative: string): string | null {
  const parts = relative.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    try {
      if (lstatSync(path.join(root, dir)).isSymbolicLink()) return dir;
    } catch {
      return null; // does not exist: the path does not either, said below
    }
  }
  return null;
}

function entryType(abs: string): EntryType | null {
  try {
    const st = lstatSync(abs);
    if (st.isFile()) return 'file';
    if (st.isDirectory()) return 'dir';
    if (st.isSymbolicLink()) return 'symlink';
    return 'other';
  } catch {
    return null;
  }
}

/** Does a directory that BuildKit enters although excluded hold an entry that is sent? */
function firstSentBelow(filter: BuilderFilter<unknown>, root: string, dir: string, state: unknown): string | null {
  let names: string[];
  try {
    names = readdirSync(path.join(root, dir)).sort(compareGoStrings);
  } catch {
    return null;
  }
  for (const name of names) {
    const child = dir + '/' + name;
    const isDir = entryType(path.join(root, child)) === 'dir';
    const verdict = filter.visit(child, isDir, state);
    if (verdict.included) return child;
    if (isDir && verdict.descend) {
      const found = firstSentBelow(filter, root, child, verdict.state);
      if (found !== null) return found;
    }
  }
  return null;
}

function describeRule(rule: DecidingRule): string {
  const where = rule.line > 0 ? `${rule.file}:${rule.line}` : `${rule.file} (added by docker build)`;
  const via = rule.matched === '' ? '' : ` (matching ${JSON.stringify(rule.matched)})`;
  return `${JSON.stringify(rule.pattern)} at ${where}${via}`;
}

/**
 * Explain whether a path is in the context under each builder, and which pattern decided it.
 * The path is relative to the context directory (or absolute inside it).
 */
export function explainPath(target: string, options: ExplainOptions = {}): Explanation {
  const builders = options.builders ?? ['buildkit', 'classic'];
  const results: BuilderExplanation[] = [];
  let relative = '';
  let resolvedFrom: 'cwd' | 'dir' = 'dir';
  let type: EntryType | null = null;
  let linkAt: string | null = null;
  for (const builder of builders) {
    const context = resolveContext({ ...options, builder });
    if (relative === '') {
      const fromCwd = path.resolve(options.cwd ?? process.cwd(), target);
      const inside = path.relative(context.root, fromCwd);
      const cwdWorks = entryType(fromCwd) !== null && inside !== '' && !inside.startsWith('..') && !path.isAbsolute(inside);
      resolvedFrom = path.isAbsolute(target) || cwdWorks ? 'cwd' : 'dir';
      const abs = resolvedFrom === 'cwd' ? fromCwd : path.resolve(context.root, target);
      relative = path.relative(context.root, abs).split(path.sep).join('/');
      if (relative === '' || relative.startsWith('../') || relative === '..') {
        throw new InputError(`${target}: not inside the context directory ${context.root}`);
      }
      linkAt = symlinkedParent(context.root, relative);
      // Through a linked directory the path is not in the context: builders send the link itself.
      type = linkAt === null ? entryType(path.join(context.root, relative)) : null;
    }
    if (linkAt !== null) {
      const who = builder === 'buildah' ? 'Buildah' : `the ${builder} builder`;
      results.push({
        builder,
        ignoreFile: context.ignore?.file ?? null,
        inContext: false,
        decidedBy: null,
        reason: `not in the context: ${JSON.stringify(linkAt)} is a symbolic link, which ${who} sends as a link without following it`,
      });
      continue;
    }
    const ignoreFile = context.ignore?.file ?? null;
    const filter = createFilter(context);
    const matcher = context.ignore === null ? null : builder === 'buildah' ? new BuildahMatcher(context.ignore) : new PatternMatcher(context.ignore, context.platform);

    let decidedBy: DecidingRule | null = null;
    let lateError: PatternCompileError | BuildahPatternError | null = null;
    if (matcher !== null) {
      try {
        const decision = matcher.decide(relative);
        if (decision.pattern !== null) {
          decidedBy = {
            file: matcher.file,
            line: decision.pattern.line,
            pattern: (decision.pattern.exclusion ? '!' : '') + decision.pattern.text,
            // Buildah's patterns cover what lies below what they match: the path itself counts.
            matched: ('matchedPath' in decision ? decision.matchedPath : null) ?? relative,
          };
        }
      } catch (error) {
        if (!(error instanceof PatternCompileError) && !(error instanceof BuildahPatternError)) throw error;
        lateError = error;
      }
    }
    const engine = builder === 'buildah' ? 'Buildah' : 'Docker';

    let inContext = false;
    let reason: string;
    let state = filter.rootState;
    let blockedAt: string | null = null;
    for (const dir of parentPaths(relative)) {
      const verdict = filter.visit(dir, true, state);
      if (!verdict.descend) {
        blockedAt = dir;
        break;
      }
      state = verdict.state;
    }
    if (filter.failure !== null || lateError !== null) {
      const failed = filter.failure?.pattern ?? lateError!.pattern;
      reason = `${engine} fails the build: the pattern ${JSON.stringify(failed.text)} at ${context.ignore?.file}:${failed.line} does not compile`;
    } else if (blockedAt !== null) {
      reason =
        decidedBy?.pattern.startsWith('!') === true
          ? `re-included by ${describeRule(decidedBy)}, but ${builder === 'buildah' ? 'Buildah' : `the ${builder} builder`} never enters the excluded directory ${JSON.stringify(blockedAt)}`
          : `its parent directory ${JSON.stringify(blockedAt)} is excluded${decidedBy ? ` by ${describeRule(decidedBy)}` : ''}`;
    } else {
      const verdict = filter.visit(relative, type === 'dir', state);
      const failure = filter.failure as Error | null;
      if (failure !== null) {
        reason = `${engine} fails the build: ${failure.message}`;
      } else if (verdict.included && !(builder !== 'buildkit' && type === 'other' && isSocket(context.root, relative))) {
        inContext = true;
        if (decidedBy === null) reason = 'no pattern matches it';
        else if (decidedBy.pattern.startsWith('!')) reason = `re-included by ${describeRule(decidedBy)}`;
        else reason = `the classic builder always sends its Dockerfile and .dockerignore, although ${describeRule(decidedBy)} excludes it`;
      } else if (verdict.included) {
        reason = `the ${builder === 'buildah' ? 'Buildah copier' : 'classic builder'} never sends sockets`;
      } else {
        const sentChild =
          builder !== 'classic' && type === 'dir' && verdict.descend
            ? firstSentBelow(filter, context.root, relative, verdict.state)
            : null;
        if (sentChild !== null) {
          inContext = true;
          reason = `excluded by ${decidedBy ? describeRule(decidedBy) : 'a pattern'}, but sent because it holds the included ${JSON.stringify(sentChild)}`;
        } else {
          reason = `excluded by ${decidedBy ? describeRule(decidedBy) : 'a pattern'}`;
        }
      }
    }
    if (type === null) reason = `does not exist; if it did: ${inContext ? 'sent' : 'not sent'}, ${reason}`;
    results.push({ builder, ignoreFile, inContext: type !== null && inContext, decidedBy, reason });
  }
  return { schemaVersion: 1, path: relative, resolvedFrom, exists: type !== null, type, ...(linkAt !== null ? { behindLink: linkAt } : {}), builders: results };
}

function isSocket(root: string, relative: string): boolean {
  try {
    return lstatSync(path.join(root, relative)).isSocket();
  } catch {
    return false;
  }
}
