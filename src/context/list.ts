import { ClassicOutsideDockerfile, classicOutsideDockerfile } from './classic-extras.js';
import { createFilter } from './filter.js';
import { resolveContext, type ContextOptions, type ResolvedContext } from './resolve.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { walkContext, type WalkOptions } from '../walk/walk.js';

/** The entries a builder puts in the context. */
export interface ContextListing {
  context: ResolvedContext;
  entries: Entry[];
  warnings: WalkWarning[];
}

/**
 * Stream the context's entries, in walk order, to `onEntry`. Only the builder's own walk is done:
 * subtrees it skips are not read. Throws IgnoreFileError for a malformed pattern, BuildFailure
 * where Docker would refuse the build, InputError for a bad directory or Dockerfile.
 */
export function forEachContextEntry(
  options: ContextOptions,
  onEntry: (entry: Entry) => void,
): { context: ResolvedContext; warnings: WalkWarning[] } {
  const context = resolveContext(options);
  return { context, warnings: forEachResolvedEntry(context, onEntry) };
}

/**
 * Stream the entries of an already resolved context (its ignore file may be replaced in memory,
 * to try other rules). Returns the walk's warnings; throws as forEachContextEntry does. `walk`
 * replaces the disk walk (a record several walks share: see DiskRecord).
 */
export function forEachResolvedEntry(
  context: ResolvedContext,
  onEntry: (entry: Entry) => void,
  walk: (options: WalkOptions<unknown>) => unknown = walkContext,
): WalkWarning[] {
  const filter = createFilter(context);
  const warnings: WalkWarning[] = [];
  const outside = classicOutsideDockerfile(context);
  const extras = outside ? new ClassicOutsideDockerfile(outside) : null;
  walk({
    root: context.root,
    filter,
    visitSkipped: false,
    sink: {
      entry: (entry, sent) => {
        if (sent) onEntry(extras ? extras.adjust(entry) : entry);
      },
      warning: (warning) => warnings.push(warning),
    },
  });
  if (filter.failure) throw filter.failure;
  if (extras && !filter.truncated) extras.appended().forEach(onEntry);
  return warnings;
}

/** All entries the builder sends for this context (root excluded, directories included). */
export function listContext(options: ContextOptions = {}): ContextListing {
  const entries: Entry[] = [];
  const { context, warnings } = forEachContextEntry(options, (entry) => entries.push(entry));
  return { context, entries, warnings };
}
