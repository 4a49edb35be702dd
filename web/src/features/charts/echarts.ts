/**
 * The one place ECharts is assembled: only the charts and components Quarry draws are registered, so
 * the bundle carries no more of the library than that (tree-shaken `echarts/core`).
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

/** A chart in `element`, drawn as SVG (crisp text, and its labels are elements a test can measure). */
export function createChart(element: HTMLElement): EChartsType {
  return init(element, undefined, { renderer: 'svg' });
}

export type { EChartsType };
