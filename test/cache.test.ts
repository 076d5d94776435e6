import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { analyzeCache, buildSteps, InputIndex, invalidate, proposeFixes, propagateRebuilds, replayHistory, stepsChangedByDockerfile } from '../src/cache/index.js';
import { parseDockerfile } from '../src/dockerfile/index.js';
import { DEPENDENCY_TOOLS, matchInstall } from '../src/knowledge/dependencies.js';
import { runCli } from '../src/cli.js';

const steps = (text: string, target?: string) => buildSteps(parseDockerfile(text, 'Dockerfile'), target ? { target } : {});

const MULTI = `FROM alpine AS base
WORKDIR /w
COPY lib /lib
RUN make lib
FROM base AS build
COPY src /src
RUN make
FROM alpine
COPY --from=build /out /out
COPY conf.txt /etc/conf.txt
CMD ["/out"]
`;

function rebuilt(text: string, changed: string[], ignore: string[] = []) {
  const build = steps(text);
  const index = new InputIndex(build, { file: '.dockerignore', rules: ignore.map((p, i) => ({ pattern: p, line: i + 1, source: p })) });
  const { direct } = invalidate(index, changed);
  return propagateRebuilds(build, direct).map((v, i) => `${build.steps[i]!.vertex}=${String(v.rebuilds)}`);
}

test('steps: the vertices BuildKit prints, in build order', () => {
  const build = steps(MULTI);
  assert.deepEqual(build.steps.map((s) => `${s.vertex} ${s.instruction}`), [
    '[base 1/4] FROM alpine AS base',
    '[base 2/4] WORKDIR /w',
    '[base 3/4] COPY lib /lib',
    '[base 4/4] RUN make lib',
    '[build 1/2] COPY src /src',
    '[build 2/2] RUN make',
    '[stage-2 1/3] FROM alpine',
    '[stage-2 2/3] COPY --from=build /out /out',
    '[stage-2 3/3] COPY conf.txt /etc/conf.txt',
  ]);
  assert.deepEqual(build.steps[7]!.readsStages, [1]);
  assert.deepEqual(steps('FROM x\nCOPY a b\n').steps.map((s) => s.vertex), ['[1/2]', '[2/2]']);
});

test('rebuilds: a change rebuilds its first reader, the rest of the stage, stages FROM it; COPY --from is maybe', () => {
  assert.deepEqual(rebuilt(MULTI, ['lib/x.c']), [
    '[base 1/4]=false', '[base 2/4]=false', '[base 3/4]=true', '[base 4/4]=true',
    '[build 1/2]=true', '[build 2/2]=true',
    '[stage-2 1/3]=false', '[stage-2 2/3]=maybe', '[stage-2 3/3]=maybe',
  ]);
  assert.deepEqual(rebuilt(MULTI, ['conf.txt']).filter((s) => !s.endsWith('false')), ['[stage-2 3/3]=true']);
  assert.deepEqual(rebuilt(MULTI, ['README.md']).filter((s) => !s.endsWith('false')), []);
  // The ignore file decides first: an excluded file is never read.
  assert.deepEqual(rebuilt(MULTI, ['lib/x.o'], ['**/*.o']).filter((s) => !s.endsWith('false')), []);
  // A maybe followed by a definite change is a definite rebuild.
  assert.deepEqual(rebuilt(MULTI, ['src/a.c', 'conf.txt']).slice(7), ['[stage-2 2/3]=maybe', '[stage-2 3/3]=true']);
});

test('rebuilds: causes name the file, then the earlier step, then the stage', () => {
  const build = steps(MULTI);
  const index = new InputIndex(build, null);
  const { direct, files } = invalidate(index, ['lib/a.c', 'notes.txt']);
  const v = propagateRebuilds(build, direct);
  assert.deepEqual(v[2]!.cause, { type: 'file', path: 'lib/a.c' });
  assert.deepEqual(v[3]!.cause, { type: 'step', stage: 'base', line: 3, instruction: 'COPY lib /lib' });
  assert.deepEqual(v[4]!.cause, { type: 'stage', stage: 'base' });
  assert.deepEqual(files, [
    { path: 'lib/a.c', firstStep: 2, status: 'read' },
    { path: 'notes.txt', firstStep: null, status: 'unread' },
  ]);
});

