import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cell, code } from '../src/report/markdown.js';
import { escapeHelp, escapeLabelValue } from '../src/report/prometheus.js';
import { runCtxsize } from './support/cli.js';
import { withTree } from './support/tree.js';

const x = (n: number): string => 'x'.repeat(n);
const cleanEnv = { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' };

// ---------------------------------------------------------------------------------------------
// A validator of the Prometheus text exposition format (0.0.4), strict where the textfile
// collector is: metric and label names, escapes, one HELP and one TYPE per family before its
// samples, families not interleaved, no duplicate series, no timestamps.

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function unescapeHelp(text: string, line: number): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`line ${line}: invalid escape \\${c} in HELP`);
  });
}

export function parseExposition(text: string): Exposition {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line feed');
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const finished = new Set<string>();
  let current: string | null = null;
  const series = new Set<string>();
  const enter = (family: string, line: number): void => {
    if (current === family) return;
    if (finished.has(family)) throw new Error(`line ${line}: family ${family} appears in two places`);
    if (current !== null) finished.add(current);
    current = family;
  };
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (raw === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`line ${n}: bad metric name ${name}`);
      enter(name, n);
      if (kind === 'TYPE') {
        if (types.has(name)) throw new Error(`line ${n}: second TYPE for ${name}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${n}: bad type ${rest}`);
        if (samples.some((s) => s.name === name)) throw new Error(`line ${n}: TYPE after samples of ${name}`);
        types.set(name, rest);
      } else {
        if (help.has(name)) throw new Error(`line ${n}: second HELP for ${name}`);
        help.set(name, unescapeHelp(rest, n));
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(raw);
    if (!nameMatch) throw new Error(`line ${n}: no metric name in ${JSON.stringify(raw)}`);
    const name = nameMatch[0];
    let pos = name.length;
    const labels: Record<string, string> = {};
    if (raw[pos] === '{') {
      pos++;
      while (raw[pos] !== '}') {
        const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(raw.slice(pos));
        if (!ln || !LABEL_NAME.test(ln[0])) throw new Error(`line ${n}: bad label name at ${pos}`);
        if (ln[0].startsWith('__')) throw new Error(`line ${n}: reserved label name ${ln[0]}`);
        pos += ln[0].length;
        if (raw.slice(pos, pos + 2) !== '="') throw new Error(`line ${n}: expected =" after ${ln[0]}`);
        pos += 2;
        let value = '';
        for (;;) {
          const c = raw[pos];
          if (c === undefined) throw new Error(`line ${n}: unterminated label value`);
          if (c === '"') break;
          if (c === '\\') {
            const e = raw[pos + 1];
            if (e === '\\') value += '\\';
            else if (e === '"') value += '"';
            else if (e === 'n') value += '\n';
            else throw new Error(`line ${n}: invalid escape \\${e} in a label value`);
            pos += 2;
          } else {
            value += c;
            pos++;
          }
        }
        pos++;
        if (Object.hasOwn(labels, ln[0])) throw new Error(`line ${n}: label ${ln[0]} twice`);
        labels[ln[0]] = value;
        if (raw[pos] === ',') pos++;
        else if (raw[pos] !== '}') throw new Error(`line ${n}: expected , or } at ${pos}`);
      }
      pos++;
    }
    const rest = raw.slice(pos);
    const vm = /^ (\S+)$/.exec(rest);
    if (!vm) throw new Error(`line ${n}: expected one value and no timestamp, got ${JSON.stringify(rest)}`);
    const valueText = vm[1]!;
    if (!/^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/.test(valueText)) throw new Error(`line ${n}: bad value ${valueText}`);
    enter(name, n);
    if (!types.has(name)) throw new Error(`line ${n}: sample of ${name} before its TYPE`);
    const key = name + JSON.stringify(Object.entries(labels).sort());
    if (series.has(key)) throw new Error(`line ${n}: duplicate series ${key}`);
    series.add(key);
    samples.push({ name, labels, value: valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText) });
  });
  return { types, help, samples };
}

