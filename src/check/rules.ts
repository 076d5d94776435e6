import type { RuleId, Severity } from './types.js';

/** What a rule checks, how severe its findings are, and an example that triggers it. */
export interface RuleInfo {
  severity: Severity;
  summary: string;
  example: string;
  /** What a finding of this rule rests on, when the finding names nothing more precise. */
  basis: string;
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
    basis: "the ignore file's bytes, read as Docker reads them",
  },
  'malformed-pattern': {
    severity: 'error',
    summary: 'a pattern Go\'s filepath.Match rejects: Docker refuses the build',
    example: '`src/[a-` or `foo\\` (trailing backslash)',
    basis: "the pattern, compiled as Go's filepath.Match compiles it",
  },
  'pattern-compile-error': {
    severity: 'error',
    summary: 'a pattern that passes the syntax check but fails when Docker first evaluates it',
    example: '`[[:foo:]]`, `\\p` (invalid in Go regular expressions)',
    basis: "the pattern, compiled as Docker compiles it when its walk first evaluates it",
  },
  'bare-exclamation': {
    severity: 'error',
    summary: 'a line holding only `!`: Docker refuses the build',
    example: '`!`',
    basis: "the line's text, parsed as Docker parses it",
  },
  'misplaced-comment': {
    severity: 'warning',
    summary: '`#` after leading whitespace is not a comment but a pattern',
    example: '`  # dependencies`',
    basis: "the line's text: Docker only takes `#` as the first character for a comment",
  },
  'trailing-comment': {
    severity: 'warning',
    summary: 'a comment after a pattern becomes part of the pattern, which then matches nothing',
    example: '`node_modules # deps`',
    basis: "the line's text and the paths it would match without the comment",
  },
  'dockerfile-error': {
    severity: 'error',
    summary: 'BuildKit would refuse the Dockerfile before transferring anything (its sources cannot be checked)',
    example: '`COPY --from=7 …` in a three-stage file, a malformed `--mount`',
    basis: "the Dockerfile, parsed as BuildKit's frontend parses it",
  },
  'unresolved-variable': {
    severity: 'warning',
    summary: 'a stage name, COPY/ADD source or bind-mount source holds a variable nothing sets (no default, no --build-arg): it expands to nothing, so the effective context may not be what the build uses',
    example: '`ARG VERSION` then `COPY dist/app-$VERSION.jar /app.jar`',
    basis: "the Dockerfile's variables, expanded as BuildKit's frontend expands them for this build",
  },
  'source-excluded': {
    severity: 'error',
    summary: 'a COPY/ADD source or RUN --mount=type=bind source that the ignore file excludes: the build fails',
    example: '`COPY dist /app` with `dist` in .dockerignore',
    basis: "the Dockerfile's source and the ignore file's rule that excludes it",
  },
  'source-missing': {
    severity: 'error',
    summary: 'a COPY/ADD source or bind-mount source that names nothing in the context directory: the build fails (a warning when git ignores the path: a build output made before docker build)',
    example: '`COPY requirements.txt .` with no requirements.txt',
    basis: "the Dockerfile's source and the directory's listing",
  },
  'wildcard-source-excluded': {
    severity: 'warning',
    summary: 'a wildcard COPY/ADD source whose matches the ignore file all excludes: BuildKit allows empty wildcards, so the build silently copies nothing',
    example: '`COPY *.lock ./` with `*.lock` in .dockerignore',
    basis: "the Dockerfile's wildcard source and the ignore file's rules",
  },
  'empty-wildcard-source': {
    severity: 'warning',
    summary: 'every source of a COPY/ADD is a wildcard that matches nothing: BuildKit copies nothing, and the image lacks what it names',
    example: '`COPY build/libs/*.jar app.jar` before the jar is built',
    basis: "the Dockerfile's instruction, whose every source matches nothing in the directory",
  },
  'gitignore-style-pattern': {
    severity: 'warning',
    summary: 'a pattern written as for .gitignore: it only matches at the top level and misses deeper copies that git ignores (built or installed locally)',
    example: '`node_modules` while packages/a/node_modules is sent (use `**/node_modules`)',
    basis: "the deeper paths' status in git (ignored, so built or installed locally)",
  },
  'unmatched-pattern': {
    severity: 'info',
    summary: 'an exclusion that matches nothing in the tree (often a harmless guard for files that may appear later)',
    example: '`coverage` with no coverage directory',
    basis: "the directory's listing: no path matches it",
  },
  'unmatched-exception': {
    severity: 'warning',
    summary: 'an exception (`!…`) that matches nothing: usually a typo or a stale path in an allow-list (an info when a Dockerfile source or git shows it names a build output)',
    example: '`*` then `!scr`',
    basis: "the directory's listing, the Dockerfiles' sources and git's view of what it names",
  },
  'redundant-pattern': {
    severity: 'info',
    summary: 'removing the line changes no verdict, in the tree or below re-included directories: the named rule already decides every path it matches',
    example: '`node_modules` then `**/node_modules`',
    basis: "the verdicts with and without the line, for the tree's paths and paths that may appear",
  },
  'overridden-exception': {
    severity: 'warning',
    summary: 'an exception undone by a later exclusion (the last matching rule wins)',
    example: '`!src/keep.txt` then `src`',
    basis: "the later rule that matches every path the exception names",
  },
  'builder-difference': {
    severity: 'warning',
    summary: 'the rule sends different paths under BuildKit and the classic builder (paths listed)',
    example: '`*` then `!src/**/*.go`: the classic builder never enters src/a',
    basis: "both builders' walks of the directory",
  },
  'classic-sends-build-files': {
    severity: 'info',
    summary: 'the ignore file excludes the Dockerfile or .dockerignore, which the classic builder sends anyway',
    example: '`Dockerfile` in .dockerignore',
    basis: "the classic builder's rule of always sending the Dockerfile and .dockerignore",
  },
  'shadowed-ignore-file': {
    severity: 'warning',
    summary: '<Dockerfile>.dockerignore silently replaces .dockerignore under BuildKit; the classic builder reads the other',
    example: 'Dockerfile.dockerignore and .dockerignore with different rules',
    basis: "both ignore files and what each builder sends with them",
  },
  'secret-file': {
    severity: 'error',
    summary: 'a file whose name marks it as a secret is in the (effective) context (a warning under test directories)',
    example: '.env, id_rsa, .git-credentials, terraform.tfstate, kubeconfig',
    basis: "the file's name",
  },
  'secret-content': {
    severity: 'error',
    summary: 'a file in the (effective) context holds a private key or token (its kind and line are named, never its value); a warning for test keys, samples and doubtful formats',
    example: 'a PEM private key, an AWS access key, an OpenAI key, an npm _authToken, a password in a URL',
    basis: "the file's content",
  },
  'case-mismatch': {
    severity: 'info',
    summary: 'a pattern differs only by letter case from paths it misses: Docker matches case-sensitively',
    example: '`readme.md` while the tree holds README.md',
    basis: "the directory's listing compared with the pattern, case ignored",
  },
  'case-insensitive-fs': {
    severity: 'info',
    summary: 'the file system is case-insensitive but Docker\'s matching is not',
    example: 'a context on macOS APFS or Windows NTFS',
    basis: "two spellings of a name that the file system resolves to the same file",
  },
  'unreadable-path': {
    severity: 'warning',
    summary: 'a path in the context cannot be read: Docker fails on it too',
    example: 'a directory without read permission',
    basis: "the error the walk got reading the path",
  },
  'podman-pattern-differs': {
    severity: 'warning',
    summary: 'Podman users build the project too, and a line means something else to Podman (Buildah) than to Docker: `+ ( | ^` reach a regular expression, a leading space keeps a `/`',
    example: '`a+b`, ` /dist`, `! /keep`',
    basis: "the line read by Docker's parser and by Buildah's, each pattern matched over the tree",
  },
  'containerignore-hides-dockerignore': {
    severity: 'warning',
    summary: 'a .containerignore makes Podman ignore the .dockerignore that Docker reads, and the two send different paths',
    example: '.containerignore written once, .dockerignore updated since',
    basis: "Buildah's ignore-file lookup, and both contexts walked",
  },
};

/** The severity of a rule. */
export function severityOf(rule: RuleId): Severity {
  return RULES[rule].severity;
}
