import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO } from './support/cli.js';

/**
 * The composite GitHub Action (action.yml): its structure, and its steps run locally the way the
 * runner runs them: each `run` script with `bash --noprofile --norc -eo pipefail`, the `${{ … }}`
 * expressions of `env` evaluated from the inputs, `github.*` and earlier steps' outputs, and the
 * environment GitHub sets (GITHUB_ACTIONS, GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT…).
 */

interface Step {
  name?: string;
  id?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  if?: string;
  'working-directory'?: string;
}

interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  runs: { using: string; steps: Step[] };
}

const ACTION_TEXT = readFileSync(path.join(REPO, 'action.yml'), 'utf8');
const action = parse(ACTION_TEXT) as Action;

interface ActionRun {
  status: number;
  stdout: string;
  stderr: string;
  summary: string;
  steps: string[];
}

/** npm's environment from `npm test` must not reach the action's npm. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|GITHUB_|RUNNER_)/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** Run the action's steps as the runner would, with `inputs` given in the workflow's `with:`. */
function runAction(options: { actionPath: string; workspace: string; inputs?: Record<string, string> }): ActionRun {
  const { actionPath, workspace } = options;
  for (const name of Object.keys(options.inputs ?? {})) assert.ok(action.inputs[name], `the action has no input ${name}`);
  const temp = mkdtempSync(path.join(tmpdir(), 'ctxsize-runner-'));
  const summary = path.join(temp, 'step_summary.md');
  writeFileSync(summary, '');
  const outputs = new Map<string, Record<string, string>>();
  const evaluate = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      let m: RegExpExecArray | null;
      if ((m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expr))) {
        return options.inputs?.[m[1]!] ?? action.inputs[m[1]!]?.default ?? '';
      }
      if ((m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr))) return outputs.get(m[1]!)?.[m[2]!] ?? '';
      if (expr === 'github.action_path') return actionPath;
      if (expr === 'github.workspace') return workspace;
      if (expr === 'runner.temp') return temp;
      throw new Error(`the simulator does not evaluate \${{ ${expr} }}`);
    });
  const result: ActionRun = { status: 0, stdout: '', stderr: '', summary: '', steps: [] };
  try {
    for (const [index, step] of action.runs.steps.entries()) {
      assert.equal(step.if, undefined, 'the simulator runs every step');
      const script = path.join(temp, `step-${index}.sh`);
      writeFileSync(script, step.run!);
      const output = path.join(temp, `output-${index}`);
      writeFileSync(output, '');
      const env: NodeJS.ProcessEnv = {
        ...baseEnv(),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: workspace,
        GITHUB_ACTION_PATH: actionPath,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: output,
        GITHUB_ENV: path.join(temp, 'env'),
        GITHUB_PATH: path.join(temp, 'path'),
        RUNNER_TEMP: temp,
        ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(String(v))])),
      };
      const cwd = step['working-directory'] ? path.resolve(workspace, evaluate(step['working-directory'])) : workspace;
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      result.stdout += r.stdout;
      result.stderr += r.stderr;
      result.steps.push(step.name ?? step.id ?? String(index));
      if (step.id) outputs.set(step.id, readOutputs(readFileSync(output, 'utf8')));
      if (r.status !== 0) {
        result.status = r.status ?? -1;
        break;
      }
    }
    result.summary = readFileSync(summary, 'utf8');
    return result;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** `name=value` lines and `name<<DELIMITER` blocks, as the runner reads GITHUB_OUTPUT. */
function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
}

