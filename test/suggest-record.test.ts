import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveContext } from '../src/context/resolve.js';
import { ContextTree, DiskRecord, walkSent } from '../src/suggest/engine.js';
import { contextScope, gitDecisions, readGitignores, type GitignoreSet } from '../src/suggest/gitignore.js';
import { buildRecordedTree, readRecordedCases, type RecordedTreeEntry } from './support/recorded-cases.js';
import { makeTree, removeTree } from './support/tree.js';

/**
 * suggest looks for `.gitignore` files in the record its first walk made, and only in directories
 * the context holds something below (a `.gitignore` applies only below its directory). What git
 * decides for every entry of the context, and the order of the files and rules, must be those of
 * the search on disk.
 */
function scoped(root: string, builder: 'buildkit' | 'classic' = 'buildkit'): { disk: GitignoreSet; record: GitignoreSet; tree: ContextTree } {
  const context = resolveContext({ dir: root, builder });
  const record = new DiskRecord(root);
  const tree = new ContextTree(walkSent(context, record.walk).entries);
  return { disk: readGitignores(root), record: readGitignores(root, contextScope(record, tree)), tree };
}

/** Each entry's decision, named by the rule (file and line) rather than its index. */
function decided(set: GitignoreSet, tree: ContextTree): string[] {
  const decisions = gitDecisions(set, tree);
  return tree.entries.map((e, i) => {
    const rule = decisions[i]! >= 0 ? set.rules[decisions[i]!]! : null;
    return `${e.path} ${rule === null ? '-' : `${rule.file}:${rule.line}`}`;
  });
}

/** The rules, in order, as the output names them. */
function named(set: GitignoreSet): string[] {
  return set.rules.map((r) => `${r.file}:${r.line} ${r.text} ${JSON.stringify(r.location)}`);
}

function assertSame(root: string, builder: 'buildkit' | 'classic' = 'buildkit'): { dropped: number } {
  const { disk, record, tree } = scoped(root, builder);
  assert.deepEqual(decided(record, tree), decided(disk, tree));
  assert.equal(record.rootIgnored, disk.rootIgnored);
  assert.equal(record.prefix, disk.prefix);
  // The same rules in the same order, less those of directories the context holds nothing below.
  const holds = (file: string): boolean => {
    const dir = path.posix.dirname(file);
    return dir === '.' || file.startsWith('../') || tree.entries.some((e) => e.path === dir || e.path.startsWith(dir + '/'));
  };
  assert.deepEqual(named(record), named({ ...disk, rules: disk.rules.filter((r) => holds(r.file)) }));
  assert.deepEqual(record.files, disk.files.filter(holds));
  return { dropped: disk.files.length - record.files.length };
}

