import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startFakeDockerDaemon, type FakeDockerDaemon } from './support/fake-docker-daemon.js';
import {
  checkClassicCase,
  contextFromTar,
  ctxsizeOutcome,
  diffOutcomes,
  findDocker,
  formatMismatch,
  runDockerBuild,
  runPool,
  type CaseCheck,
} from './support/fuzz-docker.js';
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

/** A hand-written case: the Dockerfile is added at the root unless the tree has one. */
function pinned(id: string, tree: RandomCase['tree'], dockerfile = 'Dockerfile'): RandomCase {
  const full = tree.some((e) => e.path === dockerfile) ? tree : [{ path: dockerfile, type: 'file' as const, content: 'FROM scratch\n' }, ...tree];
  return { id, kind: 'exotic', dockerfile, tree: full };
}

const file = (p: string, content = 'x'): RandomCase['tree'][number] => ({ path: p, type: 'file', content });
const dir = (p: string): RandomCase['tree'][number] => ({ path: p, type: 'dir' });

/**
 * Behaviours that random cases reach rarely, each checked against Docker; `expect` states what
 * Docker was seen to do, so that a change in the harness cannot make the comparison vacuous.
 */
const PINNED: { name: string; case: RandomCase; expect: (paths: string[] | null) => boolean; todo?: string }[] = [
  {
    name: '`{`, `}` and `|` keep their regexp meaning (patternmatcher escapes only `.+()$`)',
    case: pinned('braces-and-bar', [
      file('.dockerignore', 'a|b*\nx{2}*\n[\\p{Lu}]\n'),
      ...['a', 'bz', 'xx.log', 'x{2}', 'Q', 'q'].map((n) => file(n)),
    ]),
    expect: (paths) => JSON.stringify(paths) === JSON.stringify(['.dockerignore', 'Dockerfile', 'q', 'x{2}']),
  },
  {
    name: 'a pattern that fails only inside a directory the tar walk enters: Docker sends a truncated context',
    case: pinned('truncated', [file('.dockerignore', '*\n!a/b\n[z-a]\n!z\n'), dir('a'), file('a/b'), file('z')]),
    expect: (paths) => JSON.stringify(paths) === JSON.stringify(['.dockerignore', 'Dockerfile']),
  },
  {
    name: 'an excluded Dockerfile is re-included only when the single-parent Matches sees it excluded',
    case: pinned('deep-dockerfile', [dir('ci'), dir('ci/x'), dir('ci/x/y'), file('ci/x/y/app.Dockerfile'), file('.dockerignore', 'ci/**/x\n')], 'ci/x/y/app.Dockerfile'),
    expect: (paths) => paths !== null && !paths.includes('ci/x/y/app.Dockerfile') && paths.includes('ci'),
  },
  {
    name: 'the Dockerfile is re-included with its path as a pattern: glob characters in it count',
    case: pinned('glob-dockerfile', [dir('ci'), file('ci/x[1].Dockerfile'), file('ci/x1.Dockerfile'), file('.dockerignore', 'ci\n')], 'ci/x[1].Dockerfile'),
    expect: (paths) => paths !== null && paths.includes('ci/x1.Dockerfile') && !paths.includes('ci/x[1].Dockerfile'),
  },
  {
    name: 'sockets are left out, FIFOs sent',
    case: pinned('special-files', [{ path: 'sock', type: 'socket' }, { path: 'fifo', type: 'fifo' }, file('.dockerignore', 'nothing\n')]),
    expect: (paths) => paths !== null && !paths.includes('sock'),
  },
  {
    name: 'a pattern led by a BOM after the first line: Go classifies it without the BOM, matches with it',
    case: pinned('bom-suffix', [file('.dockerignore', 'a\n\uFEFF**/x\n'), dir('st*'), file('st*/x'), dir('b'), file('b/x')]),
    expect: (paths) => paths !== null && paths.includes('st*/x') && paths.includes('b/x'),
  },
];

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

    for (const p of PINNED) {
      await t.test(`pinned: ${p.name}`, p.todo ? { todo: p.todo } : {}, async () => {
        const check = await checkClassicCase(daemon, docker.cli, p.case, configDir);
        assert.equal(check.infrastructureError, undefined);
        const paths = 'entries' in check.docker ? check.docker.entries.map((e) => e.path) : null;
        assert.ok(p.expect(paths), `Docker did something else: ${JSON.stringify(check.docker)}`);
        assert.equal(check.mismatch, null, formatMismatch(check));
      });
    }

    // Names and patterns that are not valid UTF-8: Go compares their bytes, and its regexps read
    // an invalid byte as U+FFFD. Each name gets its own size, so that two names shown alike
    // (every invalid byte prints as U+FFFD) still count apart.
    const B = (...parts: (string | number)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from([p]))));
    const BYTE_CASES: { name: string; ignore: Buffer; names: Buffer[]; expect?: (paths: string[] | null) => boolean }[] = [
      { name: 'an exact pattern matches bytes, not decoded text', ignore: B('a', 0xff, '\n'), names: [B('a', 0xfe), B('a', 0xff)] },
      { name: 'a prefix pattern (`d\\xff/**`) matches bytes', ignore: B('d', 0xff, '/**\n'), names: [B('d', 0xff), B('d', 0xff, '/x'), B('d', 0xfe), B('d', 0xfe, '/x')] },
      { name: 'a suffix pattern (`**/n\\xff`) matches bytes', ignore: B('**/n', 0xff, '\n'), names: [B('s'), B('s/n', 0xff), B('s/n', 0xfe), B('n', 0xff), B('n', 0xef, 0xbf, 0xbd)] },
      {
        name: 'a regexp pattern reads its own invalid byte as U+FFFD (text/scanner)',
        ignore: B('x*', 0xff, '\n'),
        names: [B('x1'), B('x', 0xff), B('x', 0xfe), B('x\uFFFD'), B('y')],
        expect: (paths) => paths !== null && paths.includes('x1') && paths.includes('y') && !paths.includes('x\uFFFD'),
      },
      { name: 'a regexp reads a name\'s invalid byte as U+FFFD', ignore: B('a*\uFFFD\n[^a]b\n'), names: [B('a', 0xff), B('ab', 0xfe), B(0xff, 'b'), B('a\uFFFD'), B('cb')] },
      { name: 'a bracket holding an invalid byte is a malformed pattern', ignore: B('[', 0xff, ']\n'), names: [B('a')], expect: (paths) => paths === null },
    ];
    for (const c of BYTE_CASES) {
      await t.test(`pinned bytes: ${c.name}`, async () => {
        const root = mkdtempSync(path.join(tmpdir(), 'ctxsize-docker-'));
        try {
          writeFileSync(path.join(root, 'Dockerfile'), 'FROM scratch\n');
          writeFileSync(path.join(root, '.dockerignore'), c.ignore);
          c.names.forEach((name, i) => {
            const abs = Buffer.concat([Buffer.from(root + '/'), name]);
            // A name is a directory when a later name lies inside it.
            if (c.names.some((other) => other.length > name.length && other.subarray(0, name.length + 1).equals(Buffer.concat([name, Buffer.from('/')])))) mkdirSync(abs);
            else writeFileSync(abs, 'x'.repeat(i + 1));
          });
          const result = await runDockerBuild(daemon, docker.cli, root, path.join(root, 'Dockerfile'), configDir);
          const entries = result.build ? contextFromTar(result.build.context) : null;
          const dockerOutcome = entries ? { entries } : { error: result.stderr };
          if (c.expect) assert.ok(c.expect(entries ? entries.map((e) => e.path) : null), `Docker did something else: ${JSON.stringify(dockerOutcome)}`);
          assert.equal(diffOutcomes(dockerOutcome, ctxsizeOutcome(root, 'Dockerfile', 'classic')), null);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      });
    }

    for (const [i, kind] of KINDS.entries()) {
      const cases = generateCases(SEED + i, CASES[kind], [kind]);
      await t.test(`${kind}: ${cases.length} random cases (seed ${SEED + i})`, async () => {
        const checks: CaseCheck[] = [];
        await runPool(cases, 4, (c) => checkClassicCase(daemon, docker.cli, c, configDir), (check) => checks.push(check));
        assert.equal(checks.length, cases.length);
        const failures = checks
          .filter((check) => check.infrastructureError !== undefined || check.mismatch !== null)
          .map((check) => check.infrastructureError ?? formatMismatch(check));
        assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases differ from Docker`);
      });
    }
  } finally {
    await daemon.close();
    rmSync(configDir, { recursive: true, force: true });
  }
});
