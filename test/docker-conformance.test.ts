import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startFakeDockerDaemon, type FakeDockerDaemon } from './support/fake-docker-daemon.js';
import { checkClassicCase, contextFromTar, findDocker, formatMismatch, runDockerBuild, runPool, type CaseCheck } from './support/fuzz-docker.js';
import { generateCases, type CaseKind, type RandomCase } from './support/random-cases.js';

/**
 * ctxsize against the real Docker CLI: random trees and ignore files (fixed seed), built with the
 * classic builder (`DOCKER_BUILDKIT=0`) against a fake daemon that keeps the uploaded context.
 * ctxsize must list exactly the uploaded entries, and fail exactly where `docker build` refuses.
 * `node .test-build/test/support/fuzz-docker.js` runs thousands more cases the same way.
 */

const SEED = 20_250_611;
/** 150 cases, about 5 s: exotic ignore files get the most, as they find the most. */
const CASES: Record<CaseKind, number> = { plain: 40, 'allow-list': 40, exotic: 70 };
const KINDS = Object.keys(CASES) as CaseKind[];

/**
 * Discrepancies already diagnosed and reported, still open in the engine. Cases that touch one are
 * checked in a separate `todo` subtest, so they are reported without failing the suite; remove the
 * entry once the engine is fixed.
 */
const KNOWN_ISSUES: { name: string; applies: (c: RandomCase) => boolean }[] = [
  {
    // moby/patternmatcher's shouldEscape bitmap (`escapeBytes[b%8]&(1<<(b/8))`) overflows for bytes
    // >= 64, so `{`, `}` and `|` reach Go's regexp unescaped: `a|b*` is an alternation, `x{2}*` a
    // repetition, `\p{Greek}` a Unicode class. src/dockerignore/pattern.ts escapes them.
    name: '`{`, `}` and `|` keep their regexp meaning in Docker (pattern.ts REGEXP_META)',
    applies: (c) => c.tree.some((e) => e.type === 'file' && e.path.endsWith('dockerignore') && /[{}|]/.test(e.content ?? '')),
  },
];

function knownIssue(c: RandomCase): string | null {
  return KNOWN_ISSUES.find((k) => k.applies(c))?.name ?? null;
}

test('classic builder: ctxsize lists exactly what the Docker CLI uploads', async (t) => {
  const docker = findDocker();
  if ('missing' in docker) {
    t.skip(`docker CLI not found: ${docker.missing}`);
    return;
  }
  const daemon: FakeDockerDaemon = await startFakeDockerDaemon();
  const configDir = mkdtempSync(path.join(tmpdir(), 'ctxsize-docker-config-'));
  try {
    await t.test('the fake daemon receives the context that docker build uploads', async () => {
      // Checked against a list written by hand, not against ctxsize: this tests the harness.
      const root = mkdtempSync(path.join(tmpdir(), 'ctxsize-docker-'));
      try {
        const long = 'd'.repeat(60) + '/' + 'n'.repeat(120);
        mkdirSync(path.join(root, long), { recursive: true });
        writeFileSync(path.join(root, 'Dockerfile'), 'FROM scratch\n');
        writeFileSync(path.join(root, '.dockerignore'), 'skip\n');
        writeFileSync(path.join(root, 'skip'), 'no');
        writeFileSync(path.join(root, 'ü ß.txt'), 'x'.repeat(513));
        writeFileSync(path.join(root, long, 'f'), 'abc');
        linkSync(path.join(root, long, 'f'), path.join(root, 'zz-hard'));
        symlinkSync('t'.repeat(150), path.join(root, 'link'));
        const result = await runDockerBuild(daemon, docker.cli, root, path.join(root, 'Dockerfile'), configDir);
        assert.equal(result.status, 0, result.stderr);
        assert.ok(result.build, 'the CLI uploaded a context');
        assert.match(result.build.url, /^\/v1\.\d+\/build\?/);
        assert.equal(result.build.query.get('dockerfile'), 'Dockerfile');
        assert.deepEqual(contextFromTar(result.build.context), [
          { path: '.dockerignore', type: 'file', size: 5 },
          { path: 'Dockerfile', type: 'file', size: 13 },
          { path: 'd'.repeat(60), type: 'dir', size: 0 },
          { path: long, type: 'dir', size: 0 },
          { path: long + '/f', type: 'file', size: 3 },
          { path: 'link', type: 'symlink', size: 0 },
          { path: 'zz-hard', type: 'file', size: 3 },
          { path: 'ü ß.txt', type: 'file', size: 513 },
        ]);
        assert.ok(daemon.requests.some((r) => r.url.endsWith('/_ping')), 'the CLI pinged first');
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    await t.test('a malformed pattern: docker build fails before uploading, and so does ctxsize', async () => {
      const [c] = generateCases(1, 1, ['plain']);
      const broken: RandomCase = {
        ...c!,
        id: 'malformed',
        tree: [...c!.tree.filter((e) => e.path !== '.dockerignore'), { path: '.dockerignore', type: 'file', content: 'ok\n[\n' }],
      };
      const check = await checkClassicCase(daemon, docker.cli, broken, configDir);
      assert.ok('error' in check.docker, 'Docker refuses the build');
      assert.ok('error' in check.ctxsize, 'ctxsize refuses it too');
    });

    for (const [i, kind] of KINDS.entries()) {
      const cases = generateCases(SEED + i, CASES[kind], [kind]);
      const known = cases.filter((c) => knownIssue(c) !== null);
      const clean = cases.filter((c) => knownIssue(c) === null);
      const run = async (list: RandomCase[]): Promise<{ failures: string[]; checks: CaseCheck[] }> => {
        const checks: CaseCheck[] = [];
        await runPool(list, 4, (c) => checkClassicCase(daemon, docker.cli, c, configDir), (check) => checks.push(check));
        const failures = checks
          .filter((check) => check.infrastructureError !== undefined || check.mismatch !== null)
          .map((check) => check.infrastructureError ?? formatMismatch(check));
        return { failures, checks };
      };

      await t.test(`${kind}: ${clean.length} random cases (seed ${SEED})`, async () => {
        const { failures, checks } = await run(clean);
        assert.equal(checks.length, clean.length);
        assert.deepEqual(failures, [], `${failures.length} of ${clean.length} cases differ from Docker`);
      });
      if (known.length > 0) {
        await t.test(`${kind}: ${known.length} random cases that touch a known issue`, { todo: KNOWN_ISSUES.map((k) => k.name).join('; ') }, async () => {
          const { failures } = await run(known);
          assert.deepEqual(failures, [], `${failures.length} of ${known.length} cases differ from Docker`);
        });
      }
    }
  } finally {
    await daemon.close();
    rmSync(configDir, { recursive: true, force: true });
  }
});
