import type { CheckReport } from '../check/types.js';
import type { MeasureOutcome } from '../gates/gates.js';
import type { MapNode } from '../treemap/data.js';
import { humanSize, percent } from './human.js';
import { shownPath } from './markdown.js';
import { number } from './numbers.js';

/**
 * `--format html`: one self-contained page (no network: the styles, the script and the data are
 * inline) with a zoomable treemap of the whole directory, coloured by what the builder sends,
 * what it keeps out and what the Dockerfile uses, beside the totals, the gates and, when asked,
 * the findings of `ctxsize check`.
 */

export interface HtmlReportInput {
  outcome: MeasureOutcome;
  map: MapNode;
  check: CheckReport | null;
  cwd: string;
  version: string;
}

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The treemap's data as compact arrays: [name, kind (0 dir, 1 file, 2 rest), bytes, sent, effective, files, children?]. */
export type PackedNode = [string, 0 | 1 | 2, number, number, number, number, PackedNode[]?];

export function packMap(node: MapNode): PackedNode {
  const kind = node.kind === 'dir' ? 0 : node.kind === 'file' ? 1 : 2;
  const packed: PackedNode = [node.name, kind, node.bytes, node.sent, node.effective, node.files];
  if (node.children && node.children.length > 0) packed.push(node.children.map(packMap));
  return packed;
}

