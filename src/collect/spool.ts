/**
 * The on-disk buffer between reading files and the server: every sealed batch is written here
 * (atomically and durably) before it is sent, and removed once the server has acknowledged it and
 * the checkpoint says so. A restart sends what is left, with the same batch ids, so the server can
 * tell a resend from new data. The spool has a byte cap; when it is full the collector stops
 * reading files (it never drops data).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './checkpoint-store.js';
import type { Fingerprint, TailPosition } from './tailer.js';

export interface BatchMeta {
  seq: number;
  /** The id the server deduplicates on: `<collectorId>.<seq>`. */
  id: string;
  createdAt: number;
  /** The file: `dev:ino`. */
  key: string;
  dev: number;
  ino: number;
  path: string;
  fingerprint: Fingerprint;
  /** The file position just past the batch's last event. */
  end: TailPosition;
  token: string;
  category?: string;
  host: string;
  name: string;
  fields: Record<string, string>;
  messages: number;
  /** Uncompressed body bytes. */
  bytes: number;
  /** Size of the spool file. */
  fileBytes: number;
  /** True for batches found at startup: they may have reached the server before. */
  isResend?: boolean;
}

const SUFFIX = '.batch';

function fileName(seq: number): string {
  return `${String(seq).padStart(12, '0')}${SUFFIX}`;
}

export class Spool {
  private readonly batches = new Map<number, BatchMeta>();
  private totalBytes = 0;

  private constructor(
    private readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** Opens the spool directory and indexes the batches left in it (oldest first). */
  static open(dir: string, maxBytes: number): Spool {
    mkdirSync(dir, { recursive: true });
    const spool = new Spool(dir, maxBytes);
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name.includes('.tmp-')) {
        // A write that never finished: its batch was never sent, and its data is still unread in the file.
        rmSync(path, { force: true });
        continue;
      }
      if (!name.endsWith(SUFFIX)) continue;
      const data = readFileSync(path);
      const nl = data.indexOf(10);
      const meta = JSON.parse(data.subarray(0, nl).toString('utf8')) as BatchMeta;
      spool.batches.set(meta.seq, { ...meta, fileBytes: data.length, isResend: true });
      spool.totalBytes += data.length;
    }
    return spool;
  }

  /** Writes a batch durably; resolves once it is on disk. */
  async write(meta: Omit<BatchMeta, 'fileBytes'>, body: Buffer): Promise<BatchMeta> {
    const header = Buffer.from(`${JSON.stringify(meta)}\n`);
    const full: BatchMeta = { ...meta, fileBytes: header.length + body.length };
    await writeFileAtomic(join(this.dir, fileName(meta.seq)), Buffer.concat([header, body]));
    this.batches.set(meta.seq, full);
    this.totalBytes += full.fileBytes;
    return full;
  }

  /** The body of a spooled batch. */
  async readBody(seq: number): Promise<Buffer> {
    const data = await readFile(join(this.dir, fileName(seq)));
    return data.subarray(data.indexOf(10) + 1);
  }

  /** Removes an acknowledged batch. */
  async remove(seq: number): Promise<void> {
    const meta = this.batches.get(seq);
    if (meta === undefined) return;
    await unlink(join(this.dir, fileName(seq))).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    this.batches.delete(seq);
    this.totalBytes -= meta.fileBytes;
  }

  /** Moves a batch the server refused for good to `rejected/` (kept for a person, never resent). */
  async reject(seq: number): Promise<string> {
    const meta = this.batches.get(seq);
    const rejectedDir = join(this.dir, '..', 'rejected');
    mkdirSync(rejectedDir, { recursive: true });
    const target = join(rejectedDir, fileName(seq));
    await rename(join(this.dir, fileName(seq)), target);
    this.batches.delete(seq);
    if (meta) this.totalBytes -= meta.fileBytes;
    return target;
  }

  /** Batches in sequence order. */
  list(): BatchMeta[] {
    return [...this.batches.values()].sort((a, b) => a.seq - b.seq);
  }

  oldest(): BatchMeta | undefined {
    let best: BatchMeta | undefined;
    for (const meta of this.batches.values()) if (best === undefined || meta.seq < best.seq) best = meta;
    return best;
  }

  get size(): number {
    return this.batches.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get isFull(): boolean {
    return this.totalBytes >= this.maxBytes;
  }
}