test('rebuilds: wildcards, a bind mount of the context, and a target that leaves stages out', () => {
  const text = 'FROM a AS one\nCOPY *.json ./\nRUN --mount=type=bind,source=cfg,target=/c x\nFROM a AS two\nCOPY . .\n';
  const one = steps(text, 'one');
  assert.deepEqual(one.steps.map((s) => s.stage), ['one', 'one', 'one']);
  const index = new InputIndex(one, null);
  assert.deepEqual(index.stepsReading('package.json'), [1]);
  assert.deepEqual(index.stepsReading('sub/package.json'), []);
  assert.deepEqual(index.stepsReading('cfg/a/b'), [2]);
  assert.deepEqual(index.stepsReading('src/x'), []);
});

test('Dockerfile edits: the first differing step of each stage; ENV before a RUN counts for the RUN only', () => {
  const before = steps('FROM a\nCOPY x /x\nENV A=1\nRUN r\nRUN s\n');
  const env = steps('FROM a\nCOPY x /x\nENV A=2\nRUN r\nRUN s\n');
  assert.deepEqual([...stepsChangedByDockerfile(before, env).keys()], [2]);
  const copy = steps('FROM a\nCOPY y /x\nENV A=1\nRUN r\nRUN s\n');
  assert.deepEqual([...stepsChangedByDockerfile(before, copy).keys()], [1]);
  const base = steps('FROM b\nCOPY x /x\nENV A=1\nRUN r\nRUN s\n');
  assert.deepEqual([...stepsChangedByDockerfile(before, base).keys()], [0]);
  assert.deepEqual([...stepsChangedByDockerfile(before, before).keys()], []);
  assert.deepEqual([...stepsChangedByDockerfile(null, before).keys()], [0]);
});

test('history: per step, commits that rebuild it and the files that started it', () => {
  const build = steps('FROM n\nCOPY package.json ./\nRUN npm ci\nCOPY . .\nRUN build\n');
  const index = new InputIndex(build, { file: '.dockerignore', rules: [{ pattern: 'dist', line: 1, source: 'dist' }] });
  const summary = replayHistory(build, index, [
    { commit: 'a', changed: ['src/x.ts'] },
    { commit: 'b', changed: ['package.json', 'src/y.ts'] },
    { commit: 'c', changed: ['README.md'] },
    { commit: 'd', changed: ['dist/out.js'] },
  ]);
  assert.equal(summary.commits, 4);
  assert.deepEqual(summary.steps.map((s) => s.rebuilt), [0, 1, 1, 3, 3]);
  assert.deepEqual(summary.steps[2]!.causes, [{ path: 'package.json', commits: 1 }]);
  assert.deepEqual(summary.steps[4]!.causes.map((c) => c.path), ['README.md', 'package.json', 'src/x.ts', 'src/y.ts']);
});

test('knowledge: install commands of each tool, and the ones that need the source', () => {
  const cases: [string, string | null, boolean?][] = [
    ['npm ci', 'npm'],
    ['npm ci --omit=dev', 'npm'],
    ['npm install express', null],
    ['pnpm install --frozen-lockfile', 'pnpm'],
    ['yarn install --frozen-lockfile', 'yarn'],
    ['yarn', 'yarn'],
    ['pip install --no-cache-dir -r requirements.txt', 'pip'],
    ['pip install .', 'pip', false],
    ['poetry install --no-root', 'poetry'],
    ['poetry install', 'poetry', false],
    ['uv sync --frozen --no-install-project', 'uv'],
    ['pipenv install --deploy --system', 'pipenv'],
    ['go mod download', 'go'],
    ['cargo fetch', 'cargo'],
    ['cargo build --release', 'cargo', false],
    ['bundle install', 'bundler'],
    ['mvn -B dependency:go-offline', 'maven'],
    ['./gradlew dependencies --no-daemon', 'gradle'],
    ['composer install --no-scripts --no-autoloader', 'composer'],
    ['composer install', 'composer', false],
    ['make', null],
  ];
  for (const [command, tool, manifestsOnly = true] of cases) {
    const m = matchInstall(command);
    assert.equal(m?.tool.id ?? null, tool, command);
    if (m) assert.equal(m.manifestsOnly, manifestsOnly, command);
  }
  assert.deepEqual(matchInstall('pip install -r requirements/prod.txt')!.named, ['requirements/prod.txt']);
  assert.equal(DEPENDENCY_TOOLS.length, 13);
  for (const tool of DEPENDENCY_TOOLS) assert.ok(tool.manifests.length > 0 && tool.reason, tool.id);
});

