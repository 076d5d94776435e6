import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createFilter } from '../src/context/filter.js';
import { resolveContext, type ResolvedContext } from '../src/context/resolve.js';
import type { BuilderFilter } from '../src/dockerignore/builders.js';
import type { Entry } from '../src/walk/entry.js';
import { ContextTree, replayFilter } from '../src/walk/replay.js';
import { walkContext } from '../src/walk/walk.js';
import { buildRecordedTree, readRecordedCases, type RecordedTreeEntry } from './support/recorded-cases.js';
import { removeTree } from './support/tree.js';

/**
 * check records the whole directory in one walk (under one builder's filter) and answers what the
 * other builder and the effective context send by replaying their filters over that record. The
 * replay must give exactly what a walk of the disk gives, on every recorded conformance tree.
 */
interface RecordedCase {
  id: string;
  dockerfile: string;
  tree: RecordedTreeEntry[];
}

const cases = readRecordedCases<RecordedCase>('conformance-cases.jsonl');

const build = (c: RecordedCase): string => buildRecordedTree(c.tree);

/** A disk walk: the sent paths, and (with `all`) every entry of the directory. */
function walk(root: string, filter: BuilderFilter<unknown>, all: Entry[] | null): string[] {
  const sent: string[] = [];
  walkContext({
    root,
    filter,
    visitSkipped: all !== null,
    sink: {
      entry(entry, isSent) {
        all?.push(entry);
        if (isSent) sent.push(entry.path);
      },
      warning() {},
    },
  });
  return sent.sort();
}

function replayed(filter: BuilderFilter<unknown>, tree: ContextTree): string[] {
  const flags = replayFilter(filter, tree);
  return tree.entries.filter((_, i) => flags[i] === 1).map((e) => e.path).sort();
}

describe('a filter replayed over one recorded walk', () => {
  it('sends what a disk walk sends: the other builder, and include paths as the effective context has them', () => {
    const failures: string[] = [];
    let compared = 0;
    for (const c of cases) {
      const root = build(c);
      try {
        const contexts: Record<string, ResolvedContext> = {};
        try {
          for (const builder of ['buildkit', 'classic'] as const) {
            contexts[builder] = resolveContext({ dir: root, builder, dockerfile: path.join(root, c.dockerfile) });
            createFilter(contexts[builder]!);
          }
        } catch {
          continue; // an ignore file Docker refuses: check lints it, and walks only its usable lines
        }
        for (const [recordUnder, replayUnder] of [['buildkit', 'classic'], ['classic', 'buildkit']] as const) {
          const all: Entry[] = [];
          const recorder = createFilter(contexts[recordUnder]!);
          walk(root, recorder, all);
          if (recorder.failure !== null) continue; // check walks the disk then
          const tree = new ContextTree(all);
          // Include paths like a Dockerfile's sources: none, the first top-level name, a wildcard.
          const top = c.tree.find((e) => !e.path.includes('/'))?.path;
          const includes: (string[] | null)[] = [null, ...(top !== undefined && replayUnder === 'buildkit' ? [[top], ['*']] : [])];
          for (const include of includes) {
            const onDisk = createFilter(contexts[replayUnder]!, include);
            const want = walk(root, onDisk, null);
            if (onDisk.failure !== null) continue;
            const got = replayed(createFilter(contexts[replayUnder]!, include), tree);
            compared++;
            if (JSON.stringify(got) !== JSON.stringify(want)) {
              failures.push(`${c.id} (${recordUnder} record, ${replayUnder} replay, include ${JSON.stringify(include)}): replay ${JSON.stringify(got)} disk ${JSON.stringify(want)}`);
            }
          }
        }
      } finally {
        removeTree(root);
      }
    }
    assert.ok(compared > 1000, `only ${compared} comparisons`);
    assert.deepEqual(failures.slice(0, 5), []);
  });
});
