import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../test/support/recording-logger.js';
import type { BackgroundWork } from '../store/log-store.js';
import { reportBackgroundWork } from './background-work.js';

/** A store whose background work goes through `steps`, one per poll (the last repeats). */
function storeWith(steps: BackgroundWork[][]) {
  let polls = 0;
  return {
    get polls() {
      return polls;
    },
    backgroundWork: () => Promise.resolve(steps[Math.min(polls++, steps.length - 1)]!),
  };
}

const index = { what: 'building the full-text index for older data', startedAt: Date.now() - 5_000 };
const counts = { what: 'building the per-minute counts for older data', startedAt: Date.now() - 4_000 };

describe('reportBackgroundWork', () => {
  it('says what runs, each change in parts left, a failure once, and when each is done', async () => {
    const store = storeWith([
      [
        { ...index, partsLeft: 7 },
        { ...counts, partsLeft: 7 },
      ],
      [
        { ...index, partsLeft: 7 },
        { ...counts, partsLeft: 3 },
      ],
      [{ ...index, partsLeft: 2, lastFailure: 'Memory limit exceeded' }],
      [{ ...index, partsLeft: 2, lastFailure: 'Memory limit exceeded' }],
      [],
    ]);
    const logger = recordingLogger();
    const report = reportBackgroundWork(store, logger, { intervalMs: 5 });
    await report.done;
    expect(logger.lines).toEqual([
      'info background work: building the full-text index for older data, 7 parts left',
      'info background work: building the per-minute counts for older data, 7 parts left',
      'info background work: building the per-minute counts for older data, 3 parts left',
      'info background work done: building the per-minute counts for older data',
      'info background work: building the full-text index for older data, 2 parts left',
      'warn background work failed and will be retried: building the full-text index for older data',
      'info background work done: building the full-text index for older data',
    ]);
    expect(store.polls).toBe(5);
  });

  it('stops at once when there is nothing to do, and on stop()', async () => {
    const idle = storeWith([[]]);
    const logger = recordingLogger();
    await reportBackgroundWork(idle, logger, { intervalMs: 5 }).done;
    expect(idle.polls).toBe(1);
    expect(logger.lines).toEqual([]);

    const busy = storeWith([[{ ...index, partsLeft: 1 }]]);
    const report = reportBackgroundWork(busy, logger, { intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 30));
    await report.stop();
    const polls = busy.polls;
    expect(polls).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(busy.polls).toBe(polls);
    await report.done;
    // Only the first sight was worth a line: the parts left never changed.
    expect(logger.lines).toEqual([
      'info background work: building the full-text index for older data, 1 part left',
    ]);
  });

  it('ends quietly when the store cannot say (closed)', async () => {
    const logger = recordingLogger();
    await reportBackgroundWork({ backgroundWork: () => Promise.reject(new Error('closed')) }, logger, {
      intervalMs: 5,
    }).done;
    expect(logger.lines).toEqual(['debug background work: cannot read progress']);
  });
});
