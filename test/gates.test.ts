import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { compareWithBaseline, validateMeasurement } from '../src/gates/baseline.js';
import { evaluateGates, formatPercent, growthGate, LimitSyntaxError, parseFileCount, parseGrowth, parseSize, type Budgets } from '../src/gates/gates.js';
import { measureContext, type Counts, type MeasureReport } from '../src/measure/measure.js';
import { escapeData, escapeProperty, formatAnnotation } from '../src/report/github.js';
import { runCtxsize } from './support/cli.js';
import { withTree } from './support/tree.js';

const x = (n: number): string => 'x'.repeat(n);

describe('parseSize', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['1000', 1000],
    ['500MB', 500_000_000],
    ['500 MB', 500_000_000],
    ['500mb', 500_000_000],
    ['500M', 500_000_000],
    ['300k', 300_000],
    ['300kB', 300_000],
    ['300KB', 300_000],
    ['1.5GiB', 1_610_612_736],
    ['1.5gib', 1_610_612_736],
    ['2Gi', 2 * 2 ** 30],
    ['1KiB', 1024],
    ['1MiB', 1_048_576],
    ['1TB', 1e12],
    ['1TiB', 2 ** 40],
    ['0.5kB', 500],
    ['.5kB', 500],
    ['0.3MiB', 314_573],
    ['7B', 7],
    ['7b', 7],
  ];
  for (const [text, bytes] of cases) {
    it(`${JSON.stringify(text)} is ${bytes} bytes`, () => assert.equal(parseSize(text).bytes, bytes));
  }
  it('remembers binary units so messages use them', () => {
    assert.equal(parseSize('1.5GiB').binary, true);
    assert.equal(parseSize('1.5GB').binary, false);
  });
  const bad = ['', 'MB', '-1', '-5MB', '1e6', '1,000', '1_000', '5 MBs', '5XB', '1.2.3', '1.5', '12 34', 'Infinity', 'NaN', '5iB', '99999999999PB'];
  for (const text of bad) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseSize(text), LimitSyntaxError));
  }
  it('explains unknown units', () => {
    assert.throws(() => parseSize('5XB'), /unknown unit "XB"/);
    assert.throws(() => parseSize('1.5'), /not a whole number of bytes/);
  });
});

describe('parseFileCount and parseGrowth', () => {
  it('takes whole file counts only', () => {
    assert.equal(parseFileCount('10000'), 10000);
    assert.throws(() => parseFileCount('10k'), LimitSyntaxError);
    assert.throws(() => parseFileCount('-1'), LimitSyntaxError);
    assert.throws(() => parseFileCount('1.5'), LimitSyntaxError);
  });
  it('takes percentages with or without %, exactly', () => {
    assert.equal(parseGrowth('10').millionths, 10_000_000);
    assert.equal(parseGrowth('10%').percent, 10);
    assert.equal(parseGrowth('2.5').millionths, 2_500_000);
    assert.equal(parseGrowth('0.1').millionths, 100_000);
    assert.equal(parseGrowth('0').percent, 0);
    for (const bad of ['-5', 'ten', '10%%', '1e2', '', '0.1234567']) assert.throws(() => parseGrowth(bad), LimitSyntaxError, bad);
  });
  it('formats percentages', () => {
    assert.equal(formatPercent(2.5), '2.5%');
    assert.equal(formatPercent(10), '10%');
    assert.equal(formatPercent(0.00001), '<0.1%');
    assert.equal(formatPercent(0), '0%');
  });
});

function counts(bytes: number, files: number): Counts {
  return { files, dirs: 0, symlinks: 0, other: 0, bytes };
}

function report(bytes: number, files: number, extra: Partial<MeasureReport> & { effective?: Counts | null } = {}): MeasureReport {
  return <MeasureReport>{
    schemaVersion: 1,
    root: '/ctx',
    dockerfile: '/ctx/Dockerfile',
    ignoreFile: null,
    builder: 'buildkit',
    all: counts(bytes, files),
    context: counts(bytes, files),
    excluded: { files: 0, bytes: 0 },
    largest: [],
    warnings: [],
    ...extra,
  };
}

