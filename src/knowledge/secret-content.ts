/**
 * Secrets recognised by their content: the one table of the kinds ctxsize knows (`SECRET_KINDS`),
 * with each kind's format facts, and the scanner that applies them. The scanner is pure (text in,
 * matches out) and never returns the secret itself, only its kind and line, so that a report cannot
 * leak it again.
 *
 * A match needs the secret's structure, not just its prefix:
 * - a token needs its prefix, its full length in its own alphabet, a checksum where the format
 *   has one (GitHub's and npm's CRC32), and clean edges: not glued to a word, not inside a longer
 *   base64 run (an `AKIA…` in a data URI, a lockfile integrity hash or a base64 blob is not a key);
 * - a PEM private key needs a body: base64 that decodes to the key type's leading DER bytes (or
 *   OpenSSH's `openssh-key-v1` magic, or an OpenPGP secret-key packet) and is long enough to be a
 *   key; a bare `-----BEGIN PRIVATE KEY-----` line is a placeholder in a form or a constant;
 * - placeholders are not secrets: one repeated character, runs such as `abcdef`/`123456`,
 *   `your…`, `<…>`, `${…}`, `example`/`dummy`/`changeme`/`xxxx`/`REDACTED`.
 *
 * A match is `weak` when its shape is right but something says it is probably not a live
 * credential (a checksum that does not verify, characters outside the issuer's alphabet, a
 * password in a URL to a local or documentation host): it is reported as a warning with that
 * reason. Formats are the issuers' public ones (their token-format announcements and API docs),
 * cross-checked against the rule sets of public secret scanners.
 */

/** The kinds of secret the scanner names. */
export type SecretKind =
  | 'private-key'
  | 'aws-access-key-id'
  | 'aws-secret-access-key'
  | 'github-token'
  | 'gitlab-token'
  | 'npm-token'
  | 'npmrc-auth'
  | 'pypi-token'
  | 'slack-token'
  | 'slack-app-token'
  | 'slack-webhook'
  | 'stripe-live-key'
  | 'openai-api-key'
  | 'anthropic-api-key'
  | 'huggingface-token'
  | 'sendgrid-api-key'
  | 'docker-hub-token'
  | 'twilio-api-key'
  | 'onepassword-token'
  | 'databricks-token'
  | 'figma-token'
  | 'grafana-token'
  | 'groq-api-key'
  | 'vault-token'
  | 'linear-api-key'
  | 'notion-token'
  | 'shopify-token'
  | 'vercel-token'
  | 'digitalocean-token'
  | 'age-secret-key'
  | 'postman-api-key'
  | 'doppler-token'
  | 'pulumi-token'
  | 'perplexity-api-key'
  | 'gcp-service-account-key'
  | 'kubeconfig-credentials'
  | 'docker-registry-auth'
  | 'git-remote-credentials'
  | 'url-credentials';

/** One secret found in a file. Carries no part of the secret's value. */
export interface SecretMatch {
  kind: SecretKind;
  /** 1-based line of the match. */
  line: number;
  /** A short human description of what was found ("a GitHub token", "a PKCS#8 private key (Ed25519)"). */
  description: string;
  /**
   * Set when the shape is right but the value is probably not a live credential; says why
   * ("its CRC32 checksum does not verify"). Such matches are warnings, not errors.
   */
  weak?: string;
  /** What the match rests on: the format facts that held ("ghp_ + 36 base62, CRC32 checksum holds"). */
  evidence?: string;
}

/** Files larger than this are read in chunks, or not at all (see `canHoldSecretsWhenLarge`). */
export const SECRET_SCAN_MAX_BYTES = 1024 * 1024;

/** A large file is scanned chunk by chunk up to this size; beyond it, it is reported unscanned. */
export const SECRET_SCAN_LARGE_MAX_BYTES = 64 * 1024 * 1024;

/** Chunks of a large file overlap by this much, so that a key across a boundary is whole in one chunk. */
export const SECRET_SCAN_CHUNK_OVERLAP = 64 * 1024;

/** How much of a file's start is examined for NUL bytes to decide that it is binary. */
export const BINARY_PROBE_BYTES = 8000;

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

/** Character sets of token formats. */
export const ALPHABETS = {
  digits: '0123456789',
  hex: '0123456789abcdef',
  HEX: '0123456789ABCDEF',
  anyHex: '0123456789abcdefABCDEF',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  base62: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  upperAlnum: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lowerAlnum: '0123456789abcdefghijklmnopqrstuvwxyz',
  /** RFC 4648 base32 (AWS key ids). */
  base32: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  /** Bech32's data characters (age keys). */
  bech32Upper: 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
} as const;

export type AlphabetName = keyof typeof ALPHABETS;

/** One piece of a token: a literal, or a run of characters of one alphabet. */
export type TokenPart = string | { alphabet: AlphabetName; length: number | readonly [min: number, max: number] };

/** A token format: its parts, in order (the first is the literal prefix the scan looks for). */
export interface TokenFormat {
  parts: readonly TokenPart[];
  /** A checksum the format carries; a token whose checksum fails is reported as weak. */
  checksum?: 'base62-crc32';
  /**
   * The token (from character `from`) is base64 of a JSON object, as 1Password's and Grafana's
   * are: it must decode to one.
   */
  encodes?: { json: true; from: number };
  /**
   * The shape of a credential without what marks the real ones (a marker, an alphabet): reported
   * as weak, with this reason.
   */
  weak?: string;
}

/** One kind of token in the table. */
export interface TokenKind {
  kind: SecretKind;
  description: string;
  /** Where the format is documented. */
  source: string;
  formats: readonly TokenFormat[];
  /** Something that looks like it and must not match (a documented placeholder, a near miss). */
  lookAlike: string;
}

/** A kind recognised by structure rather than by a token pattern (PEM bodies, configuration files). */
export interface StructuredKind {
  kind: SecretKind;
  description: string;
  source: string;
  /** The facts the scanner checks, in words. */
  facts: string;
  lookAlike: string;
}

const p = (alphabet: AlphabetName, length: number | readonly [number, number]): TokenPart => ({ alphabet, length });

const GITHUB_SOURCE = 'https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/';

/** Decode base64 (standard or URL-safe) leniently; null when it is not base64. */
function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]*={0,3}$/.test(text)) return null;
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** A base64 token that decodes to a JSON object (1Password service-account and Grafana tokens). */
const decodesToJsonObject = (skip: number) => (token: string): boolean => {
  const body = token.slice(skip).replace(/=+$/, '');
  const bytes = decodeBase64(body);
  if (bytes === null) return false;
  const text = bytes.toString('latin1');
  return text.startsWith('{"') && /"\s*:/.test(text.slice(0, 64));
};

