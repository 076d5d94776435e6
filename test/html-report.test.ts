import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { escapeHtml, packMap, scriptJson } from '../src/report/html.js';
import { collectMap } from '../src/treemap/collect.js';
import { countNodes, MapBuilder, pruneMap, type MapNode } from '../src/treemap/data.js';
import { runCtxsize } from './support/cli.js';
import { makeTree, removeTree } from './support/tree.js';
import { makeReadmeSample } from './support/readme-sample.js';

function find(node: MapNode, name: string): MapNode | undefined {
  if (node.name === name) return node;
  for (const child of node.children ?? []) {
    const hit = find(child, name);
    if (hit) return hit;
  }
  return undefined;
}

function sum(node: MapNode, pick: (n: MapNode) => number): number {
  return node.children ? node.children.reduce((s, c) => s + sum(c, pick), 0) : pick(node);
}

describe('the treemap data', () => {
  it('adds files up the tree: whole, sent and effective bytes', () => {
    const b = new MapBuilder();
    b.file('src/a.ts', 100, true);
    b.file('src/b.ts', 50, true);
    b.file('node_modules/x/y.js', 1000, false);
    b.dir('empty');
    b.effective('src/a.ts', 100);
    b.effective('missing', 7);
    const src = b.root.children!.find((c) => c.name === 'src')!;
    assert.deepEqual([b.root.bytes, b.root.sent, b.root.effective, b.root.files], [1150, 150, 100, 3]);
    assert.deepEqual([src.bytes, src.sent, src.effective, src.files], [150, 150, 100, 2]);
    assert.ok(b.root.children!.some((c) => c.name === 'empty' && c.kind === 'dir' && c.bytes === 0));
  });

  it('prunes small entries into one rest node per directory, keeping every byte, and folds single-entry directories', () => {
    const b = new MapBuilder();
    for (let i = 0; i < 500; i++) b.file(`many/f${i}.txt`, 10, i % 2 === 0);
    b.file('big/inner/huge.bin', 100_000, false);
    b.file('src/main.go', 20_000, true);
    const pruned = pruneMap(b.root, { minShare: 0.001 });
    assert.equal(pruned.bytes, b.root.bytes);
    assert.equal(sum(pruned, (n) => n.bytes), b.root.bytes, 'leaves add up to the whole');
    assert.equal(sum(pruned, (n) => n.sent), b.root.sent);
    const many = find(pruned, 'many')!;
    assert.equal(many.children!.length, 1 + many.children!.filter((c) => c.kind !== 'rest').length - 0);
    const rest = many.children!.find((c) => c.kind === 'rest')!;
    assert.match(rest.name, /^\d+ smaller entries$/);
    assert.ok(find(pruned, 'big/inner/huge.bin'), 'big/ and inner/ hold one entry each: one rectangle');
    const capped = pruneMap(b.root, { minShare: 0, maxNodes: 50 });
    assert.ok(countNodes(capped) <= 60, String(countNodes(capped)));
    assert.equal(sum(capped, (n) => n.bytes), b.root.bytes);
  });

  it('packs compactly and embeds safely in a script element', () => {
    const node: MapNode = { name: 'a</script><b>', kind: 'dir', bytes: 3, sent: 1, effective: 0, files: 1, children: [{ name: 'f', kind: 'file', bytes: 3, sent: 1, effective: 0, files: 1 }] };
    assert.deepEqual(packMap(node), ['a</script><b>', 0, 3, 1, 0, 1, [['f', 1, 3, 1, 0, 1]]]);
    const json = scriptJson(packMap(node));
    assert.ok(!json.includes('</script>'));
    assert.deepEqual(JSON.parse(json), packMap(node));
    assert.equal(escapeHtml(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });
});

/** Debian's and Google's names for a headless-capable Chromium. */
function findChromium(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() !== '') return r.stdout.trim();
  }
  return null;
}

