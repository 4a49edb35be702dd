import { describe, expect, it } from 'vitest';
import {
  describePresetDays,
  describeRange,
  findPreset,
  pickerWallClock,
  PRESETS,
  resolveRange,
  resolveTime,
  wallClockToEpoch,
} from '../../web/src/features/search/time-range.js';
import { readSearchState, searchUrl } from '../../web/src/features/search/url-state.js';

const ZONE = 'Europe/Berlin';
/** 2015-05-17T00:00:00Z; Berlin is at +02:00 then. */
const INSTANT = Date.UTC(2015, 4, 17);
const NOW = Date.UTC(2026, 10, 22, 12, 0);

/** Every absolute form a link may carry or the picker shows, and the instant it means (in Berlin). */
const ABSOLUTE: readonly [string, number][] = [
  ['2015-05-17T00:00:00Z', INSTANT],
  ['2015-05-17T00:00Z', INSTANT],
  ['2015-05-17T00:00:00.000Z', INSTANT],
  ['2015-05-17T00:00:00.250Z', INSTANT + 250],
  ['2015-05-17T00:00:00.123456789Z', INSTANT + 123],
  ['2015-05-17T00:00:30Z', INSTANT + 30_000],
  ['2015-05-17t00:00:00z', INSTANT],
  ['2015-05-17 00:00:00Z', INSTANT],
  ['2015-05-17 00:00 UTC', INSTANT],
  ['2015-05-17 00:00:00.500 UTC', INSTANT + 500],
  ['2015-05-17T02:00:00+02:00', INSTANT],
  ['2015-05-17T02:00+0200', INSTANT],
  ['2015-05-17T02:00:00+02', INSTANT],
  ['2015-05-16T20:00:00-04:00', INSTANT],
  ['2015-05-17T05:30:00.5+05:30', INSTANT + 500],
  // Without a zone: wall-clock time in the search's time zone.
  ['2015-05-17T02:00', INSTANT],
  ['2015-05-17T02:00:00', INSTANT],
  ['2015-05-17T02:00:00.750', INSTANT + 750],
  ['2015-05-17 02:00', INSTANT],
  ['2015-05-17', INSTANT - 2 * 3_600_000],
  // Epoch milliseconds (Sumo Logic's link form).
  ['1431820800000', INSTANT],
  ['1431820800250', INSTANT + 250],
];

