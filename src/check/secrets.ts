import { ArtifactMatcher, ARTIFACTS, dockerignoreLinesFor, type ArtifactRule } from '../knowledge/artifacts.js';
import {
  BINARY_EXTENSIONS,
  canHoldSecretsWhenLarge,
  extensionOf,
  looksBinary,
  scanSecretContent,
  SECRET_SCAN_CHUNK_OVERLAP,
  SECRET_SCAN_LARGE_MAX_BYTES,
  SECRET_SCAN_MAX_BYTES,
  type SecretMatch,
} from '../knowledge/secret-content.js';
import { severityOf } from './rules.js';
import { scanReadResult, type FileScan, type ReadResult } from './scan-file.js';
import { baseName, fromParents, topmost, type TreeIndex } from './tree.js';
import { withPaths, type Finding } from './types.js';
import type { Entry } from '../walk/entry.js';

/**
 * Table entries whose name alone does not make a secret: a `.pem` may be a certificate, a `.key`
 * a public key, an `.npmrc` may hold only a registry URL. Their content decides when it can be
 * read; when it cannot (too large, binary, unreadable) the name still counts.
 */
const CONTENT_DECIDES = new Set(['npmrc', 'pem-keys', 'key-files']);

/**
 * Env files: secrets by name, but a template or a file of defaults holds none. When the content
 * can be read it decides the severity (an error with the setting's line, else `info`).
 */
const ENV_FILES = new Set(['dotenv', 'dotenv-variants']);

/**
 * Table categories whose directories are not searched for secrets: installed dependencies are
 * third-party code, whose test keys and sample files are not the project's secrets. (VCS data is
 * searched: `.git/config` may hold a token in a remote URL.)
 */
const FOREIGN = new Set(['dependencies']);

export type { ReadResult } from './scan-file.js';

export interface SecretInput {
  tree: TreeIndex;
  /** The paths that are sent: the effective context when a Dockerfile says what the build uses. */
  sent: ReadonlySet<string>;
  /** Reads a regular file of the context for the content scan. */
  read: (entry: Entry) => ReadResult;
  /**
   * The scan of a file done ahead of time (check reads files on another thread while it walks),
   * or undefined to read it with `read` now. Either way the answer is {@link scanFile}'s.
   */
  scanned?: (entry: Entry) => FileScan | undefined;
  /**
   * Reads `length` bytes at `position` of a file too large for `read` (null when it cannot be
   * read). Without it, large files that can hold secrets are reported unscanned.
   */
  readRange?: (entry: Entry, position: number, length: number) => Uint8Array | null;
  /** The size above which `read` skips a file (default SECRET_SCAN_MAX_BYTES). */
  maxScanBytes?: number;
  /** Turns a context-relative path into the `file` of a finding. */
  display: (path: string) => string;
  /** The ignore file that would take the fix (its display name), or null when there is none yet. */
  ignoreFile: string | null;
  /** Paths the Dockerfile names as sources: excluding them would break the build. */
  usedByBuild?: (path: string) => boolean;
  /** What the sent set is, for messages ("the context BuildKit transfers for this Dockerfile"). */
  contextLabel: string;
}

let secretMatcher: ArtifactMatcher | null = null;

/** The first secrets entry of the shared table that matches the path. */
function secretRuleFor(path: string, kind: 'dir' | 'file'): ArtifactRule | null {
  secretMatcher ??= new ArtifactMatcher(ARTIFACTS.filter((rule) => rule.category === 'secrets'));
  return secretMatcher.match(path, kind);
}

let foreignMatcher: ArtifactMatcher | null = null;

/** Is this directory installed dependencies? */
function isForeignDir(path: string): boolean {
  foreignMatcher ??= new ArtifactMatcher(ARTIFACTS.filter((rule) => FOREIGN.has(rule.category)));
  return foreignMatcher.match(path, 'dir') !== null;
}

/**
 * Where test keys live: the reason a key there is a warning. Test fixtures are sent (and shipped)
 * all the same, so they are still reported.
 */
