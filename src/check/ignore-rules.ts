import { PatternMatcher } from '../dockerignore/matcher.js';
import { goTrimSpace } from '../dockerignore/go-text.js';
import { CompiledPattern } from '../dockerignore/pattern.js';
import type { IgnoreFile, IgnoreRule, PatternPlatform } from '../dockerignore/read.js';
import type { GitView } from '../context/git-view.js';
import { goFilepathMatch } from '../dockerignore/go-glob.js';
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
  /** Git's view of the context (null or absent: not a repository, or no git). */
  git?: GitView | null;
  /**
   * The context paths the Dockerfiles reading this file name (COPY/ADD sources, bind mounts), with
   * the Dockerfile that names them; `glob` has `*` for every variable (`.build/${OS}/app` becomes `.build/*` + `/app`).
   */
  sources?: readonly { path: string; glob: string; dockerfile: string; line: number }[];
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
  const n = tree.entries.length;
  // Parents come before their entries in walk order, except a directory BuildKit entered although
  // excluded: with one of those, fromParents orders the work.
  let parentsFirst = true;
  for (let i = 0; i < n && parentsFirst; i++) parentsFirst = tree.parent[i]! < i;
  return patterns.map((p) => {
    if (!parentsFirst) return fromParents(tree, (i, parent) => (p.matches(tree.entries[i]!.path) ? 1 : parent !== 0 ? 2 : 0));
    const row = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const parent = tree.parent[i]!;
      row[i] = p.matches(tree.entries[i]!.path) ? 1 : parent !== -1 && row[parent] !== 0 ? 2 : 0;
    }
    return row;
  });
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
  // Sent paths below the top level that no rule touches, with their base names: what a
  // one-segment pattern would reach at depth. Found once for all the patterns.
  let untouched: { index: Int32Array; names: string[] } | null = null;
  const untouchedSent = (): { index: Int32Array; names: string[] } => {
    if (untouched !== null) return untouched;
    const index: number[] = [];
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      if (last[i] !== NONE) continue;
      const path = tree.entries[i]!.path;
      const slash = path.lastIndexOf('/');
      if (slash === -1 || !sent.has(path)) continue;
      index.push(i);
      names.push(path.slice(slash + 1));
    }
    untouched = { index: Int32Array.from(index), names };
    return untouched;
  };

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
    // Only paths no rule touches: a path another rule (or an exception) decides is deliberate.
    const { index, names } = untouchedSent();
    for (let j = 0; j < index.length; j++) {
      if (!view.pattern.matches(names[j]!)) continue;
      const path = tree.entries[index[j]!]!.path;
      (usedByBuild(path) ? used : missed).push(path);
    }
    if (missed.length === 0) return;
    // Evidence that the deeper copies are artifacts, not source the user meant to send: git
    // ignores them, or (without git) the knowledge table knows the name at any depth.
    let paths = topmost(missed);
    let evidence: string;
    if (input.git) {
      const ignored = input.git.ignored(paths);
      paths = paths.filter((p) => ignored.has(p));
      if (paths.length === 0) return;
      evidence = `git ignores ${paths.length === 1 ? 'it' : 'them'} (untracked, so built or installed locally)`;
    } else {
      if (knownName(text) !== 'any-depth') return;
      evidence = `${JSON.stringify(text)} names a dependency or cache folder at any depth (no git repository to confirm)`;
    }
    const bytes = bytesWithin(tree, paths, sent);
    gitignoreStyle.add(k);
    const better = '**/' + text;
    // `**/X` must not exclude tracked source that the build may read: only propose it when
    // every path it would newly exclude is untracked.
    const widened = new CompiledPattern(better, false, view.rule.line, escapes);
    const trackedHit = input.git
      ? tree.entries.find((e, i) => matrix[k]![i] === 0 && sent.has(e.path) && input.git!.holdsTracked(e.path) && widened.matches(e.path))
      : undefined;
    const reinclude =
      used.length > 0 ? `, then re-include what the Dockerfile uses: ${topmost(used).slice(0, 3).map((u) => JSON.stringify('!' + u)).join(', ')}` : '';
    const fix =
      trackedHit === undefined
        ? `replace it with ${JSON.stringify(better)}, which matches at any depth, the top level included${reinclude}`
        : `review: add the ignored ${paths.length === 1 ? 'copy' : 'copies'} by path (${paths.slice(0, 3).map((p) => JSON.stringify(p)).join(', ')}${paths.length > 3 ? ', …' : ''}); ` +
          `${JSON.stringify(better)} would also exclude ${JSON.stringify(trackedHit.path)}, which git tracks (source the build may read)`;
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
          fix,
          evidence,
        },
        paths,
        bytes,
      ),
    );
  });

  const caseMismatch = lintCase(views, matrix, tree, sent, escapes, file);
  findings.push(...caseMismatch);
  const quiet = new Set([...(input.quietLines ?? []), ...caseMismatch.map((f) => f.line)]);

  const matchedCount = views.map((_, k) => {
    let count = 0;
    for (let e = 0; e < n; e++) if (matrix[k]![e] !== 0) count++;
    return count;
  });

  // Exceptions undone by a later exclusion: every path they match is decided by a later exclusion.
  const overridden = new Map<number, number>();
  views.forEach((view, k) => {
    if (!view.pattern.exclusion || matchedCount[k] === 0) return;
    const laterCover = new Map<number, number>();
    for (let e = 0; e < n; e++) {
      if (matrix[k]![e] === 0) continue;
      const l = last[e]!;
      if (l === k || !excludes(l)) return;
      laterCover.set(l, (laterCover.get(l) ?? 0) + 1);
    }
    const by = mostFrequent(laterCover);
    overridden.set(k, by);
    findings.push({
      severity: severityOf('overridden-exception'),
      rule: 'overridden-exception',
      file,
      line: view.rule.line,
      message:
        `the exception ${JSON.stringify(view.shown)} is undone by ${JSON.stringify(views[by]!.shown)} at line ${views[by]!.rule.line}: ` +
        `the last matching rule wins, so what it names stays out of the context`,
      fix: `move ${JSON.stringify(view.shown)} below line ${views[by]!.rule.line}`,
      evidence: `each of the ${matchedCount[k]} paths it matches is matched again by line ${views[by]!.rule.line} or another later exclusion`,
    });
  });

  const redundant = findRedundant(views, ignore, platform, tree, matrix, new Set(overridden.keys()), last);
  for (const r of redundant) findings.push(r);
  const redundantLines = new Set(redundant.map((f) => f.line));

  views.forEach((view, k) => {
    if (matchedCount[k] !== 0 || redundantLines.has(view.rule.line) || gitignoreStyle.has(k) || quiet.has(view.rule.line)) return;
    const shown = JSON.stringify(view.shown);
    if (view.pattern.exclusion) {
      const basis = exceptionBasis(view, input);
      findings.push(
        basis === null
          ? {
              severity: severityOf('unmatched-exception'),
              rule: 'unmatched-exception',
              file,
              line: view.rule.line,
              message: `the exception ${shown} matches nothing in the context directory, so it re-includes nothing`,
              fix: 'check the path for a typo (matching is exact and case-sensitive), or delete the line',
              evidence: input.git
                ? 'no path in the directory matches it, no Dockerfile source names it, and git does not ignore what it names (it is not a build output)'
                : 'no path in the directory matches it and no Dockerfile source names it (no git repository to tell a build output)',
            }
          : {
              severity: 'info',
              rule: 'unmatched-exception',
              file,
              line: view.rule.line,
              message: `the exception ${shown} matches nothing yet: ${basis.why}; it lets that output through once it exists`,
              fix: 'keep it while the build makes that output; delete it only if nothing produces it any more',
              evidence: basis.evidence,
            },
      );
    } else if (
      knownName(view.pattern.text) === null &&
      knownName(view.pattern.text.replace(/^\*\*\//, '')) === null &&
      // A guard for what git ignores (a build output, a local file) is sensible, not dead weight.
      gitIgnored(view, input).length === 0
    ) {
      findings.push({
        severity: severityOf('unmatched-pattern'),
        rule: 'unmatched-pattern',
        file,
        line: view.rule.line,
        message: `${shown} matches nothing in the context directory`,
        fix: 'delete it if nothing by that name will appear, or check it for a typo (matching is case-sensitive)',
        evidence: `none of the ${n} paths in the directory matches it` + (input.git ? ', and git does not ignore what it names (no sign of a build output)' : ''),
      });
    }
  });

  return findings.sort((a, b) => a.line - b.line);
}

/** Why an exception that matches nothing is still meant: a Dockerfile reads what it names, or git ignores it. */
function exceptionBasis(view: RuleView, input: RuleLintInput): { why: string; evidence: string } | null {
  const probes = probePaths(view.pattern.text);
  const bare = probes.filter((p) => !p.endsWith('/zz'));
  for (const source of input.sources ?? []) {
    const globSegments = source.glob.split('/');
    const named =
      matchesOrParent(view.pattern, source.path) ||
      bare.some((probe) => {
        const probeSegments = probe.split('/');
        // The source (or a directory above it) matches the probe, or the probe lies above the source.
        for (let i = 1; i <= globSegments.length; i++) {
          const prefix = globSegments.slice(0, i).join('/');
          if (i === probeSegments.length && safeGlob(prefix, probe)) return true;
        }
        return false;
      });
    if (named) {
      return {
        why: `${source.dockerfile}:${source.line} copies ${JSON.stringify(source.glob)}, which it names`,
        evidence: `the source ${JSON.stringify(source.glob)} at ${source.dockerfile}:${source.line}`,
      };
    }
  }
  if (input.git) {
    const ignored = gitIgnored(view, input);
    if (ignored.length > 0) {
      return {
        why: `git ignores what it names (e.g. ${ignored[0]}), a build output made before docker build`,
        evidence: `git check-ignore: ${JSON.stringify(ignored[0])} is ignored by git, so a fresh clone does not have it`,
      };
    }
  }
  return null;
}

/**
 * Paths the rule names that git ignores. A rule that starts with a double star is also tried below
 * each directory that holds a .gitignore (a nested `src-tauri/.gitignore` may ignore `/target`).
 */
function gitIgnored(view: RuleView, input: RuleLintInput): string[] {
  if (!input.git) return [];
  const probes = probePaths(view.pattern.text);
  if (view.pattern.text.startsWith('**/')) {
    const tail = probePaths(view.pattern.text.slice(3));
    for (const e of input.tree.entries) {
      if (e.type !== 'file' || !e.path.endsWith('/.gitignore')) continue;
      const dir = e.path.slice(0, -'/.gitignore'.length);
      for (const t of tail) probes.push(dir + '/' + t);
    }
  }
  return [...input.git.ignored(probes)];
}

function safeGlob(pattern: string, name: string): boolean {
  try {
    return goFilepathMatch(pattern, name);
  } catch {
    return false;
  }
}

function matchesOrParent(pattern: CompiledPattern, path: string): boolean {
  try {
    if (pattern.matches(path)) return true;
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) if (pattern.matches(path.slice(0, i))) return true;
  } catch {
    // a pattern Docker would refuse: it decides nothing
  }
  return false;
}

