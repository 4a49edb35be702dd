/**
 * The five queries of bench:search (and bench:scale) over a corpus: each query's text for the
 * Search Job API, the SQL an expert would write for the same answer on chDB's table, and how the
 * two answers are compared.
 */
import { clickhouseDialect } from '../src/query/sql/dialect.js';
import { param, sql as sqlTree } from '../src/query/sql/tree.js';
import { textIndexPredicate } from '../src/store/chdb/text-index.js';

type TextIndexKind = Parameters<typeof textIndexPredicate>[1];

export type MapRow = Record<string, string>;

/** One Search Job API run: its time, the job's message count and its records or messages. */
export interface ApiRun {
  ms: number;
  messageCount: number;
  rows: MapRow[];
}

export interface Query {
  name: string;
  query: string;
  from: number;
  to: number;
  aggregate: boolean;
  firstMessages?: number;
  sql: () => { text: string; params: Record<string, unknown> };
  /**
   * The same answer as an expert would write it against the table's per-minute counts (the
   * `minute_counts` projection; whole-minute ranges only). Reported beside the table, not judged.
   */
  sqlOverCounts?: () => { text: string; params: Record<string, unknown> };
  /** The API answer as comparable text, and the same from SQL rows. */
  fromApi: (run: ApiRun) => string;
  fromSql: (rows: Record<string, unknown>[]) => string;
  target: string;
}

export const day = 24 * 3600 * 1000;
export const range = (from: number, to: number): { text: string; params: Record<string, unknown> } => ({
  text: 'ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})',
  params: { from, to },
});
/** A whole-minute range as the per-minute counts are keyed (from/to in ms, multiples of a minute). */
const minutes = "toStartOfMinute(ts) >= toDateTime(intDiv({from:Int64}, 1000), 'UTC') AND toStartOfMinute(ts) < toDateTime(intDiv({to:Int64}, 1000), 'UTC')";
/** Word-boundary, case-insensitive (re2 has no lookaround: the boundary characters are consumed). */
const wordRegex = (term: string): string =>
  `(?i)(?:^|[^\\p{L}\\p{N}_])${term.replace(/[\\^$.|?*+()[\]{}-]/g, (c) => `\\${c}`)}(?:$|[^\\p{L}\\p{N}_])`;
/** The index-narrowed form an expert would write against this table (same as the planner's), for the server's text index. */
export function termWhere(term: string, textIndex: TextIndexKind = 'text'): { text: string; params: Record<string, unknown> } {
  const narrowing = textIndexPredicate(term, textIndex);
  const exact = sqlTree`match(message, ${param(wordRegex(term), 'String')})`;
  const { sql: text, params } = clickhouseDialect.render(narrowing === undefined ? exact : sqlTree`${narrowing} AND ${exact}`);
  return { text, params };
}
const sorted = (lines: string[]): string => lines.sort().join('\n');
const num = (v: unknown): string => (Number(v) === Math.round(Number(v)) ? String(Number(v)) : Number(v).toFixed(6));

