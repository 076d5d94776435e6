/**
 * Secrets recognised by their content: private keys and the tokens whose format is distinctive
 * enough to tell them from ordinary text. The scanner is pure (text in, matches out) and never
 * returns the secret itself, only its kind and line, so that a report cannot leak it again.
 *
 * Formats are those the issuers document: PEM armour (RFC 7468), AWS access key ids (a four-letter
 * prefix and 16 upper-case letters or digits) with their 40-character secret keys, GitHub tokens
 * (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), GitLab personal tokens (`glpat-`), npm
 * tokens (`npm_`), Slack tokens (`xox?-`) and webhooks, Stripe live keys, Google service-account
 * key files, kubeconfig credentials, `.npmrc` auth settings, Docker's `config.json` auths and
 * credentials in Git remote URLs.
 */

/** What kind of secret a match is. */
export type SecretKind =
  | 'private-key'
  | 'aws-access-key-id'
  | 'aws-secret-access-key'
  | 'github-token'
  | 'gitlab-token'
  | 'npm-token'
  | 'npmrc-auth'
  | 'slack-token'
  | 'slack-webhook'
  | 'stripe-live-key'
  | 'gcp-service-account-key'
  | 'kubeconfig-credentials'
  | 'docker-registry-auth'
  | 'git-remote-credentials';

/** One secret found in a file. Carries no part of the secret's value. */
export interface SecretMatch {
  kind: SecretKind;
  /** 1-based line of the match. */
  line: number;
  /** A short human description of the kind ("a PEM private key"). */
  description: string;
}

/** Files larger than this are not scanned (keys and config files are small). */
export const SECRET_SCAN_MAX_BYTES = 1024 * 1024;

/** How much of a file's start is examined for NUL bytes to decide that it is binary. */
const BINARY_PROBE_BYTES = 8000;

export const SECRET_DESCRIPTIONS: Record<SecretKind, string> = {
  'private-key': 'a PEM private key',
  'aws-access-key-id': 'an AWS access key id',
  'aws-secret-access-key': 'an AWS secret access key',
  'github-token': 'a GitHub token',
  'gitlab-token': 'a GitLab personal access token',
  'npm-token': 'an npm access token',
  'npmrc-auth': 'an npm registry credential (_authToken, _auth or _password)',
  'slack-token': 'a Slack token',
  'slack-webhook': 'a Slack webhook URL',
  'stripe-live-key': 'a Stripe live secret key',
  'gcp-service-account-key': 'a Google Cloud service-account key',
  'kubeconfig-credentials': 'Kubernetes client credentials (a client key, token or password)',
  'docker-registry-auth': 'Docker registry credentials',
  'git-remote-credentials': 'a password or token in a Git remote URL',
};

interface TokenPattern {
  kind: SecretKind;
  regexp: RegExp;
  /** Cheap substring test before the regexp runs. */
  hint: string;
  /** Documented placeholders are not secrets. */
  placeholder?: (match: string) => boolean;
}

const isExample = (value: string): boolean => /EXAMPLE/i.test(value);

// PEM armour for private keys only: certificates and public keys are not secrets.
const PEM_PRIVATE = /-----BEGIN ((?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP|SSH2|ANY) )?PRIVATE KEY( BLOCK)?-----/g;

const TOKENS: readonly TokenPattern[] = [
  { kind: 'aws-access-key-id', hint: 'A', regexp: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|ANPA|AIPA)[A-Z0-9]{16}(?![A-Z0-9])/g, placeholder: isExample },
  {
    kind: 'aws-secret-access-key',
    hint: 'ecret',
    regexp: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
    placeholder: isExample,
  },
  { kind: 'github-token', hint: 'gh', regexp: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9_])/g },
  { kind: 'github-token', hint: 'github_pat_', regexp: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{50,255}/g },
  { kind: 'gitlab-token', hint: 'glpat-', regexp: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/g },
  { kind: 'npm-token', hint: 'npm_', regexp: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g },
  { kind: 'slack-token', hint: 'xox', regexp: /(?<![A-Za-z0-9])xox[abposr]-(?:[0-9]+-){1,3}[A-Za-z0-9-]{8,}/g },
  { kind: 'slack-webhook', hint: 'hooks.slack.com', regexp: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/g },
  { kind: 'stripe-live-key', hint: '_live_', regexp: /(?<![A-Za-z0-9_])[sr]k_live_[A-Za-z0-9]{20,}/g },
];

