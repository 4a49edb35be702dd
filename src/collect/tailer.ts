/**
 * Follows one file (one dev+inode) from a byte offset: reads what was appended, cuts complete lines
 * (a last line without its newline waits for it), groups them into events and says how far the file
 * is safely consumed. Detects truncation (copytruncate) by size and by a fingerprint of the first
 * bytes; rename rotation is decided by the collector, which keeps the handle open here.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { MultilineRule } from './config.js';
import { EventGrouper, type GroupedEvent } from './event-grouper.js';

/** Bytes hashed to tell a file from another file that reused its inode, or from its own rewrite. */
export const FINGERPRINT_BYTES = 1024;
/** A line longer than this without a newline is sent in pieces of this size. */
export const MAX_LINE_BYTES = 1024 * 1024;

export interface Fingerprint {
  /** How many leading bytes were hashed (fewer than FINGERPRINT_BYTES while the file is short). */
  len: number;
  hash: string;
}

/** Where reading stands: `gen` counts truncations, so offsets after one never compare with offsets before. */
export interface TailPosition {
  gen: number;
  offset: number;
}

/** True when `a` is at or past `b`. */
export function isAtOrPast(a: TailPosition, b: TailPosition): boolean {
  return a.gen > b.gen || (a.gen === b.gen && a.offset >= b.offset);
}

