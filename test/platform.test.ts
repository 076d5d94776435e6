import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkContext } from '../src/check/check.js';
import { defaultPlatform, resolveContext } from '../src/context/resolve.js';
import { PatternMatcher } from '../src/dockerignore/matcher.js';
import { IgnoreFileError, parseIgnoreFile, type PatternPlatform } from '../src/dockerignore/read.js';
import { forEachEffectiveEntry } from '../src/effective/effective.js';
import { explainPath } from '../src/explain/explain.js';
import { listContext } from '../src/context/list.js';
import { measureContext } from '../src/measure/measure.js';
import type { Builder } from '../src/dockerignore/builders.js';
import { runCtxsize } from './support/cli.js';
import { withTree } from './support/tree.js';

/**
 * What changes from one OS to another, and what must not.
 *
 * - Docker reads `\` in an ignore pattern as an escape on Linux and macOS and as a path separator
 *   on Windows: the matcher takes the platform as a parameter, so both are tested here on any OS.
 * - Everything else is the same everywhere: context paths use `/`, CRLF files read like LF files,
 *   names with spaces and non-ASCII characters are matched byte for byte (NFC and NFD are
 *   different names), and matching is case-sensitive even on case-insensitive file systems.
 */

const BUILDERS: Builder[] = ['buildkit', 'classic'];
const PLATFORMS: PatternPlatform[] = ['posix', 'win32'];

function matcher(text: string, platform: PatternPlatform): PatternMatcher {
  return new PatternMatcher(parseIgnoreFile(text, '.dockerignore', platform), platform);
}

/** A native path below `root` as Docker names it in the context: relative, `/`-separated. */
function contextPath(api: path.PlatformPath, root: string, abs: string): string {
  return api.relative(root, abs).split(api.sep).join('/');
}

const sent = (dir: string, options: { builder?: Builder; platform?: PatternPlatform } = {}): string[] =>
  listContext({ dir, ...options })
    .entries.map((e) => e.path)
    .sort();

