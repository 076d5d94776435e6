import type { PatternMatcher } from '../dockerignore/matcher.js';
import type { IgnoreFile } from '../dockerignore/read.js';
import { humanSize } from '../report/human.js';
import { severityOf } from './rules.js';
import { topmost, type TreeIndex } from './tree.js';
import { withPaths, type Finding } from './types.js';

/** The two contexts to compare, as data. */
export interface BuilderComparison {
  tree: TreeIndex;
  /** Paths BuildKit sends (the whole filtered context, not the effective one). */
  buildkit: ReadonlySet<string>;
  /** Paths the classic builder sends. */
  classic: ReadonlySet<string>;
}

interface PathDifference {
  path: string;
  size: number;
  /** true: BuildKit sends it and the classic builder does not. */
  buildkitOnly: boolean;
}

/** Non-directory entries that one builder sends and the other does not (sockets aside: classic never sends them). */
function differences(input: BuilderComparison, skip: ReadonlySet<string>): PathDifference[] {
  // Only a path one builder sends can differ: look at the two sets, not at the whole tree, and
  // keep the tree's order.
  const { tree, buildkit, classic } = input;
  const indexes: number[] = [];
  for (const [one, other] of [[buildkit, classic], [classic, buildkit]] as const) {
    for (const p of one) {
      if (other.has(p)) continue;
      const i = tree.byPath.get(p);
      if (i !== undefined) indexes.push(i);
    }
  }
  indexes.sort((a, b) => a - b);
  const out: PathDifference[] = [];
  for (const i of indexes) {
    const entry = tree.entries[i]!;
    if (entry.type === 'dir' || entry.socket || skip.has(entry.path)) continue;
    out.push({ path: entry.path, size: entry.size, buildkitOnly: buildkit.has(entry.path) });
  }
  return out;
}

/**
 * For a path only BuildKit sends: the topmost directory above it from which the classic builder
 * sends nothing at all (it never got there), or null.
 */
function classicBlockedAt(classic: ReadonlySet<string>): (path: string) => string | null {
  const reached = new Set<string>();
  for (const p of classic) {
    for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) reached.add(p.slice(0, i));
  }
  return (path) => {
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
      const dir = path.slice(0, i);
      if (!reached.has(dir) && !classic.has(dir)) return dir;
    }
    return null;
  };
}

/**
 * Both builders read the same ignore file: which of its rules send different paths under BuildKit
 * and the classic builder? Each differing path is charged to the rule that decides it. Pure.
 */
export function compareBuilders(
  input: BuilderComparison & {
    matcher: PatternMatcher;
    /** The Dockerfile relative to the root, or null. */
    dockerfile: string | null;
  },
): Finding[] {
  const file = input.matcher.file;
  const blockedAt = classicBlockedAt(input.classic);
  const buildFiles = new Set(['.dockerignore', ...(input.dockerfile !== null ? [input.dockerfile] : [])]);
  const groups = new Map<number, PathDifference[]>();
  for (const diff of differences(input, buildFiles)) {
    const line = input.matcher.decide(diff.path).pattern?.line ?? 0;
    const list = groups.get(line) ?? [];
    list.push(diff);
    groups.set(line, list);
  }
  const findings: Finding[] = [];
  for (const [line, diffs] of [...groups].sort((a, b) => a[0] - b[0])) {
    const pattern = input.matcher.patterns.find((p) => p.line === line);
    const shown = pattern ? JSON.stringify((pattern.exclusion ? '!' : '') + pattern.text) : 'no rule';
    const bkOnly = diffs.filter((d) => d.buildkitOnly);
    const clOnly = diffs.filter((d) => !d.buildkitOnly);
    const bytes = diffs.reduce((sum, d) => sum + d.size, 0);
    const blocked = topmost(bkOnly.map((d) => blockedAt(d.path)).filter((d): d is string => d !== null));
    const parts: string[] = [];
    if (bkOnly.length > 0) {
      parts.push(
        `${bkOnly.length} ${bkOnly.length === 1 ? 'path' : 'paths'} that only BuildKit sends` +
          (blocked.length > 0
            ? ` (the classic builder enters an excluded directory only when an exception names it literally, and sends nothing from ${blocked
                .slice(0, 3)
                .join(', ')}${blocked.length > 3 ? ', …' : ''})`
            : ''),
      );
    }
    if (clOnly.length > 0) parts.push(`${clOnly.length} ${clOnly.length === 1 ? 'path' : 'paths'} that only the classic builder sends`);
    findings.push(
      withPaths(
        {
          severity: severityOf('builder-difference'),
          rule: 'builder-difference',
          file,
          line,
          message: `${shown} gives different contexts under the two builders: ${parts.join('; ')} (${humanSize(bytes)})`,
          fix:
            blocked.length > 0
              ? `add exceptions that name each directory literally (e.g. ${JSON.stringify('!' + blocked[0] + '/…')}) ` +
                'or drop the wildcard from the directory part, so both builders reach the same files; or build with BuildKit only'
              : 'rewrite the rule without wildcards in directory names, or build with BuildKit only',
        },
        diffs.map((d) => d.path),
        bytes,
      ),
    );
  }
  return findings;
}

