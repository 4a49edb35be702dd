/** Accumulators of the aggregate functions (count, sum, avg, pct, …). */
import { groupKeyPart, toNumber, toText, type Row, type Value } from '../values.js';
import { nearestRankPercentile } from './percentile.js';
import type { Accumulator } from './types.js';

function first(args: readonly Value[]): Value {
  const v = args[0];
  return v === undefined ? null : v;
}

/** count / count(x): counts rows, or rows where x is not null and not boolean false. */
export function countAcc(hasArg: boolean): Accumulator {
  let n = 0;
  return {
    add(args) {
      if (!hasArg) {
        n++;
        return;
      }
      const v = first(args);
      if (v !== null && v !== false) n++;
    },
    result: () => [n],
  };
}

/** Exact count of distinct non-null values (Sumo switches to an approximation above 100). */
export function countDistinctAcc(): Accumulator {
  const seen = new Set<string>();
  return {
    add(args) {
      const v = first(args);
      if (v !== null) seen.add(groupKeyPart(v));
    },
    result: () => [seen.size],
  };
}

/** sum/avg/min/max/stddev share numeric filtering: non-numeric values are skipped. */
export function sumAcc(): Accumulator {
  let sum = 0;
  let n = 0;
  return {
    add(args) {
      const x = toNumber(first(args));
      if (x === null) return;
      sum += x;
      n++;
    },
    result: () => [n === 0 ? null : sum],
  };
}

export function avgAcc(): Accumulator {
  let sum = 0;
  let n = 0;
  return {
    add(args) {
      const x = toNumber(first(args));
      if (x === null) return;
      sum += x;
      n++;
    },
    result: () => [n === 0 ? null : sum / n],
  };
}

export function minMaxAcc(isMax: boolean): Accumulator {
  let best: number | null = null;
  return {
    add(args) {
      const x = toNumber(first(args));
      if (x === null) return;
      if (best === null || (isMax ? x > best : x < best)) best = x;
    },
    result: () => [best],
  };
}

/** Sample standard deviation (n−1 denominator) by Welford's method; one value → 0. */
export function stddevAcc(): Accumulator {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  return {
    add(args) {
      const x = toNumber(first(args));
      if (x === null) return;
      n++;
      const d = x - mean;
      mean += d / n;
      m2 += d * (x - mean);
    },
    result: () => [n === 0 ? null : n === 1 ? 0 : Math.sqrt(m2 / (n - 1))],
  };
}

/**
 * Exact percentiles: keeps every numeric value of the group (memory grows with the group;
 * Sumo switches to t-digest above 1,000 points — we stay exact).
 */
export function percentileAcc(percents: readonly number[]): Accumulator {
  const values: number[] = [];
  return {
    add(args) {
      const x = toNumber(first(args));
      if (x !== null) values.push(x);
    },
    result() {
      values.sort((a, b) => a - b);
      return percents.map((p) => nearestRankPercentile(values, p));
    },
  };
}

/** first/last in stream order (nulls are skipped). */
export function firstLastAcc(isLast: boolean): Accumulator {
  let value: Value = null;
  let seen = false;
  return {
    add(args) {
      const v = first(args);
      if (v === null) return;
      if (isLast || !seen) value = v;
      seen = true;
    },
    result: () => [value],
  };
}

/** most_recent / least_recent by `_messageTime` (ties: the first seen wins). */
export function recentAcc(mostRecent: boolean): Accumulator {
  let value: Value = null;
  let at: number | null = null;
  return {
    add(args, row: Row) {
      const v = first(args);
      if (v === null) return;
      const t = toNumber(row._messageTime ?? null) ?? 0;
      if (at === null || (mostRecent ? t > at : t < at)) {
        at = t;
        value = v;
      }
    },
    result: () => [value],
  };
}

/**
 * values(f): the distinct non-null values, in order of first appearance, rendered as a JSON
 * array of strings (our choice of representation; at most 10,000 kept per group).
 */
export function valuesAcc(): Accumulator {
  const seen = new Map<string, string>();
  return {
    add(args) {
      const v = first(args);
      if (v === null || seen.size >= 10_000) return;
      const key = groupKeyPart(v);
      if (!seen.has(key)) seen.set(key, toText(v) ?? '');
    },
    result: () => [JSON.stringify([...seen.values()])],
  };
}