describe('backslashes in patterns: an escape on Linux and macOS, a separator on Windows', () => {
  // [pattern, context path, excluded on posix, excluded on win32]; 'error' when Docker refuses it.
  const table: [string, string, boolean | 'error', boolean | 'error'][] = [
    ['dist\\*.map', 'dist/app.js.map', false, true],
    ['dist\\*.map', 'dist*.map', true, false], // posix: an escaped, literal star
    ['**\\node_modules', 'packages/a/node_modules/x.js', false, true], // posix: \n is a newline
    ['docs/api\\v1', 'docs/api/v1/index.md', false, true], // mixed separators on Windows
    ['.\\dist', 'dist/app.js', false, true], // win32: cleaned to dist
    ['\\dist', 'dist/app.js', false, true], // win32: a leading separator is dropped
    ['build\\', 'build/out.o', 'error', true], // posix: a trailing backslash is malformed
    ['src\\keep.txt', 'src/keep.txt', 'error', true], // posix: \k is no Go regexp escape
    ['x\\\\y.txt', 'x\\y.txt', true, false], // posix: an escaped backslash in a name
    ['a\\ b', 'a b', true, false],
    ['a\\ b', 'a/ b', false, true],
    ['Dist\\', 'dist/app.js', 'error', false], // case-sensitive on Windows too
  ];
  for (const [pattern, target, posix, win32] of table) {
    for (const [platform, expected] of [['posix', posix], ['win32', win32]] as const) {
      it(`${platform}: ${JSON.stringify(pattern)} ${expected === 'error' ? 'is refused' : expected ? 'excludes' : 'keeps'} ${JSON.stringify(target)}`, () => {
        if (expected === 'error') {
          assert.throws(() => matcher(pattern, platform).matchesOrParentMatches(target), /syntax error in pattern/);
        } else {
          assert.equal(matcher(pattern, platform).matchesOrParentMatches(target), expected);
        }
      });
    }
  }

  it('win32: an exception written with backslashes re-includes under an excluded directory', () => {
    const m = matcher('src\r\n!src\\keep\\*.txt\r\n', 'win32');
    assert.equal(m.matchesOrParentMatches('src/keep/a.txt'), false);
    assert.equal(m.matchesOrParentMatches('src/keep/a.md'), true);
    assert.equal(m.matchesOrParentMatches('src/other.txt'), true);
  });

  it('win32: paths built with path.win32 become the `/` paths the matcher decides on', () => {
    const apis: [PatternPlatform, path.PlatformPath, string][] = [
      ['posix', path.posix, '/home/me/app'],
      ['win32', path.win32, 'C:\\Users\\me\\app'],
    ];
    for (const [platform, api, root] of apis) {
      const abs = api.join(root, 'packages', 'web app', 'node_modules', 'left-pad', 'index.js');
      const rel = contextPath(api, root, abs);
      assert.equal(rel, 'packages/web app/node_modules/left-pad/index.js', platform);
      const ignore = platform === 'win32' ? '**\\node_modules\r\n' : '**/node_modules\n';
      assert.equal(matcher(ignore, platform).matchesOrParentMatches(rel), true, platform);
      assert.equal(matcher(ignore, platform).matchesOrParentMatches(contextPath(api, root, api.join(root, 'src', 'index.js'))), false);
    }
  });

  it('the default platform follows the running OS', () => {
    assert.equal(defaultPlatform(), process.platform === 'win32' ? 'win32' : 'posix');
    return withTree({ 'a': 'x' }, (root) => {
      assert.equal(resolveContext({ dir: root }).platform, defaultPlatform());
      assert.equal(resolveContext({ dir: root, platform: 'win32' }).platform, 'win32');
    });
  });

  it('the platform reaches the whole context: list, measure and explain, under both builders', () =>
    withTree(
      {
        '.dockerignore': 'dist\\*.map\r\nlogs\\\r\n',
        'Dockerfile': 'FROM scratch\nCOPY . /\n',
        'dist/app.js': 'js',
        'dist/app.js.map': 'm'.repeat(100),
        'logs/today.log': 'l'.repeat(10),
        'dist*.map': 'star',
      },
      (root) => {
        for (const builder of BUILDERS) {
          const windows = sent(root, { builder, platform: 'win32' });
          assert.ok(!windows.includes('dist/app.js.map') && !windows.includes('logs') && !windows.includes('logs/today.log'), `${builder}: ${windows}`);
          assert.ok(windows.includes('dist/app.js') && windows.includes('dist*.map'), `${builder}: ${windows}`);
        }
        // posix refuses `logs\` (trailing backslash), as Docker on Linux does.
        assert.throws(() => listContext({ dir: root, platform: 'posix' }), IgnoreFileError);
        const report = measureContext({ dir: root, platform: 'win32' });
        assert.equal(report.excluded.bytes, 110);
        const why = explainPath('dist/app.js.map', { dir: root, platform: 'win32' });
        for (const b of why.builders) {
          assert.equal(b.inContext, false);
          assert.equal(b.decidedBy?.line, 1);
        }
      },
    ));
});

describe('context paths use `/` on every OS', () => {
  it('nested entries are `/`-joined, and a backslash in a Linux file name stays part of the name', () =>
    withTree({ 'a/b/c.txt': 'c', 'x\\y.txt': 'xy' }, (root) => {
      const paths = sent(root);
      assert.deepEqual(paths, ['a', 'a/b', 'a/b/c.txt', 'x\\y.txt']);
      for (const p of paths) assert.ok(!p.startsWith('/') && !p.includes('//'), p);
      const ls = runCtxsize(['ls', '-0', '.'], { cwd: root });
      assert.equal(ls.status, 0, ls.stderr);
      assert.deepEqual(ls.stdout.split('\0').filter(Boolean).sort(), paths);
      const explained = explainPath(path.join('a', 'b', 'c.txt'), { dir: root });
      assert.equal(explained.path, 'a/b/c.txt');
    }));
});

