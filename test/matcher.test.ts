import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goFilepathMatch, isMalformedGlob } from '../src/dockerignore/go-glob.js';
import { compileGoRegexp } from '../src/dockerignore/go-regexp.js';
import { goCleanPath, goTrimSpace } from '../src/dockerignore/go-text.js';
import { PatternMatcher } from '../src/dockerignore/matcher.js';
import { CompiledPattern, translatePattern } from '../src/dockerignore/pattern.js';
import { IgnoreFileError, parseIgnoreFile } from '../src/dockerignore/read.js';
import { decodeKeepingBytes, decodeNameLikeGo, encodeKeptBytes, isValidUtf8, isWellFormed, toWellFormed } from '../src/walk/raw-names.js';
import { Random } from './support/random-cases.js';

const matcherFor = (text: string, platform: 'posix' | 'win32' = 'posix') =>
  new PatternMatcher(parseIgnoreFile(text, '.dockerignore', platform), platform);

describe('reading an ignore file', () => {
  const cases: [string, string[]][] = [
    ['node_modules\n', ['node_modules']],
    ['# comment\n  # not a comment\n', ['# not a comment']],
    ['foo # trailing\n', ['foo # trailing']],
    ['  spaced  \n\n\t\n', ['spaced']],
    ['! /a\n', ['!a']],
    ['./dist\n/dist\ndist/\n', ['dist', 'dist', 'dist']],
    ['a//b/./c/../d\n', ['a/b/d']],
    ['../x\n/../y\n', ['../x', 'y']],
    ['crlf\r\nlast\r', ['crlf', 'last']],
    ['\uFEFFbom\n\uFEFFnot-first\n', ['bom', '\uFEFFnot-first']],
    ['!\n', ['!']],
    ['/\n', ['/']],
    ['\u0085nel\u00a0\n', ['nel']],
    ['\uFEFF#comment after BOM\n', []],
  ];
  for (const [text, patterns] of cases) {
    it(`${JSON.stringify(text)} -> ${JSON.stringify(patterns)}`, () => {
      assert.deepEqual(
        parseIgnoreFile(text).rules.map((r) => r.pattern),
        patterns,
      );
    });
  }

  it('keeps line numbers, counting comments and blank lines', () => {
    assert.deepEqual(
      parseIgnoreFile('# c\n\na\n  \nb\n').rules.map((r) => r.line),
      [3, 5],
    );
  });

  it('refuses a line longer than Docker reads (64 KiB), naming file and line', () => {
    assert.throws(
      () => parseIgnoreFile('ok\n' + 'x'.repeat(65536) + '\n', 'ci/.dockerignore'),
      (error: unknown) => error instanceof IgnoreFileError && error.line === 2 && /ci\/\.dockerignore:2/.test(error.message),
    );
    assert.equal(parseIgnoreFile('x'.repeat(65535)).rules.length, 1);
  });

  it('treats backslashes as separators on Windows', () => {
    assert.deepEqual(
      parseIgnoreFile('a\\b\\..\\c\n', '.dockerignore', 'win32').rules.map((r) => r.pattern),
      ['a/c'],
    );
  });
});

describe('Go helpers', () => {
  it('cleans paths like filepath.Clean', () => {
    const table: [string, string][] = [
      ['', '.'], ['.', '.'], ['/', '/'], ['a/', 'a'], ['//a//b//', '/a/b'], ['a/../..', '..'],
      ['/../a', '/a'], ['a/./b/.', 'a/b'], ['../../a/../b', '../../b'], ['!a/..', '.'],
    ];
    for (const [input, output] of table) assert.equal(goCleanPath(input), output, input);
  });
  it('trims like strings.TrimSpace, not String#trim', () => {
    assert.equal(goTrimSpace('\u0085 a \u3000'), 'a');
    assert.equal(goTrimSpace('\uFEFFa'), '\uFEFFa');
  });
  it('reports malformed globs like filepath.Match', () => {
    for (const bad of ['[', 'a[', '[]', '[a-]', '[-a]', 'a\\', '[\\', '[a', 'x/[^]']) assert.ok(isMalformedGlob(bad), bad);
    for (const good of ['*', 'a*[', '?/*.txt/[a-]', '[a]', '[^a]', '\\[', 'a/**/b', '[!a]', '[]a]x'.slice(1)]) {
      assert.equal(isMalformedGlob(good), false, good);
    }
    assert.equal(isMalformedGlob('a\\', false), false, 'no escapes on Windows');
  });
  it('matches globs like filepath.Match', () => {
    assert.equal(goFilepathMatch('*.go', 'main.go'), true);
    assert.equal(goFilepathMatch('*', 'a/b'), false);
    assert.equal(goFilepathMatch('[a-c]?', 'bz'), true);
    assert.equal(goFilepathMatch('\\*', '*'), true);
  });
});

