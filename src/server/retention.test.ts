import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../test/support/recording-logger.js';
import type { DroppedPartitions } from '../store/log-store.js';
import { StoreError, StoreErrorKind } from '../store/store-error.js';
import { startRetention, type SetTimer } from './retention.js';

/** A timer the test fires by hand: `fire()` runs what is due and waits for the run it starts. */
function manualTimer() {
  const due: { run: () => void; ms: number }[] = [];
  const setTimer: SetTimer = (run, ms) => {
    const entry = { run, ms };
    due.push(entry);
    return () => void due.splice(due.indexOf(entry), 1);
  };
  return {
    setTimer,
    due,
    fire() {
      const next = due.shift();
      if (!next) throw new Error('no timer is set');
      next.run();
    },
  };
}

/** A store whose dropBefore answers from `answers` in turn (an Error is thrown), keeping the cutoffs. */
function storeAnswering(answers: (DroppedPartitions | Error)[]) {
  const cutoffs: number[] = [];
  return {
    cutoffs,
    /** While set, calls wait for it. */
    held: undefined as Promise<void> | undefined,
    async dropBefore(cutoffMs: number): Promise<DroppedPartitions> {
      cutoffs.push(cutoffMs);
      if (this.held) await this.held;
      const answer = answers[Math.min(cutoffs.length - 1, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('startRetention', () => {
  it('runs at start and after each interval, with the cutoff `days` before now, and says what it dropped', async () => {
    const now = Date.UTC(2026, 2, 10, 15, 30);
    let clock = now;
    const store = storeAnswering([
      { partitions: 2, rows: 1234 },
      { partitions: 0, rows: 0 },
      { partitions: 1, rows: 1 },
    ]);
    const timer = manualTimer();
    const logger = recordingLogger();
    const retention = startRetention(store, logger, { days: 7, isScheduler: () => true, clock: { now: () => clock }, setTimer: timer.setTimer });
    await settle();
    expect(store.cutoffs).toEqual([now - 7 * DAY]);
    expect(timer.due.map((t) => t.ms)).toEqual([HOUR]);
    for (let i = 1; i <= 2; i++) {
      clock += HOUR;
      timer.fire();
      await settle();
    }
    expect(store.cutoffs).toEqual([now - 7 * DAY, now + HOUR - 7 * DAY, now + 2 * HOUR - 7 * DAY]);
    expect(logger.lines).toEqual([
      'info retention: keeping 7 days of messages (checked now and every hour, on the scheduler node)',
      'info retention: dropped 2 day partitions (1234 rows) of messages before 2026-03-03',
      'debug retention: nothing before 2026-03-03 to drop',
      'info retention: dropped 1 day partition (1 row) of messages before 2026-03-03',
    ]);
    await retention.stop();
    expect(timer.due).toEqual([]);
  });

  it('runs only while this node is the scheduler', async () => {
    let scheduler = false;
    const store = storeAnswering([{ partitions: 0, rows: 0 }]);
    const timer = manualTimer();
    const logger = recordingLogger();
    const retention = startRetention(store, logger, { days: 1, isScheduler: () => scheduler, setTimer: timer.setTimer });
    await settle();
    expect(store.cutoffs).toEqual([]);
    timer.fire();
    await settle();
    expect(store.cutoffs).toEqual([]);
    scheduler = true;
    timer.fire();
    await settle();
    expect(store.cutoffs).toHaveLength(1);
    expect(logger.lines.filter((l) => l.includes('another node'))).toHaveLength(2);
    await retention.stop();
  });

  it('logs a failed run as a warning and tries again at the next interval', async () => {
    const down = new StoreError(StoreErrorKind.Unavailable, {
      message: 'retention: 1 of 2 ClickHouse shards could not be reached (ch2:8123); dropped 3 day partitions (300 rows) before 2026-03-03 on the others; the next run drops the rest',
      cause: new Error('fetch failed'),
    });
    const store = storeAnswering([down, new Error('something else'), { partitions: 1, rows: 100 }]);
    const timer = manualTimer();
    const logger = recordingLogger();
    const retention = startRetention(store, logger, { days: 7, isScheduler: () => true, clock: { now: () => Date.UTC(2026, 2, 10) }, setTimer: timer.setTimer });
    await settle();
    timer.fire();
    await settle();
    timer.fire();
    await settle();
    expect(store.cutoffs).toHaveLength(3);
    expect(logger.lines.slice(1)).toEqual([
      `warn retention failed, tried again in an hour: ${down.message}`,
      'warn retention failed, tried again in an hour: something else',
      'info retention: dropped 1 day partition (100 rows) of messages before 2026-03-03',
    ]);
    expect(timer.due).toHaveLength(1);
    await retention.stop();
  });

  it('stop() waits for the run in flight and nothing runs after it', async () => {
    const store = storeAnswering([{ partitions: 1, rows: 5 }]);
    const timer = manualTimer();
    let release!: () => void;
    store.held = new Promise<void>((r) => (release = r));
    const retention = startRetention(store, recordingLogger(), { days: 3, isScheduler: () => true, setTimer: timer.setTimer });
    let stopped = false;
    const stopping = retention.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(store.cutoffs).toHaveLength(1);
    // The run that ended after stop() set no next one.
    expect(timer.due).toEqual([]);
  });
});
