/**
 * A random corpus of secrets for the content scanner: fakes in each kind's real format (built
 * from the facts in src/knowledge/secret-content.ts, with real key material from node:crypto for
 * PEM keys), look-alikes that must not be errors, and test keys that must be warnings. Nothing
 * here is a live credential: every value is random, made at run time.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  ALPHABETS,
  crc32,
  toBase62,
  TOKEN_KINDS,
  tokenIsPlaceholder,
  type SecretKind,
  type TokenFormat,
  type TokenKind,
} from '../../src/knowledge/secret-content.js';
import { Random } from './random-cases.js';

/** One planted item: a file, and what the scanner must say about it. */
export interface CorpusItem {
  /** A label for failure messages ("github-token#0", "look-alike: AKIA in a data URI"). */
  label: string;
  path: string;
  content: string;
  /** The kind to find; null for a look-alike. */
  kind: SecretKind | null;
  /** `error` for a live-looking secret, `warning` for a test key or a weak format, `none` for a look-alike. */
  expect: 'error' | 'warning' | 'none';
  /** The secret's value (for checking that no report repeats it). */
  value?: string;
}

const pick = <T>(rng: Random, list: readonly T[]): T => list[rng.int(list.length)]!;

export function randomChars(rng: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[rng.int(alphabet.length)];
  return out;
}

/** A random base64 JSON object, of about `length` characters (`eyJrIjoi…`). */
function base64Json(rng: Random, length: number): string {
  const inner = Math.max(8, Math.floor((length * 3) / 4) - 30);
  const json = `{"k":"${randomChars(rng, ALPHABETS.base62, inner)}","n":"${randomChars(rng, ALPHABETS.lowerAlnum, 6)}","id":${rng.int(99999)}}`;
  return Buffer.from(json).toString('base64').replace(/=+$/, '');
}

/**
 * A token in one format of the table, with random values and a valid checksum. A random value
 * may spell a placeholder (`DUMMY`, `xxxx`, `0000`: the scanner rightly passes over those), or,
 * in a weak shape, end as the strong shape does (Anthropic's "AA"): such a draw is made again.
 */
export function generateToken(rng: Random, format: TokenFormat): string {
  const literals = format.parts.filter((part): part is string => typeof part === 'string');
  for (;;) {
    const token = drawToken(rng, format);
    if (tokenIsPlaceholder(token, literals)) continue;
    if (format.weak?.includes('"AA"') && token.endsWith('AA')) continue;
    return token;
  }
}

function drawToken(rng: Random, format: TokenFormat): string {
  if (format.encodes) {
    const prefix = format.parts[0] as string;
    const part = format.parts[1] as { length: number | readonly [number, number] };
    const [min, max] = typeof part.length === 'number' ? [part.length, part.length] : part.length;
    const head = prefix.slice(0, format.encodes.from);
    for (;;) {
      const body = base64Json(rng, rng.range(min + 10, Math.min(max, min + 200)));
      const token = head + body;
      if (token.startsWith(prefix) && token.length - prefix.length >= min && token.length - prefix.length <= max) return token;
    }
  }
  let token = '';
  for (const part of format.parts) {
    if (typeof part === 'string') token += part;
    else {
      const [min, max] = typeof part.length === 'number' ? [part.length, part.length] : part.length;
      let alphabet: string = ALPHABETS[part.alphabet];
      // Keep base64url bodies from ending in `-`/`_` doubled edges the issuers never produce.
      token += randomChars(rng, alphabet, rng.range(min, Math.min(max, min + 40)));
      alphabet = '';
    }
  }
  if (format.checksum === 'base62-crc32') {
    const underscore = token.indexOf('_');
    const random = token.slice(underscore + 1, -6);
    token = token.slice(0, -6) + toBase62(crc32(random), 6);
  }
  if (format.weak?.includes('base32')) {
    // Make sure the weak AWS shape really has a character outside base32.
    token = token.slice(0, -1) + pick(rng, ['0', '1', '8', '9']);
  }
  return token;
}

