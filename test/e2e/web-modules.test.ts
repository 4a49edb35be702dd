import { describe, expect, it } from 'vitest';
import { describeRange, parseRelative, resolveRange, wallClockToEpoch, epochToWallClock } from '../../web/src/features/search/time-range.js';
import { readSearchState, searchUrl } from '../../web/src/features/search/url-state.js';

/** The web UI's pure modules (time ranges, URL state), without a browser. */
describe('time ranges', () => {
  it('parses relative ranges, including combined units', () => {
    expect(parseRelative('-15m')).toBe(15 * 60_000);
    expect(parseRelative('-2d3h')).toBe((2 * 24 + 3) * 3_600_000);
    expect(parseRelative('-1w')).toBe(7 * 86_400_000);
    for (const bad of ['15m', '-', '-0m', '-5x', '-1h 2m', 'now']) expect(parseRelative(bad)).toBeUndefined();
  });

  it('resolves ranges against now and refuses reversed or invalid ones', () => {
    const now = Date.UTC(2026, 10, 22, 12, 0);
    expect(resolveRange({ start: '-1h', end: 'now' }, 'UTC', now)).toEqual({ from: now - 3_600_000, to: now });
    expect(resolveRange({ start: '-1h', end: '-2h' }, 'UTC', now)).toHaveProperty('error');
    expect(resolveRange({ start: 'yesterday', end: 'now' }, 'UTC', now)).toHaveProperty('error');
    expect(resolveRange({ start: '1795000000000', end: 'now' }, 'UTC', now)).toEqual({ from: 1795000000000, to: now });
  });

  it('converts wall-clock times in a time zone, across daylight saving time', () => {
    expect(wallClockToEpoch('2026-11-22T10:00', 'UTC')).toBe(Date.UTC(2026, 10, 22, 10, 0));
    expect(wallClockToEpoch('2026-01-15T10:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 0, 15, 9, 0));
    expect(wallClockToEpoch('2026-07-15T10:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 15, 8, 0));
    expect(wallClockToEpoch('2026-07-15T10:00', 'America/New_York')).toBe(Date.UTC(2026, 6, 15, 14, 0));
    expect(epochToWallClock(Date.UTC(2026, 6, 15, 8, 0), 'Europe/Berlin')).toBe('2026-07-15T10:00');
  });

  it('describes ranges for the picker button', () => {
    expect(describeRange({ start: '-15m', end: 'now' })).toBe('Last 15 minutes');
    expect(describeRange({ start: '-2d3h', end: 'now' })).toBe('Last 2 days 3 hours');
    expect(describeRange({ start: '2026-11-22T10:00', end: '2026-11-22T11:00' })).toBe('2026-11-22 10:00 → 2026-11-22 11:00');
  });
});

describe('search URL state', () => {
  it('round-trips query, range, time zone, receipt time and parameters (Sumo link form)', () => {
    const state = {
      query: '_sourceCategory={{app}} error | count by _sourceHost',
      range: { start: '-2d3h', end: 'now' },
      timeZone: 'Europe/Berlin',
      byReceiptTime: true,
      parameters: { app: 'prod/web,api', 'odd:name': 'a\\b' },
    };
    const url = searchUrl(state, 'UTC');
    expect(url.startsWith('/log-search/create?')).toBe(true);
    const params = new URLSearchParams(url.split('?')[1]);
    expect(params.get('startTime')).toBe('-2d3h');
    expect(params.has('endTime')).toBe(false);
    expect(readSearchState(url.split('?')[1]!, 'UTC')).toEqual(state);
  });

  it('reads a Sumo-style link with defaults for what it leaves out', () => {
    const state = readSearchState('?query=error&parameters=app_name:billing&startTime=-60m&endTime=-30m', 'UTC');
    expect(state).toEqual({
      query: 'error',
      range: { start: '-60m', end: '-30m' },
      timeZone: 'UTC',
      byReceiptTime: false,
      parameters: { app_name: 'billing' },
    });
    expect(readSearchState('', 'Asia/Tokyo').range).toEqual({ start: '-15m', end: 'now' });
  });
});
