/**
 * `/api/v1/logs/count?contains=` reads every message in its range, so it runs in time slices as
 * searches do: the same count as one statement, from several statements, with open ends kept open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slicedCount } from '../../src/search/pushdown/sliced.js';
import type { CountFilter, LogStore } from '../../src/store/log-store.js';
import { encodeRows } from './pushdown-support.js';
import { openTempStore, type TempStore } from '../support/temp-store.js';

const T0 = Date.UTC(2026, 9, 1);
const HOUR = 3_600_000;

describe('slicedCount', () => {
  let temp: TempStore;
  let store: LogStore;

  beforeAll(async () => {
    temp = await openTempStore('sliced-count');
    store = temp.store;
    // Six hours, a row a minute; every seventh mentions the needle.
    const rows = Array.from({ length: 360 }, (_, i) => ({
      _messageTime: T0 + i * 60_000,
      _raw: i % 7 === 0 ? `request ${i} hit the needle` : `request ${i} ok`,
      _sourceCategory: i % 2 === 0 ? 'even' : 'odd',
    }));
    await store.append(encodeRows(rows, 'count'));
  }, 60_000);
  afterAll(async () => {
    await temp.dispose();
  });

  /** The store, with its row spans spread evenly over the six hours and its counts recorded. */
  function counting(): { store: LogStore; calls: CountFilter[] } {
    const calls: CountFilter[] = [];
    const wrapped: LogStore = {
      ...store,
      rowSpans: () => Promise.resolve([{ from: T0, to: T0 + 6 * HOUR, rows: 360 }]),
      count: (filter) => (calls.push(filter), store.count(filter)),
    };
    return { store: wrapped, calls };
  }

  it('gives the single statement its answer from slices, open ends kept open', async () => {
    for (const filter of [
      { contains: 'needle' },
      { contains: 'needle', from: T0 + HOUR },
      { contains: 'needle', to: T0 + 5 * HOUR },
      { contains: 'needle', from: T0 + 30 * 60_000, to: T0 + 4 * HOUR, sourceCategory: 'even' },
    ] satisfies CountFilter[]) {
      const expected = await store.count(filter);
      expect(expected).toBeGreaterThan(0);
      const { store: wrapped, calls } = counting();
      expect(await slicedCount(wrapped, filter, { rows: 60, targetMs: 0 }), JSON.stringify(filter)).toBe(expected);
      expect(calls.length).toBeGreaterThanOrEqual(3);
      // The newest slice keeps an open upper end, the oldest an open lower end.
      expect(calls[0]!.to).toBe(filter.to);
      expect(calls.at(-1)!.from).toBe(filter.from);
    }
  });

  it('runs one statement when the range fits a slice or nothing is scanned', async () => {
    const a = counting();
    expect(await slicedCount(a.store, { contains: 'needle' }, { rows: 1_000, targetMs: 0 })).toBe(await store.count({ contains: 'needle' }));
    expect(a.calls).toHaveLength(1);
    const b = counting();
    await slicedCount(b.store, { from: T0, to: T0 + 6 * HOUR }, { rows: 60, targetMs: 0 });
    expect(b.calls).toHaveLength(1);
  });
});