/** Ways a token appears in a file, by language. */
const PLACEMENTS: ReadonlyArray<readonly [string, (v: string) => string]> = [
  ['src/settings.py', (v) => `import os\n\nDEBUG = False\nAPI_KEY = "${v}"\n`],
  ['app/config.yaml', (v) => `service:\n  name: api\n  token: ${v}\n`],
  ['deploy/run.sh', (v) => `#!/bin/sh\nset -e\nexport TOKEN=${v}\nexec ./server\n`],
  ['web/src/client.ts', (v) => `export const client = createClient({\n  apiKey: '${v}',\n});\n`],
  ['conf/app.json', (v) => `{\n  "name": "svc",\n  "credentials": {\n    "key": "${v}"\n  }\n}\n`],
  ['cmd/server/main.go', (v) => `package main\n\nconst token = "${v}"\n\nfunc main() {}\n`],
  ['notes.md', (v) => `# Deploy\n\nUse \`${v}\` for the staging account.\n`],
];

const TEST_PLACES: ReadonlyArray<readonly [string, string]> = [
  ['internal/auth/auth_test.go', 'under a *_test.go file'],
  ['pkg/tls/testdata/key.txt', 'testdata/'],
  ['tests/fixtures/creds.yaml', 'tests/fixtures/'],
  ['test/fixtures/client.json', 'test/fixtures/'],
  ['web/src/__tests__/api.ts', '__tests__/'],
  ['web/src/api.spec.ts', '*.spec.*'],
  ['web/src/api.test.ts', '*.test.*'],
  ['fixtures/keys.env.txt', 'fixtures/'],
];

/** base64 wrapped at `width` columns. */
export function wrap(base64: string, width: number): string {
  return base64.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n');
}

/** PEM private keys of every format the table knows, from real key material or the format's magic. */
export function generatePemKeys(rng: Random): Array<readonly [string, string]> {
  const keys: Array<readonly [string, string]> = [];
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  keys.push(['rsa-pkcs1', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string]);
  keys.push(['rsa-pkcs8', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string]);
  keys.push(['rsa-encrypted-pkcs8', rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: randomChars(rng, ALPHABETS.base62, 12) }) as string]);
  keys.push(['rsa-legacy-encrypted', rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: randomChars(rng, ALPHABETS.base62, 12) }) as string]);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  keys.push(['ec-sec1', ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string]);
  keys.push(['ec-pkcs8', ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string]);
  keys.push(['ed25519-pkcs8', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string]);
  keys.push(['x25519-pkcs8', generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string]);
  const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
  keys.push(['dsa-pkcs8', dsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string]);
  // OpenSSH: the magic, then the (here random) rest of the structure, wrapped at 70.
  const openssh = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), Buffer.from(randomChars(rng, ALPHABETS.base62, 360))]);
  keys.push(['openssh', `-----BEGIN OPENSSH PRIVATE KEY-----\n${wrap(openssh.toString('base64'), 70)}\n-----END OPENSSH PRIVATE KEY-----\n`]);
  // OpenPGP: a new-format secret-key packet (tag 5).
  const pgp = Buffer.concat([Buffer.from([0xc5, 0xc1]), Buffer.from(randomChars(rng, ALPHABETS.base64, 600))]);
  keys.push(['pgp', `-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: test\n\n${wrap(pgp.toString('base64'), 64)}\n=${randomChars(rng, ALPHABETS.base62, 4)}\n-----END PGP PRIVATE KEY BLOCK-----\n`]);
  return keys;
}

function puttyKey(rng: Random): string {
  return [
    'PuTTY-User-Key-File-3: ssh-ed25519',
    'Encryption: none',
    'Comment: eddsa-key-20240101',
    'Public-Lines: 2',
    wrap(randomChars(rng, ALPHABETS.base64, 68), 64),
    'Private-Lines: 1',
    randomChars(rng, ALPHABETS.base64, 44),
    `Private-MAC: ${randomChars(rng, ALPHABETS.hex, 64)}`,
    '',
  ].join('\n');
}

