/**
 * Property test of suggest's savings engine: on random contexts (trees, Dockerfile locations and
 * ignore files from test/support/random-cases.ts, the generator the conformance tests use), the
 * entries that `RemovalEngine.evaluate(lines)` says a set of lines removes are exactly the entries
 * that disappear from `listContext` when those lines are really written into the ignore file, under
 * both builders: the in-memory judgement (appended exclusions, or the builder's filter replayed
 * over the current context) agrees with the real walk on disk.
 *
 * More cases: SEED=7 CASES=400 node --test .test-build/test/suggest-exact.test.js
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { insertIntoBlock, listContext, resolveContext, type Builder } from '../src/index.js';
import { ContextTree, RemovalEngine, walkSent } from '../src/suggest/engine.js';
import { literalPattern } from '../src/suggest/patterns.js';
import { generateCases, materializeCase, Random, type RandomCase } from './support/random-cases.js';

/** Random ignore lines built from the case's own paths, so that they hit something. */
function randomLines(rng: Random, paths: readonly string[]): string[] {
  const lines: string[] = [];
  const count = 1 + rng.int(3);
  for (let i = 0; i < count && paths.length > 0; i++) {
    const p = paths[rng.int(paths.length)]!;
    const name = p.slice(p.lastIndexOf('/') + 1);
    const literal = literalPattern(p);
    const literalName = literalPattern(name);
    const r = rng.next();
    if (r < 0.35 && literalName) lines.push('**/' + literalName);
    else if (r < 0.6 && literal) lines.push(literal);
    else if (r < 0.7 && literal) lines.push(literal + '/**');
    else if (r < 0.8) lines.push('**/*' + (name.includes('.') ? name.slice(name.lastIndexOf('.')) : ''));
    else if (literal) lines.push('!' + literal);
  }
  return lines;
}

function check(c: RandomCase, builder: Builder, rng: Random): number {
  const root = mkdtempSync(path.join(tmpdir(), 'ctxsize-suggest-exact-'));
  try {
    materializeCase(c, root);
    let context;
    let base;
    try {
      context = resolveContext({ dir: root, cwd: root, builder, dockerfile: path.join(root, c.dockerfile) });
      base = walkSent(context).entries;
    } catch {
      return 0; // a case Docker refuses (malformed pattern, unreadable ignore file): nothing to suggest
    }
    const file = context.ignorePath ?? path.join(root, '.dockerignore');
    const current = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    const engine = new RemovalEngine(context, new ContextTree(base), current, file);
    const paths = base.map((e) => e.path);
    let checked = 0;
    for (let round = 0; round < 3; round++) {
      const lines = randomLines(rng, paths);
      if (lines.length === 0) continue;
      const removal = engine.evaluate(lines);
      if (removal === null) continue;
      const predicted = base.filter((_, i) => removal.flags[i] === 1).map((e) => e.path).sort();
      writeFileSync(file, insertIntoBlock(current, lines.map((pattern) => ({ pattern, comment: 'test' }))).after);
      let after: Set<string>;
      try {
        after = new Set(listContext({ dir: root, cwd: root, builder, dockerfile: path.join(root, c.dockerfile) }).entries.map((e) => e.path));
      } finally {
        if (current.length > 0 || existsSync(file)) writeFileSync(file, current);
        if (current.length === 0 && context.ignorePath === null) rmSync(file, { force: true });
      }
      const real = paths.filter((p) => !after.has(p)).sort();
      assert.deepEqual(predicted, real, `${c.id} ${builder}: lines ${JSON.stringify(lines)}`);
      checked++;
    }
    return checked;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('suggest: the savings engine agrees with the real walk on random contexts', () => {
  const cases = generateCases(Number(process.env.SEED ?? 0x5eed5), Number(process.env.CASES ?? 60));
  for (const builder of ['buildkit', 'classic'] as const) {
    it(`${builder}: ${cases.length} random contexts, up to 3 random line sets each`, () => {
      const rng = new Random(builder === 'buildkit' ? 11 : 12);
      let checked = 0;
      for (const c of cases) checked += check(c, builder, rng);
      assert.ok(checked >= cases.length, `only ${checked} comparisons ran`);
    });
  }
});
