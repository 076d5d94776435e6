import assert from 'node:assert/strict';
import path from 'node:path';
import { sink } from './support/sink.js';
import { describe, it } from 'node:test';
import { runCli } from '../src/cli.js';
import { contextSources, parseDockerfile } from '../src/dockerfile/index.js';
import { defaultBuildPlatform, formatPlatform, parsePlatform, platformArgs } from '../src/dockerfile/platform.js';
import { imageReferenceProblem } from '../src/dockerfile/reference.js';
import { forEachEffectiveEntry } from '../src/effective/effective.js';
import { withTree, type TreeSpec } from './support/tree.js';

/** `ctxsize ARGS` in this process, with a clean environment unless `env` adds to it. */
async function ctxsize(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const status = await runCli(args, { stdout: out.stream, stderr: err.stream, env: { NO_COLOR: '1', ...env }, cwd });
  return { status, stdout: out.text(), stderr: err.text() };
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
const HOST = defaultBuildPlatform();
const HOST_TEXT = formatPlatform(HOST);

/** BuildKit's own Dockerfile, reduced: the default target reaches a stage through FROM x-$TARGETOS. */
const BUILDKIT_LIKE: TreeSpec = {
  'Dockerfile': [
    'ARG GO_VERSION=1.21',
    'FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS gobase',
    'WORKDIR /src',
    'FROM gobase AS buildctl',
    'RUN --mount=target=. --mount=target=/root/.cache,type=cache go build ./cmd/buildctl',
    'FROM scratch AS binaries-linux',
    'COPY --link --from=buildctl /usr/bin/buildctl /',
    'FROM scratch AS binaries-windows',
    'COPY --link --from=buildctl /usr/bin/buildctl /buildctl.exe',
    'FROM binaries-$TARGETOS AS binaries',
    '',
  ].join('\n'),
  'cmd/buildctl/main.go': 'package main',
  '.env': 'AWS_SECRET_ACCESS_KEY=x',
  'README.md': 'readme',
};

describe('platform arguments (BuildKit defines them without --build-arg)', () => {
  it('maps Node architectures to Go names, with the ARM variant', () => {
    assert.deepEqual(defaultBuildPlatform('x64'), { os: 'linux', architecture: 'amd64', variant: '' });
    assert.deepEqual(defaultBuildPlatform('arm64'), { os: 'linux', architecture: 'arm64', variant: '' });
    assert.deepEqual(defaultBuildPlatform('arm', '6'), { os: 'linux', architecture: 'arm', variant: 'v6' });
    assert.deepEqual(defaultBuildPlatform('arm', undefined), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(defaultBuildPlatform('ia32'), { os: 'linux', architecture: '386', variant: '' });
    assert.deepEqual(platformArgs(defaultBuildPlatform('x64'), parsePlatform('linux/arm/v6')), {
      BUILDPLATFORM: 'linux/amd64', BUILDOS: 'linux', BUILDARCH: 'amd64', BUILDVARIANT: '',
      TARGETPLATFORM: 'linux/arm/v6', TARGETOS: 'linux', TARGETARCH: 'arm', TARGETVARIANT: 'v6',
    });
  });

  it('parses and normalizes platforms as containerd does', () => {
    const table: [string, string][] = [
      ['linux/amd64', 'linux/amd64'],
      ['linux/x86_64', 'linux/amd64'],
      ['linux/arm64/v8', 'linux/arm64'],
      ['linux/aarch64', 'linux/arm64'],
      ['linux/arm', 'linux/arm/v7'],
      ['linux/armhf', 'linux/arm/v7'],
      ['Linux/ARM/6', 'linux/arm/v6'],
      ['windows/amd64', 'windows/amd64'],
      ['macos/arm64', 'darwin/arm64'],
    ];
    for (const [text, want] of table) assert.equal(formatPlatform(parsePlatform(text)), want, text);
    for (const bad of ['', 'linux/', 'linux/amd64/v1/x', 'linux/*', 'nonsense', 'linux/am d64']) {
      assert.throws(() => parsePlatform(bad), /./, bad);
    }
  });

  it('FROM x-$TARGETOS reaches the Linux stage, and its bind mount sends the whole context', () =>
    withTree(BUILDKIT_LIKE, (root) => {
      const paths: string[] = [];
      forEachEffectiveEntry({ dir: root }, (e) => paths.push(e.path));
      assert.deepEqual(paths.sort(), ['.env', 'Dockerfile', 'README.md', 'cmd', 'cmd/buildctl', 'cmd/buildctl/main.go']);
    }));

  it('check finds the secret that the platform stage sends', () =>
    withTree(
      {
        'Dockerfile': 'FROM alpine AS build-linux\nCOPY . /src\nFROM alpine AS build-darwin\nFROM build-$TARGETOS\n',
        // AWS's documented example keys would be placeholders: a value of no known sample.
        '.env': 'API_TOKEN=' + 'Zk39vLq2Xw8TmR4p\n',
      },
      async (root) => {
        const r = await ctxsize(['check', '--json', root], root);
        const findings = (JSON.parse(r.stdout) as { findings: { rule: string; file: string }[] }).findings;
        assert.ok(findings.some((f) => f.rule.startsWith('secret') && f.file.endsWith('.env')), r.stdout);
      },
    ));

  it('dist/$TARGETPLATFORM is the target platform; inside a stage only after ARG', () =>
    withTree(
      {
        'Dockerfile': 'FROM alpine\nARG TARGETPLATFORM\nCOPY ./dist/$TARGETPLATFORM/app /\nCOPY bin-$TARGETARCH /\n',
        'dist/linux/amd64/app': 'a',
        'dist/linux/arm64/app': 'b',
        'bin-': 'not declared in the stage: TARGETARCH is empty',
        [`bin-${HOST.architecture}`]: 'c',
      },
      (root) => {
        const paths = (platforms?: string[]) => {
          const list: string[] = [];
          forEachEffectiveEntry({ dir: root, ...(platforms ? { platforms } : {}) }, (e) => list.push(e.path));
          return list.sort();
        };
        assert.deepEqual(paths(), ['bin-', 'dist', 'dist/linux', `dist/${HOST_TEXT}`, `dist/${HOST_TEXT}/app`].sort());
        assert.deepEqual(paths(['linux/arm64']), ['bin-', 'dist', 'dist/linux', 'dist/linux/arm64', 'dist/linux/arm64/app']);
        // Several platforms: the union of what each build sends.
        assert.deepEqual(paths(['linux/amd64,linux/arm64']), [
          'bin-', 'dist', 'dist/linux', 'dist/linux/amd64', 'dist/linux/amd64/app', 'dist/linux/arm64', 'dist/linux/arm64/app',
        ]);
      },
    ));

  it('--build-arg overrides a platform argument, globally and in a stage', () => {
    const text = 'FROM alpine AS bin-linux\nCOPY l /\nFROM alpine AS bin-darwin\nCOPY d /\nFROM bin-$TARGETOS\nARG TARGETOS\nCOPY os-$TARGETOS /\n';
    const sources = (buildArgs: Record<string, string>) => contextSources(parseDockerfile(text), { buildArgs }).map((s) => s.path);
    assert.deepEqual(sources({}), ['l', 'os-linux']);
    assert.deepEqual(sources({ TARGETOS: 'darwin' }), ['d', 'os-darwin']);
  });
});

describe('--platform in every command', () => {
  const TREE: TreeSpec = {
    'Dockerfile': 'FROM alpine\nARG TARGETARCH\nCOPY out/$TARGETARCH/ /app/\n',
    'out/amd64/app': 'x'.repeat(10),
    'out/arm64/app': 'y'.repeat(20),
    'out/riscv64/app': 'z'.repeat(40),
  };

  it('ls --effective, repeatable and comma-separated', () =>
    withTree(TREE, async (root) => {
      const arm = await ctxsize(['ls', '--effective', '--platform', 'linux/arm64', '.'], root);
      assert.equal(arm.status, 0, arm.stderr);
      assert.deepEqual(lines(arm.stdout), ['out', 'out/arm64', 'out/arm64/app']);
      const both = await ctxsize(['ls', '--effective', '--platform', 'linux/arm64', '--platform', 'linux/riscv64', '.'], root);
      assert.deepEqual(lines(both.stdout), ['out', 'out/arm64', 'out/arm64/app', 'out/riscv64', 'out/riscv64/app']);
      const bad = await ctxsize(['ls', '--effective', '--platform', 'linux/*', '.'], root);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--platform linux\/\*/);
      const notEffective = await ctxsize(['ls', '--platform', 'linux/arm64', '.'], root);
      assert.equal(notEffective.status, 2);
    }));

  it('measure: the union, and per platform what each build uses in JSON', () =>
    withTree(TREE, async (root) => {
      const r = await ctxsize(['--json', '--platform', 'linux/arm64,linux/riscv64', '.'], root);
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { effective: { bytes: number }; effectivePlatforms: { platform: string; scope: string; includePaths: string[] }[] };
      assert.equal(doc.effective.bytes, 60);
      assert.deepEqual(doc.effectivePlatforms, [
        { platform: 'linux/arm64', scope: 'paths', includePaths: ['out/arm64'] },
        { platform: 'linux/riscv64', scope: 'paths', includePaths: ['out/riscv64'] },
      ]);
    }));

  it('the platform key of .ctxsizerc.json, then DOCKER_DEFAULT_PLATFORM; the flag wins', () =>
    withTree({ ...TREE, '.ctxsizerc.json': '{"platform": ["linux/riscv64"]}' }, async (root) => {
      const bytes = async (args: string[], env: NodeJS.ProcessEnv = {}) =>
        (JSON.parse((await ctxsize(['--json', ...args, '.'], root, env)).stdout) as { effective: { bytes: number } }).effective.bytes;
      assert.equal(await bytes([]), 40);
      assert.equal(await bytes(['--platform', 'linux/arm64']), 20);
      assert.equal(await bytes(['--no-config'], { DOCKER_DEFAULT_PLATFORM: 'linux/arm64' }), 20);
      const ls = await ctxsize(['ls', '--effective', '.'], root);
      assert.deepEqual(lines(ls.stdout), ['out', 'out/riscv64', 'out/riscv64/app']);
    }));

  it('an invalid platform key in the configuration is refused with its name', () =>
    withTree({ ...TREE, '.ctxsizerc.json': '{"platform": "linux/a b"}' }, async (root) => {
      const r = await ctxsize(['.'], root);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /platform/);
    }));

  it('check, suggest and explain take --platform', () =>
    withTree(TREE, async (root) => {
      const explain = await ctxsize(['explain', '--platform', 'linux/riscv64', '--json', 'out/riscv64/app'], root);
      const doc = JSON.parse(explain.stdout) as { effective: { platforms: string[]; usedBy: { line: number }[]; inEffectiveContext: boolean } };
      assert.deepEqual(doc.effective.platforms, ['linux/riscv64']);
      assert.equal(doc.effective.usedBy[0]!.line, 3);
      assert.equal(doc.effective.inEffectiveContext, true);
      const check = await ctxsize(['check', '--platform', 'linux/riscv64', '--json', '.'], root);
      assert.equal(check.status, 0, check.stdout);
      const missing = await ctxsize(['check', '--platform', 'linux/s390x', '--json', '.'], root);
      const rules = (JSON.parse(missing.stdout) as { findings: { rule: string; line: number }[] }).findings.map((f) => `${f.rule}:${f.line}`);
      assert.ok(rules.includes('source-missing:3'), rules.join());
      const suggest = await ctxsize(['suggest', '--platform', 'linux/arm64', '.'], root);
      assert.equal(suggest.status, 0, suggest.stderr);
    }));

  it('Compose: build.platforms, else the service platform', () =>
    withTree(
      {
        ...TREE,
        'compose.yaml': 'services:\n  multi:\n    build:\n      context: .\n      platforms: [linux/arm64, linux/riscv64]\n  one:\n    platform: linux/riscv64\n    build: .\n',
      },
      async (root) => {
        const r = await ctxsize(['--compose', '--json', '.'], root);
        assert.equal(r.status, 0, r.stderr);
        const services = (JSON.parse(r.stdout) as { services: { name: string; measurement: { effective: { bytes: number } } }[] }).services;
        assert.deepEqual(services.map((s) => [s.name, s.measurement.effective.bytes]), [['multi', 60], ['one', 40]]);
      },
    ));
});

