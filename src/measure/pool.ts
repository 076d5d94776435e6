import { availableParallelism } from 'node:os';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { MEASURE_WORKER } from '../runtime/package-files.js';
import { startThread } from '../runtime/threads.js';

/**
 * Worker threads for the measurement walk. Starting one costs about as much as reading the first
 * levels of a tree, so the CLI starts them before it loads the rest of itself (`prestartWalkers`);
 * a measurement takes the started ones, or starts its own.
 */

/** Young-generation size of a walking thread: big enough not to slow it, small enough for RSS. */
const YOUNG_GENERATION_MB = 12;

/** Shared slots: the next task, then a state and a progress slot per worker. */
export const NEXT_TASK = 0;
export const stateSlot = (worker: number): number => 1 + 2 * worker;
export const seenSlot = (worker: number): number => 2 + 2 * worker;
/** Worker states. */
export const BOOTING = 0;
export const RUNNING = 1;
export const DONE = 2;
export const CANCELLED = 3;

export interface Walker {
  worker: Worker;
  /** The main thread's end of the walker's channel. */
  port: MessageChannel['port1'];
  stateSlot: number;
}

export interface WalkerPool {
  shared: Int32Array;
  walkers: Walker[];
}

/** What a worker gets when it starts. */
export interface WorkerStart {
  shared: SharedArrayBuffer;
  stateSlot: number;
  port: MessageChannel['port2'];
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

function startPool(threads: number): WalkerPool {
  const buffer = new SharedArrayBuffer((1 + 2 * threads) * Int32Array.BYTES_PER_ELEMENT);
  const walkers: Walker[] = [];
  for (let k = 0; k < threads - 1; k++) {
    const channel = new MessageChannel();
    const start: WorkerStart = { shared: buffer, stateSlot: stateSlot(k), port: channel.port2 };
    // A worker that fails to load or dies is noticed by the measurement (it falls back to one thread).
    const worker = startThread(MEASURE_WORKER, start, channel.port2, YOUNG_GENERATION_MB);
    if (worker === null) break; // no (more) threads here: the main thread walks alone
    walkers.push({ worker, port: channel.port1, stateSlot: stateSlot(k) });
  }
  return { shared: new Int32Array(buffer), walkers };
}

let warm: WalkerPool | null = null;

/** Start the walkers of the next measurement now, so that they are ready when it begins. */
export function prestartWalkers(threads = defaultThreads()): void {
  if (warm === null && threads > 1) warm = startPool(threads);
}

/** The started walkers if they fit, else new ones. */
export function takeWalkers(threads: number): WalkerPool {
  if (warm !== null && warm.walkers.length === threads - 1) {
    const pool = warm;
    warm = null;
    return pool;
  }
  releaseWalkers();
  return startPool(threads);
}

/** Stop walkers started for a measurement that did not use them. */
export function releaseWalkers(pool: WalkerPool | null = warm): void {
  if (pool === null) return;
  for (const walker of pool.walkers) {
    walker.port.close();
    void walker.worker.terminate();
  }
  if (pool === warm) warm = null;
}
