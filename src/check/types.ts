import type { Builder, DockerBuilder } from '../dockerignore/builders.js';

/** How bad a finding is: `error` means the build fails or leaks a secret; `--strict` also fails on `warning`. */
export type Severity = 'error' | 'warning' | 'info';

/** The stable identifiers of `ctxsize check`'s rules (see RULES for their severities). */
export type RuleId =
  | 'ignore-file-unreadable'
  | 'malformed-pattern'
  | 'pattern-compile-error'
  | 'bare-exclamation'
  | 'misplaced-comment'
  | 'trailing-comment'
  | 'dockerfile-error'
  | 'unresolved-variable'
  | 'source-excluded'
  | 'source-missing'
  | 'wildcard-source-excluded'
  | 'empty-wildcard-source'
  | 'gitignore-style-pattern'
  | 'unmatched-pattern'
  | 'unmatched-exception'
  | 'redundant-pattern'
  | 'overridden-exception'
  | 'builder-difference'
  | 'classic-sends-build-files'
  | 'shadowed-ignore-file'
  | 'secret-file'
  | 'secret-content'
  | 'case-mismatch'
  | 'case-insensitive-fs'
  | 'unreadable-path'
  | 'podman-pattern-differs'
  | 'containerignore-hides-dockerignore';

/** One problem `ctxsize check` found. */
export interface Finding {
  severity: Severity;
  /** Stable rule id, e.g. `malformed-pattern`. */
  rule: RuleId;
  /**
   * The file the finding is about, as the user would type it (relative to the working directory
   * when inside it): the ignore file for pattern rules, the Dockerfile for sources, the secret
   * file itself for secrets.
   */
  file: string;
  /** 1-based line in `file`, or 0 when the finding concerns the whole file. */
  line: number;
  /** What is wrong, in one or two sentences. Never contains a secret's value. */
  message: string;
  /** What to do about it. */
  fix: string;
  /**
   * What the finding rests on: the rule that decides, git's view of a path, the Dockerfile line
   * that reads it. Every finding has one in a report (a rule's general basis when none is given).
   */
  evidence?: string;
  /** The Dockerfile the finding is about, when several read the same ignore file (as the user would type it). */
  dockerfile?: string;
  /** Affected paths, relative to the context root, at most PATHS_CAP of them. */
  paths?: string[];
  /** How many paths were affected in all, when `paths` had to be capped. */
  totalPaths?: number;
  /** Bytes (regular files' apparent sizes) of the affected paths, where that means something. */
  bytes?: number;
}

/** At most this many affected paths are listed in a finding. */
export const PATHS_CAP = 20;

/** What `checkContext` returns; `--json` prints it as is. */
export interface CheckReport {
  schemaVersion: 1;
  /** Absolute path of the context root. */
  root: string;
  /** Absolute path of the Dockerfile, or null. */
  dockerfile: string | null;
  /**
   * Every Dockerfile checked: the given one, then the others that read the same ignore file
   * (siblings such as `Dockerfile.base`, those a package.json script or the Makefile builds with
   * `docker build -f FILE .`, Compose services of this context), absolute paths.
   */
  dockerfiles: { dockerfile: string; found: 'given' | 'sibling' | 'script' | 'compose'; service?: string; composeFile?: string }[];
  /** The ignore file each builder reads (absolute paths), or null when it reads none. */
  ignoreFiles: Record<DockerBuilder, string | null>;
  findings: Finding[];
  /** Findings silenced by `--ignore`, the configuration or `# ctxsize-ignore`, each with `suppressedBy`. */
  suppressed: (Finding & { suppressedBy: string })[];
  summary: { errors: number; warnings: number; infos: number; suppressed: number };
}

/** Put affected paths in a finding, capped. */
export function withPaths(finding: Finding, paths: readonly string[], bytes?: number): Finding {
  const out: Finding = { ...finding, paths: paths.slice(0, PATHS_CAP) };
  if (paths.length > PATHS_CAP) out.totalPaths = paths.length;
  if (bytes !== undefined) out.bytes = bytes;
  return out;
}
