/**
 * The `quarry collect` agent: finds files (paths and globs), tails them, groups events, seals
 * batches into the spool, and sends the spool to the server one batch at a time in order.
 *
 * Delivery is exactly-once across crashes of either side: a batch is on disk (spool) before its
 * first send and keeps its id for every resend; the server stores a batch id once (the id is in the
 * stored rows, written in one insert); the checkpoint moves only after the server's 200. So a crash
 * anywhere either resends a batch the server recognises, or re-reads file data no batch held.
 */
import { dirname, join } from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from '../core/logger.js';
import { CheckpointStore } from './checkpoint-store.js';
import type { CollectorConfig, FileRule } from './config.js';
import { expandGlob, matchesGlob } from './glob.js';
import { backoffMs, encodeJsonLines, sendBatch, SendOutcome } from './sender.js';
import { Spool, type BatchMeta } from './spool.js';
import { FileTailer, isAtOrPast, matchesFingerprint, readFingerprint, type Fingerprint, type TailPosition } from './tailer.js';

const gzipAsync = promisify(gzip);
const PROGRESS_LOG_MS = 10_000;

interface OpenBatch {
  events: string[];
  bytes: number;
  createdAt: number;
}

interface Tracked {
  tailer: FileTailer;
  rule: FileRule;
  batch: OpenBatch | undefined;
}

interface Known {
  position: TailPosition;
  fingerprint: Fingerprint;
  path: string;
  dev: number;
  ino: number;
}