/** Every token kind, with the facts of its format. */
export const TOKEN_KINDS: readonly TokenKind[] = [
  {
    kind: 'aws-access-key-id',
    description: 'an AWS access key id',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids',
    // Access keys are AKIA (long-term), ASIA (temporary), ABIA and ACCA, then 16 characters of RFC 4648
    // base32: a 0, 1, 8 or 9 never appears in a real one.
    formats: ['AKIA', 'ASIA', 'ABIA', 'ACCA'].flatMap((prefix) => [
      { parts: [prefix, p('base32', 16)] },
      { parts: [prefix, p('upperAlnum', 16)], weak: "it has characters outside AWS's base32 alphabet (0, 1, 8, 9): likely made up" },
    ]),
    lookAlike: 'AKIAIOSFODNN7EXAMPLE',
  },
  {
    kind: 'github-token',
    description: 'a GitHub token',
    source: GITHUB_SOURCE,
    // ghp_ personal, gho_ OAuth, ghu_ user-to-server, ghs_ server-to-server, ghr_ refresh: 30 random
    // base62 characters and a 6-character base62 CRC32 of them. Fine-grained PATs: 22 + `_` + 59.
    formats: [
      ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].map((prefix) => ({ parts: [prefix, p('base62', 36)], checksum: 'base62-crc32' as const })),
      { parts: ['github_pat_', p('base62', 22), '_', p('base62', 59)] },
    ],
    lookAlike: 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    kind: 'gitlab-token',
    description: 'a GitLab token',
    source: 'https://docs.gitlab.com/security/tokens/#token-prefixes',
    formats: [
      { parts: ['glpat-', p('base64url', 20)] },
      // Routable tokens (GitLab 17.x+): a base64url payload, a dot, and a base-36 CRC/length suffix.
      { parts: ['glpat-', p('base64url', [27, 300]), '.', p('lowerAlnum', 9)] },
      { parts: ['glrt-', p('base64url', 20)] },
      { parts: ['gldt-', p('base64url', 20)] },
      { parts: ['glptt-', p('hex', 40)] },
    ],
    lookAlike: 'glpat-xxxxxxxxxxxxxxxxxxxx',
  },
  {
    kind: 'npm-token',
    description: 'an npm access token',
    source: 'https://github.blog/2021-09-23-announcing-npms-new-access-token-format/',
    formats: [{ parts: ['npm_', p('base62', 36)], checksum: 'base62-crc32' }],
    lookAlike: 'npm_000000000000000000000000000000000000',
  },
  {
    kind: 'pypi-token',
    description: 'a PyPI API token',
    source: 'https://pypi.org/help/#apitoken',
    // A macaroon whose serialisation starts with the location "pypi.org".
    formats: [{ parts: ['pypi-AgEIcHlwaS5vcmc', p('base64url', [50, 1000])] }],
    lookAlike: 'pypi-AgEIcHlwaS5vcmc',
  },
  {
    kind: 'slack-token',
    description: 'a Slack token',
    source: 'https://api.slack.com/authentication/token-types',
    formats: [
      { parts: ['xoxb-', p('digits', [8, 14]), '-', p('digits', [8, 14]), '-', p('base62', [20, 40])] },
      { parts: ['xoxb-', p('digits', [8, 14]), '-', p('base62', [18, 26])] },
      { parts: ['xoxp-', p('digits', [8, 14]), '-', p('digits', [8, 14]), '-', p('digits', [8, 14]), '-', p('base62', [28, 34])] },
      { parts: ['xoxe-', p('digits', 1), '-', p('upperAlnum', [140, 170])] },
      ...['xoxa-', 'xoxr-', 'xoxs-', 'xoxo-'].map((prefix) => ({ parts: [prefix, p('digits', [1, 14]), '-', p('base62', [10, 48])] })),
    ],
    lookAlike: 'xoxb-0000000000-0000000000-xxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    kind: 'slack-app-token',
    description: 'a Slack app-level token',
    source: 'https://api.slack.com/authentication/token-types#app',
    // xapp-<version digit>-<app id>-<digits>-<hex>
    formats: [{ parts: ['xapp-', p('digits', 1), '-', p('upperAlnum', [8, 14]), '-', p('digits', [8, 16]), '-', p('lowerAlnum', [32, 80])] }],
    lookAlike: 'xapp-1-A0000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    kind: 'slack-webhook',
    description: 'a Slack webhook URL',
    source: 'https://api.slack.com/messaging/webhooks',
    formats: [{ parts: ['hooks.slack.com/services/T', p('upperAlnum', [6, 12]), '/B', p('upperAlnum', [6, 12]), '/', p('base62', [20, 32])] }],
    lookAlike: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  },
  {
    kind: 'stripe-live-key',
    description: 'a Stripe live secret key',
    source: 'https://docs.stripe.com/keys',
    formats: [{ parts: ['sk_live_', p('base62', [24, 247])] }, { parts: ['rk_live_', p('base62', [24, 247])] }],
    lookAlike: 'sk_live_XXXXXXXXXXXXXXXXXXXXXXXX',
  },
  {
    kind: 'openai-api-key',
    description: 'an OpenAI API key',
    source: 'https://platform.openai.com/docs/api-reference/authentication',
    // Legacy user keys: sk- 20 T3BlbkFJ 20 ("T3BlbkFJ" is base64 of "OpenAI"). Project, service-account
    // and admin keys: sk-proj-/sk-svcacct-/sk-admin- and a longer base64url body around the same marker.
    formats: [
      { parts: ['sk-', p('base62', 20), 'T3BlbkFJ', p('base62', 20)] },
      ...['sk-proj-', 'sk-svcacct-', 'sk-admin-'].map((prefix) => ({ parts: [prefix, p('base64url', [20, 200]), 'T3BlbkFJ', p('base64url', [20, 200])] })),
      { parts: ['sk-proj-', p('base64url', [80, 250])], weak: 'it lacks the T3BlbkFJ marker of OpenAI keys: review' },
    ],
    lookAlike: 'sk-proj-your-api-key-here',
  },
  {
    kind: 'anthropic-api-key',
    description: 'an Anthropic API key',
    source: 'https://docs.anthropic.com/en/api/overview#authentication',
    // sk-ant-api03-<93 base64url>AA (and admin01, oat01): the body ends in "AA".
    formats: ['sk-ant-api03-', 'sk-ant-admin01-', 'sk-ant-oat01-'].flatMap((prefix) => [
      { parts: [prefix, p('base64url', [90, 128]), 'AA'] },
      { parts: [prefix, p('base64url', [80, 140])], weak: 'it does not end in "AA" as Anthropic keys do: review' },
    ]),
    lookAlike: 'sk-ant-api03-xxxxxxxxxxxxxxxx',
  },
  {
    kind: 'huggingface-token',
    description: 'a Hugging Face token',
    source: 'https://huggingface.co/docs/hub/security-tokens',
    formats: [{ parts: ['hf_', p('alpha', 34)] }, { parts: ['api_org_', p('alpha', 34)] }],
    lookAlike: 'hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    kind: 'sendgrid-api-key',
    description: 'a SendGrid API key',
    source: 'https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys',
    // SG.<22 base64url key id>.<43 base64url secret>
    formats: [{ parts: ['SG.', p('base64url', [16, 32]), '.', p('base64url', [40, 50])] }],
    lookAlike: 'SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    kind: 'docker-hub-token',
    description: 'a Docker Hub access token',
    source: 'https://docs.docker.com/security/for-developers/access-tokens/',
    formats: [{ parts: ['dckr_pat_', p('base64url', [24, 40])] }, { parts: ['dckr_oat_', p('base64url', [24, 40])] }],
    lookAlike: 'dckr_pat_your_token_here',
  },
  {
    kind: 'twilio-api-key',
    description: 'a Twilio API key or auth token',
    source: 'https://www.twilio.com/docs/iam/api-keys',
    formats: [{ parts: ['SK', p('anyHex', 32)] }],
    lookAlike: 'SK00000000000000000000000000000000',
  },
  {
    kind: 'onepassword-token',
    description: 'a 1Password service-account token or secret key',
    source: 'https://developer.1password.com/docs/service-accounts/',
    formats: [
      // ops_ + base64 of a JSON object.
      { parts: ['ops_eyJ', p('base64', [100, 1300])], encodes: { json: true, from: 4 } },
      { parts: ['A3-', p('upperAlnum', 6), '-', p('upperAlnum', 11), '-', p('upperAlnum', 5), '-', p('upperAlnum', 5), '-', p('upperAlnum', 5)] },
      { parts: ['A3-', p('upperAlnum', 6), '-', p('upperAlnum', 6), '-', p('upperAlnum', 5), '-', p('upperAlnum', 5), '-', p('upperAlnum', 5), '-', p('upperAlnum', 5)] },
    ],
    lookAlike: 'ops_DUMMYWFpbCI6ImVqd2U2NHFtbHhocmlAMXBhc3N3b3Jkc2VydmljZWFjY291bnRzLmxjbCIsIm11ayI6eyJhbGciOiJBMjU2R0NNIiwiZXh0Ijp0cnVlLCJrIjoiTThWUGZJYzhWRWZUaGNNWExhS0NL',
  },
  {
    kind: 'databricks-token',
    description: 'a Databricks access token',
    source: 'https://docs.databricks.com/en/dev-tools/auth/pat.html',
    formats: [{ parts: ['dapi', p('anyHex', 32)] }, { parts: ['dapi', p('anyHex', 32), '-', p('digits', 1)] }],
    lookAlike: 'dapi1234',
  },
  {
    kind: 'figma-token',
    description: 'a Figma personal access token',
    source: 'https://www.figma.com/developers/api#access-tokens',
    formats: [{ parts: ['figd_', p('base64url', [40, 200])] }],
    lookAlike: 'figd_abc',
  },
  {
    kind: 'grafana-token',
    description: 'a Grafana token',
    source: 'https://grafana.com/docs/grafana/latest/administration/service-accounts/',
    formats: [
      { parts: ['glc_', p('base64', [32, 400])], encodes: { json: true, from: 4 } },
      { parts: ['glsa_', p('base62', 32), '_', p('anyHex', 8)] },
      { parts: ['eyJrIjoi', p('base64', [70, 400])], encodes: { json: true, from: 0 } },
    ],
    lookAlike: 'glsa_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_00000000',
  },
  {
    kind: 'groq-api-key',
    description: 'a Groq API key',
    source: 'https://console.groq.com/docs/api-keys',
    formats: [{ parts: ['gsk_', p('base62', 52)] }],
    lookAlike: 'gsk_abc123',
  },
  {
    kind: 'vault-token',
    description: 'a HashiCorp Vault token',
    source: 'https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes',
    formats: [
      { parts: ['hvs.', p('base64url', [90, 120])] },
      { parts: ['hvb.', p('base64url', [138, 300])] },
      { parts: ['hvr.', p('base64url', [90, 120])] },
    ],
    lookAlike: 'hvs.placeholder',
  },
  {
    kind: 'linear-api-key',
    description: 'a Linear API key',
    source: 'https://linear.app/developers/graphql#personal-api-keys',
    formats: [{ parts: ['lin_api_', p('base62', [32, 64])] }],
    lookAlike: 'lin_api_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    kind: 'notion-token',
    description: 'a Notion integration token',
    source: 'https://developers.notion.com/docs/authorization',
    // ntn_ + 11 digits + 35 base62 (since 2024); before, secret_ + 43 base62.
    formats: [{ parts: ['ntn_', p('digits', 11), p('base62', 35)] }, { parts: ['secret_', p('base62', 43)] }],
    lookAlike: 'ntn_abc',
  },
  {
    kind: 'shopify-token',
    description: 'a Shopify access token or shared secret',
    source: 'https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens',
    formats: ['shpat_', 'shpca_', 'shppa_', 'shpss_'].map((prefix) => ({ parts: [prefix, p('base62', [32, 64])] })),
    lookAlike: 'shpat_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    kind: 'vercel-token',
    description: 'a Vercel token',
    source: 'https://vercel.com/docs/rest-api#creating-an-access-token',
    formats: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'].map((prefix) => ({ parts: [prefix, p('base62', [20, 60])] })),
    lookAlike: 'vcp_aBcDeFgHiJkLmNoPqRsT1234567890abcdefghij',
  },
  {
    kind: 'digitalocean-token',
    description: 'a DigitalOcean token',
    source: 'https://docs.digitalocean.com/reference/api/create-personal-access-token/',
    formats: ['dop_v1_', 'doo_v1_', 'dor_v1_'].map((prefix) => ({ parts: [prefix, p('hex', 64)] })),
    lookAlike: 'dop_v1_0000000000000000000000000000000000000000000000000000000000000000',
  },
  {
    kind: 'age-secret-key',
    description: 'an age secret key',
    source: 'https://age-encryption.org/v1',
    formats: [{ parts: ['AGE-SECRET-KEY-1', p('bech32Upper', 58)] }],
    lookAlike: 'AGE-SECRET-KEY-1XXXXXXXX',
  },
  {
    kind: 'postman-api-key',
    description: 'a Postman API key',
    source: 'https://learning.postman.com/docs/developer/postman-api/authentication/',
    formats: [{ parts: ['PMAK-', p('hex', 24), '-', p('hex', 34)] }],
    lookAlike: 'PMAK-your-key',
  },
  {
    kind: 'doppler-token',
    description: 'a Doppler token',
    source: 'https://docs.doppler.com/reference/api#authentication',
    formats: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.'].map((prefix) => ({ parts: [prefix, p('base62', 43)] })),
    lookAlike: 'dp.pt.xxxxxxxx',
  },
  {
    kind: 'pulumi-token',
    description: 'a Pulumi access token',
    source: 'https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/',
    formats: [{ parts: ['pul-', p('hex', 40)] }],
    lookAlike: 'pul-0000000000000000000000000000000000000000',
  },
  {
    kind: 'perplexity-api-key',
    description: 'a Perplexity API key',
    source: 'https://docs.perplexity.ai/guides/getting-started',
    formats: [{ parts: ['pplx-', p('base62', 48)] }],
    lookAlike: 'pplx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  },
];