/** The five queries over a corpus (its time range and needle), with their SQL and answer checks. */
export function searchQueries(
  meta: { timeRange: { startMs: number; endMs: number }; needle: { value: string } },
  textIndex: TextIndexKind = 'text',
): Query[] {
  const { startMs, endMs } = meta.timeRange;
  const needle = meta.needle.value;
  return [
    {
      name: 'Q1 needle (case-insensitive, 7 d)',
      query: `"${needle}"`,
      from: startMs,
      to: endMs,
      aggregate: false,
      sql: () => {
        const r = range(startMs, endMs);
        const t = termWhere(needle, textIndex);
        return { text: `SELECT count() AS n FROM logs WHERE ${r.text} AND ${t.text}`, params: { ...r.params, ...t.params } };
      },
      fromApi: (run) => `count ${run.messageCount}`,
      fromSql: (rows) => `count ${num(rows[0]?.n)}`,
      target: '>= 10x faster than grep -Fic',
    },
    {
      name: 'Q2 keyword + category + 24 h, newest 100',
      query: '_sourceCategory=prod/api timeout',
      from: endMs - day,
      to: endMs,
      aggregate: false,
      firstMessages: 100,
      sql: () => {
        const r = range(endMs - day, endMs);
        const t = termWhere('timeout', textIndex);
        return {
          text: `SELECT toUnixTimestamp64Milli(ts) AS t, message FROM logs WHERE source_category = 'prod/api' AND ${r.text} AND ${t.text}
                 ORDER BY ts DESC LIMIT 100`,
          params: { ...r.params, ...t.params },
        };
      },
      // The newest 100 as a set of (time, message); ties at the 100th time may order either way.
      fromApi: (run) => sorted(run.rows.map((m) => `${m._messagetime} ${m._raw}`)),
      fromSql: (rows) => sorted(rows.map((r) => `${num(r.t)} ${String(r.message)}`)),
      target: '<= 2x SQL',
    },
    {
      name: 'Q3 count by _sourceCategory (7 d)',
      query: '* | count by _sourceCategory',
      from: startMs,
      to: endMs,
      aggregate: true,
      sql: () => {
        const r = range(startMs, endMs);
        return { text: `SELECT source_category AS c, count() AS n FROM logs WHERE ${r.text} GROUP BY c`, params: r.params };
      },
      sqlOverCounts: () => ({ text: `SELECT source_category AS c, count() AS n FROM logs WHERE ${minutes} GROUP BY c`, params: { from: startMs, to: endMs } }),
      fromApi: (run) => sorted(run.rows.map((m) => `${m._sourcecategory} ${m._count}`)),
      fromSql: (rows) => sorted(rows.map((r) => `${String(r.c)} ${num(r.n)}`)),
      target: '<= 1.5x SQL',
    },
    {
      name: 'Q4 timeslice 1m count (24 h)',
      query: '* | timeslice 1m | count by _timeslice',
      from: endMs - day,
      to: endMs,
      aggregate: true,
      sql: () => {
        const r = range(endMs - day, endMs);
        return {
          text: `SELECT intDiv(toUnixTimestamp64Milli(ts), 60000) * 60000 AS s, count() AS n FROM logs WHERE ${r.text} GROUP BY s`,
          params: r.params,
        };
      },
      sqlOverCounts: () => ({
        text: `SELECT toInt64(toUnixTimestamp(toStartOfMinute(ts))) * 1000 AS s, count() AS n FROM logs WHERE ${minutes} GROUP BY s`,
        params: { from: endMs - day, to: endMs },
      }),
      fromApi: (run) => sorted(run.rows.map((m) => `${m._timeslice} ${m._count}`)),
      fromSql: (rows) => sorted(rows.map((r) => `${num(r.s)} ${num(r.n)}`)),
      target: '<= 1.5x SQL',
    },
    {
      name: 'Q5 parse regex, avg + pct 95 by host (7 d)',
      query: '* | parse regex "latency_ms\\W+(?<latency>\\d+)" | avg(latency) as avg_latency, pct(latency, 95) as p95 by _sourceHost',
      from: startMs,
      to: endMs,
      aggregate: true,
      sql: () => {
        const r = range(startMs, endMs);
        // pct is nearest-rank (as the interpreter and Sumo compute it): the ceil(0.95 n)-th smallest value.
        return {
          text: `SELECT h, avg(v) AS a, arrayElement(arraySort(groupArray(v)), toUInt64(ceil(0.95 * count()))) AS p
                 FROM (SELECT source_host AS h, toFloat64(extract(message, 'latency_ms\\\\W+(\\\\d+)')) AS v
                       FROM logs WHERE ${r.text} AND match(message, 'latency_ms\\\\W+\\\\d'))
                 GROUP BY h`,
          params: r.params,
        };
      },
      fromApi: (run) => sorted(run.rows.map((m) => `${m._sourcehost} ${num(m.avg_latency)} ${num(m.p95)}`)),
      fromSql: (rows) => sorted(rows.map((r) => `${String(r.h)} ${num(r.a)} ${num(r.p)}`)),
      target: '<= 1.5x SQL',
    },
  ];
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
