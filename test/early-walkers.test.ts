import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { surelyMeasures } from '../src/cli/early-walkers.js';
import { ALIASES, COMMANDS } from '../src/cli.js';

describe('starting the walkers before the CLI loads', () => {
  it('only for arguments that surely measure', () => {
    for (const argv of [[], ['--json', '.'], ['.'], ['./app'], ['/srv/app'], ['measure', 'app'], ['--max-size', '200MB', 'app'], ['-f', 'docker/x.Dockerfile', '.']]) {
      assert.equal(surelyMeasures(argv), true, argv.join(' '));
    }
    // Another command, help, the version, Compose, `--color WHEN` (a word that is not the
    // command), and a plain word (a command, a typo or a directory: the CLI decides).
    for (const argv of [['ls', '.'], ['check'], ['--version'], ['.', '-V'], ['--json', '--help'], ['-h'], ['help', 'ls'], ['--compose'], ['.', '--compose=c.yml'], ['--color', 'always', 'ls'], ['app']]) {
      assert.equal(surelyMeasures(argv), false, argv.join(' '));
    }
  });

  it('never for another command: command names are plain words, never a path', () => {
    for (const name of [...Object.keys(COMMANDS), ...Object.keys(ALIASES), 'help']) {
      assert.match(name, /^[a-z]+$/);
      if (name !== 'measure') assert.equal(surelyMeasures([name, '.']), false, name);
    }
  });
});
