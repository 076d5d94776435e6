import { forEachEffectiveEntry, type BuildSelection } from '../effective/effective.js';
import { createFilter } from '../context/filter.js';
import { resolveContext, type ContextOptions } from '../context/resolve.js';
import { walkContext } from '../walk/walk.js';
import { MapBuilder, pruneMap, type MapNode, type PruneOptions } from './data.js';

/**
 * The treemap's tree of a context: one walk of the whole directory (each file with whether the
 * builder sends it), and under BuildKit with a Dockerfile, the effective context's walk. Holds
 * every path while it builds, unlike the measurement: the HTML report is a one-off.
 */
export function collectMap(options: ContextOptions & BuildSelection, prune: PruneOptions = {}): MapNode {
  const context = resolveContext(options);
  const builder = new MapBuilder();
  const filter = createFilter(context);
  walkContext({
    root: context.root,
    filter,
    visitSkipped: true,
    sink: {
      entry: (entry, sent) => {
        if (entry.type === 'file') builder.file(entry.path, entry.size, sent);
        else if (entry.type === 'dir') builder.dir(entry.path);
      },
      warning: () => {},
    },
  });
  if (context.builder === 'buildkit' && context.dockerfile !== null) {
    try {
      forEachEffectiveEntry(options, (entry) => {
        if (entry.type === 'file') builder.effective(entry.path, entry.size);
      });
    } catch {
      // No effective context (a Dockerfile ctxsize cannot read): the measurement says why.
    }
  }
  return pruneMap(builder.root, prune);
}