describe('action.yml: structure', () => {
  it('is a composite action with a name, a description and documented inputs', () => {
    assert.equal(typeof action.name, 'string');
    assert.ok(action.description.length > 20);
    assert.equal(action.runs.using, 'composite');
    assert.ok(action.runs.steps.length > 0);
    for (const [name, input] of Object.entries(action.inputs)) {
      assert.match(name, /^[a-z][a-z0-9-]*$/, name);
      assert.ok(typeof input.description === 'string' && input.description.length > 10, `${name} has a description`);
      assert.ok(input.required !== true || input.default === undefined, `${name}: required inputs have no default`);
    }
    for (const needed of ['directory', 'dockerfile', 'builder', 'max-size', 'max-files', 'max-growth', 'baseline', 'format', 'version']) {
      assert.ok(action.inputs[needed], `input ${needed}`);
    }
  });

  it('every step runs a script with a shell, and uses no other action (no network but npm)', () => {
    const ids = new Set<string>();
    for (const step of action.runs.steps) {
      assert.equal(step.uses, undefined, `${step.name}: uses another action`);
      assert.equal(typeof step.run, 'string', `${step.name}: has a run script`);
      assert.equal(step.shell, 'bash', `${step.name}: composite run steps must name their shell`);
      assert.ok(step.name, 'every step has a name');
      if (step.id) {
        assert.ok(!ids.has(step.id), `duplicate step id ${step.id}`);
        ids.add(step.id);
      }
    }
  });

  it('every ${{ inputs.x }} names a declared input, every input is used, and no expression is spliced into a script', () => {
    const used = new Set<string>();
    for (const m of ACTION_TEXT.matchAll(/\$\{\{([^}]*)\}\}/g)) {
      for (const ref of m[1]!.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)) {
        assert.ok(action.inputs[ref[1]!], `\${{ inputs.${ref[1]} }} is not a declared input`);
        used.add(ref[1]!);
      }
      for (const ref of m[1]!.matchAll(/\bsteps\.([A-Za-z0-9_-]+)\.outputs\./g)) {
        assert.ok(action.runs.steps.some((s) => s.id === ref[1]), `steps.${ref[1]} is not a step id`);
      }
    }
    assert.deepEqual(Object.keys(action.inputs).filter((name) => !used.has(name)), [], 'inputs that nothing reads');
    for (const step of action.runs.steps) {
      // Inputs arrive through env: a value spliced into the script text could run as shell code.
      assert.doesNotMatch(step.run!, /\$\{\{/, `${step.name}: an expression inside run`);
    }
  });

  it('docs/ci.md documents every input', () => {
    const readme = readFileSync(path.join(REPO, 'docs', 'ci.md'), 'utf8');
    const section = /^## GitHub Action\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
    assert.ok(section, 'docs/ci.md has a "## GitHub Action" section');
    for (const name of Object.keys(action.inputs)) assert.match(section, new RegExp(`\`${name}\``), `docs/ci.md: input ${name}`);
  });
});

