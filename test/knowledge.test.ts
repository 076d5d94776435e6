/**
 * The knowledge table: its invariants (what clean may ever delete), its matcher (table tests in
 * patternmatcher's style: pattern, path, expected), and its `.dockerignore` lines, checked against
 * ctxsize's Docker-exact matcher so that `suggest` never proposes a line that misses its target.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PatternMatcher } from '../src/dockerignore/matcher.js';
import { parseIgnoreFile } from '../src/dockerignore/read.js';
import {
  ARTIFACTS,
  ArtifactMatcher,
  artifactById,
  artifactMatcher,
  cleanableCategories,
  dockerignoreLinesFor,
  findArtifact,
  GlobSyntaxError,
  matchesArtifact,
  parseArtifactPattern,
  type ArtifactRule,
  type MatchContext,
  type MatchKind,
} from '../src/knowledge/artifacts.js';
import { compileNameGlob } from '../src/knowledge/glob.js';

/** A concrete name a glob matches: `*` and `?` become `x`, a class its first character. */
function sampleName(glob: string): string {
  return glob.replace(/\[([^\]]+)\]/g, (_, body: string) => body[0]!).replace(/[*?]/g, 'x');
}

/** The evidence an entry with `siblings` or `contains` needs. */
function evidence(rule: ArtifactRule): MatchContext {
  return {
    siblings: (rule.siblings ?? []).map(sampleName),
    contains: (name) => (rule.contains ?? []).includes(name),
  };
}

const kindOf = (rule: ArtifactRule): MatchKind => (rule.kind === 'file' ? 'file' : 'dir');

