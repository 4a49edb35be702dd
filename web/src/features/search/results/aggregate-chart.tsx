import { lazy, Suspense, useMemo } from 'react';
import { chartDataOf } from '../../charts/chart-data';
import { chartOption } from '../../charts/chart-option';
import { useChartColors } from '../../charts/use-chart-colors';
import '../../charts/charts.css';
import { shapeRoles, type ChartKind, type Row, type Shape } from './aggregate-shape';

export interface AggregateChartProps {
  kind: Exclude<ChartKind, 'table'>;
  rows: readonly Row[];
  shape: Shape;
  timeZone: string;
}

// ECharts is half the bundle: a chunk of its own, fetched once the page is idle (so the search page
// renders first and the first aggregate rarely waits), or by the first chart, whichever comes first.
const loadEChart = () => import('../../charts/echart');
if (typeof window !== 'undefined') {
  // (Not every browser has requestIdleCallback.)
  if ('requestIdleCallback' in window) window.requestIdleCallback(() => void loadEChart());
  else setTimeout(() => void loadEChart(), 1000);
}
const EChart = lazy(() => loadEChart().then((m) => ({ default: m.EChart })));

/**
 * Bar, line or pie chart of the records: x is the time (or first key), one series per value of the
 * other keys — or per numeric column, as `transpose` leaves them — stacked when they are counts.
 */
export function AggregateChart(props: AggregateChartProps) {
  const { shape, kind, timeZone } = props;
  const data = useMemo(() => chartDataOf(shapeRoles(shape), props.rows), [shape, props.rows]);
  const colors = useChartColors();
  const option = useMemo(
    () => (data ? chartOption({ data, type: kind, timeZone, colors }) : undefined),
    [data, kind, timeZone, colors],
  );
  if (!data || !option) return <p className="muted">These results have no number to chart.</p>;
  const by = [shape.category, ...shape.groups].filter((f) => f !== undefined).join(', ');
  const title = `${kind} chart of ${shape.series.join(', ')} by ${by}`;
  return (
    <>
      {/* While ECharts loads, the same box with the same name: the page does not jump, the chart is findable. */}
      <Suspense fallback={<div className="quarry-chart" role="img" aria-label={title} aria-busy="true" />}>
        <EChart option={option} label={title} />
      </Suspense>
      {data.note && (
        <p className="muted chart-note" role="note">
          {data.note}
        </p>
      )}
    </>
  );
}
