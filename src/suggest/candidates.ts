/**
 * Candidates: the knowledge table's entries found in the current context, and large files. One
 * pass over the context's entries, parents first; a directory that a table entry claims (a
 * `node_modules` that may go) is not searched further, since its lines take its content too.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { artifactMatcher, dockerignoreLinesFor, type ArtifactRule, type MatchContext } from '../knowledge/artifacts.js';
import type { ContextTree, DiskRecord } from './engine.js';
import { literalPattern, parentOf } from './patterns.js';

/** A table entry with the context paths it matched (top-most only). */
export interface TableCandidate {
  rule: ArtifactRule;
  /** Matched paths, in walk order. */
  paths: string[];
  /** The entry's lines for these paths (`{path}` filled in), deduplicated, in order. */
  lines: string[];
}

/** What the scan found. */
export interface Scan {
  table: TableCandidate[];
  /** Entries the table says must stay (lockfiles, vendored Go modules), by entry index. */
  keepers: Map<number, ArtifactRule>;
  /** Indexes of entries inside a claimed directory. */
  claimed: Uint8Array;
  /** Indexes of entries some table entry (with lines) matched. */
  matched: Uint8Array;
}

/** Reads directory names on demand, once per directory, for the table's `siblings` conditions. */
class Siblings {
  private readonly cache = new Map<string, string[]>();
  constructor(private readonly root: string) {}

  of(dir: string): string[] {
    let names = this.cache.get(dir);
    if (names === undefined) {
      try {
        names = readdirSync(dir === '' ? this.root : path.join(this.root, dir));
      } catch {
        names = [];
      }
      this.cache.set(dir, names);
    }
    return names;
  }
}

/**
 * Scan the context's entries against the knowledge table. `mayClaim(path)` says whether a matched
 * directory may be claimed whole (it holds nothing that must stay); otherwise the scan goes on
 * inside it, so that a protected `node_modules` still yields its `.cache`.
 */
export function scanTable(root: string, tree: ContextTree, mayClaim: (path: string) => boolean, record?: DiskRecord): Scan {
  const matcher = artifactMatcher();
  const siblings = new Siblings(root);
  const byRule = new Map<string, TableCandidate>();
  const keepers = new Map<number, ArtifactRule>();
  const claimed = new Uint8Array(tree.entries.length);
  const matched = new Uint8Array(tree.entries.length);
  tree.entries.forEach((entry, i) => {
    const parent = tree.parentIndex(i);
    if (parent !== -1 && claimed[parent] === 1) {
      claimed[i] = 1;
      return;
    }
    if (entry.type !== 'dir' && entry.type !== 'file') return;
    // Read only for the few entries whose table rule asks (a `target` beside a Cargo.toml).
    const context: MatchContext = {
      get siblings() {
        return siblings.of(parentOf(entry.path));
      },
      // The walk's record answers for most directories (a python-venv test asks every one).
      contains: (name) => entry.type === 'dir' && (record?.lists(entry, name) ?? existsSync(path.join(root, entry.path, name))),
    };
    const rules = matcher.matchAll(entry.path, entry.type, context);
    if (rules.length === 0) return;
    const keeper = rules.find((rule) => rule.dockerignore.length === 0);
    if (keeper) {
      keepers.set(i, keeper);
      return;
    }
    const rule = rules[0]!;
    const pattern = literalPattern(entry.path);
    if (pattern === null && rule.dockerignore.some((line) => line.includes('{path}'))) return;
    matched[i] = 1;
    let candidate = byRule.get(rule.id);
    if (!candidate) {
      candidate = { rule, paths: [], lines: [] };
      byRule.set(rule.id, candidate);
    }
    candidate.paths.push(entry.path);
    for (const line of dockerignoreLinesFor(rule, pattern ?? entry.path)) {
      if (!candidate.lines.includes(line)) candidate.lines.push(line);
    }
    if (entry.type === 'dir' && mayClaim(entry.path)) claimed[i] = 1;
  });
  return { table: [...byRule.values()], keepers, claimed, matched };
}
