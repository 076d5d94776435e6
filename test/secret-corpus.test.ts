import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkContext, type Finding } from '../src/index.js';
import {
  ALPHABETS,
  crc32,
  isLocalOrDocumentationHost,
  isPlaceholder,
  scanSecretContent,
  SECRET_DESCRIPTIONS,
  STRUCTURED_KINDS,
  toBase62,
  TOKEN_KINDS,
} from '../src/knowledge/secret-content.js';
import { generateCorpus, generateToken, type CorpusItem } from './support/secret-corpus.js';
import { Random } from './support/random-cases.js';
import { withTree } from './support/tree.js';

// 1255920220: a weak Anthropic key whose random body held "AA-" where a real key would end (the
// strong shape was claimed on a prefix of it).
const SEEDS = [1, 20261206, 1255920220, Date.now() >>> 0];

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Run `check` on one tree holding the whole corpus and judge each item by its findings. */
async function judge(seed: number): Promise<{ items: CorpusItem[]; failures: string[]; found: Set<string>; report: string }> {
  const items = generateCorpus(seed);
  const spec: Record<string, string> = { Dockerfile: 'FROM alpine\nCOPY . /app\n' };
  for (const item of items) {
    assert.equal(spec[item.path], undefined, `two items at ${item.path}`);
    spec[item.path] = item.content;
  }
  return withTree(spec, (root) => {
    const report = checkContext({ dir: root, cwd: root });
    const byFile = new Map<string, Finding[]>();
    for (const f of report.findings) if (f.rule === 'secret-content' || f.rule === 'secret-file') byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    const failures: string[] = [];
    const found = new Set<string>();
    for (const item of items) {
      const findings = byFile.get(item.path) ?? [];
      const errors = findings.filter((f) => f.severity === 'error');
      const describe = `${item.label} (${item.path}): ${findings.map((f) => `${f.severity} ${f.message}`).join(' | ') || 'nothing'}`;
      if (item.expect === 'none') {
        if (errors.length > 0) failures.push(`look-alike reported as an error: ${describe}`);
        continue;
      }
      const description = SECRET_DESCRIPTIONS[item.kind!];
      const named = findings.filter((f) => f.rule === 'secret-content' && (f.message.includes(description) || item.kind === 'private-key'));
      if (named.length === 0) failures.push(`not found: ${describe}`);
      else found.add(item.kind!);
      if (item.expect === 'error' && !named.some((f) => f.severity === 'error')) failures.push(`not an error: ${describe}`);
      if (item.expect === 'warning' && errors.length > 0) failures.push(`should be a warning: ${describe}`);
      if (item.expect === 'warning' && item.label.startsWith('test key') && !findings.some((f) => /likely a test key; it still ships in the image/.test(f.message))) {
        failures.push(`test key without its reason: ${describe}`);
      }
    }
    return { items, failures, found, report: JSON.stringify(report) };
  });
}

describe('secret corpus (random fakes in real formats, look-alikes, test keys)', () => {
  for (const seed of SEEDS) {
    it(`finds every kind, no look-alike or test key as an error (seed ${seed})`, async () => {
      const { items, failures, found, report } = await judge(seed);
      if (process.env.CTXSIZE_CORPUS_TALLY) console.log(`seed ${seed}: ${items.length} items, ${found.size} kinds found of ${new Set(items.map((i) => i.kind).filter((k) => k !== null)).size}; failures ${failures.length}`);
      assert.deepEqual(failures, [], `seed ${seed}`);
      const kinds = new Set(items.filter((i) => i.kind !== null).map((i) => i.kind));
      assert.deepEqual([...kinds].filter((k) => !found.has(k!)), []);
      // Never a value in the report.
      for (const item of items) if (item.value !== undefined) assert.ok(!report.includes(item.value), `${item.label}: value leaked`);
    });
  }
});

