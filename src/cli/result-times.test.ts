import { describe, expect, it } from 'vitest';
import { renderRows } from './output.js';
import { formatTimeValue, isTimeField, withReadableTimes } from './result-times.js';

describe('times in the CLI tables and csv', () => {
  const ms = Date.UTC(2026, 11, 6, 20, 30); // 1796589000000

  it('knows the time fields in any case, as the API and the interpreter spell them', () => {
    expect(
      ['_timeslice', '_messagetime', '_receipttime', '_messageTime', '_receiptTime', '_TimeSlice'].every(
        isTimeField,
      ),
    ).toBe(true);
    expect(isTimeField('_count')).toBe(false);
    expect(isTimeField('timeslice')).toBe(false);
  });

  it('prints epoch ms as ISO-8601 in the zone, as quarry query does; other text as it is', () => {
    expect(formatTimeValue('1796589000000', 'UTC')).toBe('2026-12-06T20:30:00.000Z');
    expect(formatTimeValue(ms, 'Europe/Berlin')).toBe('2026-12-06T21:30:00.000+01:00');
    expect(formatTimeValue('1796589000000', 'Asia/Kolkata')).toBe('2026-12-07T02:00:00.000+05:30');
    expect(formatTimeValue('soon', 'UTC')).toBe('soon');
    expect(formatTimeValue('12.5', 'UTC')).toBe('12.5');
  });

  it('formats only the time columns of a table', () => {
    const rows = [
      { _timeslice: String(ms), _count: '1796589000000', status: '200' },
      { _timeslice: '', _count: '3', status: '500' },
    ];
    const shown = withReadableTimes(rows, ['_timeslice', '_count', 'status'], 'America/New_York');
    expect(shown).toEqual([
      { _timeslice: '2026-12-06T15:30:00.000-05:00', _count: '1796589000000', status: '200' },
      { _timeslice: '', _count: '3', status: '500' },
    ]);
    expect(rows[0]!._timeslice).toBe(String(ms));
    expect(renderRows(shown, ['_timeslice', '_count'], 'csv')).toBe(
      '_timeslice,_count\n2026-12-06T15:30:00.000-05:00,1796589000000\n,3\n',
    );
  });
});
