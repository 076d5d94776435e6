import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkContext, type Finding } from '../src/index.js';
import { scanSecretContent, looksBinary, TOKEN_KINDS } from '../src/knowledge/secret-content.js';
import { Random } from './support/random-cases.js';
import { generatePemKeys, generateToken } from './support/secret-corpus.js';
import { withTree, type TreeSpec } from './support/tree.js';

// Fake credentials, assembled at run time so that this file holds no string a secret scanner
// (ours or a code host's) would take for a real one. None of them is valid anywhere. Keys are
// real key material made for the test; tokens are random and carry their format's checksum.
const rng = new Random(42);
const PEMS = new Map(generatePemKeys(rng));
const PEM = `${PEMS.get('rsa-pkcs1')!}`;
const OPENSSH = PEMS.get('openssh')!;
const AWS_ID = 'AKIA' + 'Q3EGRT5YB2QW7ZUM'.replace(/[0189]/g, 'Z');
const AWS_SECRET = 'k9Tq2W' + 'x7Lm4Rv8Np1Zc6Hs3Jd0Fb5Gy2Ue9Ai7Ko';
const GITHUB = generateToken(rng, TOKEN_KINDS.find((k) => k.kind === 'github-token')!.formats[0]!);
const GITLAB = 'glpat-' + 'x1Y2z3A4b5C6d7E8f9G0';
const NPM = generateToken(rng, TOKEN_KINDS.find((k) => k.kind === 'npm-token')!.formats[0]!);
const SLACK = 'xoxb-' + '380574921633-4918027365240-' + 'Qm7ZkT2pWc9XvLr4Nd8HsY3b';
const ALL_SECRETS = [PEM, OPENSSH, AWS_ID, AWS_SECRET, GITHUB, GITLAB, NPM, SLACK];

const SERVICE_ACCOUNT = JSON.stringify(
  {
    type: 'service_' + 'account',
    project_id: 'demo',
    private_key_id: 'abc',
    private_key: PEMS.get('rsa-pkcs8')!,
    client_email: 'x@demo.iam.gserviceaccount.com',
  },
  null,
  2,
);
const KUBECONFIG = [
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- name: c',
  '  cluster:',
  '    server: https://k8s.example',
  'users:',
  '- name: admin',
  '  user:',
  '    client-certificate-data: LS0tLS1CRUdJTi',
  `    client-key-data: ${Buffer.from(PEMS.get('ec-sec1')!).toString('base64')}`,
  '',
].join('\n');

function check(spec: TreeSpec) {
  return withTree(spec, (root) => checkContext({ dir: root, cwd: root }));
}

const secretFindings = (findings: readonly Finding[]) => findings.filter((f) => f.rule === 'secret-file' || f.rule === 'secret-content');
const summary = (findings: readonly Finding[]) => secretFindings(findings).map((f) => `${f.rule} ${f.file}:${f.line}`).sort();

