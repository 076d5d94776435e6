import { Worker, type MessagePort } from 'node:worker_threads';

/**
 * Start a worker thread that gets `workerData` and `port` (transferred), with a young generation
 * of `youngGenerationMb`; null where no thread can start (the caller then works alone). The thread
 * does not keep the process alive, and its 'error' event is taken: a thread that fails to load or
 * dies is noticed by its caller (a state or progress counter that stops moving), and without a
 * listener that event would crash the process afterwards.
 */
export function startThread(file: URL, workerData: unknown, port: MessagePort, youngGenerationMb: number): Worker | null {
  let worker: Worker;
  try {
    worker = new Worker(file, { workerData, transferList: [port], resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } });
  } catch {
    return null;
  }
  worker.unref();
  worker.on('error', () => undefined);
  return worker;
}
