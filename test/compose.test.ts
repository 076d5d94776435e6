import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findComposeFiles, interpolate, isRemoteContext, loadComposeProject, parseDotEnv, servicesForProfiles } from '../src/compose/compose.js';
import { measureContext } from '../src/measure/measure.js';
import { runCtxsize } from './support/cli.js';
import { withTree } from './support/tree.js';

const x = (n: number): string => 'x'.repeat(n);
const cleanEnv = { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', COMPOSE_FILE: '', COMPOSE_PROFILES: '' };

describe('interpolate', () => {
  const vars: Record<string, string> = { SET: 'value', EMPTY: '', DIR: './api' };
  const lookup = (name: string): string | undefined => vars[name];
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['$SET', 'value'],
    ['${SET}', 'value'],
    ['a/${SET}/b', 'a/value/b'],
    ['$SET/x', 'value/x'],
    ['${UNSET}', ''],
    ['${UNSET:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${UNSET-fallback}', 'fallback'],
    ['${SET:-fallback}', 'value'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${UNSET:-${DIR}}', './api'],
    ['${UNSET:-${ALSO_UNSET:-deep}}/x', 'deep/x'],
    ['$$SET', '$SET'],
    ['cost: $$5', 'cost: $5'],
    ['${SET?must be set}', 'value'],
    ['${UNSET:-a:b-c}', 'a:b-c'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${JSON.stringify(expected)}`, () => assert.equal(interpolate(input, lookup), expected));
  }
  it('reports unset variables and fails on required ones or bad syntax', () => {
    const unset: string[] = [];
    interpolate('${A}-$B-${C:-c}', lookup, (n) => unset.push(n));
    assert.deepEqual(unset, ['A', 'B']);
    assert.throws(() => interpolate('${UNSET:?set it in .env}', lookup), /required variable UNSET is missing a value: set it in \.env/);
    assert.throws(() => interpolate('${EMPTY:?}', lookup), /required variable EMPTY is missing a value/);
    assert.equal(interpolate('${EMPTY?}', lookup), '');
    for (const bad of ['${', '${SET', '${1X}', '$1', '${SET:x}', 'a $ b']) assert.throws(() => interpolate(bad, lookup), /invalid interpolation format/, bad);
  });
});

describe('parseDotEnv', () => {
  it('reads KEY=VALUE lines as Compose does', () => {
    const env = parseDotEnv(
      [
        '# comment',
        'export A=1',
        'B = two words # trailing comment',
        "C='literal ${A} # not a comment'",
        'D="line\\nbreak ${A}"',
        'E=${A}-${UNSET:-d}',
        '',
        'F=',
        'G=x#y',
      ].join('\n'),
    );
    assert.deepEqual(env, { A: '1', B: 'two words', C: 'literal ${A} # not a comment', D: 'line\nbreak 1', E: '1-d', F: '', G: 'x#y' });
  });
});

describe('isRemoteContext', () => {
  it('knows Git and HTTP contexts', () => {
    for (const remote of ['https://github.com/docker/app.git#main', 'git://host/repo', 'git@github.com:o/r.git', 'github.com/o/r', 'http://example.com/ctx.tar.gz', 'ssh://git@host/r.git']) {
      assert.equal(isRemoteContext(remote), true, remote);
    }
    for (const local of ['.', './api', '/abs/dir', 'services/github.com', 'C:\\work']) assert.equal(isRemoteContext(local), false, local);
  });
});

// A project of several services: short and long build forms, a Dockerfile and target in a
// subdirectory, interpolation from the environment and .env, a remote context, an image-only service.
const project = {
  'compose.yaml': `
name: shop
x-build-defaults: &defaults
  args:
    NODE_ENV: production
services:
  api:
    build: ./api
  web:
    build:
      <<: *defaults
      context: web
      dockerfile: docker/web.Dockerfile
      target: \${WEB_TARGET:-runtime}
  worker:
    build:
      context: \${WORKER_DIR:-./missing}
  docs:
    build: https://github.com/example/docs.git#main
  db:
    image: postgres:16
  inline:
    build:
      context: ./api
      dockerfile_inline: |
        FROM scratch
`,
  '.env': 'WORKER_DIR=./worker\n',
  'api/Dockerfile': 'FROM scratch\n',
  'api/.dockerignore': 'node_modules\n',
  'api/server.js': x(1000),
  'api/node_modules/dep/index.js': x(5000),
  'web/docker/web.Dockerfile': 'FROM scratch AS runtime\n',
  'web/docker/web.Dockerfile.dockerignore': 'assets\n',
  'web/index.html': x(300),
  'web/assets/big.png': x(7000),
  'worker/Dockerfile': 'FROM scratch\n',
  'worker/job.py': x(2500),
};

describe('loadComposeProject', () => {
  it('resolves every service: contexts relative to the project, Dockerfiles relative to their context', async () => {
    await withTree(project, (root) => {
      const files = findComposeFiles(root)!;
      assert.deepEqual(files, [path.join(root, 'compose.yaml')]);
      const p = loadComposeProject(files, { env: {}, cwd: root });
      const byName = new Map(p.services.map((s) => [s.name, s]));
      assert.deepEqual([...byName.keys()], ['api', 'web', 'worker', 'docs', 'db', 'inline']);
      assert.deepEqual(
        { kind: byName.get('api')!.kind, context: byName.get('api')!.context, dockerfile: byName.get('api')!.dockerfile, line: byName.get('api')!.line },
        { kind: 'local', context: path.join(root, 'api'), dockerfile: path.join(root, 'api/Dockerfile'), line: 7 },
      );
      const web = byName.get('web')!;
      assert.equal(web.dockerfile, path.join(root, 'web/docker/web.Dockerfile'));
      assert.equal(web.target, 'runtime');
      assert.deepEqual(web.args, { NODE_ENV: 'production' });
      assert.equal(byName.get('worker')!.context, path.join(root, 'worker'), '.env supplies WORKER_DIR');
      assert.equal(byName.get('docs')!.kind, 'remote');
      assert.equal(byName.get('db')!.kind, 'image');
      assert.equal(byName.get('db')!.image, 'postgres:16');
      assert.equal(byName.get('inline')!.dockerfileInline, true);
      assert.equal(byName.get('inline')!.dockerfile, null);
      // the environment wins over .env
      const env = loadComposeProject(files, { env: { WORKER_DIR: './api', WEB_TARGET: 'dev' }, cwd: root });
      assert.equal(env.services.find((s) => s.name === 'worker')!.context, path.join(root, 'api'));
      assert.equal(env.services.find((s) => s.name === 'web')!.target, 'dev');
    });
  });

  it('merges the override file and follows extends, with paths relative to the file that wrote them', async () => {
    await withTree(
      {
        'docker-compose.yml': 'services:\n  api:\n    build:\n      context: ./api\n      args: [A=1]\n  child:\n    extends:\n      file: common/base.yaml\n      service: base\n',
        'docker-compose.override.yml': 'services:\n  api:\n    build:\n      dockerfile: Dockerfile.dev\n      args: {B: "2"}\n',
        'common/base.yaml': 'services:\n  base:\n    build:\n      context: ./ctx\n      target: base\n',
        'api/': '',
        'common/ctx/': '',
      },
      (root) => {
        const files = findComposeFiles(root)!;
        assert.deepEqual(files.map((f) => path.basename(f)), ['docker-compose.yml', 'docker-compose.override.yml']);
        const p = loadComposeProject(files, { env: {}, cwd: root });
        const api = p.services.find((s) => s.name === 'api')!;
        assert.equal(api.context, path.join(root, 'api'));
        assert.equal(api.dockerfile, path.join(root, 'api/Dockerfile.dev'));
        assert.deepEqual(api.args, { A: '1', B: '2' });
        const child = p.services.find((s) => s.name === 'child')!;
        assert.equal(child.context, path.join(root, 'common/ctx'));
        assert.equal(child.target, 'base');
      },
    );
  });

  it('includes other Compose projects, each with its own directory and variables', async () => {
    await withTree(
      {
        'compose.yaml': 'include:\n  - lib/compose.yaml\n  - path: [tools/compose.yaml]\n    project_directory: tools/work\n    env_file: tools/tools.env\nservices:\n  app:\n    build: .\n',
        'Dockerfile': 'FROM scratch\n',
        'lib/compose.yaml': 'include:\n  - nested/compose.yaml\nservices:\n  lib:\n    build: ${LIB_CTX}\n',
        'lib/.env': 'LIB_CTX=./src\n',
        'lib/src/': '',
        'lib/nested/compose.yaml': 'services:\n  deep:\n    build: ./ctx\n',
        'lib/nested/ctx/': '',
        'tools/compose.yaml': 'services:\n  tool:\n    build:\n      context: ./${TOOL}\n',
        'tools/tools.env': 'TOOL=t\n',
        'tools/work/t/': '',
      },
      (root) => {
        const p = loadComposeProject([path.join(root, 'compose.yaml')], { env: {}, cwd: root });
        assert.deepEqual(
          p.services.map((s) => [s.name, s.context]),
          [
            ['app', root],
            ['lib', path.join(root, 'lib/src')],
            ['deep', path.join(root, 'lib/nested/ctx')],
            ['tool', path.join(root, 'tools/work/t')],
          ],
        );
        assert.deepEqual(p.files.map((f) => path.relative(root, f)), ['compose.yaml', 'lib/compose.yaml', 'lib/nested/compose.yaml', 'tools/compose.yaml']);
        assert.deepEqual(p.warnings, []);
      },
    );
  });

  it('refuses an included service that is already defined, and an include cycle', async () => {
    await withTree({ 'compose.yaml': 'include: [other.yaml]\nservices:\n  api:\n    image: x\n', 'other.yaml': 'services:\n  api:\n    build: .\n' }, (root) => {
      assert.throws(() => loadComposeProject([path.join(root, 'compose.yaml')], { env: {}, cwd: root }), /^InputError: compose\.yaml: include\[0\]: services\.api conflicts with imported resource \(from other\.yaml\)$/);
    });
    await withTree({ 'compose.yaml': 'include: [a/compose.yaml]\n', 'a/compose.yaml': 'include: [../compose.yaml]\n' }, (root) => {
      assert.throws(() => loadComposeProject([path.join(root, 'compose.yaml')], { env: {}, cwd: root }), /include\[0\]: include cycle \(compose\.yaml → a\/compose\.yaml → compose\.yaml\)/);
    });
    await withTree({ 'compose.yaml': 'include: [missing.yaml]\n' }, (root) => {
      assert.throws(() => loadComposeProject([path.join(root, 'compose.yaml')], { env: {}, cwd: root }), /missing\.yaml: no such Compose file/);
    });
  });

  it('reports YAML and interpolation errors with the file and the place', async () => {
    await withTree({ 'compose.yaml': 'services:\n  api:\n    build: [\n' }, (root) => {
      assert.throws(() => loadComposeProject([path.join(root, 'compose.yaml')], { env: {}, cwd: root }), /compose\.yaml:\d+:\d+: invalid YAML/);
    });
    await withTree({ 'compose.yaml': 'services:\n  api:\n    build: ${CTX:?CTX is required}\n' }, (root) => {
      assert.throws(
        () => loadComposeProject([path.join(root, 'compose.yaml')], { env: {}, cwd: root }),
        /compose\.yaml: services\.api\.build: required variable CTX is missing a value: CTX is required/,
      );
    });
    await withTree({ 'compose.yaml': 'services:\n  a:\n    extends: b\n  b:\n    extends: a\n' }, (root) => {
      assert.throws(() => loadComposeProject([path.join(root, 'compose.yaml')], { env: {}, cwd: root }), /circular reference/);
    });
  });
});

describe('Compose profiles', () => {
  const spec = {
    'compose.yaml':
      'services:\n  app:\n    build: .\n  debug:\n    build: ./tools\n    profiles: [debug]\n  ops:\n    build: ./tools\n    profiles: ["${OPS_PROFILE:-ops}", debug]\n',
    'Dockerfile': 'FROM scratch\n',
    'tools/Dockerfile': 'FROM scratch\n',
  };

  it('select what docker compose build builds: services without profiles, and those with an enabled one', async () => {
    await withTree(spec, (root) => {
      const { services } = loadComposeProject([path.join(root, 'compose.yaml')], { env: {}, cwd: root });
      assert.deepEqual(services.map((s) => [s.name, s.profiles]), [['app', []], ['debug', ['debug']], ['ops', ['ops', 'debug']]]);
      const names = (enabled: string[]) => {
        const { selected, skipped } = servicesForProfiles(services, enabled);
        return [selected.map((s) => s.name), skipped.map((s) => s.name)];
      };
      assert.deepEqual(names([]), [['app'], ['debug', 'ops']]);
      assert.deepEqual(names(['ops']), [['app', 'ops'], ['debug']]);
      assert.deepEqual(names(['debug']), [['app', 'debug', 'ops'], []]);
      assert.deepEqual(names(['*']), [['app', 'debug', 'ops'], []]);
    });
  });

  it('--profile and COMPOSE_PROFILES enable them; the others are noted, not measured', async () => {
    await withTree(spec, (root) => {
      const rows = (args: string[], env: Record<string, string> = {}) => {
        const r = runCtxsize(['--compose', '--json', '--no-config', ...args, root], { env: { ...cleanEnv, COMPOSE_PROFILES: '', ...env } });
        assert.equal(r.status, 0, r.stderr);
        const doc = JSON.parse(r.stdout);
        return [doc.services.map((s: { name: string }) => s.name), doc.warnings];
      };
      const [plain, notes] = rows([]);
      assert.deepEqual(plain, ['app']);
      assert.deepEqual(notes, [
        'service debug is not built: its profiles (debug) are not enabled (--profile NAME or COMPOSE_PROFILES)',
        'service ops is not built: its profiles (ops, debug) are not enabled (--profile NAME or COMPOSE_PROFILES)',
      ]);
      assert.deepEqual(rows(['--profile', 'ops'])[0], ['app', 'ops']);
      assert.deepEqual(rows([], { COMPOSE_PROFILES: 'debug, x' })[0], ['app', 'debug', 'ops']);
      assert.deepEqual(rows(['--profile', 'ops'], { COMPOSE_PROFILES: 'debug' })[0], ['app', 'ops'], 'the flag wins over the environment');
      const misuse = runCtxsize(['--profile', 'ops', '--no-config', root], { env: cleanEnv });
      assert.equal(misuse.status, 2);
      assert.match(misuse.stderr, /--profile applies to --compose only/);
    });
  });
});

describe('COMPOSE_FILE', () => {
  it('names the Compose files when neither FILE nor DIR is given, as in Compose', async () => {
    await withTree(
      {
        'compose.yaml': 'services:\n  app:\n    build: .\n',
        'ci.yaml': 'services:\n  app:\n    build:\n      dockerfile: ci.Dockerfile\n  ci:\n    build: ./ci\n',
        'Dockerfile': 'FROM scratch\n',
        'ci.Dockerfile': 'FROM scratch\n',
        'ci/Dockerfile': 'FROM scratch\n',
      },
      (root) => {
        const run = (args: string[]) => {
          const r = runCtxsize(['--compose', '--json', '--no-config', ...args], { cwd: root, env: { ...cleanEnv, COMPOSE_PROFILES: '', COMPOSE_FILE: `compose.yaml${path.delimiter}ci.yaml` } });
          assert.equal(r.status, 0, r.stderr);
          const doc = JSON.parse(r.stdout);
          return { files: doc.compose.files.map((f: string) => path.basename(f)), services: doc.services.map((s: { name: string }) => s.name) };
        };
        assert.deepEqual(run([]), { files: ['compose.yaml', 'ci.yaml'], services: ['app', 'ci'] });
        assert.deepEqual(run(['.']), { files: ['compose.yaml'], services: ['app'] }, 'a DIR on the command line is looked in instead');
      },
    );
  });
});

describe('ctxsize --compose', () => {
  it('measures every service, one row each, exactly as measuring each context alone', async () => {
    await withTree(project, (root) => {
      const r = runCtxsize(['--compose', '--json', '--no-config', root], { env: cleanEnv });
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.schemaVersion, 1);
      assert.deepEqual(doc.compose.files, [path.join(root, 'compose.yaml')]);
      const rows = new Map<string, { kind: string; measurement: { context: { bytes: number; files: number }; ignoreFile: string | null } | null; note: string | null; target: string | null }>(
        doc.services.map((s: { name: string }) => [s.name, s]),
      );
      assert.equal(rows.size, 6);
      const api = measureContext({ dir: path.join(root, 'api') });
      assert.deepEqual(rows.get('api')!.measurement!.context, api.context);
      assert.equal(rows.get('api')!.measurement!.context.bytes, 1000 + 13 + 13);
      const web = measureContext({ dir: path.join(root, 'web'), dockerfile: path.join(root, 'web/docker/web.Dockerfile') });
      assert.deepEqual(rows.get('web')!.measurement!.context, web.context);
      assert.equal(rows.get('web')!.measurement!.ignoreFile, path.join(root, 'web/docker/web.Dockerfile.dockerignore'));
      assert.equal(rows.get('web')!.target, 'runtime');
      assert.equal(rows.get('worker')!.measurement!.context.bytes, 2500 + 13);
      assert.equal(rows.get('docs')!.measurement, null);
      assert.match(rows.get('docs')!.note!, /not measurable: remote context/);
      assert.equal(rows.get('db')!.measurement, null);
      assert.match(rows.get('db')!.note!, /postgres:16/);
      assert.ok(rows.get('inline')!.measurement !== null);
      assert.equal(doc.passed, true);
    });
  });

  it('applies the gates to each service: exit 1 when one fails, naming the service', async () => {
    await withTree(project, (root) => {
      // api 1,026 B; web 324 B + 22 B ignore file... worker 2,513 B: 2kB fails worker only
      const r = runCtxsize(['--compose', '--no-config', '--max-size', '2kB', root], { env: cleanEnv });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      const lines = r.stdout.split('\n');
      const row = (name: string): string => lines.find((l) => l.trimStart().startsWith(name + ' '))!;
      assert.match(row('api'), /\bok$/);
      assert.match(row('worker'), /\bFAIL$/);
      assert.match(row('docs'), /not measurable: remote context/);
      assert.match(row('db'), /no build section: uses the image postgres:16/);
      assert.match(r.stdout, /FAIL {2}worker: context is 2\.5 kB \(2,513 bytes\), over the limit of 2kB \(--max-size\) by 513 bytes/);
      assert.equal(runCtxsize(['--compose', '--no-config', '--max-size', '2513', root], { env: cleanEnv }).status, 0, 'at the limit');
      // JSON: per service gates; the failure on stderr; annotations point at the service's line
      const j = runCtxsize(['--compose', '--no-config', '--json', '--max-size', '2kB', root], { env: { ...cleanEnv, GITHUB_ACTIONS: 'true' } });
      assert.equal(j.status, 1);
      const doc = JSON.parse(j.stdout);
      assert.equal(doc.passed, false);
      assert.deepEqual(
        doc.services.filter((s: { gates: unknown[] }) => s.gates.length > 0).map((s: { name: string; gates: { passed: boolean }[] }) => [s.name, s.gates[0]!.passed]),
        [['api', true], ['web', true], ['worker', false], ['inline', true]],
      );
      assert.match(j.stderr, /^ctxsize: FAIL worker: context is 2\.5 kB/m);
      assert.match(j.stderr, /^::error file=.*compose\.yaml,line=15,title=ctxsize%3A service worker%3A build context over its size budget::context is 2\.5 kB/m);
    });
  });

  it('per-service budgets from the configuration, flags over them', async () => {
    await withTree({ ...project, '.ctxsizerc.json': JSON.stringify({ maxSize: '1MB', services: { api: { maxSize: 1000 } } }) }, (root) => {
      const r = runCtxsize(['--compose', '--format', 'json', root], { env: cleanEnv });
      assert.equal(r.status, 1);
      const doc = JSON.parse(r.stdout);
      const api = doc.services.find((s: { name: string }) => s.name === 'api');
      assert.equal(api.gates[0].passed, false);
      assert.match(api.gates[0].source, /maxSize in .*\.ctxsizerc\.json \(services\.api\)/);
      assert.equal(doc.services.find((s: { name: string }) => s.name === 'worker').gates[0].limit, 1_000_000);
      assert.equal(runCtxsize(['--compose', '--max-size', '1MB', root], { env: cleanEnv }).status, 0);
    });
  });

  it('Markdown: one table row per service; Prometheus: a service label on each sample', async () => {
    await withTree(project, (root) => {
      const md = runCtxsize(['--compose', '--no-config', '--format', 'markdown', '--max-files', '2', root], { env: cleanEnv });
      assert.equal(md.status, 1);
      const tableLines = md.stdout.split('\n').filter((l) => l.startsWith('|'));
      assert.equal(tableLines.length, 2 + 6);
      const width = tableLines[0]!.split(' | ').length;
      for (const l of tableLines) assert.equal(l.split(' | ').length, width, l);
      assert.match(tableLines[0]!, /^\| service \| context \| Dockerfile \| files sent \| size sent \| kept out \| gates \|$/);
      assert.ok(tableLines.some((l) => /^\| `worker` \| `\.\/worker` \| `Dockerfile` \| 2 \| 2\.5 kB \| 0 B \(0%\) \| ✅ \|$/.test(l)), tableLines.join('\n'));
      assert.ok(tableLines.some((l) => l.startsWith('| `api` |') && l.endsWith('| ❌ context files |')), tableLines.join('\n'));
      assert.ok(tableLines.some((l) => l.startsWith('| `web` (target `runtime`) |')));
      const prom = runCtxsize(['--compose', '--no-config', '--format', 'prometheus', root], { env: cleanEnv });
      assert.equal(prom.status, 0);
      const samples = prom.stdout.split('\n').filter((l) => l.startsWith('ctxsize_context_bytes{'));
      assert.equal(samples.length, 4, 'the four measured services');
      assert.ok(samples.some((l) => l.startsWith(`ctxsize_context_bytes{service="worker",path="${path.join(root, 'worker')}",`) && l.endsWith(' 2513')));
      assert.equal(prom.stdout.match(/^# TYPE ctxsize_context_bytes gauge$/gm)!.length, 1);
      assert.match(prom.stdout, /^ctxsize_service_measured\{service="docs",.*\} 0$/m);
    });
  });

  it('compose baselines: growth per service, and a service baseline is refused', async () => {
    await withTree(project, (root) => {
      const baseline = path.join(root, '..', `${path.basename(root)}-compose.json`);
      assert.equal(runCtxsize(['--compose', '--no-config', '--save-baseline', baseline, root], { env: cleanEnv }).status, 0);
      writeFileSync(path.join(root, 'worker/model.bin'), x(1000));
      const r = runCtxsize(['--compose', '--no-config', '--baseline', baseline, '--max-growth', '10', root], { env: cleanEnv });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /FAIL {2}worker: context grew by 39\.8% since the baseline/);
      assert.match(r.stdout, /worker: grew the most:\n\s+\+1 kB\s+model\.bin\s+\(0 B → 1 kB\)/);
      const doc = JSON.parse(readFileSync(baseline, 'utf8'));
      assert.ok(!('gates' in doc.services[0]), 'a baseline holds measurements, not verdicts');
      const single = path.join(root, '..', `${path.basename(root)}-single.json`);
      runCtxsize(['--no-config', '--save-baseline', single, path.join(root, 'api')], { env: cleanEnv });
      const wrong = runCtxsize(['--compose', '--no-config', '--baseline', single, root], { env: cleanEnv });
      assert.equal(wrong.status, 2);
      assert.match(wrong.stderr, /not the baseline of a Compose project/);
      const reverse = runCtxsize(['--no-config', '--baseline', baseline, path.join(root, 'api')], { env: cleanEnv });
      assert.equal(reverse.status, 2);
      assert.match(reverse.stderr, /the baseline of a Compose project; compare with it using --compose/);
    });
  });

  it('--compose FILE, a missing Compose file, and a service whose context is missing', async () => {
    await withTree({ ...project, 'compose.prod.yml': 'services:\n  only:\n    build: ./api\n  gone:\n    build: ./nowhere\n' }, (root) => {
      const r = runCtxsize(['--compose', path.join(root, 'compose.prod.yml'), '--no-config', '--json'], { env: cleanEnv });
      assert.equal(r.status, 2, 'a service that cannot be measured is bad input');
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(doc.services.map((s: { name: string }) => s.name), ['only', 'gone']);
      assert.match(doc.services[1].error, /nowhere: no such directory/);
      assert.match(r.stderr, /ctxsize: FAIL gone: .*nowhere: no such directory/);
      const eq = runCtxsize([`--compose=${path.join(root, 'compose.prod.yml')}`, '--no-config', '--json'], { env: cleanEnv });
      assert.equal(JSON.parse(eq.stdout).services.length, 2);
    });
    await withTree({ a: x(1) }, (root) => {
      const r = runCtxsize(['--compose', '--no-config', root], { env: cleanEnv });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /no Compose file \(looked for compose\.yaml, compose\.yml, docker-compose\.yml, docker-compose\.yaml\)/);
      const f = runCtxsize(['--compose', '-f', 'Dockerfile', root], { env: cleanEnv });
      assert.equal(f.status, 2);
    });
  });
});