/** JSON that can sit inside a <script> element: no `</script>`, no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const COLORS = { effective: '#3b7dd8', sent: '#43a047', excluded: '#b0b0b0' };

function row(cells: string[], header = false): string {
  const tag = header ? 'th' : 'td';
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

export function formatMeasureHtml(input: HtmlReportInput): string {
  const { outcome, map, check, cwd } = input;
  const r = outcome.report;
  const builder = r.builder === 'buildkit' ? 'BuildKit' : 'classic builder';
  const whole = r.all.bytes;
  const totals = [
    row(['', 'size', 'share', 'files'], true),
    row(['whole directory', humanSize(r.all.bytes), '100%', number.format(r.all.files)]),
    row([`<span class="sw" style="background:${COLORS.sent}"></span>sent to the builder`, humanSize(r.context.bytes), percent(r.context.bytes, whole), number.format(r.context.files)]),
    ...(r.effective && r.builder === 'buildkit'
      ? [row([`<span class="sw" style="background:${COLORS.effective}"></span>used by the Dockerfile`, humanSize(r.effective.bytes), percent(r.effective.bytes, whole), number.format(r.effective.files)])]
      : []),
    row([`<span class="sw" style="background:${COLORS.excluded}"></span>kept out`, humanSize(r.excluded.bytes), percent(r.excluded.bytes, whole), number.format(r.excluded.files)]),
  ].join('\n');
  const gates =
    outcome.gates.length === 0
      ? '<p class="muted">No gate set (--max-size, --max-files, --max-growth).</p>'
      : `<ul class="gates">${outcome.gates.map((g) => `<li class="${g.passed ? 'pass' : 'fail'}">${g.passed ? 'PASS' : 'FAIL'} ${escapeHtml(g.message)}</li>`).join('')}</ul>`;
  const findings =
    check === null
      ? ''
      : `<h2>Check: ${check.summary.errors} error${check.summary.errors === 1 ? '' : 's'}, ${check.summary.warnings} warning${check.summary.warnings === 1 ? '' : 's'}, ${check.summary.infos} info${check.summary.infos === 1 ? '' : 's'}</h2>
${check.findings.length === 0 ? '<p class="muted">No problems found.</p>' : `<table class="findings">${row(['severity', 'rule', 'where', 'finding', 'fix'], true)}${check.findings
          .map((f) => row([`<span class="sev ${f.severity}">${f.severity}</span>`, `<code>${escapeHtml(f.rule)}</code>`, escapeHtml(f.line > 0 ? `${f.file}:${f.line}` : f.file), escapeHtml(f.message), escapeHtml(f.fix)]))
          .join('')}</table>`}`;
  const topLevel = (r.byTopLevel ?? []).slice(0, 15);
  const topTable = topLevel.length === 0 ? '' : `<h2>Top level</h2><table>${row(['entry', 'whole', 'sent', 'kept out'], true)}${topLevel
    .map((e) => row([escapeHtml(e.path + (e.type === 'dir' ? '/' : '')), humanSize(e.bytes), humanSize(e.contextBytes), humanSize(e.bytes - e.contextBytes)]))
    .join('')}</table>`;
  const data = { tree: packMap(map), colors: COLORS, effectiveKnown: r.effective !== null && r.builder === 'buildkit' };
  const title = `Build context ${shownPath(r.root, cwd)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ctxsize ${escapeHtml(input.version)}">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:16px 24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}
.muted{color:#666}table{border-collapse:collapse}td,th{padding:3px 10px;text-align:right;border-bottom:1px solid #eee}
td:first-child,th:first-child{text-align:left}.findings td,.findings th{text-align:left;vertical-align:top}
.sw{display:inline-block;width:11px;height:11px;margin-right:6px;border-radius:2px;vertical-align:-1px}
.top{display:flex;gap:40px;flex-wrap:wrap;align-items:flex-start}
.gates{list-style:none;padding:0;margin:0}.gates li{padding:2px 0}.pass{color:#2e7d32}.fail{color:#c62828;font-weight:600}
.sev{font-weight:600}.sev.error{color:#c62828}.sev.warning{color:#b26a00}.sev.info{color:#666}
#crumbs{margin:8px 0;font-size:13px}#crumbs a{color:#1a5fb4;cursor:pointer;text-decoration:underline}
#map{position:relative;width:100%;height:68vh;min-height:360px;background:#f4f4f4;border:1px solid #ccc;overflow:hidden}
#map div{position:absolute;box-sizing:border-box;overflow:hidden;font-size:11px;line-height:14px;white-space:nowrap;text-overflow:ellipsis}
#map .dir{border:1px solid #777;background:#e8e8e8;cursor:zoom-in}
#map .dir>.label{position:static;padding:1px 4px;font-weight:600;background:#ddd}
#map .cell{border:1px solid #fff;padding:1px 3px;color:#111}
#map .cell.zoomable{cursor:zoom-in}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="muted">${escapeHtml(builder)} · Dockerfile: ${escapeHtml(shownPath(r.dockerfile, cwd))} · ignore file: ${escapeHtml(shownPath(r.ignoreFile, cwd))} · ctxsize ${escapeHtml(input.version)}</div>
<div class="top">
<div><h2>Totals</h2><table id="totals">
${totals}
</table></div>
<div><h2>Gates</h2>${gates}</div>
</div>
<h2>Where the bytes are</h2>
<div class="muted"><span class="sw" style="background:${COLORS.sent}"></span>sent <span class="sw" style="background:${COLORS.effective}"></span>used by the Dockerfile <span class="sw" style="background:${COLORS.excluded}"></span>kept out · areas are bytes · click a directory to zoom in, a path above to zoom out (or Escape)</div>
<div id="crumbs"></div>
<div id="map" role="img" aria-label="treemap of the build context directory"></div>
${findings}
${topTable}
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>
${TREEMAP_SCRIPT}
</script>
</body>
</html>
`;
}

/** The page's script: a squarified treemap of the packed tree, two levels at a time, zoomable. */
const TREEMAP_SCRIPT = String.raw`(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var C = D.colors;
  function unpack(a, parent) {
    var n = { name: a[0], kind: a[1], bytes: a[2], sent: a[3], eff: a[4], files: a[5], parent: parent, children: null };
    if (a[6]) n.children = a[6].map(function (c) { return unpack(c, n); });
    return n;
  }
  var root = unpack(D.tree, null);
  var zoom = root;
  var map = document.getElementById('map');
  var crumbs = document.getElementById('crumbs');
  var UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  function size(b) {
    var i = 0;
    while (b >= 1000 && i < UNITS.length - 1) { b /= 1000; i++; }
    return (i === 0 ? b : Math.round(b * 10) / 10) + ' ' + UNITS[i];
  }
  function pathOf(n) {
    var parts = [];
    for (var p = n; p && p.parent; p = p.parent) parts.unshift(p.name);
    return parts.join('/') || '.';
  }
  function share(part, whole) { return whole > 0 ? (Math.round(part / whole * 1000) / 10) + '%' : '0%'; }
  function fill(n) {
    if (n.bytes <= 0) return C.excluded;
    var e = n.eff / n.bytes * 100, s = n.sent / n.bytes * 100;
    if (s >= 100 && e <= 0) return C.sent;
    if (s <= 0) return C.excluded;
    if (e >= 100) return C.effective;
    return 'linear-gradient(90deg,' + C.effective + ' 0 ' + e + '%,' + C.sent + ' ' + e + '% ' + s + '%,' + C.excluded + ' ' + s + '% 100%)';
  }
  function worst(row, side) {
    var s = 0, mx = 0, mn = Infinity;
    for (var i = 0; i < row.length; i++) { s += row[i].a; mx = Math.max(mx, row[i].a); mn = Math.min(mn, row[i].a); }
    return Math.max(side * side * mx / (s * s), s * s / (side * side * mn));
  }
  function layout(nodes, x, y, w, h) {
    var total = 0;
    nodes.forEach(function (n) { total += n.bytes; });
    var out = [];
    if (total <= 0 || w <= 0 || h <= 0) return out;
    var scale = w * h / total;
    var items = nodes.filter(function (n) { return n.bytes > 0; }).map(function (n) { return { n: n, a: n.bytes * scale }; });
    var row = [];
    function place() {
      var s = 0;
      row.forEach(function (r) { s += r.a; });
      if (w >= h) {
        var cw = s / h, yy = y;
        row.forEach(function (r) { var rh = r.a / cw; out.push({ n: r.n, x: x, y: yy, w: cw, h: rh }); yy += rh; });
        x += cw; w -= cw;
      } else {
        var rh = s / w, xx = x;
        row.forEach(function (r) { var rw = r.a / rh; out.push({ n: r.n, x: xx, y: y, w: rw, h: rh }); xx += rw; });
        y += rh; h -= rh;
      }
      row = [];
    }
    while (items.length) {
      var side = Math.min(w, h);
      if (row.length === 0 || worst(row.concat([items[0]]), side) <= worst(row, side)) row.push(items.shift());
      else place();
    }
    if (row.length) place();
    return out;
  }
  function title(n) {
    var kept = n.bytes - n.sent;
    return pathOf(n) + (n.kind === 0 ? '/' : '') + '\n' + size(n.bytes) + ' (' + share(n.bytes, root.bytes) + ' of the directory), ' +
      n.files + ' file' + (n.files === 1 ? '' : 's') + '\nsent: ' + size(n.sent) + ', kept out: ' + size(kept) +
      (D.effectiveKnown ? ', used by the Dockerfile: ' + size(n.eff) : '');
  }
  function zoomTo(n) { zoom = n; render(); }
  function draw(nodes, x, y, w, h, parent, depth) {
    layout(nodes, x, y, w, h).forEach(function (r) {
      var n = r.n, el = document.createElement('div');
      el.style.left = r.x + 'px'; el.style.top = r.y + 'px';
      el.style.width = Math.max(1, r.w) + 'px'; el.style.height = Math.max(1, r.h) + 'px';
      el.title = title(n);
      var label = (n.kind === 2 ? '(' + n.name + ')' : n.name + (n.kind === 0 ? '/' : '')) + ' ' + size(n.bytes);
      if (n.children && depth < 2 && r.w > 60 && r.h > 44) {
        el.className = 'dir';
        var head = document.createElement('div');
        head.className = 'label'; head.textContent = label;
        el.appendChild(head);
        el.addEventListener('click', function (ev) { ev.stopPropagation(); zoomTo(n); });
        parent.appendChild(el);
        draw(n.children, 0, 17, r.w - 2, r.h - 19, el, depth + 1);
      } else {
        el.className = 'cell' + (n.children ? ' zoomable' : '');
        el.style.background = fill(n);
        if (r.w > 40 && r.h > 14) el.textContent = label;
        if (n.children) el.addEventListener('click', function (ev) { ev.stopPropagation(); zoomTo(n); });
        parent.appendChild(el);
      }
    });
  }
  function render() {
    map.textContent = '';
    crumbs.textContent = '';
    var chain = [];
    for (var p = zoom; p; p = p.parent) chain.unshift(p);
    chain.forEach(function (n, i) {
      if (i > 0) crumbs.appendChild(document.createTextNode(' / '));
      var a = document.createElement(i === chain.length - 1 ? 'b' : 'a');
      a.textContent = i === 0 ? 'whole directory' : n.name;
      if (i < chain.length - 1) a.addEventListener('click', function () { zoomTo(n); });
      crumbs.appendChild(a);
    });
    crumbs.appendChild(document.createTextNode('  ' + size(zoom.bytes) + ', sent ' + size(zoom.sent) + ', kept out ' + size(zoom.bytes - zoom.sent)));
    draw(zoom.children || [zoom], 0, 0, map.clientWidth, map.clientHeight, map, 0);
    map.setAttribute('data-cells', String(map.querySelectorAll('.cell').length));
  }
  document.addEventListener('keydown', function (ev) { if ((ev.key === 'Escape' || ev.key === 'Backspace') && zoom.parent) zoomTo(zoom.parent); });
  window.addEventListener('resize', render);
  render();
})();`;