describe('the knowledge table', () => {
  it('has unique kebab-case ids and a one-sentence reason for every entry', () => {
    const ids = ARTIFACTS.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    for (const rule of ARTIFACTS) {
      assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, rule.id);
      assert.match(rule.reason, /^\S[^\n]*\.$/, `${rule.id}: reason is one sentence ending with a period`);
      assert.ok(rule.reason.length <= 200, `${rule.id}: reason is short`);
    }
  });

  it('never puts dependencies, VCS data, lockfiles, secrets, build outputs or logs in the default clean set', () => {
    for (const rule of ARTIFACTS) {
      if (rule.clean) {
        assert.ok(['python-cache', 'node-cache', 'build-cache', 'test-output'].includes(rule.category), `${rule.id} (${rule.category}) is clean`);
        assert.equal(rule.neverDelete, false, `${rule.id}: clean and neverDelete contradict`);
      }
      if (['dependencies', 'vcs', 'lockfile', 'secrets'].includes(rule.category)) {
        assert.equal(rule.neverDelete, true, `${rule.id} must be neverDelete`);
      }
    }
    assert.deepEqual(cleanableCategories(), ['python-cache', 'node-cache', 'build-cache', 'test-output']);
  });

  it('cleans the caches the issue names, and never node_modules, virtual environments, .git or lockfiles', () => {
    const cleaned: [string, MatchKind][] = [
      ['a/__pycache__', 'dir'], ['a/m.pyc', 'file'], ['.pytest_cache', 'dir'], ['.mypy_cache', 'dir'], ['.ruff_cache', 'dir'],
      ['web/node_modules/.cache', 'dir'], ['.parcel-cache', 'dir'], ['web/.eslintcache', 'file'], ['web/.next/cache', 'dir'],
      ['.turbo', 'dir'], ['.nyc_output', 'dir'],
    ];
    for (const [p, kind] of cleaned) assert.equal(findArtifact(p, kind)?.clean, true, p);
    const kept: [string, MatchKind][] = [
      ['node_modules', 'dir'], ['a/node_modules', 'dir'], ['.venv', 'dir'], ['venv', 'dir'], ['.git', 'dir'], ['.git', 'file'],
      ['package-lock.json', 'file'], ['yarn.lock', 'file'], ['poetry.lock', 'file'], ['go.sum', 'file'], ['.tox', 'dir'],
      ['.env', 'file'], ['.env.production', 'file'], ['id_rsa', 'file'], ['server.pem', 'file'],
    ];
    for (const [p, kind] of kept) {
      const rule = findArtifact(p, kind);
      assert.ok(rule, p);
      assert.equal(rule.clean, false, p);
      assert.equal(rule.neverDelete, true, p);
    }
    for (const [p, kind] of [['dist', 'dir'], ['build', 'dir'], ['coverage', 'dir'], ['app.log', 'file'], ['.idea', 'dir'], ['.DS_Store', 'file']] as const) {
      assert.equal(findArtifact(p, kind)?.clean, false, p);
    }
  });

  it('compiles every pattern (the matcher would throw on a malformed one)', () => {
    assert.doesNotThrow(() => new ArtifactMatcher(ARTIFACTS));
  });

  it("every entry's dockerignore lines are valid for Docker and exclude what the entry matches, at the root and deeper", () => {
    for (const rule of ARTIFACTS) {
      if (rule.dockerignore.length === 0) continue;
      const name = rule.pattern.split('/').map(sampleName).join('/');
      const where = rule.depth === 'root' ? [name] : [name, `deep/er/${name}`];
      for (const p of where) {
        // The entry itself matches the sample path…
        assert.ok(matchesArtifact(rule, p, kindOf(rule), evidence(rule)), `${rule.id} matches ${p}`);
        // …and its lines, as Docker reads and matches them, exclude it.
        const lines = dockerignoreLinesFor(rule, p);
        const matcher = new PatternMatcher(parseIgnoreFile(lines.join('\n') + '\n', '.dockerignore', 'posix'), 'posix');
        assert.equal(matcher.lateErrors().length, 0, `${rule.id}: ${lines.join(' | ')}`);
        assert.equal(matcher.matchesOrParentMatches(p), true, `${rule.id}: ${lines.join(' | ')} excludes ${p}`);
        assert.equal(matcher.matchesOrParentMatches('src/main.go'), false, `${rule.id}: ${lines.join(' | ')} keeps sources`);
      }
    }
  });

  it('keeps the exceptions of an entry in its dockerignore lines (.env.example stays in the context)', () => {
    const rule = artifactById('dotenv-variants')!;
    const matcher = new PatternMatcher(parseIgnoreFile(rule.dockerignore.join('\n')), 'posix');
    assert.equal(matcher.matchesOrParentMatches('.env.local'), true);
    assert.equal(matcher.matchesOrParentMatches('api/.env.production'), true);
    assert.equal(matcher.matchesOrParentMatches('.env.example'), false);
    assert.equal(findArtifact('.env.example', 'file'), null);
  });

  it('gives conditional entries the matched path, not a line that would catch unrelated folders', () => {
    const rust = artifactById('rust-target')!;
    assert.deepEqual(dockerignoreLinesFor(rust, 'services/api/target'), ['services/api/target']);
    assert.deepEqual(dockerignoreLinesFor(artifactById('python-pycache')!, 'a/__pycache__'), ['**/__pycache__']);
    assert.deepEqual(dockerignoreLinesFor(artifactById('npm-lockfile')!, 'package-lock.json'), []);
  });
});