describe('BuildKit refusals', () => {
  const refusals: [string, string, RegExp, string[]?][] = [
    ['FROM names a stage in another letter case', 'FROM alpine AS Tools\nCOPY a /\nFROM Tools\n', /Dockerfile:3: .*.*must be lowercase/],
    ['an invalid stage name', 'FROM alpine AS 1st\nCOPY a /\n', /Dockerfile:1: .*invalid name for build stage/],
    ['an invalid image after ARG expansion', 'ARG REG=My.Registry\nFROM $REG/App\nCOPY a /\n', /Dockerfile:2: .*failed to parse stage name/],
    ['a base that expands to nothing', 'ARG BASE\nFROM ${BASE}\nCOPY a /\n', /Dockerfile:2: .*base name .* should not be blank/],
    ['a variable in COPY --from', 'FROM alpine\nCOPY --from=$X /a /b\nCOPY a /\n', /Dockerfile:2: .*failed to parse stage name "\$X"/],
    ['a variable in a mount from=', 'FROM alpine\nRUN --mount=from=$X,target=/m true\n', /Dockerfile:2: .*'from' doesn't support variable expansion/],
    ['a bind mount over /', 'FROM alpine\nWORKDIR /\nRUN --mount=target=. true\n', /Dockerfile:3: .*invalid mount target "\/"/],
    ['a bind mount without target in the root directory', 'FROM alpine\nRUN --mount=type=bind,source=a b,target=/m true\n', /Dockerfile:2: .*invalid mount target/],
    ['an unknown instruction flag', 'FROM alpine\nCOPY --frm=x a /\n', /Dockerfile:2: .*Unknown flag: frm/],
    ['an unknown --target', 'FROM alpine AS app\nCOPY a /\n', /target stage "nope" could not be found/, ['--target', 'nope']],
    ['a dependency cycle', 'FROM alpine AS a\nCOPY --from=b /x /y\nFROM alpine AS b\nCOPY --from=a /x /y\n', /circular dependency/],
    ['COPY --from its own stage', 'FROM alpine\nCOPY --from=0 /x /y\nCOPY a /\n', /circular dependency/],
    ['a stage index out of range', 'FROM alpine\nCOPY --from=3 /x /y\n', /Dockerfile:2: .*invalid stage index 3/],
    ['an invalid FROM platform', 'FROM --platform=linux/a*b alpine\nCOPY a /\n', /Dockerfile:1: .*failed to parse platform/],
    ['a COPY from a URL', 'FROM alpine\nCOPY https://example.com/a /\n', /Dockerfile:2: .*source can't be a URL for COPY/],
  ];
  for (const [name, dockerfile, message, extra] of refusals) {
    it(`${name}: ls --effective exits 2 with the reason and line`, () =>
      withTree({ 'Dockerfile': dockerfile, 'a': 'a', 'b': 'b' }, async (root) => {
        const r = await ctxsize(['ls', '--effective', ...(extra ?? []), '.'], root);
        assert.equal(r.status, 2, r.stdout);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, message);
      }));
  }

  it('measure prints the context with the effective context unknown, and why; exit code unchanged', () =>
    withTree({ 'Dockerfile': 'FROM alpine AS Tools\nCOPY a /\nFROM Tools\n', 'a': 'abc' }, async (root) => {
      const r = await ctxsize(['--json', '.'], root);
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { context: { files: number }; effective: unknown; warnings: { code: string; message: string }[] };
      assert.equal(doc.context.files, 2);
      assert.equal(doc.effective, null);
      const note = doc.warnings.find((w) => w.code === 'EDOCKERFILE');
      assert.match(note?.message ?? '', /docker build would fail \(line 3\): .*lowercase/);
      const text = await ctxsize(['.'], root);
      assert.match(text.stdout.replace(/\s+/g, " "), /docker build would fail \(line 3\)/);
      const gate = await ctxsize(['--max-size', '1', '.'], root);
      assert.equal(gate.status, 1);
    }));

  it('check reports it as dockerfile-error with its line', () =>
    withTree({ 'Dockerfile': 'FROM alpine\nWORKDIR /\nRUN --mount=target=. make\n' }, async (root) => {
      const r = await ctxsize(['check', '--json', '.'], root);
      const findings = (JSON.parse(r.stdout) as { findings: { rule: string; line: number; message: string }[] }).findings;
      const error = findings.find((f) => f.rule === 'dockerfile-error');
      assert.equal(error?.line, 3);
      assert.match(error!.message, /invalid mount target/);
      assert.equal(r.status, 1);
    }));

  it('validates image references as docker/distribution does', () => {
    for (const ok of ['alpine', 'alpine:3.19', 'golang:1.21-alpine', 'ghcr.io/o/r:tag', 'localhost:5000/x', 'My.Registry:5000/app',
      `alpine@sha256:${'a'.repeat(64)}`, 'docker.io/library/node:20', 'a__b', 'a-b.c_d', '[::1]:5000/x']) {
      assert.equal(imageReferenceProblem(ok), null, ok);
    }
    for (const bad of ['Tools', 'bin-', 'app/', ':latest', 'a:b:c', `${'a'.repeat(64)}`, `alpine@sha256:${'A'.repeat(64)}`, 'x@md5:0123456789abcdef0123456789abcdef', '-a']) {
      assert.notEqual(imageReferenceProblem(bad), null, bad);
    }
  });
});

describe('variables nothing sets are named, with their line, wherever the effective context is used', () => {
  const TREE: TreeSpec = {
    'Dockerfile': 'FROM alpine AS app\nARG VERSION\nCOPY dist/app-$VERSION.jar /app.jar\nFROM scratch\nARG CONF\nCOPY --from=app /app.jar /\nCOPY $CONF /etc/\n',
    'dist/app-1.jar': 'jar',
    'conf/a': 'a',
  };
  const WORDS = [/Dockerfile:3: COPY source "dist\/app-\$VERSION\.jar": \$VERSION is not set/, /Dockerfile:7: COPY source "\$CONF": \$CONF is not set .*it reads the whole context/];

  it('ls --effective warns on stderr', () =>
    withTree(TREE, async (root) => {
      const r = await ctxsize(['ls', '--effective', '.'], root);
      assert.equal(r.status, 0);
      for (const w of WORDS) assert.match(r.stderr, w);
      const given = await ctxsize(['ls', '--effective', '--build-arg', 'VERSION=1', '--build-arg', 'CONF=conf', '.'], root);
      assert.equal(given.stderr, '');
      assert.deepEqual(lines(given.stdout), ['conf', 'conf/a', 'dist', 'dist/app-1.jar']);
    }));

  it('measure lists them as warnings', () =>
    withTree(TREE, async (root) => {
      const doc = JSON.parse((await ctxsize(['--json', '.'], root)).stdout) as { warnings: { code: string; message: string }[] };
      const messages = doc.warnings.filter((w) => w.code === 'EUNRESOLVED').map((w) => w.message);
      assert.equal(messages.length, 2);
      assert.match(messages[0]!, /^line 3: /);
    }));

  it('check reports unresolved-variable findings, explain and suggest warn', () =>
    withTree(TREE, async (root) => {
      const check = JSON.parse((await ctxsize(['check', '--json', '.'], root)).stdout) as { findings: { rule: string; line: number }[] };
      assert.deepEqual(check.findings.filter((f) => f.rule === 'unresolved-variable').map((f) => f.line), [3, 7]);
      const explain = await ctxsize(['explain', 'conf/a'], root);
      assert.match(explain.stderr, /line 7: COPY source "\$CONF"/);
      const suggest = await ctxsize(['suggest', '--json', '.'], root);
      assert.match(suggest.stdout, /Dockerfile:3: COPY source/);
    }));

  it('a FROM word that holds one is named too', () => {
    const text = 'FROM alpine AS app\nCOPY a /\nFROM app$SUFFIX\n';
    return withTree({ 'Dockerfile': text, 'a': 'a' }, async (root) => {
      const r = await ctxsize(['ls', '--effective', '.'], root);
      assert.match(r.stderr, /Dockerfile:3: FROM "app\$SUFFIX": \$SUFFIX is not set .*built from "app"/);
      assert.deepEqual(lines(r.stdout), ['a']);
    });
  });
});

describe('explain: does the target use PATH', () => {
  const TREE: TreeSpec = {
    'Dockerfile': 'FROM node AS build\nCOPY package.json ./\nRUN --mount=type=bind,source=src,target=/src npm run build\nFROM nginx\nCOPY --from=build /out /usr/share/nginx/html\n',
    'package.json': '{}',
    'src/index.ts': 'x',
    'docs/readme.md': 'x',
    '.dockerignore': 'src/secret.ts\n',
    'src/secret.ts': 'x',
  };

  it('names the instruction and line, or says nothing uses it', () =>
    withTree(TREE, async (root) => {
      const used = await ctxsize(['explain', 'src/index.ts'], root);
      assert.equal(used.status, 0, used.stderr);
      assert.match(used.stdout, /target +USED +used by RUN --mount source=src \(line 3, stage "build"\): BuildKit transfers it/);
      const unused = await ctxsize(['explain', 'docs/readme.md'], root);
      assert.match(unused.stdout, /target +NOT USED +no COPY, ADD or bind mount of the target uses it/);
      const excluded = JSON.parse((await ctxsize(['explain', '--json', 'src/secret.ts'], root)).stdout) as {
        effective: { usedBy: { instruction: string; line: number }[]; inEffectiveContext: boolean };
      };
      assert.deepEqual(excluded.effective.usedBy.map((u) => [u.instruction, u.line]), [['RUN', 3]]);
      assert.equal(excluded.effective.inEffectiveContext, false);
    }));

  it('reads PATH relative to the current directory when it exists there, else to --dir, and says which', () =>
    withTree({ ...TREE, 'sub/Dockerfile': 'FROM alpine\nCOPY package.json /\n', 'sub/package.json': '{}' }, async (root) => {
      // From the root: ./package.json exists, but outside the context sub/, so it is read in sub/.
      const dir = await ctxsize(['explain', '--dir', 'sub', '--json', 'package.json'], root);
      const d = JSON.parse(dir.stdout) as { path: string; resolvedFrom: string; effective: { usedBy: unknown[] } };
      assert.equal(d.resolvedFrom, 'dir');
      assert.equal(d.path, 'package.json');
      assert.equal(d.effective.usedBy.length, 1);
      // From inside sub/: the same file, read relative to the current directory.
      const cwd = await ctxsize(['explain', '--dir', '.', '--json', 'package.json'], path.join(root, 'sub'));
      assert.equal((JSON.parse(cwd.stdout) as { resolvedFrom: string }).resolvedFrom, 'cwd');
      // A path that exists only relative to --dir.
      const text = await ctxsize(['explain', '--dir', '../sub', 'Dockerfile'], path.join(root, 'src'));
      assert.match(text.stdout, /read relative to the context directory "\.\.\/sub"/);
      const here = await ctxsize(['explain', 'src/index.ts'], root);
      assert.match(here.stdout, /read relative to the current directory/);
    }));

  it('with COPY . it follows the ignore file', () =>
    withTree({ 'Dockerfile': 'FROM alpine\nCOPY . /app\n', '.dockerignore': '*.log\n', 'a.log': 'x', 'a.txt': 'x' }, async (root) => {
      const effective = async (p: string) =>
        (JSON.parse((await ctxsize(['explain', '--json', p], root)).stdout) as { effective: { inEffectiveContext: boolean; usedBy: { line: number }[] } }).effective;
      const txt = await effective('a.txt');
      assert.equal(txt.inEffectiveContext, true);
      assert.equal(txt.usedBy[0]!.line, 2);
      assert.equal((await effective('a.log')).inEffectiveContext, false);
    }));

  it('says when BuildKit refuses the Dockerfile', () =>
    withTree({ 'Dockerfile': 'FROM alpine AS Tools\nCOPY a /\nFROM Tools\n', 'a': 'a' }, async (root) => {
      const r = await ctxsize(['explain', 'a'], root);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /target +REFUSED +docker build fails at line 3/);
    }));
});