describe('Go regexp translation', () => {
  const accepts: [string, string, boolean][] = [
    ['^a[^/]*$', 'abc', true],
    ['^a[^/]*$', 'a/b', false],
    ['^(.*/)?b$', 'x/y/b', true],
    ['^(.*/)?b$', 'b', true],
    ['^\\d[^/]*$', '7up', true],
    ['^\\d[^/]*$', 'up', false],
    ['^[[:alpha:]]x$', 'ax', true],
    ['^[[:alpha:]]x$', '1x', false],
    ['^a^b[^/]*$', 'ab', false],
    ['^a\\Q[^/]*$', 'a[^/]*$', true],
    ['^a\\b$', 'a', true],
    ['^\\x41$', 'A', true],
    ['^\\101$', 'A', true],
    ['^[a[^/]*b]$', 'a[b]', true],
    ['^[^/]$', 'ü', true],
    ['^[^/]$', '😀', true],
    ['^\\pL$', 'é', true],
    ['^\\p{Greek}$', 'λ', true],
    ['^.$', '\n', false],
    ['^.$', '\r', true],
    ['^\\s$', '\u00a0', false],
  ];
  for (const [source, input, expected] of accepts) {
    it(`${source} ${expected ? 'accepts' : 'rejects'} ${JSON.stringify(input)}`, () => {
      assert.equal(compileGoRegexp(source).test(input), expected);
    });
  }
  for (const bad of ['^a\\q$', '^[z-a]$', '^[[:foo:]]$', '^\\C$', '^\\1$', '^\\p{Nope}$', '^a**$', '^(a$', '^a)$', '^[a$', '^\\ü$']) {
    it(`rejects ${bad} as Go does`, () => assert.throws(() => compileGoRegexp(bad)));
  }
});

describe('pattern compilation (patternmatcher compile)', () => {
  const table: [string, string, string][] = [
    ['node_modules', 'exact', '^node_modules'],
    ['dist/**', 'prefix', '^dist/'],
    ['**/node_modules', 'suffix', '^(.*/)?node_modules'],
    ['**.pyc', 'suffix', '^(.*/)?\\.pyc'],
    ['**/*.js', 'regexp', '^(.*/)?[^/]*\\.js$'],
    ['a/**/b', 'regexp', '^a/(.*/)?b$'],
    ['st\\*r', 'regexp', '^st\\*r$'],
    ['a\\', 'exact', '^a\\'],
    ['x/**', 'prefix', '^x/'],
    ['[ab]/**', 'regexp', '^[ab]/.*$'],
  ];
  for (const [pattern, kind, source] of table) {
    it(`${pattern} is ${kind}`, () => {
      const translated = translatePattern(pattern, true);
      assert.deepEqual({ kind: translated.kind, source: translated.source }, { kind, source });
    });
  }
});

