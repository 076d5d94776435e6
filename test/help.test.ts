import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sink } from './support/sink.js';
import { pathToFileURL } from 'node:url';
import type * as Cli from '../src/cli.js';
import { REPO, runCtxsize } from './support/cli.js';

// The built CLI, the module bin/ctxsize.js runs (it reads the version from the package.json next to dist).
const { ALIASES, COMMANDS, runCli } = (await import(pathToFileURL(path.join(REPO, 'dist', 'cli.js')).href)) as typeof Cli;

/**
 * Help, version and typo suggestions for every command. The tests iterate over the CLI's own
 * COMMANDS and ALIASES tables, so a command added later is held to the same rules without
 * touching this file. Most cases run the built CLI in-process (dist/cli.js's runCli, which
 * bin/ctxsize.js calls) for speed; a few spawn the real binary to check what a shell sees.
 */

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** An empty directory as cwd: a mistyped command name must not name a directory there. */
let cwd = '';
before(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'ctxsize-help-'));
});
after(() => rmSync(cwd, { recursive: true, force: true }));

async function cli(args: string[]): Promise<Run> {
  const out = sink();
  const err = sink();
  const status = await runCli(args, { stdout: out.stream, stderr: err.stream, env: { NO_COLOR: '1' }, cwd });
  return { status, stdout: out.text(), stderr: err.text() };
}

const commandNames = Object.keys(COMMANDS);
const aliasNames = Object.keys(ALIASES);
const version = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** The long flags an option table documents: lines such as `  -f, --file PATH   …` or `      --json   …`. */
function documentedFlags(help: string): string[] {
  const flags = new Set<string>();
  for (const line of optionPart(help).split('\n')) {
    const m = /^\s+(?:-[^-\s], )?(--[a-z0-9][a-z0-9-]*)/.exec(line);
    if (m) flags.add(m[1]!);
  }
  return [...flags];
}

function optionPart(help: string): string {
  const at = help.indexOf('\nExamples:');
  return at === -1 ? help : help.slice(0, at);
}

/** The command lines of the Examples section, split at pipes and `&&`, that run ctxsize. */
function exampleInvocations(help: string): string[][] {
  const at = help.indexOf('\nExamples:');
  if (at === -1) return [];
  const lines = help.slice(at + '\nExamples:'.length).split('\n').slice(1);
  const invocations: string[][] = [];
  for (const line of lines) {
    if (line.trim() === '') break;
    const code = line.trim().replace(/\s{2,}.*$/, ''); // drop a description column
    for (const part of code.split(/\|\||&&|\||;/)) {
      const words = part.trim().split(/\s+/);
      if (words[0] === 'ctxsize') invocations.push(words.slice(1));
    }
  }
  return invocations;
}

/** Which command an argument list runs (the default is measure). */
function commandOf(args: string[]): string {
  const first = args[0];
  if (first !== undefined && (COMMANDS[first] || ALIASES[first])) return ALIASES[first] ?? first;
  return 'measure';
}

/** A one-letter deletion: a typo at edit distance 1 from the real name. */
function dropLetter(word: string): string {
  const at = Math.max(1, word.length - 2);
  return word.slice(0, at) + word.slice(at + 1);
}

const helps = new Map<string, string>();

describe('program help and version', () => {
  it('--help, -h and help print the program help on stdout, exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = await cli(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^Usage: ctxsize \[COMMAND\] \[DIR\] \[options\]$/m);
      assert.match(r.stdout, /^Examples:$/m);
      assert.match(r.stdout, /--version/);
      assert.match(r.stdout, /Exit codes:/);
    }
  });

  it('lists every command of the COMMANDS table, and every alias', async () => {
    const { stdout } = await cli(['--help']);
    for (const name of commandNames) assert.match(stdout, new RegExp(`^  ${name}\\s{2,}\\S`, 'm'), name);
    for (const alias of aliasNames) assert.match(stdout, new RegExp(`\\balias: ${alias}\\b`), alias);
  });

  it('--version and -V print the package version, with or without a command', async () => {
    for (const args of [['--version'], ['-V'], ...commandNames.map((name) => [name, '--version'])]) {
      const r = await cli(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.equal(r.stdout, version + '\n', args.join(' '));
      assert.equal(r.stderr, '');
    }
  });

  it('the program examples only use flags of the commands they run', async () => {
    const { stdout } = await cli(['--help']);
    const invocations = exampleInvocations(stdout);
    assert.ok(invocations.length >= commandNames.length - 1, 'an example for most commands');
    for (const args of invocations) {
      const name = commandOf(args);
      const help = (await cli([name, '--help'])).stdout;
      for (const flag of args.filter((a) => a.startsWith('--'))) {
        assert.ok(documentedFlags(help).includes(flag.replace(/=.*/, '')), `${args.join(' ')}: ${flag} is not an option of ${name}`);
      }
    }
  });
});

