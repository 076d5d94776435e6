import { PatternMatcher } from '../dockerignore/matcher.js';
import { goTrimSpace } from '../dockerignore/go-text.js';
import { CompiledPattern } from '../dockerignore/pattern.js';
import type { IgnoreFile, IgnoreRule, PatternPlatform } from '../dockerignore/read.js';
import { humanSize } from '../report/human.js';
import { severityOf } from './rules.js';
import { baseName, bytesWithin, fromParents, topmost, type TreeIndex } from './tree.js';
import { withPaths, type Finding } from './types.js';

/** What the tree rules need: an ignore file Docker can evaluate, the whole tree, and what is sent. */
export interface RuleLintInput {
  /** Only rules that compile (SyntaxLint.usable). */
  ignore: IgnoreFile;
  platform: PatternPlatform;
  /** The whole directory, excluded entries included. */
  tree: TreeIndex;
  /** Paths the builder reading this file puts in the context. */
  sent: ReadonlySet<string>;
  /** Paths the Dockerfile uses (COPY sources and what they hold): never propose excluding them. */
  usedByBuild?: (path: string) => boolean;
  /**
   * Is this name a known artifact, cache or secret (the shared knowledge table), and does the
   * table expect it at any depth or only at the root? A name known at any depth plainly targets
   * every copy of it; a pattern for a known name that matches nothing is a sensible guard rather
   * than dead weight.
   */
  knownName?: (name: string) => 'any-depth' | 'root' | null;
  /** Lines already reported by the syntax lint (a comment that is a pattern): not reported again as unmatched. */
  quietLines?: ReadonlySet<number>;
}

const NONE = -1;
const GLOB_CHARS = /[*?[]/;

interface RuleView {
  rule: IgnoreRule;
  pattern: CompiledPattern;
  /** The pattern as written after cleaning, `!` included. */
  shown: string;
}

/**
 * Per pattern and entry: 0 when the pattern matches neither the entry nor a parent, 1 when it
 * matches the entry itself, 2 when it matches only a parent (MatchesOrParentMatches).
 */
function matchMatrix(patterns: readonly CompiledPattern[], tree: TreeIndex): Uint8Array[] {
  return patterns.map((p) => fromParents(tree, (i, parent) => (p.matches(tree.entries[i]!.path) ? 1 : parent !== 0 ? 2 : 0)));
}

/** The most frequent value, or NONE. */
function mostFrequent(counts: Map<number, number>): number {
  let best = NONE;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value > best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/**
 * A few paths the pattern matches that need not exist: each wildcard filled in a few ways. They
 * let the redundancy check see beyond the current tree (`node_modules/.cache` is not made
 * redundant by `node_modules` just because no nested `node_modules/.cache` exists yet).
 */
export function probePaths(text: string): string[] {
  const fills: Array<{ star: string; globstar: string; one: string }> = [
    { star: 'x', globstar: '', one: 'x' },
    { star: '', globstar: 'p', one: 'y' },
    { star: 'x.y', globstar: 'p/q', one: 'z' },
    { star: 'ab', globstar: 'r', one: '0' },
  ];
  const out = new Set<string>();
  for (const fill of fills) {
    let path = '';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '*' && text[i + 1] === '*') {
        i++;
        if (text[i + 1] === '/') {
          i++;
          path += fill.globstar === '' ? '' : fill.globstar + '/';
        } else {
          path += fill.globstar === '' ? 'x' : fill.globstar;
        }
      } else if (ch === '*') path += fill.star;
      else if (ch === '?') path += fill.one;
      else if (ch === '[') {
        const end = text.indexOf(']', i + 2);
        if (end === -1) return [...out];
        const body = text.slice(i + 1, end).replace(/^\^/, '');
        path += text[i + 1] === '^' ? '~' : (body.replace(/^\\/, '')[0] ?? 'x');
        i = end;
      } else if (ch === '\\' && i + 1 < text.length) path += text[++i];
      else path += ch;
    }
    if (path !== '' && !path.startsWith('/')) {
      out.add(path);
      out.add(path + '/zz');
    }
  }
  return [...out];
}

/**
 * Check an ignore file's rules against the tree: rules that match nothing, redundant rules,
 * exceptions undone by later rules, patterns written for .gitignore that miss deeper paths, and
 * patterns that differ from real paths only by case. Pure: the tree and the sent set are data.
 */
