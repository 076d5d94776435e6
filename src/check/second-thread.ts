import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { CHECK_WORKER } from '../runtime/package-files.js';
import { startThread } from '../runtime/threads.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { entriesOfListing } from '../walk/walk.js';
import { readForScan, type FileScan } from './scan-file.js';
import { scanFile } from './secrets.js';

/**
 * check's second thread. While check walks the tree it hands over two kinds of work:
 *
 * - the secret scan's files (each sent file the scan will read), in batches: the thread reads and
 *   scans them as the scan would (`scanBatch`), and the scan takes the answers instead of reading.
 *   Each batch is claimed once: when the scan needs the answers, the main thread scans the
 *   batches the thread has not started rather than wait;
 * - the subtrees the builder skips (installed dependencies, `.git`, build outputs, most of a
 *   tree's entries): check records them by name only, and the thread lists them
 *   (`listSkippedSubtree`). Each subtree is claimed once, by whichever thread gets to it first:
 *   the main thread lists what the thread has not claimed when its own walk is done.
 *
 * Only an optimisation: whatever the thread does not answer (not started, gone, a name that is not
 * UTF-8) the main thread does itself with the same code, so the findings are the same either way.
 */

/** What the worker gets when it starts. */
export interface SecondThreadStart {
  root: string;
  /** Files larger than this are not read (the scan's own limit). */
  max: number;
  shared: SharedArrayBuffer;
  port: MessageChannel['port2'];
}

/**
 * Messages to the worker. A batch of files is `{ batch, files }`, its files a string, `size NUL
 * path NUL` for each (one string crosses threads far faster than an array); a subtree is
 * `[id, absolute path, relative path]`; the empty string ends the work.
 */
export type ToWorker = string | [number, string, string] | { batch: number; files: string };

/** Messages from the worker: a subtree's listing (null: walk it yourself), or the scan's answers at the end. */
export type FromWorker =
  | { subtree: number; listing: string | null; warnings: WalkWarning[] }
  | { ok: boolean; notable: [string, FileScan][]; error?: string };

/**
 * Shared slots: the final reply posted, a counter the main thread bumps after each message to the
 * thread, one the thread bumps after each listing it posts, and a claim flag per subtree.
 */
export const DONE_SLOT = 0;
export const WAKE_SLOT = 1;
export const POSTED_SLOT = 2;
/** Set by the thread once it runs. */
export const READY_SLOT = 3;
/** Bumped by the thread as it works and as it waits: still moving means still alive. */
export const HEARTBEAT_SLOT = 4;
export const CLAIMS = 5;

/**
 * How long the main thread waits for a thread whose heartbeat has stopped before it does the
 * thread's share itself. A blocked main thread never sees a worker's exit (`threadId` changes
 * only on its event loop), so a thread that dies (out of memory, a bug) is found this way.
 */
export const THREAD_TUNING = { stallMs: 3000 };
/** Where the claim flags of the batches of files start (each batch is scanned by one thread). */
export const BATCH_CLAIMS = CLAIMS + (1 << 15);
/** At most this many batches go to the thread; the scan reads the files of any more itself. */
export const MAX_BATCHES = 1 << 14;
/** At most this many subtrees go to the thread; the walk goes into the others itself. */
export const MAX_SUBTREES = 1 << 15;

const BATCH = 256;
/** A worker thread that reads files makes short-lived garbage: a small young generation keeps memory flat. */
const YOUNG_GENERATION_MB = 2;

/** A subtree handed over: where it goes in the record. */
interface Handed {
  id: number;
  abs: string;
  rel: string;
  /** Number of entries recorded before it (it follows its directory's entry). */
  at: number;
}

