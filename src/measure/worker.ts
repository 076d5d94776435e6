import { workerData } from 'node:worker_threads';
import { createFilter } from '../context/filter.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { directoryRef, walkSubtree, type SubtreeTotals } from '../walk/walk.js';
import { MeasureAccumulator } from './accumulator.js';
import type { WalkTask, WorkerJob, WorkerReply } from './parallel.js';
import { BOOTING, DONE, NEXT_TASK, RUNNING, type WorkerStart } from './pool.js';

/**
 * A measurement worker thread: waits for its job, claims directory tasks from the shared counter
 * until none is left, walks each with the same code as the main thread, and sends back its
 * accumulator and the totals of each task's subtree.
 */
const start = workerData as WorkerStart;
const shared = new Int32Array(start.shared);

function restoreBuffers(task: WalkTask): WalkTask {
  const { abs, rel, rawRel, state, builderInside } = task.dir;
  const toBuffer = (value: unknown): Buffer => Buffer.from((value as Uint8Array).buffer, (value as Uint8Array).byteOffset, (value as Uint8Array).byteLength);
  const dir = directoryRef(typeof abs === 'string' ? abs : toBuffer(abs), rel, rawRel === undefined ? undefined : toBuffer(rawRel), state, builderInside);
  return { id: task.id, dir };
}

function run(job: WorkerJob): WorkerReply {
  if (job.fail) throw new Error('failing as the test asked');
  const filter = createFilter(job.context);
  const accumulator = new MeasureAccumulator(job.top, job.topLevelLimit);
  const results: [number, SubtreeTotals][] = [];
  const sink = {
    entry(entry: Entry, sent: boolean) {
      accumulator.entry(entry, sent);
      if ((accumulator.seen & 0xfff) === 0) Atomics.store(shared, start.stateSlot + 1, accumulator.seen);
    },
    leaveDirectory: (entry: Entry, totals: SubtreeTotals, sent: boolean) => accumulator.leaveDirectory(entry, totals, sent),
    warning: (warning: WalkWarning) => accumulator.warning(warning),
  };
  for (;;) {
    const index = Atomics.add(shared, NEXT_TASK, 1);
    if (index >= job.tasks.length) break;
    if (job.die) process.exit(1);
    const task = restoreBuffers(job.tasks[index]!);
    results.push([task.id, walkSubtree({ filter, sink, visitSkipped: true }, task.dir)]);
  }
  return filter.failure ? { ok: false, error: filter.failure.message } : { ok: true, measure: accumulator.snapshot(), results };
}

start.port.once('message', (job: WorkerJob) => {
  // The main thread may have finished every task already, and said so.
  if (Atomics.compareExchange(shared, start.stateSlot, BOOTING, RUNNING) !== BOOTING) {
    start.port.close();
    return;
  }
  let reply: WorkerReply;
  try {
    reply = run(job);
  } catch (error) {
    reply = { ok: false, error: (error as Error)?.stack ?? String(error) };
  }
  start.port.postMessage(reply);
  Atomics.store(shared, start.stateSlot, DONE);
  Atomics.notify(shared, start.stateSlot);
  start.port.close();
  // End the thread now, while the main thread reports: tearing it down at exit would wait for it.
  process.exit(0);
});