describe('matching paths against the table', () => {
  // [path, kind, context, expected rule id or null]
  const cases: [string, MatchKind, MatchContext | undefined, string | null][] = [
    ['__pycache__', 'dir', undefined, 'python-pycache'],
    ['a/b/c/__pycache__', 'dir', undefined, 'python-pycache'],
    ['__pycache__', 'file', undefined, null],
    ['m.pyc', 'file', undefined, 'python-bytecode'],
    ['m.pyo', 'file', undefined, 'python-bytecode'],
    ['m.pyx', 'file', undefined, null],
    ['m.pyc', 'dir', undefined, null],
    ['node_modules/.cache', 'dir', undefined, 'node-modules-cache'],
    ['packages/ui/node_modules/.cache', 'dir', undefined, 'node-modules-cache'],
    ['.cache', 'dir', undefined, null],
    ['other/.cache', 'dir', undefined, null],
    ['.next/cache', 'dir', undefined, 'next-cache'],
    ['.next', 'dir', undefined, 'next-build'],
    ['cache', 'dir', undefined, null],
    ['.npm', 'dir', undefined, 'npm-cache'],
    ['sub/.npm', 'dir', undefined, null], // root only
    ['npm-debug.log.1', 'file', undefined, 'npm-debug-log'],
    ['server.log', 'file', undefined, 'log-files'],
    ['logs', 'dir', undefined, 'logs-dir'],
    ['a/logs', 'dir', undefined, null],
    ['target', 'dir', undefined, null], // no evidence: not a build directory
    ['target', 'dir', { siblings: ['Cargo.toml', 'src'] }, 'rust-target'],
    ['target', 'dir', { siblings: ['pom.xml'] }, 'maven-target'],
    ['bin', 'dir', { siblings: ['App.csproj'] }, 'dotnet-bin'],
    ['bin', 'dir', { siblings: ['package.json'] }, null],
    ['.gradle', 'dir', { siblings: ['settings.gradle.kts'] }, 'gradle-cache'],
    ['.gradle', 'dir', { siblings: ['gradle.properties'] }, null], // a user-level ~/.gradle
    ['vendor', 'dir', { siblings: ['go.mod'] }, 'go-vendor'],
    ['vendor', 'dir', { siblings: ['composer.json'] }, 'php-vendor'],
    ['env', 'dir', { contains: (n) => n === 'pyvenv.cfg' }, 'python-venv'],
    ['env', 'dir', { contains: () => false }, null],
    ['.venv', 'dir', undefined, 'python-dot-venv'],
    ['.git', 'file', undefined, 'git'],
    ['.env', 'file', undefined, 'dotenv'],
    ['.env', 'dir', undefined, null], // a virtual environment called .env is not a secret file
    ['.env.local', 'file', undefined, 'dotenv-variants'],
    ['.env.sample', 'file', undefined, null],
    ['id_ed25519', 'file', undefined, 'ssh-key-ed25519'],
    ['id_ed25519.pub', 'file', undefined, null],
    ['id_rds_config.py', 'file', undefined, null],
    ['app.tsbuildinfo', 'file', undefined, 'typescript-buildinfo'],
    ['./a//__pycache__', 'dir', undefined, 'python-pycache'], // tolerant of ./ and //
    ['', 'dir', undefined, null],
  ];
  for (const [p, kind, context, expected] of cases) {
    it(`${JSON.stringify(p)} (${kind}${context ? ', with evidence' : ''}) -> ${expected ?? 'nothing'}`, () => {
      assert.equal(findArtifact(p, kind, context)?.id ?? null, expected);
    });
  }

  it('returns every match in table order with matchAll', () => {
    assert.deepEqual(artifactMatcher().matchAll('npm-debug.log', 'file').map((r) => r.id), ['npm-debug-log', 'log-files']);
  });

  it('matchAll finds exactly the entries that match one by one, in table order (its name index misses none)', () => {
    const names = [
      ...ARTIFACTS.flatMap((r) => [...r.pattern.split('/').map(sampleName), ...(r.siblings ?? []).map(sampleName), ...(r.contains ?? [])]),
      ...['a.pyc', 'a.pyo', 'a.pyx', 'foo~', '._x', '.env.x', 'x.log.1', 'npm-debug.log.1', 'a]', 'x.swp', 'a\nb.log', 'é.log', '\u{1F600}'],
    ];
    const paths = [...new Set([...names, ...names.map((n) => `a/${n}`), ...ARTIFACTS.map((r) => r.pattern.split('/').map(sampleName).join('/')), ...ARTIFACTS.map((r) => `x/y/${r.pattern.split('/').map(sampleName).join('/')}`), './a//b/', 'src', ''])];
    const contexts: (MatchContext | undefined)[] = [undefined, { siblings: names, contains: () => true }, { siblings: [], contains: () => false }];
    let compared = 0;
    for (const p of paths) {
      for (const kind of ['dir', 'file'] as MatchKind[]) {
        for (const context of contexts) {
          const want = ARTIFACTS.filter((rule) => matchesArtifact(rule, p, kind, context)).map((r) => r.id);
          assert.deepEqual(artifactMatcher().matchAll(p, kind, context).map((r) => r.id), want, `${p} (${kind})`);
          compared += want.length;
        }
      }
    }
    assert.ok(compared > 200, `only ${compared} matches compared`);
    // A wildcard entry before a literal one: still in table order.
    const own = new ArtifactMatcher(['*.log', 'x/a.log', 'a.log', 'a.*'].map(parseArtifactPattern));
    assert.deepEqual(own.matchAll('x/a.log', 'file').map((r) => r.pattern), ['*.log', 'x/a.log', 'a.log', 'a.*']);
  });

  it('finds the entries that reach below a directory', () => {
    const ids = (p: string): string[] => artifactMatcher().rulesBelow(p).map((r) => r.id);
    assert.deepEqual(ids('web/node_modules'), ['node-modules-cache', 'vite-deps-cache']);
    assert.deepEqual(ids('.next'), ['next-cache']);
    assert.deepEqual(ids('src'), []);
  });
});