const budgets = (b: { size?: string; files?: number; growth?: string }): Budgets => ({
  ...(b.size !== undefined ? { maxSize: { ...parseSize(b.size), source: '--max-size' } } : {}),
  ...(b.files !== undefined ? { maxFiles: { files: b.files, text: String(b.files), source: '--max-files' } } : {}),
  ...(b.growth !== undefined ? { maxGrowth: { ...parseGrowth(b.growth), source: '--max-growth' } } : {}),
});

describe('evaluateGates', () => {
  it('size: at the limit passes, one byte over fails with bytes, human size and percent', () => {
    const [at] = evaluateGates(report(1000, 2), budgets({ size: '1kB' }));
    assert.equal(at!.passed, true);
    assert.equal(at!.over, 0);
    const [under] = evaluateGates(report(999, 2), budgets({ size: '1kB' }));
    assert.equal(under!.passed, true);
    const [over] = evaluateGates(report(1001, 2), budgets({ size: '1kB' }));
    assert.equal(over!.passed, false);
    assert.equal(over!.over, 1);
    assert.equal(over!.overPercent, 0.1);
    assert.equal(over!.message, 'context is 1 kB (1,001 bytes), over the limit of 1kB (--max-size) by 1 byte (1 B, 0.1%)');
  });
  it('size in binary units is reported in binary units', () => {
    const [over] = evaluateGates(report(2 * 2 ** 30, 1), budgets({ size: '1.5GiB' }));
    assert.match(over!.message, /context is 2 GiB \(2,147,483,648 bytes\), over the limit of 1\.5GiB \(--max-size\) by 536,870,912 bytes \(512 MiB, 33\.3%\)/);
  });
  it('files: at, under and over', () => {
    assert.equal(evaluateGates(report(1, 10), budgets({ files: 10 }))[0]!.passed, true);
    assert.equal(evaluateGates(report(1, 9), budgets({ files: 10 }))[0]!.passed, true);
    const [over] = evaluateGates(report(1, 11), budgets({ files: 10 }));
    assert.equal(over!.passed, false);
    assert.equal(over!.message, 'context has 11 files, over the limit of 10 (--max-files) by 1 file (10%)');
  });
  it('a zero limit fails on anything, without a percentage', () => {
    const [over] = evaluateGates(report(5, 1), budgets({ size: '0' }));
    assert.equal(over!.passed, false);
    assert.equal(over!.overPercent, null);
    assert.equal(evaluateGates(report(0, 0), budgets({ size: '0' }))[0]!.passed, true);
  });
  it('applies size and file gates to the effective context when the report has one', () => {
    const results = evaluateGates(report(5000, 50, { effective: counts(800, 4) }), budgets({ size: '1kB', files: 10 }));
    assert.deepEqual(
      results.map((r) => [r.scope, r.gate, r.passed]),
      [
        ['context', 'max-size', false],
        ['context', 'max-files', false],
        ['effective', 'max-size', true],
        ['effective', 'max-files', true],
      ],
    );
    assert.match(results[2]!.message, /^effective context is 800 B/);
    // effective: null (no Dockerfile) means no effective gates
    assert.equal(evaluateGates(report(5000, 50, { effective: null }), budgets({ size: '1kB' })).length, 1);
  });
  it('growth: exactly at the limit passes, one byte more fails, computed exactly', () => {
    const limit = { ...parseGrowth('10'), source: '--max-growth' };
    assert.equal(growthGate('context', 1000, 1100, limit, 'b.json').passed, true);
    assert.equal(growthGate('context', 1000, 1099, limit, 'b.json').passed, true);
    const over = growthGate('context', 1000, 1101, limit, 'b.json');
    assert.equal(over.passed, false);
    assert.equal(over.over, 1);
    assert.equal(over.allowedBytes, 1100);
    assert.match(over.message, /context grew by 10\.1% since b\.json \(1 kB → 1\.1 kB, \+101 bytes\), over the limit of 10% \(--max-growth\): 1 byte/);
    // 0.1% of 1000 bytes is 1 byte: floating point would get this wrong in places
    const tenth = { ...parseGrowth('0.1'), source: '--max-growth' };
    assert.equal(growthGate('context', 1000, 1001, tenth, 'b').passed, true);
    assert.equal(growthGate('context', 1000, 1002, tenth, 'b').passed, false);
    // from nothing: any growth fails, no growth passes
    assert.equal(growthGate('context', 0, 1, limit, 'b').passed, false);
    assert.equal(growthGate('context', 0, 1, limit, 'b').actual, null);
    assert.equal(growthGate('context', 0, 0, limit, 'b').passed, true);
    // shrinking always passes
    assert.match(growthGate('context', 1000, 900, limit, 'b').message, /shrank by 10%/);
  });
});

