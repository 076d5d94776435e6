import { workerData, type MessagePort } from 'node:worker_threads';
import { createFilter } from '../context/filter.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { walkSubtree, type SubtreeTotals } from '../walk/walk.js';
import { MeasureAccumulator } from './accumulator.js';
import { SHARED, type WalkTask, type WorkerReply, type WorkerSetup } from './parallel.js';

/**
 * A measurement worker thread: claims directory tasks from the shared counter until none is left,
 * walks each with the same code as the main thread, and sends back its accumulator and the totals
 * of each task's subtree.
 */
const { setup, port } = workerData as { setup: WorkerSetup; port: MessagePort };
const shared = new Int32Array(setup.shared);

function restoreBuffers(task: WalkTask): WalkTask {
  const { abs, rawRel } = task.dir;
  const toBuffer = (value: unknown): Buffer => Buffer.from((value as Uint8Array).buffer, (value as Uint8Array).byteOffset, (value as Uint8Array).byteLength);
  return {
    id: task.id,
    dir: {
      ...task.dir,
      abs: typeof abs === 'string' ? abs : toBuffer(abs),
      ...(rawRel !== undefined ? { rawRel: toBuffer(rawRel) } : {}),
    },
  };
}

port.once('message', (tasks: WalkTask[]) => {
  if (Atomics.compareExchange(shared, setup.stateSlot, SHARED.BOOTING, SHARED.RUNNING) !== SHARED.BOOTING) {
    port.close();
    return;
  }
  let reply: WorkerReply;
  try {
    const filter = createFilter(setup.context);
    const accumulator = new MeasureAccumulator(setup.top, setup.topLevelLimit);
    const results: [number, SubtreeTotals][] = [];
    const sink = {
      entry(entry: Entry, sent: boolean) {
        accumulator.entry(entry, sent);
        if ((accumulator.seen & 0xfff) === 0) Atomics.store(shared, setup.stateSlot + 1, accumulator.seen);
      },
      leaveDirectory: (entry: Entry, totals: SubtreeTotals, sent: boolean) => accumulator.leaveDirectory(entry, totals, sent),
      warning: (warning: WalkWarning) => accumulator.warning(warning),
    };
    for (;;) {
      const index = Atomics.add(shared, SHARED.NEXT_TASK, 1);
      if (index >= tasks.length) break;
      const task = restoreBuffers(tasks[index]!);
      results.push([task.id, walkSubtree({ filter, sink, visitSkipped: true }, task.dir)]);
    }
    reply = filter.failure ? { ok: false, error: filter.failure.message } : { ok: true, measure: accumulator.snapshot(), results };
  } catch (error) {
    reply = { ok: false, error: (error as Error)?.stack ?? String(error) };
  }
  port.postMessage(reply);
  Atomics.store(shared, setup.stateSlot, SHARED.DONE);
  Atomics.notify(shared, setup.stateSlot);
  port.close();
});
