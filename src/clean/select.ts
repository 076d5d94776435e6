/**
 * Turn `--only`, `--include` and `--exclude` into compiled matchers, once, before the walk.
 */
import { InputError } from '../context/resolve.js';
import {
  ARTIFACTS,
  ArtifactMatcher,
  cleanableCategories,
  GlobSyntaxError,
  parseArtifactPattern,
  type ArtifactCategory,
  type ArtifactPattern,
  type ArtifactRule,
} from '../knowledge/artifacts.js';
import type { CleanSelection } from './types.js';

/** A rule that selects items: a table entry of the default set, or a user's `--include` pattern. */
export interface TargetRule extends ArtifactPattern {
  id: string;
  category: ArtifactCategory;
  reason: string;
}

export interface CompiledSelection {
  only: string[] | null;
  include: string[];
  exclude: string[];
  /** What to delete, table entries first (their category wins over a user pattern's). */
  targets: ArtifactMatcher<TargetRule>;
  /** What never to delete or enter (VCS data, dependencies, lockfiles, secrets). */
  guards: ArtifactMatcher<ArtifactRule>;
  /** What the user said to leave alone, or null. */
  excludes: ArtifactMatcher<ArtifactPattern> | null;
}

function parseUserPattern(flag: string, text: string): ArtifactPattern {
  try {
    return parseArtifactPattern(text);
  } catch (error) {
    if (error instanceof GlobSyntaxError) throw new InputError(`${flag} ${JSON.stringify(text)}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Validate and compile a selection. Throws InputError for an unknown category or a bad pattern. */
export function compileSelection(selection: CleanSelection): CompiledSelection {
  const cleanable = cleanableCategories();
  let only: string[] | null = null;
  if (selection.only !== undefined) {
    only = [...new Set(selection.only.map((c) => c.trim()).filter((c) => c !== ''))];
    if (only.length === 0) throw new InputError('--only needs at least one category');
    for (const category of only) {
      if ((cleanable as string[]).includes(category) || category === 'custom') continue;
      const known = ARTIFACTS.some((rule) => rule.category === category);
      throw new InputError(
        known
          ? `--only ${category}: that category is never cleaned (it holds things that are not regenerable caches); cleanable: ${cleanable.join(', ')}`
          : `--only ${category}: unknown category; cleanable: ${cleanable.join(', ')}`,
      );
    }
  }
  const include = [...(selection.include ?? [])];
  const exclude = [...(selection.exclude ?? [])];

  const targets: TargetRule[] = ARTIFACTS.filter((rule) => rule.clean && (only === null || only.includes(rule.category)));
  for (const text of include) {
    targets.push({ ...parseUserPattern('--include', text), id: `include:${text}`, category: 'custom', reason: 'Named with --include.' });
  }
  return {
    only,
    include,
    exclude,
    targets: new ArtifactMatcher(targets),
    guards: new ArtifactMatcher(ARTIFACTS.filter((rule) => rule.neverDelete)),
    excludes: exclude.length > 0 ? new ArtifactMatcher(exclude.map((text) => parseUserPattern('--exclude', text))) : null,
  };
}
