import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDockerfile } from '../src/dockerfile/index.js';
import type { CopyInstruction, Dockerfile, Instruction, Stage } from '../src/dockerfile/types.js';
import { REPO, runCtxsize } from './support/cli.js';
import { startFakeDockerDaemon } from './support/fake-docker-daemon.js';
import { contextFromTar, ctxsizeOutcome, diffOutcomes, findDocker, runDockerBuild } from './support/fuzz-docker.js';

/**
 * ctxsize's own Dockerfile and .dockerignore, held to the practices ctxsize promotes. No Docker
 * engine runs here, so the context is checked with ctxsize itself: what BuildKit transfers for the
 * Dockerfile (`ls --effective`), what each builder would send, `check` and `suggest`; and the
 * Dockerfile's structure with ctxsize's own Dockerfile parser.
 */

/** Directories that must never be in the context: heavy, generated, or not needed by the build. */
const HEAVY = ['node_modules', '.git', 'test', 'bench', 'dist', '.test-build', '.ci'];
const NEEDED = ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'src/index.ts', 'src/cli.ts', 'bin', 'bin/ctxsize.js', 'bin/package.json', 'scripts/bundle.js'];

const lines = (text: string): string[] => text.split('\n').filter(Boolean);
const isHeavy = (p: string): boolean =>
  HEAVY.some((dir) => p === dir || p.startsWith(dir + '/')) || /\.(tgz|map|log)$/.test(p) || /(^|\/)\.env/.test(p);

function ls(args: string[], cwd = REPO): string[] {
  const r = runCtxsize(['ls', ...args, '.'], { cwd });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'no missing or excluded source, no unreadable path');
  return lines(r.stdout).sort();
}

/** Every file below `dir`, relative and `/`-joined. */
function filesUnder(root: string, dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel + '/' + entry.name;
      if (entry.isDirectory()) {
        out.push(child);
        visit(child);
      } else out.push(child);
    }
  };
  out.push(dir);
  visit(dir);
  return out.sort();
}

describe("ctxsize's own image: the build context", () => {
  it('the effective context holds what the build needs: manifests, lockfile, tsconfig, src, scripts, bin', () => {
    const effective = ls(['--effective']);
    for (const needed of NEEDED) assert.ok(effective.includes(needed), `${needed} is not transferred`);
    // The whole of src/, scripts/ and bin/: the build compiles every module and bundles the CLI.
    for (const dir of ['src', 'scripts', 'bin']) {
      const onDisk = filesUnder(REPO, dir);
      assert.deepEqual(effective.filter((p) => p === dir || p.startsWith(dir + '/')), onDisk, dir);
    }
  });

  it('nothing heavy or secret is sent, under BuildKit (sent and transferred) or the classic builder', () => {
    for (const args of [['--effective'], [], ['--builder', 'classic']]) {
      const paths = ls(args);
      const heavy = paths.filter(isHeavy);
      assert.deepEqual(heavy, [], `ctxsize ls ${args.join(' ')} sends ${heavy.slice(0, 5).join(', ')}`);
    }
  });

  it('the ignore file is exact: BuildKit sends only what the Dockerfile uses', () => {
    assert.deepEqual(ls([]), ls(['--effective']));
    // The classic builder also uploads the Dockerfile and .dockerignore, whatever the patterns say.
    assert.deepEqual(ls(['--builder', 'classic']), [...ls([]), '.dockerignore', 'Dockerfile'].sort());
  });
});

describe("ctxsize's own image: check and suggest on a fresh clone", () => {
  // A fresh clone (the tracked and new files, as CI checks out) plus what a developer's
  // checkout also holds, so that the ignore file is tested against both. The real checkout may
  // hold huge generated trees (bench/.trees), which would only slow `check` down.
  let clone = '';
  before(() => {
    clone = mkdtempSync(path.join(tmpdir(), 'ctxsize-repo-'));
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f !== '' && existsSync(path.join(REPO, f)));
    for (const file of files) {
      mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
      copyFileSync(path.join(REPO, file), path.join(clone, file));
    }
    const plant: Record<string, string> = {
      'node_modules/typescript/lib/typescript.js': 'x'.repeat(10_000),
      '.git/HEAD': 'ref: refs/heads/main\n',
      'dist/index.js': 'export {};\n',
      '.env': 'NPM_TOKEN=local\n',
      'ctxsize-0.1.0.tgz': 'tgz',
      'npm-debug.log': 'log',
    };
    for (const [file, content] of Object.entries(plant)) {
      mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
      writeFileSync(path.join(clone, file), content);
    }
  });
  after(() => rmSync(clone, { recursive: true, force: true }));

  it('ctxsize check --strict passes: no error, no warning, under either builder', () => {
    for (const builder of ['buildkit', 'classic']) {
      const r = runCtxsize(['check', '--strict', '--json', '--builder', builder, '.'], { cwd: clone });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as { summary: { errors: number; warnings: number }; findings: { rule: string; severity: string }[] };
      assert.equal(report.summary.errors + report.summary.warnings, 0, JSON.stringify(report.findings));
    }
  });

  it('ctxsize suggest has nothing to add', () => {
    const r = runCtxsize(['suggest', '--json', '.'], { cwd: clone });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { suggestions: unknown[]; combined: { lines: string[] } };
    assert.deepEqual(report.suggestions, []);
    assert.deepEqual(report.combined.lines, []);
  });

  it('the planted heavy paths and secrets stay out', () => {
    const paths = ls([], clone);
    assert.deepEqual(paths.filter(isHeavy), []);
    assert.deepEqual(ls([], clone), ls(['--effective'], clone));
  });

  it('the real Docker CLI (classic builder) uploads exactly what ctxsize lists', async (t) => {
    const docker = findDocker();
    if ('missing' in docker) {
      t.skip(`docker CLI not found: ${docker.missing}`);
      return;
    }
    const daemon = await startFakeDockerDaemon();
    const config = mkdtempSync(path.join(tmpdir(), 'ctxsize-docker-config-'));
    try {
      const result = await runDockerBuild(daemon, docker.cli, clone, path.join(clone, 'Dockerfile'), config);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(result.build, 'the build request reached the fake daemon');
      const uploaded = { entries: contextFromTar(result.build.context) };
      assert.equal(diffOutcomes(uploaded, ctxsizeOutcome(clone, 'Dockerfile', 'classic')), null);
      assert.deepEqual(uploaded.entries.map((e) => e.path).filter(isHeavy), []);
    } finally {
      await daemon.close();
      rmSync(config, { recursive: true, force: true });
    }
  });

  it('a secret dropped inside src/ is caught by check (the allow-list lets src/ in whole)', () => {
    const secret = path.join(clone, 'src', '.env');
    writeFileSync(secret, 'AWS_SECRET_ACCESS_KEY=local\n');
    try {
      const r = runCtxsize(['check', '--json', '.'], { cwd: clone });
      assert.equal(r.status, 1, r.stdout);
      const report = JSON.parse(r.stdout) as { findings: { rule: string; file: string; paths?: string[] }[] };
      assert.ok(report.findings.some((f) => f.rule === 'secret-file' && (f.file === 'src/.env' || f.paths?.includes('src/.env'))), r.stdout);
    } finally {
      rmSync(secret);
    }
  });
});

