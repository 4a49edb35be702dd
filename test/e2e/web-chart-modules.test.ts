import { describe, expect, it } from 'vitest';
import type { SearchField } from '../../src/protocol/search.js';
import { countTicks, formatTick } from '../../web/src/features/charts/axis-ticks.js';
import {
  chartData,
  chartRoles,
  pieSlices,
  type ChartRecord,
} from '../../web/src/features/charts/chart-data.js';
import { chartOption } from '../../web/src/features/charts/chart-option.js';
import { timeLabels } from '../../web/src/features/charts/time-labels.js';
import { defaultChart, resultShape } from '../../web/src/features/search/results/aggregate-shape.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 12, 0);

function key(name: string, fieldType = 'string'): SearchField {
  return { name, fieldType, keyField: true };
}
function value(name: string, fieldType = 'long'): SearchField {
  return { name, fieldType, keyField: false };
}

/** `count by _timeslice, status` as the records API returns it: newest slice first, a 500 only now and then. */
const byStatusFields = [key('_timeslice', 'long'), key('status'), value('_count')];
const byStatusRows: ChartRecord[] = [
  { _timeslice: String(T0 + 2 * MIN), status: '200', _count: '7' },
  { _timeslice: String(T0 + 2 * MIN), status: '500', _count: '1' },
  { _timeslice: String(T0 + 2 * MIN), status: '404', _count: '2' },
  { _timeslice: String(T0 + MIN), status: '200', _count: '5' },
  { _timeslice: String(T0 + MIN), status: '404', _count: '3' },
  { _timeslice: String(T0), status: '200', _count: '4' },
  { _timeslice: String(T0), status: '404', _count: '1' },
  { _timeslice: String(T0), status: '500', _count: '2' },
];

