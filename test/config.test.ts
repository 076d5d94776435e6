import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, validateConfig } from '../src/config/config.js';
import { runCtxsize } from './support/cli.js';
import { withTree } from './support/tree.js';

const x = (n: number): string => 'x'.repeat(n);
const cleanEnv = { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' };

describe('validateConfig', () => {
  it('reads every documented key, resolving paths against the configuration directory', () => {
    const config = validateConfig(
      {
        $schema: 'x',
        maxSize: '500MB',
        maxFiles: 20000,
        maxGrowth: '10%',
        baseline: 'ci/baseline.json',
        builder: 'classic',
        file: 'docker/Dockerfile',
        format: 'markdown',
        top: 5,
        compose: 'compose.prod.yaml',
        services: { api: { maxSize: 1000 } },
      },
      '.ctxsizerc.json',
      '/repo',
    );
    assert.equal(config.maxSize!.bytes, 500_000_000);
    assert.equal(config.maxFiles, 20000);
    assert.equal(config.maxGrowth!.percent, 10);
    assert.equal(config.baseline, '/repo/ci/baseline.json');
    assert.equal(config.file, '/repo/docker/Dockerfile');
    assert.equal(config.compose, '/repo/compose.prod.yaml');
    assert.equal(config.services!['api']!.maxSize!.bytes, 1000);
    assert.equal(validateConfig({ maxGrowth: 2.5 }, 'c', '/').maxGrowth!.millionths, 2_500_000);
  });
  it('names the file and the key of what is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [[], /: c\.json: the configuration must be a JSON object, not an array$/],
      [{ maxsize: '1MB' }, /: c\.json: unknown key "maxsize" \(did you mean "maxSize"\?\)/],
      [{ maxSize: true }, /: c\.json: maxSize: expected a size such as "500MB" or a number of bytes, not boolean true$/],
      [{ maxSize: '5XB' }, /: c\.json: maxSize: "5XB": unknown unit "XB"/],
      [{ maxSize: -1 }, /: c\.json: maxSize: a number of bytes must be a whole number/],
      [{ maxFiles: 1.5 }, /: c\.json: maxFiles: expected a whole number of files, not number 1\.5$/],
      [{ maxGrowth: 'lots' }, /: c\.json: maxGrowth: "lots" is not a percentage/],
      [{ builder: 'kaniko' }, /: c\.json: builder: expected "buildkit", "classic", "buildah" or "podman", not "kaniko"$/],
      [{ format: 'yaml' }, /: c\.json: format: expected one of text, json, markdown, prometheus/],
      [{ top: '5' }, /: c\.json: top: expected a whole number, not string "5"$/],
      [{ baseline: '' }, /: c\.json: baseline: expected a non-empty string/],
      [{ compose: 1 }, /: c\.json: compose: expected true, false or the Compose file/],
      [{ services: { api: { maxsize: 1 } } }, /: c\.json: unknown key "services\.api\.maxsize" \(did you mean "services\.api\.maxSize"\?\)/],
      [{ services: { api: { maxFiles: 'x' } } }, /: c\.json: services\.api\.maxFiles: expected a whole number of files/],
    ];
    for (const [raw, pattern] of cases) assert.throws(() => validateConfig(raw, 'c.json', '/'), pattern, JSON.stringify(raw));
  });
});

describe('loadConfig', () => {
  it('prefers .ctxsizerc.json, then the ctxsize key of package.json, and ignores an unrelated broken package.json', async () => {
    await withTree({ 'package.json': JSON.stringify({ name: 'x', ctxsize: { maxFiles: 7 } }) }, (root) => {
      assert.equal(loadConfig(root, { cwd: root })!.config.maxFiles, 7);
      assert.equal(loadConfig(root, { cwd: root })!.label, 'package.json#ctxsize');
      writeFileSync(path.join(root, '.ctxsizerc.json'), JSON.stringify({ maxFiles: 3 }));
      assert.equal(loadConfig(root, { cwd: root })!.config.maxFiles, 3);
    });
    await withTree({ 'package.json': '{ "name": "broken", ' }, (root) => {
      assert.equal(loadConfig(root, { cwd: root }), null);
    });
    await withTree({ 'package.json': '{ "ctxsize": { "maxFiles": 1 }, ' }, (root) => {
      assert.throws(() => loadConfig(root, { cwd: root }), /package\.json: not valid JSON, so its "ctxsize" configuration cannot be read/);
    });
    await withTree({ 'package.json': '{"name":"no-config"}' }, (root) => {
      assert.equal(loadConfig(root, { cwd: root }), null);
    });
  });
});

