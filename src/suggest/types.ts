import type { ContextOptions } from '../context/resolve.js';
import type { BuildSelection } from '../effective/effective.js';
import type { ArtifactCategory } from '../knowledge/artifacts.js';
import type { Builder, DockerBuilder } from '../dockerignore/builders.js';

/**
 * What a suggestion is about: a category of the knowledge table, `large-file` (a big file that no
 * Dockerfile instruction uses) or `gitignore` (an entry converted from a `.gitignore` file).
 */
export type SuggestionCategory = ArtifactCategory | 'large-file' | 'gitignore';

/** Which suggestions `--write` adds; every filter given must hold. */
export interface SuggestSelection {
  /** Suggestion ids (`node-modules`), or a group: `large-file` or `gitignore` for all of that kind. */
  only?: readonly string[];
  /** Suggestion categories (`dependencies`, `secrets`, `large-file`, `gitignore`…). */
  categories?: readonly string[];
  /** Only suggestions that remove at least this many bytes. */
  minBytes?: number;
}

/** Options of {@link suggestIgnore}. */
export interface SuggestOptions extends ContextOptions, BuildSelection {
  /** Told what suggest is doing, phase by phase ("trying 14 candidate lines"): the CLI's spinner. */
  onProgress?: (doing: string) => void;
  /** Files of at least this many bytes that no Dockerfile source covers are suggested (default 1 MB). */
  largeFileBytes?: number;
  /** Convert `.gitignore` entries too (default true). */
  gitignore?: boolean;
  /** Which suggestions the write plan adds (default: all of them). */
  selection?: SuggestSelection;
}

/** Files and bytes of a set of context entries. `entries` also counts directories and links. */
export interface Amount {
  files: number;
  bytes: number;
  entries: number;
}

/** A Dockerfile source, as reports name it. */
export interface SourceRef {
  /** The path as BuildKit matches it (`dist`, `src/*.go`). */
  path: string;
  /** As written in the Dockerfile. */
  raw: string;
  line: number;
  instruction: 'COPY' | 'ADD' | 'RUN';
}

/** One proposed block of ignore lines, with exactly what it removes from the current context. */
export interface Suggestion extends Amount {
  /** Stable id: the table entry's id, `large-file:<path>`, or `gitignore:<file>:<line>`. */
  id: string;
  /** The `.dockerignore` lines, in order (exceptions after the line they qualify). */
  lines: string[];
  category: SuggestionCategory;
  /** Why it does not belong in the context (the knowledge table's reason, for table entries). */
  reason: string;
  /** Up to 10 of the removed paths, top-most first (a removed directory stands for its content). */
  paths: string[];
  /** How many top-most paths were removed (`paths` is a sample of them). */
  totalPaths: number;
  /**
   * The entry's general lines would have excluded a path the Dockerfile uses, so they were
   * replaced by the literal paths that are safe; `withheld` names what was kept.
   */
  narrowed?: boolean;
  /** Removed paths lie inside directories that Dockerfile sources copy (they are shaped by the ignore file). */
  insideSources?: SourceRef[];
  /**
   * `write`: in what `--write` adds by default; `review`: shown with the reason, written only when
   * `--only` names its id (a build may read it and the evidence does not show it is unneeded).
   */
  status: 'write' | 'review';
  /** What the status rests on, in one sentence (git's view, the Dockerfiles' sources and RUN steps, the content). */
  evidence: string;
  /** Whether `--write` adds it (the selection flags). */
  selected: boolean;
}

/** A candidate that was not proposed, and why. */
export interface Withheld {
  id: string;
  /** The lines that would have been proposed. */
  lines: string[];
  category: SuggestionCategory;
  reason: string;
  /** Why it was withheld, in one sentence. */
  why: string;
  /** The Dockerfile sources that use the paths (empty when a table entry keeps them, e.g. a lockfile). */
  sources: SourceRef[];
  /** Up to 10 paths that had to stay. */
  paths: string[];
}

