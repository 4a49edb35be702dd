import { describe, expect, it } from 'vitest';
import { parseQuery } from '../parser/index.js';
import type { Sql } from '../sql/tree.js';
import { capabilitiesFor } from './capabilities.js';
import { planQuery } from './plan.js';
import { histogramSql, messagePageSql, messageTiesSql } from './statements.js';

/** Every text chunk of a tree, aggregate and comparison arguments included. */
function texts(tree: Sql): string[] {
  return tree.chunks.flatMap((c) => {
    if (c.kind === 'text') return [c.text];
    if (c.kind === 'aggregate') return c.arg === undefined ? [] : texts(c.arg);
    if (c.kind === 'timeCompare') return texts(c.ms);
    return [];
  });
}

/**
 * The planner names the table layout — its time columns' type, its map of custom fields — only
 * through layout chunks, which the store's dialect spells (a store on an older engine lays the
 * table out differently). Written as text, a layout function would reach every engine as it is.
 */
const LAYOUT_TEXT = /toUnixTimestamp64Milli|fromUnixTimestamp64Milli|mapContains|mapKeys|fields\[/;

describe('the planner and the table layout', () => {
  const caps = capabilitiesFor({ engine: 'chdb', version: '26.7' });
  const range = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 8), timeZone: 'UTC', caps };
  const queries = [
    'error',
    '_sourceCategory=prod/* status=500 timeout',
    '* | parse regex "user=(?<user>[a-z]+)" | where user = "bob" | count by user',
    '* | timeslice 1m | count by _timeslice, team',
    '* | avg(latency), pct(latency, 95) by _sourceHost',
    '* | top 5 url',
  ];
  for (const text of queries) {
    for (const byReceiptTime of [false, true]) {
      it(`${text} (by ${byReceiptTime ? 'receipt' : 'message'} time)`, () => {
        const plan = planQuery(parseQuery(text).query!, { ...range, byReceiptTime, minuteCounts: true });
        const statements = [plan.where, messagePageSql(plan, 100, range.to), messageTiesSql(plan, range.from), histogramSql(plan, 3_600_000, 'UTC', range.from, range.to)];
        if (plan.aggregate) statements.push(plan.aggregate.statement);
        for (const statement of statements) expect(texts(statement).join('')).not.toMatch(LAYOUT_TEXT);
      });
    }
  }
});