/** Private-key armour the scanner knows: the label after BEGIN, and how its decoded body starts. */
export interface PemFormat {
  /** The words between `-----BEGIN ` and `-----` ("RSA PRIVATE KEY"). */
  label: string;
  /** What the key is, for messages. */
  name: string;
  /**
   * The leading bytes of the decoded body, as hex; `..` stands for a DER length (one byte below
   * 0x80, or 0x81/0x82 and its one or two length bytes). The generator in the tests builds bodies
   * from the same facts.
   */
  leading: readonly string[];
  /** The body is ciphertext (legacy `Proc-Type: 4,ENCRYPTED` armour): any decodable body of key size. */
  encryptedHeaders?: boolean;
}

/** DER: SEQUENCE, INTEGER 0 (PKCS#1 and PKCS#8 versions). */
export const PEM_FORMATS: readonly PemFormat[] = [
  { label: 'RSA PRIVATE KEY', name: 'an RSA private key (PKCS#1)', leading: ['30..020100', '30..020101'], encryptedHeaders: true },
  { label: 'EC PRIVATE KEY', name: 'an EC private key (SEC 1)', leading: ['30..020101'], encryptedHeaders: true },
  { label: 'DSA PRIVATE KEY', name: 'a DSA private key', leading: ['30..020100'], encryptedHeaders: true },
  // PKCS#8: SEQUENCE { INTEGER 0|1, SEQUENCE { OID … } }; the OID names the algorithm.
  { label: 'PRIVATE KEY', name: 'a PKCS#8 private key', leading: ['30..02010030..06', '30..02010130..06'] },
  { label: 'ENCRYPTED PRIVATE KEY', name: 'an encrypted PKCS#8 private key', leading: ['30..30..06'] },
  // openssh-key-v1\0
  { label: 'OPENSSH PRIVATE KEY', name: 'an OpenSSH private key', leading: ['6f70656e7373682d6b65792d763100'] },
  // OpenPGP: a secret-key packet (tag 5), old format (0x94-0x97) or new (0xc5).
  { label: 'PGP PRIVATE KEY BLOCK', name: 'an OpenPGP private key', leading: ['94', '95', '96', '97', 'c5'] },
  // ssh.com's format: its magic number.
  { label: 'SSH2 ENCRYPTED PRIVATE KEY', name: 'an SSH2 (ssh.com) private key', leading: ['3f6ff9eb'] },
  { label: 'ANY PRIVATE KEY', name: 'a private key', leading: ['30..'] },
];

