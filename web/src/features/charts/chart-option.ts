/** Chart data → an ECharts option (pure: no DOM, so the choices are unit-tested). */
import type { BarSeriesOption, LineSeriesOption, PieSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { formatTick } from './axis-ticks.js';
import { pieSlices, type ChartData } from './chart-data.js';
import { timeLabels, type TimeLabels } from './time-labels.js';

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | PieSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
>;

export const ChartType = { Bar: 'bar', Line: 'line', Pie: 'pie' } as const;
export type ChartType = (typeof ChartType)[keyof typeof ChartType];

/** The page's colours (from its CSS variables), so a chart follows the theme. */
export interface ChartColors {
  text: string;
  muted: string;
  grid: string;
  surface: string;
}

export const LIGHT_CHART_COLORS: ChartColors = {
  text: '#1c2330',
  muted: '#5b6677',
  grid: '#dde1e7',
  surface: '#ffffff',
};

/** Twenty hues that read on both themes, one per series up to the cap; "other" is grey. */
export const SERIES_PALETTE = [
  '#4e8fc0',
  '#e0913a',
  '#52a467',
  '#c75a86',
  '#8571cf',
  '#d9534f',
  '#3aa8b5',
  '#b58a2e',
  '#5c7cfa',
  '#a4b83c',
  '#e07ab8',
  '#2f9e8f',
  '#c27c4e',
  '#6d8cb8',
  '#9b6bb5',
  '#d4a017',
  '#43a047',
  '#ef7d5e',
  '#5e9ed6',
  '#b0745c',
] as const;
const OTHER_COLOR = '#9aa3ae';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
/** Above this many points a line has no markers (they would merge into a blur). */
const MARKER_POINTS = 40;

export interface ChartOptionInput {
  data: ChartData;
  type: ChartType;
  timeZone: string;
  colors?: ChartColors;
  /** Off unless asked for: a log chart is read, not watched, and appears at once (also in screenshots). */
  isAnimated?: boolean;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** ECharts' coloured dot for a tooltip row (its own HTML, not user text). */
function markerOf(marker: unknown): string {
  return typeof marker === 'string' ? marker : '';
}

function numberText(value: number): string {
  return value.toLocaleString('en', { maximumFractionDigits: 3 });
}

/** How the categories read: times in the search's zone (the year on long ranges), other values as they are. */
export function categoryLabels(
  data: ChartData,
  timeZone: string,
): { axis: (i: number) => string; full: (i: number) => string } {
  const { categories } = data;
  if (data.roles.isTime) {
    const first = Number(categories[0] ?? 0);
    const last = Number(categories[categories.length - 1] ?? first);
    const labels: TimeLabels = timeLabels({ from: first, to: last, step: data.step, timeZone });
    return {
      axis: (i) => labels.axis(Number(categories[i])),
      full: (i) => labels.full(Number(categories[i])),
    };
  }
  const text = (i: number): string => {
    const c = String(categories[i] ?? '');
    return c === '' ? '(empty)' : c;
  };
  return { axis: text, full: text };
}

/** The ECharts option for a chart of `data` as bars, lines (stacked areas for counts) or a pie. */
export function chartOption(input: ChartOptionInput): ChartOption {
  const { data, type } = input;
  const colors = input.colors ?? LIGHT_CHART_COLORS;
  const base = {
    animation: input.isAnimated ?? false,
    animationDuration: 250,
    color: [...SERIES_PALETTE],
    textStyle: { fontFamily: FONT, color: colors.text },
  };
  const tooltipBox = {
    confine: true,
    backgroundColor: colors.surface,
    borderColor: colors.grid,
    textStyle: { color: colors.text, fontSize: 12 },
  };
  const legendText = { color: colors.text, fontSize: 12, width: 160, overflow: 'truncate' as const };
  const labels = categoryLabels(data, input.timeZone);

  if (type === ChartType.Pie) {
    const slices = pieSlices(data).map((s) => ({
      name:
        data.series.length > 1 || !data.roles.isTime
          ? s.name || '(empty)'
          : labels.full(data.categories.findIndex((c) => String(c) === s.name)),
      value: s.value,
    }));
    const total = slices.reduce((sum, s) => sum + s.value, 0) || 1;
    const byName = new Map(slices.map((s) => [s.name, s.value]));
    return {
      ...base,
      tooltip: {
        ...tooltipBox,
        trigger: 'item',
        formatter: (p) => {
          const item = Array.isArray(p) ? p[0] : p;
          if (!item) return '';
          const value = typeof item.value === 'number' ? item.value : 0;
          return `${markerOf(item.marker)}${escapeHtml(item.name)}: <b>${numberText(value)}</b> (${Math.round((value / total) * 100)}%)`;
        },
      },
      legend: {
        type: 'scroll',
        orient: 'vertical',
        left: '52%',
        top: 'middle',
        textStyle: { ...legendText, width: 240 },
        data: slices.map((s) => s.name),
        formatter: (name) =>
          `${name} — ${numberText(byName.get(name) ?? 0)} (${Math.round(((byName.get(name) ?? 0) / total) * 100)}%)`,
        tooltip: { show: true },
      },
      series: [
        {
          type: 'pie',
          name: data.roles.values.join(', '),
          radius: ['0%', '80%'],
          center: ['25%', '50%'],
          label: { show: false },
          data: slices.map((s) => (s.name === 'other' ? { ...s, itemStyle: { color: OTHER_COLOR } } : s)),
        },
      ],
    };
  }

  const hasLegend = data.series.length > 1;
  const isStackedArea = type === ChartType.Line && data.isStacked;
  const series: (LineSeriesOption | BarSeriesOption)[] = data.series.map((s) => {
    const common = {
      name: s.name,
      data: s.data,
      emphasis: { focus: 'series' as const },
      ...(data.isStacked ? { stack: 'total' } : {}),
      ...(s.isOther ? { itemStyle: { color: OTHER_COLOR }, lineStyle: { color: OTHER_COLOR } } : {}),
    };
    if (type === ChartType.Bar) return { ...common, type: 'bar', barMaxWidth: 48 };
    return {
      ...common,
      type: 'line',
      // Markers on stacked areas only clutter the edges; a few on a plain line show where the values are.
      showSymbol: !isStackedArea && data.categories.length <= MARKER_POINTS,
      symbolSize: 5,
      lineStyle: { width: isStackedArea ? 1 : 2, ...(s.isOther ? { color: OTHER_COLOR } : {}) },
      ...(isStackedArea ? { areaStyle: { opacity: 0.6 } } : {}),
    };
  });

  return {
    ...base,
    grid: { left: 8, right: 20, top: hasLegend ? 36 : 14, bottom: 6 },
    legend: hasLegend
      ? {
          type: 'scroll',
          top: 0,
          textStyle: legendText,
          data: data.series.map((s) => s.name),
          tooltip: { show: true },
          pageTextStyle: { color: colors.muted },
        }
      : { show: false },
    tooltip: {
      ...tooltipBox,
      trigger: 'axis',
      axisPointer: { type: type === ChartType.Bar ? 'shadow' : 'line' },
      formatter: (p) => {
        const items = (Array.isArray(p) ? p : [p]).filter((i) => typeof i.value === 'number');
        const index = items[0]?.dataIndex ?? (Array.isArray(p) ? p[0]?.dataIndex : p.dataIndex) ?? 0;
        const rows = items.map(
          (i) =>
            `${markerOf(i.marker)}${escapeHtml(i.seriesName ?? '')}: <b>${numberText(i.value as number)}</b>`,
        );
        if (data.isStacked && items.length > 1) {
          rows.push(`Total: <b>${numberText(items.reduce((s, i) => s + (i.value as number), 0))}</b>`);
        }
        return [`<b>${escapeHtml(labels.full(index))}</b>`, ...rows].join('<br>');
      },
    },
    xAxis: {
      type: 'category',
      data: data.categories.map(String),
      boundaryGap: type === ChartType.Bar,
      axisLine: { lineStyle: { color: colors.grid } },
      axisTick: { alignWithLabel: true, lineStyle: { color: colors.grid } },
      axisLabel: {
        color: colors.muted,
        fontSize: 11,
        hideOverlap: true,
        interval: 'auto',
        margin: 10,
        // Lines run edge to edge: the end labels sit inside the plot, clear of the y-axis's "0".
        ...(type === ChartType.Bar
          ? {}
          : { alignMinLabel: 'left' as const, alignMaxLabel: 'right' as const }),
        // The labels' own widths decide how many fit; long category names are cut, the tooltip has them whole.
        width: 120,
        overflow: 'truncate',
        formatter: (_value: string, index: number) => labels.axis(index),
      },
    },
    yAxis: {
      type: 'value',
      ...(data.isInteger ? { minInterval: 1 } : {}),
      splitLine: { lineStyle: { color: colors.grid } },
      axisLabel: { color: colors.muted, fontSize: 11, formatter: (value: number) => formatTick(value) },
    },
    series,
  };
}