describe('chart data from aggregate records', () => {
  it('draws count by _timeslice, status as one stacked series per status over time', () => {
    const shape = resultShape(byStatusFields, byStatusRows);
    expect(shape).toMatchObject({
      category: '_timeslice',
      isTimeSeries: true,
      groups: ['status'],
      series: ['_count'],
    });
    expect(defaultChart(shape)).toBe('line');

    const data = chartData(byStatusFields, byStatusRows)!;
    expect(data.categories).toEqual([T0, T0 + MIN, T0 + 2 * MIN]);
    expect(data.step).toBe(MIN);
    expect(data.series.map((s) => [s.name, s.data])).toEqual([
      ['200', [4, 5, 7]],
      ['404', [1, 3, 2]],
      // No 500s in the middle slice: a count of zero, not a gap.
      ['500', [2, 0, 1]],
    ]);
    expect(data).toMatchObject({ isStacked: true, isInteger: true, note: undefined });
  });

  it('fills the missing slices of a regular time axis', () => {
    const rows = [
      { _timeslice: String(T0 + 3 * HOUR), _count: '1' },
      { _timeslice: String(T0 + HOUR), _count: '2' },
      { _timeslice: String(T0), _count: '3' },
    ];
    const data = chartData([key('_timeslice', 'long'), value('_count')], rows)!;
    expect(data.categories).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    // One count, no group: nothing to stack, a gap where the records have none.
    expect(data.isStacked).toBe(false);
    expect(data.series[0]?.data).toEqual([3, 2, null, 1]);
  });

  it('draws every column after transpose, empty cells as zero', () => {
    const fields = [key('_timeslice', 'long'), value('200'), value('404'), value('500')];
    const rows = [
      { _timeslice: String(T0 + DAY), '200': '5', '404': '2', '500': '' },
      { _timeslice: String(T0), '200': '3', '404': '1', '500': '1' },
    ];
    expect(resultShape(fields, rows)).toMatchObject({
      category: '_timeslice',
      groups: [],
      series: ['200', '404', '500'],
    });
    const data = chartData(fields, rows)!;
    expect(data.series.map((s) => [s.name, s.data])).toEqual([
      ['200', [3, 5]],
      ['404', [1, 2]],
      ['500', [1, 0]],
    ]);
    expect(data.isStacked).toBe(true);
  });

  it('keeps several aggregates of their own units unstacked, each its own line', () => {
    const fields = [key('_timeslice', 'long'), value('_count'), value('_avg', 'double')];
    const rows = [
      { _timeslice: String(T0), _count: '10', _avg: '12.5' },
      { _timeslice: String(T0 + MIN), _count: '4', _avg: '' },
    ];
    const data = chartData(fields, rows)!;
    expect(data.series.map((s) => [s.name, s.data])).toEqual([
      ['_count', [10, 4]],
      ['_avg', [12.5, null]],
    ]);
    expect(data).toMatchObject({ isStacked: false, isInteger: false });
  });

  it('puts a category without time on x: bars, one per value, split by the other keys', () => {
    const single = chartData(
      [key('status'), value('_count')],
      [
        { status: '404', _count: '10' },
        { status: '200', _count: '90' },
      ],
    )!;
    expect(single.roles).toEqual({ x: 'status', isTime: false, groups: [], values: ['_count'] });
    expect(
      defaultChart(resultShape([key('status'), value('_count')], [{ status: '200', _count: '1' }])),
    ).toBe('bar');
    expect(single.categories).toEqual(['404', '200']);
    expect(single.series.map((s) => s.data)).toEqual([[10, 90]]);

    const split = chartData(
      [key('host'), key('status'), value('_count')],
      [
        { host: 'web-1', status: '200', _count: '8' },
        { host: 'web-2', status: '500', _count: '1' },
        { host: 'web-1', status: '500', _count: '2' },
      ],
    )!;
    expect(split.categories).toEqual(['web-1', 'web-2']);
    expect(split.series.map((s) => [s.name, s.data])).toEqual([
      ['200', [8, 0]],
      ['500', [2, 1]],
    ]);
    expect(split.isStacked).toBe(true);
  });

  it('treats only time-like keys as time: a numeric id stays a category, a formatted slice too', () => {
    const ids = chartRoles(
      [key('user_id', 'long'), value('_count')],
      [{ user_id: '1700000000000', _count: '1' }],
    );
    expect(ids).toMatchObject({ x: 'user_id', isTime: false });
    const hour = chartRoles([key('hour', 'long'), value('_count')], [{ hour: String(T0), _count: '1' }]);
    expect(hour).toMatchObject({ x: 'hour', isTime: true });
    const formatted = chartRoles(
      [key('_timeslice'), value('_count')],
      [{ _timeslice: '2026-03-10 12:00', _count: '1' }],
    );
    expect(formatted).toMatchObject({ x: '_timeslice', isTime: false });
  });

  it('splits series by the keys, or by text columns only when the records name no key', () => {
    const labelled = chartRoles(
      [key('_timeslice', 'long'), value('day', 'string'), value('_count')],
      [{ _timeslice: String(T0), day: '2026-03-10', _count: '3' }],
    );
    expect(labelled).toEqual({ x: '_timeslice', isTime: true, groups: [], values: ['_count'] });
    const keyless = chartRoles(
      [value('_timeslice'), value('host', 'string'), value('n')],
      [{ _timeslice: String(T0), host: 'web-1', n: '3' }],
    );
    expect(keyless).toEqual({ x: '_timeslice', isTime: true, groups: ['host'], values: ['n'] });
  });

  it('caps the series at the 20 largest and sums the rest as "other", with a note', () => {
    const rows: ChartRecord[] = [];
    for (let h = 1; h <= 30; h++) {
      for (let s = 0; s < 2; s++)
        rows.push({ _timeslice: String(T0 + s * MIN), host: `host${h}`, _count: String(h) });
    }
    const data = chartData([key('_timeslice', 'long'), key('host'), value('_count')], rows)!;
    expect(data.series).toHaveLength(21);
    expect(data.series.slice(0, 20).map((s) => s.name)).toEqual(
      Array.from({ length: 20 }, (_, i) => `host${i + 11}`),
    );
    const other = data.series[20]!;
    expect(other).toMatchObject({ name: 'other', isOther: true });
    // hosts 1–10 count 1 + … + 10 in each slice.
    expect(other.data).toEqual([55, 55]);
    expect(data.note).toBe('Showing the 20 largest of 30 series; the other 10 are summed as “other”.');

    const averages = rows.map((r) => ({ _timeslice: r._timeslice!, host: r.host!, _avg: r._count! }));
    const lines = chartData([key('_timeslice', 'long'), key('host'), value('_avg', 'double')], averages)!;
    expect(lines.series).toHaveLength(20);
    expect(lines.series.some((s) => s.isOther)).toBe(false);
    expect(lines.note).toBe('Showing the 20 largest of 30 series; 10 more are not drawn.');
  });

  it('keeps the largest categories of a long bar chart, in the records order', () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({
      url: `/p${i}`,
      _count: String(i % 2 === 0 ? 100 + i : i),
    }));
    const data = chartData([key('url'), value('_count')], rows, { maxCategories: 4 })!;
    expect(data.categories).toEqual(['/p0', '/p2', '/p4', '/p6']);
    expect(data.note).toBe('Showing the 4 largest of 8 categories of url.');
  });

  it('has nothing to chart without an x or a number', () => {
    expect(chartData([value('_count')], [{ _count: '3' }])).toBeUndefined();
    expect(chartData([key('host')], [{ host: 'a' }])).toBeUndefined();
  });

  it('slices a pie by series when there are several, else by category', () => {
    const data = chartData(byStatusFields, byStatusRows)!;
    expect(pieSlices(data)).toEqual([
      { name: '200', value: 16 },
      { name: '404', value: 6 },
      { name: '500', value: 3 },
    ]);
  });
});

