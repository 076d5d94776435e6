import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DockerfileError,
  contextIncludePatterns,
  contextSources,
  dockerfileReadsContext,
  dockerfileUsesWholeContext,
  expandWord,
  parseDockerfile,
  resolveStages,
  type ContextSource,
  type ContextSourceOptions,
  type Dockerfile,
  type Instruction,
  type VariableLookup,
  type Variables,
} from '../src/dockerfile/index.js';
import { classifyAddSource } from '../src/dockerfile/git.js';
import { defaultBuildPlatform } from '../src/dockerfile/platform.js';
import { parseMount, readCsvRecord } from '../src/dockerfile/mounts.js';
import { extractBuilderFlags, parseJsonArray, parseWords } from '../src/dockerfile/words.js';

/** A closed scope from a plain object (`undefined` values mean "unknown"). */
function vars(values: Record<string, string | undefined>, open = false): Variables {
  return {
    lookup(name: string): VariableLookup {
      if (Object.hasOwn(values, name)) {
        const value = values[name];
        return value === undefined ? { kind: 'unknown' } : { kind: 'set', value, exact: true };
      }
      return open ? { kind: 'unknown' } : { kind: 'unset' };
    },
  };
}

/** The instructions of every stage, flattened, with the meta ARGs first. */
function instructionsOf(df: Dockerfile): Instruction[] {
  return [...df.metaArgs, ...df.stages.flatMap((s) => s.instructions)];
}

function throwsAt(fn: () => unknown, line: number, detail: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DockerfileError, `not a DockerfileError: ${String(error)}`);
    assert.equal(error.line, line, error.message);
    assert.match(error.detail, detail);
    return true;
  });
}

const paths = (text: string, options: ContextSourceOptions = {}): string[] =>
  contextSources(parseDockerfile(text), options).map((s) => s.path);

describe('reading lines as BuildKit does', () => {
  const cases: [string, string, string[]][] = [
    ['continuation', 'FROM a\nCOPY x \\\n  y /d\n', ['x', 'y']],
    ['comment lines inside a continuation are skipped', 'FROM a\nCOPY x \\\n# note\n   # indented note\n y /d\n', ['x', 'y']],
    ['an empty line does not end a continuation', 'FROM a\nCOPY x \\\n\n y /d\n', ['x', 'y']],
    ['CRLF line endings', 'FROM a\r\nCOPY x \\\r\n y /d\r\n', ['x', 'y']],
    ['blanks after the escape still continue', 'FROM a\nCOPY x \\ \t\n y /d\n', ['x', 'y']],
    ['an escaped escape is no continuation', 'FROM a\nCOPY x /d\\\\\nCOPY y /d\n', ['x', 'y']],
    ['a comment ending in a backslash is no continuation', 'FROM a\n# c \\\nCOPY x /d\n', ['x']],
    ['a UTF-8 BOM is dropped', '\uFEFFFROM a\nCOPY x /d\n', ['x']],
    ['a lone escape on a line continues', 'FROM a\nCOPY x \\\n\\\n y /d\n', ['x', 'y']],
    ['backtick escape directive', '# escape=`\nFROM a\nCOPY x `\n  y /d\n', ['x', 'y']],
    ['with a backtick escape a backslash is literal', '#escape = `\nFROM a\nCOPY a\\b /d\n', ['a\\b']],
    ['directives after the first non-directive line are comments', '# hello\n# escape=`\nFROM a\nCOPY x \\\n y /d\n', ['x', 'y']],
    ['keywords are case-insensitive', 'from a\ncopy x /d\nCoPy y /d\n', ['x', 'y']],
    ['leading blanks before an instruction', 'FROM a\n   COPY x /d\n', ['x']],
    ['a file without final newline', 'FROM a\nCOPY x /d', ['x']],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(paths(text), expected));
  }

  it('records directives and the escape token', () => {
    const df = parseDockerfile('# syntax=docker/dockerfile:1\n# ESCAPE = `\n# check=skip=all\nFROM a\n');
    assert.equal(df.escapeToken, '`');
    assert.deepEqual(df.directives, [
      { name: 'syntax', value: 'docker/dockerfile:1', line: 1 },
      { name: 'escape', value: '`', line: 2 },
      { name: 'check', value: 'skip=all', line: 3 },
    ]);
  });

  it('warns about empty continuation lines, as BuildKit does', () => {
    const df = parseDockerfile('FROM a\nRUN echo \\\n\n  hi\n');
    assert.deepEqual(df.warnings, [{ line: 4, message: 'Empty continuation line found in: RUN echo   hi' }]);
    const run = df.stages[0]!.instructions[0]!;
    assert.equal(run.kind, 'RUN');
    if (run.kind === 'RUN') assert.deepEqual(run.command, ['echo   hi']);
  });

  it('keeps each instruction\'s first line, counting blank lines, comments and continuations', () => {
    const df = parseDockerfile('# c\n\nFROM a AS b\nRUN a \\\n  b \\\n  c\n\n# x\nCOPY x /d\n');
    const lines = [df.stages[0]!.from, ...df.stages[0]!.instructions].map((i) => [i.keyword, i.line, i.endLine]);
    assert.deepEqual(lines, [['FROM', 3, 3], ['RUN', 4, 6], ['COPY', 9, 9]]);
  });

  it('a directive after an instruction does not change the escape', () => {
    throwsAt(() => parseDockerfile('FROM a\n# escape=`\nCOPY x `\n y /d\n'), 4, /unknown instruction: y/);
  });

  const errors: [string, string, number, RegExp][] = [
    ['empty file', '', 1, /cannot be empty/],
    ['only comments', '# a\n\n# b\n', 3, /file with no instructions/],
    ['duplicate directive', '# escape=`\n# escape=\\\nFROM a\n', 2, /only one escape parser directive/],
    ['invalid escape', '# escape=x\nFROM a\n', 1, /invalid escape token 'x'/],
    ['line too long', 'FROM a\nRUN ' + 'x'.repeat(70000) + '\n', 2, /greater than max allowed size of 65535/],
  ];
  for (const [name, text, line, detail] of errors) {
    it(`error: ${name}`, () => throwsAt(() => parseDockerfile(text), line, detail));
  }

  it('names the file in errors', () => {
    assert.throws(() => parseDockerfile('FROM a\nFOO bar\n', 'web/Dockerfile'), /^DockerfileError: web\/Dockerfile:2: unknown instruction: FOO$/);
  });
});

