import type { RuleId, Severity } from './types.js';

/** What a rule checks, how severe its findings are, and an example that triggers it. */
export interface RuleInfo {
  severity: Severity;
  summary: string;
  example: string;
}

/**
 * Every rule of `ctxsize check`, in the order docs/check-rules.md lists them. Severities live here only:
 * errors are builds that fail or leak secrets, warnings are ignore files that do not do what they
 * say, infos are harmless but worth knowing.
 */
export const RULES: Record<RuleId, RuleInfo> = {
  'ignore-file-unreadable': {
    severity: 'error',
    summary: 'Docker cannot read the ignore file at all (a line longer than 64 KiB)',
    example: 'a 70 000-character line in .dockerignore',
  },
  'malformed-pattern': {
    severity: 'error',
    summary: 'a pattern Go\'s filepath.Match rejects: Docker refuses the build',
    example: '`src/[a-` or `foo\\` (trailing backslash)',
  },
  'pattern-compile-error': {
    severity: 'error',
    summary: 'a pattern that passes the syntax check but fails when Docker first evaluates it',
    example: '`[[:foo:]]`, `\\p` (invalid in Go regular expressions)',
  },
  'bare-exclamation': {
    severity: 'error',
    summary: 'a line holding only `!`: Docker refuses the build',
    example: '`!`',
  },
  'misplaced-comment': {
    severity: 'warning',
    summary: '`#` after leading whitespace is not a comment but a pattern',
    example: '`  # dependencies`',
  },
  'trailing-comment': {
    severity: 'warning',
    summary: 'a comment after a pattern becomes part of the pattern, which then matches nothing',
    example: '`node_modules # deps`',
  },
  'dockerfile-error': {
    severity: 'error',
    summary: 'BuildKit would refuse the Dockerfile before transferring anything (its sources cannot be checked)',
    example: '`COPY --from=7 …` in a three-stage file, a malformed `--mount`',
  },
  'source-excluded': {
    severity: 'error',
    summary: 'a COPY/ADD source or RUN --mount=type=bind source that the ignore file excludes: the build fails',
    example: '`COPY dist /app` with `dist` in .dockerignore',
  },
  'source-missing': {
    severity: 'error',
    summary: 'a COPY/ADD source or bind-mount source that names nothing in the context directory: the build fails (a wildcard matching nothing is allowed)',
    example: '`COPY requirements.txt .` with no requirements.txt',
  },
  'wildcard-source-excluded': {
    severity: 'warning',
    summary: 'a wildcard COPY/ADD source whose matches the ignore file all excludes: BuildKit allows empty wildcards, so the build silently copies nothing',
    example: '`COPY *.lock ./` with `*.lock` in .dockerignore',
  },
  'gitignore-style-pattern': {
    severity: 'warning',
    summary: 'a pattern written as for .gitignore: it only matches at the top level and misses the deeper paths it targets',
    example: '`node_modules` while packages/a/node_modules is sent (use `**/node_modules`)',
  },
  'unmatched-pattern': {
    severity: 'info',
    summary: 'an exclusion that matches nothing in the tree (often a harmless guard for files that may appear later)',
    example: '`coverage` with no coverage directory',
  },
  'unmatched-exception': {
    severity: 'warning',
    summary: 'an exception (`!…`) that matches nothing: usually a typo or a stale path in an allow-list',
    example: '`*` then `!scr`',
  },
  'redundant-pattern': {
    severity: 'info',
    summary: 'removing the pattern changes nothing: another rule (named) already covers it',
    example: '`node_modules` then `**/node_modules`',
  },
  'overridden-exception': {
    severity: 'warning',
    summary: 'an exception undone by a later exclusion (the last matching rule wins)',
    example: '`!src/keep.txt` then `src`',
  },
  'builder-difference': {
    severity: 'warning',
    summary: 'the rule sends different paths under BuildKit and the classic builder (paths listed)',
    example: '`*` then `!src/**/*.go`: the classic builder never enters src/a',
  },
  'classic-sends-build-files': {
    severity: 'info',
    summary: 'the ignore file excludes the Dockerfile or .dockerignore, which the classic builder sends anyway',
    example: '`Dockerfile` in .dockerignore',
  },
  'shadowed-ignore-file': {
    severity: 'warning',
    summary: '<Dockerfile>.dockerignore silently replaces .dockerignore under BuildKit; the classic builder reads the other',
    example: 'Dockerfile.dockerignore and .dockerignore with different rules',
  },
  'secret-file': {
    severity: 'error',
    summary: 'a file whose name marks it as a secret is in the (effective) context',
    example: '.env, id_rsa, .git-credentials, terraform.tfstate, kubeconfig',
  },
  'secret-content': {
    severity: 'error',
    summary: 'a file in the (effective) context holds a private key or token (its kind and line are named, never its value)',
    example: 'a PEM private key, an AWS access key, an npm _authToken',
  },
  'case-mismatch': {
    severity: 'info',
    summary: 'a pattern differs only by letter case from paths it misses: Docker matches case-sensitively',
    example: '`readme.md` while the tree holds README.md',
  },
  'case-insensitive-fs': {
    severity: 'info',
    summary: 'the file system is case-insensitive but Docker\'s matching is not',
    example: 'a context on macOS APFS or Windows NTFS',
  },
  'unreadable-path': {
    severity: 'warning',
    summary: 'a path in the context cannot be read: Docker fails on it too',
    example: 'a directory without read permission',
  },
};

/** The severity of a rule. */
export function severityOf(rule: RuleId): Severity {
  return RULES[rule].severity;
}
