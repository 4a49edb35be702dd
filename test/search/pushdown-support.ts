/**
 * Shared by the pushdown tests: store rows in a real chDB store and run a search job both ways —
 * pushed down, and the reference (interpreter over store.scan) — on the same rows.
 */
import { expect } from 'vitest';
import type { Query } from '../../src/query/ast.js';
import { buildInputRows, caseContext, type ConformanceCase } from '../conformance/query/cases.js';
import type { Row } from '../../src/query/interpreter/index.js';
import { toText } from '../../src/query/interpreter/values.js';
import { silentLogger } from '../../src/core/logger.js';
import { SearchJob } from '../../src/search/search-job.js';
import type { SliceOptions } from '../../src/search/pushdown/slices.js';
import type { LogStore } from '../../src/store/log-store.js';
import { encodeContext, encodeRow, type EncodedBatch } from '../../src/store/row-encoding.js';

const META = new Set(['_raw', '_messageTime', '_receiptTime', '_sourceCategory', '_sourceHost', '_sourceName', '_index', '_collector', '_source']);

/** Encodes test rows for append: metadata to columns, other fields to the fields map (as text). */
export function encodeRows(rows: readonly Row[], collector: string): EncodedBatch {
  let text = '';
  let bytes = 0;
  for (const r of rows) {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(r)) {
      if (META.has(k) || v === null) continue;
      fields[k] = toText(v) ?? '';
    }
    const raw = toText(r._raw ?? '') ?? '';
    const time = Number(r._messageTime ?? 0);
    const ctx = encodeContext({
      receiptTime: Number(r._receiptTime ?? time),
      partition: String(r._index ?? 'default'),
      sourceCategory: String(r._sourceCategory ?? ''),
      sourceHost: String(r._sourceHost ?? ''),
      sourceName: String(r._sourceName ?? ''),
      collector,
      source: String(r._source ?? 'test'),
      fields,
    });
    const size = Buffer.byteLength(raw);
    bytes += size;
    text += encodeRow(time, 'test', size, raw, ctx);
  }
  return { text, lines: rows.length, messageBytes: bytes };
}

/** Restricts a query to one collector (each case's rows carry their own), for both engines alike. */
export function withinCollector(query: Query, collector: string): Query {
  const span = { start: 0, end: 0 };
  const term = {
    kind: 'ScopeFieldMatch' as const,
    span,
    field: { kind: 'FieldName' as const, span, name: '_collector', quoted: false },
    operator: '=' as const,
    value: collector,
    quoted: true,
    hasWildcard: false,
  };
  return { ...query, scope: query.scope === undefined ? term : { kind: 'ScopeAnd', span, operands: [term, query.scope] } };
}

export interface JobResult {
  rows: Row[];
  aggregated: boolean;
  messageCount: number;
  errors: string[];
  histogramTotal: number;
  /** counts per bucket start, oldest first */
  histogram: [number, number][];
}

/** Runs one search job to the end. */
export async function runJob(
  store: LogStore,
  query: Query,
  range: { from: number; to: number; timeZone: string },
  pushdown: boolean,
  slices?: SliceOptions,
  rollupMinRows?: number,
): Promise<JobResult> {
  const job = new SearchJob(
    {
      id: 'test',
      ownerId: 'test',
      queryText: '',
      query,
      ...range,
      byReceiptTime: false,
      maxMessages: 100_000,
      maxRecords: 100_000,
      pushdown,
      ...(slices === undefined ? {} : { slices }),
      ...(rollupMinRows === undefined ? {} : { rollupMinRows }),
    },
    store,
    silentLogger,
  );
  job.start();
  await job.settled();
  const status = job.takeStatus();
  return {
    rows: job.aggregated ? job.records : job.messages,
    aggregated: job.aggregated,
    messageCount: status.messageCount,
    errors: status.pendingErrors,
    histogramTotal: status.histogramBuckets.reduce((n, b) => n + b.count, 0),
    histogram: [...status.histogramBuckets.reduce((m, b) => m.set(b.startTimestamp, (m.get(b.startTimestamp) ?? 0) + b.count), new Map<number, number>())].sort(
      (a, b) => a[0] - b[0],
    ),
  };
}

/** A conformance case's search range (its own, else its rows' times) and zone. */
export function rangeOf(c: ConformanceCase): { from: number; to: number; timeZone: string } {
  const ctx = caseContext(c);
  const times = buildInputRows(c).map((r) => Number(r._messageTime));
  const start = Date.parse(c.start ?? '2024-01-01T00:00:00Z');
  return { from: ctx.from ?? Math.min(start, ...times), to: ctx.to ?? Math.max(start, ...times) + 1, timeZone: ctx.timeZone };
}

/** Stores every case's rows in one append, case i under the collector `case-i` (see withinCollector). */
export async function appendCases(store: LogStore, cases: readonly ConformanceCase[]): Promise<void> {
  const all = cases.map((c, i) => encodeRows(buildInputRows(c), `case-${i}`));
  await store.append({ text: all.map((b) => b.text).join(''), lines: all.reduce((n, b) => n + b.lines, 0), messageBytes: 0 });
}

/** Runs a query pushed down (sliced when `slices` is given) and by the interpreter, and checks they agree. */
export async function expectPushedAsInterpreter(
  store: LogStore,
  query: Query,
  range: { from: number; to: number; timeZone: string },
  slices?: SliceOptions,
): Promise<void> {
  const reference = await runJob(store, query, range, false);
  const pushed = await runJob(store, query, range, true, slices);
  expect(pushed.errors).toEqual([]);
  expect(pushed.rows).toEqual(reference.rows);
  expect(pushed.messageCount).toBe(reference.messageCount);
  expect(pushed.histogram).toEqual(reference.histogram);
}