/** Object identifiers of PKCS#8 algorithms, for naming the key (DER content bytes, hex). */
export const PKCS8_ALGORITHMS: ReadonlyArray<readonly [oid: string, name: string]> = [
  ['2a864886f70d010101', 'RSA'],
  ['2a864886f70d01010a', 'RSA-PSS'],
  ['2a8648ce3d0201', 'EC'],
  ['2b6570', 'Ed25519'],
  ['2b6571', 'Ed448'],
  ['2b656e', 'X25519'],
  ['2b656f', 'X448'],
  ['2a8648ce380401', 'DSA'],
];

/** The smallest decoded body that can be a key (an Ed25519 PKCS#8 key is 48 bytes). */
export const PEM_MIN_BODY_BYTES = 40;

/** Kinds recognised by structure, listed with their facts (see the scanner functions below). */
export const STRUCTURED_KINDS: readonly StructuredKind[] = [
  {
    kind: 'private-key',
    description: 'a PEM private key',
    source: 'https://www.rfc-editor.org/rfc/rfc7468',
    facts: 'BEGIN/END armour of one of PEM_FORMATS with a base64 body (lines of at most 80 characters, JSON `\\n` escapes and YAML indentation allowed) that decodes to at least PEM_MIN_BODY_BYTES bytes starting with the format\'s leading bytes',
    lookAlike: '-----BEGIN PRIVATE KEY-----\nYour private key here\n-----END PRIVATE KEY-----',
  },
  {
    kind: 'private-key',
    description: 'a PuTTY private key',
    source: 'https://the.earth.li/~sgtatham/putty/0.78/htmldoc/AppendixC.html',
    facts: 'a PuTTY-User-Key-File-2/3 header and a Private-Lines: section with base64 lines',
    lookAlike: 'PuTTY-User-Key-File-3: ssh-ed25519',
  },
  {
    kind: 'aws-secret-access-key',
    description: 'an AWS secret access key',
    source: 'https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html',
    facts: 'aws_secret_access_key / secretAccessKey / AWS_SECRET_KEY … = 40 base64 characters with clean edges',
    lookAlike: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  {
    kind: 'gcp-service-account-key',
    description: 'a Google Cloud service-account key',
    source: 'https://cloud.google.com/iam/docs/keys-create-delete',
    facts: '"type": "service_account" and a "private_key" whose PEM body passes the private-key test',
    lookAlike: '{"type": "service_account", "private_key": "..."}',
  },
  {
    kind: 'npmrc-auth',
    description: 'an npm registry credential (_authToken, _auth or _password)',
    source: 'https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration',
    facts: '.npmrc: _authToken/_auth/_password = a value that is not a ${VAR} reference or a placeholder; .yarnrc.yml: npmAuthToken/npmAuthIdent',
    lookAlike: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
  },
  {
    kind: 'kubeconfig-credentials',
    description: 'Kubernetes client credentials (a client key, token or password)',
    source: 'https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/',
    facts: 'a `kind: Config` document with `users:` holding client-key-data (base64 of a PEM key that passes the private-key test), token, password, id-token or refresh-token with a real value',
    lookAlike: 'kind: Config\nusers:\n- name: a\n  user:\n    token: ""',
  },
  {
    kind: 'docker-registry-auth',
    description: 'Docker registry credentials',
    source: 'https://docs.docker.com/reference/cli/docker/login/#credential-stores',
    facts: 'config.json / .dockercfg "auths": an "auth" that decodes to user:password, or an "identitytoken"',
    lookAlike: '{"auths": {"ghcr.io": {}}, "credsStore": "desktop"}',
  },
  {
    kind: 'git-remote-credentials',
    description: 'a password or token in a Git remote URL',
    source: 'https://git-scm.com/docs/git-config#Documentation/git-config.txt-remoteltnamegturl',
    facts: 'a Git config `url =` with user:password@ (severity as for url-credentials)',
    lookAlike: '[remote "origin"]\n\turl = https://github.com/o/r.git',
  },
  {
    kind: 'url-credentials',
    description: 'a password in a URL',
    source: 'https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1',
    facts: 'scheme://user:password@host with a password that is not a placeholder; an error only when the host is not local or a documentation host',
    lookAlike: 'postgres://user:password@localhost:5432/db',
  },
];

/** Every kind's description, by kind. */
export const SECRET_DESCRIPTIONS: Record<SecretKind, string> = Object.fromEntries([
  ...STRUCTURED_KINDS.map((k) => [k.kind, k.description]),
  ...TOKEN_KINDS.map((k) => [k.kind, k.description]),
]) as Record<SecretKind, string>;

/**
 * File extensions worth scanning beyond SECRET_SCAN_MAX_BYTES: data dumps, logs, recorded HTTP
 * sessions and configuration, where credentials end up in bulk.
 */
export const LARGE_SCAN_EXTENSIONS: ReadonlySet<string> = new Set([
  'har', 'json', 'jsonl', 'ndjson', 'sql', 'dump', 'log', 'txt', 'csv', 'tsv', 'yaml', 'yml', 'xml',
  'ini', 'conf', 'cfg', 'properties', 'toml', 'env', 'bak', 'backup', 'tfstate', 'ipynb', 'pem', 'key',
]);

/** Extensions of binary formats: never read for the content scan (their bytes hold no text token). */
export const BINARY_EXTENSIONS: ReadonlySet<string> = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'webp', 'ico', 'bmp', 'tif', 'tiff', 'avif', 'heic', 'psd', 'icns',
  'woff', 'woff2', 'ttf', 'otf', 'eot',
  'zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'rar', 'tar', 'jar', 'war', 'ear', 'whl', 'egg', 'nupkg', 'crate',
  'mp3', 'mp4', 'm4a', 'wav', 'ogg', 'flac', 'webm', 'mov', 'avi', 'mkv',
  'wasm', 'so', 'dll', 'dylib', 'exe', 'o', 'a', 'lib', 'class', 'pyc', 'pyo', 'node', 'bin',
  'parquet', 'npy', 'npz', 'pt', 'pth', 'onnx', 'h5', 'pkl', 'safetensors', 'gguf', 'tflite',
]);

/** The lower-case extension of a base name ('' when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Should a file over SECRET_SCAN_MAX_BYTES be scanned in chunks (or reported unscanned)? */
export function canHoldSecretsWhenLarge(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('.env') || lower.endsWith('.env') || LARGE_SCAN_EXTENSIONS.has(extensionOf(lower));
}

// ---------------------------------------------------------------------------------------------
// Placeholders and edges
// ---------------------------------------------------------------------------------------------

// IOSFODNN7 and wJalrXUtnFEMI/K7MDENG start AWS's documented example keys.
const PLACEHOLDER_WORDS = /example|sample|dummy|changeme|change_me|redacted|placeholder|your|fake|xxxx|replace|insert|secret_here|token_here|key_here|IOSFODNN7|wJalrXUtnFEMI/i;

/**
 * The same words in one case each (`your`, `YOUR`, `Your`): a token's random body contains a
 * mixed-case `yOuR` now and then, a placeholder never does.
 */
const TOKEN_PLACEHOLDER_WORDS = new RegExp(
  PLACEHOLDER_WORDS.source
    .split('|')
    .flatMap((w) => (/^[a-z_]+$/.test(w) ? [w, w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1)] : [w]))
    .join('|'),
);

/** Words on a token's line that call it a sample ("e.g.", "example"): the token is reported as weak. */
const SAMPLE_CONTEXT = /\be\.g\.|\bexamples?\b|\bsamples?\b|\bdummy\b|\bfake\b|\bplaceholder\b|not a real/i;

/** Undo the digits-for-letters spelling of sample passwords (`s3cr3tP4ss`). */
function unLeet(text: string): string {
  return text.toLowerCase().replace(/[30415$7@]/g, (c) => ({ '3': 'e', '0': 'o', '4': 'a', '1': 'i', '5': 's', $: 's', '7': 't', '@': 'a' })[c]!);
}