function sample(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.equal(found.length, 1, `one sample of ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

describe('the Prometheus validator itself', () => {
  it('rejects what the format forbids', () => {
    const bad = [
      '# TYPE a gauge\n# TYPE a gauge\na 1\n',
      'a 1\n',
      '# TYPE a gauge\na{b="x} 1\n',
      '# TYPE a gauge\na{b="\\t"} 1\n',
      '# TYPE a gauge\na 1 1700000000\n',
      '# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\n',
      '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n',
      '# TYPE 1a gauge\n',
      '# TYPE a gauge\na{1b="x"} 1\n',
      '# TYPE a gauge\na{b="x"} 1\na{b="x"} 2\n',
      '# TYPE a gauge\na 1',
    ];
    for (const text of bad) assert.throws(() => parseExposition(text), Error, JSON.stringify(text));
    const ok = parseExposition('# HELP a A \\\\ b\\n.\n# TYPE a gauge\na{b="q\\"\\\\\\n"} 1.5\n');
    assert.equal(ok.help.get('a'), 'A \\ b\n.');
    assert.equal(ok.samples[0]!.labels['b'], 'q"\\\n');
  });
});

describe('Prometheus output', () => {
  it('escapes label values and HELP text per the format', () => {
    assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
    assert.equal(escapeHelp('a\\b\nc"'), 'a\\\\b\\nc"');
  });

  it('parses, with one TYPE per metric, the documented metrics and labels, and awkward paths escaped', async () => {
    const odd = 'we"ird\\dir\nname';
    await withTree({ [`${odd}/Dockerfile`]: 'FROM scratch\n', [`${odd}/.dockerignore`]: 'logs\n', [`${odd}/app.js`]: x(100), [`${odd}/logs/a.log`]: x(50) }, (root) => {
      const dir = path.join(root, odd);
      const r = runCtxsize(['--format', 'prometheus', '--no-config', '--max-size', '1MB', '--max-files', '1', dir], { env: cleanEnv });
      assert.equal(r.status, 1, r.stderr);
      const exp = parseExposition(r.stdout);
      for (const name of ['ctxsize_context_bytes', 'ctxsize_context_files', 'ctxsize_all_bytes', 'ctxsize_all_files', 'ctxsize_excluded_bytes', 'ctxsize_gate_passed']) {
        assert.equal(exp.types.get(name), 'gauge', name);
        assert.ok(exp.help.get(name), `HELP for ${name}`);
      }
      const labels = { path: dir, dockerfile: path.join(dir, 'Dockerfile'), builder: 'buildkit' };
      const contextBytes = 'FROM scratch\n'.length + 'logs\n'.length + 100;
      assert.equal(sample(exp, 'ctxsize_context_bytes', labels), contextBytes);
      assert.equal(sample(exp, 'ctxsize_context_files', labels), 3);
      assert.equal(sample(exp, 'ctxsize_all_bytes', labels), contextBytes + 50);
      assert.equal(sample(exp, 'ctxsize_excluded_files', labels), 1);
      assert.equal(sample(exp, 'ctxsize_gate_limit_bytes', { scope: 'context' }), 1_000_000);
      assert.equal(sample(exp, 'ctxsize_gate_passed', { gate: 'max-size', scope: 'context' }), 1);
      assert.equal(sample(exp, 'ctxsize_gate_passed', { gate: 'max-files', scope: 'context' }), 0);
      assert.ok(r.stdout.includes('path="' + escapeLabelValue(dir) + '"'));
      assert.ok(!/^ctxsize: FAIL/m.test(r.stdout), 'failures go to stderr');
      assert.match(r.stderr, /^ctxsize: FAIL context has 3 files/m);
    });
  });

  it('writes a textfile atomically with -o and reports growth since a baseline', async () => {
    await withTree({ a: x(1000) }, (root) => {
      const baseline = path.join(root, 'base', 'b.json');
      assert.equal(runCtxsize(['--no-config', '--save-baseline', baseline, root], { env: cleanEnv }).status, 0);
      writeFileSync(path.join(root, 'b'), x(250));
      const out = path.join(root, 'metrics', 'ctxsize.prom');
      const r = runCtxsize(['--no-config', '--format', 'prometheus', '-o', out, '--baseline', baseline, root], { env: cleanEnv });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
      const exp = parseExposition(readFileSync(out, 'utf8'));
      assert.equal(sample(exp, 'ctxsize_baseline_context_bytes'), 1000);
      // b.json itself is now in the context too
      assert.ok(sample(exp, 'ctxsize_context_growth_ratio') > 0.25);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Markdown: GitHub-flavoured tables, checked for structure.

/** Split a table row into cells: `\|` and pipes inside code spans do not split. */
function splitRow(line: string): string[] {
  assert.ok(line.startsWith('|') && line.endsWith('|'), `a table row: ${line}`);
  const cells: string[] = [];
  let current = '';
  let fence = '';
  for (let i = 1; i < line.length - 1; i++) {
    const c = line[i]!;
    if (c === '\\' && line[i + 1] === '|') {
      current += '|';
      i++;
      continue;
    }
    if (c === '`') {
      let run = '`';
      while (line[i + 1] === '`') {
        run += '`';
        i++;
      }
      if (fence === '') fence = run;
      else if (fence === run) fence = '';
      current += run;
      continue;
    }
    if (c === '|' && fence === '') {
      cells.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  cells.push(current.trim());
  return cells;
}

interface Table {
  header: string[];
  align: string[];
  rows: string[][];
}

/** Every table of a Markdown document; each has a delimiter row and the same width in every row. */
function parseTables(markdown: string): Table[] {
  const lines = markdown.split('\n');
  const tables: Table[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|')) continue;
    assert.ok(i === 0 || lines[i - 1] === '', `a blank line before the table at line ${i + 1}`);
    const header = splitRow(lines[i]!);
    const align = splitRow(lines[i + 1] ?? '');
    for (const a of align) assert.match(a, /^:?-{3,}:?$/, `delimiter row at line ${i + 2}`);
    assert.equal(align.length, header.length, `delimiter width at line ${i + 2}`);
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.startsWith('|'); j++) {
      const cells = splitRow(lines[j]!);
      assert.equal(cells.length, header.length, `row width at line ${j + 1}: ${lines[j]}`);
      rows.push(cells);
    }
    tables.push({ header, align, rows });
    i = j;
  }
  return tables;
}