describe('literal ends of regexp patterns (a prefilter before the regexp)', () => {
  const table: [string, boolean, string, string][] = [
    ['**/*.log', true, '', '.log'],
    ['docs/**/*.png', true, 'docs/', '.png'],
    ['a*b(c)$', true, 'a', 'b(c)$'],
    ['ab{0}c*', true, 'a', ''],
    ['x*y{2}', true, 'x', ''],
    ['a|b*c', true, '', ''],
    ['st\\*r', true, 'st', 'r'],
    ['*\\.d', true, '', 'd'],
    ['*\\bd', true, '', 'd'],
    ['a*\\', true, 'a', ''],
    ['[ab]/c*^d', true, '', 'd'],
    ['\uFEFFbom*x', true, 'bom', 'x'],
    ['a*b/**/', true, 'a', ''],
    ['a*/**/c', true, 'a', 'c'],
    ['a/**/b*', true, 'a/', ''],
    ['x*\\.y', false, 'x', 'y'],
    ['x*\\\\y', false, 'x', ''],
    ['node_modules', true, '', ''],
  ];
  for (const [pattern, escapes, head, tail] of table) {
    it(`${JSON.stringify(pattern)}${escapes ? '' : ' (no escapes)'} starts with ${JSON.stringify(head)} and ends with ${JSON.stringify(tail)}`, () => {
      const translated = translatePattern(pattern, escapes);
      assert.deepEqual({ head: translated.head, tail: translated.tail }, { head, tail });
    });
  }

  it('never changes what a pattern matches (random patterns and paths, both escape modes)', () => {
    // Letters mostly, and every character with a meaning once, so that escapes, classes, repeats
    // and alternations meet; paths come from the pattern itself, grown at either end, or at random.
    const alphabet = ['a', 'b', 'a', 'b', '1', '.', '/', '*', '**/', '?', '[ab]', '[', ']', '{', '}', '{0}', '{2}', '|', '^', '\\', '\\b', '\\.', '$', '(', ')', '+', ',', '\n'];
    const pathLetters = ['a', 'b', '1', '.', '/', '{', '}', '|', '\\', '(', ')', '$', '\n'];
    const rng = new Random(20261129);
    const random = (n: number): number => rng.int(n);
    const word = (max: number, letters: string[]): string => Array.from({ length: 1 + random(max) }, () => letters[random(letters.length)]).join('');
    const pathFor = (text: string, k: number): string => {
      if (k % 4 === 3) return word(10, pathLetters);
      const body = text.replace(/\\(.)/g, '$1').replace(/[*?]/g, () => word(2, ['a', 'b', '1']));
      return (k % 4 === 1 ? word(3, pathLetters) : '') + body + (k % 4 === 2 ? word(3, pathLetters) : '');
    };
    let compared = 0;
    let matched = 0;
    for (let i = 0; i < 6000; i++) {
      const text = word(6, alphabet);
      for (const escapes of [true, false]) {
        const { kind, source } = translatePattern(text, escapes);
        if (kind !== 'regexp') continue;
        let reference: RegExp;
        try {
          reference = compileGoRegexp(source);
        } catch {
          continue;
        }
        const pattern = new CompiledPattern(text, false, 1, escapes);
        for (let k = 0; k < 24; k++) {
          const path = pathFor(text, k);
          const expected = reference.test(path);
          assert.equal(pattern.matches(path), expected, `${JSON.stringify(text)} (escapes ${escapes}) on ${JSON.stringify(path)}`);
          compared++;
          if (expected) matched++;
        }
      }
    }
    assert.ok(compared > 20000 && matched > 500, `compared ${compared}, matched ${matched}`);
  });
});