describe('the .gitignore search in the walk record', () => {
  it('finds the rules the disk search finds, in its order (sibling directories as readdir lists them)', () => {
    // Many sibling directories created out of name order, each with its own .gitignore.
    const names = Array.from({ length: 24 }, (_, i) => `d${((i * 7) % 24).toString().padStart(2, '0')}`);
    const spec: Record<string, string> = {
      '.gitignore': '*.log\n/build\n!keep.log\n',
      '.dockerignore': '**/node_modules\nexcluded\n',
      'keep.log': 'k',
      'a.log': 'a',
      'build/x': 'x',
      'node_modules/pkg/.gitignore': 'index.js\n',
      'node_modules/pkg/index.js': 'i',
      'excluded/.gitignore': '*\n',
      'excluded/file': 'f',
    };
    for (const name of names) {
      spec[`${name}/.gitignore`] = `tmp/\n*.out\n!${name}.out\n`;
      spec[`${name}/tmp/t`] = 't';
      spec[`${name}/${name}.out`] = 'o';
      spec[`${name}/other.out`] = 'o';
      spec[`${name}/deep/.gitignore`] = '/gen\n';
      spec[`${name}/deep/gen/g`] = 'g';
    }
    const root = makeTree(spec);
    try {
      const listed = readdirSync(root).filter((n) => n.startsWith('d'));
      const { dropped } = assertSame(root);
      assert.equal(dropped, 2, 'the .gitignore files of node_modules/pkg and excluded are not read');
      assertSame(root, 'classic');
      const { record } = scoped(root);
      const order = [...new Set(record.files.map((f) => f.split('/')[0]!).filter((n) => n.startsWith('d')))];
      assert.deepEqual(order, listed, 'sibling directories in the order readdir lists them');
    } finally {
      removeTree(root);
    }
  });

  it('finds the same rules on every recorded conformance tree (with .gitignore files added)', () => {
    const cases = readRecordedCases<{ id: string; tree: RecordedTreeEntry[] }>('conformance-cases.jsonl');
    let compared = 0;
    for (const c of cases.slice(0, 400)) {
      const root = buildRecordedTree(c.tree);
      try {
        // A .gitignore in every directory, ignoring its first file.
        for (const dir of ['', ...c.tree.filter((e) => e.type === 'dir').map((e) => e.path)]) {
          const first = c.tree.find((e) => e.type === 'file' && path.posix.dirname(e.path) === (dir === '' ? '.' : dir));
          if (first === undefined) continue;
          writeFileSync(path.join(root, dir, '.gitignore'), `${path.posix.basename(first.path)}\n*.tmp\n`);
        }
        try {
          resolveContext({ dir: root, builder: 'buildkit' });
          walkSent(resolveContext({ dir: root, builder: 'buildkit' }));
        } catch {
          continue; // an ignore file Docker refuses: suggest stops before the search
        }
        assertSame(root);
        compared++;
      } catch (error) {
        throw new Error(`${c.id}: ${(error as Error).message}`, { cause: error });
      } finally {
        removeTree(root);
      }
    }
    assert.ok(compared > 100, `only ${compared} trees compared`);
  });

  it('inside a git repository, with a .gitignore above the context', { skip: spawnSync('git', ['--version']).status === 0 ? false : 'git is not available' }, () => {
    const top = makeTree({ '.gitignore': 'secret\n/app/cache/\n', 'app/.gitignore': 'x.tmp\n', 'app/secret': 's', 'app/cache/c': 'c', 'app/x.tmp': 't', 'app/b/.gitignore': '*\n', 'app/b/f': 'f' });
    try {
      execFileSync('git', ['init', '-q', top]);
      assertSame(path.join(top, 'app'));
    } finally {
      removeTree(top);
    }
  });

  it('fails on a .gitignore that is a FIFO as the disk search does', { skip: spawnSync('mkfifo', ['--version']).status === 0 ? false : 'mkfifo is not available' }, () => {
    const root = makeTree({ 'a/.gitignore': 'x\n', 'a/f': 'f', 'b/f': 'f' });
    try {
      execFileSync('mkfifo', [path.join(root, 'b', '.gitignore')]);
      mkdirSync(path.join(root, 'c'));
      const context = resolveContext({ dir: root, builder: 'buildkit' });
      const record = new DiskRecord(root);
      const tree = new ContextTree(walkSent(context, record.walk).entries);
      assert.throws(() => readGitignores(root), /b\/\.gitignore: cannot read the \.gitignore \(a FIFO/);
      assert.throws(() => readGitignores(root, contextScope(record, tree)), /b\/\.gitignore: cannot read the \.gitignore \(a FIFO/);
    } finally {
      removeTree(root);
    }
  });

  it('answers "does this directory hold the name" as existsSync does, or not at all', () => {
    const cases = readRecordedCases<{ id: string; tree: RecordedTreeEntry[] }>('conformance-cases.jsonl');
    let answered = 0;
    let compared = 0;
    for (const c of cases.slice(0, 300)) {
      const root = buildRecordedTree(c.tree);
      try {
        mkdirSync(path.join(root, 'venv-like'));
        writeFileSync(path.join(root, 'venv-like', 'pyvenv.cfg'), '');
        writeFileSync(path.join(root, 'venv-like', 'Upper.TXT'), '');
        symlinkSync('pyvenv.cfg', path.join(root, 'venv-like', 'link'));
        symlinkSync('missing', path.join(root, 'venv-like', 'dangling'));
        let entries;
        const record = new DiskRecord(root);
        try {
          entries = walkSent(resolveContext({ dir: root, builder: 'buildkit' }), record.walk).entries;
        } catch {
          continue;
        }
        for (const dir of entries.filter((e) => e.type === 'dir')) {
          const names = [...readdirSync(path.join(root, dir.path)), 'pyvenv.cfg', 'conda-meta', 'upper.txt', 'nope'];
          for (const name of names) {
            const want = existsSync(path.join(root, dir.path, name));
            const got = record.lists(dir, name);
            compared++;
            if (got !== undefined) answered++;
            assert.equal(got ?? want, want, `${c.id}: ${dir.path}/${name}`);
          }
        }
      } finally {
        removeTree(root);
      }
    }
    assert.ok(answered > compared / 2, `the record answered only ${answered} of ${compared}`);
  });
});

