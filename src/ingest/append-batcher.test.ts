import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { EncodedBatch } from '../store/row-encoding.js';
import { AppendBatcher, type BatchSink } from './append-batcher.js';

const part = (text: string, lines = 1): EncodedBatch => ({ text, lines, messageBytes: text.length });

function gatedSink(): BatchSink & { batches: EncodedBatch[]; release: () => void; fail: boolean } {
  let gate: (() => void) | undefined;
  const sink = {
    batches: [] as EncodedBatch[],
    fail: false,
    release: () => gate?.(),
    async append(batch: EncodedBatch) {
      sink.batches.push(batch);
      await new Promise<void>((resolve) => (gate = resolve));
      if (sink.fail) throw new Error('disk on fire');
    },
  };
  return sink;
}

/** A sink that holds every append open until its gate (in `gates`, in order) is opened. */
function heldSink(): { sink: BatchSink & { batches: EncodedBatch[] }; gates: (() => void)[] } {
  const gates: (() => void)[] = [];
  const sink = {
    batches: [] as EncodedBatch[],
    async append(batch: EncodedBatch) {
      sink.batches.push(batch);
      await new Promise<void>((resolve) => gates.push(resolve));
    },
  };
  return { sink, gates };
}

const options = {
  maxQueueLines: 10,
  maxQueueBytes: 1000,
  maxBatchBytes: 500,
  flushIntervalMs: 1,
  exportTimeoutMs: 1000,
  maxConcurrentWrites: 1,
  logger: silentLogger,
};

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('AppendBatcher', () => {
  it('groups parts submitted during a write into one append and acknowledges each', async () => {
    const sink = gatedSink();
    const batcher = new AppendBatcher(sink, options);
    const first = batcher.submit([part('a\n')]);
    await until(() => sink.batches.length === 1);
    let acknowledged = 0;
    const rest = [batcher.submit([part('b\n')]), batcher.submit([part('c\n'), part('d\n')])].map((p) =>
      p.then(() => acknowledged++),
    );
    expect(acknowledged).toBe(0);
    sink.release();
    await first;
    await until(() => sink.batches.length === 2);
    expect(sink.batches[1]).toMatchObject({ text: 'b\nc\nd\n', lines: 3, messageBytes: 6, pieces: ['b\n', 'c\n', 'd\n'] });
    expect(sink.batches[1]!.contexts).toBeUndefined();
    expect(acknowledged).toBe(0);
    sink.release();
    await Promise.all(rest);
    expect(acknowledged).toBe(2);
  });

  it('a small part waits for the write in flight instead of starting a second small write', async () => {
    const sink = gatedSink();
    const batcher = new AppendBatcher(sink, { ...options, maxConcurrentWrites: 2, flushIntervalMs: 1 });
    const first = batcher.submit([part('a\n')]);
    await until(() => sink.batches.length === 1);
    const second = batcher.submit([part('b\n')]);
    const third = batcher.submit([part('c\n')]);
    await new Promise((r) => setTimeout(r, 30));
    expect(sink.batches.length).toBe(1);
    sink.release();
    await first;
    await until(() => sink.batches.length === 2);
    expect(sink.batches[1]).toMatchObject({ text: 'b\nc\n', lines: 2 });
    sink.release();
    await Promise.all([second, third]);
  });

  it('starts a second write at once only for a large batch (half the maximum)', async () => {
    const { sink, gates } = heldSink();
    const batcher = new AppendBatcher(sink, { ...options, maxConcurrentWrites: 2, maxBatchBytes: 100 });
    const first = batcher.submit([part('a\n')]);
    await until(() => sink.batches.length === 1);
    const medium = batcher.submit([part('m'.repeat(30))]); // >= 100/8 but < 100/2: waits
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.batches.length).toBe(1);
    const large = batcher.submit([part('l'.repeat(30))]); // now 60 queued: a second write starts
    await until(() => sink.batches.length === 2);
    expect(sink.batches[1]!.lines).toBe(2);
    for (const open of gates) open();
    await Promise.all([first, medium, large]);
  });

  it('starts a second write for small parts once the queue is half full (draining beats part size)', async () => {
    const { sink, gates } = heldSink();
    const batcher = new AppendBatcher(sink, { ...options, maxConcurrentWrites: 2, maxQueueLines: 8 });
    const first = batcher.submit([part('a\n')]);
    await until(() => sink.batches.length === 1);
    const small = [batcher.submit([part('b\n')]), batcher.submit([part('c\n')]), batcher.submit([part('d\n')])];
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.batches.length).toBe(1); // 3 of 8 lines queued: they wait for the write in flight
    small.push(batcher.submit([part('e\n')])); // 4 of 8: half full, a second write takes them
    await until(() => sink.batches.length === 2);
    expect(sink.batches[1]!.lines).toBe(4);
    for (const open of gates) open();
    await Promise.all([first, ...small]);
  });

  it('refuses work beyond the queue bound instead of growing', async () => {
    const sink = gatedSink();
    const batcher = new AppendBatcher(sink, { ...options, maxQueueLines: 3 });
    const writing = batcher.submit([part('a\n')]);
    await until(() => sink.batches.length === 1);
    const queued = batcher.submit([part('b\nc\nd\n', 3)]);
    await expect(batcher.submit([part('e\n')])).rejects.toMatchObject({ code: 'overloaded', retryAfterSeconds: 1 });
    expect(batcher.stats().refusedSubmits).toBe(1);
    sink.release();
    await writing;
    await until(() => sink.batches.length === 2);
    sink.release();
    await queued;
    await expect(batcher.submit([part('f\n', 4)])).rejects.toMatchObject({ code: 'payload_too_large' });
  });

  it('fails every submitter of a failed append and keeps working', async () => {
    const sink = gatedSink();
    const batcher = new AppendBatcher(sink, options);
    sink.fail = true;
    const failing = batcher.submit([part('a\n')]);
    await until(() => sink.batches.length === 1);
    sink.release();
    await expect(failing).rejects.toMatchObject({ code: 'unavailable' });
    sink.fail = false;
    const next = batcher.submit([part('b\n')]);
    await until(() => sink.batches.length === 2);
    sink.release();
    await next;
    expect(batcher.stats()).toMatchObject({ appendedLines: 1, failedBatches: 1 });
  });

  it('runs up to maxConcurrentWrites appends at once, each its own batch', async () => {
    const { sink, gates } = heldSink();
    const batches = sink.batches;
    const batcher = new AppendBatcher(sink, { ...options, maxConcurrentWrites: 2, flushIntervalMs: 0 });
    const done = [batcher.submit([part('a\n')]), batcher.submit([part('b\n')]), batcher.submit([part('c\n')])];
    await until(() => batches.length === 2);
    expect(batches.map((b) => b.text)).toEqual(['a\n', 'b\n']);
    gates.shift()!();
    await until(() => batches.length === 3);
    while (gates.length > 0) gates.shift()!();
    await until(() => gates.length === 0 && batcher.stats().appendedLines === 3);
    await Promise.all(done);
  });

  it('drains on shutdown and refuses new work afterwards', async () => {
    const sink = gatedSink();
    const batcher = new AppendBatcher(sink, { ...options, flushIntervalMs: 10_000 });
    const queued = batcher.submit([part('a\n')]);
    const closing = batcher.shutdown();
    await until(() => sink.batches.length === 1);
    sink.release();
    await queued;
    await closing;
    await expect(batcher.submit([part('b\n')])).rejects.toMatchObject({ code: 'unavailable' });
    expect(batcher.shutdown()).toBe(closing);
  });

  it('never merges parts of different file formats into one append', async () => {
    const sink = gatedSink();
    const batcher = new AppendBatcher(sink, options);
    const first = batcher.submit([part('a\n')]);
    await until(() => sink.batches.length === 1);
    const binary = { ...part('b\n'), format: 'RowBinary' as const, bytes: Buffer.from('b') };
    const rest = batcher.submit([binary, { ...binary }, part('c\n')]);
    sink.release();
    await first;
    await until(() => sink.batches.length === 2);
    expect(sink.batches[1]).toMatchObject({ lines: 2, format: 'RowBinary', pieces: [Buffer.from('b'), Buffer.from('b')] });
    sink.release();
    await until(() => sink.batches.length === 3);
    expect(sink.batches[2]).toMatchObject({ text: 'c\n', lines: 1 });
    expect(sink.batches[2]!.format).toBeUndefined();
    sink.release();
    await rest;
  });
});