describe('matching (MatchesOrParentMatches)', () => {
  const table: [string, string, boolean][] = [
    ['node_modules', 'node_modules', true],
    ['node_modules', 'node_modules/x/y.js', true],
    ['node_modules', 'packages/a/node_modules', false],
    ['**/node_modules', 'packages/a/node_modules/x', true],
    ['*.pyc', 'a.pyc', true],
    ['*.pyc', 'pkg/a.pyc', false],
    ['**/*.pyc', 'pkg/a.pyc', true],
    ['**foo', 'barfoo', true],
    ['dist/', 'dist', true],
    ['a/**', 'a', false],
    ['a/**', 'a/b', true],
    ['*\n!keep', 'keep', false],
    ['*\n!keep', 'other', true],
    ['dir\n!dir/keep.txt', 'dir/keep.txt', false],
    ['dir\n!dir/keep.txt', 'dir/other.txt', true],
    ['a\n!a\na', 'a/x', true],
    ['[a-c]', 'b', true],
    ['[!a]', '!', true],
    ['\\[x]', '[x]', true],
    ['?', 'ü', true],
    [' # x', '# x', true],
    ['/!a', 'a', false],
    // `{`, `|` and `}` reach Go's regexp unescaped (patternmatcher's escape bitmap overflows).
    ['a{2}*', 'aa', true],
    ['a{2}*', 'a{2}', false],
    ['x|y*', 'x', true],
    ['x|y*', 'yz', true],
    ['x|y', 'x|y', true],
    // Go classifies `\uFEFF**/x` without its BOM (a suffix match) but slices bytes for the
    // suffix, leaving the BOM's last byte: it matches nothing.
    ['a\n\uFEFF**/x', 'b/x', false],
    ['a\n\uFEFF**/x', 'st*/x', false],
  ];
  for (const [patterns, file, excluded] of table) {
    it(`${JSON.stringify(patterns)} ${excluded ? 'excludes' : 'keeps'} ${file}`, () => {
      assert.equal(matcherFor(patterns).matchesOrParentMatches(file), excluded);
    });
  }

  it('treats \\ as a separator on Windows', () => {
    assert.equal(matcherFor('a\\b', 'win32').matchesOrParentMatches('a/b/c'), true);
    assert.equal(matcherFor('a\\b', 'win32').matchesOrParentMatches('a/x'), false);
    // On Unix `\b` reaches Go's regexp unescaped: a word boundary, so `a\b` matches `a` itself.
    assert.equal(matcherFor('a\\b', 'posix').matchesOrParentMatches('a/b/c'), true);
    assert.equal(matcherFor('a\\b', 'posix').matchesOrParentMatches('ab'), false);
    assert.equal(matcherFor('a\\*', 'posix').matchesOrParentMatches('a*'), true);
  });

  it('refuses malformed patterns with the file and line', () => {
    assert.throws(() => matcherFor('ok\n[\n'), /\.dockerignore:2: syntax error in pattern/);
    assert.throws(() => matcherFor('ok\n\n!\n'), /\.dockerignore:3: illegal exclusion pattern/);
    assert.throws(() => matcherFor('!/\n'), /illegal exclusion pattern/);
  });

  it('rejects bad regexp repeats only when used', () => {
    assert.deepEqual(matcherFor('ok\nx{2,1}?\n*{2}\n').lateErrors().map((p) => p.line), [2, 3]);
  });

  it('knows which patterns only fail when evaluated', () => {
    assert.deepEqual(matcherFor('ok\na\\q*\n[z-a]x\n').lateErrors().map((p) => p.line), [2, 3]);
  });

  it('names the deciding pattern', () => {
    const decision = matcherFor('*.log\n!keep.log\nlogs\n').decide('logs/a.txt');
    assert.equal(decision.excluded, true);
    assert.equal(decision.pattern?.line, 3);
    assert.equal(decision.matchedPath, 'logs');
  });
});

