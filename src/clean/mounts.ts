/**
 * Which paths are mount points. A device number comparison misses a bind mount of a directory of
 * the same file system (`mount --bind /elsewhere DIR/__pycache__` keeps the device number), so on
 * Linux the kernel's own list, /proc/self/mountinfo, is read; elsewhere the device number is all
 * there is, and clean says so in its documentation.
 */
import { readFileSync } from 'node:fs';

/** The mount points of this process's mount namespace, as absolute paths. */
export interface MountTable {
  /** True when `abs` (absolute, symlink-free) is a mount point. */
  has(abs: string): boolean;
  /** Where the list came from: `mountinfo`, or `device` when only device numbers can be compared. */
  source: 'mountinfo' | 'device';
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parse /proc/self/mountinfo text: the fifth field of each line is the mount point. */
export function parseMountInfo(text: string): Set<string> {
  const points = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 5) continue;
    // Names are bytes; mountinfo prints them raw apart from the escapes above.
    points.add(Buffer.from(unescapeMountPath(fields[4]!), 'latin1').toString('utf8'));
  }
  return points;
}

/**
 * Read the mount table now. Read it again before each item of a plan: a mount made after the
 * plan was written must still be seen.
 */
export function readMountTable(): MountTable {
  if (process.platform === 'linux') {
    try {
      // mountinfo is a pseudo-file: a size-limited read of a regular-looking file of size 0.
      const points = parseMountInfo(readFileSync('/proc/self/mountinfo', 'latin1'));
      return { has: (abs) => points.has(abs), source: 'mountinfo' };
    } catch {
      // /proc not mounted (some sandboxes): fall back on device numbers
    }
  }
  return { has: () => false, source: 'device' };
}
