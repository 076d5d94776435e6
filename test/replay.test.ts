import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createFilter } from '../src/context/filter.js';
import { resolveContext, type ResolvedContext } from '../src/context/resolve.js';
import type { BuilderFilter } from '../src/dockerignore/builders.js';
import type { Entry, WalkWarning } from '../src/walk/entry.js';
import { ContextTree, DiskRecord, replayFilter } from '../src/walk/replay.js';
import { walkContext } from '../src/walk/walk.js';
import { buildRecordedTree, readRecordedCases, type RecordedTreeEntry } from './support/recorded-cases.js';
import { makeTree, removeTree } from './support/tree.js';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';

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

/** The case's context under each Docker builder, or null when Docker refuses its ignore file. */
function bothBuilders(root: string, c: RecordedCase): Record<'buildkit' | 'classic', ResolvedContext> | null {
  try {
    const contexts = {} as Record<'buildkit' | 'classic', ResolvedContext>;
    for (const builder of ['buildkit', 'classic'] as const) {
      contexts[builder] = resolveContext({ dir: root, builder, dockerfile: path.join(root, c.dockerfile) });
      createFilter(contexts[builder]);
    }
    return contexts;
  } catch {
    return null;
  }
}

describe('a filter replayed over one recorded walk', () => {
  it('sends what a disk walk sends: the other builder, and include paths as the effective context has them', () => {
    const failures: string[] = [];
    let compared = 0;
    for (const c of cases) {
      const root = build(c);
      try {
        const contexts = bothBuilders(root, c);
        if (contexts === null) continue; // an ignore file Docker refuses: check lints it, and walks only its usable lines
        for (const [recordUnder, replayUnder] of [['buildkit', 'classic'], ['classic', 'buildkit']] as const) {
          const all: Entry[] = [];
          const recorder = createFilter(contexts[recordUnder]!);
          walk(root, recorder, all);
          if (recorder.failure !== null) continue; // check walks the disk then
          const tree = new ContextTree(all);
          // Each entry's parent, as its path names it (the index answers what the walk order does not).
          all.forEach((e, i) => {
            const slash = e.path.lastIndexOf('/');
            const want = slash === -1 ? -1 : all.findLastIndex((d) => d.path === e.path.slice(0, slash));
            if (tree.entryParent[i] !== want) failures.push(`${c.id}: parent of ${e.path} is ${tree.entryParent[i]}, not ${want}`);
          });
          // The index with the deeper entries left out of its map (as check leaves out the subtrees
          // it lists in one piece) answers what the whole map answers, for every path and for
          // paths that are not there.
          // (Only entries after their parent and before their children, as check's subtrees are.)
          const earlierChild = new Uint8Array(all.length);
          all.forEach((_, i) => {
            const p = tree.entryParent[i]!;
            if (p > i) earlierChild[p] = 1;
          });
          const mask = new Uint8Array(all.length);
          all.forEach((e, i) => {
            if (e.path.split('/').length >= 2 && tree.entryParent[i]! < i && earlierChild[i] === 0) mask[i] = 1;
          });
          const partial = new ContextTree(all, mask);
          const probes = [...all.map((e) => e.path), ...all.map((e) => e.path + '/zz'), ...all.map((e) => e.path + 'x'), 'zz', 'a/zz/b'];
          for (const p of probes) {
            if (partial.index.get(p) !== tree.index.get(p)) failures.push(`${c.id}: partial index of ${p} is ${partial.index.get(p)}, not ${tree.index.get(p)}`);
          }
          if (partial.entryParent.join() !== tree.entryParent.join() || partial.firstChild.join() !== tree.firstChild.join() || partial.nextSibling.join() !== tree.nextSibling.join()) {
            failures.push(`${c.id}: the partial index changed the tree's shape`);
          }
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

/** Everything a walk reports, in order: entries as sent (with sizes and raw names) and warnings. */
function reported(walk: (options: Parameters<typeof walkContext>[0]) => unknown, root: string, filter: BuilderFilter<unknown>): string[] {
  const out: string[] = [];
  walk({
    root,
    filter,
    visitSkipped: false,
    sink: {
      entry(entry, isSent) {
        out.push(`${isSent ? 'sent' : 'skipped'} ${entry.type} ${entry.path} ${entry.size}${entry.socket ? ' socket' : ''}${entry.rawPath ? ' raw ' + entry.rawPath.toString('hex') : ''}`);
      },
      warning(warning: WalkWarning) {
        out.push(`warning ${warning.path} ${warning.code}`);
      },
    },
  });
  out.push(`failure ${filter.failure?.message ?? 'none'}`);
  return out;
}

describe('walks that share one DiskRecord', () => {
  it('report what disk walks report, entry by entry in walk order, whichever walk reads a directory first', () => {
    const failures: string[] = [];
    let compared = 0;
    for (const c of cases) {
      const root = build(c);
      try {
        const contexts = bothBuilders(root, c);
        if (contexts === null) continue;
        const top = c.tree.find((e) => !e.path.includes('/'))?.path;
        // The filters suggest walks with: both builders, and BuildKit with include paths.
        const filters: { name: string; make: () => BuilderFilter<unknown> }[] = [
          { name: 'buildkit', make: () => createFilter(contexts.buildkit!) },
          { name: 'classic', make: () => createFilter(contexts.classic!) },
          { name: 'buildkit include *', make: () => createFilter(contexts.buildkit!, ['*']) },
          ...(top !== undefined ? [{ name: `buildkit include ${top}`, make: () => createFilter(contexts.buildkit!, [top]) }] : []),
          // Nothing ignored: a walk that reads every directory.
          { name: 'buildkit, no ignore file', make: () => createFilter({ ...contexts.buildkit!, ignore: null }) },
        ];
        for (const order of [filters, [...filters].reverse()]) {
          const record = new DiskRecord(root);
          for (const f of order) {
            const want = reported(walkContext, root, f.make());
            const got = reported(record.walk, root, f.make());
            compared++;
            if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${c.id} (${f.name}): record ${JSON.stringify(got)} disk ${JSON.stringify(want)}`);
          }
        }
      } finally {
        removeTree(root);
      }
    }
    assert.ok(compared > 1000, `only ${compared} comparisons`);
    assert.deepEqual(failures.slice(0, 5), []);
  });

  it('reads names that are not UTF-8, sockets and unreadable directories as the disk walk does', async (t) => {
    const root = makeTree({ 'a/b.txt': 'x', 'c/d/e.txt': 'yy', 'c/f.log': 'zzz', '.dockerignore': 'c\n!c/d\n' });
    try {
      writeFileSync(Buffer.concat([Buffer.from(path.join(root, 'a') + '/'), Buffer.from([0x6e, 0xff, 0x2e, 0x74])]), 'raw');
      mkdirSync(path.join(root, 'locked'));
      writeFileSync(path.join(root, 'locked', 'secret'), 's');
      chmodSync(path.join(root, 'locked'), 0o000);
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(path.join(root, 'a', 'sock'), resolve));
      t.after(() => server.close());
      const probe = (() => {
        try {
          readdirSync(path.join(root, 'locked'));
          return true;
        } catch {
          return false;
        }
      })();
      for (const builder of ['buildkit', 'classic'] as const) {
        const context = resolveContext({ dir: root, builder });
        const record = new DiskRecord(root);
        for (const ignore of [context.ignore, null]) {
          const want = reported(walkContext, root, createFilter({ ...context, ignore }));
          const got = reported(record.walk, root, createFilter({ ...context, ignore }));
          assert.deepEqual(got, want, `${builder}, ignore file ${ignore === null ? 'absent' : 'present'}`);
          assert.ok(want.some((l) => l.includes(' raw ')), 'the name that is not UTF-8 is walked');
          if (!probe) assert.ok(want.some((l) => l.startsWith('warning locked')), 'the unreadable directory is reported');
        }
      }
    } finally {
      chmodSync(path.join(root, 'locked'), 0o755);
      removeTree(root);
    }
  });
});
