import type { ArtifactCategory } from '../knowledge/artifacts.js';

/** Version of the plan and result JSON documents. Bump it on any incompatible change. */
export const CLEAN_SCHEMA_VERSION = 1;

/** What a planned item is: a whole directory (deleted with its contents) or one file. */
export type ItemKind = 'dir' | 'file';

/** One thing `applyClean` will delete. A matched directory is one item, never its contents. */
export interface PlanItem {
  /** Relative to the plan's root, `/`-separated; never empty, never `..`. */
  path: string;
  kind: ItemKind;
  /** Sum of the lstat sizes of the regular files it holds (of itself, for a file). */
  bytes: number;
  /** How many non-directory entries (files, links, others) deleting it removes. */
  files: number;
  category: ArtifactCategory;
  /** The knowledge-table entry that matched (`python-pycache`), or `include:PATTERN` for `--include`. */
  ruleId: string;
}

/** Why a path that matched a cleaning rule is not in the plan. */
export type SkipCode =
  /** It is, or contains, a file tracked by git. */
  | 'tracked'
  /** Inside a git work tree, but git could not be asked (not installed, refused the repository). */
  | 'git-unavailable'
  /** It is a symbolic link: never followed, never deleted. */
  | 'symlink'
  /** It matches, or contains a path that matches, an `--exclude` pattern. */
  | 'excluded'
  /** It contains a git repository of its own (a `.git` entry). */
  | 'repository'
  /** It is, or contains, a mount point (another file system). */
  | 'mount-point'
  /** It is something clean never deletes (VCS data, dependencies, lockfiles, secrets). */
  | 'protected'
  /** It, or something inside it, could not be read, so its size and contents are unknown. */
  | 'unreadable'
  /** Its name is not valid UTF-8, so it cannot be named safely in a plan. */
  | 'invalid-name';

/** A path that matched a cleaning rule but will not be deleted, and why. */
export interface SkippedItem {
  path: string;
  kind: ItemKind | 'symlink';
  category: ArtifactCategory;
  ruleId: string;
  code: SkipCode;
  /** One line for people: `contains 3 files tracked by git (e.g. a/__pycache__/x.pyc)`. */
  reason: string;
}

/** Something the walk could not read; the walk went on without it. */
export interface CleanWarning {
  path: string;
  /** A system error code (EACCES, ENOENT, …) or EXDEV for a mount point that was not entered. */
  code: string;
  message: string;
}

/** Totals of a set of items. */
export interface CleanTotals {
  items: number;
  bytes: number;
  files: number;
}

/** Totals of one category. */
export interface CategoryTotals extends CleanTotals {
  category: ArtifactCategory;
}

/** The rule behind items of a plan, so that a saved plan can be reviewed on its own. */
export interface PlanRule {
  category: ArtifactCategory;
  pattern: string;
  reason: string;
}

/**
 * A cleaning plan: pure data that can be printed, saved as JSON, reviewed, and applied later with
 * `applyClean`, which re-checks every item before deleting it. `planClean` never deletes anything.
 */
export interface Plan {
  schemaVersion: typeof CLEAN_SCHEMA_VERSION;
  type: 'ctxsize-clean-plan';
  /** Absolute, symlink-free path of the directory cleaned. */
  root: string;
  /** When the plan was made (ISO 8601). */
  createdAt: string;
  /** The selection the plan was made with. */
  selection: { only: string[] | null; include: string[]; exclude: string[] };
  /** What would be deleted, sorted by path. Items never overlap. */
  items: PlanItem[];
  totals: CleanTotals;
  /** Per category, heaviest first. */
  categories: CategoryTotals[];
  /** The rules behind the items, by rule id. */
  rules: Record<string, PlanRule>;
  /** Matches that will not be deleted, with the reason. */
  skipped: SkippedItem[];
  warnings: CleanWarning[];
}

/** What happened to one planned item. */
export type ItemStatus =
  /** Deleted completely. */
  | 'deleted'
  /** Deletion started or was attempted and hit errors (see `errors`); part of it may remain. */
  | 'failed'
  /** Not touched: the re-check before deletion found it changed (a symlink now, moved, tracked…). */
  | 'refused'
  /** Already gone when its turn came: nothing to do. */
  | 'vanished'
  /** Dry run of `applyClean`: the re-check passed, and it would be deleted. */
  | 'ready';

/** An error met while deleting part of an item. */
export interface DeleteError {
  /** Relative to the root. */
  path: string;
  code: string;
  message: string;
}

/** One item of a plan after `applyClean`. */
export interface ItemOutcome extends PlanItem {
  status: ItemStatus;
  /** Bytes of the regular files actually deleted (also for a failed item, for what went). */
  freedBytes: number;
  /** Entries actually deleted, directories excluded. */
  freedFiles: number;
  /** Why it was refused or vanished, or a summary of the failure. */
  reason?: string;
  /** For a failed item: the errors (at most 20; `errorCount` has the total). */
  errors?: DeleteError[];
  errorCount?: number;
}

/** The result of applying a plan. */
export interface CleanResult {
  schemaVersion: typeof CLEAN_SCHEMA_VERSION;
  type: 'ctxsize-clean-result';
  root: string;
  /** True when nothing was deleted on purpose (`applyClean(plan, { dryRun: true })`). */
  dryRun: boolean;
  items: ItemOutcome[];
  /** What the plan promised. */
  planned: CleanTotals;
  /** What was deleted: `items` counts the items deleted completely. */
  freed: CleanTotals;
  counts: Record<ItemStatus, number>;
  /** The plan's skipped items, carried along so that a result tells the whole story. */
  skipped: SkippedItem[];
}

/** How to choose what to clean. */
export interface CleanSelection {
  /** Limit the default set to these categories (see `cleanableCategories()`). */
  only?: readonly string[];
  /** Extra user-named caches, in `parseArtifactPattern` syntax (`.cache/`, `*.tmp`, `/tmp/`). */
  include?: readonly string[];
  /** Paths never to delete or enter, same syntax. */
  exclude?: readonly string[];
}

/** Options of `planClean`. */
export interface PlanOptions extends CleanSelection {
  /** Base for a relative `dir` (default: process.cwd()). */
  cwd?: string;
  /** Called now and then with the number of entries seen, for a progress display. */
  onProgress?: (entriesSeen: number) => void;
}

/** Options of `applyClean`. */
export interface ApplyOptions {
  /**
   * The directory the caller means to clean (relative to `cwd`). When given, the plan must have
   * been made for it: `ctxsize clean --apply FILE` passes DIR so that a plan made elsewhere is refused.
   */
  dir?: string;
  cwd?: string;
  /** Re-check every item and report what would happen, deleting nothing. */
  dryRun?: boolean;
  /** Called after each item, for progress. */
  onItem?: (outcome: ItemOutcome) => void;
}
