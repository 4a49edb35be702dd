/**
 * Checkpoints: per file (dev+inode plus a fingerprint of its first bytes) the position up to which
 * the server has acknowledged everything. Written atomically (temp file, fsync, rename, fsync of
 * the directory), and only after an acknowledgement, so the file on disk always describes data the
 * server holds.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, ErrorCode } from '../core/errors.js';
import type { Fingerprint, TailPosition } from './tailer.js';

export interface CheckpointEntry extends TailPosition {
  dev: number;
  ino: number;
  fingerprint: Fingerprint;
  /** The path the file had when last seen (a rotated file is looked for next to it). */
  path: string;
  updatedAt: number;
  /** Set once a rotated file was read to its end; the entry is kept a while so it is not read again. */
  finishedAt?: number;
}

export interface CheckpointState {
  /** Names this collector's batches; made once per state directory. */
  collectorId: string;
  /** The highest batch sequence number ever acknowledged (new batches are numbered above it). */
  lastSeq: number;
  files: Record<string, CheckpointEntry>;
}

const FILE = 'checkpoints.json';
/** Finished files are forgotten after this long (their inode may be reused by then). */
export const FINISHED_RETENTION_MS = 24 * 3600_000;

/** Writes `data` to `path` atomically and durably. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await syncDir(join(path, '..'));
}

/** fsyncs a directory so a rename or unlink in it is durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class CheckpointStore {
  private saving: Promise<void> = Promise.resolve();
  private constructor(
    private readonly dir: string,
    readonly state: CheckpointState,
  ) {}

  /** Loads the checkpoints of a state directory (creating it); a corrupt file is an error naming it, never silently reset. */
  static async open(dir: string): Promise<CheckpointStore> {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, FILE);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) {
      return new CheckpointStore(dir, { collectorId: randomBytes(6).toString('hex'), lastSeq: 0, files: {} });
    }
    try {
      const state = JSON.parse(text) as CheckpointState;
      if (typeof state.collectorId !== 'string' || typeof state.lastSeq !== 'number' || typeof state.files !== 'object') {
        throw new Error('missing collectorId, lastSeq or files');
      }
      return new CheckpointStore(dir, state);
    } catch (error) {
      throw new AppError(
        ErrorCode.InvalidConfig,
        `checkpoint file ${path} is unreadable (${(error as Error).message}); move it away to start over (files are then read again per startAt)`,
      );
    }
  }

  get(key: string): CheckpointEntry | undefined {
    return this.state.files[key];
  }

  /** Records an acknowledged position (never moves backwards). */
  advance(key: string, entry: Omit<CheckpointEntry, 'updatedAt'>, seq: number): void {
    const current = this.state.files[key];
    const isForward =
      current === undefined || entry.gen > current.gen || (entry.gen === current.gen && entry.offset >= current.offset);
    if (isForward) this.state.files[key] = { ...entry, updatedAt: Date.now(), ...(current?.finishedAt ? { finishedAt: current.finishedAt } : {}) };
    this.state.lastSeq = Math.max(this.state.lastSeq, seq);
  }

  /** Sets an entry as is (a file started at its end, a finished file). */
  put(key: string, entry: CheckpointEntry): void {
    this.state.files[key] = entry;
  }

  delete(key: string): void {
    delete this.state.files[key];
  }

  /** Writes the checkpoints atomically; drops finished files older than the retention. Saves run one at a time. */
  save(now = Date.now()): Promise<void> {
    const run = async (): Promise<void> => {
      for (const [key, entry] of Object.entries(this.state.files)) {
        if (entry.finishedAt !== undefined && now - entry.finishedAt > FINISHED_RETENTION_MS) delete this.state.files[key];
      }
      await writeFileAtomic(join(this.dir, FILE), `${JSON.stringify(this.state, null, 1)}\n`);
    };
    const next = this.saving.then(run, run);
    this.saving = next.catch(() => undefined);
    return next;
  }
}
