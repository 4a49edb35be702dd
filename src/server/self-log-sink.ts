import { Writable } from 'node:stream';
import type { AppendBatcher } from '../ingest/append-batcher.js';
import { encodeContext, encodeRow, type EncodedBatch } from '../store/row-encoding.js';

const MAX_BUFFERED_LINES = 10_000;
const FLUSH_EVERY_MS = 1000;

/**
 * A pino destination that stores Quarry's own logs in its log store, with
 * `_sourceCategory=quarry/<component>`. Best effort by design: it never blocks logging, keeps a
 * bounded buffer, and counts what it had to drop (reported in the next stored batch).
 */
export class SelfLogSink extends Writable {
  private buffer: string[] = [];
  private dropped = 0;
  private batcher: AppendBatcher | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly host: string) {
    super({ decodeStrings: false });
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Starts shipping into the store (logs written before this wait in the buffer). */
  attach(batcher: AppendBatcher): void {
    this.batcher = batcher;
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: () => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      if (this.buffer.length >= MAX_BUFFERED_LINES) this.dropped++;
      else this.buffer.push(line);
    }
    callback();
  }

  /** Hands buffered lines to the batcher; does not wait for durability. */
  flush(): void {
    if (!this.batcher || this.buffer.length === 0) return;
    const lines = this.buffer;
    this.buffer = [];
    const receiptTime = Date.now();
    const contexts = new Map<string, string>();
    let text = '';
    let bytes = 0;
    const all = this.dropped > 0 ? [...lines, JSON.stringify({ level: 40, time: receiptTime, component: 'selflog', msg: `dropped ${this.dropped} own log lines (buffer full)` })] : lines;
    this.dropped = 0;
    for (const line of all) {
      let time = receiptTime;
      let component = 'server';
      try {
        const parsed = JSON.parse(line) as { time?: unknown; component?: unknown };
        if (typeof parsed.time === 'number') time = parsed.time;
        if (typeof parsed.component === 'string' && parsed.component !== '') component = parsed.component;
      } catch {
        // not JSON: store it as it is
      }
      let context = contexts.get(component);
      if (context === undefined) {
        context = encodeContext({
          receiptTime,
          partition: 'default',
          sourceCategory: `quarry/${component}`,
          sourceHost: this.host,
          sourceName: 'quarry',
          collector: 'quarry',
          source: 'quarry',
          fields: {},
        });
        contexts.set(component, context);
      }
      const size = Buffer.byteLength(line);
      bytes += size;
      text += encodeRow(time, 'json:time', size, line, context);
    }
    const batch: EncodedBatch = { text, lines: all.length, messageBytes: bytes };
    this.batcher.submit([batch]).catch(() => {
      this.dropped += batch.lines;
    });
  }

  override _final(callback: () => void): void {
    clearInterval(this.timer);
    this.flush();
    callback();
  }
}
