/** The kind of a directory entry, as ctxsize reports it. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

/** One entry below the context root. */
export interface Entry {
  /** Path relative to the root, `/`-separated. Invalid UTF-8 bytes in names read as U+FFFD. */
  path: string;
  type: EntryType;
  /** Byte size (lstat) of a regular file; 0 for everything else. */
  size: number;
  /** True for a Unix socket (type `other`): the classic builder never sends one. */
  socket?: boolean;
  /** The raw relative path, present only when a name is not valid UTF-8. */
  rawPath?: Buffer;
}

/** Something the walk could not read; the walk goes on. */
export interface WalkWarning {
  path: string;
  /** The system error code (EACCES, ENOENT, …). */
  code: string;
  message: string;
}