describe('action.yml: its steps run as the runner runs them', () => {
  let workspace = '';
  before(() => {
    assert.ok(existsSync(path.join(REPO, 'dist', 'cli.js')), 'build first (npm test does)');
    workspace = mkdtempSync(path.join(tmpdir(), 'ctxsize-workspace-'));
    writeTree(workspace, {
      'app/Dockerfile': 'FROM node:20-alpine\nCOPY package.json ./\nCOPY src ./src\n',
      'app/.dockerignore': '**/node_modules\n',
      'app/package.json': '{}',
      'app/src/index.js': 'console.log("hi")\n'.repeat(50),
      'app/node_modules/dep/index.js': 'x'.repeat(20_000),
      'app/docker/prod.Dockerfile': 'FROM node:20-alpine\nCOPY src ./src\n',
      'app/docker/prod.Dockerfile.dockerignore': '**/node_modules\npackage.json\n',
    });
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  // The checkout is built already (npm test builds it), so the install step uses it as it is.
  const run = (inputs: Record<string, string>): ActionRun => runAction({ actionPath: REPO, workspace, inputs });

  it('passes within the budgets: the report in the log, the Markdown in the job summary', () => {
    const r = run({ directory: 'app', 'max-size': '1MB', 'max-files': '100' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(r.steps, action.runs.steps.map((s) => s.name));
    assert.match(r.stdout, /^Build context app \(BuildKit\)$/m);
    assert.doesNotMatch(r.stderr, /::error/);
    assert.match(r.summary, /\|/, 'a Markdown table');
    assert.match(r.summary, /✅/);
    assert.doesNotMatch(r.summary, /❌/);
  });

  it('fails the job (exit 1) over a budget, with an annotation and the summary', () => {
    const r = run({ directory: 'app', 'max-size': '100B', format: 'json' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^::error title=ctxsize/m);
    assert.equal(JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))).gates[0].passed, false);
    assert.match(r.summary, /❌/);
  });

  it('saves a baseline, then fails on growth since it', () => {
    const baseline = path.join(workspace, '.ctxsize', 'baseline.json');
    const saved = run({ directory: 'app', 'save-baseline': '.ctxsize/baseline.json' });
    assert.equal(saved.status, 0, saved.stderr);
    assert.ok(existsSync(baseline));
    writeFileSync(path.join(workspace, 'app', 'src', 'big.js'), 'y'.repeat(5000));
    try {
      const grown = run({ directory: 'app', baseline: '.ctxsize/baseline.json', 'max-growth': '10' });
      assert.equal(grown.status, 1, grown.stdout + grown.stderr);
      assert.match(grown.stdout, /grew by/);
      assert.match(grown.summary, /src\/big\.js/);
    } finally {
      rmSync(path.join(workspace, 'app', 'src', 'big.js'));
      rmSync(path.join(workspace, '.ctxsize'), { recursive: true });
    }
  });

  it('passes the dockerfile and builder inputs on', () => {
    const prod = run({ directory: 'app', dockerfile: 'app/docker/prod.Dockerfile', format: 'json' });
    assert.equal(prod.status, 0, prod.stderr);
    const report = JSON.parse(prod.stdout.slice(prod.stdout.indexOf('{'))) as { ignoreFile: string; builder: string };
    assert.equal(report.ignoreFile, path.join(workspace, 'app', 'docker', 'prod.Dockerfile.dockerignore'));
    const classic = run({ directory: 'app', builder: 'classic', format: 'json' });
    assert.equal(JSON.parse(classic.stdout.slice(classic.stdout.indexOf('{'))).builder, 'classic');
  });

  it('bad input fails the step with exit 2 and says why: never a silent pass', () => {
    const builder = run({ directory: 'app', builder: 'kaniko' });
    assert.equal(builder.status, 2);
    assert.match(builder.stderr, /--builder must be buildkit, classic or buildah/);
    const baseline = run({ directory: 'app', baseline: 'missing.json', 'max-growth': '10' });
    assert.equal(baseline.status, 2);
    assert.match(baseline.stderr, /missing\.json/);
    const check = run({ directory: 'app', check: 'yes' });
    assert.equal(check.status, 2);
    assert.match(check.stdout + check.stderr, /check input must be true or false/);
  });

  it('check: true lints too, and an error-level finding fails the job while the budgets are still reported', () => {
    writeFileSync(path.join(workspace, 'app', 'Dockerfile'), 'FROM node:20-alpine\nCOPY package.json ./\nCOPY missing.txt ./\n');
    try {
      const r = run({ directory: 'app', check: 'true', 'max-size': '1MB' });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /source-missing/);
      assert.match(r.stdout, /^Build context app/m, 'the measurement runs after a failed check');
      assert.match(r.summary, /✅/, 'the budget passed');
    } finally {
      writeFileSync(path.join(workspace, 'app', 'Dockerfile'), 'FROM node:20-alpine\nCOPY package.json ./\nCOPY src ./src\n');
    }
    const clean = run({ directory: 'app', check: 'true' });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  });

  it('from a fresh checkout of the action (no node_modules, no dist): npm ci and the build, then the run', () => {
    const checkout = mkdtempSync(path.join(tmpdir(), 'ctxsize-action-'));
    try {
      for (const file of ['action.yml', 'package.json', 'package-lock.json', 'tsconfig.json', 'LICENSE', 'README.md', 'src', 'bin', 'scripts']) {
        cpSync(path.join(REPO, file), path.join(checkout, file), { recursive: true });
      }
      const r = runAction({ actionPath: checkout, workspace, inputs: { directory: 'app', 'max-files': '100' } });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.ok(existsSync(path.join(checkout, 'dist', 'cli.js')), 'built');
      assert.match(r.stdout, /^Build context app/m);
      assert.match(r.summary, /✅/);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });

  it('version: installs that ctxsize with npm instead (here a packed tarball, as npm would fetch it)', () => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'ctxsize-action-pack-'));
    try {
      const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: REPO, env: baseEnv(), encoding: 'utf8' });
      assert.equal(pack.status, 0, pack.stderr);
      const tarball = path.join(packDir, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
      const r = run({ directory: 'app', version: tarball, 'max-size': '100B' });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`node_modules/ctxsize/bin/ctxsize\\.js`), 'runs the installed package, not the checkout');
      assert.match(r.summary, /❌/);
    } finally {
      rmSync(packDir, { recursive: true, force: true });
    }
  });
});

