/**
 * Pipeline operators, aggregate functions and the operators of later issues. Plain data tables shared
 * by the parser (dispatch, did-you-mean) and the interpreter.
 */

/** How an operator relates to aggregation (see sumo-logic.md §0). */
export const OperatorKind = {
  /** Row in, zero or more rows out (parse, where, fields …). */
  PerMessage: 'per-message',
  /** Groups rows into records (count, sum … and top). */
  Aggregate: 'aggregate',
  /** Works on the record stream after an aggregate (transpose, compare, accum …). */
  PostAggregate: 'post-aggregate',
  /** Either before or after aggregation (sort, limit, where, fields …). */
  Any: 'any',
} as const;
export type OperatorKind = (typeof OperatorKind)[keyof typeof OperatorKind];

export interface OperatorInfo {
  kind: OperatorKind;
  /** Synonym of another operator (`order` → `sort`, `extract` → `parse regex`, `kv` → `keyvalue`). */
  synonymOf?: string;
}

/** Operators Quarry parses into dedicated stage nodes (lower-case names). */
export const OPERATORS: ReadonlyMap<string, OperatorInfo> = new Map<string, OperatorInfo>([
  ['parse', { kind: 'per-message' }],
  ['extract', { kind: 'per-message', synonymOf: 'parse regex' }],
  ['json', { kind: 'per-message' }],
  ['kv', { kind: 'per-message', synonymOf: 'keyvalue' }],
  ['keyvalue', { kind: 'per-message' }],
  ['csv', { kind: 'per-message' }],
  ['split', { kind: 'per-message' }],
  ['where', { kind: 'any' }],
  ['if', { kind: 'any' }],
  ['fields', { kind: 'any' }],
  ['limit', { kind: 'any' }],
  ['dedup', { kind: 'any' }],
  ['timeslice', { kind: 'per-message' }],
  ['sort', { kind: 'any' }],
  ['order', { kind: 'any', synonymOf: 'sort' }],
  ['top', { kind: 'aggregate' }],
  ['transpose', { kind: 'post-aggregate' }],
  ['fillmissing', { kind: 'post-aggregate' }],
  ['accum', { kind: 'post-aggregate' }],
  ['total', { kind: 'post-aggregate' }],
  ['diff', { kind: 'post-aggregate' }],
  ['backshift', { kind: 'post-aggregate' }],
  ['smooth', { kind: 'post-aggregate' }],
  ['rollingstd', { kind: 'post-aggregate' }],
  ['compare', { kind: 'post-aggregate' }],
  ['predict', { kind: 'post-aggregate' }],
  ['outlier', { kind: 'post-aggregate' }],
]);

export interface AggregateInfo {
  minArgs: number;
  maxArgs: number;
  /** Default output field (`_count`); pct writes `_<field>_pct_<p>` instead. */
  output: string;
  synonymOf?: string;
  /** Accepts arguments without parentheses (`count_frequent a, b`, `count x`). */
  bareArgs?: boolean;
}

const V = Number.POSITIVE_INFINITY;

/** Aggregate functions usable in an aggregate stage (lower-case names). */
export const AGGREGATES: ReadonlyMap<string, AggregateInfo> = new Map<string, AggregateInfo>([
  ['count', { minArgs: 0, maxArgs: 1, output: '_count' }],
  ['count_distinct', { minArgs: 1, maxArgs: 1, output: '_count_distinct' }],
  ['count_frequent', { minArgs: 1, maxArgs: V, output: '_approxcount', bareArgs: true }],
  ['sum', { minArgs: 1, maxArgs: 1, output: '_sum' }],
  ['avg', { minArgs: 1, maxArgs: 1, output: '_avg' }],
  ['average', { minArgs: 1, maxArgs: 1, output: '_avg', synonymOf: 'avg' }],
  ['min', { minArgs: 1, maxArgs: 1, output: '_min' }],
  ['max', { minArgs: 1, maxArgs: 1, output: '_max' }],
  ['pct', { minArgs: 1, maxArgs: V, output: '_pct' }],
  ['percentile', { minArgs: 1, maxArgs: V, output: '_pct', synonymOf: 'pct' }],
  // `median as x` with no argument follows Sumo's `infer` operator (curated CloudTrail query).
  ['median', { minArgs: 0, maxArgs: 1, output: '_median' }],
  ['stddev', { minArgs: 1, maxArgs: 1, output: '_stddev' }],
  ['first', { minArgs: 1, maxArgs: 1, output: '_first' }],
  ['last', { minArgs: 1, maxArgs: 1, output: '_last' }],
  ['most_recent', { minArgs: 1, maxArgs: 1, output: '_most_recent' }],
  ['least_recent', { minArgs: 1, maxArgs: 1, output: '_least_recent' }],
  ['values', { minArgs: 1, maxArgs: 1, output: '_values' }],
  ['topk', { minArgs: 2, maxArgs: V, output: '_topk' }],
]);

/**
 * Operators of later issues: they parse as `Unsupported` stages (arguments skipped up to the next
 * top-level `|`) with diagnostic Q3001. Multi-word names are matched first (`parse xml`).
 */
export const UNSUPPORTED_OPERATORS: readonly string[] = [
  'lookup',
  'save',
  'logreduce',
  'logcompare',
  'logexplain',
  'join',
  'withtime',
  'infer',
  'transactionize',
  'transaction',
  'sessionize',
  'trace',
  'filter',
  'subquery',
  'compose',
  'threatip',
  'threatlookup',
  'geoip',
  'details',
  'merge',
  'parse xml',
  'parsexml',
  'xml',
  'cat',
  'tail',
  'bin',
  'macro',
  'timecompare',
  'rename',
];

/** Look-ups, case-insensitive. */
export function findOperator(name: string): OperatorInfo | undefined {
  return OPERATORS.get(name.toLowerCase());
}
export function findAggregate(name: string): AggregateInfo | undefined {
  return AGGREGATES.get(name.toLowerCase());
}
export function isUnsupportedOperator(name: string): boolean {
  return UNSUPPORTED_OPERATORS.includes(name.toLowerCase());
}