describe('ctxsize --format html', () => {
  let sample = '';
  let out = '';
  let html = '';
  before(() => {
    sample = makeReadmeSample();
    out = mkdtempSync(path.join(tmpdir(), 'ctxsize-html-'));
    const r = runCtxsize(['--format', 'html', '--check', '--max-size', '1MB', '-o', path.join(out, 'report.html'), '.'], { cwd: sample });
    assert.equal(r.status, 1, 'the gate fails: exit 1');
    assert.match(r.stderr, /FAIL context is 1\.5 MB/);
    html = readFileSync(path.join(out, 'report.html'), 'utf8');
  });
  after(() => {
    rmSync(path.dirname(sample), { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('is one file that needs no network: no external script, style, image or font', () => {
    assert.match(html, /^<!DOCTYPE html>/);
    assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import|url\(/i);
    assert.doesNotMatch(html, /<link\b/i);
  });

  it('holds the totals, the gates, the findings and the whole directory as data', () => {
    assert.match(html, /<td>whole directory<\/td><td>11\.1 MB<\/td><td>100%<\/td><td>19<\/td>/);
    assert.match(html, /sent to the builder<\/td><td>1\.5 MB<\/td>/);
    assert.match(html, /used by the Dockerfile<\/td><td>1\.5 MB<\/td>/);
    assert.match(html, /<li class="fail">FAIL context is 1\.5 MB/);
    assert.match(html, /<span class="sev warning">warning<\/span><\/td><td><code>gitignore-style-pattern<\/code>/);
    assert.match(html, /<h2>Check: \d+ errors?, \d+ warnings?, \d+ infos?<\/h2>/);
    const data = JSON.parse(/<script type="application\/json" id="data">(.*?)<\/script>/s.exec(html)![1]!);
    const measured = JSON.parse(runCtxsize(['--json', '.'], { cwd: sample }).stdout);
    assert.equal(data.tree[2], measured.all.bytes, 'the whole directory');
    assert.equal(data.tree[3], measured.context.bytes, 'what is sent');
    assert.equal(data.tree[4], measured.effective.bytes, 'what the Dockerfile uses');
    assert.equal(collectMap({ dir: sample }).bytes, measured.all.bytes);
    const names = JSON.stringify(data.tree);
    assert.ok(names.includes('"typescript/lib/typescript.js"'), 'a folded chain');
    assert.ok(data.effectiveKnown);
  });

  it('--check: an error-level finding fails the run (exit 1) and is in the page', () => {
    const root = makeTree({ '.dockerignore': 'dist\n', Dockerfile: 'FROM alpine\nCOPY dist /app\n', 'dist/app.js': 'x' });
    try {
      const file = path.join(out, 'error.html');
      const r = runCtxsize(['--format', 'html', '--check', '-o', file, '.'], { cwd: root });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /ctxsize check: 1 error-level finding \(see the report\)/);
      assert.match(readFileSync(file, 'utf8'), /<span class="sev error">error<\/span><\/td><td><code>source-excluded<\/code>/);
    } finally {
      removeTree(root);
    }
  });

  it('refuses to print a page to a terminal, and --check without html', () => {
    const r = runCtxsize(['--check', '.'], { cwd: sample });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "ctxsize: --check adds check's findings to --format html; for the others, run 'ctxsize check'\n");
  });

  it('renders its treemap in a real browser (headless Chromium)', (t) => {
    const chromium = findChromium();
    if (chromium === null) {
      t.skip('no Chromium installed (apt-get install chromium)');
      return;
    }
    const file = path.join(out, 'report.html');
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${path.join(out, 'profile')}`, '--window-size=1280,1000'];
    const dom = spawnSync(chromium, [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 120_000 });
    if (dom.error || (dom.status !== 0 && dom.stdout === '')) {
      t.skip(`Chromium did not run here: ${dom.error?.message ?? dom.stderr.split('\n')[0]}`);
      return;
    }
    // The script ran: it drew one rectangle per entry it could show, and counted them.
    const cells = Number(/data-cells="(\d+)"/.exec(dom.stdout)?.[1] ?? 0);
    assert.ok(cells >= 5, `treemap cells: ${cells}`);
    assert.equal((dom.stdout.match(/class="cell/g) ?? []).length, cells);
    assert.match(dom.stdout, /typescript\/lib\/typescript\.js 8\.9 MB/);
    const png = path.join(out, 'shot.png');
    const shot = spawnSync(chromium, [...flags, `--screenshot=${png}`, `file://${file}`], { encoding: 'utf8', timeout: 120_000 });
    assert.ok(existsSync(png), `no screenshot: ${shot.stderr}`);
    assert.ok(statSync(png).size > 10_000, 'a screenshot with content');
  });
});
