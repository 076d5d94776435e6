import { workerData } from 'node:worker_threads';
import type { PrefetchBatch, PrefetchReply, PrefetchStart } from './content-prefetch.js';
import { readForScan, type FileScan } from './scan-file.js';
import { scanFile } from './secrets.js';

/**
 * The content prefetch's worker thread: reads and scans each file it is handed, as the secret
 * scan would, and answers once told the walk has ended. Only files worth a look travel back.
 */
const start = workerData as PrefetchStart;
const shared = new Int32Array(start.shared);
const notable: [string, FileScan][] = [];
let failure: string | null = null;

function scanBatch(batch: PrefetchBatch): void {
  const fields = batch.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const size = Number(fields[i]);
    const path = fields[i + 1]!;
    const scan = scanFile(readForScan(start.root + '/' + path, size, start.max), path);
    if ('skipped' in scan || scan.matches.length > 0 || scan.env !== undefined) notable.push([path, scan]);
  }
}

start.port.on('message', (message: PrefetchBatch) => {
  if (message !== '') {
    if (failure === null) {
      try {
        scanBatch(message);
      } catch (error) {
        failure = (error as Error)?.stack ?? String(error);
      }
    }
    return;
  }
  const reply: PrefetchReply = failure === null ? { ok: true, notable } : { ok: false, notable: [], error: failure };
  start.port.postMessage(reply);
  Atomics.store(shared, 0, 1);
  Atomics.notify(shared, 0);
  start.port.close();
  process.exit(0);
});
