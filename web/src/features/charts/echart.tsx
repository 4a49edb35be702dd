import { useEffect, useRef } from 'react';
import type { ChartOption } from './chart-option';
import { createChart, type EChartsType } from './echarts';

/**
 * The chart element's handle on its ECharts instance. ECharts' own `getInstanceByDom` needs the
 * library's module, which a browser test or the devtools console does not have; this property is
 * the same instance, reachable from the element (`el.quarryChart.getOption()`).
 */
export interface ChartElement extends HTMLDivElement {
  quarryChart?: EChartsType;
}

export interface EChartProps {
  option: ChartOption;
  /** The accessible name; the records table below a chart is its accessible form. */
  label: string;
  className?: string;
}

/** An ECharts chart that fills its box, follows its size and is disposed with the component. */
export function EChart(props: EChartProps) {
  const element = useRef<ChartElement>(null);
  const chart = useRef<EChartsType | undefined>(undefined);

  useEffect(() => {
    const el = element.current;
    if (!el) return;
    const instance = createChart(el);
    chart.current = instance;
    el.quarryChart = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      delete el.quarryChart;
      chart.current = undefined;
      instance.dispose();
    };
  }, []);

  useEffect(() => {
    // Replaces the whole option: a series left out of the new one must not linger.
    chart.current?.setOption(props.option, { notMerge: true });
  }, [props.option]);

  return (
    <div
      ref={element}
      className={`quarry-chart${props.className ? ` ${props.className}` : ''}`}
      role="img"
      aria-label={props.label}
    />
  );
}