/** A `.gitignore` entry converted to `.dockerignore` lines. */
export interface GitignoreSuggestion extends Amount {
  id: string;
  /** The `.gitignore` file, relative to the context root (`../.gitignore` for one above it). */
  file: string;
  line: number;
  /** The entry as written in the `.gitignore`. */
  pattern: string;
  /** The `.dockerignore` lines it becomes. */
  lines: string[];
  /**
   * How the lines were made: `pattern` (a translation of the pattern), `paths` (the literal paths
   * git ignores through this entry, when no translation was exact for this tree).
   */
  conversion: 'pattern' | 'paths';
  /**
   * The lines remove nothing that git does not ignore, and everything (in the context) that git
   * ignores through this entry. Only verified conversions are proposed.
   */
  verified: true;
  paths: string[];
  totalPaths: number;
  /** Another suggestion already removes everything this one removes (it is then not written). */
  redundantWith?: string;
  insideSources?: SourceRef[];
  /** As {@link Suggestion.status}. */
  status: 'write' | 'review';
  evidence: string;
  selected: boolean;
}

/** The allow-list form of the ignore file: exclude everything, re-include what the Dockerfile uses. */
export interface AllowList extends Amount {
  /** The whole proposed file, one line per element (`*`, then `!path` lines, then exclusions). */
  lines: string[];
  /** What each builder would send with it (files, bytes, entries). */
  builders: Record<DockerBuilder, Amount>;
  /** Checked by running both walkers: every Dockerfile source is still satisfied under both. */
  verified: { buildkit: true; classic: true };
}

/** Context totals before and after a change of the ignore file, under one builder. */
export interface BuilderOutcome {
  before: Amount;
  after: Amount;
  removed: Amount;
  /** Whether this builder reads the file that `--write` changes (the classic builder never reads `<Dockerfile>.dockerignore`). */
  readsWrittenFile: boolean;
}

/** What BuildKit transfers for the Dockerfile, before and after. */
export interface EffectiveOutcome {
  before: Amount;
  after: Amount;
  /** Dockerfile sources that fail (missing or excluded) after the change, e.g. `COPY dist /app (line 5)`. */
  problemsAfter: string[];
  /** The same, before the change (not caused by the suggestions). */
  problemsBefore: string[];
  /** Every Dockerfile that reads the changed file, checked with BuildKit's walk. */
  builds: BuildCheck[];
}

/** One Dockerfile reading the changed ignore file, checked after the change. */
export interface BuildCheck {
  /** `Dockerfile`, `Dockerfile.distroless`, `docker/Dockerfile (Compose service web)`. */
  label: string;
  /** A source that takes the whole context (`COPY ., line 4`): its RUN steps' reads are not verifiable. */
  whole: string | null;
  /** The Dockerfile takes nothing from the context (no COPY, ADD or bind mount of it). */
  readsNothing: boolean;
  /** Sources whose paths use a variable ctxsize could not resolve (not verified). */
  unresolved: string[];
  /** Null when the Dockerfile could not be read. */
  problemsBefore: string[] | null;
  problemsAfter: string[] | null;
}

/** The exact result of applying every selected suggestion, by running both walkers. */
export interface CombinedOutcome {
  /** The ignore lines added (selected suggestions and `.gitignore` conversions). */
  lines: string[];
  buildkit: BuilderOutcome;
  classic: BuilderOutcome;
  /** Null without a Dockerfile. */
  effective: EffectiveOutcome | null;
}

/** The change `--write` makes, as data: nothing is written until {@link applySuggestWrite}. */
export interface WritePlan {
  /** Absolute path of the ignore file the selected builder reads (created when missing). */
  file: string;
  exists: boolean;
  /** The file's bytes now (empty when missing) and after the change. */
  before: Buffer;
  after: Buffer;
  changed: boolean;
  /** A unified diff of the change (empty when nothing changes). */
  diff: string;
  /** Ignore lines added by this run (lines already in ctxsize's block are not added twice). */
  added: string[];
  /** Set when the change must not be written (it would break the build); a last check that should never fire. */
  refused?: string;
}

/** The report of {@link suggestIgnore}. */
export interface SuggestReport {
  schemaVersion: 1;
  root: string;
  dockerfile: string | null;
  builder: Builder;
  /** The ignore file the selected builder reads, or would create. */
  ignoreFile: string;
  /** The selected builder's current context. */
  context: Amount;
  suggestions: Suggestion[];
  withheld: Withheld[];
  allowList: AllowList | null;
  /** Why no allow-list is offered, when `allowList` is null. */
  allowListUnavailable: string | null;
  gitignore: GitignoreSuggestion[];
  /** Notes about `.gitignore` reading (entries that could not be converted exactly, …). */
  gitignoreNotes: string[];
  combined: CombinedOutcome;
  write: WritePlan;
  /** Things the user should know: unreadable paths, sources whose variables are unknown. */
  warnings: string[];
}
