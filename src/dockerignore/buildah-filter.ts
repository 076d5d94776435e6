import { BuildFailure, type BuilderFilter, type Verdict } from './builders.js';
import { BuildahPatternError, type BuildahMatcher } from './buildah.js';

/**
 * Buildah's copier walk (`copier.Get` over `filepath.WalkDir`) as a builder filter: each entry is
 * matched on its own (`Matches`, no parent results); an excluded file is left out; an excluded
 * directory is entered only when an exception starts with its path (see
 * `BuildahMatcher.entersExcludedDirectory`); what is copied from inside an excluded directory
 * brings its parent directories along (the extraction creates them), as BuildKit sends them.
 * Sockets are skipped (the walk's caller leaves them out); the Dockerfile and ignore file are not
 * added back. A pattern that fails to compile fails the build at the first entry.
 */
export class BuildahFilter implements BuilderFilter<null> {
  readonly builder = 'buildah' as const;
  readonly sendsParentsOfIncluded = true;
  readonly rootState = null;
  readonly truncated = false;
  failure: BuildFailure | null = null;
  /** Every pattern is evaluated for every entry, so a failing one fails at the first entry whatever the order. */
  readonly orderMatters = false;

  constructor(private readonly matcher: BuildahMatcher | null) {}

  visit(path: string, isDir: boolean, parent: null): Verdict<null> {
    if (this.matcher === null || this.matcher.patterns.length === 0) return { included: true, descend: isDir, state: parent };
    let excluded: boolean;
    try {
      excluded = this.matcher.matches(path);
    } catch (error) {
      if (!(error instanceof BuildahPatternError)) throw error;
      this.failure ??= new BuildFailure('buildah', this.matcher.file, error.pattern, path);
      return { included: false, descend: false, state: parent };
    }
    if (!excluded) return { included: true, descend: isDir, state: parent };
    return { included: false, descend: isDir && this.matcher.entersExcludedDirectory(path), state: parent };
  }
}