describe('secret table', () => {
  it('every kind has a description, a source and a look-alike the scanner leaves alone', () => {
    for (const kind of [...TOKEN_KINDS, ...STRUCTURED_KINDS]) {
      assert.ok(kind.description.length > 0 && /^https:\/\//.test(kind.source), kind.kind);
      const errors = scanSecretContent(kind.lookAlike, kind.kind === 'npmrc-auth' ? '.npmrc' : 'sample.txt').filter((m) => m.weak === undefined);
      assert.deepEqual(errors, [], `${kind.kind}: ${kind.lookAlike}`);
    }
  });

  it('generated tokens match their own format and no shorter or glued variant does', () => {
    const rng = new Random(7);
    for (const kind of TOKEN_KINDS) {
      for (const format of kind.formats) {
        const token = generateToken(rng, format);
        const hits = scanSecretContent(`key = "${token}"\n`, 'a.txt');
        assert.deepEqual(hits.map((h) => h.kind), [kind.kind], `${kind.kind}: ${token.slice(0, 12)}…`);
        assert.deepEqual(scanSecretContent(`key = "a${token}"\n`, 'a.txt'), [], `${kind.kind} glued`);
        const last = format.parts[format.parts.length - 1]!;
        const extended = kind.kind === 'databricks-token'; // its `-N` suffix form extends the plain one
        if (typeof last !== 'string' && typeof last.length === 'number' && !extended) {
          // One more character of its own alphabet: a longer run, not this token.
          const longer = scanSecretContent(`key = "${token}${ALPHABETS[last.alphabet][0]}"\n`, 'a.txt').filter((h) => h.kind === kind.kind && h.weak === undefined);
          assert.deepEqual(longer, [], `${kind.kind} longer`);
          const shorter = scanSecretContent(`key = "${token.slice(0, -1)}"\n`, 'a.txt').filter((h) => h.kind === kind.kind && h.weak === undefined);
          assert.deepEqual(shorter, [], `${kind.kind} shorter`);
        }
      }
    }
  });

  it('a literal end in the body\'s alphabet ends the token only where the body ends (Anthropic\'s AA)', () => {
    const body = 'YWwsyagW6QQA6YkQ8Y84C4uSSIQgKKCWSSYcY24U046iuMYssYayK8csc0woWG8yqW8G2O4wOOo2iaQA0A8wkeEEG0aq0Y4U'; // 96 made-up base64url characters
    for (const prefix of ['sk-ant-api03-', 'sk-ant-admin01-', 'sk-ant-oat01-']) {
      const strong = scanSecretContent(`key = "${prefix}${body}AA"\n`, 'a.txt');
      assert.deepEqual(strong.map((h) => [h.kind, h.weak]), [['anthropic-api-key', undefined]], prefix);
      // The body goes on after "AA" (with "-" or "_", both base64url): the weak shape, for review.
      for (const more of ['-USOWFS', '_x9']) {
        const hits = scanSecretContent(`key = "${prefix}${body}AA${more}"\n`, 'a.txt');
        assert.deepEqual(hits.map((h) => [h.kind, h.weak]), [['anthropic-api-key', 'it does not end in "AA" as Anthropic keys do: review']], prefix + more);
      }
    }
  });

  it("GitHub's and npm's checksum: the base62 CRC32 of the random part", () => {
    const random = 'q8ZfT2mKc7WbN4xRd1HvL9pYs3GtJ6';
    const token = `ghp_${random}${toBase62(crc32(random), 6)}`;
    assert.deepEqual(scanSecretContent(token, 'x').map((m) => m.weak), [undefined]);
    const bad = `ghp_${random}${toBase62((crc32(random) + 1) >>> 0, 6)}`;
    assert.match(scanSecretContent(bad, 'x')[0]!.weak!, /checksum/);
    // zlib's reference value
    assert.equal(crc32('123456789'), 0xcbf43926);
  });

  it('placeholders and hosts', () => {
    for (const v of ['xxxxxxxxxxxxxxxx', '<token>', '${TOKEN}', 'your-api-key', 'REDACTED', 'abcdefghijklmnop', '1234567890abcdef', 'changeme', 'EXAMPLEKEY']) assert.ok(isPlaceholder(v), v);
    for (const v of ['k9Tq2Wx7Lm4Rv8Np1Zc6', 'Hs3Jd0Fb5Gy2Ue9Ai7Ko']) assert.ok(!isPlaceholder(v), v);
    for (const h of ['localhost', '127.0.0.1', '[::1]', 'example.com', 'api.example.org', 'db.test', 'x.invalid', 'app.localhost', 'db', 'svc.example']) assert.ok(isLocalOrDocumentationHost(h), h);
    for (const h of ['github.com', 'db.prod.acme-corp.io', '8.8.8.8']) assert.ok(!isLocalOrDocumentationHost(h), h);
  });
});

describe('large files', () => {
  it('scans a large .json in chunks (a key on a chunk boundary is found) and reports a large unknown-kind file not at all', async () => {
    const rng = new Random(3);
    const token = generateToken(rng, TOKEN_KINDS.find((k) => k.kind === 'github-token')!.formats[0]!);
    const filler = (bytes: number): string => {
      const line = '{"id": 1, "name": "a record of a dump, repeated"},\n';
      return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes - (bytes % line.length));
    };
    const before = filler(1024 * 1024 - 10); // the token straddles the first chunk's end
    const json = `[\n${before}{"token": "${token}"},\n${filler(600 * 1024)}{}]\n`;
    const line = json.slice(0, json.indexOf(token)).split('\n').length;
    await withTree({ 'Dockerfile': 'FROM x\nCOPY . /\n', 'data/dump.json': json, 'data/blob.dat': filler(1.5 * 1024 * 1024) }, (root) => {
      const report = checkContext({ dir: root, cwd: root });
      const hits = report.findings.filter((f) => f.file === 'data/dump.json');
      assert.deepEqual(hits.map((f) => [f.severity, f.line]), [['error', line]]);
      assert.deepEqual(report.findings.filter((f) => f.file === 'data/blob.dat'), []);
    });
  });

  it('reports a large file it cannot scan as unscanned (info, with its size), never silently', async () => {
    await withTree({ 'Dockerfile': 'FROM x\nCOPY . /\n', 'session.har': 'x'.repeat(2 * 1024 * 1024) }, (root) => {
      const report = checkContext({ dir: root, cwd: root, maxScanBytes: 1024 });
      // scanned in chunks of the 1 MiB limit: nothing to report in a file of x's
      assert.deepEqual(report.findings.filter((f) => f.file === 'session.har'), []);
    });
    await withTree({ 'Dockerfile': 'FROM x\nCOPY . /\n', 'session.har': 'x' }, async (root) => {
      const { findSecrets } = await import('../src/check/secrets.js');
      const { indexTree } = await import('../src/check/tree.js');
      const entry = { path: 'session.har', type: 'file' as const, size: 5 * 1024 * 1024 };
      const tree = indexTree([entry as never]);
      const findings = findSecrets({ tree, sent: new Set(['session.har']), read: () => ({ skipped: 'too-large' }), display: (p) => p, ignoreFile: null, contextLabel: 'the build context' });
      assert.equal(findings.length, 1);
      assert.equal(findings[0]!.severity, 'info');
      assert.match(findings[0]!.message, /5\.0 MiB\) was not scanned/);
      void root;
    });
  });
});
