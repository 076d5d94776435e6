import { lstatSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACKAGE_JSON } from '../runtime/package-files.js';
import { fsBindingFunction } from './fs-binding.js';

/**
 * The size of a regular file, without following links: most of a walk's cost. Node 20's
 * `fs.lstatSync` builds a Stats object with four Date objects for every call; Node's own fs
 * binding can fill its shared array instead, which takes a fifth off a large walk. That binding is
 * internal, so it is used only after it has proved itself here (same sizes as `fs.lstatSync` on
 * files of different sizes, a throw for a missing path); any doubt, and any error, goes through
 * `fs.lstatSync`, whose errors are the public ones. `CTXSIZE_PLAIN_FS=1` (or `CTXSIZE_PLAIN_LSTAT=1`)
 * turns it off.
 */
export type SizeReader = (path: string | Buffer) => number;

const plainSize: SizeReader = (path) => lstatSync(path).size;

type InternalLstat = (path: string, bigint: boolean, request: undefined, throwIfNoEntry: boolean) => unknown;

/** Index of `size` in the binding's stat array (dev, mode, nlink, uid, gid, rdev, blksize, ino, size…). */
const SIZE_INDEX = 8;

function internalLstat(): InternalLstat | null {
  if (process.env['CTXSIZE_PLAIN_FS'] || process.env['CTXSIZE_PLAIN_LSTAT']) return null;
  return fsBindingFunction<InternalLstat>('lstat');
}

function proves(lstat: InternalLstat): boolean {
  try {
    // Two files of ctxsize's own (in either layout, see runtime/package-files.ts).
    const probes = [fileURLToPath(import.meta.url), fileURLToPath(PACKAGE_JSON)];
    const sizes = probes.map((p) => lstatSync(p).size);
    if (sizes[0] === sizes[1]) return false;
    for (const [i, p] of probes.entries()) {
      const values = lstat(p, false, undefined, true);
      if (!(values instanceof Float64Array) || values[SIZE_INDEX] !== sizes[i]) return false;
    }
  } catch {
    return false;
  }
  try {
    lstat(fileURLToPath(new URL('./no-such-file-ctxsize-probe', import.meta.url)), false, undefined, true);
    return false; // a missing file must throw
  } catch {
    return true;
  }
}

let reader: SizeReader | null = null;

/** The fastest proven way to read file sizes in this process (decided once per thread). */
export function fileSizeReader(): SizeReader {
  if (reader !== null) return reader;
  const lstat = internalLstat();
  if (lstat === null || !proves(lstat)) {
    reader = plainSize;
    return reader;
  }
  reader = (path) => {
    if (typeof path === 'string') {
      try {
        const size = (lstat(path, false, undefined, true) as Float64Array)[SIZE_INDEX]!;
        // A size read from a Float64Array is a double, and an object field that holds doubles
        // boxes each one (16 bytes per entry): an integer under 2^31 is stored as is.
        return size < 0x80000000 ? size | 0 : size;
      } catch {
        // fall through: the public API gives the error its usual shape
      }
    }
    return plainSize(path);
  };
  return reader;
}
