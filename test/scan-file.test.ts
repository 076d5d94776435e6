import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readForScan } from '../src/check/scan-file.js';
import { BINARY_PROBE_BYTES, looksBinary } from '../src/knowledge/secret-content.js';
import { withTree } from './support/tree.js';

/**
 * What the scan must get, read the plain way: the file's first min(size, max) + 1 bytes (one more
 * than the walk saw tells a file that grew past the limit), judged by looksBinary.
 */
function expected(file: string, size: number, max: number): unknown {
  if (size > max) return { skipped: 'too-large' };
  const bytes = readFileSync(file).subarray(0, Math.min(size, max) + 1);
  if (bytes.length > max) return { skipped: 'too-large' };
  return looksBinary(bytes) ? { skipped: 'binary' } : { text: bytes.toString('utf8') };
}

describe('reading a file for the secret scan', () => {
  it('stops at the first bytes of a binary file and otherwise reads it whole, with the same answer', async () => {
    await withTree({}, (root) => {
      const max = 64 * 1024;
      const nulAt = (length: number, at: number): Buffer => {
        const b = Buffer.alloc(length, 0x61);
        if (at >= 0) b[at] = 0;
        return b;
      };
      const files: [string, Buffer][] = [
        ['empty', Buffer.alloc(0)],
        ['short-text', Buffer.from('token = "x"\n')],
        ['nul-first', nulAt(20_000, 0)],
        ['nul-last-probed', nulAt(20_000, BINARY_PROBE_BYTES - 1)],
        ['nul-after-probe', nulAt(20_000, BINARY_PROBE_BYTES)],
        ['exactly-probe', nulAt(BINARY_PROBE_BYTES, -1)],
        ['probe-plus-one', nulAt(BINARY_PROBE_BYTES + 1, -1)],
        ['at-limit', nulAt(max, -1)],
        ['over-limit', nulAt(max + 1, -1)],
        ['utf8', Buffer.from('é'.repeat(6000) + '\n')],
        // Larger than the read buffer first used, then smaller again: nothing of one file leaks into the next.
        ['big-text', Buffer.from('b'.repeat(max - 10))],
        ['small-after', Buffer.from('small')],
      ];
      for (const [name, bytes] of files) writeFileSync(path.join(root, name), bytes);
      symlinkSync('short-text', path.join(root, 'link'));
      for (const [name, bytes] of files) {
        const file = path.join(root, name);
        assert.deepEqual(readForScan(file, bytes.length, max), expected(file, bytes.length, max), name);
      }
      // A file that grew since the walk: too large once over the limit, else read as it is now.
      assert.deepEqual(readForScan(path.join(root, 'over-limit'), max, max), { skipped: 'too-large' });
      assert.deepEqual(readForScan(path.join(root, 'short-text'), 5, max), expected(path.join(root, 'short-text'), 5, max));
      assert.deepEqual(readForScan(path.join(root, 'link'), 12, max), { skipped: 'unreadable' }, 'links are not followed');
      assert.deepEqual(readForScan(path.join(root, 'missing'), 1, max), { skipped: 'unreadable' });
    });
  });
});