describe('CRLF line endings', () => {
  const crlf = (text: string): string => text.replaceAll('\n', '\r\n');

  it('an ignore file saved with CRLF (and a BOM) reads like the LF file, under both builders', () =>
    withTree(
      {
        'lf/.dockerignore': '# deps\nnode_modules\n*.log\n!keep.log\nsecret.txt',
        'crlf/.dockerignore': '\uFEFF' + crlf('# deps\nnode_modules\n*.log\n!keep.log\nsecret.txt'),
        ...Object.fromEntries(
          ['lf', 'crlf'].flatMap((d) => [
            [`${d}/node_modules/x.js`, 'x'],
            [`${d}/debug.log`, 'log'],
            [`${d}/keep.log`, 'keep'],
            [`${d}/secret.txt`, 'pw'],
            [`${d}/app.js`, 'app'],
          ]),
        ),
      },
      (root) => {
        for (const builder of BUILDERS) {
          const lf = sent(path.join(root, 'lf'), { builder });
          assert.deepEqual(lf, ['.dockerignore', 'app.js', 'keep.log']);
          assert.deepEqual(sent(path.join(root, 'crlf'), { builder }), lf, builder);
        }
        const rules = parseIgnoreFile(crlf('a \nb\t\n')).rules;
        assert.deepEqual(rules.map((r) => r.pattern), ['a', 'b']);
        assert.ok(rules.every((r) => !r.source.includes('\r')));
      },
    ));

  const DOCKERFILE = [
    '# syntax=docker/dockerfile:1',
    'FROM node:20 AS build',
    'WORKDIR /app',
    'COPY package.json \\',
    '     package-lock.json ./',
    'RUN --mount=type=bind,source=scripts,target=/scripts true',
    'COPY ["src", "./src"]',
    'FROM node:20',
    'COPY --from=build /app /app',
    '',
  ].join('\n');
  const PROJECT = {
    'package.json': '{}',
    'package-lock.json': '{}',
    'scripts/build.sh': 'true',
    'src/index.js': 'x',
    'docs/big.md': 'd'.repeat(1000),
  };

  it('a CRLF Dockerfile (continuations, JSON form, mounts) has the effective context of the LF one', () =>
    withTree({ ...PROJECT, 'Dockerfile': DOCKERFILE, 'crlf.Dockerfile': crlf(DOCKERFILE) }, (root) => {
      const effective = (dockerfile: string): string[] => {
        const paths: string[] = [];
        const { problems } = forEachEffectiveEntry({ dir: root, dockerfile: path.join(root, dockerfile) }, (e) => paths.push(e.path));
        assert.deepEqual(problems, [], dockerfile);
        return paths.sort();
      };
      const lf = effective('Dockerfile');
      assert.deepEqual(lf, ['package-lock.json', 'package.json', 'scripts', 'scripts/build.sh', 'src', 'src/index.js']);
      assert.deepEqual(effective('crlf.Dockerfile'), lf);
      const ls = runCtxsize(['ls', '--effective', '-f', 'crlf.Dockerfile', '.'], { cwd: root });
      assert.equal(ls.status, 0, ls.stderr);
      assert.equal(ls.stderr, '');
      assert.deepEqual(ls.stdout.trim().split('\n').sort(), lf);
    }));

  it('check names a missing source of a CRLF Dockerfile without a stray CR, on its line', () =>
    withTree({ 'Dockerfile': crlf('FROM node:20\nCOPY missing.txt /app/\nCOPY app.js /app/\n'), 'app.js': 'x' }, (root) => {
      const report = checkContext({ dir: root });
      const missing = report.findings.filter((f) => f.rule === 'source-missing');
      assert.equal(missing.length, 1, JSON.stringify(report.findings));
      assert.equal(missing[0]!.line, 2);
      assert.match(missing[0]!.message, /"missing\.txt"/);
      for (const f of report.findings) assert.ok(!f.message.includes('\r'), f.message);
    }));
});