export function testLocation(path: string): string | null {
  const segments = path.split('/');
  const base = segments[segments.length - 1]!;
  for (let i = 0; i < segments.length - 1; i++) {
    const s = segments[i]!;
    if (s === 'testdata' || s === 'fixtures' || s === '__fixtures__' || s === '__tests__' || s === '__mocks__' || s === 'test-fixtures') {
      return `under ${segments.slice(0, i + 1).join('/')}/`;
    }
    if (s === 'test' || s === 'tests' || s === 'spec' || s === 'testing') return `under ${segments.slice(0, i + 1).join('/')}/`;
    if (s === 'examples' || s === 'example' || s === 'samples' || s === 'sample') return `under ${segments.slice(0, i + 1).join('/')}/`;
    // Vendored third-party code (Go's vendor/, copied libraries): its keys are its own tests'.
    if (s === 'vendor' || s === 'third_party' || s === 'third-party') return `under ${segments.slice(0, i + 1).join('/')}/ (third-party code)`;
  }
  if (/_test\.[^.]+$/.test(base) || /\.(?:test|spec)\.[^/]+$/.test(base) || /^test_[^/]+\.py$/.test(base)) return `in a test file (${base})`;
  // "test" as a word of the name: keys_test_data.go, verify_test_dsa.go, test_keys.rs, testkey.pem.
  const stem = base.replace(/\.[^.]*$/, '');
  if (/(?:^|[_.-])(?:test|tests|testing)(?:[_.-]|$)|^test[_-]?keys?$/i.test(stem)) return `in a test file (${base})`;
  return null;
}

function quoted(lines: readonly string[]): string {
  return lines.map((l) => JSON.stringify(l)).join(', ');
}

/**
 * The fix for a secret. A file that a COPY source needs is never to be excluded: the key moves
 * out of it and into a secret mount. A file whose name makes it a secret can be excluded. A
 * key inside any other file (source, configuration) moves out of that file: excluding the file
 * could break a `COPY . .` build that needs it.
 */
function secretFix(input: SecretInput, path: string, lines: readonly string[] | null, what: string): string {
  const where = input.ignoreFile ?? '.dockerignore (create it in the context root)';
  if (input.usedByBuild?.(path)) {
    return `the Dockerfile copies ${path}, so do not exclude it: move the ${what} out of it and pass it with RUN --mount=type=secret (docker build --secret), or at run time from the environment`;
  }
  if (lines !== null) return `add ${quoted(lines)} to ${where}; if the build needs it, pass it with RUN --mount=type=secret instead`;
  return `move the ${what} out of ${path} (read it from the environment or a secret store at run time; at build time use RUN --mount=type=secret)`;
}

/** Files of a Git directory that can hold a credential (a remote URL with a token); the rest is objects and refs. */
const GIT_FILES_WITH_CREDENTIALS = new Set(['config', 'FETCH_HEAD']);

/** Does its name make the file an env file (whose settings decide its severity)? */
export function isEnvFile(path: string): boolean {
  const rule = secretRuleFor(path, 'file');
  return rule !== null && ENV_FILES.has(rule.id);
}

/** The scan of one file as findSecrets makes it (its name decides whether env settings are read too). */
export function scanFile(result: ReadResult, path: string): FileScan {
  return scanReadResult(result, baseName(path), isEnvFile(path));
}

/** Is this directory installed dependencies, whose files the scan leaves alone? */
export { isForeignDir };

/** The context's files that a content scan reads: not binary by name, and in `.git` only its config. */
export function scannable(entry: Pick<Entry, 'path'>): boolean {
  const name = baseName(entry.path);
  if ((entry.path.startsWith('.git/') || entry.path.includes('/.git/')) && !GIT_FILES_WITH_CREDENTIALS.has(name)) return false;
  return !BINARY_EXTENSIONS.has(extensionOf(name));
}

/** Scan a file too large for one read, chunk by chunk with overlap; null when it cannot be read. */
function scanLarge(input: SecretInput, entry: Entry): SecretMatch[] | 'binary' | null {
  const readRange = input.readRange;
  if (readRange === undefined) return null;
  const chunk = SECRET_SCAN_MAX_BYTES;
  const found = new Map<string, SecretMatch>();
  let linesBefore = 0; // newlines before `position`
  for (let position = 0; position < entry.size; ) {
    const bytes = readRange(entry, position, Math.min(chunk, entry.size - position));
    if (bytes === null) return null;
    if (bytes.length === 0) break;
    if (position === 0 && looksBinary(bytes)) return 'binary';
    // Cut at a line end so that lines are whole; the next chunk starts OVERLAP bytes earlier.
    const last = position + bytes.length >= entry.size;
    let cut = bytes.length;
    if (!last) {
      const nl = bytes.lastIndexOf(10);
      if (nl > bytes.length / 2) cut = nl + 1;
    }
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, cut).toString('utf8');
    for (const m of scanSecretContent(text, baseName(entry.path))) {
      const line = m.line + linesBefore;
      const key = `${line}:${m.kind}`;
      if (!found.has(key)) found.set(key, { ...m, line });
    }
    if (last) break;
    // Next chunk: from the first line start at least OVERLAP bytes before the cut.
    let next = Math.max(cut - SECRET_SCAN_CHUNK_OVERLAP, 1);
    const nl = bytes.indexOf(10, next - 1);
    next = nl === -1 || nl + 1 >= cut ? cut : nl + 1;
    for (let i = 0; i < next; i++) if (bytes[i] === 10) linesBefore++;
    position += next;
  }
  return [...found.values()];
}