describe('compareWithBaseline', () => {
  it('names the grown paths from byTopLevel and largest, exactly where it can', async () => {
    await withTree({ 'src/a.txt': x(300), 'docs/readme.md': x(100), keep: x(50) }, async (root) => {
      const before = measureContext({ dir: root });
      writeFileSync(path.join(root, 'src/b.txt'), x(700));
      writeFileSync(path.join(root, 'assets.bin'), x(400));
      writeFileSync(path.join(root, 'docs/readme.md'), x(10));
      const after = measureContext({ dir: root });
      const cmp = compareWithBaseline(after, before, 'base.json');
      assert.equal(cmp.context.bytesDelta, 700 + 400 - 90);
      // The baseline listed every file of src/ (src/a.txt), so src/b.txt was exactly absent; src/
      // itself grew by exactly that file, so the file represents it.
      assert.deepEqual(
        cmp.grew.map((c) => [c.path, c.before, c.delta, c.exact]),
        [
          ['src/b.txt', 0, 700, true],
          ['assets.bin', 0, 400, true],
        ],
      );
      assert.deepEqual(cmp.shrank.map((c) => [c.path, c.delta]), [['docs/readme.md', -90]]);
    });
  });
  it('a directory whose growth is one listed child is represented by the child', () => {
    const base = report(100, 1, {
      largest: [],
      byTopLevel: [{ path: 'a', type: 'dir', bytes: 100, files: 1, contextBytes: 100, contextFiles: 1 }],
      byTopLevelOmitted: null,
    });
    const now = report(600, 2, {
      largest: [
        { path: 'a', type: 'dir', bytes: 600, files: 2, excluded: false, contextBytes: 600 },
        { path: 'a/big', type: 'file', bytes: 500, files: 1, excluded: false, contextBytes: 500 },
      ],
      byTopLevel: [{ path: 'a', type: 'dir', bytes: 600, files: 2, contextBytes: 600, contextFiles: 2 }],
      byTopLevelOmitted: null,
    });
    const cmp = compareWithBaseline(now, base, 'b');
    assert.deepEqual(cmp.grew.map((c) => c.path), ['a', 'a/big']);
    assert.equal(cmp.grew[1]!.exact, false);
  });
  it('notes a baseline of another builder', () => {
    const cmp = compareWithBaseline(report(1, 1), report(1, 1, { builder: 'classic' }), 'b');
    assert.match(cmp.notes.join('\n'), /classic builder/);
  });
});

