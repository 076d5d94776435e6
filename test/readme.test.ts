import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO, runCtxsize } from './support/cli.js';
import { makeReadmeSample } from './support/readme-sample.js';

/**
 * README's session is real output: each `$ ctxsize …` of its console block runs again here on the
 * sample project (test/support/readme-sample.ts), and every line shown (`…` marks lines left out)
 * must appear, in order, in what the command prints now. When the output changes on purpose, run
 * the commands in a fresh sample and paste the new lines:
 *   node -e "import('.test-build/test/support/readme-sample.js').then(m => console.log(m.makeReadmeSample()))"
 */

const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');

interface Step {
  command: string;
  shown: string[];
}

function sessionSteps(): Step[] {
  const section = /^## What it looks like\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  const block = /```console\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'README has a console block under "## What it looks like"');
  const steps: Step[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), shown: [] });
    else if (steps.length > 0) steps.at(-1)!.shown.push(line);
  }
  return steps;
}

let sample = '';
before(() => {
  sample = makeReadmeSample();
});
after(() => rmSync(path.dirname(sample), { recursive: true, force: true }));

describe("README's session", () => {
  const steps = sessionSteps();

  it('shows measure, check, suggest and a clean dry run', () => {
    const commands = steps.map((s) => s.command.split(' ').slice(0, 2).join(' '));
    assert.deepEqual(commands, ['ctxsize', 'ctxsize check', 'ctxsize suggest', 'ctxsize clean']);
  });

  for (const step of steps) {
    it(`$ ${step.command}`, () => {
      const args = step.command.split(' ').slice(1);
      const result = runCtxsize(args, { cwd: sample, env: { COLUMNS: '80' } });
      assert.ok(result.status === 0 || result.status === 1, `exit ${result.status}: ${result.stderr}`);
      const actual = result.stdout.split('\n').map((l) => l.trimEnd());
      let at = 0;
      for (const line of step.shown.map((l) => l.trimEnd())) {
        if (line === '…' || line.trim() === '') continue;
        const found = actual.indexOf(line, at);
        assert.ok(found !== -1, `README shows a line the command no longer prints (or not in this order):\n${line}\n\nactual output:\n${result.stdout}`);
        at = found + 1;
      }
    });
  }
});

describe('documentation links', () => {
  const pages = ['README.md', ...readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
  const anchor = (heading: string): string =>
    heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

  it('every relative link names a file that exists, and a heading that exists', () => {
    for (const page of pages) {
      const text = readFileSync(path.join(REPO, page), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const [file, hash] = target.split('#') as [string, string | undefined];
        const abs = file === '' ? path.join(REPO, page) : path.resolve(path.dirname(path.join(REPO, page)), file);
        assert.ok(existsSync(abs), `${page}: link to ${target}: no such file`);
        if (hash !== undefined && abs.endsWith('.md')) {
          const headings = [...readFileSync(abs, 'utf8').replace(/```[\s\S]*?```/g, '').matchAll(/^#+ (.*)$/gm)].map((h) => anchor(h[1]!));
          assert.ok(headings.includes(hash), `${page}: link to ${target}: no such heading (${headings.join(', ')})`);
        }
      }
    }
  });

  it('the README links every reference page', () => {
    for (const page of pages.filter((p) => p.startsWith('docs/'))) assert.ok(readme.includes(`](${page})`), `README does not link ${page}`);
  });
});
