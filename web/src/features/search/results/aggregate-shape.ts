import type { SearchField } from '../../../../../src/protocol/search.js';

export const ChartKind = { Table: 'table', Bar: 'bar', Line: 'line', Pie: 'pie' } as const;
export type ChartKind = (typeof ChartKind)[keyof typeof ChartKind];

export type Row = Record<string, string>;

export interface Shape {
  /** The x axis / category field. */
  category: string | undefined;
  /** Numeric fields to plot. */
  series: string[];
  isTimeSeries: boolean;
}

function isNumeric(rows: readonly Row[], field: string): boolean {
  let seen = 0;
  for (const row of rows) {
    const v = row[field];
    if (v === undefined || v === '') continue;
    if (!Number.isFinite(Number(v))) return false;
    seen++;
  }
  return seen > 0;
}

/** Which field is the category and which are numbers, from the fields and the values. */
export function resultShape(fields: readonly SearchField[], rows: readonly Row[]): Shape {
  const names = fields.map((f) => f.name);
  const keys = fields.filter((f) => f.keyField).map((f) => f.name);
  const isTimeSeries = names.includes('_timeslice');
  const category = isTimeSeries ? '_timeslice' : (keys[0] ?? names.find((n) => !isNumeric(rows, n)));
  const series = names.filter((n) => n !== category && !keys.includes(n) && isNumeric(rows, n));
  return { category, series, isTimeSeries };
}

/** The chart that suits the shape: a line over time, bars for a category and a number, else the table. */
export function defaultChart(shape: Shape): ChartKind {
  if (shape.series.length === 0 || shape.category === undefined) return ChartKind.Table;
  return shape.isTimeSeries ? ChartKind.Line : ChartKind.Bar;
}

/** Sorts rows by a field: numerically when both values are numbers, else as text. */
export function sortRows(rows: readonly Row[], field: string, isAscending: boolean): Row[] {
  const sign = isAscending ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[field] ?? '';
    const y = b[field] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const byValue = x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
    return sign * byValue;
  });
}
