/**
 * Odd trees and odd Dockerfiles: the answers match the builders', and no input ends in exit 3
 * (kept for bugs). The fuzz test feeds random Dockerfiles and ignore files to measure and check.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCtxsize } from './support/cli.js';
import { makeTree, removeTree, type TreeSpec } from './support/tree.js';
import { Random } from './support/random-cases.js';

const temps: string[] = [];
function tree(spec: TreeSpec): string {
  const root = makeTree(spec, 'ctxsize-hostile-trees-');
  temps.push(root);
  return root;
}
after(() => temps.forEach((t) => removeTree(t)));

describe('hostile: odd trees', () => {
  it('explain does not look through a symlinked directory', () => {
    const outside = tree({ 'priv.txt': 'secret' });
    const root = tree({ 'Dockerfile': 'FROM scratch\nCOPY . /x\n', 'real/f': 'f', '.dockerignore': 'real\n', 'lnk': '->real', 'conf': `->${outside}` });
    for (const target of ['conf/priv.txt', 'lnk/f']) {
      const r = runCtxsize(['explain', '--json', target], { cwd: root });
      assert.equal(r.status, 0, r.stderr);
      const explanation = JSON.parse(r.stdout);
      assert.equal(explanation.behindLink, target.split('/')[0]);
      for (const b of explanation.builders) assert.equal(b.inContext, false, `${target} ${b.builder}: ${b.reason}`);
    }
  });

  it('a malformed COPY glob is a dockerfile-error at its line (exit 1), measure warns', () => {
    const root = tree({ 'Dockerfile': 'FROM scratch\nCOPY app[ /x\n', 'app': 'a' });
    const r = runCtxsize(['check', '--json', root]);
    assert.equal(r.status, 1, r.stderr);
    const finding = JSON.parse(r.stdout).findings.find((f: { rule: string }) => f.rule === 'dockerfile-error');
    assert.equal(finding.line, 2);
    assert.notEqual(runCtxsize([root]).status, 3);
  });

  it('a COPY source over the file-name limit is a missing source, not exit 3', () => {
    const root = tree({ 'Dockerfile': `FROM scratch\nCOPY ${'a'.repeat(300)} /x\n`, 'b': 'b' });
    const check = runCtxsize(['check', '--json', root]);
    assert.equal(check.status, 1, check.stderr);
    assert.ok(JSON.parse(check.stdout).findings.some((f: { rule: string }) => f.rule === 'source-missing'));
    assert.equal(runCtxsize([root]).status, 0);
  });

  it('an unreadable file in a COPY . context is unreadable-path', { skip: process.getuid?.() === 0 ? 'root reads every file (the end-to-end case runs as nobody in check.test)' : false }, () => {
    const root = tree({ 'Dockerfile': 'FROM scratch\nCOPY . /x\n', 'locked.txt': 'x' });
    spawnSync('chmod', ['000', path.join(root, 'locked.txt')]);
    const r = runCtxsize(['check', '--json', root]);
    spawnSync('chmod', ['644', path.join(root, 'locked.txt')]);
    assert.ok(JSON.parse(r.stdout).findings.some((f: { rule: string; file: string }) => f.rule === 'unreadable-path' && f.file.endsWith('locked.txt')));
  });
});

describe('hostile: fuzzed inputs never end in exit 3', () => {
  it('random Dockerfiles and ignore files', { timeout: 600_000 }, () => {
    const random = new Random(13);
    const pieces = ['FROM scratch', 'FROM alpine AS a', 'COPY', 'ADD', 'RUN', 'ARG', 'ENV', '--from=a', '--chmod=7', '--mount=type=bind,source=', '<<EOF', 'EOF', '${X:?bad}', '$X', '[', ']', '\\', '*', '?', '**', '!', '/', '..', '.', '"', "'", '#', '\t', 'a'.repeat(300), '\u0000', '\u001b[2K', 'é', '\uFFFD', 'app[', 'x/', '{', '}', ' '];
    const line = (): string => Array.from({ length: 1 + random.int(6) }, () => random.pick(pieces)).join(random.pick([' ', '', '/']));
    for (let i = 0; i < 12; i++) {
      const root = tree({ 'a/b.txt': 'b', 'c.txt': 'c', 'lnk': '->a' });
      writeFileSync(path.join(root, 'Dockerfile'), 'FROM scratch\n' + Array.from({ length: 1 + random.int(6) }, line).join('\n') + '\n');
      writeFileSync(path.join(root, '.dockerignore'), Array.from({ length: random.int(6) }, line).join('\n') + '\n');
      for (const args of [['.'], ['check', '.'], ['explain', 'a/b.txt'], ['suggest', '.']]) {
        const r = runCtxsize(args, { cwd: root });
        assert.notEqual(r.status, 3, `exit 3 for ${args[0]} on case ${i}:\n${r.stderr}`);
      }
    }
  });
});