describe('time range forms', () => {
  it.each(ABSOLUTE)('resolves %s', (text, expected) => {
    expect(resolveTime(text, ZONE, NOW)).toBe(expected);
  });

  it('resolves now, spans back from now, and calendar starts', () => {
    expect(resolveTime('now', ZONE, NOW)).toBe(NOW);
    expect(resolveTime('', ZONE, NOW)).toBe(NOW);
    expect(resolveTime('-15m', ZONE, NOW)).toBe(NOW - 15 * 60_000);
    expect(resolveTime('-2d3h', ZONE, NOW)).toBe(NOW - 51 * 3_600_000);
    // 2026-11-22 is a Sunday; Berlin is at +01:00.
    expect(resolveTime('@d', ZONE, NOW)).toBe(Date.UTC(2026, 10, 21, 23));
    expect(resolveTime('-1d@d', ZONE, NOW)).toBe(Date.UTC(2026, 10, 20, 23));
    expect(resolveTime('@w', ZONE, NOW)).toBe(Date.UTC(2026, 10, 15, 23));
    expect(resolveTime('-1w@w', ZONE, NOW)).toBe(Date.UTC(2026, 10, 8, 23));
    expect(resolveTime('@h', ZONE, NOW + 59 * 60_000)).toBe(NOW);
  });

  it('refuses what is not a time', () => {
    for (const bad of [
      'yesterday',
      '2015-02-30T00:00Z',
      '2015-05-17T24:00Z',
      '2015-05-17T00:60',
      '2015-05-17T00:00:61Z',
      '2015-05-17T00:00+25:00',
      '17/05/2015',
      '-5x',
      '@y',
      '2015-05-17T00',
    ]) {
      expect(resolveTime(bad, ZONE, NOW), bad).toBeUndefined();
    }
    expect(resolveRange({ start: '-1h', end: 'now' }, 'Not/AZone', NOW)).toEqual({
      error: '"Not/AZone" is not a time zone: pick one from the list',
    });
  });

  it.each(ABSOLUTE)(
    'round-trips %s through the link, the picker inputs and the picker label',
    (text, expected) => {
      const end = '2015-05-18T00:00:00Z';
      const state = {
        query: 'error',
        range: { start: text, end },
        timeZone: ZONE,
        byReceiptTime: false,
        parameters: {},
      };
      const read = readSearchState(searchUrl(state, 'UTC').split('?')[1]!, 'UTC');
      expect(read).toEqual(state);
      expect(resolveRange(read.range, ZONE, NOW)).toEqual({ from: expected, to: INSTANT + 86_400_000 });
      // The absolute inputs show the instant to the millisecond, in the search's time zone.
      expect(wallClockToEpoch(pickerWallClock(text, ZONE, NOW)!, ZONE)).toBe(expected);
      // What the button shows reads back to the same instant.
      const [shownStart, shownEnd] = describeRange(state.range).split(' → ');
      expect(resolveTime(shownStart!, ZONE, NOW)).toBe(expected);
      expect(resolveTime(shownEnd!, ZONE, NOW)).toBe(INSTANT + 86_400_000);
    },
  );

  it('reads a hand-written link whose offset lost its + to the query string', () => {
    const state = readSearchState(
      '?query=error&startTime=2015-05-17T02:00:00+02:00&endTime=2015-05-17T12:00+0530',
      'UTC',
    );
    expect(state.range).toEqual({ start: '2015-05-17T02:00:00+02:00', end: '2015-05-17T12:00+0530' });
    expect(resolveRange(state.range, 'UTC', NOW)).toEqual({
      from: INSTANT,
      to: Date.UTC(2015, 4, 17, 6, 30),
    });
  });

  it('round-trips relative and calendar ends through the link', () => {
    for (const [start, end] of [
      ['-15m', 'now'],
      ['-2d3h', '-1h'],
      ['@d', 'now'],
      ['-1d@d', '@d'],
      ['-1w@w', '@w'],
    ] as const) {
      const state = {
        query: 'x',
        range: { start, end },
        timeZone: 'Asia/Kolkata',
        byReceiptTime: false,
        parameters: {},
      };
      expect(readSearchState(searchUrl(state, 'UTC').split('?')[1]!, 'UTC')).toEqual(state);
    }
  });
});

