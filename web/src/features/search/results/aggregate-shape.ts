import type { SearchField } from '../../../../../src/protocol/search.js';
import { chartRoles, type ChartRoles } from '../../charts/chart-data.js';

export const ChartKind = { Table: 'table', Bar: 'bar', Line: 'line', Pie: 'pie' } as const;
export type ChartKind = (typeof ChartKind)[keyof typeof ChartKind];

export type Row = Record<string, string>;

export interface Shape {
  /** The x axis / category field. */
  category: string | undefined;
  /** Numeric fields to plot. */
  series: string[];
  isTimeSeries: boolean;
  /** Keys besides the category: one series per value of them (`status` of `count by _timeslice, status`). */
  groups: string[];
}

/** Which field is the category, which split the series and which are numbers, from the fields and the values. */
export function resultShape(fields: readonly SearchField[], rows: readonly Row[]): Shape {
  const roles = chartRoles(fields, rows);
  return { category: roles.x, series: roles.values, isTimeSeries: roles.isTime, groups: roles.groups };
}

/** The chart roles of a shape (the charts module's names for the same fields). */
export function shapeRoles(shape: Shape): ChartRoles {
  return { x: shape.category, isTime: shape.isTimeSeries, groups: shape.groups, values: shape.series };
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