for (const name of commandNames) {
  describe(`ctxsize ${name}`, () => {
    before(async () => {
      const r = await cli([name, '--help']);
      helps.set(name, r.stdout);
    });

    it('--help, -h and `help NAME` print the same help with usage, options and examples', async () => {
      const help = helps.get(name)!;
      assert.match(help, new RegExp(`^Usage: ctxsize (\\[${name}\\]|${name})(\\s|$)`, 'm'));
      assert.match(help, /^Options:$/m);
      assert.match(help, /^\s+-h, --help\s/m);
      assert.ok(exampleInvocations(help).length > 0, 'at least one example');
      for (const args of [[name, '-h'], ['help', name]]) {
        const r = await cli(args);
        assert.equal(r.status, 0, args.join(' '));
        assert.equal(r.stderr, '');
        assert.equal(r.stdout, help, args.join(' '));
      }
    });

    it('every example runs this command and only uses documented flags', () => {
      const help = helps.get(name)!;
      const flags = documentedFlags(help);
      for (const args of exampleInvocations(help)) {
        assert.equal(commandOf(args), name, `example "ctxsize ${args.join(' ')}" runs ${commandOf(args)}`);
        for (const flag of args.filter((a) => a.startsWith('--'))) {
          assert.ok(flags.includes(flag.replace(/=.*/, '')), `example "ctxsize ${args.join(' ')}": ${flag} is not documented`);
        }
      }
    });

    it('accepts every flag its help documents', async () => {
      for (const flag of documentedFlags(helps.get(name)!)) {
        // `--flag=x` then --help: a string option takes the value and help wins; a boolean one
        // refuses the value. Neither may be an unknown option.
        const r = await cli([name, `${flag}=x`, '--help']);
        assert.doesNotMatch(r.stderr, /unknown option/, `${name} ${flag}: ${r.stderr}`);
      }
    });

    it('suggests the flag meant for a mistyped one (exit 2, nothing on stdout)', async () => {
      const flags = documentedFlags(helps.get(name)!);
      assert.ok(flags.length > 0);
      for (const flag of flags) {
        const typo = '--' + dropLetter(flag.slice(2));
        const r = await cli([name, typo]);
        assert.equal(r.status, 2, `${name} ${typo}`);
        assert.equal(r.stdout, '', `${name} ${typo}`);
        assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, 'one line');
        assert.ok(
          r.stderr.includes(`unknown option ${typo} (did you mean ${flag}?)`),
          `${name} ${typo}: ${r.stderr}`,
        );
      }
    });

    it('suggests the long flag for a single-dash one (-json) and keeps a value out of the guess', async () => {
      const flag = documentedFlags(helps.get(name)!).find((f) => f !== '--help' && f.length > 5)!;
      const single = await cli([name, flag.slice(1)]);
      assert.equal(single.status, 2);
      assert.ok(single.stderr.includes(`(did you mean ${flag}?)`), single.stderr);
      const typo = '--' + dropLetter(flag.slice(2));
      const withValue = await cli([name, `${typo}=1`]);
      assert.equal(withValue.status, 2);
      assert.ok(withValue.stderr.includes(`(did you mean ${flag}?)`), withValue.stderr);
    });

    it('suggests --version for a mistyped --version', async () => {
      const r = await cli([name, '--verison']);
      assert.equal(r.status, 2);
      assert.ok(r.stderr.includes('(did you mean --version?)'), r.stderr);
    });
  });
}

describe('mistyped command names', () => {
  const typos = (word: string): string[] => {
    const out = new Set<string>([word + word.at(-1), word[1]! + word[0]! + word.slice(2), word.toUpperCase()]);
    if (word.length > 3) out.add(dropLetter(word));
    out.delete(word);
    return [...out];
  };

  for (const name of [...commandNames, ...aliasNames]) {
    it(`${name}: a typo names the command (exit 2), on the command line and after help`, async () => {
      for (const typo of typos(name)) {
        for (const args of [[typo], [typo, '.'], ['help', typo]]) {
          const r = await cli(args);
          assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
          assert.equal(r.stdout, '');
          assert.ok(r.stderr.includes(`unknown command ${JSON.stringify(typo)} (did you mean ${name}?)`), `${args.join(' ')}: ${r.stderr}`);
        }
      }
    });
  }

  it('a word far from every command is a directory to measure, and its absence is said so', async () => {
    const r = await cli(['zzzzzzzz']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /zzzzzzzz: no such directory/);
  });

  it('help for an unknown word far from every command says so without a guess', async () => {
    const r = await cli(['help', 'zzzzzzzz']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command "zzzzzzzz"; see 'ctxsize --help'/);
  });
});

describe('the installed binary', () => {
  it('prints help on stdout and a suggestion on stderr, with the exit codes a shell sees', () => {
    const help = runCtxsize(['--help'], { cwd });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: ctxsize/m);
    const typo = runCtxsize(['ls', '--jsn'], { cwd });
    assert.equal(typo.status, 2);
    assert.equal(typo.stdout, '');
    assert.equal(typo.stderr, "ctxsize: ls: unknown option --jsn (did you mean --json?); see 'ctxsize ls --help'\n");
    const command = runCtxsize(['chek'], { cwd });
    assert.equal(command.status, 2);
    assert.match(command.stderr, /unknown command "chek" \(did you mean check\?\)/);
  });
});
