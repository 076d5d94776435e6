import { readFileSync } from 'node:fs';

/**
 * Where ctxsize's own files are while it runs: the package manifest and the code of each worker
 * thread. The library runs from the compiled modules (`dist/<folder>/*.js`); the command line runs
 * from bundles in `dist/bundle/`, at the same depth, which the bundle script
 * (`scripts/bundle.js`) builds with this module replaced by one that names the bundles' own files.
 * Every file a thread starts or reads from the package is named here, so that both layouts agree.
 */

/** package.json at the package root. */
export const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** The measurement's walker thread (src/measure/worker.ts). */
export const MEASURE_WORKER = new URL('../measure/worker.js', import.meta.url);

/** check's second thread (src/check/second-thread-worker.ts). */
export const CHECK_WORKER = new URL('../check/second-thread-worker.js', import.meta.url);

let version: string | undefined;

/** The version in package.json. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
  return version;
}
