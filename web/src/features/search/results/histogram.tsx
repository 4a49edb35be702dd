import { useMemo, useRef, useState, type PointerEvent } from 'react';
import type { HistogramBucket } from '../../../../../src/protocol/search.js';
import { countTicks, formatTick } from '../../charts/axis-ticks';
import { timeLabels } from '../../charts/time-labels';
import { sumBuckets } from './histogram-buckets';
import './histogram.css';

export interface HistogramProps {
  /** Increments as polls delivered them; the same startTimestamp may come back with more. */
  buckets: readonly HistogramBucket[];
  from: number;
  to: number;
  timeZone: string;
  onNarrow: (from: number, to: number) => void;
}

const WIDTH = 1000;
const HEIGHT = 60;
const MIN_DRAG_PX = 4;

/**
 * Message counts over the range as SVG bars under a y-axis of whole-number ticks; dragging across the
 * bars selects a narrower range. The axis is HTML beside the SVG, so the SVG still spans exactly the
 * range and a drag's position maps straight to a time.
 */
export function Histogram(props: HistogramProps) {
  const { from, to } = props;
  const span = Math.max(1, to - from);
  const bars = useMemo(() => sumBuckets(props.buckets), [props.buckets]);
  const max = bars.reduce((m, b) => Math.max(m, b.count), 0);
  // Two intervals: three labels fit the 60 px plot without crowding.
  const { top, ticks } = countTicks(max, 2);
  const labels = useMemo(
    () => timeLabels({ from, to, step: bars[0]?.length, timeZone: props.timeZone }),
    [from, to, bars, props.timeZone],
  );
  const label = (ms: number): string => labels.full(ms);
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ start: number; end: number } | undefined>();
  const [hover, setHover] = useState<HistogramBucket | undefined>();
  // A new range (a narrowed re-run) drops the hover of the old one.
  const [hoverRange, setHoverRange] = useState(`${from}-${to}`);
  if (hoverRange !== `${from}-${to}`) {
    setHoverRange(`${from}-${to}`);
    setHover(undefined);
  }

  const fraction = (event: PointerEvent): number => {
    const box = svg.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
  };
  const timeAt = (f: number): number => Math.round(from + f * span);

  const onUp = (event: PointerEvent): void => {
    if (!drag) return;
    const end = fraction(event);
    setDrag(undefined);
    const width = svg.current?.getBoundingClientRect().width ?? 0;
    if (Math.abs(end - drag.start) * width < MIN_DRAG_PX) return;
    const [a, b] = drag.start < end ? [drag.start, end] : [end, drag.start];
    props.onNarrow(timeAt(a), timeAt(b));
  };

  const total = bars.reduce((s, b) => s + b.count, 0);
  return (
    <div className="histogram" data-bars={bars.length}>
      <div className="histogram-plot">
        <div className="histogram-y-axis muted" aria-hidden="true">
          {ticks.map((t) => (
            <span
              key={t}
              style={{ bottom: `${(t / top) * 100}%` }}
              className={t === 0 ? 'bottom' : t === top ? 'top' : undefined}
            >
              {formatTick(t)}
            </span>
          ))}
        </div>
        <svg
          ref={svg}
          role="img"
          aria-label={`Histogram of ${total} messages from ${label(from)} to ${label(to)}; drag, or use the arrow keys and Enter, to narrow the range`}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            const f = fraction(e);
            setDrag({ start: f, end: f });
          }}
          onPointerMove={(e) => {
            const f = fraction(e);
            if (drag) setDrag({ ...drag, end: f });
            const t = timeAt(f);
            setHover(bars.find((b) => t >= b.startTimestamp && t < b.startTimestamp + b.length));
          }}
          onPointerUp={onUp}
          onPointerLeave={() => setHover(undefined)}
          tabIndex={bars.length > 0 ? 0 : -1}
          onKeyDown={(e) => {
            // Keyboard: arrows pick a bucket (shown like the hover), Enter narrows the range to it.
            const at = hover ? bars.findIndex((b) => b.startTimestamp === hover.startTimestamp) : -1;
            if (e.key === 'ArrowRight' || e.key === 'ArrowLeft' || e.key === 'Home' || e.key === 'End') {
              e.preventDefault();
              const next =
                e.key === 'Home'
                  ? 0
                  : e.key === 'End'
                    ? bars.length - 1
                    : at < 0
                      ? 0
                      : at + (e.key === 'ArrowRight' ? 1 : -1);
              setHover(bars[Math.min(bars.length - 1, Math.max(0, next))]);
            } else if (e.key === 'Enter' && hover) {
              e.preventDefault();
              props.onNarrow(hover.startTimestamp, hover.startTimestamp + hover.length);
            }
          }}
        >
          {ticks
            .filter((t) => t > 0)
            .map((t) => (
              <line
                key={t}
                className="histogram-grid-line"
                x1={0}
                x2={WIDTH}
                y1={HEIGHT - (t / top) * HEIGHT}
                y2={HEIGHT - (t / top) * HEIGHT}
              />
            ))}
          {bars.map((b) => {
            const x = ((b.startTimestamp - from) / span) * WIDTH;
            const w = Math.max(1, (b.length / span) * WIDTH - 1);
            // Scaled to the top tick, so a bar as high as a tick reads as that count.
            const h = b.count === 0 ? 0 : Math.max(1, (b.count / top) * HEIGHT);
            const isPicked = hover?.startTimestamp === b.startTimestamp;
            return (
              <rect
                key={b.startTimestamp}
                className={isPicked ? 'histogram-bar picked' : 'histogram-bar'}
                x={x}
                y={HEIGHT - h}
                width={w}
                height={h}
              />
            );
          })}
          {drag && (
            <rect
              className="histogram-selection"
              x={Math.min(drag.start, drag.end) * WIDTH}
              y={0}
              width={Math.abs(drag.end - drag.start) * WIDTH}
              height={HEIGHT}
            />
          )}
        </svg>
      </div>
      <div className="histogram-axis muted" aria-hidden="true">
        <span>{label(from)}</span>
        <span className="histogram-hover">
          {hover
            ? `${label(hover.startTimestamp)} · ${hover.count.toLocaleString()} message${hover.count === 1 ? '' : 's'}`
            : ''}
        </span>
        <span>{label(to)}</span>
      </div>
    </div>
  );
}
