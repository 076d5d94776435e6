/**
 * Reading a file that ctxsize takes as input (an ignore file, a Dockerfile, a configuration, a
 * Compose file, a baseline, a plan, a `.gitignore`). Any of them may be hostile: a FIFO that never
 * ends, a link to /dev/zero, a file of gigabytes. So each is opened without blocking (a FIFO opens
 * at once and is refused), must be a regular file once links are resolved, and is read up to a cap.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** The largest input file ctxsize reads (64 MiB): far above any real ignore file, Dockerfile or plan. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Why an input file was refused; `code` is ENOTREG (not a regular file), EISDIR or EFBIG. */
export class InputFileError extends Error {
  constructor(
    readonly code: 'ENOTREG' | 'EISDIR' | 'EFBIG',
    readonly path: string,
    /** The reason alone, without the path: `a FIFO, not a regular file`. */
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'InputFileError';
  }
}

function kindOf(st: ReturnType<typeof fstatSync>): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Read a whole input file. Throws the system error for a missing or unreadable file (ENOENT,
 * EACCES, …: callers decide what a missing file means), and InputFileError for one that is not a
 * regular file or is over `maxBytes` (checked while reading too: /proc files report size 0).
 */
export function readInputFile(file: string, maxBytes = MAX_INPUT_BYTES): Buffer {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError('EISDIR', file, 'is a directory');
    if (!st.isFile()) throw new InputFileError('ENOTREG', file, `${kindOf(st)}, not a regular file`);
    const tooBig = (): InputFileError => new InputFileError('EFBIG', file, `larger than ${maxBytes / (1024 * 1024)} MiB, the limit for input files`);
    if (st.size > maxBytes) throw tooBig();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(st.size - total, 0) + 65536, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooBig();
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** `readInputFile` decoded as UTF-8. */
export function readInputText(file: string, maxBytes = MAX_INPUT_BYTES): string {
  return readInputFile(file, maxBytes).toString('utf8');
}

/** Short words for why reading failed, for a one-line message: `a FIFO, not a regular file`, `permission denied`. */
export function describeReadError(error: unknown): string {
  if (error instanceof InputFileError) return error.reason;
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ?? (error as Error)?.message ?? String(error);
  }
}