export interface CollectorHealth {
  status: 'ok' | 'degraded' | 'stopping';
  filesWatched: number;
  /** Per file: `key` is dev:inode; `offset` how far it is read into events; `ackedOffset` how far the server acknowledged. */
  files: { path: string; key: string; offset: number; ackedOffset: number; size: number; lagBytes: number; rotated: boolean }[];
  lagBytes: number;
  lastAckAt: string | null;
  lastError: string | null;
  acked: { batches: number; messages: number; duplicates: number; rejected: number };
  buffer: { bytes: number; maxBytes: number; batches: number; usage: number; isFull: boolean };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class Collector {
  private readonly tracked = new Map<string, Tracked>();
  /** The furthest spooled position per file (batches not yet acknowledged). */
  private readonly spooled = new Map<string, Known>();
  private seq: number;
  private isFirstScan = true;
  private isStopping = false;
  private readonly stopReading = new AbortController();
  private readonly stopSending = new AbortController();
  private wakeSender: (() => void) | undefined;
  private readerDone: Promise<void> | undefined;
  private senderDone: Promise<void> | undefined;
  private isSpoolFullLogged = false;
  private lastScanAt = 0;
  private lastProgressAt = Date.now();
  private lastProgressAcked = -1;
  private lastLoggedReason = '';
  private readonly stats = { batches: 0, messages: 0, duplicates: 0, rejected: 0, lastAckAt: 0, lastError: '' };

  private constructor(
    private readonly config: CollectorConfig,
    private readonly logger: Logger,
    private readonly checkpoints: CheckpointStore,
    private readonly spool: Spool,
  ) {
    this.seq = checkpoints.state.lastSeq;
    for (const meta of spool.list()) {
      this.seq = Math.max(this.seq, meta.seq);
      this.noteSpooled(meta);
    }
  }

  /** Opens the state directory (checkpoints, spool) and starts reading and sending. */
  static async start(config: CollectorConfig, logger: Logger): Promise<Collector> {
    const checkpoints = await CheckpointStore.open(config.stateDir);
    const spool = Spool.open(join(config.stateDir, 'spool'), config.spool.maxBytes);
    const collector = new Collector(config, logger, checkpoints, spool);
    // Batches acknowledged just before a crash may still be in the spool: drop them, resend the rest.
    for (const meta of spool.list()) {
      const cp = checkpoints.get(meta.key);
      if (cp !== undefined && isAtOrPast(cp, meta.end)) await spool.remove(meta.seq);
    }
    if (spool.size > 0) logger.info({ batches: spool.size, bytes: spool.bytes }, 'resending batches left in the spool');
    await collector.scan();
    await collector.findRotatedWhileDown();
    collector.readerDone = collector.readLoop();
    collector.senderDone = collector.sendLoop();
    return collector;
  }

  /** Stops reading, seals what is complete, sends the spool until it is empty or the timeout passes. */
  async stop(): Promise<{ leftInSpool: number }> {
    if (this.isStopping) return { leftInSpool: this.spool.size };
    this.isStopping = true;
    this.stopReading.abort();
    await this.readerDone;
    for (const entry of this.tracked.values()) await this.seal(entry);
    for (const entry of this.tracked.values()) await entry.tailer.close();
    this.wakeSender?.();
    const timer = setTimeout(() => this.stopSending.abort(), this.config.shutdownTimeoutMs);
    await this.senderDone;
    clearTimeout(timer);
    await this.checkpoints.save();
    return { leftInSpool: this.spool.size };
  }

  health(): CollectorHealth {
    const files = [...this.tracked.values()].map(({ tailer }) => ({
      path: tailer.path,
      key: tailer.key,
      offset: tailer.position.offset,
      ackedOffset: this.checkpoints.get(tailer.key)?.gen === tailer.position.gen ? this.checkpoints.get(tailer.key)!.offset : 0,
      size: tailer.size,
      lagBytes: tailer.lagBytes,
      rotated: tailer.rotatedAt !== undefined,
    }));
    return {
      status: this.isStopping ? 'stopping' : this.stats.lastError !== '' || this.spool.isFull ? 'degraded' : 'ok',
      filesWatched: files.length,
      files,
      lagBytes: files.reduce((n, f) => n + f.lagBytes, 0) + this.spoolBodyBytes(),
      lastAckAt: this.stats.lastAckAt > 0 ? new Date(this.stats.lastAckAt).toISOString() : null,
      lastError: this.stats.lastError === '' ? null : this.stats.lastError,
      acked: { batches: this.stats.batches, messages: this.stats.messages, duplicates: this.stats.duplicates, rejected: this.stats.rejected },
      buffer: {
        bytes: this.spool.bytes,
        maxBytes: this.spool.maxBytes,
        batches: this.spool.size,
        usage: Math.round((this.spool.bytes / this.spool.maxBytes) * 1000) / 1000,
        isFull: this.spool.isFull,
      },
    };
  }

  private spoolBodyBytes(): number {
    return this.spool.list().reduce((n, m) => n + m.bytes, 0);
  }

  private noteSpooled(meta: BatchMeta): void {
    const prev = this.spooled.get(meta.key);
    if (prev === undefined || isAtOrPast(meta.end, prev.position)) {
      this.spooled.set(meta.key, { position: meta.end, fingerprint: meta.fingerprint, path: meta.path, dev: meta.dev, ino: meta.ino });
    }
  }

  /** What is known about a file: the furthest of its checkpoint and its spooled batches. */
  private known(key: string): Known | undefined {
    const cp = this.checkpoints.get(key);
    const sp = this.spooled.get(key);
    if (cp === undefined) return sp;
    const fromCp: Known = { position: { gen: cp.gen, offset: cp.offset }, fingerprint: cp.fingerprint, path: cp.path, dev: cp.dev, ino: cp.ino };
    return sp !== undefined && isAtOrPast(sp.position, fromCp.position) ? sp : fromCp;
  }

  // ------------------------------------------------------------------------------------------
  // Finding files

  private async scan(): Promise<void> {
    this.lastScanAt = Date.now();
    const found = new Map<string, { path: string; rule: FileRule }>();
    for (const rule of this.config.files) {
      for (const path of await expandGlob(rule.pattern)) {
        try {
          const st = await stat(path);
          const key = `${st.dev}:${st.ino}`;
          if (!found.has(key)) found.set(key, { path, rule });
        } catch {
          // vanished between listing and stat: the next scan sees what replaced it
        }
      }
    }
    const now = Date.now();
    for (const [key, { path, rule }] of found) {
      const entry = this.tracked.get(key);
      if (entry !== undefined) {
        if (entry.tailer.path !== path) this.logger.info({ from: entry.tailer.path, to: path }, 'file renamed; still following it');
        entry.tailer.path = path;
        entry.tailer.rotatedAt = undefined;
        continue;
      }
      await this.follow(path, rule, { isInitial: this.isFirstScan });
    }
    for (const entry of this.tracked.values()) {
      if (!found.has(entry.tailer.key) && entry.tailer.rotatedAt === undefined) {
        entry.tailer.rotatedAt = now;
        this.logger.info({ path: entry.tailer.path }, 'file rotated or removed; reading the old file to its end');
      }
    }
    this.isFirstScan = false;
  }

  private async follow(path: string, rule: FileRule, options: { isInitial: boolean; rotatedAt?: number }): Promise<void> {
    let tailer: FileTailer;
    try {
      tailer = await FileTailer.open(path, rule.multiline, async ({ dev, ino, size, handle }) => {
        const key = `${dev}:${ino}`;
        const known = this.known(key);
        if (known !== undefined) {
          if (this.tracked.has(key)) return { position: known.position, fingerprint: known.fingerprint };
          if ((await matchesFingerprint(handle, size, known.fingerprint)) && size >= known.position.offset) {
            return { position: known.position, fingerprint: known.fingerprint };
          }
          this.logger.info({ path }, 'file was truncated or replaced while the collector was away; reading it from the start');
          return { position: { gen: known.position.gen + 1, offset: 0 }, fingerprint: await readFingerprint(handle, size) };
        }
        // A new file is recorded at once, before anything of it is sent: if it is rotated away while
        // the collector is down, the restart must still know its inode to find it.
        const fingerprint = await readFingerprint(handle, size);
        const offset = options.isInitial && rule.startAt === 'end' ? size : 0;
        this.checkpoints.put(key, { dev, ino, gen: 0, offset, fingerprint, path, updatedAt: Date.now() });
        await this.checkpoints.save();
        return { position: { gen: 0, offset }, fingerprint };
      });
    } catch (error) {
      this.logger.warn({ path, err: (error as Error).message }, 'cannot open file; will try again at the next scan');
      return;
    }
    if (this.tracked.has(tailer.key)) {
      await tailer.close(); // the path was rotated between listing and opening: already followed
      return;
    }
    if (options.rotatedAt !== undefined) tailer.rotatedAt = options.rotatedAt;
    this.tracked.set(tailer.key, { tailer, rule, batch: undefined });
    this.logger.info({ path, offset: tailer.position.offset, lagBytes: tailer.lagBytes }, 'following file');
  }

  /** Files rotated while the collector was down: look for each known inode next to its last path. */
  private async findRotatedWhileDown(): Promise<void> {
    const keys = new Set([...Object.keys(this.checkpoints.state.files), ...this.spooled.keys()]);
    for (const key of keys) {
      if (this.tracked.has(key) || this.checkpoints.get(key)?.finishedAt !== undefined) continue;
      const known = this.known(key);
      if (known === undefined) continue;
      // The rule that matched the file's old path gives its multiline setting and metadata.
      const rule = this.config.files.find((r) => matchesGlob(r.pattern, known.path));
      if (rule === undefined) {
        this.logger.warn({ path: known.path }, 'a file from an earlier run matches no files: entry any more; not read further');
        this.markFinished(key, known);
        continue;
      }
      const dir = dirname(known.path);
      let names: string[] = [];
      try {
        names = await readdir(dir);
      } catch {
        // directory gone
      }
      let foundPath: string | undefined;
      for (const name of names) {
        try {
          const st = await stat(join(dir, name));
          if (st.dev === known.dev && st.ino === known.ino) foundPath = join(dir, name);
        } catch {
          // vanished
        }
        if (foundPath) break;
      }
      if (foundPath === undefined) {
        this.logger.warn({ path: known.path }, 'a followed file is gone (deleted while the collector was away); what it had beyond the checkpoint is lost');
        this.markFinished(key, known);
        continue;
      }
      this.logger.info({ path: foundPath, was: known.path }, 'found a file rotated while the collector was away; reading it to its end');
      await this.follow(foundPath, rule, { isInitial: false, rotatedAt: Date.now() });
    }
  }

  private markFinished(key: string, known: Known): void {
    const cp = this.checkpoints.get(key);
    this.checkpoints.put(key, {
      dev: known.dev,
      ino: known.ino,
      gen: cp?.gen ?? 0,
      offset: cp?.offset ?? 0,
      fingerprint: cp?.fingerprint ?? known.fingerprint,
      path: known.path,
      updatedAt: cp?.updatedAt ?? Date.now(),
      finishedAt: Date.now(),
    });
  }

  // ------------------------------------------------------------------------------------------
  // Reading

  private async readLoop(): Promise<void> {
    const signal = this.stopReading.signal;
    while (!signal.aborted) {
      let isBusy = false;
      try {
        if (Date.now() - this.lastScanAt >= this.config.scanIntervalMs) await this.scan();
        isBusy = await this.pollAll();
      } catch (error) {
        this.logger.error({ err: error }, 'reading files failed; retrying');
      }
      this.logProgress();
      if (!isBusy) await sleep(this.config.pollIntervalMs, signal);
    }
  }

  /** One pass over every file; true when some file had more data than one pass reads. */
  private async pollAll(): Promise<boolean> {
    const now = Date.now();
    let isBusy = false;
    if (this.spool.isFull) {
      if (!this.isSpoolFullLogged) {
        this.logger.warn(
          { bytes: this.spool.bytes, maxBytes: this.spool.maxBytes, batches: this.spool.size },
          'spool is full: reading files paused until the server accepts data (nothing is dropped)',
        );
        this.isSpoolFullLogged = true;
      }
    } else if (this.isSpoolFullLogged) {
      this.logger.info({ bytes: this.spool.bytes }, 'spool has room again: reading resumed');
      this.isSpoolFullLogged = false;
    }
    for (const entry of [...this.tracked.values()]) {
      const { tailer } = entry;
      // Read no more than the spool has room for (raw bytes; the spool holds them gzipped).
      const budget = Math.max(0, Math.min(this.config.batch.maxBytes, this.spool.maxBytes - this.spool.bytes));
      const result = await tailer.poll(now, budget);
      if (result.truncatedAt) this.logger.info({ path: tailer.path }, 'file truncated (copytruncate); reading it from the start');
      const gen = tailer.position.gen;
      for (const event of result.events) {
        entry.batch ??= { events: [], bytes: 0, createdAt: now };
        entry.batch.events.push(event.text);
        entry.batch.bytes += Buffer.byteLength(event.text) + 3;
        const isFull = entry.batch.bytes >= this.config.batch.maxBytes || entry.batch.events.length >= this.config.batch.maxMessages;
        // A truncation's last events (few) stay with the batch that ends at the new start.
        if (isFull && result.truncatedAt === undefined) await this.seal(entry, { end: { gen, offset: event.end } });
      }
      if (budget > 0 && result.bytesRead >= budget) isBusy = true;
      // While the server is behind (batches queue in the spool), let batches grow up to their size
      // limits instead of sealing many small ones by age: fewer, larger requests catch up faster.
      const age = entry.batch === undefined ? 0 : now - entry.batch.createdAt;
      const isBacklogged = this.spool.size >= 2 && age < this.config.batch.maxAgeMs * 10;
      if (entry.batch !== undefined && age >= this.config.batch.maxAgeMs && !isBacklogged) await this.seal(entry);
      if (tailer.rotatedAt !== undefined && result.bytesRead === 0 && now - tailer.lastGrowthAt >= this.config.rotatedGraceMs) {
        await this.finish(entry, now);
      }
    }
    return isBusy;
  }

  private async finish(entry: Tracked, now: number): Promise<void> {
    const { tailer } = entry;
    const events = tailer.finish(now);
    if (events.length > 0) {
      entry.batch ??= { events: [], bytes: 0, createdAt: now };
      for (const e of events) entry.batch.events.push(e.text);
    }
    await this.seal(entry);
    await tailer.close();
    this.tracked.delete(tailer.key);
    const known = this.known(tailer.key);
    if (known !== undefined) this.markFinished(tailer.key, known);
    this.logger.info({ path: tailer.path }, 'rotated file read to its end; closed');
  }

  /**
   * Seals a file's open batch into the spool. The batch ends at the tailer's position, unless
   * more events of this pass follow: then at its last event's end (`end`).
   */
  private async seal(entry: Tracked, options: { end?: TailPosition } = {}): Promise<void> {
    const batch = entry.batch;
    if (batch === undefined || batch.events.length === 0) return;
    entry.batch = undefined;
    const { tailer, rule } = entry;
    const end = options.end ?? tailer.position;
    const seq = ++this.seq;
    const meta = await this.spool.write(
      {
        seq,
        id: `${this.checkpoints.state.collectorId}.${seq}`,
        createdAt: Date.now(),
        key: tailer.key,
        dev: tailer.dev,
        ino: tailer.ino,
        path: tailer.path,
        fingerprint: tailer.fingerprint,
        end,
        token: rule.token,
        ...(rule.category !== undefined ? { category: rule.category } : {}),
        host: rule.host,
        name: rule.name ?? tailer.path,
        fields: rule.fields,
        messages: batch.events.length,
        bytes: batch.bytes,
      },
      await gzipAsync(encodeJsonLines(batch.events)),
    );
    this.noteSpooled(meta);
    this.wakeSender?.();
  }

  private logProgress(): void {
    const now = Date.now();
    if (now - this.lastProgressAt < PROGRESS_LOG_MS) return;
    this.lastProgressAt = now;
    if (this.stats.messages === this.lastProgressAcked && this.spool.size === 0) return;
    this.lastProgressAcked = this.stats.messages;
    const health = this.health();
    this.logger.info(
      { files: health.filesWatched, ackedMessages: this.stats.messages, ackedBatches: this.stats.batches, lagBytes: health.lagBytes, spoolBytes: this.spool.bytes, spoolBatches: this.spool.size },
      'collect progress',
    );
  }

  // ------------------------------------------------------------------------------------------
  // Sending

  private async sendLoop(): Promise<void> {
    const signal = this.stopSending.signal;
    let attempt = 0;
    while (!signal.aborted) {
      if (this.spool.oldest() === undefined) {
        if (this.isStopping) return;
        await new Promise<void>((resolve) => {
          this.wakeSender = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        this.wakeSender = undefined;
        continue;
      }
      try {
        attempt = await this.sendOldest(signal, attempt);
      } catch (error) {
        // The state directory failed (disk full, permissions): nothing is lost; try again later.
        attempt++;
        this.stats.lastError = `${new Date().toISOString()} ${(error as Error).message}`;
        this.logger.error({ err: error }, 'spool or checkpoint write failed; retrying');
        await sleep(backoffMs(attempt, this.config.retry.initialMs, this.config.retry.maxMs), signal);
      }
    }
  }

  /** Sends the oldest spooled batch once; returns the failed-attempt count for the next call. */
  private async sendOldest(signal: AbortSignal, attempt: number): Promise<number> {
    const meta = this.spool.oldest();
    if (meta === undefined) return 0;
    const body = await this.spool.readBody(meta.seq);
    const sending = sendBatch({ url: this.config.server.url, timeoutMs: this.config.server.timeoutMs, meta: { ...meta }, body, signal });
    meta.isResend = true; // from now on the server may hold it, whatever happens to the answer
    const result = await sending;
    if (result.kind === SendOutcome.Retry) {
      const failed = attempt + 1;
      this.stats.lastError = `${new Date().toISOString()} ${result.reason}`;
      const delay = result.retryAfterMs ?? backoffMs(failed, this.config.retry.initialMs, this.config.retry.maxMs);
      if (result.reason !== this.lastLoggedReason || failed % 10 === 0) {
        this.logger.warn({ batch: meta.id, attempt: failed, reason: result.reason, retryInMs: delay }, 'send failed; retrying');
        this.lastLoggedReason = result.reason;
      }
      await sleep(delay, signal);
      return failed;
    }
    if (attempt > 0) this.logger.info({ batch: meta.id, attempts: attempt + 1 }, 'server reachable again');
    this.lastLoggedReason = '';
    this.stats.lastError = '';
    if (result.kind === SendOutcome.Reject) {
      const kept = await this.spool.reject(meta.seq);
      this.stats.rejected++;
      this.logger.error({ batch: meta.id, reason: result.reason, keptAt: kept }, 'server refused a batch for good; kept aside, not resent');
    } else {
      this.stats.batches++;
      this.stats.messages += meta.messages;
      if (result.isDuplicate) this.stats.duplicates++;
      this.stats.lastAckAt = Date.now();
    }
    this.checkpoints.advance(
      meta.key,
      { dev: meta.dev, ino: meta.ino, gen: meta.end.gen, offset: meta.end.offset, fingerprint: meta.fingerprint, path: meta.path },
      meta.seq,
    );
    await this.checkpoints.save();
    await this.spool.remove(meta.seq);
    return 0;
  }
}
