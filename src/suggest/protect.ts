/**
 * What no suggestion may take out of the context: the paths the Dockerfile uses (over the stages
 * reachable from the target) and the paths the knowledge table says must stay (lockfiles,
 * vendored Go modules: entries without `.dockerignore` lines).
 *
 * Two levels of "uses", because a COPY of a directory means two things:
 * - `named`: the entries a source names (`dist`, `package-lock.json`, the matches of `*.json`).
 *   What lies inside a copied directory is shaped by the ignore file, as everything is for
 *   `COPY . .`: known artifacts (a `__pycache__` inside `COPY app/ /app`) may go, because the
 *   table says why they do not belong in an image. Table entries are checked at this level.
 * - `covered`: the named entries and everything below them. Entries whose meaning ctxsize does not
 *   know (`.gitignore` entries, large files) must not touch what a source copies.
 * Exclusion of an ancestor directory excludes what it holds, so checking the entries is enough.
 * Sources that do not exist yet (`COPY dist/` before the build made `dist`) are checked by
 * matching their path itself.
 */
import type { ResolvedContext } from '../context/resolve.js';
import { joinClauses, sourceLabel } from '../report/source-label.js';
import { PatternMatcher } from '../dockerignore/matcher.js';
import type { IgnoreFile } from '../dockerignore/read.js';
import type { ContextSource } from '../dockerfile/index.js';
import type { EffectivePlan } from '../effective/effective.js';
import type { ArtifactRule } from '../knowledge/artifacts.js';
import type { ContextTree, Removal } from './engine.js';
import { parentOf, sourcePattern } from './patterns.js';
import type { SourceRef } from './types.js';

/** Why an entry must stay. */
export type KeepReason =
  | { kind: 'source'; source: SourceRef }
  | { kind: 'table'; rule: ArtifactRule }
  | { kind: 'build-file'; path: string }
  /** The user's own `!` line re-includes it: intent, never undone. */
  | { kind: 'user-exception'; line: number; pattern: string };

/** Which protection a candidate is checked against (see the module comment). */
export type ProtectionLevel = 'named' | 'covered';

/** What a candidate would have removed that must stay. */
export interface Conflict {
  paths: string[];
  reasons: KeepReason[];
}

export function sourceRef(source: ContextSource): SourceRef {
  return { path: source.path, raw: source.raw, line: source.line, instruction: source.instruction };
}

/** The sources that name context paths: not heredocs, not tmpfs mounts, not the whole context. */
export function namingSources(plan: EffectivePlan | null): ContextSource[] {
  if (plan === null || !plan.readsContext) return [];
  return plan.sources.filter((s) => !s.heredoc && s.mount !== 'tmpfs' && s.path !== '.');
}

function compileSource(path: string): PatternMatcher | null {
  try {
    const matcher = new PatternMatcher({ file: 'Dockerfile', rules: [{ pattern: path, line: 0, source: path }] });
    matcher.patterns[0]?.matches('');
    return matcher;
  } catch {
    return null;
  }
}

function selfMatch(matcher: PatternMatcher, path: string): boolean {
  try {
    return matcher.patterns.some((p) => p.matches(path));
  } catch {
    return false;
  }
}

export class Protection {
  /** Reasons per entry index, at the `named` level. */
  private readonly named = new Map<number, KeepReason[]>();
  /** Reasons per entry index, at the `covered` level (a superset of `named`). */
  private readonly covered = new Map<number, KeepReason[]>();
  /** Source paths that no entry of the context matches: checked by matching the path itself. */
  private readonly absent: { path: string; reason: KeepReason }[] = [];
  /** Entries under a directory a source copies, with those sources (for notes). */
  readonly insideSource = new Map<number, SourceRef[]>();