describe("ctxsize's own image: the Dockerfile", () => {
  let dockerfile: Dockerfile;
  let runtime: Stage;
  before(() => {
    dockerfile = parseDockerfile(readFileSync(path.join(REPO, 'Dockerfile'), 'utf8'), 'Dockerfile');
    runtime = dockerfile.stages.at(-1)!;
  });

  const words = (i: Instruction): string[] => (i.kind === 'OTHER' ? i.args : i.kind === 'RUN' ? i.command.join(' ').split(/\s+/) : []);
  const runs = (stage: Stage): string[] => stage.instructions.filter((i) => i.kind === 'RUN').map((i) => (i.kind === 'RUN' ? i.command.join(' ') : ''));
  const copies = (stage: Stage): CopyInstruction[] => stage.instructions.filter((i): i is CopyInstruction => i.kind === 'COPY');
  const last = (stage: Stage, keyword: string): Instruction | undefined => stage.instructions.filter((i) => i.keyword === keyword).at(-1);

  it('is a multi-stage build on a small Node 20 image', () => {
    assert.ok(dockerfile.stages.length >= 2);
    const images = dockerfile.stages.map((s) => s.from.image);
    const defaults = new Map(dockerfile.metaArgs.flatMap((a) => a.args.map((d) => [d.key, d.value ?? ''] as const)));
    for (const image of images) {
      const resolved = image.replace(/^\$\{?(\w+)\}?$/, (_, name: string) => defaults.get(name) ?? image);
      assert.match(resolved, /^node:20(\.\d+)*-(alpine|slim)\b/, `${image} is not a small Node 20 image`);
    }
  });

  it('builds with every dependency, and ships only production dependencies, dist and bin', () => {
    const build = dockerfile.stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)));
    assert.ok(build, 'a stage runs npm run build');
    assert.ok(runs(build).some((r) => /^npm ci\b/.test(r) && !/--omit=dev/.test(r)), 'the build stage installs dev dependencies with npm ci');
    assert.notEqual(build, runtime);
    assert.deepEqual(runs(runtime), [], 'the runtime stage runs nothing: no npm, no compiler');
    const fromStages = copies(runtime).filter((c) => c.from !== undefined);
    const modules = fromStages.find((c) => c.sources.some((s) => /node_modules$/.test(s)));
    assert.ok(modules, 'node_modules comes from another stage');
    const depsStage = dockerfile.stages.find((s) => s.name === modules.from);
    assert.ok(depsStage && runs(depsStage).some((r) => /^npm ci\b.*--omit=dev/.test(r)), 'that stage installs production dependencies only');
    assert.ok(fromStages.some((c) => c.from === build.name && c.sources.some((s) => /dist$/.test(s))), 'dist comes from the build stage');
    const fromContext = copies(runtime).filter((c) => c.from === undefined).flatMap((c) => c.sources);
    assert.deepEqual(fromContext.filter((s) => !['package.json', 'LICENSE', 'bin'].includes(s)), [], 'the runtime stage copies nothing else from the context');
  });

  it('runs as a non-root user, measures /src, and has the documented entry point', () => {
    const user = last(runtime, 'USER');
    assert.ok(user, 'USER is set');
    const [name] = words(user)[0]!.split(':');
    assert.ok(name !== 'root' && name !== '0', `USER ${name}`);
    assert.deepEqual(words(last(runtime, 'WORKDIR')!), ['/src']);
    const entrypoint = last(runtime, 'ENTRYPOINT');
    assert.ok(entrypoint && entrypoint.kind === 'OTHER' && entrypoint.json, 'ENTRYPOINT in exec form');
    assert.deepEqual(entrypoint.args, ['node', '/app/bin/ctxsize.js']);
    // The entry point's paths exist where the stage puts them: /app/bin from the context, and the
    // package.json (type: module, version) next to dist.
    assert.deepEqual(words(runtime.instructions.find((i) => i.keyword === 'WORKDIR')!), ['/app']);
    assert.ok(copies(runtime).some((c) => c.from === undefined && c.sources.includes('bin') && c.dest === './bin'));
    assert.ok(copies(runtime).some((c) => c.from === undefined && c.sources.includes('package.json')));
  });
});