export function lintIgnoreRules(input: RuleLintInput): Finding[] {
  const { ignore, platform, tree, sent } = input;
  const escapes = platform === 'posix';
  const matcher = new PatternMatcher(ignore, platform);
  const byLine = new Map(ignore.rules.map((r) => [r.line, r]));
  const views: RuleView[] = matcher.patterns.map((pattern) => ({
    rule: byLine.get(pattern.line)!,
    pattern,
    shown: (pattern.exclusion ? '!' : '') + pattern.text,
  }));
  if (views.length === 0) return [];
  const file = ignore.file;
  const usedByBuild = input.usedByBuild ?? (() => false);
  const knownName = input.knownName ?? (() => null);
  const n = tree.entries.length;
  const matrix = matchMatrix(matcher.patterns, tree);

  // The last and second-to-last pattern matching each entry (or a parent): the last decides.
  const last = new Int32Array(n).fill(NONE);
  const previous = new Int32Array(n).fill(NONE);
  for (let e = 0; e < n; e++) {
    for (let k = views.length - 1; k >= 0; k--) {
      if (matrix[k]![e] === 0) continue;
      if (last[e] === NONE) last[e] = k;
      else {
        previous[e] = k;
        break;
      }
    }
  }
  const excludes = (k: number): boolean => k !== NONE && !views[k]!.pattern.exclusion;

  const findings: Finding[] = [];
  const gitignoreStyle = new Set<number>();

  // Patterns written as if for .gitignore: one segment, so Docker anchors it at the root.
  views.forEach((view, k) => {
    const text = view.pattern.text;
    if (view.pattern.exclusion || text.includes('/') || text.startsWith('**')) return;
    // `/node_modules` or `./node_modules` is anchored on purpose (as it would be in .gitignore).
    if (/^(\.?\/)/.test(goTrimSpace(view.rule.source))) return;
    const topLevelMatch = tree.entries.some((e, i) => matrix[k]![i] === 1 && !e.path.includes('/'));
    const plain = GLOB_CHARS.test(text) || knownName(text) === 'any-depth' || !topLevelMatch;
    if (!plain) return;
    const missed: string[] = [];
    const used: string[] = [];
    tree.entries.forEach((entry, i) => {
      // Only paths no rule touches: a path another rule (or an exception) decides is deliberate.
      if (!entry.path.includes('/') || !sent.has(entry.path) || last[i] !== NONE) return;
      if (!view.pattern.matches(baseName(entry.path))) return;
      (usedByBuild(entry.path) ? used : missed).push(entry.path);
    });
    if (missed.length === 0) return;
    const paths = topmost(missed);
    const bytes = bytesWithin(tree, paths, sent);
    gitignoreStyle.add(k);
    const better = '**/' + text;
    findings.push(
      withPaths(
        {
          severity: severityOf('gitignore-style-pattern'),
          rule: 'gitignore-style-pattern',
          file,
          line: view.rule.line,
          message:
            `${JSON.stringify(view.rule.source.trim())} only matches at the top of the context (Docker anchors every pattern at the root, ` +
            `unlike .gitignore): ${paths.length} deeper ${paths.length === 1 ? 'path is' : 'paths are'} still sent` +
            ` (${humanSize(bytes)}), e.g. ${paths[0]}`,
          fix:
            `replace it with ${JSON.stringify(better)}, which matches at any depth, the top level included` +
            (used.length > 0
              ? `, then re-include what the Dockerfile uses: ${topmost(used).slice(0, 3).map((u) => JSON.stringify('!' + u)).join(', ')}`
              : ''),
        },
        paths,
        bytes,
      ),
    );
  });

  const caseMismatch = lintCase(views, matrix, tree, sent, escapes, file);
  findings.push(...caseMismatch);
  const quiet = new Set([...(input.quietLines ?? []), ...caseMismatch.map((f) => f.line)]);

  views.forEach((view, k) => {
    const row = matrix[k]!;
    let matched = 0;
    for (let e = 0; e < n; e++) if (row[e] !== 0) matched++;
    const shown = JSON.stringify(view.shown);

    // Does removing the rule change the verdict for plausible paths (tree or not)? Returns the
    // rule that decides them instead, when the verdicts stay the same.
    const without = new PatternMatcher({ file, rules: ignore.rules.filter((r) => r !== view.rule) }, platform);
    const probeCover = (): { changes: boolean; tested: number; cover: number } => {
      const covers = new Map<number, number>();
      let tested = 0;
      for (const probe of probePaths(view.pattern.text)) {
        if (!view.pattern.matches(probe) && !view.pattern.matches(probe.replace(/\/zz$/, ''))) continue;
        tested++;
        const after = without.decide(probe);
        if (matcher.decide(probe).excluded !== after.excluded) return { changes: true, tested, cover: NONE };
        if (after.pattern !== null) {
          const line = after.pattern.line;
          const index = views.findIndex((v) => v.rule.line === line);
          covers.set(index, (covers.get(index) ?? 0) + 1);
        }
      }
      return { changes: false, tested, cover: mostFrequent(covers) };
    };

    if (matched === 0) {
      if (gitignoreStyle.has(k) || quiet.has(view.rule.line)) return;
      const probe = probeCover();
      if (!probe.changes && probe.tested > 0 && probe.cover !== NONE) {
        const cover = views[probe.cover]!;
        findings.push({
          severity: severityOf('redundant-pattern'),
          rule: 'redundant-pattern',
          file,
          line: view.rule.line,
          message: `${shown} changes nothing: ${JSON.stringify(cover.shown)} at line ${cover.rule.line} already covers every path it would match`,
          fix: 'delete the line',
        });
        return;
      }
      if (view.pattern.exclusion) {
        findings.push({
          severity: severityOf('unmatched-exception'),
          rule: 'unmatched-exception',
          file,
          line: view.rule.line,
          message: `the exception ${shown} matches nothing in the context directory, so it re-includes nothing`,
          fix: 'check the path for a typo (matching is exact and case-sensitive), or delete the line',
        });
      } else if (knownName(view.pattern.text) === null && knownName(view.pattern.text.replace(/^\*\*\//, '')) === null) {
        findings.push({
          severity: severityOf('unmatched-pattern'),
          rule: 'unmatched-pattern',
          file,
          line: view.rule.line,
          message: `${shown} matches nothing in the context directory`,
          fix: 'delete it if nothing by that name will appear, or check it for a typo (matching is case-sensitive)',
        });
      }
      return;
    }

    // Is the rule ever the one that decides, against a different earlier verdict?
    let decisive = false;
    const laterCover = new Map<number, number>();
    const earlierCover = new Map<number, number>();
    let overriddenByLaterExclusion = true;
    for (let e = 0; e < n && !decisive; e++) {
      if (row[e] === 0) continue;
      const l = last[e]!;
      if (l !== k) {
        laterCover.set(l, (laterCover.get(l) ?? 0) + 1);
        if (!excludes(l)) overriddenByLaterExclusion = false;
        continue;
      }
      overriddenByLaterExclusion = false;
      if (excludes(previous[e]!) !== excludes(k)) decisive = true;
      else earlierCover.set(previous[e]!, (earlierCover.get(previous[e]!) ?? 0) + 1);
    }
    if (decisive) return;

    if (view.pattern.exclusion && overriddenByLaterExclusion) {
      const by = views[mostFrequent(laterCover)]!;
      findings.push({
        severity: severityOf('overridden-exception'),
        rule: 'overridden-exception',
        file,
        line: view.rule.line,
        message:
          `the exception ${shown} is undone by ${JSON.stringify(by.shown)} at line ${by.rule.line}: ` +
          `the last matching rule wins, so what it names stays out of the context`,
        fix: `move ${JSON.stringify(view.shown)} below line ${by.rule.line}`,
      });
      return;
    }

    // Not decisive in this tree: redundant only if it is not decisive for plausible paths either.
    if (probeCover().changes) return;
    const later = mostFrequent(laterCover);
    const earlier = mostFrequent(earlierCover);
    const cover = later !== NONE ? views[later] : earlier !== NONE ? views[earlier] : undefined;
    findings.push({
      severity: severityOf('redundant-pattern'),
      rule: 'redundant-pattern',
      file,
      line: view.rule.line,
      message:
        cover !== undefined
          ? `${shown} changes nothing: ${JSON.stringify(cover.shown)} at line ${cover.rule.line} ` +
            `(${later !== NONE ? 'later' : 'earlier'}) already decides every path it matches`
          : `the exception ${shown} changes nothing: no earlier rule excludes what it matches`,
      fix: 'delete the line',
    });
  });

  return findings.sort((a, b) => a.line - b.line);
}

/**
 * Docker matches case-sensitively; a pattern that matches real paths only when case is ignored is
 * most likely meant for them.
 */
function lintCase(
  views: readonly RuleView[],
  matrix: readonly Uint8Array[],
  tree: TreeIndex,
  sent: ReadonlySet<string>,
  escapes: boolean,
  file: string,
): Finding[] {
  const findings: Finding[] = [];
  let lower: string[] | null = null;
  views.forEach((view, k) => {
    const text = view.pattern.text;
    if (/[\\[]/.test(text) || text.toLowerCase() === text.toUpperCase()) return;
    const folded = new CompiledPattern(text.toLowerCase(), view.pattern.exclusion, view.rule.line, escapes);
    if (folded.compileError() !== null) return;
    // An exclusion misses paths that stay sent; an exception misses paths that stay out.
    const missed: string[] = [];
    tree.entries.forEach((entry, i) => {
      if (matrix[k]![i] !== 0 || sent.has(entry.path) === view.pattern.exclusion) return;
      lower ??= tree.entries.map((e) => e.path.toLowerCase());
      if (folded.matches(lower[i]!)) missed.push(entry.path);
    });
    if (missed.length === 0) return;
    const paths = topmost(missed);
    findings.push(
      withPaths(
        {
          severity: severityOf('case-mismatch'),
          rule: 'case-mismatch',
          file,
          line: view.rule.line,
          message:
            `${JSON.stringify(view.shown)} differs only by letter case from ${paths[0]}${paths.length > 1 ? ` and ${paths.length - 1} more` : ''}, ` +
            `which Docker still ${view.pattern.exclusion ? 'keeps out' : 'sends'}: its matching is case-sensitive, whatever the file system does`,
          fix: `write the pattern with the path's exact case (e.g. ${JSON.stringify(paths[0])})`,
        },
        paths,
        bytesWithin(tree, paths, sent),
      ),
    );
  });

  return findings;
}