const NODE = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n';

function fixFor(text: string, files: Record<string, string>) {
  const dockerfile = parseDockerfile(text, 'Dockerfile');
  return proposeFixes(dockerfile, buildSteps(dockerfile), {
    sentFiles: new Set(Object.keys(files)),
    readText: (p) => files[p] ?? null,
    text,
    name: 'Dockerfile',
  });
}

test('fix: copy the manifests first, install, then the rest', () => {
  const [fix] = fixFor(NODE, { 'package.json': '{}', 'package-lock.json': '{}', 'src/a.js': '' });
  assert.ok(fix);
  assert.equal(fix.writable, true, fix.reasons.join('; '));
  assert.deepEqual(fix.manifests, ['package.json', 'package-lock.json']);
  assert.equal(fix.proposed, 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n');
  assert.match(fix.diff!, /^\+COPY package.json package-lock.json \.\/$/m);
  assert.match(fix.cacheMount!, /--mount=type=cache,target=\/root\/.npm npm ci/);
});

test('fix: shown, not written, when the install may read more or a step sits between', () => {
  const hook = fixFor(NODE, { 'package.json': '{"scripts":{"postinstall":"prisma generate"}}', 'src/a.js': '' })[0]!;
  assert.equal(hook.writable, false);
  assert.match(hook.reasons[0]!, /postinstall/);
  const between = fixFor('FROM node\nCOPY . .\nRUN ./gen.sh\nRUN npm ci\n', { 'package.json': '{}' })[0]!;
  assert.equal(between.writable, false);
  assert.match(between.reasons.join(), /RUN at line 3/);
  const modules = fixFor(NODE, { 'package.json': '{}', 'node_modules/x/index.js': '' })[0]!;
  assert.equal(modules.writable, false);
  assert.match(modules.reasons.join(), /node_modules/);
  const chained = fixFor('FROM node\nCOPY . .\nRUN npm ci && npm run build\n', { 'package.json': '{}' })[0]!;
  assert.equal(chained.proposed, null);
  // Manifests already copied on their own: nothing to fix.
  assert.deepEqual(fixFor('FROM node\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n', { 'package.json': '{}' }), []);
});

test('fix: pip takes the files it names; a subdirectory source keeps its layout', () => {
  const [pip] = fixFor('FROM python\nCOPY app /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n', { 'app/requirements.txt': 'flask\n', 'app/main.py': '' });
  // WORKDIR sits between: shown, not written.
  assert.equal(pip!.writable, false);
  assert.match(pip!.proposed!, /COPY app\/requirements.txt \/app\/\nRUN pip install/);
  const [go] = fixFor('FROM golang\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build ./...\n', { 'go.mod': 'module x\n', 'go.sum': '', 'main.go': '' });
  assert.equal(go!.writable, true);
  assert.match(go!.proposed!, /COPY go.mod go.sum \.\/\nRUN go mod download\nCOPY \. \./);
});

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctxsize-cache-'));
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), c);
  }
  const run = (...args: string[]) => assert.equal(spawnSync('git', ['-c', 'user.email=t@e', '-c', 'user.name=t', ...args], { cwd: dir }).status, 0, args.join(' '));
  run('init', '-q');
  run('add', '-A');
  run('commit', '-qm', 'one');
  return dir;
}