/**
 * Secrets in the context: files and directories whose names the shared table lists as secrets,
 * and regular files whose content holds a key or a token. Never reports the secret itself. The
 * only I/O is `input.read` and `input.readRange`.
 */
export function findSecrets(input: SecretInput): Finding[] {
  const findings: Finding[] = [];
  const byName = new Map<string, ArtifactRule>();
  const reported = new Set<string>();
  const max = input.maxScanBytes ?? SECRET_SCAN_MAX_BYTES;

  // Installed dependencies are third-party: their test keys and sample .env files are not the
  // project's secrets (and the dependency folder in the context is the problem itself).
  const { tree } = input;
  const foreignFlags = fromParents(tree, (i, parent) => (parent === 1 || (tree.entries[i]!.type === 'dir' && isForeignDir(tree.entries[i]!.path)) ? 1 : 0));
  const foreign = { has: (i: number): boolean => foreignFlags[i] === 1 };

  // The sent entries, in tree order: both passes below look at nothing else.
  const sentIndexes: number[] = [];
  for (const p of input.sent) {
    const i = tree.byPath.get(p);
    if (i !== undefined) sentIndexes.push(i);
  }
  sentIndexes.sort((a, b) => a - b);

  // Names first: a secret directory (.aws, .kube) covers everything below it.
  for (const i of sentIndexes) {
    const entry = tree.entries[i]!;
    if (foreign.has(i) || (entry.type !== 'file' && entry.type !== 'dir')) continue;
    const rule = secretRuleFor(entry.path, entry.type);
    if (rule !== null) byName.set(entry.path, rule);
  }
  const secretDirs = topmost([...byName].filter(([p]) => input.tree.entries[input.tree.byPath.get(p)!]!.type === 'dir').map(([p]) => p));
  const secretDirSet = new Set(secretDirs);
  const insideSecretDir = (path: string): boolean => {
    if (secretDirSet.size === 0) return false;
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) if (secretDirSet.has(path.slice(0, i))) return true;
    return false;
  };

  // Content: every regular file that is sent and can hold text.
  const contentHits = new Map<string, SecretMatch[]>();
  const unscanned = new Set<string>();
  const tooLarge: Entry[] = [];
  /** Env files read: the first setting holding a credential, or null. */
  const envCredentials = new Map<string, { line: number; name: string } | 'template' | null>();
  for (const i of sentIndexes) {
    const entry = tree.entries[i]!;
    if (entry.type !== 'file' || foreign.has(i) || insideSecretDir(entry.path)) continue;
    if (!scannable(entry) && !byName.has(entry.path)) continue;
    let matches: SecretMatch[];
    if (entry.size > max) {
      if (!canHoldSecretsWhenLarge(baseName(entry.path)) && !byName.has(entry.path)) continue;
      const large = entry.size <= SECRET_SCAN_LARGE_MAX_BYTES ? scanLarge(input, entry) : null;
      if (large === 'binary') continue;
      if (large === null) {
        if (byName.has(entry.path)) unscanned.add(entry.path);
        else tooLarge.push(entry);
        continue;
      }
      matches = large;
    } else {
      const scan = input.scanned?.(entry) ?? scanFile(input.read(entry), entry.path);
      if ('skipped' in scan) {
        if (byName.has(entry.path)) unscanned.add(entry.path);
        continue;
      }
      matches = scan.matches;
      if (scan.env !== undefined && byName.has(entry.path)) envCredentials.set(entry.path, scan.env);
    }
    if (matches.length > 0) contentHits.set(entry.path, matches);
  }

  for (const dir of secretDirs) {
    const rule = byName.get(dir)!;
    const files = input.tree.entries.filter((e) => e.type === 'file' && e.path.startsWith(dir + '/') && input.sent.has(e.path));
    const test = testLocation(dir + '/');
    findings.push(
      withPaths(
        {
          severity: test === null ? severityOf('secret-file') : 'warning',
          rule: 'secret-file',
          file: input.display(dir),
          line: 0,
          message: `${dir}/ is in ${input.contextLabel}: ${rule.reason}${test === null ? '' : ` (${test}: likely test data; it still ships in the image)`}`,
          fix: secretFix(input, dir, dockerignoreLinesFor(rule, dir), 'credentials'),
          evidence: `its name matches the knowledge table's ${rule.id} entry (${JSON.stringify(rule.pattern)})`,
        },
        files.map((f) => f.path),
        files.reduce((sum, f) => sum + f.size, 0),
      ),
    );
    reported.add(dir);
  }

  for (const [path, rule] of byName) {
    if (reported.has(path) || insideSecretDir(path)) continue;
    if (CONTENT_DECIDES.has(rule.id) && !unscanned.has(path)) continue; // the content scan decides
    // Reported with its kind and line below, unless every match there is doubtful: a `.env` whose
    // only match is a localhost URL is still a secret file by its name.
    if (contentHits.get(path)?.some((m) => m.weak === undefined)) continue;
    const test = testLocation(path);
    const env = envCredentials.get(path);
    if (env === 'template') {
      // Read, and no setting holds a credential: a template, defaults or plain configuration.
      findings.push({
        severity: 'info',
        rule: 'secret-file',
        file: input.display(path),
        line: 0,
        message: `${path} is in ${input.contextLabel}; no setting in it holds a credential now (values are empty, \${VAR}, placeholders, defaults or not credentials), but env files tend to collect them`,
        fix: `review it; ${secretFix(input, path, dockerignoreLinesFor(rule, path), 'credentials')}`,
        evidence: `its name matches the knowledge table's ${rule.id} entry (${JSON.stringify(rule.pattern)}); its settings were read`,
        paths: [path],
      });
      continue;
    }
    findings.push({
      severity: test === null ? severityOf('secret-file') : 'warning',
      rule: 'secret-file',
      file: input.display(path),
      line: 0,
      message: `${path} is in ${input.contextLabel}: ${rule.reason}${test === null ? '' : ` (${test}: likely test data; it still ships in the image)`}`,
      fix: secretFix(input, path, dockerignoreLinesFor(rule, path), 'credentials'),
      evidence:
        `its name matches the knowledge table's ${rule.id} entry (${JSON.stringify(rule.pattern)})` +
        (env ? `, and ${env.name} on line ${env.line} holds a value that is not a placeholder` : CONTENT_DECIDES.has(rule.id) ? ' and its content could not be read' : ''),
      paths: [path],
    });
  }

  for (const [path, matches] of contentHits) {
    // A file whose name marks it as a secret and whose content proves it can be excluded, by its
    // own path: a broad pattern (`**/*.pem`) would also take certificates the image may need.
    const lines = byName.has(path) ? [path] : null;
    const test = testLocation(path);
    for (const match of matches) {
      const sample = test !== null && /^under (?:.*\/)?(?:examples?|samples?)\/$/.test(test);
      const doubt = test !== null ? `${test}: likely a ${sample ? 'sample' : 'test'} key; it still ships in the image` : match.weak;
      const what = match.kind === 'private-key' || match.kind === 'gcp-service-account-key' ? 'key' : 'credential';
      const fix = secretFix(input, path, lines, what);
      findings.push({
        severity: doubt === undefined ? severityOf('secret-content') : 'warning',
        rule: 'secret-content',
        file: input.display(path),
        line: match.line,
        message: `${match.description} on line ${match.line} of ${path}, which is in ${input.contextLabel}${doubt === undefined ? '' : ` (${doubt})`}`,
        fix: doubt === undefined ? `${fix}; treat the ${what} as leaked and rotate it` : fix,
        ...(match.evidence === undefined ? {} : { evidence: match.evidence }),
        paths: [path],
      });
    }
  }

  for (const entry of tooLarge) {
    const mib = (entry.size / (1024 * 1024)).toFixed(1);
    findings.push({
      severity: 'info',
      rule: 'secret-content',
      file: input.display(entry.path),
      line: 0,
      message: `${entry.path} (${mib} MiB) was not scanned for secrets: it is over the ${entry.size > SECRET_SCAN_LARGE_MAX_BYTES ? SECRET_SCAN_LARGE_MAX_BYTES / (1024 * 1024) : max / (1024 * 1024)} MiB scan limit, and files of its kind can hold credentials`,
      fix: `review it, or keep it out of ${input.contextLabel} if the build does not need it`,
      paths: [entry.path],
      bytes: entry.size,
    });
  }
  return findings;
}