/** Is this run of characters a sequence such as `abcdef`, `123456` or `zyxwvu`? */
function hasSequence(text: string, run: number): boolean {
  const lower = text.toLowerCase();
  let up = 1;
  let down = 1;
  for (let i = 1; i < lower.length; i++) {
    const d = lower.charCodeAt(i) - lower.charCodeAt(i - 1);
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    if (up >= run || down >= run) return true;
  }
  return false;
}

/**
 * Is a value a placeholder rather than a secret? One repeated character (or very few distinct
 * ones), alphabet or digit runs, `your…`, `<…>`, `${…}`, `{{…}}`, `%s`, and the usual words.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v === '') return true;
  if (/^[<{[(]/.test(v) || /[>}\])]$/.test(v) || v.includes('${') || v.includes('{{') || v.startsWith('$') || /%[sd(]/.test(v)) return true;
  if (TOKEN_PLACEHOLDER_WORDS.test(v)) return true;
  const distinct = new Set(v).size;
  if (distinct <= 2 || (v.length >= 16 && distinct < Math.min(8, v.length / 4))) return true;
  if (v.length >= 8 && hasSequence(v, 6)) return true;
  if (/(.)\1{5}/.test(v)) return true; // six of one character in a row
  return false;
}

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isBase64Char = (c: number): boolean => isAlnum(c) || c === 43 || c === 47; // + /

/** Is this line (trimmed) a run of base64 long enough to be part of a wrapped blob? */
function isBase64Line(line: string): boolean {
  const t = line.trim();
  return t.length >= 40 && /^[A-Za-z0-9+/]+={0,2}$/.test(t);
}

/**
 * Does a token at [start, end) stand alone: not glued to a word, not inside a longer base64 run
 * (a data URI, an integrity hash, a wrapped blob)? `own` holds the characters of the token's last
 * alphabet, which may not continue it either.
 */
function hasCleanEdges(text: string, start: number, end: number, own: string): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  const after = end < text.length ? text.charCodeAt(end) : -1;
  if (before !== -1) {
    if (isAlnum(before) || before === 95 /* _ */) return false;
    if ((before === 43 || before === 47 || before === 45) && start > 1 && isAlnum(text.charCodeAt(start - 2))) return false;
  }
  if (after !== -1) {
    if (isAlnum(after) || after === 95 || own.includes(String.fromCharCode(after))) return false;
    if ((after === 43 || after === 47) && end + 1 < text.length && isBase64Char(text.charCodeAt(end + 1))) return false;
    if (after === 61 /* = */ && end + 1 < text.length && (text.charCodeAt(end + 1) === 61 || isBase64Char(text.charCodeAt(end + 1)))) return false;
  }
  // A token at the start or end of a line between lines of base64 is part of a wrapped blob.
  if (before === 10 || before === -1 || after === 10 || after === 13 || after === -1) {
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    let lineEnd = text.indexOf('\n', end);
    if (lineEnd === -1) lineEnd = text.length;
    if (isBase64Line(text.slice(lineStart, lineEnd))) {
      const prevStart = lineStart >= 2 ? text.lastIndexOf('\n', lineStart - 2) + 1 : -1;
      const prev = prevStart >= 0 ? text.slice(prevStart, lineStart - 1) : '';
      const nextEnd = text.indexOf('\n', lineEnd + 1);
      const next = lineEnd < text.length ? text.slice(lineEnd + 1, nextEnd === -1 ? text.length : nextEnd) : '';
      if (isBase64Line(prev) || isBase64Line(next)) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Checksums
// ---------------------------------------------------------------------------------------------

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE), as zlib computes it. */
export function crc32(text: string): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = crcTable[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A number in base62 (0-9, A-Z, a-z), left-padded to `width`. */
export function toBase62(value: number, width: number): string {
  let out = '';
  let v = value;
  while (v > 0) {
    out = ALPHABETS.base62[v % 62]! + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, '0');
}

/** GitHub's and npm's checksum: the last 6 characters are the base62 CRC32 of the 30 before them. */
function base62Crc32Holds(token: string): boolean {
  const body = token.slice(token.indexOf('_') + 1);
  return toBase62(crc32(body.slice(0, -6)), 6) === body.slice(-6);
}

// ---------------------------------------------------------------------------------------------
// Compiled token formats
// ---------------------------------------------------------------------------------------------

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const classOf = (chars: string): string => `[${chars.replace(/[\\\]^-]/g, '\\$&')}]`;

interface CompiledFormat {
  kind: TokenKind;
  format: TokenFormat;
  /** Sticky: run at the prefix's offset. */
  regexp: RegExp;
  /** The characters that may not follow the token (its last part's alphabet). */
  own: string;
  /** Literal parts, which say nothing about the value. */
  literals: readonly string[];
}

let compiled: { byPrefix: Map<string, CompiledFormat[]>; prefixes: RegExp } | null = null;

function compile(): NonNullable<typeof compiled> {
  if (compiled !== null) return compiled;
  const byPrefix = new Map<string, CompiledFormat[]>();
  for (const kind of TOKEN_KINDS) {
    for (const format of kind.formats) {
      const prefix = format.parts[0] as string;
      const source = format.parts
        .map((part) => {
          if (typeof part === 'string') return escapeRegExp(part);
          const [min, max] = typeof part.length === 'number' ? [part.length, part.length] : part.length;
          return `${classOf(ALPHABETS[part.alphabet])}{${min},${max}}`;
        })
        .join('') + (format.encodes ? '={0,2}' : '');
      const last = format.parts[format.parts.length - 1]!;
      // A literal end in the body's own alphabet (Anthropic's "AA") does not end the token: a
      // body that goes on after it is another shape (the weak one), not this one.
      const body = format.parts.findLast((part) => typeof part !== 'string');
      const own = typeof last !== 'string' ? ALPHABETS[last.alphabet] : body !== undefined && typeof body !== 'string' && [...last].every((ch) => ALPHABETS[body.alphabet].includes(ch)) ? ALPHABETS[body.alphabet] : '';
      const entry: CompiledFormat = { kind, format, regexp: new RegExp(source, 'y'), own, literals: format.parts.filter((x): x is string => typeof x === 'string') };
      const list = byPrefix.get(prefix) ?? [];
      list.push(entry);
      byPrefix.set(prefix, list);
    }
  }
  // Longest prefixes first, so that `sk-proj-` is found rather than `sk-`. (One alternation of
  // all prefixes was measured faster than per-group regexps and than a trie.)
  const prefixes = [...byPrefix.keys()].sort((a, b) => b.length - a.length);
  compiled = { byPrefix, prefixes: new RegExp(prefixes.map(escapeRegExp).join('|'), 'g') };
  return compiled;
}

/** A format in words: `ghp_ + 36 base62`. */
export function describeFormat(format: TokenFormat): string {
  return format.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const length = typeof part.length === 'number' ? `${part.length}` : `${part.length[0]}-${part.length[1]}`;
      return ` + ${length} ${part.alphabet} + `;
    })
    .join('')
    .replace(/\+ {2}\+/g, '+')
    .replace(/ \+ $/, '')
    .replace(/ \+ {2}/g, ' + ');
}

/** The value of a token without its literal parts (what a placeholder test looks at). */
function valueOf(token: string, literals: readonly string[]): string {
  let v = token;
  for (const l of literals) v = v.replace(l, ' ');
  return v;
}