describe('time range presets', () => {
  it("has Sumo Logic's presets, each described by its own label", () => {
    expect(PRESETS.map((p) => p.label)).toEqual([
      'Last 5 minutes',
      'Last 15 minutes',
      'Last 30 minutes',
      'Last 60 minutes',
      'Last 3 hours',
      'Last 6 hours',
      'Last 12 hours',
      'Last 24 hours',
      'Last 7 days',
      'Last 30 days',
      'Today',
      'Yesterday',
      'Previous week',
    ]);
    for (const preset of PRESETS) {
      expect(describeRange(preset)).toBe(preset.label);
      expect(findPreset({ start: preset.start, end: preset.end })).toBe(preset);
    }
  });

  it('gives spans back from now', () => {
    const minutes = [5, 15, 30, 60, 180, 360, 720, 1440, 7 * 1440, 30 * 1440];
    const relative = PRESETS.filter((p) => p.group === 'relative');
    expect(relative.map((p) => resolveRange(p, 'America/New_York', NOW))).toEqual(
      minutes.map((m) => ({ from: NOW - m * 60_000, to: NOW })),
    );
  });

  const preset = (label: string) => PRESETS.find((p) => p.label === label)!;
  const range = (label: string, zone: string, now: number) => resolveRange(preset(label), zone, now);

  it('computes today, yesterday and previous week in the time zone (New York, just after DST began)', () => {
    // Wednesday 2025-03-12 11:30 EDT (-04:00); DST began Sunday 2025-03-09.
    const now = Date.UTC(2025, 2, 12, 15, 30);
    expect(range('Today', 'America/New_York', now)).toEqual({ from: Date.UTC(2025, 2, 12, 4), to: now });
    expect(range('Yesterday', 'America/New_York', now)).toEqual({
      from: Date.UTC(2025, 2, 11, 4),
      to: Date.UTC(2025, 2, 12, 4),
    });
    // Monday 2025-03-03 00:00 EST to Monday 2025-03-10 00:00 EDT: 167 hours.
    expect(range('Previous week', 'America/New_York', now)).toEqual({
      from: Date.UTC(2025, 2, 3, 5),
      to: Date.UTC(2025, 2, 10, 4),
    });
    expect(describePresetDays(preset('Previous week'), 'America/New_York', now)).toBe('Mar 3 – Mar 9');
    expect(describePresetDays(preset('Yesterday'), 'America/New_York', now)).toBe('Mar 11');
  });

  it('uses the local date, not the UTC one (Sunday evening in New York is Monday in UTC)', () => {
    // Sunday 2025-03-09 23:00 EDT = Monday 03:00 UTC.
    const now = Date.UTC(2025, 2, 10, 3);
    expect(range('Today', 'America/New_York', now)).toEqual({ from: Date.UTC(2025, 2, 9, 5), to: now });
    // Sunday 2025-03-09 is 23 hours long.
    expect(range('Yesterday', 'America/New_York', Date.UTC(2025, 2, 10, 12))).toEqual({
      from: Date.UTC(2025, 2, 9, 5),
      to: Date.UTC(2025, 2, 10, 4),
    });
    expect(range('Previous week', 'America/New_York', now)).toEqual({
      from: Date.UTC(2025, 1, 24, 5),
      to: Date.UTC(2025, 2, 3, 5),
    });
    expect(describePresetDays(preset('Previous week'), 'America/New_York', now)).toBe('Feb 24 – Mar 2');
  });

  it('computes them in a half-hour zone (Kolkata, +05:30)', () => {
    // Wednesday 2025-03-12 21:00 IST.
    const now = Date.UTC(2025, 2, 12, 15, 30);
    expect(range('Today', 'Asia/Kolkata', now)).toEqual({ from: Date.UTC(2025, 2, 11, 18, 30), to: now });
    expect(range('Yesterday', 'Asia/Kolkata', now)).toEqual({
      from: Date.UTC(2025, 2, 10, 18, 30),
      to: Date.UTC(2025, 2, 11, 18, 30),
    });
    expect(range('Previous week', 'Asia/Kolkata', now)).toEqual({
      from: Date.UTC(2025, 2, 2, 18, 30),
      to: Date.UTC(2025, 2, 9, 18, 30),
    });
  });

  it('gives a 25-hour yesterday after DST ends (Berlin)', () => {
    const now = Date.UTC(2025, 9, 27, 12);
    expect(range('Yesterday', 'Europe/Berlin', now)).toEqual({
      from: Date.UTC(2025, 9, 25, 22),
      to: Date.UTC(2025, 9, 26, 23),
    });
  });

  it('starts a day whose midnight DST skips at its first instant (Santiago, 2024-09-08 00:00 → 01:00)', () => {
    const now = Date.UTC(2024, 8, 8, 15);
    expect(range('Today', 'America/Santiago', now)).toEqual({ from: Date.UTC(2024, 8, 8, 4), to: now });
    expect(range('Yesterday', 'America/Santiago', now)).toEqual({
      from: Date.UTC(2024, 8, 7, 4),
      to: Date.UTC(2024, 8, 8, 4),
    });
  });
});