describe('validateMeasurement', () => {
  it('accepts a saved measurement and rejects other documents with the key named', () => {
    assert.equal(validateMeasurement(JSON.parse(JSON.stringify(report(1, 1))), 'b.json').context.bytes, 1);
    assert.throws(() => validateMeasurement([], 'b.json'), /b\.json: not a ctxsize measurement/);
    assert.throws(() => validateMeasurement({}, 'b.json'), /no schemaVersion/);
    assert.throws(() => validateMeasurement({ ...report(1, 1), schemaVersion: 2 }, 'b.json'), /schemaVersion 2 is not supported/);
    assert.throws(() => validateMeasurement({ ...report(1, 1), context: { files: '1' } }, 'b.json'), /"context" must be/);
    assert.throws(() => validateMeasurement({ ...report(1, 1), largest: [{ path: 1 }] }, 'b.json'), /"largest" must be/);
    assert.throws(() => validateMeasurement({ ...report(1, 1), byTopLevel: 'x' }, 'b.json'), /"byTopLevel" must be/);
  });

  it('says what the wrong value is, never "undefined undefined", and cuts a long one short', () => {
    const { context: _dropped, ...withoutContext } = report(1, 1);
    assert.throws(() => validateMeasurement(withoutContext, 'b.json'), (e: Error) => /"context" must be .*, but it is missing$/.test(e.message) && !e.message.includes('undefined'));
    assert.throws(() => validateMeasurement({ ...report(1, 1), context: 'x'.repeat(500) }, 'b.json'), (e: Error) => /but it is string "x{30,}\.\.\.$/.test(e.message) && e.message.length < 200);
    assert.throws(() => validateMeasurement({ ...report(1, 1), context: null }, 'b.json'), /but it is null$/);
  });
});

describe('GitHub annotations', () => {
  it('escapes data and properties as the runner reads them', () => {
    assert.equal(escapeData('50%\r\nnext: a, b'), '50%25%0D%0Anext: a, b');
    assert.equal(escapeProperty('a: b, c%'), 'a%3A b%2C c%25');
    assert.equal(
      formatAnnotation({ level: 'error', title: 'ctxsize: over', message: 'line 1\nline 2', file: 'compose.yaml', line: 3 }),
      '::error file=compose.yaml,line=3,title=ctxsize%3A over::line 1%0Aline 2\n',
    );
  });
});

describe('gates end to end', () => {
  // 1,000 bytes in 2 files; no Dockerfile, no ignore file.
  const tree = { a: x(600), 'dir/b': x(400) };
  const run = (root: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCtxsize([...args, '--no-config', root], { env: { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', ...env } });

  it('--max-size: exit 0 at and under the limit, 1 just over, naming what is over and by how much', async () => {
    await withTree(tree, (root) => {
      for (const limit of ['1000', '1kB', '1001', '1KB']) {
        const r = run(root, ['--max-size', limit]);
        assert.equal(r.status, 0, `${limit}: ${r.stdout}${r.stderr}`);
        assert.match(r.stdout, new RegExp(`ok {4}context is 1 kB \\(1,000 bytes\\), within the limit of ${limit} \\(--max-size\\)`));
      }
      const over = run(root, ['--max-size', '999']);
      assert.equal(over.status, 1);
      assert.match(over.stdout, /FAIL {2}context is 1 kB \(1,000 bytes\), over the limit of 999 \(--max-size\) by 1 byte \(1 B, 0\.1%\)/);
      const kib = run(root, ['--max-size', '0.9KiB']);
      assert.equal(kib.status, 1);
      assert.match(kib.stdout, /over the limit of 0\.9KiB \(--max-size\) by 78 bytes \(78 B, 8\.5%\)/);
    });
  });
  it('--max-files: exit 0 at and under, 1 just over', async () => {
    await withTree(tree, (root) => {
      assert.equal(run(root, ['--max-files', '2']).status, 0);
      assert.equal(run(root, ['--max-files', '3']).status, 0);
      const over = run(root, ['--max-files', '1']);
      assert.equal(over.status, 1);
      assert.match(over.stdout, /FAIL {2}context has 2 files, over the limit of 1 \(--max-files\) by 1 file \(100%\)/);
    });
  });
  it('bad limits are usage errors (exit 2, one line)', async () => {
    await withTree(tree, (root) => {
      for (const [flag, value, pattern] of [
        ['--max-size', '5XB', /^ctxsize: --max-size: "5XB": unknown unit "XB"/],
        ['--max-size=-1', '', /^ctxsize: --max-size takes a limit of 0 or more, not "-1"$/m],
        ['--max-size', '-5MB', /^ctxsize: --max-size takes a limit of 0 or more, not "-5MB"$/m],
        ['--max-growth', '-5', /^ctxsize: --max-growth takes a limit of 0 or more, not "-5"$/m],
        ['--max-files', 'many', /^ctxsize: --max-files: "many" is not a whole number of files/],
        ['--max-growth', '10 percent', /^ctxsize: --max-growth: "10 percent" is not a percentage/],
      ] as const) {
        const r = run(root, [flag, ...(value === '' ? [] : [value]), ...(flag === '--max-growth' ? ['--baseline', 'x.json'] : [])]);
        assert.equal(r.status, 2, `${flag} ${value}`);
        assert.match(r.stderr, pattern);
        assert.equal(r.stderr.trim().split('\n').length, 1);
      }
      const noBaseline = run(root, ['--max-growth', '10']);
      assert.equal(noBaseline.status, 2);
      assert.match(noBaseline.stderr, /--max-growth needs a baseline/);
    });
  });
  it('JSON and the failure on stderr when the format is not text', async () => {
    await withTree(tree, (root) => {
      const r = run(root, ['--json', '--max-size', '999', '--max-files', '2']);
      assert.equal(r.status, 1);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.context.bytes, 1000);
      assert.deepEqual(doc.gates.map((g: { gate: string; passed: boolean }) => [g.gate, g.passed]), [['max-size', false], ['max-files', true]]);
      assert.equal(doc.gates[0].over, 1);
      assert.equal(doc.growth, null);
      assert.match(r.stderr, /^ctxsize: FAIL context is 1 kB \(1,000 bytes\), over the limit of 999/m);
    });
  });

  it('baseline growth: at, under and over --max-growth, naming the paths that grew the most', async () => {
    await withTree({ a: x(600), 'dir/b': x(400), 'docs/c': x(50) }, (root) => {
      const baseline = path.join(root, '..', `${path.basename(root)}-baseline.json`);
      const saved = run(root, ['--save-baseline', baseline]);
      assert.equal(saved.status, 0, saved.stderr);
      assert.equal(JSON.parse(readFileSync(baseline, 'utf8')).context.bytes, 1050);
      // +105 bytes: exactly 10%
      writeFileSync(path.join(root, 'dir/new.bin'), x(105));
      assert.equal(run(root, ['--baseline', baseline, '--max-growth', '10']).status, 0);
      assert.equal(run(root, ['--baseline', baseline, '--max-growth', '10.1']).status, 0);
      const over = run(root, ['--baseline', baseline, '--max-growth', '9.99']);
      assert.equal(over.status, 1);
      assert.match(over.stdout, /FAIL {2}context grew by 10% since the baseline .*baseline\.json \(1\.1 kB → 1\.2 kB, \+105 bytes\), over the limit of 9\.99% \(--max-growth\): 1 byte/);
      // one more byte elsewhere: 10% + 1 byte fails
      writeFileSync(path.join(root, 'docs/c'), x(51));
      const grown = run(root, ['--baseline', baseline, '--max-growth', '10']);
      assert.equal(grown.status, 1);
      assert.match(grown.stdout, /Grew the most:\n\s+\+105 B\s+dir\/new\.bin\s+\(0 B → 105 B\)\n\s+\+1 B\s+docs\/c\s+\(50 B → 51 B\)\n/);
      const json = JSON.parse(run(root, ['--json', '--baseline', baseline, '--max-growth', '10']).stdout);
      assert.equal(json.growth.context.bytesDelta, 106);
      assert.deepEqual(json.growth.grew.map((c: { path: string; exact: boolean }) => [c.path, c.exact]), [['dir/new.bin', true], ['docs/c', true]]);
      assert.equal(json.gates[0].gate, 'max-growth');
      assert.equal(json.gates[0].passed, false);
    });
  });

  it('a missing, invalid or foreign baseline is an error (exit 2), never a pass', async () => {
    await withTree(tree, (root) => {
      const file = (name: string, text: string): string => {
        const f = path.join(root, '..', `${path.basename(root)}-${name}`);
        writeFileSync(f, text);
        return f;
      };
      const cases: [string, RegExp][] = [
        [path.join(root, 'nope.json'), /baseline .*nope\.json: no such file \(create it with --save-baseline/],
        [root, /is a directory/],
        [file('bad.json', '{"schemaVersion":'), /not valid JSON/],
        [file('array.json', '[]'), /not a ctxsize measurement/],
        [file('v2.json', JSON.stringify({ ...report(1, 1), schemaVersion: 2 })), /schemaVersion 2 is not supported/],
        [file('other.json', '{"name":"x"}'), /no schemaVersion/],
      ];
      for (const [baseline, pattern] of cases) {
        for (const extra of [[], ['--max-growth', '50']]) {
          const r = run(root, ['--baseline', baseline, ...extra]);
          assert.equal(r.status, 2, `${baseline}: ${r.stdout}`);
          assert.match(r.stderr, pattern);
          assert.equal(r.stdout, '');
        }
      }
    });
  });

  it('on GitHub Actions, failed gates are error annotations on stderr and stdout stays clean', async () => {
    await withTree(tree, (root) => {
      const r = run(root, ['--json', '--max-size', '999', '--max-files', '5'], { GITHUB_ACTIONS: 'true' });
      assert.equal(r.status, 1);
      JSON.parse(r.stdout);
      const annotations = r.stderr.split('\n').filter((l) => l.startsWith('::'));
      assert.equal(annotations.length, 1);
      assert.match(annotations[0]!, /^::error title=ctxsize%3A build context \S+ over its size budget::context is 1 kB \(1%2C000 bytes\)|^::error title=ctxsize%3A build context .* over its size budget::context is 1 kB \(1,000 bytes\), over the limit of 999/);
      const passing = run(root, ['--max-size', '1000'], { GITHUB_ACTIONS: 'true' });
      assert.equal(passing.status, 0);
      assert.doesNotMatch(passing.stderr, /::error/);
      const outside = run(root, ['--max-size', '999']);
      assert.doesNotMatch(outside.stderr, /::error/);
    });
  });
  it('growth annotations carry the grown paths on escaped new lines', async () => {
    await withTree(tree, (root) => {
      const baseline = path.join(root, '..', `${path.basename(root)}-gh.json`);
      run(root, ['--save-baseline', baseline]);
      writeFileSync(path.join(root, 'dir/more'), x(500));
      const r = run(root, ['--baseline', baseline, '--max-growth', '5%'], { GITHUB_ACTIONS: 'true' });
      assert.equal(r.status, 1);
      const line = r.stderr.split('\n').find((l) => l.startsWith('::error'))!;
      assert.match(line, /grew past its budget::context grew by 50%25 since the baseline .*, over the limit of 5%25 \(--max-growth\).*%0AGrew the most:%0A  \+500 B  dir\/more$/);
    });
  });

  it('the size and file gates apply to the effective context the Dockerfile uses', async () => {
    // The context sends 1,000 + Dockerfile bytes in 3 files; the Dockerfile only copies src/ (300 bytes, 1 file).
    await withTree({ Dockerfile: 'FROM scratch\nCOPY src /app\n', 'src/app.js': x(300), 'docs/manual.pdf': x(700) }, (root) => {
      const r = run(root, ['--json', '--max-size', '500', '--max-files', '2']);
      const doc = JSON.parse(r.stdout);
      if (doc.effective === undefined || doc.effective === null) return; // measured without an effective context
      assert.equal(r.status, 1);
      assert.deepEqual(
        doc.gates.map((g: { scope: string; gate: string; passed: boolean }) => [g.scope, g.gate, g.passed]),
        [
          ['context', 'max-size', false],
          ['context', 'max-files', false],
          ['effective', 'max-size', true],
          ['effective', 'max-files', true],
        ],
      );
      assert.equal(doc.effective.bytes, 300);
      const text = run(root, ['--max-size', '299']);
      assert.equal(text.status, 1);
      assert.match(text.stdout, /FAIL {2}effective context is 300 B \(300 bytes\), over the limit of 299 \(--max-size\) by 1 byte/);
    });
  });
});