  constructor(
    private readonly context: ResolvedContext,
    private readonly tree: ContextTree,
    plan: EffectivePlan | null,
  ) {
    const sources = namingSources(plan).map((s) => ({ path: s.path, ref: sourceRef(s) }));
    // A path built from build arguments is protected for every value (`.build/*-*/app`).
    for (const s of namingSources(plan)) {
      const general = sourcePattern(s.raw, s.path);
      if (general !== null && general !== s.path) sources.push({ path: general, ref: sourceRef(s) });
    }
    const known = new Set(sources.map((s) => s.path));
    // Symbolic links among the sources are followed by BuildKit: their targets are used too.
    for (const path of plan?.includePaths ?? []) {
      if (!known.has(path) && path !== '.') {
        sources.push({ path, ref: { path, raw: path, line: 0, instruction: 'COPY' } });
        known.add(path);
      }
    }
    for (const { path, ref } of sources) {
      const matcher = compileSource(path);
      const reason: KeepReason = { kind: 'source', source: ref };
      if (matcher === null) continue;
      const covering = new Uint8Array(tree.entries.length);
      let any = false;
      tree.entries.forEach((entry, i) => {
        const parent = tree.parentIndex(i);
        if (selfMatch(matcher, entry.path)) {
          covering[i] = 1;
          any = true;
          this.add(this.named, i, reason);
          this.add(this.covered, i, reason);
        } else if (parent !== -1 && covering[parent] === 1) {
          covering[i] = 1;
          this.add(this.covered, i, reason);
          const inside = this.insideSource.get(i) ?? [];
          if (!inside.includes(ref)) inside.push(ref);
          this.insideSource.set(i, inside);
        }
      });
      if (!any) this.absent.push({ path, reason });
    }
    this.protectUserExceptions(context.ignore);
    for (const path of [context.dockerfileRelative, context.ignorePath ? relativeToRoot(context, context.ignorePath) : null]) {
      if (path === null || path.startsWith('../')) continue;
      const i = tree.index.get(path);
      if (i !== undefined) {
        this.add(this.named, i, { kind: 'build-file', path });
        this.add(this.covered, i, { kind: 'build-file', path });
      }
    }
  }

  /**
   * The user's `!` lines are intent: an entry that such a line names (it matches the entry itself,
   * not a directory above it, and says more than `*`) keeps being sent. A `!` line that matches no
   * entry yet (`!dist/**\/app` for a build output) is checked on a sample path.
   */
  private protectUserExceptions(ignore: IgnoreFile | null): void {
    if (ignore === null || !ignore.rules.some((r) => r.pattern.startsWith('!'))) return;
    let matcher: PatternMatcher;
    try {
      matcher = new PatternMatcher(ignore, this.context.platform);
    } catch {
      return;
    }
    const hit = new Set<number>();
    this.tree.entries.forEach((entry, i) => {
      let d;
      try {
        d = matcher.decide(entry.path);
      } catch {
        return;
      }
      if (d.pattern === null || !d.pattern.exclusion || d.matchedPath !== entry.path) return;
      const last = d.pattern.text.slice(d.pattern.text.lastIndexOf('/') + 1);
      if (/^[*?]*$/.test(last)) return;
      hit.add(d.pattern.line);
      const reason: KeepReason = { kind: 'user-exception', line: d.pattern.line, pattern: '!' + d.pattern.text };
      this.add(this.named, i, reason);
      this.add(this.covered, i, reason);
    });
    for (const rule of ignore.rules) {
      if (!rule.pattern.startsWith('!') || hit.has(rule.line)) continue;
      const sample = samplePath(rule.pattern.slice(1));
      if (sample === null || this.tree.index.has(sample)) continue;
      this.absent.push({ path: sample, reason: { kind: 'user-exception', line: rule.line, pattern: rule.pattern } });
    }
  }

  /** Add the table entries that must stay, by entry index (lockfiles, vendored Go modules), with their content. */
  addKeepers(keepers: ReadonlyMap<number, ArtifactRule>): void {
    this.holders.clear();
    const { entries } = this.tree;
    for (const [i, rule] of keepers) {
      const reason: KeepReason = { kind: 'table', rule };
      const prefix = entries[i]!.path + '/';
      // Walk order puts a directory's content right after it.
      for (let j = i; j < entries.length && (j === i || entries[j]!.path.startsWith(prefix)); j++) {
        this.add(this.named, j, reason);
        this.add(this.covered, j, reason);
      }
    }
  }

  private add(map: Map<number, KeepReason[]>, i: number, reason: KeepReason): void {
    const list = map.get(i);
    if (list) list.push(reason);
    else map.set(i, [reason]);
  }

