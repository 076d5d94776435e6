import { BuildahMatcher } from '../dockerignore/buildah.js';
import { BuildahFilter } from '../dockerignore/buildah-filter.js';
import { PatternMatcher } from '../dockerignore/matcher.js';
import type { IgnoreFile, PatternPlatform } from '../dockerignore/read.js';
import { BuildKitFilter, ClassicFilter, type BuilderFilter } from '../dockerignore/builders.js';
import type { ResolvedContext } from './resolve.js';

/**
 * The exclude list the classic builder's tar walk uses: the CLI appends `!.dockerignore` and
 * `!<Dockerfile>` when (by patternmatcher's old single-parent `Matches`) they are excluded, so
 * that the daemon can read them (docker/cli TrimBuildFilesFromExcludes).
 */
export function classicArchiveRules(
  ignore: IgnoreFile,
  matcher: PatternMatcher,
  dockerfileRelative: string | null,
  platform: PatternPlatform,
): IgnoreFile {
  const rules = [...ignore.rules];
  let current = matcher;
  if (current.matchesSingleParent('.dockerignore')) {
    rules.push({ pattern: '!.dockerignore', line: 0, source: '(added by docker build)' });
    current = new PatternMatcher({ file: ignore.file, rules }, platform);
  }
  const dockerfile = dockerfileRelative ?? 'Dockerfile';
  if (current.matchesSingleParent(dockerfile)) {
    rules.push({ pattern: '!' + dockerfile, line: 0, source: '(added by docker build)' });
  }
  return { file: ignore.file, rules };
}

/**
 * Build the walk filter for the resolved context's builder. With `includePaths` (BuildKit only:
 * the paths a Dockerfile uses, already through FollowLinks) the filter yields the effective
 * context, what BuildKit transfers. Throws IgnoreFileError on a bad pattern.
 */
export function createFilter(context: ResolvedContext, includePaths: readonly string[] | null = null): BuilderFilter<unknown> {
  // Buildah has no effective context: local builds read COPY sources from the directory itself.
  if (context.builder === 'buildah') return new BuildahFilter(context.ignore ? new BuildahMatcher(context.ignore) : null) as BuilderFilter<unknown>;
  const matcher = context.ignore ? new PatternMatcher(context.ignore, context.platform) : null;
  if (context.builder === 'buildkit') {
    const include =
      includePaths === null
        ? null
        : new PatternMatcher(
            { file: context.dockerfile ?? 'Dockerfile', rules: includePaths.map((pattern) => ({ pattern, line: 0, source: pattern })) },
            context.platform,
          );
    return new BuildKitFilter(matcher, include) as BuilderFilter<unknown>;
  }
  if (matcher === null || context.ignore === null) return new ClassicFilter(null, null) as BuilderFilter<unknown>;
  const archive = new PatternMatcher(
    classicArchiveRules(context.ignore, matcher, context.dockerfileRelative, context.platform),
    context.platform,
  );
  return new ClassicFilter(matcher, archive) as BuilderFilter<unknown>;
}
