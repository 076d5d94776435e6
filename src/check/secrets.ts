import { ArtifactMatcher, ARTIFACTS, dockerignoreLinesFor, type ArtifactRule } from '../knowledge/artifacts.js';
import { scanSecretContent, type SecretMatch } from '../knowledge/secret-content.js';
import { severityOf } from './rules.js';
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
 * Table categories whose directories are not searched for secrets: installed dependencies are
 * third-party code, whose test keys and sample files are not the project's secrets. (VCS data is
 * searched: `.git/config` may hold a token in a remote URL.)
 */
const FOREIGN = new Set(['dependencies']);

/** The result of reading one file for the content scan. */
export type ReadResult = { text: string } | { skipped: 'too-large' | 'binary' | 'unreadable' };

export interface SecretInput {
  tree: TreeIndex;
  /** The paths that are sent: the effective context when a Dockerfile says what the build uses. */
  sent: ReadonlySet<string>;
  /** Reads a regular file of the context for the content scan. */
  read: (entry: Entry) => ReadResult;
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

function ignoreAdvice(input: SecretInput, lines: readonly string[], path: string): string {
  const where = input.ignoreFile ?? '.dockerignore (create it in the context root)';
  if (input.usedByBuild?.(path)) {
    return `the Dockerfile uses it: pass it with RUN --mount=type=secret (docker build --secret) instead, then add ${lines
      .map((l) => JSON.stringify(l))
      .join(', ')} to ${where}`;
  }
  return `add ${lines.map((l) => JSON.stringify(l)).join(', ')} to ${where}; if the build needs it, pass it with RUN --mount=type=secret`;
}

/**
 * Secrets in the context: files and directories whose names the shared table lists as secrets,
 * and regular files whose content holds a key or a token. Never reports the secret itself. The
 * only I/O is `input.read`.
 */
export function findSecrets(input: SecretInput): Finding[] {
  const findings: Finding[] = [];
  const byName = new Map<string, ArtifactRule>();
  const reported = new Set<string>();

  // Installed dependencies are third-party: their test keys and sample .env files are not the
  // project's secrets (and the dependency folder in the context is the problem itself).
  const { tree } = input;
  const foreignFlags = fromParents(tree, (i, parent) => (parent === 1 || (tree.entries[i]!.type === 'dir' && isForeignDir(tree.entries[i]!.path)) ? 1 : 0));
  const foreign = { has: (i: number): boolean => foreignFlags[i] === 1 };

  // Names first: a secret directory (.aws, .kube) covers everything below it.
  tree.entries.forEach((entry, i) => {
    if (foreign.has(i) || !input.sent.has(entry.path) || (entry.type !== 'file' && entry.type !== 'dir')) return;
    const rule = secretRuleFor(entry.path, entry.type);
    if (rule !== null) byName.set(entry.path, rule);
  });
  const secretDirs = topmost([...byName].filter(([p]) => input.tree.entries[input.tree.byPath.get(p)!]!.type === 'dir').map(([p]) => p));
  const secretDirSet = new Set(secretDirs);
  const insideSecretDir = (path: string): boolean => {
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) if (secretDirSet.has(path.slice(0, i))) return true;
    return false;
  };

  // Content: every regular file that is sent.
  const contentHits = new Map<string, SecretMatch[]>();
  const unscanned = new Set<string>();
  tree.entries.forEach((entry, i) => {
    if (entry.type !== 'file' || foreign.has(i) || !input.sent.has(entry.path)) return;
    const result = input.read(entry);
    if ('skipped' in result) {
      if (byName.has(entry.path)) unscanned.add(entry.path);
      return;
    }
    const matches = scanSecretContent(result.text, baseName(entry.path));
    if (matches.length > 0) contentHits.set(entry.path, matches);
  });

  for (const dir of secretDirs) {
    const rule = byName.get(dir)!;
    const files = input.tree.entries.filter((e) => e.type === 'file' && e.path.startsWith(dir + '/') && input.sent.has(e.path));
    findings.push(
      withPaths(
        {
          severity: severityOf('secret-file'),
          rule: 'secret-file',
          file: input.display(dir),
          line: 0,
          message: `${dir}/ is in ${input.contextLabel}: ${rule.reason}`,
          fix: ignoreAdvice(input, dockerignoreLinesFor(rule, dir), dir),
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
    if (contentHits.has(path)) continue; // reported with its kind and line below
    findings.push({
      severity: severityOf('secret-file'),
      rule: 'secret-file',
      file: input.display(path),
      line: 0,
      message: `${path} is in ${input.contextLabel}: ${rule.reason}`,
      fix: ignoreAdvice(input, dockerignoreLinesFor(rule, path), path),
      paths: [path],
    });
  }

  for (const [path, matches] of contentHits) {
    if (insideSecretDir(path)) continue;
    const rule = byName.get(path);
    const lines = rule ? dockerignoreLinesFor(rule, path) : [path];
    for (const match of matches) {
      findings.push({
        severity: severityOf('secret-content'),
        rule: 'secret-content',
        file: input.display(path),
        line: match.line,
        message: `${match.description} on line ${match.line} of ${path}, which is in ${input.contextLabel}`,
        fix: `${ignoreAdvice(input, lines, path)}; treat the credential as leaked and rotate it`,
        paths: [path],
      });
    }
  }
  return findings;
}
