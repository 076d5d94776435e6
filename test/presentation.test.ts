import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { useColor, outputWidth, type CliIO } from '../src/cli/io.js';
import type { MeasureReport } from '../src/measure/measure.js';
import { formatTopLevel, shareBar, splitText } from '../src/report/human.js';
import { PLAIN, paint, visible, wrapLine } from '../src/report/style.js';
import { buildTree, walkTree } from '../src/report/tree.js';
import { runCtxsize } from './support/cli.js';
import { makeTree, removeTree } from './support/tree.js';
import { makeReadmeSample } from './support/readme-sample.js';

const ESC = '\u001b[';

function item(p: string, bytes: number, contextBytes = bytes, type: 'file' | 'dir' = p.includes('.') ? 'file' : 'dir') {
  return { path: p, type, bytes, contextBytes, files: 1, excluded: contextBytes === 0 };
}

describe('the tree of where the bytes are', () => {
  it('nests each path under its nearest listed ancestor, heaviest first', () => {
    const tree = buildTree({
      largest: [item('node_modules', 900, 0), item('node_modules/a/big.js', 600, 0), item('node_modules/b', 250, 0), item('src', 100), item('node_modules/b/x.js', 120, 0), item('node_modules/b/y.js', 110, 0)],
      byTopLevel: [],
    });
    const rows = [...walkTree(tree)].map(({ node, lasts }) => `${lasts.length}:${node.label}`);
    assert.deepEqual(rows, ['1:node_modules', '2:a/big.js', '2:b', '3:x.js', '3:y.js', '1:src']);
  });

  it('folds a chain of directories that hold nothing else into one row', () => {
    // web/ holds only web/app, which holds only the bundle: one row, `web/app/bundle.js`.
    const tree = buildTree({
      largest: [item('web/app/bundle.js', 500), item('docs', 300)],
      byTopLevel: [{ path: 'web', type: 'dir', bytes: 500, files: 1, contextBytes: 500, contextFiles: 1 }],
    });
    assert.deepEqual(tree.map((n) => [n.label, n.children.length]), [['web/app/bundle.js', 0], ['docs', 0]]);
  });

  it('does not fold a directory that holds more than its heaviest child', () => {
    const tree = buildTree({
      largest: [item('web/bundle.js', 500)],
      byTopLevel: [{ path: 'web', type: 'dir', bytes: 520, files: 2, contextBytes: 520, contextFiles: 2 }],
    });
    assert.deepEqual([...walkTree(tree)].map(({ node }) => node.label), ['web', 'bundle.js']);
  });

  it('--depth keeps the rows down to N path levels', () => {
    const report = { largest: [item('a', 10), item('a/b', 8), item('a/b/c.bin', 7)], byTopLevel: [] };
    assert.deepEqual([...walkTree(buildTree(report, { depth: 2 }))].map(({ node }) => node.path), ['a', 'a/b']);
    assert.deepEqual([...walkTree(buildTree(report, { depth: 1 }))].map(({ node }) => node.path), ['a']);
  });

  it('draws the share of the whole as a bar: █ sent, ░ kept out', () => {
    assert.equal(shareBar(50, 50, 100), '█'.repeat(10) + ' '.repeat(10));
    assert.equal(shareBar(50, 0, 100), '░'.repeat(10) + ' '.repeat(10));
    assert.equal(shareBar(100, 25, 100), '█'.repeat(5) + '░'.repeat(15));
    // A part that is partly kept out shows at least one cell of each.
    assert.equal(shareBar(100, 99, 100), '█'.repeat(19) + '░');
    assert.equal(shareBar(1, 1, 1_000_000), '█' + ' '.repeat(19));
    assert.equal(shareBar(0, 0, 100), ' '.repeat(20));
  });

  it('says sent, kept out, or the smaller part of a split', () => {
    assert.equal(splitText(10, 10), 'sent');
    assert.equal(splitText(10, 0), 'kept out');
    assert.equal(splitText(10_000, 8_000), 'sent, 2 kB kept out');
    assert.equal(splitText(10_000, 1_000), 'kept out, 1 kB sent');
  });

  it('the top-level table: whole, sent, kept out, files, and the rest summed', () => {
    const report = {
      byTopLevel: [
        { path: 'node_modules', type: 'dir', bytes: 9_000, files: 3, contextBytes: 0, contextFiles: 0 },
        { path: 'src', type: 'dir', bytes: 2_000, files: 2, contextBytes: 1_500, contextFiles: 1 },
        { path: 'a.txt', type: 'file', bytes: 10, files: 1, contextBytes: 10, contextFiles: 1 },
        { path: 'b.txt', type: 'file', bytes: 5, files: 1, contextBytes: 5, contextFiles: 1 },
      ],
      byTopLevelOmitted: { entries: 2, bytes: 100, files: 2, contextBytes: 0, contextFiles: 0 },
    } as unknown as MeasureReport;
    const lines = formatTopLevel(report, 2)!.split('\n');
    assert.match(lines[0]!, /^ {2}top level +whole +sent +kept out +files sent$/);
    assert.match(lines[1]!, /^ {2}node_modules\/ +9 kB +- +9 kB +0 of 3$/);
    assert.match(lines[2]!, /^ {2}src\/ +2 kB +1\.5 kB +500 B +1 of 2$/);
    assert.match(lines[3]!, /^ {2}4 more +115 B +15 B +100 B +2 of 4$/);
  });
});

