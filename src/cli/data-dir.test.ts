import { describe, expect, it } from 'vitest';
import { findServerHolding, lockHolderOf, type HoldProbes } from './data-dir.js';

const id = { major: 0xfe, minor: 0, inode: 2237843n };
const status = 'PID: 19428\nStarted at: 2026-12-07 14:24:45\nRevision: 54513\n';

function probes(overrides: Partial<HoldProbes>): HoldProbes {
  return {
    readStatus: () => status,
    fileId: () => id,
    readLocks: () => '',
    isAlive: () => false,
    ownPid: 1,
    ...overrides,
  };
}

describe('finding the server that holds a data directory', () => {
  it('reads the holder of a lock on the file from /proc/locks, ignoring waiters and other files', () => {
    const locks = [
      '1: POSIX  ADVISORY  WRITE 700 fe:00:99 0 EOF',
      '2: FLOCK  ADVISORY  WRITE 19428 fe:00:2237843 0 EOF',
      '2: -> FLOCK  ADVISORY  WRITE 555 fe:00:2237843 0 EOF',
    ].join('\n');
    expect(lockHolderOf(locks, id)).toBe(19428);
    expect(lockHolderOf(locks, { ...id, minor: 1 })).toBeUndefined();
    expect(lockHolderOf('2: FLOCK  ADVISORY  WRITE 0 fe:00:2237843 0 EOF', id)).toBe(0);
  });

  it('finds none without a status file (never started, or stopped cleanly)', () => {
    expect(findServerHolding('/d', probes({ readStatus: () => undefined, isAlive: () => true }))).toBeUndefined();
  });

  it('finds the server by its lock even when its PID is not visible here (another PID namespace)', () => {
    const hold = findServerHolding('/d', probes({ readLocks: () => '1: FLOCK  ADVISORY  WRITE 0 fe:00:2237843 0 EOF\n' }));
    expect(hold).toEqual({ pid: 19428, statusFile: '/d/logs/status', evidence: 'lock' });
  });

  it('falls back to the PID the status file names where the kernel lists no lock', () => {
    const alive = (pid: number) => pid === 19428;
    expect(findServerHolding('/d', probes({ readLocks: () => undefined, isAlive: alive }))).toMatchObject({ pid: 19428, evidence: 'pid' });
    // A status file left by a crash names a process that is gone, or (in a fresh container) ourselves.
    expect(findServerHolding('/d', probes({ readLocks: () => undefined }))).toBeUndefined();
    expect(findServerHolding('/d', probes({ readLocks: () => undefined, isAlive: () => true, ownPid: 19428 }))).toBeUndefined();
  });
});
