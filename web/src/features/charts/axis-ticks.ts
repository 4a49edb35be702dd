/** Round, whole-number ticks for a count axis, and compact tick labels. */

export interface CountTicks {
  /** The axis top (the last tick): bars scale to it so they line up with the ticks. */
  top: number;
  ticks: number[];
}

/** Whole-number ticks from 0 past `max`, at most `maxIntervals` apart steps of 1, 2, 2.5 or 5 × 10ⁿ. */
export function countTicks(max: number, maxIntervals = 3): CountTicks {
  if (!(max > 0)) return { top: 1, ticks: [0, 1] };
  const raw = max / Math.max(1, maxIntervals);
  const power = 10 ** Math.floor(Math.log10(raw));
  // 2.5 only where it stays whole (25, 250 …).
  const factors = power >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10];
  const step = Math.max(1, (factors.find((f) => f * power >= raw) ?? 10) * power);
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, ticks };
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const plain = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/** A tick label: 950, 12K, 1.5M; small fractions keep two decimals. */
export function formatTick(value: number): string {
  return Math.abs(value) >= 10_000 ? compact.format(value) : plain.format(value);
}