/** `_authToken=`, `_auth=`, `_password=` in npm configuration, unless the value is a `${VAR}` reference. */
const NPMRC_AUTH = /^\s*(?:\/\/[^\s=]*:)?(?:_authToken|_auth|_password)\s*=\s*(\S.*)$/;
/** Yarn Berry's `.yarnrc.yml`. */
const YARNRC_AUTH = /^\s*npmAuth(?:Token|Ident)\s*:\s*["']?([^"'\s#]+)/;

function isReference(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  return v === '' || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v);
}

/** Line starts of a text, for turning offsets into 1-based line numbers. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** True when the bytes look binary (a NUL in the first few kilobytes): such files are not scanned. */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, BINARY_PROBE_BYTES);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/**
 * Find secrets in a file's text. `name` is the file's base name (it decides which configuration
 * formats apply: `.npmrc`, `.yarnrc.yml`, kubeconfig, Docker's `config.json`). Every match is
 * reported once per kind and line, in line order.
 */
export function scanSecretContent(text: string, name: string): SecretMatch[] {
  const found = new Map<string, SecretMatch>();
  let starts: number[] | null = null;
  const add = (kind: SecretKind, offsetOrLine: { offset: number } | { line: number }): void => {
    let line: number;
    if ('line' in offsetOrLine) line = offsetOrLine.line;
    else {
      starts ??= lineStarts(text);
      line = lineAt(starts, offsetOrLine.offset);
    }
    const key = `${line}:${kind}`;
    if (!found.has(key)) found.set(key, { kind, line, description: SECRET_DESCRIPTIONS[kind] });
  };

  // A service-account key file embeds a PEM key: report it once, as what it is.
  const serviceAccount = /"type"\s*:\s*"service_account"/.test(text) && /"private_key"\s*:\s*"-----BEGIN/.test(text);
  if (serviceAccount) {
    const at = text.search(/"private_key"\s*:/);
    add('gcp-service-account-key', { offset: at });
  }

  if (!serviceAccount && text.includes('PRIVATE KEY')) {
    for (const m of text.matchAll(PEM_PRIVATE)) add('private-key', { offset: m.index });
  }

  for (const token of TOKENS) {
    if (!text.includes(token.hint) && !(token.regexp.flags.includes('i') && text.toLowerCase().includes(token.hint))) continue;
    for (const m of text.matchAll(token.regexp)) {
      if (token.placeholder?.(m[0])) continue;
      add(token.kind, { offset: m.index });
    }
  }

  const lower = name.toLowerCase();
  if (lower === '.npmrc' || lower === 'npmrc') {
    text.split('\n').forEach((line, i) => {
      const m = NPMRC_AUTH.exec(line);
      if (m && !isReference(m[1]!)) add('npmrc-auth', { line: i + 1 });
    });
  }
  if (lower === '.yarnrc.yml' || lower === '.yarnrc.yaml') {
    text.split('\n').forEach((line, i) => {
      const m = YARNRC_AUTH.exec(line);
      if (m && !isReference(m[1]!)) add('npmrc-auth', { line: i + 1 });
    });
  }

  // kubeconfig: a Config document whose users carry a client key, a token or a password.
  if (/^kind:\s*["']?Config["']?\s*$/m.test(text) && /^\s*users:\s*$/m.test(text)) {
    text.split('\n').forEach((line, i) => {
      const m = /^\s*(client-key-data|client-key|token|password|id-token|refresh-token)\s*:\s*(.*)$/.exec(line);
      if (m && m[2]!.trim() !== '' && !/^["']{2}$/.test(m[2]!.trim()) && !isReference(m[2]!)) add('kubeconfig-credentials', { line: i + 1 });
    });
  }

  // Docker's client configuration: base64 user:password per registry.
  if (lower === 'config.json' && text.includes('"auths"')) {
    for (const m of text.matchAll(/"(?:auth|identitytoken)"\s*:\s*"[A-Za-z0-9+/=_-]{8,}"/g)) add('docker-registry-auth', { offset: m.index });
  }

  // Git's config (`.git/config`): `url = https://user:token@host/…` keeps the credential in clear.
  if (lower === 'config' && text.includes('[remote')) {
    text.split('\n').forEach((line, i) => {
      const m = /^\s*(?:push)?url\s*=\s*[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:([^\s@/]+)@/i.exec(line);
      if (m && !isReference(m[1]!)) add('git-remote-credentials', { line: i + 1 });
    });
  }

  return [...found.values()].sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind));
}