/** One corpus: every fake, look-alike and test key. */
export function generateCorpus(seed: number): CorpusItem[] {
  const rng = new Random(seed);
  const items: CorpusItem[] = [];
  let n = 0;
  const unique = (path: string): string => {
    const dot = path.lastIndexOf('.');
    const slash = path.lastIndexOf('/');
    n++;
    return dot > slash + 1 ? `${path.slice(0, dot)}${n}${path.slice(dot)}` : `${path}${n}`;
  };

  // Tokens, one per format.
  for (const kind of TOKEN_KINDS) {
    kind.formats.forEach((format, i) => {
      const value = generateToken(rng, format);
      const [path, render] = pick(rng, PLACEMENTS);
      items.push({ label: `${kind.kind}#${i}`, path: unique(path), content: render(value), kind: kind.kind, expect: format.weak ? 'warning' : 'error', value });
    });
  }

  // PEM keys, in files and in the forms code and configuration hold them.
  for (const [name, pem] of generatePemKeys(rng)) {
    const forms: ReadonlyArray<readonly [string, string]> = [
      ['keys/signing.txt', `notes\n${pem}`],
      ['deploy/values.yaml', `tls:\n  key: |\n${pem.split('\n').map((l) => `    ${l}`).join('\n')}\n`],
      ['config/key.json', JSON.stringify({ key: pem }, null, 2)],
    ];
    const [path, content] = pick(rng, forms);
    const body = pem.split('\n')[1]!;
    items.push({ label: `private-key ${name}`, path: unique(path), content, kind: 'private-key', expect: 'error', value: body });
  }
  items.push({ label: 'private-key putty', path: unique('deploy/server.ppk'), content: puttyKey(rng), kind: 'private-key', expect: 'error' });

  // Structured kinds.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  items.push({
    label: 'gcp-service-account-key',
    path: unique('gcp/sa.json'),
    content: JSON.stringify({ type: 'service_account', project_id: 'demo-1', private_key_id: randomChars(rng, ALPHABETS.hex, 40), private_key: rsa, client_email: 'ci@demo-1.iam.gserviceaccount.com' }, null, 2),
    kind: 'gcp-service-account-key',
    expect: 'error',
    value: rsa.split('\n')[1]!,
  });
  const awsSecret = randomChars(rng, ALPHABETS.base64, 40);
  items.push({ label: 'aws-secret-access-key', path: unique('infra/aws.ini'), content: `[default]\naws_access_key_id = ${generateToken(rng, TOKEN_KINDS[0]!.formats[0]!)}\naws_secret_access_key = ${awsSecret}\n`, kind: 'aws-secret-access-key', expect: 'error', value: awsSecret });
  const twilioToken = randomChars(rng, ALPHABETS.hex, 32);
  items.push({ label: 'twilio auth token', path: unique('app/twilio.env.txt'), content: `TWILIO_ACCOUNT_SID=AC${randomChars(rng, ALPHABETS.hex, 32)}\nTWILIO_AUTH_TOKEN=${twilioToken}\n`, kind: 'twilio-api-key', expect: 'error', value: twilioToken });
  const kubeToken = randomChars(rng, ALPHABETS.base64url, 40);
  items.push({
    label: 'kubeconfig-credentials',
    path: unique('deploy/cluster.yaml'),
    content: `apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://k8s.acme-corp.io\nusers:\n- name: ci\n  user:\n    token: ${kubeToken}\n    client-key-data: ${Buffer.from(rsa).toString('base64')}\n`,
    kind: 'kubeconfig-credentials',
    expect: 'error',
    value: kubeToken,
  });
  const registryPassword = randomChars(rng, ALPHABETS.base62, 24);
  items.push({
    label: 'docker-registry-auth',
    path: unique('ci/docker/config.json').replace(/config\d+\.json$/, `d${n}/config.json`),
    content: JSON.stringify({ auths: { 'registry.acme-corp.io': { auth: Buffer.from(`deploy:${registryPassword}`).toString('base64') } } }, null, 2),
    kind: 'docker-registry-auth',
    expect: 'error',
    value: registryPassword,
  });
  const gitToken = randomChars(rng, ALPHABETS.base62, 32);
  items.push({ label: 'git-remote-credentials', path: `.git/config`, content: `[core]\n\tbare = false\n[remote "origin"]\n\turl = https://ci-bot:${gitToken}@git.acme-corp.io/team/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`, kind: 'git-remote-credentials', expect: 'error', value: gitToken });
  const npmToken = randomChars(rng, ALPHABETS.base64url, 36);
  items.push({ label: 'npmrc-auth', path: unique('frontend/.npmrc').replace(/\.npmrc\d+$/, '.npmrc'), content: `registry=https://npm.acme-corp.io/\n//npm.acme-corp.io/:_authToken=${npmToken}\n`, kind: 'npmrc-auth', expect: 'error', value: npmToken });
  for (const [scheme, host, rest] of [['https', 'api.acme-corp.io', '/v1'], ['postgres', 'db.prod.acme-corp.io:5432', '/app'], ['amqp', 'mq.acme-corp.io', '/']] as const) {
    const password = randomChars(rng, ALPHABETS.base62, 20);
    items.push({ label: `url-credentials ${scheme}`, path: unique('src/db.py'), content: `URL = "${scheme}://svc:${password}@${host}${rest}"\n`, kind: 'url-credentials', expect: 'error', value: password });
  }
  const localPassword = randomChars(rng, ALPHABETS.base62, 16);
  items.push({ label: 'url-credentials on localhost', path: unique('src/dev.py'), content: `DB = "postgres://app:${localPassword}@localhost:5432/app"\n`, kind: 'url-credentials', expect: 'warning', value: localPassword });

  // Look-alikes: the table's own, and the classic traps.
  for (const kind of TOKEN_KINDS) {
    items.push({ label: `look-alike ${kind.kind}: ${kind.lookAlike.slice(0, 24)}`, path: unique('docs/sample.md'), content: `Example:\n\n    ${kind.lookAlike}\n`, kind: null, expect: 'none' });
  }
  const lookAlikes: Array<[string, string, string]> = [];
  const ghp = generateToken(rng, TOKEN_KINDS.find((k) => k.kind === 'github-token')!.formats[0]!);
  lookAlikes.push(['token one character short', 'src/a.py', `T = "${ghp.slice(0, -1)}"\n`]);
  lookAlikes.push(['token glued to a word', 'src/b.py', `T = "x${ghp}"\n`]);
  lookAlikes.push(['token of one repeated character', 'src/c.py', `T = "ghp_${'a'.repeat(36)}"\n`]);
  lookAlikes.push(['token placeholder <…>', 'src/d.py', `T = "<your-github-token>"\nU = "ghp_<token>"\n`]);
  lookAlikes.push(['token ${…}', 'src/e.sh', 'export GITHUB_TOKEN=${GITHUB_TOKEN}\nexport X=ghp_${SUFFIX}\n']);
  const aws = generateToken(rng, TOKEN_KINDS[0]!.formats[0]!);
  const blob = (inner: string): string => randomChars(rng, ALPHABETS.base64, 300) + inner + randomChars(rng, ALPHABETS.base64, 300);
  lookAlikes.push(['AKIA in a data URI', 'web/logo.html', `<img src="data:image/png;base64,${blob(aws)}">\n`]);
  lookAlikes.push(['AKIA in an integrity hash', 'package-lock.json', `{\n  "integrity": "sha512-${aws}${randomChars(rng, ALPHABETS.base64, 66)}=="\n}\n`]);
  lookAlikes.push(['AKIA at the start of a wrapped base64 blob line', 'assets/blob.b64', wrap(blob(''), 76).split('\n').map((l, i) => (i === 3 ? aws + l.slice(20) : l)).join('\n') + '\n']);
  lookAlikes.push(['AKIA in a base64 wasm blob', 'web/wasm.js', `const wasm = "AGFzbQEAAAAB${randomChars(rng, ALPHABETS.base64, 200)}${aws}${randomChars(rng, ALPHABETS.base64, 200)}";\n`]);
  lookAlikes.push(['PEM header alone', 'web/form.html', '<textarea placeholder="-----BEGIN PRIVATE KEY-----"></textarea>\n']);
  lookAlikes.push(['PEM with a sample body', 'docs/keys.md', '```\n-----BEGIN PRIVATE KEY-----\nYour private key here\n-----END PRIVATE KEY-----\n```\n']);
  lookAlikes.push(['PEM with an ellipsis body', 'docs/ssh.md', '-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n']);
  lookAlikes.push(['PEM constant in code', 'src/pem.go', 'const pemHeader = "-----BEGIN RSA PRIVATE KEY-----"\nconst pemFooter = "-----END RSA PRIVATE KEY-----"\n']);
  lookAlikes.push(['PEM with random base64 (no DER structure)', 'src/bad.pem.txt', `-----BEGIN RSA PRIVATE KEY-----\n${wrap('Q' + randomChars(rng, ALPHABETS.base64, 400), 64)}\n-----END RSA PRIVATE KEY-----\n`]);
  lookAlikes.push(['service account with "..." key', 'gcp/sample.json', '{\n  "type": "service_account",\n  "private_key": "...",\n  "client_email": "x@p.iam.gserviceaccount.com"\n}\n']);
  lookAlikes.push(['service account with a header-only key', 'gcp/sample2.json', '{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n"\n}\n']);
  lookAlikes.push(['URL with a placeholder password', 'README.md', 'Connect with `postgres://user:password@db.acme-corp.io/app` or https://USER:${TOKEN}@host.io/ and REDACTED:REDACTED@\nhttps://user:<password>@example.org/\n']);
  lookAlikes.push(['URL on a documentation host', 'docs/url.md', `See https://alice:${randomChars(rng, ALPHABETS.base62, 16)}@example.com/path\n`]);
  lookAlikes.push(['AWS documented example', 'docs/aws.md', 'AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n']);
  lookAlikes.push(['GitHub token with a bad checksum', 'src/f.py', `T = "${ghp.slice(0, -6)}${ghp.slice(-6).split('').reverse().join('')}"\n`]);
  lookAlikes.push(['npmrc with a variable', '.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n']);
  lookAlikes.push(['kubeconfig without values', 'k8s/kubeconfig.yaml', 'apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    token: ""\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==\n']);
  for (const [label, path, content] of lookAlikes) items.push({ label: `look-alike ${label}`, path: unique(path), content, kind: null, expect: 'none' });

  // Test keys: real formats in test locations.
  const testKinds = TOKEN_KINDS.filter((k) => ['github-token', 'aws-access-key-id', 'openai-api-key', 'stripe-live-key', 'slack-token'].includes(k.kind));
  const pems = generatePemKeys(rng);
  for (const [path, why] of TEST_PLACES) {
    if (rng.chance(0.5)) {
      const kind = pick(rng, testKinds);
      const value = generateToken(rng, kind.formats[0]!);
      items.push({ label: `test key ${kind.kind} in ${why}`, path, content: `token := "${value}"\n`, kind: kind.kind, expect: 'warning', value });
    } else {
      const [name, pem] = pick(rng, pems);
      items.push({ label: `test key ${name} in ${why}`, path, content: pem, kind: 'private-key', expect: 'warning', value: pem.split('\n')[1]! });
    }
  }
  return items;
}

/** The token kinds of the table (for counting what a corpus covers). */
export const ALL_TOKEN_KINDS: readonly TokenKind[] = TOKEN_KINDS;