/**
 * The ignore file excludes the Dockerfile or `.dockerignore`: BuildKit leaves them out, the
 * classic builder's CLI re-includes them (and the daemon drops them after reading). Pure.
 */
export function classicBuildFiles(matcher: PatternMatcher, dockerfile: string | null, present: (path: string) => boolean): Finding[] {
  const byLine = new Map<number, { shown: string; names: string[] }>();
  const names = ['.dockerignore', ...(dockerfile !== null && !dockerfile.startsWith('../') ? [dockerfile] : [])];
  for (const name of names) {
    if (!present(name)) continue;
    const decision = matcher.decide(name);
    if (!decision.excluded || decision.pattern === null) continue;
    const group = byLine.get(decision.pattern.line) ?? { shown: JSON.stringify(decision.pattern.text), names: [] };
    group.names.push(name);
    byLine.set(decision.pattern.line, group);
  }
  return [...byLine].map(([line, { shown, names: excluded }]) => ({
    severity: severityOf('classic-sends-build-files'),
    rule: 'classic-sends-build-files',
    file: matcher.file,
    line,
    message:
      `${shown} excludes ${excluded.join(' and ')}: BuildKit leaves ${excluded.length === 1 ? 'it' : 'them'} out of the context, ` +
      'but the classic builder always uploads the Dockerfile and .dockerignore (its daemon drops them again after reading them)',
    fix: 'nothing breaks; keep the line to keep them out under BuildKit, and expect the classic builder to upload them anyway',
    paths: excluded,
  }));
}

function sameRules(a: IgnoreFile, b: IgnoreFile): boolean {
  return a.rules.length === b.rules.length && a.rules.every((r, i) => r.pattern === b.rules[i]!.pattern);
}

/**
 * BuildKit reads `<Dockerfile>.dockerignore` instead of `.dockerignore`; the classic builder reads
 * only `.dockerignore`. When both exist and differ (or only the first exists), the two builders
 * send different contexts without any sign of it. Pure.
 */
export function shadowedIgnoreFile(
  input: BuilderComparison & {
    /** The ignore file BuildKit reads (the Dockerfile-specific one). */
    specific: IgnoreFile;
    /** The root `.dockerignore` the classic builder reads, or null when it does not exist. */
    root: IgnoreFile | null;
    dockerfile: string | null;
  },
): Finding[] {
  if (input.root !== null && sameRules(input.specific, input.root)) return [];
  const skip = new Set(['.dockerignore', ...(input.dockerfile !== null ? [input.dockerfile] : [])]);
  const diffs = differences(input, skip);
  const bkOnly = diffs.filter((d) => d.buildkitOnly).length;
  const clOnly = diffs.length - bkOnly;
  const bytes = diffs.reduce((sum, d) => sum + d.size, 0);
  return [
    withPaths(
      {
        severity: severityOf('shadowed-ignore-file'),
        rule: 'shadowed-ignore-file',
        file: input.specific.file,
        line: 0,
        message:
          (input.root !== null
            ? `BuildKit reads ${input.specific.file} and ignores ${input.root.file} entirely; the classic builder reads only ${input.root.file}. The two files differ`
            : `BuildKit reads ${input.specific.file}; the classic builder reads no ignore file at all (it only knows .dockerignore)`) +
          (diffs.length > 0
            ? `: ${clOnly} ${clOnly === 1 ? 'path' : 'paths'} only the classic builder sends, ${bkOnly} only BuildKit sends (${humanSize(bytes)})`
            : ', though the contexts happen to be the same today'),
        fix:
          input.root !== null
            ? `make ${input.root.file} say the same as ${input.specific.file} (or merge what each needs into both)`
            : `copy ${input.specific.file} to .dockerignore in the context root if the classic builder is still used`,
      },
      diffs.map((d) => d.path),
      bytes,
    ),
  ];
}