/** Is any variable part of the token a placeholder? */
/** A token whose value (its parts between the literals) reads as a placeholder: `xxxx`, `DUMMY`, `0000`, a run. */
export function tokenIsPlaceholder(token: string, literals: readonly string[]): boolean {
  const parts = valueOf(token, literals).split(' ').filter((x) => x.length > 0);
  const joined = parts.join('');
  if (TOKEN_PLACEHOLDER_WORDS.test(joined)) return true;
  return parts.some((part) => {
    if (part.length < 8) return new Set(part).size === 1 && part.length >= 4;
    const distinct = new Set(part).size;
    // Hex runs up by one more often by chance (`456789`): they need a longer run.
    const run = /^[0-9a-fA-F]+$/.test(part) ? 8 : 6;
    return distinct <= 2 || (part.length >= 16 && distinct < Math.min(8, part.length / 4)) || hasSequence(part, run) || /(.)\1{5}/.test(part);
  });
}

// ---------------------------------------------------------------------------------------------
// PEM bodies
// ---------------------------------------------------------------------------------------------

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]{0,40}?)PRIVATE KEY( BLOCK)?-----/g;

/** Does `bytes` start with `pattern` (hex, `..` for a DER length)? */
function startsWithPattern(bytes: Uint8Array, pattern: string): boolean {
  let i = 0;
  for (let j = 0; j < pattern.length; ) {
    if (i >= bytes.length) return false;
    if (pattern.startsWith('..', j)) {
      const b = bytes[i]!;
      if (b < 0x80) i += 1;
      else if (b === 0x81) i += 2;
      else if (b === 0x82) i += 3;
      else if (b === 0x83) i += 4;
      else return false;
      j += 2;
      continue;
    }
    if (bytes[i] !== parseInt(pattern.slice(j, j + 2), 16)) return false;
    i += 1;
    j += 2;
  }
  return i <= bytes.length;
}

/** The PKCS#8 algorithm of a key body, by its OID ('' when unknown). */
function pkcs8Algorithm(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.subarray(0, 40)).toString('hex');
  for (const [oid, name] of PKCS8_ALGORITHMS) if (hex.includes(`06${(oid.length / 2).toString(16).padStart(2, '0')}${oid}`)) return name;
  return '';
}

/** The body of a PEM block after its BEGIN line: base64 lines, possibly JSON-escaped or indented. */
interface PemBody {
  base64: string;
  encrypted: boolean;
  /** Longest line, to judge the wrapping. */
  longestLine: number;
}

const PEM_BODY_LIMIT = 64 * 1024;