describe('names with spaces and non-ASCII characters', () => {
  it('spaces inside names and patterns are literal; spaces around a pattern are trimmed', () =>
    withTree(
      {
        '.dockerignore': 'my docs/*.txt   \n  build output\n',
        'my docs/read me.txt': 'a',
        'my docs/keep me.md': 'b',
        'build output/x': 'c',
        'build': 'd',
      },
      (root) => {
        for (const builder of BUILDERS) {
          assert.deepEqual(sent(root, { builder }), ['.dockerignore', 'build', 'my docs', 'my docs/keep me.md'], builder);
        }
        const ls = runCtxsize(['ls', '-0', '.'], { cwd: root });
        assert.deepEqual(ls.stdout.split('\0').filter(Boolean).sort(), ['.dockerignore', 'build', 'my docs', 'my docs/keep me.md']);
        const json = runCtxsize(['ls', '--json', '.'], { cwd: root });
        assert.ok(json.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).path).includes('my docs/keep me.md'));
      },
    ));

  it('non-ASCII names match exactly, and ? matches one character, not one byte', () =>
    withTree(
      {
        '.dockerignore': 'données/?t?.txt\n日本語/*.log\n?.bin\n',
        'données/été.txt': 'a',
        'données/hiver.txt': 'b',
        '日本語/ファイル.log': 'c',
        '日本語/ファイル.txt': 'd',
        '😀.bin': 'e',
        'ab.bin': 'f',
      },
      (root) => {
        for (const builder of BUILDERS) {
          assert.deepEqual(
            sent(root, { builder }),
            ['.dockerignore', 'ab.bin', 'données', 'données/hiver.txt', '日本語', '日本語/ファイル.txt'],
            builder,
          );
        }
      },
    ));

  it('NFC and NFD spellings are different names to Docker: a pattern matches only the one on disk', () =>
    withTree({ 'a': 'x' }, (root) => {
      const nfc = 'caf\u00e9'; // é as one code point
      const nfd = 'cafe\u0301'; // e + combining acute accent
      assert.notEqual(nfc, nfd);
      mkdirSync(path.join(root, nfd));
      writeFileSync(path.join(root, nfd, 'menu.txt'), 'm');
      // Read the name back: a normalising file system (HFS+) may have stored another form.
      const onDisk = readdirSync(root).find((n) => n.normalize('NFC') === nfc)!;
      for (const [pattern, form] of [[nfc, 'NFC'], [nfd, 'NFD']] as const) {
        writeFileSync(path.join(root, '.dockerignore'), pattern + '\n');
        const paths = sent(root);
        const excluded = onDisk === pattern;
        assert.equal(paths.includes(`${onDisk}/menu.txt`), !excluded, `${form} pattern, ${onDisk === nfc ? 'NFC' : 'NFD'} name on disk`);
      }
      // ls prints the name's bytes as they are on disk, not a normalised form.
      writeFileSync(path.join(root, '.dockerignore'), '');
      const ls = runCtxsize(['ls', '-0', '.'], { cwd: root });
      assert.ok(ls.stdout.split('\0').includes(`${onDisk}/menu.txt`));
    }));
});

describe('matching is case-sensitive, on every platform and file system', () => {
  const TREE = {
    '.dockerignore': 'readme.md\n*.JPG\nNode_Modules\nsecrets\n!Secrets/public.txt\n',
    'README.md': 'r',
    'photo.jpg': 'p',
    'node_modules/x.js': 'x',
    'secrets/public.txt': 's',
    'secrets/key.txt': 'k',
  };

  it('patterns that differ from names only by case neither exclude nor re-include them', () =>
    withTree(TREE, (root) => {
      for (const builder of BUILDERS) {
        for (const platform of PLATFORMS) {
          assert.deepEqual(
            sent(root, { builder, platform }),
            ['.dockerignore', 'README.md', 'node_modules', 'node_modules/x.js', 'photo.jpg'],
            `${builder} ${platform}`,
          );
        }
      }
      const why = explainPath('README.md', { dir: root });
      for (const b of why.builders) {
        assert.equal(b.inContext, true);
        assert.equal(b.decidedBy, null);
      }
    }));

  it('check says so: a case-mismatch finding names the pattern, its line and the path it misses', () =>
    withTree(TREE, (root) => {
      const findings = checkContext({ dir: root }).findings.filter((f) => f.rule === 'case-mismatch');
      const readme = findings.find((f) => f.line === 1);
      assert.ok(readme, JSON.stringify(findings));
      assert.match(readme.message, /README\.md/);
      assert.match(readme.message, /case-sensitive/);
      assert.ok(findings.some((f) => f.line === 2 && /photo\.jpg/.test(f.message)), JSON.stringify(findings));
    }));
});