function hashBytes(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

async function readHead(handle: FileHandle, size: number): Promise<Buffer> {
  const len = Math.min(size, FINGERPRINT_BYTES);
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await handle.read(buf, got, len - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** The fingerprint of a file's first bytes as they are now. */
export async function readFingerprint(handle: FileHandle, size: number): Promise<Fingerprint> {
  const head = await readHead(handle, size);
  return { len: head.length, hash: hashBytes(head) };
}

/** True when the file still starts with the bytes `fp` was taken from. */
export async function matchesFingerprint(handle: FileHandle, size: number, fp: Fingerprint): Promise<boolean> {
  if (size < fp.len) return false;
  const head = await readHead(handle, fp.len);
  return head.length === fp.len && hashBytes(head) === fp.hash;
}

export interface TailerOptions {
  path: string;
  multiline: MultilineRule;
  position: TailPosition;
  fingerprint: Fingerprint;
}

export interface PollResult {
  events: GroupedEvent[];
  bytesRead: number;
  /** Set when the file was truncated: the events belong to the position before it (this one). */
  truncatedAt?: TailPosition;
}

export class FileTailer {
  readonly key: string;
  path: string;
  fingerprint: Fingerprint;
  /** The size seen at the last poll (for lag). */
  size = 0;
  lastGrowthAt = Date.now();
  /** Set by the collector when the path no longer leads to this file (renamed or deleted). */
  rotatedAt: number | undefined;
  private gen: number;
  /** Bytes cut into complete lines so far (the partial line starts here). */
  private linesEnd: number;
  private partial: Buffer = Buffer.alloc(0);
  private readonly grouper: EventGrouper;
  private readonly chunk = Buffer.alloc(256 * 1024);

  private constructor(
    private readonly handle: FileHandle,
    readonly dev: number,
    readonly ino: number,
    options: TailerOptions,
  ) {
    this.key = `${dev}:${ino}`;
    this.path = options.path;
    this.gen = options.position.gen;
    this.linesEnd = options.position.offset;
    this.fingerprint = options.fingerprint;
    this.grouper = new EventGrouper(options.multiline);
  }

  /** Opens a file for tailing; `decide` picks the start from what is found (identity, size, head). */
  static async open(
    path: string,
    multiline: MultilineRule,
    decide: (found: { dev: number; ino: number; size: number; handle: FileHandle }) => Promise<{ position: TailPosition; fingerprint: Fingerprint }>,
  ): Promise<FileTailer> {
    const handle = await open(path, 'r');
    try {
      const st = await handle.stat();
      const { position, fingerprint } = await decide({ dev: st.dev, ino: st.ino, size: st.size, handle });
      const tailer = new FileTailer(handle, st.dev, st.ino, { path, multiline, position, fingerprint });
      tailer.size = st.size;
      return tailer;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** How far the file is consumed: everything before it is in events already returned. */
  get position(): TailPosition {
    return { gen: this.gen, offset: this.grouper.pendingStart ?? this.linesEnd };
  }

  /** Bytes of the file not yet returned as events. */
  get lagBytes(): number {
    return Math.max(0, this.size - this.position.offset);
  }

  /** Reads up to `maxBytes` of new data; returns the completed events. */
  async poll(now: number, maxBytes: number): Promise<PollResult> {
    const st = await this.handle.stat();
    const readFrom = this.linesEnd + this.partial.length;
    if (st.size < readFrom || (st.size !== this.size && !(await this.checkHead(st.size)))) {
      return this.truncate(st.size);
    }
    if (st.size > this.size) this.lastGrowthAt = now;
    this.size = st.size;
    const events: GroupedEvent[] = [];
    let bytesRead = 0;
    while (bytesRead < maxBytes && this.linesEnd + this.partial.length < st.size) {
      const want = Math.min(this.chunk.length, st.size - (this.linesEnd + this.partial.length), maxBytes - bytesRead);
      const { bytesRead: got } = await this.handle.read(this.chunk, 0, want, this.linesEnd + this.partial.length);
      if (got === 0) break;
      bytesRead += got;
      this.cutLines(this.chunk.subarray(0, got), now, events);
    }
    for (const e of this.grouper.flushIdle(now)) events.push(e);
    return { events, bytesRead };
  }

  /** Ends a rotated file: its last line (even without a newline) and pending event are complete. */
  finish(now: number): GroupedEvent[] {
    const events: GroupedEvent[] = [];
    this.flushPartial(now, events);
    for (const e of this.grouper.flush()) events.push(e);
    return events;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  /** False when the file no longer starts with the fingerprinted bytes (rewritten); extends a short fingerprint. */
  private async checkHead(size: number): Promise<boolean> {
    if (!(await matchesFingerprint(this.handle, size, this.fingerprint))) return false;
    if (this.fingerprint.len < FINGERPRINT_BYTES && size > this.fingerprint.len) {
      this.fingerprint = await readFingerprint(this.handle, size);
    }
    return true;
  }

  private async truncate(size: number): Promise<PollResult> {
    const now = Date.now();
    const events = this.finish(now);
    const truncatedAt = { gen: this.gen, offset: this.linesEnd };
    this.gen++;
    this.linesEnd = 0;
    this.partial = Buffer.alloc(0);
    this.grouper.reset();
    this.size = 0;
    this.fingerprint = await readFingerprint(this.handle, size);
    return { events, bytesRead: 0, truncatedAt };
  }

  private cutLines(chunk: Buffer, now: number, out: GroupedEvent[]): void {
    const buf = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    let pos = 0;
    for (let nl = buf.indexOf(10, pos); nl !== -1; nl = buf.indexOf(10, pos)) {
      this.pushLine(buf, pos, nl, nl + 1, now, out);
      pos = nl + 1;
    }
    // Copy: `chunk` is reused by the next read.
    this.partial = Buffer.from(buf.subarray(pos));
    if (this.partial.length >= MAX_LINE_BYTES) this.flushPartial(now, out);
  }

  private flushPartial(now: number, out: GroupedEvent[]): void {
    if (this.partial.length === 0) return;
    const buf = this.partial;
    this.partial = Buffer.alloc(0);
    this.pushLine(buf, 0, buf.length, buf.length, now, out);
  }

  /** Hands the line buf[from, to) (its newline ends at `next`) to the grouper; advances linesEnd. */
  private pushLine(buf: Buffer, from: number, to: number, next: number, now: number, out: GroupedEvent[]): void {
    const start = this.linesEnd;
    const end = start + (next - from);
    let stop = to;
    if (stop > from && buf[stop - 1] === 13) stop--;
    let line = buf.toString('utf8', from, stop);
    if (start === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    this.linesEnd = end;
    for (const e of this.grouper.pushLine(line, start, end, now)) out.push(e);
  }
}
