import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError, ErrorCode } from '../core/errors.js';

/**
 * A server's data directory as the offline admin commands see it. The layout is the one
 * `startServer` (src/server/start-server.ts) makes: `meta.sqlite` and the chDB store in `logs/`.
 */
export function metaFileOf(dataDir: string): string {
  return join(dataDir, 'meta.sqlite');
}

/**
 * The engine's status file: chDB (ClickHouse) writes `PID: …` into it and holds an exclusive
 * flock on it while a server has the store open, and deletes it on a clean stop. After a crash it
 * stays behind, unlocked, naming a process that is gone.
 */
export function statusFileOf(dataDir: string): string {
  return join(dataDir, 'logs', 'status');
}

/** A server found holding a data directory, and how it was found. */
export interface ServerHold {
  pid: number | undefined;
  statusFile: string;
  /** `lock`: the kernel lists a lock on the status file; `pid`: the process it names is alive. */
  evidence: 'lock' | 'pid';
}

/** What findServerHolding reads from the system (injected in tests). */
export interface HoldProbes {
  /** The status file's text, or undefined when it does not exist. */
  readStatus(file: string): string | undefined;
  /** The status file's device numbers and inode, as /proc/locks prints them. */
  fileId(file: string): { major: number; minor: number; inode: bigint } | undefined;
  /** The text of /proc/locks, or undefined where there is none (not Linux). */
  readLocks(): string | undefined;
  isAlive(pid: number): boolean;
  ownPid: number;
}

const readIfExists = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

export const systemProbes: HoldProbes = {
  readStatus: (file) => {
    try {
      return readIfExists(file);
    } catch (error) {
      throw new AppError(ErrorCode.BadRequest, `cannot read ${file}: ${(error as Error).message} (run as the user the server runs as)`, { cause: error });
    }
  },
  fileId: (file) => {
    try {
      const { dev, ino } = statSync(file, { bigint: true });
      // Linux's dev_t encoding (glibc's gnu_dev_major / gnu_dev_minor).
      const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
      const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
      return { major, minor, inode: ino };
    } catch {
      return undefined;
    }
  },
  readLocks: () => {
    try {
      return readIfExists('/proc/locks');
    } catch {
      return undefined;
    }
  },
  isAlive: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: the process exists but belongs to another user.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  ownPid: process.pid,
};

/** The pid a lock of /proc/locks on this file belongs to (0 when not visible here), or undefined when none is listed. */
export function lockHolderOf(locks: string, id: { major: number; minor: number; inode: bigint }): number | undefined {
  for (const line of locks.split('\n')) {
    // `1: FLOCK  ADVISORY  WRITE 19428 fe:00:2237843 0 EOF` (`->` marks a waiter, not a holder).
    const match = /^\d+:\s+(FLOCK|POSIX|OFDLCK)\s+\S+\s+\S+\s+(-?\d+)\s+([\da-f]+):([\da-f]+):(\d+)\s/.exec(line);
    if (!match) continue;
    if (parseInt(match[3]!, 16) === id.major && parseInt(match[4]!, 16) === id.minor && BigInt(match[5]!) === id.inode) {
      return Math.max(0, Number(match[2]));
    }
  }
  return undefined;
}

/**
 * The server holding a data directory, or undefined when none does. A lock the kernel lists on
 * the engine's status file proves one (whichever PID namespace it runs in); where the kernel does
 * not say (not Linux) or the lock is not visible, a live process named in the status file counts
 * too: refusing wrongly costs a retry, going ahead wrongly leaves the server believing old secrets.
 */
export function findServerHolding(dataDir: string, probes: HoldProbes = systemProbes): ServerHold | undefined {
  const statusFile = statusFileOf(dataDir);
  const status = probes.readStatus(statusFile);
  if (status === undefined) return undefined;
  const pidText = /^PID:\s*(\d+)/m.exec(status)?.[1];
  const namedPid = pidText === undefined ? undefined : Number(pidText);
  const id = probes.fileId(statusFile);
  const locks = id === undefined ? undefined : probes.readLocks();
  const holder = locks === undefined || id === undefined ? undefined : lockHolderOf(locks, id);
  if (holder !== undefined) return { pid: holder > 0 ? holder : namedPid, statusFile, evidence: 'lock' };
  if (namedPid !== undefined && namedPid !== probes.ownPid && probes.isAlive(namedPid)) return { pid: namedPid, statusFile, evidence: 'pid' };
  return undefined;
}

/**
 * Refuses to go on when the data directory is missing or a server holds it. A running server keeps
 * verified passwords in memory for minutes, so an offline change would not take full effect.
 */
export function assertOfflineDataDir(dataDir: string, what: { apiHint: string }, probes: HoldProbes = systemProbes): void {
  const absolute = resolve(dataDir);
  if (!existsSync(metaFileOf(absolute))) {
    throw new AppError(
      ErrorCode.NotFound,
      `no Quarry data directory at ${absolute} (no meta.sqlite there): pass --data DIR or set QUARRY_DATA to the directory quarry serve uses`,
    );
  }
  const hold = findServerHolding(absolute, probes);
  if (!hold) return;
  const who = hold.pid === undefined ? 'a Quarry server' : `a Quarry server (PID ${hold.pid})`;
  const stale =
    hold.evidence === 'pid' ? ` If no server is running (that PID now belongs to another program), delete ${hold.statusFile} and run this again.` : '';
  throw new AppError(
    ErrorCode.Conflict,
    `${who} is running on ${absolute}: stop it first (Ctrl-C or SIGTERM; it drains and exits), run this again, then start it. Or, without stopping it, ${what.apiHint}.${stale}`,
  );
}