describe('MatchesUsingParentResults with candidate patterns', () => {
  /** patternmatcher's loop, as plainly as it reads: every pattern, in order. */
  function reference(patterns: CompiledPattern[], path: string, parent: boolean[] | null): { excluded: boolean; matched: boolean[] } {
    const matched: boolean[] = [];
    let excluded = false;
    const parents = path.split('/').slice(0, -1).map((_, i, all) => all.slice(0, i + 1).join('/'));
    patterns.forEach((p, i) => {
      let match = parent !== null && parent[i] === true;
      if (!match && p.exclusion === excluded) {
        match = p.matches(path);
        if (!match && parent === null) match = parents.some((dir) => p.compileError() === null && p.matches(dir));
      }
      matched[i] = match;
      if (match) excluded = !p.exclusion;
    });
    return { excluded, matched };
  }

  it('decides every path of random trees as the plain loop does, failures included', () => {
    const pieces = ['a', 'b', 'ab', 'x.log', '*', '**', '*.log', '?', '[ab]', 'a{2,1}', 'b*a', '.env', 'node_modules'];
    const rng = new Random(4242);
    const random = (n: number): number => rng.int(n);
    const names = ['a', 'b', 'ab', 'x.log', 'y.env', '.env', 'node_modules', 'ba', 'aab'];
    let decided = 0;
    let failures = 0;
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 1 + random(12) }, () => {
        const depth = 1 + random(3);
        const text = Array.from({ length: depth }, () => pieces[random(pieces.length)]).join('/');
        return (random(4) === 0 ? '!' : '') + text;
      });
      const matcher = matcherFor(lines.join('\n') + '\n');
      // Walk a random tree parents first, handing each directory's results to its entries.
      const walk = (dir: string, parent: ReturnType<PatternMatcher['matchesUsingParentResults']>['results'] | null, plainParent: boolean[] | null, depth: number): void => {
        for (let k = 0; k < 3; k++) {
          const path = (dir === '' ? '' : dir + '/') + names[random(names.length)];
          let expected: { excluded: boolean; matched: boolean[] } | { error: string };
          try {
            expected = reference(matcher.patterns, path, plainParent);
          } catch (error) {
            expected = { error: (error as Error).message };
          }
          let actual: { excluded: boolean; matched: boolean[] } | { error: string };
          let results: ReturnType<PatternMatcher['matchesUsingParentResults']>['results'] | null = null;
          try {
            const verdict = matcher.matchesUsingParentResults(path, parent ?? { matched: [], hits: [] }, true);
            results = verdict.results;
            actual = { excluded: verdict.excluded, matched: [...verdict.results.matched] };
            assert.deepEqual([...verdict.results.hits], actual.matched.flatMap((m, i) => (m ? [i] : [])), 'hits list the matched indices');
          } catch (error) {
            actual = { error: (error as Error).message };
          }
          assert.deepEqual(actual, expected, `${JSON.stringify(lines)} on ${path}`);
          decided++;
          if ('error' in expected) {
            failures++;
            continue;
          }
          if (depth < 3 && results !== null) walk(path, results, expected.matched, depth + 1);
        }
      };
      walk('', null, null, 0);
    }
    assert.ok(decided > 3000 && failures > 20, `decided ${decided}, failures ${failures}`);
  });
});

describe('names and patterns that are not valid UTF-8', () => {
  it('keep their bytes through decoding, and read as U+FFFD where Go reads runes', () => {
    const rng = new Random(77);
    const alphabet = [0x61, 0x2f, 0x80, 0xbf, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0xef, 0xbd];
    for (let i = 0; i < 5000; i++) {
      const bytes = Buffer.from(Array.from({ length: rng.int(9) }, () => alphabet[rng.int(alphabet.length)]!));
      const kept = decodeKeepingBytes(bytes);
      assert.deepEqual(encodeKeptBytes(kept), bytes, `round trip of ${bytes.toString('hex')}`);
      assert.equal(toWellFormed(kept), decodeNameLikeGo(bytes), `display form of ${bytes.toString('hex')}`);
      let valid = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        valid = false;
      }
      assert.equal(isWellFormed(kept), valid, `validity of ${bytes.toString('hex')}`);
      assert.equal(isValidUtf8(bytes), valid, `isValidUtf8 of ${bytes.toString('hex')}`);
    }
    // Distinct bytes stay distinct, where the display form merges them.
    assert.notEqual(decodeKeepingBytes(Buffer.from([0x61, 0xff])), decodeKeepingBytes(Buffer.from([0x61, 0xfe])));
    assert.notEqual(decodeKeepingBytes(Buffer.from([0x61, 0xff])), decodeKeepingBytes(Buffer.from('a\uFFFD')));
  });

  it('match as Docker matches them: bytes for exact, prefix and suffix patterns, U+FFFD in regexps', () => {
    const m = (lines: Buffer) => new PatternMatcher(parseIgnoreFile(lines, '.dockerignore'));
    const key = (...parts: (string | number)[]) => decodeKeepingBytes(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from([p])))));
    const exact = m(Buffer.from([0x61, 0xff, 0x0a]));
    assert.equal(exact.matchesOrParentMatches(key('a', 0xff)), true);
    assert.equal(exact.matchesOrParentMatches(key('a', 0xfe)), false);
    assert.equal(exact.matchesOrParentMatches('a\uFFFD'), false);
    const regexp = m(Buffer.concat([Buffer.from('x*'), Buffer.from([0xff, 0x0a])]));
    assert.equal(regexp.matchesOrParentMatches(key('x', 0xfe)), true, 'both bytes read as U+FFFD');
    assert.equal(regexp.matchesOrParentMatches('x1\uFFFD'), true);
    assert.equal(regexp.matchesOrParentMatches('x1'), false);
  });
});
