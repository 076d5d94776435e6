/**
 * Record what the real Buildah copies for each conformance case:
 *
 *     npx tsc -p tsconfig.test.json && node .test-build/test/support/record-buildah.js
 *
 * reads test/fixtures/conformance-cases.jsonl and writes test/fixtures/conformance-buildah.jsonl,
 * one `{"id", "buildah": {"entries": [...]} | {"error": true, "message"}}` per case, in the same
 * order. Needs the buildah tools (see buildah.ts).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCaseTree, findBuildah, listWithBuildahAsync, type BuildahAnswer, type CaseTreeEntry } from './buildah.js';
import { REPO } from './cli.js';

interface Case {
  id: string;
  dockerfile: string;
  tree: CaseTreeEntry[];
}

const found = findBuildah();
if ('missing' in found) {
  console.error(`cannot record: ${found.missing}`);
  process.exit(2);
}
const contextSh = found.contextSh;
const cases = readFileSync(path.join(REPO, 'test/fixtures/conformance-cases.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Case);
const answers: BuildahAnswer[] = new Array(cases.length);
let next = 0;
async function worker(): Promise<void> {
  while (next < cases.length) {
    const i = next++;
    const c = cases[i]!;
    const root = buildCaseTree(c.tree);
    try {
      answers[i] = await listWithBuildahAsync(contextSh, root, c.dockerfile);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    if (i % 50 === 0) console.error(`${i}/${cases.length}`);
  }
}
await Promise.all([worker(), worker()]);
writeFileSync(
  path.join(REPO, 'test/fixtures/conformance-buildah.jsonl'),
  cases.map((c, i) => JSON.stringify({ id: c.id, buildah: answers[i] })).join('\n') + '\n',
);
console.error(`recorded ${cases.length} cases`);