test('analyzeCache: inputs counted and sized after the ignore file; working tree vs HEAD with untracked files', () => {
  const dir = repo({ Dockerfile: NODE, '.dockerignore': 'docs\n.git\n', 'package.json': '{}', 'package-lock.json': '{}', 'src/a.js': 'aaaa', 'docs/x.md': 'x' });
  try {
    writeFileSync(path.join(dir, 'src/b.js'), 'b');
    writeFileSync(path.join(dir, 'docs/y.md'), 'y');
    const report = analyzeCache({ dir });
    assert.equal(report.schemaVersion, 1);
    const copy = report.steps.find((s) => s.instruction === 'COPY . .')!;
    assert.deepEqual(copy.inputs, { files: 6, bytes: NODE.length + 10 + 2 + 2 + 4 + 1 });
    assert.deepEqual(report.steps.map((s) => s.rebuilds), [false, false, true, true, true]);
    assert.deepEqual(report.since!.changed.map((c) => [c.path, c.status]), [['docs/y.md', 'ignored'], ['src/b.js', 'read']]);
    assert.equal(report.fixes[0]!.benefit!.commits, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ctxsize cache: --json, the gate, --write applies a safe reordering', async () => {
  const dir = repo({ Dockerfile: NODE, 'package.json': '{}', 'src/a.js': 'a' });
  try {
    writeFileSync(path.join(dir, 'src/a.js'), 'b');
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: {}, cwd: dir } as never;
    assert.equal(await runCli(['cache', '--json', '--max-rebuild-steps', '2'], io), 1);
    const doc = JSON.parse(out.join(''));
    assert.equal(doc.steps.length, 5);
    assert.equal(doc.steps[2].cause.path, 'src/a.js');
    assert.match(err.join(''), /3 steps rebuild, more than --max-rebuild-steps 2/);
    out.length = 0;
    assert.equal(await runCli(['cache', '--write', '--history'], io), 0);
    assert.match(readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), /COPY package.json \.\/\nRUN npm ci\nCOPY \. \./);
    assert.equal(await runCli(['cache', '--format', 'yaml'], io), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('steps: --platform picks the stages of that platform', () => {
  const text = 'FROM a AS build-amd64\nCOPY x86 /x\nFROM a AS build-arm64\nCOPY arm /x\nFROM build-$TARGETARCH\nRUN run\n';
  const dockerfile = parseDockerfile(text, 'Dockerfile');
  const arm = buildSteps(dockerfile, { platform: { os: 'linux', architecture: 'arm64', variant: '' } });
  assert.equal(arm.platform, 'linux/arm64');
  assert.deepEqual(arm.steps.map((s) => s.instruction), ['FROM a AS build-arm64', 'COPY arm /x', 'RUN run']);
  const amd = buildSteps(dockerfile, { platform: { os: 'linux', architecture: 'amd64', variant: '' } });
  assert.deepEqual(amd.steps.map((s) => s.instruction), ['FROM a AS build-amd64', 'COPY x86 /x', 'RUN run']);
});

test('rebuilds: a COPY --from a stage of plain COPYs is decided by the paths that changed there', () => {
  const text = 'FROM a AS assets\nWORKDIR /w\nCOPY web ./site\nCOPY conf.txt /conf/\nFROM b\nCOPY --from=assets /w/site/css /css\nCOPY --from=assets /conf /etc/app\n';
  const build = steps(text);
  const index = new InputIndex(build, null);
  const verdicts = (changed: string[]) => {
    const { direct, filesByStep } = invalidate(index, changed);
    return propagateRebuilds(build, direct, filesByStep).slice(4).map((v) => v.rebuilds);
  };
  assert.deepEqual(verdicts(['conf.txt']), [false, false, true]);
  assert.deepEqual(verdicts(['web/css/a.css']), [false, true, true]);
  assert.deepEqual(verdicts(['web/index.html']), [false, false, false]);
  // A RUN in the stage makes its content unknown again.
  const withRun = steps(text.replace('COPY conf.txt /conf/', 'RUN make\nCOPY conf.txt /conf/'));
  const runIndex = new InputIndex(withRun, null);
  const { direct, filesByStep } = invalidate(runIndex, ['web/index.html']);
  assert.deepEqual(propagateRebuilds(withRun, direct, filesByStep).slice(5).map((v) => v.rebuilds), [false, 'maybe', 'maybe']);
});