describe('.pre-commit-hooks.yaml', () => {
  interface Hook {
    id: string;
    name: string;
    description?: string;
    entry: string;
    language: string;
    pass_filenames?: boolean;
    files?: string;
    exclude?: string;
    always_run?: boolean;
  }
  const hooks = parse(readFileSync(path.join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
  const KNOWN_KEYS = new Set(['id', 'name', 'description', 'entry', 'language', 'pass_filenames', 'files', 'exclude', 'types', 'types_or', 'exclude_types', 'always_run', 'args', 'stages', 'minimum_pre_commit_version', 'require_serial', 'verbose', 'additional_dependencies', 'language_version', 'log_file', 'fail_fast']);

  it('is a list of hooks with the keys pre-commit knows, ids unique', () => {
    assert.ok(Array.isArray(hooks) && hooks.length > 0);
    assert.equal(new Set(hooks.map((h) => h.id)).size, hooks.length);
    for (const hook of hooks) {
      for (const key of Object.keys(hook)) assert.ok(KNOWN_KEYS.has(key), `${hook.id}: unknown key ${key}`);
      for (const key of ['id', 'name', 'entry', 'language'] as const) assert.equal(typeof hook[key], 'string', `${hook.id}: ${key}`);
      assert.match(hook.id, /^[a-z0-9-]+$/);
    }
  });

  it('ctxsize-check runs `ctxsize check` as a node hook, without file names, on ignore files and Dockerfiles', () => {
    const hook = hooks.find((h) => h.id === 'ctxsize-check');
    assert.ok(hook);
    assert.equal(hook.language, 'node');
    assert.equal(hook.pass_filenames, false);
    assert.deepEqual(hook.entry.split(/\s+/), ['ctxsize', 'check']);
    // pre-commit installs the repository with npm (prepare builds it) and runs the package's bin.
    assert.ok(pkg.bin['ctxsize'], 'package.json has the ctxsize bin');
    assert.match(pkg.scripts['prepare'] ?? '', /build/, 'npm install builds dist/');
  });

  it('the file patterns select ignore files and Dockerfiles, and nothing else', () => {
    const selects = (hook: Hook, file: string): boolean =>
      new RegExp(hook.files ?? '').test(file) && !(hook.exclude !== undefined && new RegExp(hook.exclude).test(file));
    const yes = ['.dockerignore', 'Dockerfile', 'services/api/Dockerfile', 'docker/app.Dockerfile', 'Dockerfile.prod', 'app.Dockerfile.dockerignore', 'Containerfile', 'dockerfile'];
    const no = ['src/index.ts', 'README.md', 'docs/Dockerfile.md', 'Dockerfiles/notes.txt', '.gitignore', 'package.json'];
    for (const hook of hooks) {
      assert.equal(hook.always_run ?? false, false, `${hook.id}: runs only when a relevant file changes`);
      for (const file of yes) assert.ok(selects(hook, file), `${hook.id} should run for ${file}`);
      for (const file of no) assert.ok(!selects(hook, file), `${hook.id} should not run for ${file}`);
    }
  });

  it("each entry runs as pre-commit runs it (repository root, no file names): exit 0 when clean, 1 on an error", () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'ctxsize-precommit-'));
    const bin = path.join(repo, 'bin');
    try {
      writeTree(repo, {
        'Dockerfile': 'FROM node:20-alpine\nCOPY package.json ./\nCOPY dist ./dist\n',
        '.dockerignore': '**/node_modules\n',
        'package.json': '{}',
        'dist/index.js': 'x',
      });
      // `ctxsize` and `npx` on PATH resolve to this checkout's build, as an installed hook would.
      mkdirSync(bin);
      writeFileSync(path.join(bin, 'ctxsize'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO, 'bin', 'ctxsize.js')}" "$@"\n`, { mode: 0o755 });
      writeFileSync(path.join(bin, 'npx'), '#!/bin/sh\n[ "$1" = --no-install ] && shift\nshift\nexec ctxsize "$@"\n', { mode: 0o755 });
      const env = { ...baseEnv(), PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, NO_COLOR: '1' };
      for (const hook of hooks) {
        const clean = spawnSync('sh', ['-c', hook.entry], { cwd: repo, env, encoding: 'utf8' });
        assert.equal(clean.status, 0, `${hook.id}: ${clean.stdout}${clean.stderr}`);
        assert.doesNotMatch(clean.stdout, /\berror\b/);
        writeFileSync(path.join(repo, '.dockerignore'), '**/node_modules\ndist\n');
        const broken = spawnSync('sh', ['-c', hook.entry], { cwd: repo, env, encoding: 'utf8' });
        writeFileSync(path.join(repo, '.dockerignore'), '**/node_modules\n');
        assert.equal(broken.status, 1, `${hook.id}: ${broken.stdout}${broken.stderr}`);
        assert.match(broken.stdout, /source-excluded/);
      }
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('docs/ci.md documents every hook', () => {
    const readme = readFileSync(path.join(REPO, 'docs', 'ci.md'), 'utf8');
    const section = /^## pre-commit\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1];
    assert.ok(section, 'docs/ci.md has a "## pre-commit" section');
    for (const hook of hooks) assert.ok(section.includes(hook.id), `docs/ci.md: hook ${hook.id}`);
  });
});
