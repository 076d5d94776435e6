import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { FileScan } from './scan-file.js';

/**
 * The secret scan's reading, done on a second thread while check walks the tree: the walk hands
 * over each file it sends that the scan will want, a worker thread reads and scans it, and the
 * scan later takes the answers instead of reading again. Only an optimisation: a file the worker
 * did not answer (not handed over, the worker gone or not started) is read by the scan itself, with
 * the same code (`scanFile`), so the findings are the same either way.
 */

/** What the worker gets when it starts. */
export interface PrefetchStart {
  root: string;
  /** Files larger than this are not read (the scan's own limit). */
  max: number;
  shared: SharedArrayBuffer;
  port: MessageChannel['port2'];
}

/**
 * A batch of files for the worker: `size NUL path NUL` for each (one string crosses threads far
 * faster than an array of them; NUL is the one byte no name holds).
 */
export type PrefetchBatch = string;

/** The worker's answer: the files worth a look (skipped, with matches, or env files); the rest are clean. */
export interface PrefetchReply {
  ok: boolean;
  notable: [string, FileScan][];
  error?: string;
}

/** Slot of the shared state: 0 while working, 1 once the reply is posted. */
const STATE = 0;
const BATCH = 1024;
/** A worker thread that reads files makes short-lived garbage: a small young generation keeps memory flat. */
const YOUNG_GENERATION_MB = 8;

export class ContentPrefetch {
  private readonly worker: Worker;
  private readonly port: MessageChannel['port1'];
  private readonly shared: Int32Array;
  private readonly queued = new Set<string>();
  private batch = '';
  private count = 0;
  private answers: Map<string, FileScan> | null = null;
  private closed = false;

  private constructor(worker: Worker, port: MessageChannel['port1'], shared: Int32Array) {
    this.worker = worker;
    this.port = port;
    this.shared = shared;
  }

  /** Start the worker; null on a single core, or where no thread can start (the scan then reads alone). */
  static start(root: string, max: number): ContentPrefetch | null {
    if (availableParallelism() < 2 || process.env['CTXSIZE_PREFETCH'] === '0') return null;
    const buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const channel = new MessageChannel();
    const start: PrefetchStart = { root, max, shared: buffer, port: channel.port2 };
    let worker: Worker;
    try {
      worker = new Worker(new URL('./content-prefetch-worker.js', import.meta.url), {
        workerData: start,
        transferList: [channel.port2],
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
    } catch {
      return null;
    }
    worker.unref();
    worker.on('error', () => undefined); // noticed when the answers are collected
    return new ContentPrefetch(worker, channel.port1, new Int32Array(buffer));
  }

  /** Hand over a file (relative path, size from the walk) for reading. */
  add(path: string, size: number): void {
    if (this.closed) return;
    this.queued.add(path);
    this.batch += size + '\0' + path + '\0';
    if (++this.count >= BATCH) this.flush();
  }

  private flush(): void {
    if (this.count === 0) return;
    const batch: PrefetchBatch = this.batch;
    this.port.postMessage(batch);
    this.batch = '';
    this.count = 0;
  }

  /**
   * Wait for every file handed over, and return a lookup of the answers: undefined for a file that
   * was not handed over, or when the worker failed (the caller reads those itself).
   */
  finish(): (path: string) => FileScan | undefined {
    if (!this.closed) {
      this.closed = true;
      this.flush();
      this.port.postMessage(''); // the end
      this.answers = this.collect();
      this.port.close();
      void this.worker.terminate();
    }
    const answers = this.answers;
    if (answers === null) return () => undefined;
    const queued = this.queued;
    return (path) => (queued.has(path) ? (answers.get(path) ?? { matches: [] }) : undefined);
  }

  /** Stop without waiting (the check failed before its scan). */
  cancel(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }

  private collect(): Map<string, FileScan> | null {
    while (Atomics.load(this.shared, STATE) === 0) {
      // A thread that is gone (threadId -1) without answering took its answers with it.
      if (this.worker.threadId === -1) return null;
      Atomics.wait(this.shared, STATE, 0, 100);
    }
    const reply = receiveMessageOnPort(this.port)?.message as PrefetchReply | undefined;
    if (reply === undefined || !reply.ok) return null;
    return new Map(reply.notable);
  }
}