function readPemBody(text: string, from: number): PemBody {
  let end = text.indexOf('-----END', from);
  if (end === -1 || end - from > PEM_BODY_LIMIT) end = Math.min(text.length, from + PEM_BODY_LIMIT);
  // JSON and code keep the newlines as `\n` escapes; quotes and concatenation may wrap each line.
  const raw = text.slice(from, end).replace(/\\r/g, '').replace(/\\n/g, '\n');
  let base64 = '';
  let encrypted = false;
  let longestLine = 0;
  for (const rawLine of raw.split('\n')) {
    // Strip what code, YAML and comments wrap around each line (quotes, `+` concatenation, `//`,
    // `#`, indentation), never a base64 character.
    const line = rawLine
      .replace(/^(?:\s|["'`,;|>#*]|\/\/|\+\s*["'`])+/, '')
      .replace(/\s+$/, '')
      .replace(/\\$/, '')
      .replace(/["'`]\s*[+,;)]?\s*$/, '')
      .replace(/[,;]$/, '');
    if (line === '') continue;
    if (/^[A-Za-z-]+:\s/.test(line)) {
      // RFC 1421 / OpenPGP armour headers.
      if (/^Proc-Type:.*ENCRYPTED/i.test(line)) encrypted = true;
      continue;
    }
    if (/^=[A-Za-z0-9+/]{4}$/.test(line)) break; // OpenPGP's CRC-24 line ends the body
    const chunks = line.split(/\s+/);
    let ok = true;
    for (const chunk of chunks) {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(chunk)) {
        ok = false;
        break;
      }
      longestLine = Math.max(longestLine, chunk.length);
      base64 += chunk;
    }
    if (!ok) break;
  }
  return { base64, encrypted, longestLine };
}

/** Is this PEM block a real private key? Returns its description, or null. */
function pemKeyDescription(label: string, body: PemBody): string | null {
  const format = PEM_FORMATS.find((f) => f.label === label.trim());
  if (format === undefined) return null;
  // Wrapped lines are 64 (PEM), 70 (OpenSSH) or 76 (MIME) characters; one long line is also seen
  // (keys pasted into environment variables). Very short bodies are placeholders or truncations.
  if (body.base64.length < Math.ceil((PEM_MIN_BODY_BYTES * 4) / 3)) return null;
  const bytes = Buffer.from(body.base64, 'base64');
  if (bytes.length < PEM_MIN_BODY_BYTES) return null;
  if (body.encrypted && format.encryptedHeaders) {
    return isPlaceholder(body.base64.slice(0, 64)) ? null : `${format.name.replace(/^an? /, 'an encrypted ')}`;
  }
  if (!format.leading.some((pattern) => startsWithPattern(bytes, pattern))) return null;
  if (format.label === 'PRIVATE KEY') {
    const algorithm = pkcs8Algorithm(bytes);
    return algorithm === '' ? format.name : `${format.name} (${algorithm})`;
  }
  return format.name;
}

// ---------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------

// user:password@host after `://` — bounded runs of disjoint classes, so no backtracking blow-up.
const URL_USERINFO = /([^\s:@/?#"'`<>\\]{1,128}):([^\s@/?#"'`<>\\]{1,256})@(\[[0-9a-fA-F:.]{2,45}\]|[A-Za-z0-9._~%${}-]{1,253})/y;

/** Credentials in URLs: found from each `://` (cheap to look for), never by trying every word. */
function* urlCredentials(text: string): Generator<{ index: number; 1: string; 2: string; 3: string }> {
  for (let at = text.indexOf('://'); at !== -1; at = text.indexOf('://', at + 3)) {
    // The scheme: letters, digits, + . - before `://`, starting with a letter.
    let start = at;
    while (start > 0 && start > at - 31 && /[A-Za-z0-9+.-]/.test(text[start - 1]!)) start--;
    if (start === at || !/[A-Za-z]/.test(text[start]!)) continue;
    URL_USERINFO.lastIndex = at + 3;
    const m = URL_USERINFO.exec(text);
    if (m !== null) yield { index: start, 1: m[1]!, 2: m[2]!, 3: m[3]! };
  }
}

const DEFAULT_PASSWORDS = new Set([
  'password', 'passwd', 'pass', 'pwd', 'secret', 'changeme', 'example', 'test', 'testing', 'tests', 'dummy', 'redacted',
  'user', 'username', 'admin', 'root', 'postgres', 'mysql', 'guest', 'default', 'sample', 'foo', 'bar', 'foobar', 'baz',
  'token', 'placeholder', 'mypassword', 'yourpassword', 'pw', 'p', 'x', 'xxx', 'password123', 'secret123', 'admin123',
  'toor', 'letmein', 'qwerty', 'abc123', 'rabbitmq', 'redis', 'mongo', 'minio', 'minioadmin', 'minio123', 'oracle', 'sa',
]);

/** Is a URL's password a placeholder or a well-known default? */
export function isPlaceholderPassword(password: string, user: string): boolean {
  let v = password;
  try {
    v = decodeURIComponent(password);
  } catch {
    // keep the raw text
  }
  const lower = v.toLowerCase();
  if (lower === user.toLowerCase() || DEFAULT_PASSWORDS.has(lower)) return true;
  if (/^\*+$/.test(v) || /^\.+$/.test(v) || v.includes('$') || v.includes('{') || v.includes('%s') || /^<.*>$/.test(v)) return true;
  if (/password|passwd|secret|example|dummy|changeme|redacted|placeholder|^your|^my[-_]/i.test(v) || /xxx|XXX/.test(v)) return true;
  if (/pass|pwd|secret|example|dummy|changeme|admin/.test(unLeet(v))) return true;
  return new Set(v).size <= 1;
}

/**
 * Setting names that say the value is public (a public key, Stripe's publishable key, the
 * NEXT_PUBLIC_ prefix that bundles a value into the browser code): not a credential.
 */
const PUBLIC_NAME = /public|publishable/i;

/** Setting names that hold credentials in env files. */
const CREDENTIAL_NAME = /pass(?:word|wd)?(?:$|_)|pwd|secret|token|credential|auth|private|api_?key|access_?key|(?:^|_)key$|dsn$|_url$/i;

/**
 * The first setting of an env file (`.env`, `.env.production`) that holds a credential: a name
 * that says so (`*_PASSWORD`, `*_SECRET`, `*_TOKEN`, `*_KEY`, a URL with a password) and a value
 * that is not empty, a `${VAR}` reference, a placeholder or a well-known default.
 * `template` when it has settings and none holds a credential (a template, development
 * defaults, plain configuration); null when it has no `NAME=value` setting to judge by. Lines of a
 * patch (`+NAME=value`) count as settings.
 */
export function findDotenvCredential(text: string): { line: number; name: string } | 'template' | null {
  let n = 0;
  let settings = 0;
  for (const raw of text.split('\n')) {
    n++;
    const m = /^[+ -]?\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(raw);
    if (m === null) continue;
    settings++;
    const name = m[1]!;
    let value = m[2]!.trim();
    if (/^["']/.test(value)) value = value.slice(1, value.indexOf(value[0]!, 1) === -1 ? undefined : value.indexOf(value[0]!, 1));
    else value = value.replace(/\s+#.*$/, '');
    if (!CREDENTIAL_NAME.test(name) || PUBLIC_NAME.test(name) || value === '' || isReference(value)) continue;
    if (/_url$|dsn$/i.test(name)) {
      // A URL setting is a credential only with a real password in it.
      let real = false;
      for (const u of urlCredentials(value)) if (!isPlaceholderPassword(u[2], u[1])) real = true;
      if (real) return { line: n, name };
      continue;
    }
    // Only explicit placeholders make a template: a short or odd value is kept as a credential.
    if (/^(?:true|false|yes|no|on|off|none|null)$/i.test(value)) continue;
    if (value.length >= 4 && (isPlaceholder(value) || isPlaceholderPassword(value, '') || /^change/i.test(value))) continue;
    return { line: n, name };
  }
  return settings > 0 ? 'template' : null;
}

/** Is this host the user's own machine, a container network name or a documentation host? */
export function isLocalOrDocumentationHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === '' || h.includes('$') || h.includes('{')) return true;
  if (h === 'localhost' || h === '::1' || h === '0.0.0.0' || h.endsWith('.localhost')) return true;
  if (/^127\./.test(h) || /^10\./.test(h) || /^192\.168\./.test(h) || /^172\.(1[6-9]|2\d|3[01])\./.test(h)) return true;
  if (!h.includes('.') && !h.includes(':')) return true; // a single label: a Compose service, a host alias
  if (/(^|\.)example\.(com|org|net)$/.test(h)) return true;
  if (/\.(example|test|invalid|localhost|local|internal|lan|home\.arpa)$/.test(h) || h === 'host.docker.internal') return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// The scanner
// ---------------------------------------------------------------------------------------------

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

/** `_authToken=`, `_auth=`, `_password=` in npm configuration. */
const NPMRC_AUTH = /^\s*(?:\/\/[^\s=]*:)?(?:_authToken|_auth|_password)\s*=\s*(\S.*)$/;
/** Yarn Berry's `.yarnrc.yml`. */
const YARNRC_AUTH = /^\s*npmAuth(?:Token|Ident)\s*:\s*["']?([^"'\s#]+)/;
const TWILIO_AUTH_TOKEN = /twilio_?auth_?token["']?\s*(?:[:=]|=>)\s*["']?([0-9a-f]{32})(?![0-9A-Za-z])/gi;
const AWS_SECRET = /(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)["']?\s*(?:[:=]|=>)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;

function isReference(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  return v === '' || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v);
}

/**
 * Find secrets in a file's text. `name` is the file's base name (it decides which configuration
 * formats apply: `.npmrc`, `.yarnrc.yml`, kubeconfig, Docker's `config.json`, Git's `config`).
 * Every match is reported once per kind and line, in line order.
 */
export function scanSecretContent(text: string, name: string): SecretMatch[] {
  const found = new Map<string, SecretMatch>();
  let starts: number[] | null = null;
  const lineOf = (offset: number): number => {
    starts ??= lineStarts(text);
    return lineAt(starts, offset);
  };
  /** The shape of each match (a token's prefix, a PEM label, `url`), by key. */
  const shapes = new Map<string, string>();
  const add = (kind: SecretKind, line: number, description = SECRET_DESCRIPTIONS[kind], weak?: string, evidence?: string, shape?: string): void => {
    const key = `${line}:${kind}`;
    if (shape !== undefined && !shapes.has(key)) shapes.set(key, shape);
    const prior = found.get(key);
    // A strong match on a line wins over a weak one of the same kind.
    if (prior !== undefined && (prior.weak === undefined || weak !== undefined)) return;
    const match: SecretMatch = { kind, line, description };
    if (weak !== undefined) match.weak = weak;
    if (evidence !== undefined) match.evidence = evidence;
    found.set(key, match);
  };

  scanTokens(text, (kind, offset, weak, evidence, prefix) => add(kind.kind, lineOf(offset), kind.description, weak, evidence, prefix));
  scanPem(text, (offset, description, serviceAccount, evidence) =>
    serviceAccount
      ? add('gcp-service-account-key', lineOf(offset), undefined, undefined, `"type": "service_account" and a "private_key" whose ${evidence}`)
      : add('private-key', lineOf(offset), description, undefined, evidence, description),
  );
  scanPutty(text, (offset) => add('private-key', lineOf(offset), 'a PuTTY private key', undefined, 'a PuTTY-User-Key-File header and Private-Lines of base64'));

  if (text.includes('ecret') || text.includes('ECRET')) {
    for (const m of text.matchAll(AWS_SECRET)) {
      if (!isPlaceholder(m[1]!) && hasCleanEdges(text, m.index + m[0].length - 40, m.index + m[0].length, ALPHABETS.base64)) {
        add('aws-secret-access-key', lineOf(m.index), undefined, undefined, 'an AWS secret-key setting with a 40-character base64 value that is not a placeholder');
      }
    }
  }

  if (text.includes('uth') || text.includes('UTH')) {
    for (const m of text.matchAll(TWILIO_AUTH_TOKEN)) {
      if (!isPlaceholder(m[1]!)) add('twilio-api-key', lineOf(m.index), undefined, undefined, 'a Twilio auth-token setting with a 32-hex-digit value that is not a placeholder');
    }
  }

  const lower = name.toLowerCase();
  const gitConfig = lower === 'config' && text.includes('[remote');
  if (text.includes('@')) {
    for (const m of urlCredentials(text)) {
      const { 1: user, 2: password, 3: host } = m;
      if (isPlaceholderPassword(password, user)) continue;
      const kind: SecretKind = gitConfig ? 'git-remote-credentials' : 'url-credentials';
      const local = isLocalOrDocumentationHost(host);
      // A generated credential is long; a word of a few letters is a sample in code or docs.
      const short = !local && password.length < 6;
      add(
        kind,
        lineOf(m.index),
        SECRET_DESCRIPTIONS[kind],
        local
          ? `the host (${host}) is local or a documentation host: likely a development default`
          : short
            ? `the password has ${password.length} characters: likely a sample, too short for a generated credential`
            : undefined,
        `user:password@${host} in a URL; the password is not a placeholder or a well-known default${local ? '' : ', and the host is not local or a documentation host'}`,
        'url',
      );
    }
  }

  if (lower === '.npmrc' || lower === 'npmrc') {
    eachLine(text, (line, n) => {
      const m = NPMRC_AUTH.exec(line);
      if (m && !isReference(m[1]!) && !isPlaceholder(m[1]!)) add('npmrc-auth', n, undefined, undefined, 'an npm auth setting whose value is not a ${VAR} reference or a placeholder');
    });
  }
  if (lower === '.yarnrc.yml' || lower === '.yarnrc.yaml') {
    eachLine(text, (line, n) => {
      const m = YARNRC_AUTH.exec(line);
      if (m && !isReference(m[1]!) && !isPlaceholder(m[1]!)) add('npmrc-auth', n, undefined, undefined, 'a Yarn npmAuth setting whose value is not a ${VAR} reference or a placeholder');
    });
  }

  // kubeconfig: a Config document whose users carry a client key, a token or a password.
  if (text.includes('users:') && /^kind:\s*["']?Config["']?\s*$/m.test(text) && /^\s*users:\s*$/m.test(text)) {
    eachLine(text, (line, n) => {
      const m = /^\s*(client-key-data|token|password|id-token|refresh-token)\s*:\s*["']?([^"'\s]*)/.exec(line);
      if (m === null || isReference(m[2]!) || isPlaceholder(m[2]!)) return;
      if (m[1] === 'client-key-data') {
        const pem = decodeBase64(m[2]!)?.toString('latin1') ?? '';
        let real = false;
        scanPem(pem, () => (real = true));
        if (!real) return;
      } else if (m[2]!.length < 8) return;
      add('kubeconfig-credentials', n, undefined, undefined, `a kind: Config document whose users hold ${m[1]}${m[1] === 'client-key-data' ? ' (base64 of a PEM private key with a real body)' : ' with a real value'}`);
    });
  }

  // Docker's client configuration: base64 user:password per registry, or an identity token.
  if ((lower === 'config.json' || lower === '.dockercfg' || lower.endsWith('dockerconfig.json') || lower === '.dockerconfigjson') && text.includes('auth')) {
    for (const m of text.matchAll(/"(auth|identitytoken)"\s*:\s*"([A-Za-z0-9+/=_.-]{8,})"/g)) {
      if (m[1] === 'auth') {
        const decoded = decodeBase64(m[2]!)?.toString('utf8') ?? '';
        const colon = decoded.indexOf(':');
        if (colon <= 0 || isPlaceholderPassword(decoded.slice(colon + 1), decoded.slice(0, colon))) continue;
      } else if (isPlaceholder(m[2]!)) continue;
      add('docker-registry-auth', lineOf(m.index), undefined, undefined, m[1] === 'auth' ? 'an "auths" entry whose "auth" decodes to user:password' : 'an "auths" entry with an "identitytoken"');
    }
  }

  // Many tokens of one shape (one prefix, one PEM label) in one file are a list of samples (a
  // scanner's test cases, a format's documentation), not a leak: a real configuration holds one
  // or two. (Different shapes of one kind, such as ghp_ and gho_, do not add up.)
  const perShape = new Map<string, number>();
  for (const [key, shape] of shapes) if (found.has(key)) perShape.set(shape, (perShape.get(shape) ?? 0) + 1);
  for (const [key, shape] of shapes) {
    const m = found.get(key);
    const count = perShape.get(shape) ?? 0;
    if (m !== undefined && count >= SAMPLE_LIST_SIZE && m.weak === undefined) m.weak = `${count} of this shape in one file: likely a list of samples`;
  }
  return [...found.values()].sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind));
}

/** This many tokens of one kind in one file make a list of samples. */
export const SAMPLE_LIST_SIZE = 3;



/** The line holding offset `at`. */
function lineAround(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at) + 1;
  const end = text.indexOf('\n', at);
  return text.slice(start, end === -1 ? text.length : end);
}

function eachLine(text: string, visit: (line: string, n: number) => void): void {
  let n = 1;
  for (let start = 0; start <= text.length; n++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    visit(text.slice(start, end), n);
    start = end + 1;
  }
}

/** Tokens of TOKEN_KINDS: one pass for all prefixes, then each candidate format at that offset. */
function scanTokens(text: string, report: (kind: TokenKind, offset: number, weak: string | undefined, evidence: string, prefix: string) => void): void {
  const { byPrefix, prefixes } = compile();
  {
    prefixes.lastIndex = 0;
    for (let m = prefixes.exec(text); m !== null; m = prefixes.exec(text)) {
      const at = m.index;
      let matched = false;
      // Prefixes may share a start (sk-proj- / sk-): try every prefix found here.
      for (const [prefix, formats] of byPrefix) {
        if (prefix.charCodeAt(0) !== text.charCodeAt(at) || !text.startsWith(prefix, at)) continue;
        for (const c of formats) {
          c.regexp.lastIndex = at;
          const found = c.regexp.exec(text);
          if (found === null) continue;
          const token = found[0];
          const end = at + token.length;
          if (!hasCleanEdges(text, at, end, c.own)) continue;
          if (c.format.encodes && !decodesToJsonObject(c.format.encodes.from)(token)) continue;
          if (tokenIsPlaceholder(token, c.literals)) continue;
          let weak: string | undefined;
          if (SAMPLE_CONTEXT.test(lineAround(text, at))) weak = 'its line calls it an example: likely a sample';
          else if (c.format.checksum === 'base62-crc32' && !base62Crc32Holds(token)) weak = 'its CRC32 checksum does not verify: likely made up (a sample or test value)';
          else if (c.format.weak !== undefined) weak = c.format.weak;
          report(c.kind, at, weak, `${describeFormat(c.format)}${c.format.checksum && weak === undefined ? ', CRC32 checksum holds' : ''}, at word boundaries outside any longer base64 run`, prefix);
          matched = true;
          prefixes.lastIndex = end;
          break;
        }
        if (matched) break;
      }
      // Go on after the token (its body holds no other token), or after the prefix.
      if (!matched) prefixes.lastIndex = at + m[0].length;
    }
  }
}

/** PEM private keys with a real body; keys inside a service-account JSON are reported as such. */
function scanPem(text: string, report: (offset: number, description: string, serviceAccount: boolean, evidence: string) => void): void {
  if (!text.includes('PRIVATE KEY')) return;
  const serviceAccount = text.includes('service_account') && /"type"\s*:\s*"service_account"/.test(text);
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(text); m !== null; m = PEM_BEGIN.exec(text)) {
    const label = `${m[1] ?? ''}PRIVATE KEY${m[2] ?? ''}`;
    const body = readPemBody(text, m.index + m[0].length);
    const description = pemKeyDescription(label, body);
    if (description === null) continue;
    const evidence = `BEGIN ${label} armour whose base64 body decodes to ${Math.floor((body.base64.length * 3) / 4)} bytes with the leading bytes of ${description.replace(/^an? /, '')}${body.encrypted ? ' (Proc-Type: ENCRYPTED)' : ''}`;
    const inJson = serviceAccount && /"private_key"\s*:\s*"$/.test(text.slice(Math.max(0, m.index - 40), m.index));
    report(inJson ? text.lastIndexOf('"private_key"', m.index) : m.index, description, inJson, evidence);
  }
}

/** PuTTY's .ppk format: a header, then `Private-Lines: N` and base64 lines. */
function scanPutty(text: string, report: (offset: number) => void): void {
  if (!text.includes('PuTTY-User-Key-File-')) return;
  for (const m of text.matchAll(/^PuTTY-User-Key-File-[23]: /gm)) {
    const rest = text.slice(m.index, m.index + 16 * 1024);
    const lines = /\nPrivate-Lines: (\d+)\r?\n((?:[A-Za-z0-9+/=]+\r?\n?){1,200})/.exec(rest);
    if (lines === null) continue;
    const body = lines[2]!.replace(/\s+/g, '');
    if (body.length >= 40 && !isPlaceholder(body.slice(0, 64))) report(m.index);
  }
}
