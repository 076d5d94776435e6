import { lazyCrypto } from '../runtime/lazy-crypto.js';
import { statSync } from 'node:fs';
import type { Entry } from '../walk/entry.js';
import type { ResolvedContext } from './resolve.js';

/**
 * When the Dockerfile lies outside the context, the classic builder's CLI adds it to the tar under
 * a random name `.dockerfile.<20 hex>` and appends that name to `.dockerignore` (creating the file
 * if needed) so the daemon drops it again (docker/cli AddDockerfileToBuildContext). ctxsize names
 * it deterministically; its size and the changed `.dockerignore` size are exact.
 */
export function classicOutsideDockerfile(context: ResolvedContext): { name: string; size: number } | null {
  if (context.builder !== 'classic' || context.dockerfile === null || context.dockerfileRelative === null) return null;
  if (!context.dockerfileRelative.startsWith('../') && context.dockerfileRelative !== '..') return null;
  const digest = lazyCrypto().createHash('sha256').update(context.dockerfile).digest('hex');
  let size = 0;
  try {
    size = statSync(context.dockerfile).size;
  } catch {
    size = 0;
  }
  return { name: `.dockerfile.${digest.slice(0, 20)}`, size };
}

/** Rewrites the `.dockerignore` entry and adds the Dockerfile, as the tar the CLI uploads has them. */
export class ClassicOutsideDockerfile {
  private sawIgnoreFile = false;
  constructor(private readonly extra: { name: string; size: number }) {}

  /** Adjust an entry on its way out: `.dockerignore` grows by "\n<name>\n". */
  adjust(entry: Entry): Entry {
    if (entry.path !== '.dockerignore' || entry.type !== 'file') return entry;
    this.sawIgnoreFile = true;
    return { ...entry, size: entry.size + this.extra.name.length + 2 };
  }

  /** Entries the CLI appends at the end of the tar. */
  appended(): Entry[] {
    const out: Entry[] = [{ path: this.extra.name, type: 'file', size: this.extra.size }];
    if (!this.sawIgnoreFile) {
      out.push({ path: '.dockerignore', type: 'file', size: '.dockerignore'.length + this.extra.name.length + 2 });
    }
    return out;
  }
}
