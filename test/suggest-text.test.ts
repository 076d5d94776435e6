import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  convertGitignorePattern,
  insertIntoBlock,
  literalPattern,
  parseGitignoreLine,
  parseIgnoreFile,
  PatternMatcher,
  unifiedDiff,
  type GitignoreLocation,
} from '../src/index.js';
import { blockPatterns } from '../src/suggest/block.js';

const line = (pattern: string, comment = 'why') => ({ pattern, comment });

describe('suggest: the block in the ignore file (pure bytes in, bytes out)', () => {
  it('creates the block in a new file', () => {
    const { after, added } = insertIntoBlock(Buffer.alloc(0), [line('**/node_modules', 'deps'), line('**/.git', 'vcs')]);
    assert.equal(after.toString(), `${BLOCK_BEGIN}\n# deps\n**/node_modules\n# vcs\n**/.git\n${BLOCK_END}\n`);
    assert.deepEqual(added, ['**/node_modules', '**/.git']);
  });

  it('keeps every existing byte, adds a final newline where missing, and a blank line before the block', () => {
    const before = Buffer.from('# mine\nbuild\n  # not a comment\n!build/keep');
    const { after } = insertIntoBlock(before, [line('**/.git')]);
    assert.ok(after.subarray(0, before.length).equals(before));
    assert.equal(after.subarray(before.length).toString(), `\n\n${BLOCK_BEGIN}\n# why\n**/.git\n${BLOCK_END}\n`);
  });

  it('writes CRLF into a CRLF file and leaves its bytes alone', () => {
    const before = Buffer.from('# deps\r\nnode_modules\r\n');
    const { after } = insertIntoBlock(before, [line('**/.git')]);
    assert.ok(after.subarray(0, before.length).equals(before));
    const text = after.toString();
    assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
    assert.ok(text.endsWith(`${BLOCK_END}\r\n`));
  });

  it('writes LF into a file that mixes line ends (a CR there could push a long line over Docker\'s limit)', () => {
    const { after } = insertIntoBlock(Buffer.from('a\r\nb\n'), [line('c')]);
    assert.equal(after.toString(), `a\r\nb\n\n${BLOCK_BEGIN}\n# why\nc\n${BLOCK_END}\n`);
  });

  it('keeps a byte-order mark and bytes that are not UTF-8', () => {
    const before = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a\n'), Buffer.from([0xff, 0xfe, 0x0a])]);
    const { after } = insertIntoBlock(before, [line('b')]);
    assert.ok(after.subarray(0, before.length).equals(before));
  });

  it('adds new lines inside an existing block, never twice, and is idempotent', () => {
    const first = insertIntoBlock(Buffer.from('x\n'), [line('a')]).after;
    const withTail = Buffer.concat([first, Buffer.from('# mine, after the block\n!a/keep\n')]);
    const second = insertIntoBlock(withTail, [line('a'), line('b'), line('b')]);
    assert.deepEqual(second.added, ['b']);
    assert.equal(
      second.after.toString(),
      `x\n\n${BLOCK_BEGIN}\n# why\na\n# why\nb\n${BLOCK_END}\n# mine, after the block\n!a/keep\n`,
    );
    assert.deepEqual(blockPatterns(second.after), ['a', 'b']);
    const third = insertIntoBlock(second.after, [line('a'), line('b')]);
    assert.equal(third.after, second.after, 'the same Buffer: nothing to do');
    assert.deepEqual(third.added, []);
  });

  it('puts a comment on one line even when the reason has line breaks', () => {
    const { after } = insertIntoBlock(Buffer.alloc(0), [line('a', 'one\ntwo')]);
    assert.match(after.toString(), /^# one two$/m);
    // The comment lines are comments to Docker: only the pattern is a rule.
    assert.deepEqual(parseIgnoreFile(after).rules.map((r) => r.pattern), ['a']);
  });
});

describe('suggest: unified diff', () => {
  it('shows a new file', () => {
    assert.equal(unifiedDiff('', 'a\nb\n', '/dev/null', 'b/.dockerignore'), '--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  });

  it('shows an insertion with three lines of context', () => {
    const before = '1\n2\n3\n4\n5\n';
    const after = '1\n2\n3\n4\n5\nX\nY\n';
    assert.equal(unifiedDiff(before, after, 'a/f', 'b/f'), '--- a/f\n+++ b/f\n@@ -3,3 +3,5 @@\n 3\n 4\n 5\n+X\n+Y\n');
  });

  it('marks a missing final newline', () => {
    assert.equal(
      unifiedDiff('a', 'a\nb\n', 'a/f', 'b/f'),
      '--- a/f\n+++ b/f\n@@ -1,1 +1,2 @@\n-a\n\\ No newline at end of file\n+a\n+b\n',
    );
  });

  it('is empty when nothing changes', () => {
    assert.equal(unifiedDiff('a\n', 'a\n', 'a/f', 'b/f'), '');
  });
});

describe('suggest: literal patterns', () => {
  const cases: [string, string | null][] = [
    ['dist', 'dist'],
    ['data/big file.csv', 'data/big file.csv'],
    ['a[1]/b*?.txt', 'a\\[1\\]/b\\*\\?.txt'],
    ['x^y', 'x\\^y'],
    ['back\\slash', 'back\\\\slash'],
    ['#notes', '\\#notes'],
    ['!important', '\\!important'],
    ['trailing ', null],
    ['line\nbreak', null],
  ];
  for (const [path, expected] of cases) {
    it(`${JSON.stringify(path)} -> ${JSON.stringify(expected)}`, () => {
      const pattern = literalPattern(path);
      assert.equal(pattern, expected);
      if (pattern === null) return;
      // Docker reads the line back as a pattern that matches exactly that path.
      const matcher = new PatternMatcher(parseIgnoreFile(pattern + '\n'));
      assert.equal(matcher.matchesOrParentMatches(path), true);
      assert.equal(matcher.matchesOrParentMatches(path + 'x'), false);
    });
  }
});

describe('suggest: converting .gitignore lines', () => {
  const root: GitignoreLocation = { inside: '' };
  // [line, where the .gitignore is, the .dockerignore line ('outside' or null for none)]
  const cases: [string, GitignoreLocation, string | 'outside' | null][] = [
    ['node_modules', root, '**/node_modules'],
    ['node_modules/', root, '**/node_modules'],
    ['/build', root, 'build'],
    ['/build/', root, 'build'],
    ['dist/', root, '**/dist'],
    ['*.log', root, '**/*.log'],
    ['logs/*.log', root, 'logs/*.log'],
    ['**/tmp', root, '**/tmp'],
    ['a/**/b', root, 'a/**/b'],
    ['!keep.log', root, '!**/keep.log'],
    ['!/keep.log', root, '!keep.log'],
    ['*.py[cod]', root, '**/*.py[cod]'],
    ['[!a]*.txt', root, '**/[^a]*.txt'],
    ['\\#notes', root, '**/\\#notes'],
    ['/#x', root, '\\#x'],
    ['\\!important', root, '**/\\!important'],
    ['foo   ', root, '**/foo'],
    ['generated/', { inside: 'packages/b' }, 'packages/b/**/generated'],
    ['/out', { inside: 'web' }, 'web/out'],
    ['src/gen', { inside: 'web' }, 'web/src/gen'],
    ['dir[1]/', { inside: 'we[ird]' }, 'we\\[ird\\]/**/dir[1]'],
    ['node_modules', { above: 'services/api' }, '**/node_modules'],
    ['/services/api/dist', { above: 'services/api' }, 'dist'],
    ['services/*/tmp/', { above: 'services/api' }, 'tmp'],
    ['/docs', { above: 'services/api' }, 'outside'],
    ['/services', { above: 'services/api' }, null],
    ['**/api/x', { above: 'services/api' }, null],
    ['foo\\ ', root, null],
  ];
  for (const [text, location, expected] of cases) {
    it(`${JSON.stringify(text)} in ${JSON.stringify(location)} -> ${JSON.stringify(expected)}`, () => {
      const parsed = parseGitignoreLine(text);
      assert.ok(parsed);
      const converted = convertGitignorePattern(parsed, location);
      if (expected === 'outside') assert.equal(converted.kind, 'outside');
      else if (expected === null) assert.equal(converted.kind, 'none');
      else assert.deepEqual(converted, { kind: 'line', line: expected });
    });
  }

  it('skips blank lines and comments', () => {
    assert.equal(parseGitignoreLine(''), null);
    assert.equal(parseGitignoreLine('   '), null);
    assert.equal(parseGitignoreLine('# comment'), null);
  });

  it('reads negation, directory-only and anchoring as git does', () => {
    assert.deepEqual(parseGitignoreLine('!/a/b/'), { negative: true, body: 'a/b', dirOnly: true, anchored: true });
    assert.deepEqual(parseGitignoreLine('x'), { negative: false, body: 'x', dirOnly: false, anchored: false });
    assert.deepEqual(parseGitignoreLine('x/'), { negative: false, body: 'x', dirOnly: true, anchored: false });
  });
});
