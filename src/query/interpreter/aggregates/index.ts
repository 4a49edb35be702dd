/** The aggregate function table: name → output names + accumulator factory. */
import { formatNumber } from '../values.js';
import {
  avgAcc,
  countAcc,
  countDistinctAcc,
  firstLastAcc,
  minMaxAcc,
  percentileAcc,
  recentAcc,
  stddevAcc,
  sumAcc,
  valuesAcc,
} from './accumulators.js';
import type { AggregateSpec } from './types.js';

export type { Accumulator, AggregateSpec } from './types.js';
export { nearestRankPercentile } from './percentile.js';

/** Canonical aggregate names, synonyms mapped (`percentile` → `pct`, `average` → `avg`). */
export const AGGREGATE_SYNONYMS: Readonly<Record<string, string>> = {
  percentile: 'pct',
  average: 'avg',
  countdistinct: 'count_distinct',
  mostrecent: 'most_recent',
  leastrecent: 'least_recent',
  stdev: 'stddev',
};

const SIMPLE: Readonly<Record<string, { output: string; make: () => AggregateSpec['create'] }>> = {
  count_distinct: { output: '_count_distinct', make: () => countDistinctAcc },
  sum: { output: '_sum', make: () => sumAcc },
  avg: { output: '_avg', make: () => avgAcc },
  min: { output: '_min', make: () => () => minMaxAcc(false) },
  max: { output: '_max', make: () => () => minMaxAcc(true) },
  stddev: { output: '_stddev', make: () => stddevAcc },
  first: { output: '_first', make: () => () => firstLastAcc(false) },
  last: { output: '_last', make: () => () => firstLastAcc(true) },
  most_recent: { output: '_most_recent', make: () => () => recentAcc(true) },
  least_recent: { output: '_least_recent', make: () => () => recentAcc(false) },
  values: { output: '_values', make: () => valuesAcc },
  median: { output: '_median', make: () => () => percentileAcc([50]) },
};

/** What the evaluator knows about one aggregation call when compiling it. */
export interface AggregateRequest {
  /** lower-cased name as written */
  name: string;
  /** number of value arguments (pct's percent literals excluded) */
  valueArgCount: number;
  /** pct only: the percentiles */
  percents: number[];
  /** the field name of the first argument when it is a plain field (for `_f_pct_95`) */
  argFieldName: string | undefined;
  alias: string | undefined;
}

/** Compiles an aggregation, or explains why not (an expected error, returned as text). */
export function compileAggregate(req: AggregateRequest): { ok: true; spec: AggregateSpec } | { ok: false; message: string } {
  const name = AGGREGATE_SYNONYMS[req.name] ?? req.name;
  if (name === 'count') {
    const hasArg = req.valueArgCount > 0;
    return { ok: true, spec: { outputs: [req.alias ?? '_count'], create: () => countAcc(hasArg) } };
  }
  if (name === 'pct') {
    if (req.valueArgCount !== 1 || req.percents.length === 0) {
      return { ok: false, message: 'pct needs a field and at least one percentile: pct(f, 95)' };
    }
    if (req.percents.some((p) => !(p >= 0 && p <= 100))) return { ok: false, message: 'percentiles must be between 0 and 100' };
    const base = req.argFieldName ?? 'value';
    const outputs = req.percents.map((p) =>
      req.alias !== undefined && req.percents.length === 1
        ? req.alias
        : req.alias !== undefined
          ? `${req.alias}_${formatNumber(p)}`
          : `_${base}_pct_${formatNumber(p)}`,
    );
    const percents = [...req.percents];
    return { ok: true, spec: { outputs, create: () => percentileAcc(percents) } };
  }
  const simple = SIMPLE[name];
  if (simple === undefined) return { ok: false, message: `unknown aggregate function ${req.name}` };
  if (req.valueArgCount !== 1) return { ok: false, message: `${req.name} takes exactly one field: ${req.name}(f)` };
  return { ok: true, spec: { outputs: [req.alias ?? simple.output], create: simple.make() } };
}