  /** Whether the entry must stay at this level. */
  isProtected(i: number, level: ProtectionLevel): boolean {
    return (level === 'named' ? this.named : this.covered).has(i);
  }

  /** Per level: every protected path and every directory above one (built on first use). */
  private holders = new Map<ProtectionLevel, Set<string>>();

  /** Whether a path (an entry's, or any below it) must stay: a directory holding a protected entry. */
  holdsProtected(path: string, level: ProtectionLevel): boolean {
    let holders = this.holders.get(level);
    if (holders === undefined) {
      holders = new Set<string>();
      const paths = [
        ...[...(level === 'named' ? this.named : this.covered).keys()].map((i) => this.tree.entries[i]!.path),
        ...this.absent.map((a) => a.path),
      ];
      for (const p of paths) {
        for (let dir = p; dir !== '' && !holders.has(dir); dir = parentOf(dir)) holders.add(dir);
      }
      this.holders.set(level, holders);
    }
    return holders.has(path);
  }

  /**
   * What a candidate's removal (and the ignore file it makes) would take that must stay, or null.
   * `before` is the current ignore file, `after` the file with the candidate's lines.
   */
  conflicts(removal: Removal, level: ProtectionLevel, before: IgnoreFile | null, after: IgnoreFile): Conflict | null {
    const map = level === 'named' ? this.named : this.covered;
    const paths: string[] = [];
    const reasons: KeepReason[] = [];
    for (const [i, why] of map) {
      if (removal.flags[i] !== 1) continue;
      paths.push(this.tree.entries[i]!.path);
      for (const reason of why) if (!reasons.includes(reason)) reasons.push(reason);
    }
    if (this.absent.length > 0) {
      const old = before ? new PatternMatcher(before, this.context.platform) : null;
      const now = new PatternMatcher(after, this.context.platform);
      for (const { path, reason } of this.absent) {
        if (excludes(now, path) && !(old !== null && excludes(old, path))) {
          paths.push(path);
          if (!reasons.includes(reason)) reasons.push(reason);
        }
      }
    }
    return paths.length === 0 ? null : { paths: paths.sort(), reasons };
  }
}

/** A path a pattern matches, for checking a pattern that matches no entry: `**` and `*` become `x`. */
function samplePath(pattern: string): string | null {
  if (pattern.includes('[')) return null;
  const path = pattern
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .map((s) => (s === '**' ? 'x' : s.replace(/\\(.)/g, '$1').replace(/[*?]/g, 'x')))
    .join('/');
  return path === '' || path.startsWith('..') ? null : path;
}

function excludes(matcher: PatternMatcher, path: string): boolean {
  try {
    return matcher.matchesOrParentMatches(path);
  } catch {
    return false;
  }
}

function relativeToRoot(context: ResolvedContext, file: string): string {
  const root = context.root.endsWith('/') ? context.root : context.root + '/';
  return file.startsWith(root) ? file.slice(root.length) : '../';
}

/** One sentence saying why something must stay. */
export function describeReasons(reasons: readonly KeepReason[]): string {
  const parts: string[] = [];
  const sources = reasons.flatMap((r) => (r.kind === 'source' ? [r.source] : []));
  if (sources.length > 0) {
    parts.push(
      'the Dockerfile uses it: ' +
        sources
          .slice(0, 3)
          .map((s) => (s.line === 0 ? `${s.path} (the target of a symbolic link it copies)` : sourceLabel(s)))
          .join(', ') +
        (sources.length > 3 ? `, and ${sources.length - 3} more` : ''),
    );
  }
  for (const r of reasons) {
    if (r.kind === 'table') {
      const text = `${r.rule.id}: ${r.rule.reason}`;
      if (!parts.includes(text)) parts.push(text);
    }
  }
  if (reasons.some((r) => r.kind === 'build-file')) parts.push('it is the Dockerfile or the ignore file itself');
  for (const r of reasons) {
    if (r.kind !== 'user-exception') continue;
    const text = `your ignore file re-includes it (line ${r.line}: ${r.pattern}), and ctxsize does not undo your exceptions`;
    if (!parts.includes(text)) parts.push(text);
  }
  return joinClauses(parts);
}
