import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { WalkWarning } from '../walk/entry.js';
import { listSkippedSubtree } from '../walk/walk.js';
import type { FileScan } from './scan-file.js';
import { BATCH_CLAIMS, CLAIMS, DONE_SLOT, HEARTBEAT_SLOT, POSTED_SLOT, READY_SLOT, scanBatch, WAKE_SLOT, type FromWorker, type SecondThreadStart, type ToWorker } from './second-thread.js';

/**
 * check's second thread (see second-thread.ts): lists the skipped subtrees it claims first, as
 * the main thread waits for them, and reads and scans the secret scan's files in between. Only
 * files worth a look travel back (skipped, with matches, env files); the rest are clean.
 */
const start = workerData as SecondThreadStart;
const shared = new Int32Array(start.shared);
const notable: [string, FileScan][] = [];
const subtrees: [number, string, string][] = [];
const files: { batch: number; files: string }[] = [];
let fileAt = 0;
let ended = false;
let failure: string | null = null;

/** Tell the main thread this thread still works (see THREAD_TUNING). */
function beat(): void {
  Atomics.add(shared, HEARTBEAT_SLOT, 1);
}

// A test's way to make the thread die at its worst moment: with a subtree or a batch of files
// claimed and unanswered (`subtree`, `batch`).
const dieAfterClaim = process.env['CTXSIZE_TEST_THREAD_DIES'];

function post(message: FromWorker): void {
  start.port.postMessage(message);
}

function take(message: ToWorker): void {
  if (message === '') ended = true;
  else if (typeof message === 'string') return;
  else if (Array.isArray(message)) subtrees.push(message);
  else files.push(message);
}

Atomics.store(shared, READY_SLOT, 1);
Atomics.notify(shared, READY_SLOT);

for (;;) {
  beat();
  const wake = Atomics.load(shared, WAKE_SLOT);
  for (let m = receiveMessageOnPort(start.port); m !== undefined; m = receiveMessageOnPort(start.port)) take(m.message as ToWorker);
  const subtree = subtrees.shift();
  if (subtree !== undefined) {
    const [id, abs, rel] = subtree;
    // The main thread may have taken it already (it lists what is left once its walk is done).
    if (Atomics.compareExchange(shared, CLAIMS + id, 0, 1) !== 0) continue;
    const warnings: WalkWarning[] = [];
    let listing: string | null;
    try {
      if (dieAfterClaim === 'subtree') process.exit(1);
      listing = listSkippedSubtree(abs, rel, warnings, beat);
    } catch {
      listing = null; // the main thread walks it
    }
    post({ subtree: id, listing, warnings });
    Atomics.add(shared, POSTED_SLOT, 1);
    Atomics.notify(shared, POSTED_SLOT);
    continue;
  }
  if (fileAt < files.length) {
    const { batch, files: list } = files[fileAt]!;
    files[fileAt++] = { batch, files: '' };
    // The main thread may be scanning it already (it takes what is left when it needs the answers).
    if (failure === null && Atomics.compareExchange(shared, BATCH_CLAIMS + batch, 0, 1) === 0) {
      if (dieAfterClaim === 'batch') process.exit(1);
      try {
        scanBatch(start.root, start.max, list, notable, beat);
      } catch (error) {
        failure = (error as Error)?.stack ?? String(error);
      }
    }
    continue;
  }
  if (ended) break;
  Atomics.wait(shared, WAKE_SLOT, wake, 100);
}

post(failure === null ? { ok: true, notable } : { ok: false, notable: [], error: failure });
Atomics.store(shared, DONE_SLOT, 1);
Atomics.notify(shared, DONE_SLOT);
start.port.close();
process.exit(0);
