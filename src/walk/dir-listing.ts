import { constants, readdirSync } from 'node:fs';
import type { EntryType } from './entry.js';
import { fileURLToPath } from 'node:url';
import { fsBindingFunction } from './fs-binding.js';

/**
 * A directory's names and entry types, without a `Dirent` object per entry. `fs.readdirSync` with
 * `withFileTypes` gets exactly this from Node's fs binding (two arrays: the names, and the types
 * as `fs.constants.UV_DIRENT_*`), then builds a Dirent for each entry; building them, and V8
 * compiling the code that builds them on every walking thread, is a visible share of a walk's user
 * time. The binding is internal, so it is used only as this Node's own `fs.readdirSync` calls it
 * (read from its source) and once it has proved itself here (the same names and types as
 * `fs.readdirSync` on this module's directory, a throw for a missing one). A listing the binding
 * cannot give as readdirSync would (an error, whose message must be the public one, or an entry of
 * unknown type, which readdirSync resolves with lstat) is left to the caller: null.
 * `CTXSIZE_PLAIN_FS=1` turns it off.
 */
export type ListDirectory = (path: string) => DirectoryListing | null;

export interface DirectoryListing {
  names: string[];
  /** `UV_DIRENT_*` values: `ENTRY_TYPES` and `SOCKET` read them. */
  types: number[];
}

/** libuv's entry types, as `fs.constants` has them (Node's Dirent reads the same; not in Node's types). */
const DIRENT = constants as unknown as Record<`UV_DIRENT_${'UNKNOWN' | 'FILE' | 'DIR' | 'LINK' | 'SOCKET'}`, number | undefined>;
const FILE = DIRENT.UV_DIRENT_FILE;
const DIR = DIRENT.UV_DIRENT_DIR;
const UNKNOWN = DIRENT.UV_DIRENT_UNKNOWN;
const LINK = DIRENT.UV_DIRENT_LINK;
/** The type of a Unix socket. */
export const SOCKET = DIRENT.UV_DIRENT_SOCKET;

/** Entry types by `UV_DIRENT_*` value, as Dirent's `isFile()` and the others tell them; the rest is other. */
export const ENTRY_TYPES: EntryType[] = [];
if (FILE !== undefined && DIR !== undefined && LINK !== undefined) {
  ENTRY_TYPES[FILE] = 'file';
  ENTRY_TYPES[DIR] = 'dir';
  ENTRY_TYPES[LINK] = 'symlink';
}

type InternalReaddir = (path: string, encoding: string, withTypes: boolean) => unknown;

const never: ListDirectory = () => null;

/** `binding.readdir(path, encoding, withFileTypes)` and nothing more: the synchronous call of recent Node 20s. */
const SYNC_CALL = /\bbinding\.readdir\(\s*pathModule\.toNamespacedPath\(path\),\s*options\.encoding,\s*!!options\.withFileTypes,?\s*\)/;

function internalReaddir(): InternalReaddir | null {
  if (process.env['CTXSIZE_PLAIN_FS']) return null;
  if ([FILE, DIR, UNKNOWN, LINK, SOCKET].some((value) => typeof value !== 'number')) return null;
  // Only the three-argument call that this Node's readdirSync makes itself: older releases take
  // other arguments, and a wrong count aborts the process instead of throwing.
  if (!SYNC_CALL.test(Function.prototype.toString.call(readdirSync))) return null;
  return fsBindingFunction<InternalReaddir>('readdir');
}

function isListing(value: unknown): value is [string[], number[]] {
  return Array.isArray(value) && value.length === 2 && Array.isArray(value[0]) && Array.isArray(value[1]) && value[0].length === value[1].length;
}

function proves(readdir: InternalReaddir): boolean {
  try {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const listed = readdir(dir, 'utf8', true);
    if (!isListing(listed)) return false;
    const [names, types] = listed;
    const dirents = readdirSync(dir, { withFileTypes: true });
    if (dirents.length === 0 || dirents.length !== names.length) return false;
    for (const [i, dirent] of dirents.entries()) {
      if (dirent.name !== names[i]) return false;
      const type = types[i];
      if (dirent.isFile() !== (type === FILE) || dirent.isDirectory() !== (type === DIR)) return false;
    }
  } catch {
    return false;
  }
  try {
    readdir(fileURLToPath(new URL('./no-such-directory-ctxsize-probe', import.meta.url)), 'utf8', true);
    return false; // a missing directory must throw
  } catch {
    return true;
  }
}

let lister: ListDirectory | null = null;

/** The fastest proven way to list directories in this process (decided once per thread). */
export function directoryLister(): ListDirectory {
  if (lister !== null) return lister;
  const readdir = internalReaddir();
  if (readdir === null || !proves(readdir)) {
    lister = never;
    return lister;
  }
  lister = (path) => {
    let listed: unknown;
    try {
      listed = readdir(path, 'utf8', true);
    } catch {
      return null; // the public API gives the error its usual shape
    }
    if (!isListing(listed)) return null;
    const types = listed[1];
    for (let i = 0; i < types.length; i++) if (types[i] === UNKNOWN) return null;
    return { names: listed[0], types };
  };
  return lister;
}
