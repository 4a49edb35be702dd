/**
 * Where a query's parts meet: the stages before the first aggregate work on messages, the rest on
 * the records it makes. Pure, so the server, the CLI and the web UI cut a query at the same place.
 */
import type { Query } from './ast.js';

/** Where the stages start reading records: the first aggregate or `top` (-1: never). */
export function firstAggregateAt(query: Query): number {
  return query.stages.findIndex((s) => s.kind === 'Aggregate' || s.kind === 'Top');
}
