/** Entry points: runQuery (streaming) and collectQuery (rows + ordered field list). */
import type { Query } from '../ast.js';
import { AppError, ErrorCode } from '../../core/errors.js';
import { compileQuery } from './compile.js';
import type { QueryContext } from './stage.js';
import { orderedKeys, type Row } from './values.js';

/**
 * Runs a query over rows, streaming the results. Memory stays bounded for pipelines without
 * aggregates or sorts. Throws an AppError (`bad_request`, diagnostics in `details`) when the
 * query cannot run; call `compileQuery` first to get those diagnostics as data.
 */
export function runQuery(query: Query, input: AsyncIterable<Row> | Iterable<Row>, ctx: QueryContext): AsyncIterable<Row> {
  const compiled = compileQuery(query, ctx);
  if (!compiled.ok) {
    throw new AppError(ErrorCode.BadRequest, compiled.error.map((d) => d.message).join('; '), { details: { diagnostics: compiled.error } });
  }
  return compiled.value.run(input);
}

/** Collected results. `fields` is the column order: records keep the query's order; for
 * messages user fields come first (in order of creation), then the system `_` fields. */
export interface QueryResult {
  rows: Row[];
  fields: string[];
  aggregated: boolean;
}

/** Orders the field names seen in `rows` (first-seen order; messages: user fields first). */
export function orderFields(rows: readonly Row[], aggregated: boolean): string[] {
  const seen = new Set<string>();
  const order: string[] = [];
  for (const r of rows) {
    for (const k of orderedKeys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      order.push(k);
    }
  }
  if (aggregated) return order;
  return [...order.filter((k) => !k.startsWith('_')), ...order.filter((k) => k.startsWith('_'))];
}

/** Runs a query to completion. */
export async function collectQuery(query: Query, input: AsyncIterable<Row> | Iterable<Row>, ctx: QueryContext): Promise<QueryResult> {
  const compiled = compileQuery(query, ctx);
  if (!compiled.ok) {
    throw new AppError(ErrorCode.BadRequest, compiled.error.map((d) => d.message).join('; '), { details: { diagnostics: compiled.error } });
  }
  const rows: Row[] = [];
  for await (const r of compiled.value.run(input)) rows.push(r);
  return { rows, fields: orderFields(rows, compiled.value.aggregated), aggregated: compiled.value.aggregated };
}