describe('Markdown output', () => {
  it('code spans and cells survive pipes, backticks and line breaks', () => {
    assert.deepEqual(splitRow(`| ${code('a|b')} | ${cell('x|y')} |`), ['`a|b`', 'x|y']);
    assert.equal(code('a`b'), '``a`b``');
    assert.equal(code('`a'), '`` `a ``');
    assert.equal(cell('a\nb*c_'), 'a b\\*c\\_');
  });

  it('is a summary of tables: sizes, gates with ✅/❌, growth and the grown paths, the largest paths', async () => {
    await withTree({ Dockerfile: 'FROM scratch\n', '.dockerignore': 'node_modules\n', 'src/app.js': x(1000), 'node_modules/dep/index.js': x(5000), 'we|rd`name': x(10) }, (root) => {
      const baseline = path.join(root, '..', `${path.basename(root)}-md.json`);
      runCtxsize(['--no-config', '--save-baseline', baseline, root], { env: cleanEnv });
      writeFileSync(path.join(root, 'src/new.js'), x(2000));
      const r = runCtxsize(['--no-config', '--format', 'markdown', '--max-size', '1MB', '--max-files', '3', '--baseline', baseline, '--max-growth', '10', root], {
        env: cleanEnv,
      });
      assert.equal(r.status, 1, r.stderr);
      const md = r.stdout;
      assert.match(md.split('\n')[0]!, /^### ❌ ctxsize: build context `/);
      const tables = parseTables(md);
      assert.equal(tables.length, 4, md);
      const [sizes, gates, grew, largest] = tables as [Table, Table, Table, Table];
      assert.deepEqual(sizes.header, ['', 'files', 'size']);
      // (an "effective" row joins them when the measurement computes the effective context)
      assert.deepEqual(sizes.rows.map((row) => row[0]).filter((c) => !c!.startsWith('effective')), ['whole directory', '**sent to the builder**', 'kept out']);
      assert.deepEqual(sizes.rows[1]!.slice(1), ['**5**', '**3 kB**']);
      assert.deepEqual(gates.header, ['gate', 'limit', 'measured', 'over by', 'result']);
      assert.deepEqual(gates.align, ['---', '---:', '---:', '---:', ':---:']);
      assert.deepEqual(
        gates.rows.filter((row) => row[0]!.startsWith('context ')).map((row) => [row[0], row[1], row[4]]),
        [
          ['context size', '1MB', '✅'],
          ['context files', '3', '❌'],
          ['context growth', '10%', '❌'],
        ],
      );
      assert.equal(gates.rows.find((row) => row[0] === 'context files')![3], '2 files (66.7% of the limit)');
      // Growth is over in percentage points (193.1% against 10%), with the bytes beyond the allowed size.
      assert.match(gates.rows.find((row) => row[0] === 'context growth')![3]!, /^183\.1 points \([\d.]+ kB over the allowed 1\.1 kB\)$/);
      // The context by top-level entry, as a chart GitHub draws.
      assert.match(md, /^```mermaid\npie title Sent to the builder by top-level entry \(3 kB\)\n {4}"src\/" : 3000\n/m);
      assert.deepEqual(grew.header, ['path', 'baseline', 'now', 'change']);
      assert.deepEqual(grew.rows[0], ['`src/new.js`', '0 B', '2 kB', '+2 kB']);
      assert.deepEqual(largest.header, ['path', 'size', 'in the context']);
      assert.ok(largest.rows.some((row) => row[0] === '`node_modules/dep/index.js`' && row[2] === 'excluded'), JSON.stringify(largest.rows));
      assert.ok(largest.rows.some((row) => row[0] === '`` we|rd`name ``' || row[0] === '``we|rd`name``'), JSON.stringify(largest.rows));
      assert.match(md, /Since the baseline `[^`]+`: context 1 kB → 3 kB \(\+2 kB, \+193\.1%\), files 4 → 5 \(\+1\)/);
    });
  });

  it('without gates: no gates table and no verdict in the heading', async () => {
    await withTree({ a: x(10) }, (root) => {
      const r = runCtxsize(['--no-config', '--format', 'markdown', root], { env: cleanEnv });
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^### ctxsize: build context /);
      assert.equal(parseTables(r.stdout).length, 2);
    });
  });
});

describe('GITHUB_STEP_SUMMARY', () => {
  it('gets the Markdown summary appended, whatever the format', async () => {
    await withTree({ a: x(1000) }, (root) => {
      const summary = path.join(root, '..', `${path.basename(root)}-summary.md`);
      writeFileSync(summary, '# Earlier step\n\n');
      const json = runCtxsize(['--no-config', '--json', '--max-size', '1kB', root], { env: { ...cleanEnv, GITHUB_STEP_SUMMARY: summary } });
      assert.equal(json.status, 0);
      JSON.parse(json.stdout);
      const prom = runCtxsize(['--no-config', '--format', 'prometheus', '--max-size', '999', root], { env: { ...cleanEnv, GITHUB_STEP_SUMMARY: summary } });
      assert.equal(prom.status, 1);
      parseExposition(prom.stdout);
      const text = readFileSync(summary, 'utf8');
      assert.ok(text.startsWith('# Earlier step\n\n### ✅ ctxsize: build context'), text);
      assert.equal(text.match(/^### /gm)!.length, 2);
      assert.match(text, /### ❌ ctxsize: build context/);
      assert.equal(parseTables(text).length, 6);
    });
  });
  it('a summary that cannot be written is a warning, not a lost measurement', async () => {
    await withTree({ a: x(10), 'dir/': '' }, (root) => {
      mkdirSync(path.join(root, 'dir'), { recursive: true });
      const r = runCtxsize(['--no-config', '--json', root], { env: { ...cleanEnv, GITHUB_STEP_SUMMARY: path.join(root, 'dir') } });
      assert.equal(r.status, 0);
      JSON.parse(r.stdout);
      assert.match(r.stderr, /ctxsize: warning: cannot append to GITHUB_STEP_SUMMARY/);
    });
  });
});

describe('--format', () => {
  it('json keeps the measurement keys and adds gates and growth; --json is a shortcut', async () => {
    await withTree({ a: x(10) }, (root) => {
      const viaFormat = JSON.parse(runCtxsize(['--no-config', '--format', 'json', root], { env: cleanEnv }).stdout);
      const viaFlag = JSON.parse(runCtxsize(['--no-config', '--json', root], { env: cleanEnv }).stdout);
      assert.deepEqual(viaFormat, viaFlag);
      for (const key of ['schemaVersion', 'root', 'dockerfile', 'ignoreFile', 'builder', 'all', 'context', 'excluded', 'largest', 'warnings', 'byTopLevel', 'byTopLevelOmitted', 'gates', 'growth']) {
        assert.ok(key in viaFlag, key);
      }
      assert.deepEqual(viaFlag.byTopLevel, [{ path: 'a', type: 'file', bytes: 10, files: 1, contextBytes: 10, contextFiles: 1 }]);
    });
  });
  it('rejects unknown formats and contradictions', async () => {
    await withTree({ a: x(10) }, (root) => {
      const bad = runCtxsize(['--no-config', '--format', 'yaml', root], { env: cleanEnv });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--format must be one of text, json, markdown, prometheus, html, not "yaml"/);
      const both = runCtxsize(['--no-config', '--json', '--format', 'markdown', root], { env: cleanEnv });
      assert.equal(both.status, 2);
      assert.match(both.stderr, /--json and --format markdown contradict/);
    });
  });
});
