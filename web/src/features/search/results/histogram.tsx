import { useMemo, useRef, useState, type PointerEvent } from 'react';
import type { HistogramBucket } from '../../../../../src/protocol/search.js';
import { sumBuckets } from './histogram-buckets';

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

function label(ms: number, timeZone: string, span: number): string {
  const options: Intl.DateTimeFormatOptions =
    span > 12 * 3_600_000
      ? { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : { timeZone, hour: '2-digit', minute: '2-digit', second: span < 600_000 ? '2-digit' : undefined, hourCycle: 'h23' };
  return new Intl.DateTimeFormat('en-GB', options).format(new Date(ms));
}

/** Message counts over the range as SVG bars; dragging across it selects a narrower range. */
export function Histogram(props: HistogramProps) {
  const { from, to } = props;
  const span = Math.max(1, to - from);
  const bars = useMemo(() => sumBuckets(props.buckets), [props.buckets]);
  const max = bars.reduce((m, b) => Math.max(m, b.count), 0);
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
      <svg
        ref={svg}
        role="img"
        aria-label={`Histogram of ${total} messages from ${label(from, props.timeZone, span)} to ${label(to, props.timeZone, span)}; drag, or use the arrow keys and Enter, to narrow the range`}
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
              e.key === 'Home' ? 0 : e.key === 'End' ? bars.length - 1 : at < 0 ? 0 : at + (e.key === 'ArrowRight' ? 1 : -1);
            setHover(bars[Math.min(bars.length - 1, Math.max(0, next))]);
          } else if (e.key === 'Enter' && hover) {
            e.preventDefault();
            props.onNarrow(hover.startTimestamp, hover.startTimestamp + hover.length);
          }
        }}
      >
        {bars.map((b) => {
          const x = ((b.startTimestamp - from) / span) * WIDTH;
          const w = Math.max(1, (b.length / span) * WIDTH - 1);
          const h = max === 0 ? 0 : Math.max(1, (b.count / max) * (HEIGHT - 2));
          const isPicked = hover?.startTimestamp === b.startTimestamp;
          return <rect key={b.startTimestamp} className={isPicked ? 'histogram-bar picked' : 'histogram-bar'} x={x} y={HEIGHT - h} width={w} height={h} />;
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
      <div className="histogram-axis muted" aria-hidden="true">
        <span>{label(from, props.timeZone, span)}</span>
        <span className="histogram-hover">
          {hover ? `${label(hover.startTimestamp, props.timeZone, span)} · ${hover.count.toLocaleString()} message${hover.count === 1 ? '' : 's'}` : ''}
        </span>
        <span>{label(to, props.timeZone, span)}</span>
      </div>
    </div>
  );
}
