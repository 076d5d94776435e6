import { closeSync, constants, openSync, readSync } from 'node:fs';
import { BINARY_PROBE_BYTES, findDotenvCredential, looksBinary, scanSecretContent, type SecretMatch } from '../knowledge/secret-content.js';

/** The result of reading one file for the content scan. */
export type ReadResult = { text: string } | { skipped: 'too-large' | 'binary' | 'unreadable' };

/** What the content scan learnt from one file: why it was not read, or what it holds. */
export type FileScan =
  | { skipped: 'too-large' | 'binary' | 'unreadable' }
  | {
      matches: SecretMatch[];
      /** For an env file (by name): its first setting that holds a credential, or `template`. */
      env?: { line: number; name: string } | 'template' | null;
    };

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** One buffer per thread for the scan's reads: the text is copied out of it before the next read. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Read a regular file for the content scan. The walk already knows its size, so a file over the
 * limit is never opened; O_NOFOLLOW refuses a file swapped for a link since. The first
 * BINARY_PROBE_BYTES are read first: a binary file (a NUL there, all `looksBinary` looks at) is
 * not read further.
 */
export function readForScan(abs: string | Buffer, size: number, max: number): ReadResult {
  if (size > max) return { skipped: 'too-large' };
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch {
    return { skipped: 'unreadable' };
  }
  try {
    // One byte more than expected tells a file that grew past the limit since the walk.
    const length = Math.min(size, max) + 1;
    if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, Math.min(scratch.length * 2, max + 1)));
    const buffer = scratch;
    let read = 0;
    const probe = Math.min(length, BINARY_PROBE_BYTES);
    for (let n = -1; n !== 0 && read < probe; read += n) n = readSync(fd, buffer, read, probe - read, null);
    if (looksBinary(buffer.subarray(0, read))) return { skipped: 'binary' };
    if (read === probe) for (let n = -1; n !== 0 && read < length; read += n) n = readSync(fd, buffer, read, length - read, null);
    if (read > max) return { skipped: 'too-large' };
    return { text: buffer.toString('utf8', 0, read) };
  } catch {
    return { skipped: 'unreadable' };
  } finally {
    closeSync(fd);
  }
}

/** Read part of a file too large for one read (the content scan goes through it in chunks). */
export function readRangeForScan(abs: string | Buffer, position: number, length: number): Uint8Array | null {
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.allocUnsafe(length);
    let read = 0;
    for (let n = -1; n !== 0 && read < length; read += n) n = readSync(fd, buffer, read, length - read, position + read);
    return buffer.subarray(0, read);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Scan what was read of a file (`name` is its base name; `envFile`: its name makes it an env file). */
export function scanReadResult(result: ReadResult, name: string, envFile: boolean): FileScan {
  if ('skipped' in result) return { skipped: result.skipped };
  const matches = scanSecretContent(result.text, name);
  return envFile ? { matches, env: findDotenvCredential(result.text) } : { matches };
}