export class SecondThread {
  private readonly queued = new Set<string>();
  private batch = '';
  private count = 0;
  /** The batches posted, by id (their files, for the main thread to scan those the thread has not claimed). */
  private readonly batches: string[] = [];
  private readonly root: string;
  private readonly max: number;
  private readonly handed: Handed[] = [];
  private answers: Map<string, FileScan> | null = null;
  private scanClosed = false;
  private ended = false;
  /** Listings received, by subtree id. */
  private readonly listings = new Map<number, { listing: string | null; warnings: WalkWarning[] }>();
  private final: { ok: boolean; notable: [string, FileScan][] } | null = null;
  private lastBeat = -1;
  private lastBeatAt = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessageChannel['port1'],
    private readonly shared: Int32Array,
    start: { root: string; max: number },
  ) {
    this.root = start.root;
    this.max = start.max;
  }

  /** Start the thread; null on a single core, or where no thread can start (check then works alone). */
  static start(root: string, max: number): SecondThread | null {
    if (availableParallelism() < 2 || process.env['CTXSIZE_CHECK_THREAD'] === '0') return null;
    const buffer = new SharedArrayBuffer((BATCH_CLAIMS + MAX_BATCHES) * Int32Array.BYTES_PER_ELEMENT);
    const channel = new MessageChannel();
    const start: SecondThreadStart = { root, max, shared: buffer, port: channel.port2 };
    const worker = startThread(CHECK_WORKER, start, channel.port2, YOUNG_GENERATION_MB); // a death is noticed when the answers are collected
    if (worker === null) return null;
    return new SecondThread(worker, channel.port1, new Int32Array(buffer), { root, max });
  }

  private post(message: ToWorker): void {
    this.port.postMessage(message);
    Atomics.add(this.shared, WAKE_SLOT, 1);
    Atomics.notify(this.shared, WAKE_SLOT);
  }

  /**
   * Wait until the thread runs (at most `ms`): a check does not wait, a test does, so that the
   * thread takes part of a small tree. True when it runs.
   */
  awaitReady(ms: number): boolean {
    Atomics.wait(this.shared, READY_SLOT, 0, ms);
    return Atomics.load(this.shared, READY_SLOT) === 1;
  }

  /** Hand over a file (relative path, size from the walk) for the secret scan. */
  addFile(path: string, size: number): void {
    if (this.scanClosed || this.batches.length >= MAX_BATCHES) return;
    this.queued.add(path);
    this.batch += size + '\0' + path + '\0';
    if (++this.count >= BATCH) this.flush();
  }

  /** How many batches of files the thread has taken so far (tests wait for it). */
  batchesTakenByThread(): number {
    let taken = 0;
    for (let id = 0; id < this.batches.length; id++) if (Atomics.load(this.shared, BATCH_CLAIMS + id) === 1) taken++;
    return taken;
  }

  /** Send the files handed over so far (a batch is sent when full, and when the scan asks). */
  flush(): void {
    if (this.count === 0) return;
    const id = this.batches.length;
    this.batches.push(this.batch);
    this.post({ batch: id, files: this.batch });
    this.batch = '';
    this.count = 0;
  }

  /**
   * Hand over a skipped subtree to list, given how many entries are recorded before it. False
   * when it cannot go (a path that is not plain text, too many subtrees): walk it yourself.
   */
  addSubtree(abs: string | Buffer, rel: string, at: number): boolean {
    if (this.ended || typeof abs !== 'string' || this.handed.length >= MAX_SUBTREES) return false;
    const id = this.handed.length;
    this.handed.push({ id, abs, rel, at });
    this.post([id, abs, rel]);
    return true;
  }

  /**
   * The record with every handed-over subtree spliced in (and where each went: [start, end) in it), each listed by the thread or, if it has
   * not claimed it, by this one (`walkHere` records a subtree as the main walk would; it is used
   * for listings the thread gave up on too). Warnings of the listings join `warnings`.
   */
  spliceSubtrees(recorded: Entry[], warnings: WalkWarning[], walkHere: (abs: string, rel: string, out: Entry[]) => void): { all: Entry[]; spliced: [number, number][] } {
    this.ended = true;
    if (this.handed.length === 0) return { all: recorded, spliced: [] };
    const mine = new Map<number, Entry[]>();
    // Claim from the end while the thread takes from the start.
    for (let k = this.handed.length - 1; k >= 0; k--) {
      const h = this.handed[k]!;
      if (Atomics.compareExchange(this.shared, CLAIMS + h.id, 0, 2) !== 0) continue;
      const out: Entry[] = [];
      walkHere(h.abs, h.rel, out);
      mine.set(h.id, out);
    }
    const all: Entry[] = [];
    const spliced: [number, number][] = [];
    let from = 0;
    for (const h of this.handed) {
      for (let i = from; i < h.at; i++) all.push(recorded[i]!);
      from = h.at;
      const own = mine.get(h.id);
      const at = all.length;
      if (own !== undefined) {
        for (const e of own) all.push(e);
        spliced.push([at, all.length]);
        continue;
      }
      const listed = this.awaitListing(h.id);
      if (listed === null || listed.listing === null) {
        walkHere(h.abs, h.rel, all);
      } else {
        entriesOfListing(listed.listing, all);
        warnings.push(...listed.warnings);
      }
      spliced.push([at, all.length]);
    }
    for (let i = from; i < recorded.length; i++) all.push(recorded[i]!);
    return { all, spliced };
  }

  /** Is the thread still there: not exited, and its heartbeat moved within THREAD_TUNING.stallMs? */
  private alive(): boolean {
    if (this.worker.threadId === -1) return false;
    const beat = Atomics.load(this.shared, HEARTBEAT_SLOT);
    const now = Date.now();
    if (beat !== this.lastBeat) {
      this.lastBeat = beat;
      this.lastBeatAt = now;
      return true;
    }
    return now - this.lastBeatAt < THREAD_TUNING.stallMs;
  }

  /** Wait for a subtree the thread claimed; null if the thread is gone. */
  private awaitListing(id: number): { listing: string | null; warnings: WalkWarning[] } | null {
    for (;;) {
      const got = this.listings.get(id);
      if (got !== undefined) return got;
      if (!this.receive()) {
        // Nothing yet: the thread is working, or gone with its claims.
        if (!this.alive()) return null;
        const posted = Atomics.load(this.shared, POSTED_SLOT);
        if (this.receive()) continue;
        Atomics.wait(this.shared, POSTED_SLOT, posted, 50);
      }
    }
  }

  /** Take one message the thread has posted; false when there is none. */
  private receive(): boolean {
    const message = receiveMessageOnPort(this.port)?.message as FromWorker | undefined;
    if (message === undefined) return false;
    if ('subtree' in message) this.listings.set(message.subtree, { listing: message.listing, warnings: message.warnings });
    else this.final = message;
    return true;
  }

  /**
   * Wait for every file handed over, and return a lookup of the answers: undefined for a file that
   * was not handed over, or when the thread failed (the caller reads those itself).
   */
  finishScan(): (path: string) => FileScan | undefined {
    if (!this.scanClosed) {
      this.scanClosed = true;
      this.ended = true;
      this.flush();
      this.post('');
      // Scan what the thread has not started, from the last batch back, while it goes on.
      const mine: [string, FileScan][] = [];
      let theirs = 0;
      for (let id = this.batches.length - 1; id >= 0; id--) {
        if (Atomics.compareExchange(this.shared, BATCH_CLAIMS + id, 0, 2) !== 0) theirs++;
        else scanBatch(this.root, this.max, this.batches[id]!, mine);
      }
      this.batches.length = 0;
      // Wait for the thread only if it scanned some batch (a thread still booting has none).
      this.answers = theirs === 0 ? new Map() : this.collect();
      if (this.answers !== null) for (const [path, scan] of mine) this.answers.set(path, scan);
      this.stop();
    }
    const answers = this.answers;
    if (answers === null) return () => undefined;
    const queued = this.queued;
    return (path) => (queued.has(path) ? (answers.get(path) ?? { matches: [] }) : undefined);
  }

  /** Stop the thread (idempotent). */
  stop(): void {
    this.scanClosed = true;
    this.ended = true;
    this.port.close();
    void this.worker.terminate();
  }

  private collect(): Map<string, FileScan> | null {
    while (this.final === null) {
      if (this.receive()) continue;
      if (Atomics.load(this.shared, DONE_SLOT) === 1) {
        if (!this.receive()) return null; // said done, posted nothing
        continue;
      }
      // A thread that is gone without answering took its answers with it.
      if (!this.alive()) return null;
      Atomics.wait(this.shared, DONE_SLOT, 0, 50);
    }
    return this.final.ok ? new Map(this.final.notable) : null;
  }
}

/**
 * Read and scan one batch of files as the secret scan would; only the files worth a look
 * (skipped, with matches, env files) are added to `notable`: the rest are clean.
 */
export function scanBatch(root: string, max: number, files: string, notable: [string, FileScan][], beat?: () => void): void {
  const fields = files.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    beat?.();
    const path = fields[i + 1]!;
    const scan = scanFile(readForScan(root + '/' + path, Number(fields[i]), max), path);
    if ('skipped' in scan || scan.matches.length > 0 || scan.env !== undefined) notable.push([path, scan]);
  }
}
