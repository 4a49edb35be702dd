import { describe, expect, it } from 'vitest';
import type { SearchField } from '../../src/protocol/search.js';
import { formatTimeValue } from '../../src/cli/result-times.js';
import { toCsv } from '../../web/src/features/search/results/csv.js';
import { isoTime, isTimeField, readableTime } from '../../web/src/features/search/results/time-fields.js';

const field = (name: string, fieldType = 'string'): SearchField => ({ name, fieldType, keyField: false });

/** The web UI's time cells and CSV, without a browser. */
describe('times in the web results', () => {
  const ms = String(Date.UTC(2026, 11, 6, 20, 30)); // 1796589000000, as the API sends it

  it('treats _timeslice, _messagetime and _receipttime (any case) as times', () => {
    expect(['_timeslice', '_messagetime', '_receipttime', '_messageTime'].every(isTimeField)).toBe(true);
    expect(['_count', 'status', 'timeslice'].some(isTimeField)).toBe(false);
  });

  it('shows a time as the message list does, in the zone', () => {
    expect(readableTime(ms, 'UTC')).toBe('2026-12-06 20:30:00.000');
    expect(readableTime(ms, 'Europe/Berlin')).toBe('2026-12-06 21:30:00.000');
    expect(readableTime(ms, 'Asia/Kolkata')).toBe('2026-12-07 02:00:00.000');
    expect(readableTime('', 'UTC')).toBe('');
    expect(readableTime('n/a', 'UTC')).toBe('n/a');
  });

  it('writes CSV times as ISO-8601 in the zone, as quarry search --format csv does', () => {
    expect(isoTime(ms, 'Europe/Berlin')).toBe(formatTimeValue(ms, 'Europe/Berlin'));
    const csv = toCsv(
      [field('_timeslice', 'long'), field('_count', 'long')],
      [
        { _timeslice: ms, _count: '1796589000000' },
        { _timeslice: '', _count: '2' },
      ],
      'Europe/Berlin',
    );
    expect(csv).toBe('_timeslice,_count\r\n2026-12-06T21:30:00.000+01:00,1796589000000\r\n,2\r\n');
    // Cell for cell the CLI's text, around daylight-saving changes and in odd offsets too.
    const instants = [
      0,
      999,
      Date.UTC(2026, 2, 29, 0, 59, 59, 999),
      Date.UTC(2026, 2, 29, 1),
      Date.UTC(2026, 9, 25, 0, 30),
      Date.UTC(2026, 3, 5, 15, 30, 0, 7),
    ];
    for (const zone of [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Asia/Kolkata',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
    ]) {
      for (const t of instants)
        expect(isoTime(String(t), zone), `${t} in ${zone}`).toBe(formatTimeValue(String(t), zone));
    }
    const messages = toCsv(
      [field('_messagetime', 'long'), field('_raw')],
      [{ _messagetime: ms, _raw: 'a, "b"' }],
      'America/New_York',
    );
    expect(messages).toBe('_messagetime,_raw\r\n2026-12-06T15:30:00.000-05:00,"a, ""b"""\r\n');
  });
});
