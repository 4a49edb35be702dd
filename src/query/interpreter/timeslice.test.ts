import { describe, expect, it } from 'vitest';
import { sizeForBuckets, timesliceRange, timesliceStart } from './timeslice.js';

describe('timeslice', () => {
  it('aligns hours on the local clock of half-hour zones', () => {
    const t = Date.UTC(2024, 0, 1, 10, 10); // 15:40 in Kolkata
    expect(timesliceStart(t, 3_600_000, 'Asia/Kolkata')).toBe(Date.UTC(2024, 0, 1, 9, 30));
    expect(timesliceStart(t, 3_600_000, 'UTC')).toBe(Date.UTC(2024, 0, 1, 10));
  });
  it('aligns days on local midnight, across DST', () => {
    const t = Date.UTC(2024, 2, 31, 12); // DST starts in Berlin that night
    expect(timesliceStart(t, 86_400_000, 'Europe/Berlin')).toBe(Date.UTC(2024, 2, 30, 23));
    const days = timesliceRange(Date.UTC(2024, 2, 30, 23), Date.UTC(2024, 3, 1, 22), 86_400_000, 'Europe/Berlin');
    expect(days).toEqual([Date.UTC(2024, 2, 30, 23), Date.UTC(2024, 2, 31, 22)]);
  });
  it('aligns weeks on Monday', () => {
    expect(timesliceStart(Date.UTC(2024, 0, 3, 5), 7 * 86_400_000, 'UTC')).toBe(Date.UTC(2024, 0, 1));
  });
  it('chooses a round size for N buckets', () => {
    expect(sizeForBuckets(3_600_000, 60)).toBe(60_000);
    expect(sizeForBuckets(86_400_000, 150)).toBe(10 * 60_000);
  });
});
