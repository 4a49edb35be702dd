import { AppError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { batchFormat, batchPieces, batchSize, type EncodedBatch } from '../store/row-encoding.js';

export interface AppendBatcherOptions {
  /** Lines waiting (not yet being written) at most; a submit beyond it is refused with 429. */
  maxQueueLines: number;
  /** Encoded bytes waiting at most; a submit beyond it is refused with 429. */
  maxQueueBytes: number;
  /** Largest single store append; queued parts are merged up to this size. */
  maxBatchBytes: number;
  /** How long the first part of an idle batcher waits for company before it is written. */
  flushIntervalMs: number;
  /** A store append slower than this fails its batch. */
  exportTimeoutMs: number;
  /** Appends running at once (each is still one atomic insert); default 2. */
  maxConcurrentWrites?: number;
  logger: Logger;
}

/** The sink the batcher writes into; resolves only when the batch is durable. */
export interface BatchSink {
  append(batch: EncodedBatch, options: { timeoutMs: number }): Promise<void>;
}

interface Pending {
  part: EncodedBatch;
  /** batchSize(part), counted once. */
  size: number;
  settle: (error?: AppError) => void;
}

export interface BatcherStats {
  queuedLines: number;
  queuedBytes: number;
  appendedBatches: number;
  appendedLines: number;
  refusedSubmits: number;
  failedBatches: number;
}

/**
 * Group commit for ingest: concurrent requests hand in encoded parts, one writer appends them to the
 * store in shared batches, and each request learns when its own lines are durable. The queue is
 * bounded; a full queue refuses new work at once (the HTTP layer answers 429) rather than growing.
 * Nothing is ever dropped silently: every part is either appended and acknowledged, or its
 * submitter gets an error.
 */
export class AppendBatcher {
  private queue: Pending[] = [];
  private queuedLines = 0;
  private queuedBytes = 0;
  private readonly writing = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly counters = { appendedBatches: 0, appendedLines: 0, refusedSubmits: 0, failedBatches: 0 };
  private refusedSinceLog = 0;

  constructor(
    private readonly sink: BatchSink,
    private readonly options: AppendBatcherOptions,
  ) {}

  /**
   * Queues all parts of one request atomically (all admitted or none) and resolves when every part
   * is durable. Rejects with `overloaded` when the queue cannot take them now.
   */
  submit(parts: readonly EncodedBatch[]): Promise<void> {
    if (this.closed) {
      return Promise.reject(new AppError(ErrorCode.Unavailable, 'server is shutting down', { retryAfterSeconds: 5 }));
    }
    let lines = 0;
    let bytes = 0;
    for (const part of parts) {
      lines += part.lines;
      bytes += batchSize(part);
    }
    if (lines === 0) return Promise.resolve();
    if (bytes > this.options.maxQueueBytes || lines > this.options.maxQueueLines) {
      return Promise.reject(
        new AppError(ErrorCode.PayloadTooLarge, 'request is larger than the ingest queue; send smaller batches'),
      );
    }
    if (this.queuedLines + lines > this.options.maxQueueLines || this.queuedBytes + bytes > this.options.maxQueueBytes) {
      this.counters.refusedSubmits++;
      this.noteRefusal();
      return Promise.reject(
        new AppError(ErrorCode.Overloaded, 'ingest queue is full; retry later', { retryAfterSeconds: 1 }),
      );
    }
    const done = parts
      .filter((part) => part.lines > 0)
      .map(
        (part) =>
          new Promise<void>((resolve, reject) => {
            this.queue.push({ part, size: batchSize(part), settle: (error) => (error === undefined ? resolve() : reject(error)) });
          }),
      );
    this.queuedLines += lines;
    this.queuedBytes += bytes;
    this.schedule();
    return Promise.all(done).then(() => undefined);
  }

  stats(): BatcherStats {
    return { queuedLines: this.queuedLines, queuedBytes: this.queuedBytes, ...this.counters };
  }

  /** Stops accepting work and writes everything already queued. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      while (this.writing.size > 0 || this.queue.length > 0) {
        if (this.queue.length > 0 && this.writing.size < this.maxWrites) this.startWrite();
        else await Promise.race(this.writing);
      }
    })();
    return this.shutdownPromise;
  }

  private get maxWrites(): number {
    return Math.max(1, this.options.maxConcurrentWrites ?? 2);
  }

  private schedule(): void {
    if (this.writing.size >= this.maxWrites) return; // a finishing write picks the queue up
    // Write at once when a good batch is waiting; otherwise give company a moment to arrive, since
    // every append makes a part and many small parts cost the store merges.
    // A second write at once needs a large batch (half the maximum): every append makes a part, and
    // the merges of many small parts cost the store more CPU than the overlap saves.
    // A queue half full also writes at once: senders are about to be refused, and draining the
    // queue matters more than the size of the parts.
    const goodBatch = this.options.maxBatchBytes / (this.writing.size === 0 ? 8 : 2);
    const pressed = this.queuedLines * 2 >= this.options.maxQueueLines || this.queuedBytes * 2 >= this.options.maxQueueBytes;
    if (this.queuedBytes >= goodBatch || pressed || this.options.flushIntervalMs === 0) {
      this.startWrite();
      return;
    }
    // A small batch waits for the write in flight: its end picks the queue up with whatever
    // arrived meanwhile (group commit), instead of a second write making another small part.
    if (this.writing.size > 0) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.writing.size === 0) this.startWrite();
    }, this.options.flushIntervalMs);
  }

  private takeBatch(): Pending[] {
    const taken: Pending[] = [];
    let bytes = 0;
    // One append reads one file format: a batch ends where the next part's format differs.
    const format = this.queue.length > 0 ? batchFormat(this.queue[0]!.part) : undefined;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (taken.length > 0 && (bytes + next.size > this.options.maxBatchBytes || batchFormat(next.part) !== format)) break;
      taken.push(this.queue.shift()!);
      bytes += next.size;
      this.queuedBytes -= next.size;
      this.queuedLines -= next.part.lines;
    }
    return taken;
  }

  private startWrite(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const taken = this.takeBatch();
    if (taken.length === 0) return;
    // A merged batch knows its context ids when every part does (else the store reads them from the rows).
    const contexts = taken.every((p) => p.part.contexts !== undefined)
      ? [...new Set(taken.flatMap((p) => p.part.contexts!))]
      : undefined;
    // Merged parts stay separate strings (the store writes them in order): joining tens of MB into
    // one string cost the event loop a copy per batch and the GC a large object.
    const pieces = taken.flatMap((p) => batchPieces(p.part));
    const format = batchFormat(taken[0]!.part);
    const batch: EncodedBatch =
      taken.length === 1
        ? taken[0]!.part
        : {
            get text() {
              return taken.map((p) => p.part.text).join('');
            },
            pieces,
            lines: taken.reduce((n, p) => n + p.part.lines, 0),
            messageBytes: taken.reduce((n, p) => n + p.part.messageBytes, 0),
            ...(contexts ? { contexts } : {}),
            ...(format === 'TSV' ? {} : { format }),
          };
    const write: Promise<void> = this.sink
      .append(batch, { timeoutMs: this.options.exportTimeoutMs })
      .then(
        () => {
          this.counters.appendedBatches++;
          this.counters.appendedLines += batch.lines;
          for (const p of taken) p.settle();
        },
        (cause: unknown) => {
          this.counters.failedBatches++;
          this.options.logger.error({ err: cause, lines: batch.lines }, 'store append failed');
          const error = new AppError(ErrorCode.Unavailable, 'the log store could not write this batch; retry', {
            cause,
            retryAfterSeconds: 5,
          });
          for (const p of taken) p.settle(error);
        },
      )
      .finally(() => {
        this.writing.delete(write);
        if (this.queue.length > 0) {
          // What queued during the write has waited for it already: write it now (group commit).
          if (this.closed || this.writing.size === 0) this.startWrite();
          else this.schedule();
        }
      });
    this.writing.add(write);
  }

  private noteRefusal(): void {
    // Log refusals once per second with a count, not once per request.
    if (this.refusedSinceLog++ === 0) {
      setTimeout(() => {
        this.options.logger.warn(
          { refused: this.refusedSinceLog, queuedLines: this.queuedLines, queuedBytes: this.queuedBytes },
          'ingest queue full: requests refused with 429',
        );
        this.refusedSinceLog = 0;
      }, 1000).unref();
    }
  }
}