describe('chart option', () => {
  it('stacks counts across group values as areas (lines) or bars, with a legend and whole-number ticks', () => {
    const data = chartData(byStatusFields, byStatusRows)!;
    const line = chartOption({ data, type: 'line', timeZone: 'UTC' });
    const series = line.series as { type: string; name: string; stack?: string; areaStyle?: unknown }[];
    expect(series.map((s) => [s.type, s.name, s.stack, s.areaStyle !== undefined])).toEqual([
      ['line', '200', 'total', true],
      ['line', '404', 'total', true],
      ['line', '500', 'total', true],
    ]);
    expect(line.legend).toMatchObject({ data: ['200', '404', '500'] });
    expect(line.yAxis).toMatchObject({ minInterval: 1 });
    const bar = chartOption({ data, type: 'bar', timeZone: 'UTC' });
    expect(
      (bar.series as { type: string; stack?: string }[]).every(
        (s) => s.type === 'bar' && s.stack === 'total',
      ),
    ).toBe(true);
  });

  it('labels the time axis in the search time zone and escapes names in the tooltip', () => {
    const rows = [
      { _timeslice: String(Date.UTC(2025, 11, 30)), host: '<b>x</b>', _count: '1' },
      { _timeslice: String(Date.UTC(2026, 0, 2)), host: '<b>x</b>', _count: '2' },
    ];
    const data = chartData([key('_timeslice', 'long'), key('host'), value('_count')], rows)!;
    const option = chartOption({ data, type: 'line', timeZone: 'Asia/Tokyo' });
    const axis = option.xAxis as { axisLabel: { formatter: (v: string, i: number) => string } };
    expect(axis.axisLabel.formatter('', 0)).toBe('30 Dec 2025');
    const tooltip = option.tooltip as { formatter: (p: unknown) => string };
    const html = tooltip.formatter([{ seriesName: '<b>x</b>', value: 1, dataIndex: 0, marker: '' }]);
    expect(html).toContain('&#60;b&#62;x&#60;/b&#62;');
    expect(html).not.toContain('<b>x</b>');
  });
});

describe('axis labels', () => {
  it('adds the year past a few days or across a new year, and the date past half a day', () => {
    expect(timeLabels({ from: T0, to: T0 + 2 * HOUR, timeZone: 'UTC' }).full(T0)).toBe('12:00');
    expect(timeLabels({ from: T0, to: T0 + DAY, timeZone: 'UTC' }).full(T0)).toBe('10 Mar 12:00');
    expect(timeLabels({ from: T0, to: T0 + 7 * DAY, timeZone: 'UTC' }).full(T0)).toBe('10 Mar 2026 12:00');
    expect(
      timeLabels({ from: Date.UTC(2025, 11, 31, 23), to: Date.UTC(2026, 0, 1, 1), timeZone: 'UTC' }).axis(
        Date.UTC(2026, 0, 1),
      ),
    ).toBe('1 Jan 2026\n00:00');
    // Daily slices: the date alone; in the search's zone, not the machine's.
    expect(timeLabels({ from: T0, to: T0 + 2 * DAY, step: DAY, timeZone: 'UTC' }).axis(T0)).toBe('10 Mar');
    expect(timeLabels({ from: T0, to: T0 + HOUR, step: MIN, timeZone: 'Asia/Tokyo' }).axis(T0)).toBe('21:00');
    expect(timeLabels({ from: T0, to: T0 + 5 * MIN, step: 10_000, timeZone: 'UTC' }).axis(T0)).toBe(
      '12:00:00',
    );
  });

  it('ticks a count axis at whole, round numbers from zero past the largest count', () => {
    expect(countTicks(0)).toEqual({ top: 1, ticks: [0, 1] });
    expect(countTicks(1)).toEqual({ top: 1, ticks: [0, 1] });
    expect(countTicks(7)).toEqual({ top: 10, ticks: [0, 5, 10] });
    expect(countTicks(1234)).toEqual({ top: 1500, ticks: [0, 500, 1000, 1500] });
    for (let max = 1; max < 5000; max += 37) {
      const { top, ticks } = countTicks(max);
      expect(top).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeLessThanOrEqual(4);
      expect(ticks.every((t) => Number.isInteger(t))).toBe(true);
    }
    expect(formatTick(25_000)).toBe('25K');
    expect(formatTick(950)).toBe('950');
  });
});