describe('user patterns (--include / --exclude)', () => {
  const cases: [string, { pattern: string; kind: string; depth: string } | 'error'][] = [
    ['.cache', { pattern: '.cache', kind: 'any', depth: 'any-depth' }],
    ['.cache/', { pattern: '.cache', kind: 'dir', depth: 'any-depth' }],
    ['/tmp/', { pattern: 'tmp', kind: 'dir', depth: 'root' }],
    ['./tmp', { pattern: 'tmp', kind: 'any', depth: 'root' }],
    ['**/*.tmp', { pattern: '*.tmp', kind: 'any', depth: 'any-depth' }],
    ['out/cache', { pattern: 'out/cache', kind: 'any', depth: 'any-depth' }],
    ['', 'error'],
    ['/', 'error'],
    ['a/../b', 'error'],
    ['a/**/b', 'error'],
    ['[abc', 'error'],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} -> ${expected === 'error' ? 'error' : JSON.stringify(expected)}`, () => {
      if (expected === 'error') assert.throws(() => parseArtifactPattern(text), GlobSyntaxError);
      else assert.deepEqual(parseArtifactPattern(text), expected);
    });
  }

  it('matches like the table does', () => {
    const tmp = parseArtifactPattern('/tmp/');
    assert.equal(matchesArtifact(tmp, 'tmp', 'dir'), true);
    assert.equal(matchesArtifact(tmp, 'a/tmp', 'dir'), false);
    assert.equal(matchesArtifact(tmp, 'tmp', 'file'), false);
    const suffix = parseArtifactPattern('out/cache');
    assert.equal(matchesArtifact(suffix, 'x/out/cache', 'dir'), true);
    assert.equal(matchesArtifact(suffix, 'x/cache', 'dir'), false);
  });
});

describe('name globs', () => {
  const cases: [string, string, boolean][] = [
    ['*.pyc', 'a.pyc', true],
    ['*.pyc', '.pyc', true],
    ['*.pyc', 'a.pyc.bak', false],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['*.py[co]', 'a.pyo', true],
    ['*.py[co]', 'a.pyd', false],
    ['[!a]*', 'b', true],
    ['[!a]*', 'a', false],
    ['[a-c]x', 'bx', true],
    ['a.b', 'aXb', false], // dots are literal
    ['(x)+', '(x)+', true], // regular-expression characters are literal
    ['*', 'anything', true],
  ];
  for (const [glob, name, expected] of cases) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${name}`, () => {
      assert.equal(compileNameGlob(glob).test(name), expected);
    });
  }
  it('classifies literal names once, so matching them is a string comparison', () => {
    assert.equal(compileNameGlob('__pycache__').literal, '__pycache__');
    assert.equal(compileNameGlob('*.pyc').literal, null);
  });
});