/**
 * Redundant lines, proven one line at a time: removing the line changes the verdict of no path in
 * the tree, of no path another rule names, and of no path below a re-included directory. Lines
 * are tried from the last to the first, and a line found redundant is left out when the next ones
 * are tried, so two lines are never each other's reason and deleting every reported line at once
 * is as safe as deleting one. The named cover is the rule that decides those paths without it.
 */
/** The longest ignore file (in patterns) that redundant-pattern analyses. */
export const MAX_REDUNDANCY_PATTERNS = 2000;

function findRedundant(
  views: readonly RuleView[],
  ignore: IgnoreFile,
  platform: PatternPlatform,
  tree: TreeIndex,
  matrix: readonly Uint8Array[],
  keep: ReadonlySet<number>,
  last: Int32Array,
): Finding[] {
  const m = views.length;
  // Proving a line redundant tries the file with and without it: quadratic in the number of
  // lines. Past this many, the rule is not analysed (a generated ignore file; nothing hangs).
  if (m > MAX_REDUNDANCY_PATTERNS) return [];
  const n = tree.entries.length;
  const active = new Array<boolean>(m).fill(true);
  const excl = (k: number): boolean => !views[k]!.pattern.exclusion;

  // Directories below which a rule written for any depth may decide alone: those an exception
  // names, and those of the tree an exception decides.
  const reincluded = new Set<string>();
  const named = new Set<string>();
  for (const v of views) {
    for (const p of probePaths(v.pattern.text)) {
      named.add(p);
      if (v.pattern.exclusion) reincluded.add(p.replace(/\/zz$/, ''));
    }
  }
  tree.entries.forEach((e, i) => {
    if (e.type === 'dir' && last[i] !== NONE && views[last[i]!]!.pattern.exclusion) reincluded.add(e.path);
  });

  // Which views come from each rule, found once (searching the views per line was cubic in the file's length).
  const viewsOfRule = new Map<IgnoreFile['rules'][number], number[]>();
  views.forEach((v, j) => {
    const list = viewsOfRule.get(v.rule);
    if (list === undefined) viewsOfRule.set(v.rule, [j]);
    else list.push(j);
  });

  const out: Finding[] = [];
  for (let k = m - 1; k >= 0; k--) {
    if (keep.has(k)) continue;
    const view = views[k]!;
    const covers = new Map<number, 'earlier' | 'later'>();
    let none = 0;
    let tested = 0;
    let changes = false;
    // The tree, from the match matrix.
    for (let e = 0; e < n && !changes; e++) {
      if (matrix[k]![e] === 0) continue;
      tested++;
      let later = NONE;
      for (let j = m - 1; j > k; j--) if (active[j] && matrix[j]![e] !== 0) { later = j; break; }
      if (later !== NONE) {
        covers.set(later, 'later');
        continue;
      }
      let earlier = NONE;
      for (let j = k - 1; j >= 0; j--) if (active[j] && matrix[j]![e] !== 0) { earlier = j; break; }
      const without = earlier !== NONE && excl(earlier);
      if (without !== excl(k)) changes = true;
      else if (earlier === NONE) none++;
      else covers.set(earlier, covers.get(earlier) ?? 'earlier');
    }
    if (changes) continue;
    // Paths that may appear: what the rules name, and this rule's paths below re-included directories.
    const candidates = new Set<string>();
    const own = probePaths(view.pattern.text);
    for (const p of named) candidates.add(p);
    for (const dir of reincluded) for (const p of own) candidates.add(dir + '/' + p);
    const rulesWith = ignore.rules.filter((r) => {
      const js = viewsOfRule.get(r);
      return js === undefined || js.some((j) => active[j]);
    });
    const withM = new PatternMatcher({ file: ignore.file, rules: rulesWith }, platform);
    const withoutM = new PatternMatcher({ file: ignore.file, rules: rulesWith.filter((r) => r !== view.rule) }, platform);
    for (const c of candidates) {
      if (tree.byPath.has(c) || !matchesOrParent(view.pattern, c)) continue;
      tested++;
      let a, b;
      try {
        a = withM.decide(c);
        b = withoutM.decide(c);
      } catch {
        changes = true;
        break;
      }
      if (a.excluded !== b.excluded) {
        changes = true;
        break;
      }
      const decider = a.pattern !== null && a.pattern.line !== view.rule.line ? a.pattern : b.pattern;
      if (decider === null) none++;
      else {
        const j = views.findIndex((v) => v.rule.line === decider.line);
        if (j !== NONE) covers.set(j, j > k ? 'later' : (covers.get(j) ?? 'earlier'));
      }
    }
    if (changes || tested === 0) continue;
    // An exception that matches nothing and that no rule needs is better reported as unmatched (a typo?).
    if (covers.size === 0 && !matrix[k]!.some((v) => v !== 0)) continue;
    active[k] = false;
    const shown = JSON.stringify(view.shown);
    const coverList = [...covers.keys()].sort((a, b) => a - b);
    const named_ = coverList.map((j) => `${JSON.stringify(views[j]!.shown)} at line ${views[j]!.rule.line} (${covers.get(j)})`);
    let message: string;
    if (coverList.length === 0) message = `the exception ${shown} changes nothing: no earlier rule excludes what it matches`;
    else {
      message =
        `${shown} changes nothing: ${named_.length === 1 ? named_[0] : named_.slice(0, -1).join(', ') + ' and ' + named_[named_.length - 1]} already ` +
        `${named_.length === 1 ? 'decides' : 'decide'} every path it matches` +
        (none > 0 ? ', and no earlier rule excludes the others' : '');
    }
    out.push({
      severity: severityOf('redundant-pattern'),
      rule: 'redundant-pattern',
      file: ignore.file,
      line: view.rule.line,
      message,
      fix: 'delete the line',
      evidence:
        `without line ${view.rule.line} the verdict of each of the ${tested} paths it matches stays the same ` +
        `(paths in the tree, paths the rules name, and paths below re-included directories), with the other lines reported here deleted too`,
    });
  }
  return out;
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
  // Per entry, once: is it sent, and does its path hold a capital letter (then its lower case is kept).
  let lowered: Map<number, string> | null = null;
  let sentFlags: Uint8Array | null = null;
  let folds: Uint8Array | null = null;
  views.forEach((view, k) => {
    const text = view.pattern.text;
    if (/[\\[]/.test(text) || text.toLowerCase() === text.toUpperCase()) return;
    const folded = new CompiledPattern(text.toLowerCase(), view.pattern.exclusion, view.rule.line, escapes);
    if (folded.compileError() !== null) return;
    // A pattern written in lower case folds to itself: on a path without capitals the folded
    // pattern answers what the pattern answered (matrix), so only paths with capitals can be missed.
    const lowerText = text.toLowerCase() === text;
    if (lowered === null || folds === null) {
      const map = new Map<number, string>();
      const flags = new Uint8Array(tree.entries.length);
      for (let i = 0; i < flags.length; i++) {
        const p = tree.entries[i]!.path;
        const l = p.toLowerCase();
        if (l === p) continue;
        flags[i] = 1;
        map.set(i, l);
      }
      folds = flags;
      lowered = map;
    }
    const lower = lowered;
    const lowerOf = (i: number): string => (folds![i] === 0 ? tree.entries[i]!.path : lower.get(i)!);
    if (sentFlags === null) {
      sentFlags = new Uint8Array(tree.entries.length);
      for (const p of sent) {
        const i = tree.byPath.get(p);
        if (i !== undefined) sentFlags[i] = 1;
      }
    }
    const row = matrix[k]!;
    const keptSent = view.pattern.exclusion ? 1 : 0;
    // An exclusion misses paths that stay sent; an exception misses paths that stay out.
    const missed: string[] = [];
    for (let i = 0; i < row.length; i++) {
      if (row[i] !== 0 || sentFlags[i] === keptSent || (lowerText && folds[i] === 0)) continue;
      if (folded.matches(lowerOf(i))) missed.push(tree.entries[i]!.path);
    }
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