describe('arguments and flags', () => {
  const flagCases: [string, string[], string][] = [
    ['--from=build src dst', ['--from=build'], 'src dst'],
    ['--chown="a b" --link src dst', ['--chown=a b', '--link'], 'src dst'],
    ["--chmod='755' x y", ['--chmod=755'], 'x y'],
    ['--exclude=a\\ b x y', ['--exclude=a b'], 'x y'],
    ['--from build x y', ['--from'], 'build x y'],
    ['-- --not-a-flag x', [], ' --not-a-flag x'],
    ['-x y', [], '-x y'],
    ['--link', ['--link'], ''],
  ];
  for (const [line, flags, rest] of flagCases) {
    it(`extractBuilderFlags ${JSON.stringify(line)}`, () => assert.deepEqual(extractBuilderFlags(line), { flags, rest }));
  }

  const jsonCases: [string, string[] | undefined][] = [
    ['["a b", "c"]', ['a b', 'c']],
    ['  ["a"] trailing', ['a']],
    ['[ "a", ]', undefined],
    ['["a"', undefined],
    ['a b', undefined],
    ['{"a": 1}', undefined],
    ['["a\\"]", "b"]', ['a"]', 'b']],
  ];
  for (const [text, expected] of jsonCases) {
    it(`JSON form ${JSON.stringify(text)}`, () => assert.deepEqual(parseJsonArray(text), expected));
  }
  it('a JSON array of non-strings is an error', () => {
    assert.throws(() => parseJsonArray('["a", 1]'), /arrays must be comprised of strings only/);
  });

  const wordCases: [string, string[]][] = [
    ['a=1 b=2', ['a=1', 'b=2']],
    ['a="x y" b', ['a="x y"', 'b']],
    ["a='x \\' b", ["a='x \\'", 'b']],
    ['a=x\\ y', ['a=x\\ y']],
    ['  ', []],
  ];
  for (const [text, expected] of wordCases) {
    it(`parseWords ${JSON.stringify(text)}`, () => assert.deepEqual(parseWords(text, '\\'), expected));
  }

  it('parses COPY and ADD flags', () => {
    const df = parseDockerfile(
      'FROM a\n' +
        'COPY --from=b --chown=1:2 --chmod=644 --link --parents --exclude=*.md --exclude=docs x y /d\n' +
        'ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false --exclude=t https://x/y.tgz /d\n',
    );
    const [copy, add] = df.stages[0]!.instructions;
    assert.deepEqual(
      copy && copy.kind === 'COPY' && { ...copy, text: '', flags: [] },
      {
        keyword: 'COPY', line: 2, endLine: 2, text: '', flags: [], kind: 'COPY', sources: ['x', 'y'], heredocSources: [],
        dest: '/d', json: false, from: 'b', chown: '1:2', chmod: '644', link: true, parents: true, excludes: ['*.md', 'docs'],
      },
    );
    assert.ok(add && add.kind === 'ADD');
    assert.deepEqual([add.checksum, add.keepGitDir, add.unpack, add.excludes, add.sources], [
      'sha256:abc', true, false, ['t'], ['https://x/y.tgz'],
    ]);
  });

  it('parses JSON form with flags', () => {
    const copy = parseDockerfile('FROM a\nCOPY --link ["my file", "b", "/d e/"]\n').stages[0]!.instructions[0]!;
    assert.ok(copy.kind === 'COPY');
    assert.deepEqual([copy.json, copy.sources, copy.dest, copy.link], [true, ['my file', 'b'], '/d e/', true]);
  });

  it('parses ARG and ENV, before and after FROM', () => {
    const df = parseDockerfile('ARG A B=2\nFROM a\nARG C="x y"\nENV D=1 E="two words"\nENV F legacy value\n');
    const all = instructionsOf(df);
    assert.deepEqual(all.map((i) => (i.kind === 'ARG' ? i.args : i.kind === 'ENV' ? i.pairs : null)), [
      [{ key: 'A' }, { key: 'B', value: '2' }],
      [{ key: 'C', value: '"x y"' }],
      [{ key: 'D', value: '1' }, { key: 'E', value: '"two words"' }],
      [{ key: 'F', value: 'legacy value' }],
    ]);
    assert.equal(df.metaArgs.length, 1);
  });

  it('parses FROM with platform and stage name', () => {
    const from = parseDockerfile('FROM --platform=$BUILDPLATFORM golang:1.22 As Builder\n').stages[0]!.from;
    assert.deepEqual([from.image, from.stageName, from.platform], ['golang:1.22', 'builder', '$BUILDPLATFORM']);
  });

  it('parses RUN mounts and ONBUILD triggers', () => {
    const df = parseDockerfile(
      'FROM a\nRUN --mount=type=bind,from=b,source=/x,target=/y --mount=type=cache,target=/c --network=none make\n' +
        'onbuild copy x /y\n',
    );
    const [run, onbuild] = df.stages[0]!.instructions;
    assert.ok(run && run.kind === 'RUN' && onbuild && onbuild.kind === 'ONBUILD');
    assert.deepEqual(run.mounts, [
      { spec: 'type=bind,from=b,source=/x,target=/y', from: 'b' },
      { spec: 'type=cache,target=/c' },
    ]);
    assert.deepEqual([run.network, run.command], ['none', ['make']]);
    assert.equal(onbuild.trigger.kind, 'COPY');
    assert.equal(onbuild.trigger.line, 3);
  });

  const errors: [string, string, number, RegExp][] = [
    ['unknown instruction', 'FROM a\nCOPYY x y\n', 2, /unknown instruction: COPYY/],
    ['unknown flag', 'FROM a\nCOPY --frm=b x y\n', 2, /Unknown flag: frm/],
    ['flag without value', 'FROM a\nCOPY --from x y\n', 2, /Missing a value on flag: from/],
    ['bad boolean', 'FROM a\nCOPY --link=yes x y\n', 2, /Expecting boolean value for flag link, not: yes/],
    ['duplicate flag', 'FROM a\nCOPY --from=a --from=b x y\n', 2, /Duplicate flag specified: from/],
    ['COPY with one argument', 'FROM a\nCOPY x\n', 2, /COPY requires at least two arguments/],
    ['instruction before FROM', 'RUN x\nFROM a\n', 1, /no build stage in current context/],
    ['only ARGs', 'ARG a\n', 1, /no stages to build/],
    ['FROM with two words', 'FROM a b\n', 1, /FROM requires either one or three arguments/],
    ['invalid stage name', 'FROM a AS 1st\n', 1, /invalid name for build stage: "1st"/],
    ['ENV without =', 'FROM a\nENV a=1 b\n', 2, /can't find = in "b"/],
    ['ENV with one word', 'FROM a\nENV a\n', 2, /ENV must have two arguments/],
    ['ARG with blank name', 'FROM a\nARG =x\n', 2, /ARG names can not be blank/],
    ['ONBUILD ONBUILD', 'FROM a\nONBUILD ONBUILD RUN x\n', 2, /Chaining ONBUILD/],
    ['ONBUILD FROM', 'FROM a\nONBUILD FROM b\n', 2, /FROM isn't allowed as an ONBUILD trigger/],
    ['JSON with a number', 'FROM a\nCOPY ["a", 1]\n', 2, /strings only/],
    ['mount from with a variable', 'FROM a\nRUN --mount=from=$X,target=/x y\n', 2, /'from' doesn't support variable expansion/],
    ['mount that is not CSV', 'FROM a\nRUN --mount=type=bind,source=a\\"b y\n', 2, /bare " in non-quoted-field/],
    ['SHELL not in JSON', 'FROM a\nSHELL bash -c\n', 2, /JSON form/],
  ];
  for (const [name, text, line, detail] of errors) {
    it(`error: ${name}`, () => throwsAt(() => parseDockerfile(text), line, detail));
  }
});

describe('heredocs', () => {
  it('reads COPY <<EOF bodies and keeps them out of the context paths', () => {
    const df = parseDockerfile('FROM a\nCOPY <<EOF a.txt /d/\nhello $X\nEOF\nCOPY b /d\n');
    const copy = df.stages[0]!.instructions[0]!;
    assert.ok(copy.kind === 'COPY');
    assert.deepEqual(copy.heredocSources, [{ name: 'EOF', content: 'hello $X\n', expand: true, chomp: false, fd: 0 }]);
    assert.deepEqual([copy.sources, copy.line, copy.endLine], [['a.txt'], 2, 4]);
    assert.deepEqual(paths('FROM a\nCOPY <<EOF a.txt /d/\nhello\nEOF\nCOPY b /d\n'), ['a.txt', 'b']);
  });

  it('several heredocs on one line, quoted delimiters, <<- chomping', () => {
    const df = parseDockerfile('FROM a\nCOPY <<one <<"two" <<-\'three\' /d/\n1\none\n2\ntwo\n\t3\n\tthree\nRUN x\n');
    const copy = df.stages[0]!.instructions[0]!;
    assert.ok(copy.kind === 'COPY');
    assert.deepEqual(
      copy.heredocSources.map((h) => [h.name, h.content, h.expand, h.chomp]),
      [['one', '1\n', true, false], ['two', '2\n', false, false], ['three', '3\n', false, true]],
    );
    assert.equal(df.stages[0]!.instructions[1]!.line, 9);
  });

  it('RUN <<EOF keeps the body with the command, CRLF and all', () => {
    const df = parseDockerfile('FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nRUN 3<<-END cat\n\tx\n\tEND\n');
    const [first, second] = df.stages[0]!.instructions;
    assert.ok(first && first.kind === 'RUN' && second && second.kind === 'RUN');
    assert.deepEqual([first.command, first.heredocs.map((h) => h.content)], [['<<EOF'], ['echo hi\r\n']]);
    assert.deepEqual(second.heredocs.map((h) => [h.name, h.fd, h.chomp, h.content]), [['END', 3, true, '\tx\n']]);
  });

  it('a quoted "<<EOF", JSON form and other instructions are not heredocs', () => {
    const df = parseDockerfile('FROM a\nRUN echo "<<EOF"\nCOPY ["<<EOF", "/d"]\nLABEL a=<<EOF\nRUN x\n');
    assert.deepEqual(df.stages[0]!.instructions.map((i) => i.line), [2, 3, 4, 5]);
  });

  it('ONBUILD triggers carry their heredocs', () => {
    const df = parseDockerfile('FROM a\nONBUILD COPY <<EOF /d\nx\nEOF\nRUN y\n');
    const onbuild = df.stages[0]!.instructions[0]!;
    assert.ok(onbuild.kind === 'ONBUILD' && onbuild.trigger.kind === 'COPY');
    assert.deepEqual(onbuild.trigger.heredocSources.map((h) => h.content), ['x\n']);
    assert.equal(df.stages[0]!.instructions[1]!.line, 5);
  });

  it('error: unterminated heredoc', () => throwsAt(() => parseDockerfile('FROM a\nCOPY <<EOF /d\nx\n'), 2, /unterminated heredoc/));
  it('error: heredoc destination', () => throwsAt(() => parseDockerfile('FROM a\nCOPY x <<EOF\nEOF\n'), 2, /cannot accept a heredoc as a destination/));
});

describe('variable expansion (shell/lex.go)', () => {
  const env = vars({ FOO: 'bar', EMPTY: '', PATH_: 'a/b/c', SP: 'x y' });
  const cases: [string, string][] = [
    ['$FOO', 'bar'],
    ['${FOO}', 'bar'],
    ['$FOO/baz', 'bar/baz'],
    ['${FOO}baz', 'barbaz'],
    ['$FOObaz', ''],
    ['${NOPE:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${EMPTY-dflt}', ''],
    ['${NOPE-dflt}', 'dflt'],
    ['${FOO:-dflt}', 'bar'],
    ['${FOO:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${NOPE+alt}', ''],
    ['${NOPE:-$FOO}', 'bar'],
    ['${FOO:?}', 'bar'],
    ['\\$FOO', '$FOO'],
    ["'$FOO'", '$FOO'],
    ['"$FOO"', 'bar'],
    ['"a\\"b"', 'a"b'],
    ['"a\\b"', 'a\\b'],
    ['a\\ b', 'a b'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$1x', 'x'],
    ['${PATH_#*/}', 'b/c'],
    ['${PATH_##*/}', 'c'],
    ['${PATH_%/*}', 'a/b'],
    ['${PATH_%%/*}', 'a'],
    ['${PATH_/b/x}', 'a/x/c'],
    ['${PATH_//\\//_}', 'a_b_c'],
    ['${PATH_/?/z}', 'z/b/c'],
    ['$SP', 'x y'],
    ['x\\', 'x'],
  ];
  for (const [word, expected] of cases) {
    it(`${word} -> ${JSON.stringify(expected)}`, () => assert.equal(expandWord(word, env).result, expected));
  }

  const errors: [string, RegExp][] = [
    ['${FOO', /missing '}'/],
    ['${}', /bad substitution/],
    ['${:a}', /bad substitution/],
    ['${NOPE:?}', /NOPE: is not allowed to be unset/],
    ['${EMPTY:?must be set}', /EMPTY: must be set/],
    ['${FOO:=x}', /unsupported modifier \(:=\)/],
    ['${FOO:#x}', /unsupported modifier \(:#\)/],
    ['"abc', /matching double-quote/],
    ["'abc", /matching single-quote/],
  ];
  for (const [word, message] of errors) {
    it(`error: ${word}`, () => assert.throws(() => expandWord(word, env), message));
  }

  it('uses the Dockerfile\'s escape character', () => {
    assert.equal(expandWord('`$FOO', env, { escapeToken: '`' }).result, '$FOO');
    assert.equal(expandWord('a\\b', env, { escapeToken: '`' }).result, 'a\\b');
  });

  it('splits words after expansion (ProcessWords), quotes grouping', () => {
    assert.deepEqual(expandWord('a $SP "c d"  e', env).words, ['a', 'x', 'y', 'c d', 'e']);
  });

  it('reports variables it could not know', () => {
    const open = vars({ FOO: 'bar' }, true);
    const e = expandWord('$HOME/${FOO}/${X:-d}/${Y:?}', open);
    assert.deepEqual([e.result, [...e.unresolved].sort()], ['/bar/d/', ['HOME', 'X', 'Y']]);
  });
});

describe('RUN --mount values', () => {
  const csv: [string, string[]][] = [
    ['type=bind,source=a,target=/b', ['type=bind', 'source=a', 'target=/b']],
    ['"source=a,b",target=/c', ['source=a,b', 'target=/c']],
    ['"x ""y""",z', ['x "y"', 'z']],
    ['a,,b', ['a', '', 'b']],
  ];
  for (const [text, fields] of csv) {
    it(`CSV ${text}`, () => assert.deepEqual(readCsvRecord(text), fields));
  }

  const mounts: [string, object][] = [
    ['target=/x', { type: 'bind', target: '/x', readOnly: true }],
    ['type=bind,src=a,dst=/x,rw', { type: 'bind', source: 'a', target: '/x', readOnly: false }],
    ['type=cache,target=/c,id=x,sharing=locked,mode=0755,uid=1', { type: 'cache', target: '/c', readOnly: false }],
    ['type=tmpfs,target=/t,size=64m', { type: 'tmpfs', target: '/t', readOnly: false }],
    ['type=secret,id=npm,required', { type: 'secret', readOnly: true }],
    ['type=ssh,required=true', { type: 'ssh', readOnly: true }],
    ['type=bind,from=builder,source=/out,target=/o,readonly=false', { type: 'bind', from: 'builder', source: '/out', target: '/o', readOnly: false }],
    ['TYPE=Bind,Source=a,target=/x', { type: 'bind', source: 'a', target: '/x', readOnly: true }],
  ];
  for (const [spec, expected] of mounts) {
    it(`mount ${spec}`, () => assert.deepEqual(parseMount(spec, (v) => v), expected));
  }

  const errors: [string, RegExp][] = [
    ['type=volume,target=/x', /unsupported mount type "volume"/],
    ['type=bind,foo=bar', /unexpected key 'foo'/],
    ['type=bind,mode=0755,target=/x', /not allowed for "bind"/],
    ['type=bind,sharing=shared,target=/x', /invalid cache sharing/],
    ['type=bind,required', /unexpected key 'required' for mount type 'bind'/],
    ['type=bind,junk', /must be a key=value pair/],
    ['type=secret,from=x,id=y', /secret mount should not have a from/],
  ];
  for (const [spec, message] of errors) {
    it(`mount error ${spec}`, () => assert.throws(() => parseMount(spec, (v) => v), message));
  }
});

describe('remote ADD sources', () => {
  const table: [string, 'local' | 'http' | 'git'][] = [
    ['src/app', 'local'],
    ['https://example.com/app.tar.gz', 'http'],
    ['http://example.com/x', 'http'],
    ['https://github.com/moby/buildkit.git', 'git'],
    ['https://github.com/moby/buildkit.git#v0.12:frontend', 'git'],
    ['git@github.com:moby/buildkit.git', 'git'],
    ['ssh://git@github.com/moby/buildkit', 'git'],
    ['git://example.com/repo', 'git'],
    ['github.com/moby/buildkit', 'local'],
    ['ftp://example.com/x', 'local'],
    ['HTTP://example.com/x', 'local'],
    ['./a:b', 'local'],
    ['C:/x', 'local'],
    ['host:path/repo', 'local'],
    ['C:\\dir', 'local'],
  ];
  for (const [src, kind] of table) {
    it(`${src} is ${kind}`, () => assert.equal(classifyAddSource(src), kind));
  }
});

describe('stages, target and reachability', () => {
  const multi =
    'FROM node:20 AS deps\nCOPY package.json ./\n' +
    'FROM deps AS build\nCOPY src ./src\n' +
    'FROM nginx AS docs\nCOPY docs /usr/share/nginx\n' +
    'FROM build AS test\nCOPY test ./test\n' +
    'FROM alpine\nCOPY --from=build /app /app\n';

  const cases: [string, ContextSourceOptions, string[]][] = [
    ['the last stage is the default target', {}, ['package.json', 'src']],
    ['--target picks a stage (case-insensitive)', { target: 'DOCS' }, ['docs']],
    ['a target reaches its FROM chain', { target: 'test' }, ['package.json', 'src', 'test']],
    ['a stage replaced by a named context builds nothing', { target: 'test', namedContexts: ['build'] }, ['package.json', 'test']],
  ];
  for (const [name, options, expected] of cases) {
    it(name, () => assert.deepEqual(paths(multi, options), expected));
  }

  it('lists reachable stages in build order', () => {
    const graph = resolveStages(parseDockerfile(multi), { target: 'test' });
    assert.deepEqual([graph.target, graph.reachable, graph.base], [3, [0, 1, 3], [undefined, 0, undefined, 1, undefined]]);
  });

  const refs: [string, string, string[]][] = [
    ['COPY --from=<index>', 'FROM a\nCOPY one /\nFROM b\nCOPY two /\nFROM c\nCOPY --from=0 /x /y\n', ['one']],
    ['COPY --from=<image> is not the context', 'FROM a\nCOPY --from=nginx:latest /etc/nginx /x\n', []],
    ['an empty --from= is the context', 'FROM a\nCOPY --from= x /y\n', ['x']],
    ['RUN --mount from=<stage>', 'FROM a AS tools\nCOPY tool /t\nFROM b AS other\nCOPY other /o\nFROM c\nRUN --mount=from=tools,target=/t x\n', ['tool']],
    ['FROM with a global ARG naming a stage', 'ARG B=base\nFROM a AS base\nCOPY one /\nFROM $B\nCOPY two /\n', ['one', 'two']],
    ['a later duplicate name wins for --from', 'FROM a AS s\nCOPY first /\nFROM b AS s\nCOPY second /\nFROM c\nCOPY --from=s / /\n', ['second']],
    [
      'ONBUILD triggers run in the stage built FROM it',
      'FROM a AS base\nONBUILD COPY trigger /t\nONBUILD RUN --mount=target=/m x\nCOPY own /o\nFROM base\nCOPY child /c\n',
      ['own', 'trigger', '.', 'child'],
    ],
    ['an unreachable stage adds nothing', 'FROM a AS secret\nCOPY .env /\nFROM b\nCOPY app /\n', ['app']],
  ];
  for (const [name, text, expected] of refs) {
    it(name, () => assert.deepEqual(paths(text), expected));
  }

  const errors: [string, string, ContextSourceOptions, number, RegExp][] = [
    ['unknown target', 'FROM a AS x\n', { target: 'nope' }, 0, /target stage "nope" could not be found/],
    ['invalid stage index', 'FROM a\nCOPY --from=3 / /\n', {}, 2, /invalid stage index 3/],
    ['copy from itself', 'FROM a AS x\nCOPY --from=x / /\n', {}, 2, /circular dependency detected on stage: x/],
    [
      'copy from a later stage',
      'FROM a AS first\nCOPY --from=later / /\nFROM b AS later\nFROM c\nCOPY --from=first / /\n',
      {},
      2,
      /cannot copy from stage "later", it needs to be defined before current stage "first"/,
    ],
    ['quotes do not group shell-form sources', 'FROM a\nCOPY "q u" /d\n', {}, 2, /failed to process ""q": unexpected end of statement while looking for matching double-quote/],
    ['blank base name', 'ARG IMG\nFROM $IMG\n', {}, 2, /base name \(\$IMG\) should not be blank/],
    ['bad variable in a source', 'FROM a\nCOPY ${X /d\n', {}, 2, /missing '}'/],
    ['a URL in COPY', 'FROM a\nCOPY https://example.com/x /d\n', {}, 2, /source can't be a URL for COPY/],
    ['bad mount in a reachable stage', 'FROM a\nRUN --mount=type=nope,target=/x y\n', {}, 2, /unsupported mount type/],
  ];
  for (const [name, text, options, line, detail] of errors) {
    it(`error: ${name}`, () => throwsAt(() => contextSources(parseDockerfile(text), options), line, detail));
  }

  it('an unknown target error names the file without a line', () => {
    assert.throws(() => contextSources(parseDockerfile('FROM a\n', 'Dockerfile.web'), { target: 'x' }), /^DockerfileError: Dockerfile\.web: target stage "x"/);
  });
});

describe('context sources', () => {
  const cases: [string, string, ContextSourceOptions, string[]][] = [
    ['COPY . . is the root', 'FROM a\nCOPY . .\n', {}, ['.']],
    ['paths are cleaned and relative', 'FROM a\nCOPY ./a//b/ /x/../c /d\n', {}, ['a/b', 'c']],
    ['.. cannot leave the root', 'FROM a\nCOPY ../x /d\n', {}, ['x']],
    ['ADD skips URLs and git, keeps archives', 'FROM a\nADD https://x.io/a.tgz git@h:r.git b.tgz /d\n', {}, ['b.tgz']],
    ['a bind mount without source is the root', 'FROM a\nRUN --mount=type=bind,target=/src make\n', {}, ['.']],
    ['a bind mount source', 'FROM a\nRUN --mount=type=bind,source=./go.sum,target=/x --mount=type=cache,target=/c x\n', {}, ['go.sum']],
    ['a tmpfs mount counts, cache/secret/ssh do not', 'FROM a\nRUN --mount=type=tmpfs,target=/t --mount=type=secret,id=s --mount=type=ssh x\n', {}, ['.']],
    ['--parents keeps the whole path, the pivot cleaned away', 'FROM a\nCOPY --parents ./src/./app/*.go **/go.mod /d\n', {}, ['src/app/*.go', '**/go.mod']],
    ['JSON form', 'FROM a\nCOPY ["with space", "x", "/d"]\n', {}, ['with space', 'x']],
    ['ARG default', 'FROM a\nARG DIR=web\nCOPY ${DIR}/ /d\n', {}, ['web']],
    ['build argument overrides the default', 'FROM a\nARG DIR=web\nCOPY $DIR /d\n', { buildArgs: { DIR: 'api' } }, ['api']],
    ['an undeclared build argument is not visible', 'FROM scratch\nCOPY x$DIR /d\n', { buildArgs: { DIR: 'api' } }, ['x']],
    ['a global ARG needs a re-declaration in the stage', 'ARG V=1\nFROM scratch\nCOPY a$V /d\nARG V\nCOPY b$V /d\n', {}, ['a', 'b1']],
    ['ENV expands later instructions', 'FROM scratch\nENV APP=/srv/app\nCOPY .$APP /d\n', {}, ['srv/app']],
    ['ENV values use the environment before the line', 'FROM scratch\nENV A=1\nENV A=2 B=$A\nCOPY $A$B /d\n', {}, ['21']],
    ['an ARG in a parent stage is inherited', 'FROM scratch AS p\nARG X=in\nFROM p\nCOPY $X /d\n', {}, ['in']],
    ['defaults and alternatives', 'FROM scratch\nARG E=\nCOPY ${E:-dflt} ${E-keep} ${E:+alt} /d\n', {}, ['dflt', '.', '.']],
    ['escapes and quotes in sources', 'FROM a\nCOPY \\$HOME "q" /d\n', {}, ['$HOME', 'q']],
    ['backtick escape', '# escape=`\nFROM a\nCOPY `$X C:\\dir /d\n', {}, ['$X', 'C:\\dir']],
  ];
  for (const [name, text, options, expected] of cases) {
    it(name, () => assert.deepEqual(paths(text, options), expected));
  }

  it('describes each source', () => {
    const sources = contextSources(
      parseDockerfile('FROM golang AS build\nCOPY --exclude=*_test.go --parents cmd/*.go /d\nFROM scratch\nCOPY --from=build /x /y\nRUN --mount=source=$GOPATH,target=/g x\n'),
      { target: 'build' },
    );
    assert.deepEqual(sources, [
      {
        path: 'cmd/*.go', raw: 'cmd/*.go', line: 2, instruction: 'COPY', stage: 'build', wildcard: true, unresolved: false,
        excludes: ['*_test.go'], parents: true,
      },
    ]);
    const run = contextSources(parseDockerfile('FROM golang\nRUN --mount=source=$GOPATH/src,target=/g x\n'));
    assert.deepEqual(run, [
      {
        path: 'src', raw: '$GOPATH/src', line: 2, instruction: 'RUN', stage: 0, wildcard: false, unresolved: true, mount: 'bind',
        missing: ['GOPATH'], fromImage: ['GOPATH'],
      },
    ]);
  });

  it('flags variables a base image may set, but not in stages built on scratch', () => {
    const text = 'FROM node\nCOPY $APP_DIR/x /d\nFROM scratch AS s\nCOPY $APP_DIR/y /d\n';
    const unresolved = (target?: string) =>
      contextSources(parseDockerfile(text), target ? { target } : {}).map((s) => [s.path, s.unresolved]);
    assert.deepEqual(unresolved('s'), [['y', false]]);
    assert.deepEqual(contextSources(parseDockerfile(text)).map((s) => s.stage), ['s']);
    assert.deepEqual(
      contextSources(parseDockerfile('FROM node\nCOPY $APP_DIR/x /d\nARG TARGETARCH\nCOPY bin-$TARGETARCH /d\n')).map((s) => [s.path, s.unresolved]),
      [['x', true], [`bin-${defaultBuildPlatform().architecture}`, false]],
    );
    assert.deepEqual(
      paths('FROM node\nARG TARGETARCH\nCOPY bin-$TARGETARCH /d\n', { buildArgs: { TARGETARCH: 'arm64' } }),
      ['bin-arm64'],
    );
  });

  it('lists heredoc sources only when asked', () => {
    const df = parseDockerfile('FROM a\nCOPY <<-EOF x /d\n\tbody\n\tEOF\n');
    assert.deepEqual(contextSources(df).map((s) => s.path), ['x']);
    assert.deepEqual(
      contextSources(df, { includeHeredocs: true }).map((s) => [s.path, s.raw, s.heredoc ?? false]),
      [['x', 'x', false], ['EOF', '<<-EOF', true]],
    );
  });

  it('wildcards follow fileop: escaped characters are literal', () => {
    assert.deepEqual(
      contextSources(parseDockerfile('FROM a\nCOPY *.json a?c [ab] plain "x\\\\*" /d\n')).map((s) => s.wildcard),
      [true, true, true, false, false],
    );
  });
});

describe('what BuildKit transfers', () => {
  const sources = (text: string): ContextSource[] => contextSources(parseDockerfile(text));
  const table: [string, string, boolean, boolean, string[] | null][] = [
    ['a few paths, sorted and deduplicated', 'FROM a\nCOPY src package.json /d\nCOPY src /e\nCOPY Z /f\n', true, false, ['Z', 'package.json', 'src']],
    ['the root among them: no filter', 'FROM a\nCOPY go.mod /d\nCOPY . /src\n', true, true, null],
    ['a bind mount of the whole context', 'FROM a\nRUN --mount=type=bind,target=/src make\n', true, true, null],
    ['nothing from the context', 'FROM a\nRUN make\nCOPY --from=b /x /y\nADD https://x.io/y /z\n', false, false, []],
    ['a tmpfs mount alone reads nothing', 'FROM a\nRUN --mount=type=tmpfs,target=/t x\n', false, false, null],
    ['a tmpfs mount lifts the filter of the other paths', 'FROM a\nCOPY go.mod /d\nRUN --mount=type=tmpfs,target=/t x\n', true, true, null],
    ['UTF-8 byte order', 'FROM a\nCOPY \u00e9 z \uff41 /d\n', true, false, ['z', '\u00e9', '\uff41']],
  ];
  for (const [name, text, reads, whole, patterns] of table) {
    it(name, () => {
      const list = sources(text);
      assert.deepEqual(
        [dockerfileReadsContext(list), dockerfileUsesWholeContext(list), contextIncludePatterns(list)],
        [reads, whole, patterns],
      );
    });
  }
});
