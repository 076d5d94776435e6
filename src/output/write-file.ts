/**
 * Writing a report, a baseline or a plan to a file the user named (`-o FILE`). A regular file is
 * replaced atomically, through a temporary file created exclusively (O_EXCL) under an unpredictable
 * name in the same directory, so that a link planted at a guessable name cannot redirect the write.
 * A target that exists and is not a regular file is never replaced: a device (/dev/null, a
 * terminal) or a FIFO with a reader is written directly, anything else is refused.
 */
import { lazyCrypto } from '../runtime/lazy-crypto.js';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import { InputError } from '../context/resolve.js';
import { describeReadError } from '../input/read-file.js';

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw error;
  }
}

/** Write all of `data` to `fd`, waiting a little when a non-blocking pipe is full. */
function writeAll(fd: number, data: Buffer): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let offset = 0;
  let waited = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset, data.length - offset);
      waited = 0;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || waited > 30_000) throw error;
      Atomics.wait(pause, 0, 0, 10);
      waited += 10;
    }
  }
}

/** Write to an existing FIFO or character device in place. */
function writeInPlace(file: string, st: Stats, data: Buffer): void {
  // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of hanging.
  const fd = openSync(file, constants.O_WRONLY | (st.isFIFO() ? constants.O_NONBLOCK ?? 0 : 0));
  try {
    const now = fstatSync(fd);
    if (!now.isFIFO() && !now.isCharacterDevice()) throw Object.assign(new Error('changed while being opened'), { code: 'ECHANGED' });
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

function writeReplacing(target: string, existing: Stats | null, data: Buffer): void {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${lazyCrypto().randomBytes(9).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), existing ? existing.mode & 0o777 : 0o666);
  try {
    try {
      writeAll(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // already renamed or gone
    }
    throw error;
  }
}

/**
 * Write `text` to `file` (relative to `cwd`), creating parent directories. `what` names the file
 * in errors (`output`, `baseline`, `plan`). Throws InputError (exit 2) with the path and the reason.
 */
export function writeOutputFile(file: string, text: string | Buffer, cwd: string, what: string): void {
  const abs = path.resolve(cwd, file);
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  try {
    mkdirSync(path.dirname(abs), { recursive: true });
    const st = statOrNull(abs);
    if (st === null) {
      // A dangling link: write where it points would follow it out; refuse rather than guess.
      let link: Stats | null = null;
      try {
        link = lstatSync(abs);
      } catch {
        // nothing there
      }
      if (link?.isSymbolicLink()) throw new InputError(`${what} ${file}: a symbolic link to a file that does not exist; not followed`);
      writeReplacing(abs, null, data);
    } else if (st.isFile()) {
      // Through a link to a regular file, replace the file it points to and keep the link.
      writeReplacing(realpathSync(abs), st, data);
    } else if (st.isFIFO() || st.isCharacterDevice()) {
      writeInPlace(abs, st, data);
    } else {
      throw new InputError(`${what} ${file}: ${st.isDirectory() ? 'is a directory' : 'not a regular file, a FIFO or a device'}; not replaced`);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENXIO' ? 'a FIFO that nobody reads' : code === 'EROFS' ? 'read-only file system' : code === 'ENOSPC' ? 'no space left on the device' : describeReadError(error);
    throw new InputError(`${what} ${file}: cannot write it (${reason})`, { cause: error });
  }
}