describe('configuration end to end', () => {
  // 1,000 bytes in 2 files once the configuration is counted out: the rc file is itself in the context.
  const rcSize = (config: object): number => JSON.stringify(config).length;

  it('budgets from .ctxsizerc.json apply, and flags win over them', async () => {
    const config = { maxSize: '999' };
    await withTree({ a: x(600), b: x(400), '.ctxsizerc.json': JSON.stringify(config) }, (root) => {
      const total = 1000 + rcSize(config);
      const r = runCtxsize([root], { cwd: root, env: cleanEnv });
      assert.equal(r.status, 1);
      assert.match(r.stdout, new RegExp(`FAIL  context is 1 kB \\(${total.toLocaleString('en-US')} bytes\\), over the limit of 999 \\(maxSize in .*\\.ctxsizerc\\.json\\)`));
      const flag = runCtxsize(['--max-size', String(total), root], { cwd: root, env: cleanEnv });
      assert.equal(flag.status, 0, flag.stdout);
      assert.match(flag.stdout, /within the limit of \d+ \(--max-size\)/);
      const ignored = runCtxsize(['--no-config', root], { cwd: root, env: cleanEnv });
      assert.equal(ignored.status, 0);
      assert.doesNotMatch(ignored.stdout, /Gates/);
    });
  });

  it('options from the configuration: format, top, builder, baseline with maxGrowth; flags still win', async () => {
    await withTree({ a: x(600), 'dir/b': x(400), ci: '' }, (root) => {
      assert.equal(runCtxsize(['--no-config', '--save-baseline', path.join(root, 'base.json'), root], { env: cleanEnv }).status, 0);
      writeFileSync(path.join(root, '.ctxsizerc.json'), JSON.stringify({ format: 'json', top: 1, builder: 'classic', baseline: 'base.json', maxGrowth: 1000 }));
      const r = runCtxsize([root], { env: cleanEnv });
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.builder, 'classic');
      assert.equal(doc.largest.length, 1);
      assert.equal(doc.gates[0].gate, 'max-growth');
      assert.match(doc.gates[0].source, /maxGrowth in .*\.ctxsizerc\.json/);
      assert.ok(doc.growth.context.bytesDelta > 0, 'the rc and the baseline file grew the context');
      const text = runCtxsize(['--format', 'text', '--builder', 'buildkit', '--top', '3', '--max-growth', '0', root], { env: cleanEnv });
      assert.equal(text.status, 1);
      assert.match(text.stdout, /^Build context .* \(BuildKit\)/);
      assert.match(text.stdout, /over the limit of 0% \(--max-growth\)/);
    });
  });

  it('package.json ctxsize key, and --config FILE', async () => {
    await withTree({ a: x(100), 'package.json': JSON.stringify({ name: 'app', ctxsize: { maxFiles: 1 } }), 'ci/ctxsize.json': JSON.stringify({ maxFiles: 100 }) }, (root) => {
      const r = runCtxsize([root], { env: cleanEnv });
      assert.equal(r.status, 1);
      assert.match(r.stdout, /over the limit of 1 \(maxFiles in .*package\.json#ctxsize\)/);
      const explicit = runCtxsize(['--config', path.join(root, 'ci/ctxsize.json'), root], { env: cleanEnv });
      assert.equal(explicit.status, 0, explicit.stdout);
      const missing = runCtxsize(['--config', path.join(root, 'nope.json'), root], { env: cleanEnv });
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /nope\.json: no such configuration file/);
      const both = runCtxsize(['--config', 'x', '--no-config', root], { env: cleanEnv });
      assert.equal(both.status, 2);
    });
  });

  it('an invalid configuration is exit 2 with the file and the key', async () => {
    await withTree({ a: x(10), '.ctxsizerc.json': '{"maxSize": "lots"}' }, (root) => {
      const r = runCtxsize([root], { cwd: root, env: cleanEnv });
      assert.equal(r.status, 2);
      assert.equal(r.stderr, 'ctxsize: .ctxsizerc.json: maxSize: "lots" is not a size (write bytes or a number with a unit: 500MB, 1.5GiB, 300kB)\n');
      assert.equal(r.stdout, '');
    });
    await withTree({ a: x(10), '.ctxsizerc.json': '{"maxSize": "1MB",}' }, (root) => {
      const r = runCtxsize([root], { cwd: root, env: cleanEnv });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^ctxsize: \.ctxsizerc\.json: not valid JSON \(/);
    });
    await withTree({ a: x(10), '.ctxsizerc.json': '{"maxGrowth": 10}' }, (root) => {
      const r = runCtxsize([root], { cwd: root, env: cleanEnv });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /maxGrowth in \.ctxsizerc\.json needs a baseline/);
    });
  });
});