describe('colour', () => {
  const io = (env: NodeJS.ProcessEnv, isTTY: boolean, color?: 'auto' | 'always' | 'never'): CliIO =>
    ({ stdout: { isTTY, columns: 100 }, stderr: {}, env, cwd: '/', ...(color ? { color } : {}) }) as unknown as CliIO;

  it('decides: --color first, then FORCE_COLOR, then NO_COLOR, then the terminal', () => {
    assert.equal(useColor(io({}, true)), true);
    assert.equal(useColor(io({}, false)), false, 'never in a pipe or a file');
    assert.equal(useColor(io({ TERM: 'dumb' }, true)), false);
    assert.equal(useColor(io({ NO_COLOR: '1' }, true)), false);
    assert.equal(useColor(io({ NO_COLOR: '' }, true)), true, 'an empty NO_COLOR is unset (no-color.org)');
    assert.equal(useColor(io({ FORCE_COLOR: '1' }, false)), true);
    assert.equal(useColor(io({ FORCE_COLOR: '0' }, true)), false);
    assert.equal(useColor(io({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)), true);
    assert.equal(useColor(io({ NO_COLOR: '1' }, true, 'always')), true);
    assert.equal(useColor(io({ FORCE_COLOR: '1' }, true, 'never')), false);
  });

  it('wraps at the terminal width, or 80 when stdout is not a terminal', () => {
    assert.equal(outputWidth(io({}, true)), 100);
    assert.equal(outputWidth(io({}, false)), 80);
    assert.equal(outputWidth({ ...io({}, true), stdout: { isTTY: true, columns: 0 } } as unknown as CliIO), 80);
  });

  it('paints only with colour on', () => {
    assert.equal(paint(PLAIN, 'error', 'x'), 'x');
    const red = paint({ color: true, width: 80 }, 'error', 'x');
    assert.ok(red.startsWith(`${ESC}31m`), JSON.stringify(red));
    assert.equal(visible(red), 'x');
  });
});

describe('wrapping', () => {
  it('wraps between words at the width, never inside one, with a hanging indent', () => {
    const line = '  fix: replace it with "**/node_modules", which matches at any depth, the top level included';
    const lines = wrapLine(line, 40, '    ');
    for (const l of lines) assert.ok(l.length <= 40 || !l.trim().includes(' '), l);
    assert.equal(lines.join(' ').replace(/ +/g, ' '), line.replace(/ +/g, ' '));
    assert.ok(lines.slice(1).every((l) => l.startsWith('    ')));
    const words = new Set(line.trim().split(' '));
    for (const l of lines) for (const w of l.trim().split(' ')) assert.ok(words.has(w), `broken word ${w}`);
  });

  it('keeps a word longer than the line whole, on a line of its own', () => {
    const long = 'x'.repeat(50);
    assert.deepEqual(wrapLine(`see ${long} now`, 20), ['see', long, 'now']);
  });

  it('counts painted text by what shows', () => {
    const painted = `${paint({ color: true, width: 80 }, 'error', 'error')} ${'a'.repeat(70)}`;
    assert.deepEqual(wrapLine(painted, 80), [painted]);
  });
});

describe('the CLI: colour, tree and messages', () => {
  let sample = '';
  before(() => {
    sample = makeReadmeSample();
  });
  after(() => rmSync(path.dirname(sample), { recursive: true, force: true }));

  it('no colour in a pipe; --color always and FORCE_COLOR colour it; never JSON, Markdown, Prometheus or files', () => {
    const env = { NO_COLOR: '' };
    assert.ok(!runCtxsize(['.'], { cwd: sample, env }).stdout.includes(ESC));
    assert.ok(runCtxsize(['--color', 'always', '.'], { cwd: sample, env }).stdout.includes(ESC));
    assert.ok(runCtxsize(['--color=always', 'check', '.'], { cwd: sample, env }).stdout.includes(`${ESC}33mwarning`), 'warnings in yellow');
    assert.ok(runCtxsize(['.'], { cwd: sample, env: { FORCE_COLOR: '1' } }).stdout.includes(ESC));
    assert.ok(!runCtxsize(['--color', 'never', '.'], { cwd: sample, env: { FORCE_COLOR: '1' } }).stdout.includes(ESC));
    for (const format of ['json', 'markdown', 'prometheus']) {
      const r = runCtxsize(['--color', 'always', '--format', format, '.'], { cwd: sample, env });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(!r.stdout.includes(ESC), format);
    }
    for (const command of [['check', '--json'], ['suggest', '--json'], ['clean', '--json'], ['ls']]) {
      assert.ok(!runCtxsize(['--color', 'always', ...command, '.'], { cwd: sample, env }).stdout.includes(ESC), command.join(' '));
    }
    const out = path.join(path.dirname(sample), 'report.txt');
    assert.equal(runCtxsize(['--color', 'always', '-o', out, '.'], { cwd: sample, env }).status, 0);
    assert.ok(!readFileSync(out, 'utf8').includes(ESC));
  });

  it('--color takes auto, always or never', () => {
    const r = runCtxsize(['--color', 'sometimes', '.'], { cwd: sample });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'ctxsize: --color must be auto, always or never, not "sometimes"\n');
  });

  it('shows the tree and the top-level table', () => {
    const r = runCtxsize(['.'], { cwd: sample });
    assert.match(r.stdout, /^ {2}9\.6 MB +86% +░+ +kept out {2}node_modules\/$/m);
    assert.match(r.stdout, /^ {2}8\.9 MB +80% +░+ +kept out {2}├─ typescript\/lib\/typescript\.js$/m);
    assert.match(r.stdout, /^ {2}1\.1 MB +9\.5% +██ +sent {6}└─ node_modules\/$/m);
    assert.match(r.stdout, /^ {2}top level +whole +sent +kept out +files sent$/m);
    assert.match(r.stdout, /^ {2}node_modules\/ +9\.6 MB +- +9\.6 MB +0 of 4$/m);
    const shallow = runCtxsize(['--depth', '1', '.'], { cwd: sample });
    assert.doesNotMatch(shallow.stdout, /typescript\.js/);
    assert.match(shallow.stdout, /kept out {2}node_modules\/$/m);
  });

  it('the kept-out size is in the size column, its share in its own', () => {
    const r = runCtxsize(['.'], { cwd: sample });
    const table = r.stdout.split('\n').filter((l) => /^ {2}(whole directory|sent to builder|kept out) /.test(l));
    const ends = new Set(table.map((l) => l.indexOf(' MB') + 3));
    assert.equal(ends.size, 1, table.join('\n'));
  });

  it('negative counts and limits get ctxsize\'s own message', () => {
    for (const [args, message] of [
      [['--top', '-3'], 'ctxsize: --top takes a whole number (0 or more), not "-3"\n'],
      [['--max-size', '-5MB'], 'ctxsize: --max-size takes a limit of 0 or more, not "-5MB"\n'],
      [['--depth', '0'], 'ctxsize: --depth takes a whole number of 1 or more, not "0"\n'],
    ] as const) {
      const r = runCtxsize([...args, '.'], { cwd: sample });
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr, message);
    }
  });
});

