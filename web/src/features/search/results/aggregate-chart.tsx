import { ChartKind, type Row, type Shape } from './aggregate-shape';

const W = 800;
const H = 240;
const PAD = { left: 56, right: 12, top: 10, bottom: 28 };
const MAX_BARS = 60;

export interface AggregateChartProps {
  kind: Exclude<ChartKind, 'table'>;
  rows: readonly Row[];
  shape: Shape;
  timeZone: string;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

function categoryLabel(value: string, shape: Shape, timeZone: string): string {
  if (!shape.isTimeSeries) return value;
  const ms = Number(value);
  if (!Number.isFinite(ms)) return value;
  return new Intl.DateTimeFormat('en-GB', { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

/** Bar, line or pie chart of the first numeric series over the category, as SVG. */
export function AggregateChart(props: AggregateChartProps) {
  const { shape } = props;
  const field = shape.series[0];
  const category = shape.category;
  if (!field || !category) return <p className="muted">These results have no number to chart.</p>;
  const rows = shape.isTimeSeries ? [...props.rows].sort((a, b) => Number(a[category]) - Number(b[category])) : props.rows.slice(0, MAX_BARS);
  const values = rows.map((r) => Number(r[field] ?? 0) || 0);
  const labels = rows.map((r) => categoryLabel(r[category] ?? '', shape, props.timeZone));
  const title = `${props.kind} chart of ${field} by ${category}`;

  if (props.kind === ChartKind.Pie) return <Pie values={values} labels={labels} title={title} />;

  const max = Math.max(0, ...values);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number): number => PAD.top + plotH - (max === 0 ? 0 : (v / max) * plotH);
  const step = plotW / Math.max(1, values.length);
  const labelEvery = Math.max(1, Math.ceil(values.length / 10));
  return (
    <svg className="aggregate-chart" role="img" aria-label={title} viewBox={`0 0 ${W} ${H}`}>
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line className="grid-line" x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} />
          <text className="axis-label" x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end">
            {compact.format(max * f)}
          </text>
        </g>
      ))}
      {props.kind === ChartKind.Bar ? (
        values.map((v, i) => (
          <rect key={i} className="chart-bar" x={PAD.left + i * step + step * 0.15} width={step * 0.7} y={y(v)} height={PAD.top + plotH - y(v)}>
            <title>{`${labels[i]}: ${v}`}</title>
          </rect>
        ))
      ) : (
        <polyline className="chart-line" points={values.map((v, i) => `${PAD.left + i * step + step / 2},${y(v)}`).join(' ')} />
      )}
      {labels.map((l, i) =>
        i % labelEvery === 0 ? (
          <text key={i} className="axis-label" x={PAD.left + i * step + step / 2} y={H - 8} textAnchor="middle">
            {l.length > 14 ? `${l.slice(0, 13)}…` : l}
          </text>
        ) : null,
      )}
    </svg>
  );
}

const PIE_SLICES = 8;

function Pie(props: { values: number[]; labels: string[]; title: string }) {
  const pairs = props.values.map((v, i) => ({ v, label: props.labels[i] ?? '' })).sort((a, b) => b.v - a.v);
  const shown = pairs.slice(0, PIE_SLICES);
  const rest = pairs.slice(PIE_SLICES).reduce((s, p) => s + p.v, 0);
  if (rest > 0) shown.push({ v: rest, label: 'other' });
  const total = shown.reduce((s, p) => s + p.v, 0) || 1;
  let angle = -Math.PI / 2;
  const r = 100;
  const cx = 120;
  const cy = 120;
  return (
    <svg className="aggregate-chart pie" role="img" aria-label={props.title} viewBox={`0 0 ${W} ${H}`}>
      {shown.map((p, i) => {
        const sweep = (p.v / total) * Math.PI * 2;
        const a0 = angle;
        angle += sweep;
        const large = sweep > Math.PI ? 1 : 0;
        const d =
          shown.length === 1
            ? `M ${cx - r} ${cy} a ${r} ${r} 0 1 0 ${2 * r} 0 a ${r} ${r} 0 1 0 ${-2 * r} 0`
            : `M ${cx} ${cy} L ${cx + r * Math.cos(a0)} ${cy + r * Math.sin(a0)} A ${r} ${r} 0 ${large} 1 ${cx + r * Math.cos(angle)} ${cy + r * Math.sin(angle)} Z`;
        return (
          <g key={p.label}>
            <path className={`pie-slice s${i % 9}`} d={d}>
              <title>{`${p.label}: ${p.v}`}</title>
            </path>
            <rect className={`pie-slice s${i % 9}`} x={270} y={20 + i * 22} width={12} height={12} />
            <text className="axis-label legend" x={290} y={31 + i * 22}>
              {`${p.label} — ${p.v.toLocaleString()} (${Math.round((p.v / total) * 100)}%)`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
