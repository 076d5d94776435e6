/**
 * The measurement's data: what measure returns and what the accumulator adds up. A module of its
 * own so that the accumulator and the measurement import it rather than each other.
 */
import type { Builder } from '../dockerignore/builders.js';
import type { WalkWarning } from '../walk/entry.js';

/** Entry counts and the bytes of regular files. */
export interface Counts {
  files: number;
  dirs: number;
  symlinks: number;
  /** FIFOs, sockets and devices. */
  other: number;
  /** Sum of the lstat sizes of regular files. */
  bytes: number;
}

/** One of the heaviest paths; a directory counts its whole subtree. */
export interface LargestPath {
  path: string;
  type: 'file' | 'dir';
  bytes: number;
  /** Regular files in it (1 for a file). */
  files: number;
  /** True when the builder does not send this path itself. */
  excluded: boolean;
  /** Bytes of it that the builder sends (a sent directory may hold excluded files, and the reverse). */
  contextBytes: number;
}

/** The measurement `ctxsize --json` prints (schemaVersion 1). */
export interface MeasureReport {
  schemaVersion: 1;
  root: string;
  dockerfile: string | null;
  ignoreFile: string | null;
  builder: Builder;
  /** The whole directory. */
  all: Counts;
  /** What the builder sends. */
  context: Counts;
  /** What the ignore file keeps out: files and bytes in `all` but not in `context`. */
  excluded: { files: number; bytes: number };
  /**
   * What BuildKit transfers for this Dockerfile and target: only the context paths the build uses
   * (COPY/ADD sources, bind mounts). Equals `context` when the build uses the whole context or the
   * builder is classic (which always sends everything); null without a Dockerfile or when it
   * cannot be parsed (then a warning says why).
   */
  effective: Counts | null;
  /**
   * How much of the context the build uses: `whole` (a COPY of the root or a bind mount without
   * source), `paths` (only the paths its sources name), `none` (no instruction reads the context);
   * null when `effective` is null.
   */
  effectiveScope: 'whole' | 'paths' | 'none' | null;
  /**
   * Per target platform (`--platform`; one unless several were asked for), what its build uses:
   * the effective context is their union. Absent when `effective` is null.
   */
  effectivePlatforms?: EffectivePlatformReport[];
  /** Dockerfile sources that nothing sent satisfies: a build would fail on them. */
  sourceProblems: SourceProblemReport[];
  largest: LargestPath[];
  warnings: WalkWarning[];
  /**
   * The top-level entries of the directory (files and directories, a directory with its whole
   * subtree), heaviest first: the exact, complete breakdown that baselines compare. At most
   * {@link TOP_LEVEL_LIMIT} are listed; the others are summed in `byTopLevelOmitted`.
   * Optional because measurements saved by older versions lack it.
   */
  byTopLevel?: TopLevelEntry[];
  /** What `byTopLevel` leaves out (null when it lists every top-level entry). */
  byTopLevelOmitted?: TopLevelTotals | null;
}

/** What the build for one target platform takes from the context. */
export interface EffectivePlatformReport {
  /** As BuildKit prints it: `linux/amd64`. */
  platform: string;
  /** `whole`, `paths` or `none`, as `effectiveScope`. */
  scope: 'whole' | 'paths' | 'none';
  /** The paths (patterns) its build sends, before symlinks are followed; null for the whole context. */
  includePaths: string[] | null;
}

/** A COPY/ADD/bind-mount source the build would fail on, as the JSON report shows it. */
export interface SourceProblemReport {
  instruction: 'COPY' | 'ADD' | 'RUN';
  line: number;
  source: string;
  /** `missing`: nothing matches it; `excluded`: the ignore file keeps it out. */
  problem: 'missing' | 'excluded';
  excludedBy: { file: string; line: number; pattern: string } | null;
}

/** Files and bytes of a part of the directory, and the part of it that the builder sends. */
export interface TopLevelTotals {
  /** How many top-level entries these totals cover. */
  entries: number;
  bytes: number;
  files: number;
  contextBytes: number;
  contextFiles: number;
}

/** One top-level entry of the context directory. */
export interface TopLevelEntry {
  path: string;
  type: 'file' | 'dir';
  bytes: number;
  files: number;
  /** Bytes and files of it that the builder sends. */
  contextBytes: number;
  contextFiles: number;
}