describe('secret-content scanner (pure)', () => {
  it('finds each kind with its line, and only its kind', () => {
    const cases: Array<[string, string, string, number]> = [
      ['key.txt', `intro\n${PEM}`, 'private-key', 2],
      ['id', OPENSSH, 'private-key', 1],
      ['settings.py', `REGION = "eu"\nAWS_ACCESS_KEY_ID = "${AWS_ID}"\n`, 'aws-access-key-id', 2],
      ['credentials', `[default]\naws_secret_access_key = ${AWS_SECRET}\n`, 'aws-secret-access-key', 2],
      ['ci.yml', `env:\n  TOKEN: ${GITHUB}\n`, 'github-token', 2],
      ['ci.yml', `token=${GITLAB}`, 'gitlab-token', 1],
      ['script.sh', `export NPM=${NPM}`, 'npm-token', 1],
      ['bot.js', `\n\nconst t = '${SLACK}';`, 'slack-token', 3],
      ['.npmrc', `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=abc123def456\n`, 'npmrc-auth', 2],
      ['sa.json', SERVICE_ACCOUNT, 'gcp-service-account-key', 5],
      ['kubeconfig', KUBECONFIG, 'kubeconfig-credentials', 11],
      ['config', '[remote "origin"]\n\turl = https://bot:Tq8vZ2mW4kLx@github.com/o/r.git\n', 'git-remote-credentials', 2],
    ];
    for (const [name, text, kind, line] of cases) {
      const found = scanSecretContent(text, name);
      assert.deepEqual(found.map((m) => [m.kind, m.line]), [[kind, line]], `${name}: ${kind}`);
    }
  });

  it('ignores decoys: public material, placeholders, variable references, documented examples', () => {
    const decoys: Array<[string, string]> = [
      ['cert.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
      ['key.pub', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n'],
      ['README.md', 'Put your key in a file starting with "BEGIN PRIVATE KEY" (see docs).'],
      ['.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nalways-auth=true\n'],
      ['docs.md', 'AWS documents AKIAIOSFODNN7EXAMPLE as an example access key id.'],
      ['aws.md', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
      ['kubeconfig', KUBECONFIG.replace(/client-key-data: .*/, 'client-key-data: ""')],
      ['short.txt', 'ghp_tooShort and npm_install and xoxb-'],
      ['config', '[remote "origin"]\n\turl = https://github.com/o/r.git\n\turl = ssh://git@host/r\n'],
    ];
    for (const [name, text] of decoys) assert.deepEqual(scanSecretContent(text, name), [], name);
  });

  it('treats a NUL in the first kilobytes as binary', () => {
    assert.equal(looksBinary(Buffer.from('abc\0def')), true);
    assert.equal(looksBinary(Buffer.from(PEM)), false);
  });
});

describe('check: secrets in the context', () => {
  it('reports secrets planted by name and by content, as errors, and not the decoys', async () => {
    const report = await check({
      'Dockerfile': 'FROM node:20\nCOPY . /app\n',
      '.dockerignore': 'node_modules\n',
      // by name
      '.env': 'DB_PASSWORD=hunter2\n',
      'services/api/.env.production': 'API_TOKEN=Zk39vLq2Xw8T\n',
      '.git-credentials': 'https://user:pw@example.com\n',
      'infra/terraform.tfstate': '{}',
      'deploy/kubeconfig': 'apiVersion: v1\nkind: Config\n',
      '.aws/credentials': '[default]\n',
      '.aws/config': '[default]\n',
      'keys/id_ed25519': 'opaque',
      // by content (names that say nothing)
      'config/signing.txt': `notes\n${PEM}`,
      'src/settings.py': `DEBUG = False\nAWS_KEY = "${AWS_ID}"\n`,
      '.github/workflows/ci.yml': `steps: []\n# token ${GITHUB}\n`,
      'frontend/.npmrc': `//registry.npmjs.org/:_authToken=${NPM}\n`,
      'gcp/sa.json': SERVICE_ACCOUNT,
      // decoys
      '.env.example': 'DB_PASSWORD=\n',
      'certs/ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      'keys/server.key': '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n',
      '.npmrc': '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n',
      'docs/aws.md': 'Example: AKIAIOSFODNN7EXAMPLE\n',
      'src/app.js': 'const token = process.env.GITHUB_TOKEN;\n',
      // excluded, so not in the context
      'node_modules/pkg/.env': 'X=1\n',
    });
    assert.deepEqual(summary(report.findings), [
      'secret-content .github/workflows/ci.yml:2',
      'secret-content config/signing.txt:2',
      'secret-content frontend/.npmrc:1',
      'secret-content frontend/.npmrc:1',
      'secret-content gcp/sa.json:5',
      'secret-content src/settings.py:2',
      'secret-file .aws:0',
      'secret-file .env:0',
      'secret-file .git-credentials:0',
      'secret-file deploy/kubeconfig:0',
      'secret-file infra/terraform.tfstate:0',
      'secret-file keys/id_ed25519:0',
      'secret-file services/api/.env.production:0',
    ]);
    assert.ok(secretFindings(report.findings).every((f) => f.severity === 'error'));
    const npmrc = secretFindings(report.findings).filter((f) => f.file === 'frontend/.npmrc').map((f) => f.message);
    assert.ok(npmrc.some((m) => m.includes('npm access token')) && npmrc.some((m) => m.includes('_authToken')));
    const aws = secretFindings(report.findings).find((f) => f.file === '.aws')!;
    assert.deepEqual(aws.paths, ['.aws/config', '.aws/credentials']);
    // The report never repeats a secret.
    const text = JSON.stringify(report);
    for (const secret of ALL_SECRETS) assert.ok(!text.includes(secret.trim().split('\n')[1] ?? secret), 'secret leaked');
    for (const secret of [AWS_ID, GITHUB, NPM, 'hunter2']) assert.ok(!text.includes(secret), `leaked ${secret.slice(0, 4)}`);
  });

  it('only counts what BuildKit transfers for this Dockerfile (the effective context)', async () => {
    const report = await check({
      'Dockerfile': 'FROM python:3.12\nCOPY app/ /app\nCOPY requirements.txt /\n',
      'requirements.txt': 'flask\n',
      'app/main.py': 'print()\n',
      'app/.env': 'SECRET=1\n',
      '.env': 'SECRET=2\n',
      'scripts/deploy_key': PEM,
    });
    assert.deepEqual(summary(report.findings), ['secret-file app/.env:0']);
    assert.match(secretFindings(report.findings)[0]!.message, /the context BuildKit transfers for this Dockerfile/);
  });

  it('does not search installed dependencies (their test keys are not the project\'s), but does search .git', async () => {
    const report = await check({
      'Dockerfile': 'FROM node:20\nCOPY . /app\n',
      'node_modules/some-tls-lib/test/fixtures/server.key': PEM,
      'node_modules/some-lib/.env': 'X=1\n',
      'web/node_modules/x/id_rsa': OPENSSH,
      '.venv/lib/site-packages/pkg/tests/key.pem': PEM,
      '.git/config': `[core]\n\tbare = false\n[remote "origin"]\n\turl = https://ci:Tq8vZ2mW4kLxR7@git.acme-corp.io/a/b\n`,
      '.git/HEAD': 'ref: refs/heads/main\n',
      'src/server.key': PEM,
    });
    assert.deepEqual(summary(report.findings), ['secret-content .git/config:4', 'secret-content src/server.key:1']);
    assert.ok(!JSON.stringify(report).includes("Tq8vZ2mW4kLxR7"));
  });

  it('says how to pass a secret the Dockerfile copies on purpose', async () => {
    const report = await check({
      'Dockerfile': 'FROM node:20\nCOPY .npmrc package.json ./\nRUN npm ci\n',
      'package.json': '{}',
      '.npmrc': `//registry.npmjs.org/:_authToken=q7Zk2Wm9Xc4Tv8Lp\n`,
    });
    const finding = secretFindings(report.findings)[0]!;
    assert.equal(finding.rule, 'secret-content');
    assert.match(finding.fix, /RUN --mount=type=secret/);
    assert.match(finding.fix, /rotate/);
  });

  it('checks the classic builder\'s whole context with --builder classic', async () => {
    await withTree(
      { 'Dockerfile': 'FROM x\nCOPY app /app\n', 'app/a': 'a', '.env': 'A=1\n' },
      (root) => {
        assert.deepEqual(summary(checkContext({ dir: root, cwd: root }).findings), []);
        assert.deepEqual(summary(checkContext({ dir: root, cwd: root, builder: 'classic' }).findings), ['secret-file .env:0']);
      },
    );
  });
});

describe('issue 12, class 5: secrets by pattern alone are not errors', () => {
  it('leaves placeholders, sample bodies and base64 blobs alone, warns on test fixtures, and never proposes excluding a COPY source', async () => {
    const aws = 'AKIA' + 'QZ3T5XB2VW7YK4PD';
    const pemFixture = PEMS.get('ec-pkcs8')!;
    const report = await check({
      'Dockerfile': 'FROM golang:1.22\nCOPY . /src\nCOPY config/app.go /etc/app.go\nRUN go build ./...\n',
      'web/index.html': '<textarea placeholder="-----BEGIN PRIVATE KEY-----"></textarea>\n',
      'docs/keys.md': '-----BEGIN PRIVATE KEY----- Your private key here\n',
      'web/wasm.js': `const wasm = "AGFzbQEAAAAB${'Qm9vdHN0cmFw'.repeat(20)}${aws}${'c3RhcnQ'.repeat(30)}";\n`,
      'internal/tls/tls_test.go': `package tls\n\nconst key = \`${pemFixture}\`\n`,
      'pkg/x/testdata/server.key': pemFixture,
      'config/app.go': `package config\n\nconst key = \`${PEM}\`\n`,
    });
    const secrets = secretFindings(report.findings);
    assert.deepEqual(
      secrets.map((f) => `${f.severity} ${f.file}`).sort(),
      ['error config/app.go', 'warning internal/tls/tls_test.go', 'warning pkg/x/testdata/server.key'],
    );
    const fixture = secrets.find((f) => f.file === 'pkg/x/testdata/server.key')!;
    assert.match(fixture.message, /under pkg\/x\/testdata\/: likely a test key; it still ships in the image/);
    assert.doesNotMatch(fixture.fix, /rotate/);
    // config/app.go is a COPY source: move the key out, never exclude the file.
    const used = secrets.find((f) => f.file === 'config/app.go')!;
    assert.match(used.fix, /do not exclude it: move the key out of it and pass it with RUN --mount=type=secret/);
    assert.doesNotMatch(used.fix, /add "/);
  });

  it('a key inside a source file sent by COPY . . is to be moved out, not the file excluded', async () => {
    const report = await check({ 'Dockerfile': 'FROM python:3.12\nCOPY . /app\n', 'app/settings.py': `KEY = """${PEM}"""\n` });
    const finding = secretFindings(report.findings)[0]!;
    assert.equal(finding.severity, 'error');
    assert.match(finding.fix, /^move the key out of app\/settings.py/);
    assert.match(finding.fix, /rotate/);
  });
});

describe('env files: the content decides between a secret and a template', () => {
  it('is an error with a credential, info for a template of placeholders and defaults', async () => {
    const report = await check({
      'Dockerfile': 'FROM node:20\nCOPY . /app\n',
      '.env': 'DOMAIN=localhost\nSECRET_KEY=changethis\nPOSTGRES_PASSWORD=changethis\nSMTP_PASSWORD=\nSENTRY_DSN=\nAPI_TOKEN=${API_TOKEN}\n',
      'api/.env': 'DEBUG=true\nDATABASE_URL=postgres://app:postgres@db:5432/app\nSTRIPE_SECRET=Zk39vLq2Xw8TmR4p\n',
    });
    const env = secretFindings(report.findings).map((f) => `${f.severity} ${f.file}`).sort();
    assert.deepEqual(env, ['error api/.env', 'info .env']);
    const error = secretFindings(report.findings).find((f) => f.file === 'api/.env')!;
    assert.match(error.evidence!, /STRIPE_SECRET on line 3 holds a value that is not a placeholder/);
    assert.ok(!JSON.stringify(report).includes('Zk39vLq2Xw8TmR4p'));
  });
});

describe('keys in third-party and test-named files', () => {
  it('are warnings with the reason; the same key in the project\'s own source is an error', async () => {
    const goKey = (name: string) => `package p\n\nvar ${name} = []byte(\`${PEM}\`)\n`;
    const report = await check({
      Dockerfile: 'FROM scratch\nCOPY . /\n',
      'vendor/github.com/acme/pkcs/verify_test_dsa.go': goKey('dsaKey'),
      'third_party/lib/signer.go': goKey('k'),
      'internal/keys_test_data.go': goKey('k'),
      'src/test_keys.rs': `const K: &str = r"${PEM}";\n`,
      'internal/signer.go': goKey('k'),
    });
    const found = new Map(report.findings.filter((f) => f.rule === 'secret-content').map((f) => [f.file, f]));
    assert.equal(found.get('internal/signer.go')?.severity, 'error');
    for (const file of ['vendor/github.com/acme/pkcs/verify_test_dsa.go', 'third_party/lib/signer.go', 'internal/keys_test_data.go', 'src/test_keys.rs']) {
      const f = found.get(file);
      assert.equal(f?.severity, 'warning', file);
      assert.match(f!.message, /third-party code|in a test file/);
    }
    assert.match(found.get('third_party/lib/signer.go')!.message, /under third_party\/ \(third-party code\): likely a test key/);
  });
});

describe('public settings and short URL passwords', () => {
  it('an env file of public keys is not a credential; a secret beside them still is', async () => {
    const publicOnly = await check({
      Dockerfile: 'FROM scratch\nCOPY . /\n',
      '.env.production': "VITE_APP_EXPORT_PUBLIC_KEY='MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApQ0jM9Qz8Td'\nNEXT_PUBLIC_API_KEY=AIzaSyB3kq9Xw8TmR4pZk39vLq2\nSTRIPE_PUBLISHABLE_KEY=pk_live_51Hx9Zk39vLq2Xw8TmR4p\n",
    });
    assert.ok(!publicOnly.findings.some((f) => f.severity === 'error'), JSON.stringify(publicOnly.findings.map((f) => f.message)));
    const withSecret = await check({
      Dockerfile: 'FROM scratch\nCOPY . /\n',
      '.env.production': "VITE_APP_EXPORT_PUBLIC_KEY='MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApQ0jM9Qz8Td'\nSTRIPE_SECRET=Zk39vLq2Xw8TmR4p\n",
    });
    assert.ok(withSecret.findings.some((f) => f.severity === 'error' && f.file === '.env.production'));
  });

  it('a URL password of a few letters is a warning; a long one to a real host is an error', async () => {
    const report = await check({
      Dockerfile: 'FROM scratch\nCOPY . /\n',
      'src/sample.rs': 'let u = "https://x-access-token:tok@github.com/org/repo.git";\n',
      'src/deploy.rs': 'let u = "https://deploy:Zk39vLq2Xw8TmR4pQ@github.com/org/repo.git";\n',
    });
    const byFile = new Map(report.findings.filter((f) => f.rule === 'secret-content').map((f) => [f.file, f]));
    assert.equal(byFile.get('src/sample.rs')?.severity, 'warning');
    assert.match(byFile.get('src/sample.rs')!.message, /3 characters: likely a sample/);
    assert.equal(byFile.get('src/deploy.rs')?.severity, 'error');
  });
});