describe('help texts', () => {
  it('fit 80 columns, every command', async () => {
    for (const command of [[], ...Object.keys((await import('../src/cli.js')).COMMANDS).map((c) => [c])]) {
      const r = runCtxsize([...command, '--help']);
      assert.equal(r.status, 0);
      for (const line of r.stdout.split('\n')) assert.ok(line.length <= 80, `${command.join(' ') || 'ctxsize'} --help: ${line.length} columns: ${line}`);
    }
  });

  it('reflows only what is too wide, under its own column', async () => {
    const { fitHelp } = await import('../src/cli/help-text.js');
    const text = `Options:\n  -f, --file PATH   ${'word '.repeat(20).trim()}\n  -h, --help        short\n`;
    const fitted = fitHelp(text, 40).split('\n');
    assert.deepEqual(fitted.slice(0, 2), ['Options:', '  -f, --file PATH   word word word word']);
    assert.ok(fitted.slice(2, -2).every((l) => l.startsWith(' '.repeat(20)) && l.length <= 40), fitted.join('\n'));
    assert.equal(fitted.at(-2), '  -h, --help        short');
    assert.equal(fitHelp('short\nlines\n', 40), 'short\nlines\n');
  });
});

describe('rough edges of the messages', () => {
  it('a bind mount without a source is named, not "RUN , line 72"', async () => {
    const { sourceLabel } = await import('../src/report/source-label.js');
    assert.equal(sourceLabel({ instruction: 'RUN', raw: '', line: 72 }), 'RUN --mount=type=bind (the context root) (line 72)');
    assert.equal(sourceLabel({ instruction: 'COPY', raw: 'dist/', line: 5 }), 'COPY dist/ (line 5)');
  });

  it('clauses joined with ";" do not keep their own period (no ".;")', async () => {
    const { joinClauses } = await import('../src/report/source-label.js');
    assert.equal(joinClauses(['git: Git history.', 'it is the Dockerfile']), 'git: Git history; it is the Dockerfile');
    assert.equal(joinClauses(['one.']), 'one.');
  });

  it('a line that saves no bytes reads "0 B", not "-0 B"', async () => {
    const { saves } = await import('../src/suggest/format.js');
    assert.equal(saves({ bytes: 0, files: 2 } as never), '0 B, 2 files');
    assert.equal(saves({ bytes: 1_100_000, files: 1 } as never), '-1.1 MB, 1 file');
  });

  it('a context that grows is not "saved": now 28 B, after 183 B', async () => {
    const { savedCell } = await import('../src/suggest/format.js');
    assert.equal(savedCell({ before: { bytes: 28, files: 2 }, after: { bytes: 183, files: 2 } } as never), 'none: 155 B more');
    assert.equal(savedCell({ before: { bytes: 1000, files: 2 }, after: { bytes: 250, files: 1 } } as never), '750 B (75%)');
    assert.equal(savedCell({ before: { bytes: 10, files: 1 }, after: { bytes: 10, files: 1 } } as never), '0 B');
  });

  it('a tiny growth reads "+<0.1%", never "0%" beside "+12 B"', async () => {
    const { formatGrowth } = await import('../src/report/markdown.js');
    assert.equal(formatGrowth(0, 12), '+<0.1%');
    assert.equal(formatGrowth(0.0004, 12), '+<0.1%');
    assert.equal(formatGrowth(0, -3), '-<0.1%');
    assert.equal(formatGrowth(0, 0), '+0%');
    assert.equal(formatGrowth(12.5, 400), '+12.5%');
  });

  it('suggest on a tiny context says the new ignore file weighs more than it keeps out', () => {
    const root = makeTree({ Dockerfile: 'FROM alpine\nCOPY app.sh /\n', 'app.sh': 'hi\n', '.DS_Store': 'x', 'npm-debug.log': 'ab' });
    try {
      const r = runCtxsize(['suggest', '.'], { cwd: root, env: { COLUMNS: '80' } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^ {2}BuildKit +\d+ B +4 files +\d+ B +3 files +none: \d+ B more$/m);
      assert.doesNotMatch(r.stdout, /-0 B|RUN , line|\.;/);
      assert.match(r.stdout, /\.dockerignore does not exist yet, and the builder sends it too/);
    } finally {
      removeTree(root);
    }
  });
});

describe('human output wraps at 80 off a terminal, or at COLUMNS', () => {
  let sample = '';
  before(() => {
    sample = makeReadmeSample();
  });
  after(() => rmSync(path.dirname(sample), { recursive: true, force: true }));

  for (const [columns, width] of [['', 80], ['60', 60]] as const) {
    it(`check, suggest and the gates fit ${width} columns, never breaking a word`, () => {
      for (const args of [['check', '.'], ['suggest', '.'], ['--max-size', '1kB', '--max-files', '2', '.']]) {
        const r = runCtxsize(args, { cwd: sample, env: { COLUMNS: columns } });
        const diff = r.stdout.indexOf('\n--- ');
        const prose = (diff === -1 ? r.stdout : r.stdout.slice(0, diff)).split('\n');
        for (const line of prose) {
          // A table row or tree row may be wider; prose lines are not, unless one word is.
          if (/[█░]|^ {2}(BuildKit|classic) /.test(line)) continue;
          assert.ok(line.length <= width || !line.trim().includes(' '), `${args.join(' ')}: ${line.length} columns: ${line}`);
        }
      }
      const check = runCtxsize(['check', '.'], { cwd: sample, env: { COLUMNS: columns } }).stdout;
      assert.match(check, /^ {2}fix: /m);
      assert.ok(check.split('\n').some((l) => /^ {2}\S/.test(l) && !/^ {2}(fix|paths|evidence):/.test(l)), 'a message continues on the next line');
    });
  }
});
