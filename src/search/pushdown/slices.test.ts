import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateRows, sliceStart, SliceSizer, timeSlices } from './slices.js';

const HOUR = 3_600_000;
const spans = [
  { from: 0, to: 10 * HOUR, rows: 1000 },
  { from: 10 * HOUR, to: 20 * HOUR, rows: 100 },
  // an overlapping part of the same hours
  { from: 15 * HOUR, to: 20 * HOUR, rows: 500 },
];

describe('time slices', () => {
  it('estimates rows in a range from spans, evenly spread', () => {
    expect(estimateRows(spans, 0, 20 * HOUR)).toBe(1600);
    expect(estimateRows(spans, 0, 5 * HOUR)).toBe(500);
    expect(estimateRows(spans, 15 * HOUR, 20 * HOUR)).toBe(550);
    expect(estimateRows(spans, 30 * HOUR, 40 * HOUR)).toBe(0);
  });

  it('starts a slice where it holds the rows asked for', () => {
    expect(sliceStart(spans, 0, 20 * HOUR, 5000)).toBe(0);
    const start = sliceStart(spans, 0, 20 * HOUR, 550);
    expect(Math.abs(start - 15 * HOUR)).toBeLessThanOrEqual(1);
    expect(estimateRows(spans, start, 20 * HOUR)).toBeLessThanOrEqual(550);
  });

  it('covers the range exactly with adjacent slices, newest first, whatever the spans', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: 1000 }),
            len: fc.integer({ min: 1, max: 1000 }),
            rows: fc.integer({ min: 0, max: 10_000 }),
          }),
          { maxLength: 8 },
        ),
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 1, max: 5000 }),
        (raw, from, len, rows) => {
          const s = raw.map((r) => ({ from: r.from, to: r.from + r.len, rows: r.rows }));
          const slices = [...timeSlices(s, from, from + len, new SliceSizer({ rows, targetMs: 1000 }))];
          expect(slices[0]!.to).toBe(from + len);
          expect(slices.at(-1)!.from).toBe(from);
          for (let i = 0; i < slices.length; i++) {
            expect(slices[i]!.from).toBeLessThan(slices[i]!.to);
            expect(Number.isInteger(slices[i]!.from)).toBe(true);
            if (i > 0) expect(slices[i]!.to).toBe(slices[i - 1]!.from);
          }
        },
      ),
    );
  });

  it('sizes later slices from the speed of earlier ones, within bounds', () => {
    const sizer = new SliceSizer({ rows: 8192, targetMs: 100 });
    expect(sizer.next()).toBe(8192);
    sizer.done(8192, 8); // 1,024 rows/ms → 102,400 rows in 100 ms
    expect(sizer.next()).toBe(102_400);
    sizer.done(102_400, 100_000); // now slow: 110,592 rows in 100,008 ms
    expect(sizer.next()).toBe(12_800); // shrinks at most 8-fold from the last slice
    const fast = new SliceSizer({ rows: 8192, targetMs: 100 });
    fast.done(8192, 0); // too fast to measure
    expect(fast.next()).toBe(8192 * 64); // grows at most 64-fold
    const fixed = new SliceSizer({ rows: 5000, targetMs: 0 });
    fixed.done(5000, 1);
    expect(fixed.next()).toBe(5000);
  });
});
