/**
 * The rollup form (counts from the store's per-minute counts, rollup.ts) ≡ interpreter: rows on
 * and around minute boundaries in several partitions and categories, searched over ranges that
 * start and end on a minute or inside one, in zones with whole-hour, half-hour and 45-minute
 * offsets and with daylight saving (where a timeslice stays in JS). The store holds only these rows (the rollup form needs a scope
 * on `_index` / `_sourceCategory` alone, so cases cannot be kept apart by collector).
 */
import { clickhouseDialect } from '../../src/query/sql/dialect.js';
import { sql } from '../../src/query/sql/tree.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/query/index.js';
import type { Row } from '../../src/query/interpreter/index.js';
import { parseFixedOffset } from '../../src/query/interpreter/time-zone.js';
import { engineContext } from '../../src/search/pushdown/engine-context.js';
import { explainSearch } from '../../src/search/pushdown/explain.js';
import { planQuery } from '../../src/query/plan/plan.js';
import { ROLLUP_MIN_ROWS, worthRollup } from '../../src/query/plan/rollup.js';
import type { LogStore, StoreEngine } from '../../src/store/log-store.js';
import { compareRows, type ConformanceCase } from '../conformance/query/cases.js';
import { encodeRows, runJob } from './pushdown-support.js';
import { openTempStore, type TempStore } from '../support/temp-store.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 29, 0); // the day Europe/Berlin moves its clocks (01:00 UTC)
const HOURS = 3;

/** Counted by the rollup form (with a minute-counts store). */
const ROLLUP_QUERIES = [
  '* | count',
  '* | count by _sourceCategory',
  '_sourceCategory=prod/* | count by _index',
  '_index=main _sourceCategory=prod/api | count',
  '!_sourceCategory=staging/* | count by _sourceCategory, _index',
  '* | timeslice 1m | count by _timeslice',
  '* | timeslice 5m | count by _timeslice, _sourceCategory | sort by _timeslice asc, _count',
  '_sourceCategory=prod/api OR _index=audit | timeslice 1h | count as n by _timeslice',
  '* | count, count(*) as all by _sourceCategory | sort by all',
  '* | count by _sourceCategory | where _count > 20',
  // A top that counts pushes its count as `count by` and ranks the records in JS.
  '* | top 3 _sourceCategory, _index by count',
];

/** Not counted by the rollup form: each needs something the per-minute counts do not hold. */
const ROW_QUERIES = [
  'error | count by _sourceCategory', // a keyword
  '_sourceHost=web-1 | count', // a field the counts do not group by
  '* | count by _sourceHost',
  '* | timeslice 30s | count by _timeslice', // slices shorter than a minute
  '* | sum(_size) by _sourceCategory', // an aggregate other than count
  '* | count_distinct(_sourceHost) by _sourceCategory',
  '* | parse regex "n=(?<n>\\d+)" | count by n',
];

const RANGES: { name: string; from: number; to: number }[] = [
  { name: 'whole minutes', from: T0, to: T0 + HOURS * 3_600_000 },
  { name: 'partial minutes at both ends', from: T0 + 17 * MINUTE + 12_345, to: T0 + 151 * MINUTE + 59_999 },
  { name: 'starts inside a minute, ends on one', from: T0 + 1, to: T0 + 90 * MINUTE },
  { name: 'ends just after a minute starts', from: T0 + 30 * MINUTE, to: T0 + 100 * MINUTE + 1 },
];

describe('rollup form (per-minute counts) ≡ interpreter', () => {
  let temp: TempStore;
  let store: LogStore;
  let engine: StoreEngine;

  beforeAll(async () => {
    temp = await openTempStore('rollup');
    store = temp.store;
    engine = await store.engine();
    const categories = ['prod/api', 'prod/web', 'staging/api', 'Prod/API'];
    const indexes = ['main', 'audit'];
    // Rows on minute boundaries, a millisecond either side, and in between; some before and after
    // every range; over several appends (several parts), some with the same millisecond.
    for (let batch = 0; batch < 3; batch++) {
      const rows: Row[] = [];
      for (let i = 0; i < 700; i++) {
        const k = i * 3 + batch;
        const minute = (k * 7919) % (HOURS * 60 + 4);
        const within = [0, 1, MINUTE - 1, 12_345, 30_000, 59_998][k % 6] as number;
        rows.push({
          _raw: `${k % 5 === 0 ? 'error' : 'ok'} n=${k}`,
          _messageTime: T0 - 2 * MINUTE + minute * MINUTE + within,
          _sourceCategory: categories[k % categories.length] as string,
          _index: indexes[(k >> 2) % indexes.length] as string,
          _sourceHost: `web-${k % 3}`,
        });
      }
      await store.append(encodeRows(rows, `batch-${batch}`));
    }
  }, 60_000);
  afterAll(async () => {
    await temp.dispose();
  });

  it('the store reports per-minute counts', () => {
    expect(engine.minuteCounts).toBe(true);
  });

  // A timeslice is pushed (and so counted from the rollup) only in fixed-offset zones.
  const zones = ['UTC', '+05:30', '+05:45', 'Europe/Berlin'];
  for (const text of ROLLUP_QUERIES) {
    for (const range of RANGES) {
      it.each(zones)(`${text} — ${range.name} — %s`, async (timeZone) => {
        const query = parseQuery(text).query!;
        const r = { from: range.from, to: range.to, timeZone };
        const plan = planQuery(query, { ...r, byReceiptTime: false, ...engineContext(engine) });
        const pushable = !text.includes('timeslice') || parseFixedOffset(timeZone) !== null;
        expect(plan.aggregate?.rollup ?? false, `${text}: ${plan.stoppedBecause ?? ''}`).toBe(pushable);
        const reference = await runJob(store, query, r, false);
        // Every range counts from the per-minute counts, however few rows it holds.
        const pushed = await runJob(store, query, r, true, undefined, 0);
        expect(pushed.errors).toEqual([]);
        const c = {
          name: text,
          query: text,
          input: [],
          expected: reference.rows,
          ordered: /sort by|top /.test(text),
        } as unknown as ConformanceCase;
        expect(compareRows(c, pushed.rows, true), plan.aggregate === undefined ? '' : clickhouseDialect.render(plan.aggregate.statement).sql).toBeNull();
        expect(pushed.messageCount).toBe(reference.messageCount);
        expect(pushed.histogram).toEqual(reference.histogram);
        expect(reference.messageCount).toBeGreaterThan(0);
      });
    }
  }

  it.each(ROW_QUERIES)('counts %s from the rows', (text) => {
    const plan = planQuery(parseQuery(text).query!, {
      ...RANGES[1]!,
      timeZone: 'UTC',
      byReceiptTime: false,
      ...engineContext(engine),
    });
    expect(plan.aggregate?.rollup ?? false).toBe(false);
  });

  it('counts from the rows without per-minute counts, by receipt time, and over a range without a whole minute', () => {
    const query = parseQuery('* | count by _sourceCategory').query!;
    const range = { ...RANGES[0]!, timeZone: 'UTC' };
    expect(
      planQuery(query, {
        ...range,
        byReceiptTime: false,
        ...engineContext({ ...engine, minuteCounts: false }),
      }).aggregate?.rollup,
    ).toBe(false);
    expect(
      planQuery(query, { ...range, byReceiptTime: true, ...engineContext(engine) }).aggregate?.rollup,
    ).toBe(false);
    const short = { from: T0 + 10 * MINUTE + 5, to: T0 + 11 * MINUTE + 5, timeZone: 'UTC' };
    expect(
      planQuery(query, { ...short, byReceiptTime: false, ...engineContext(engine) }).aggregate?.rollup,
    ).toBe(false);
  });

  it('is used by searches over enough rows: fewer for whole minutes, more with partial minutes to read', () => {
    const whole = { from: T0, to: T0 + 60 * MINUTE };
    const partial = { from: T0 + 1, to: T0 + 60 * MINUTE };
    expect(worthRollup(ROLLUP_MIN_ROWS.wholeMinutes, whole.from, whole.to)).toBe(true);
    expect(worthRollup(ROLLUP_MIN_ROWS.wholeMinutes - 1, whole.from, whole.to)).toBe(false);
    expect(worthRollup(ROLLUP_MIN_ROWS.wholeMinutes, partial.from, partial.to)).toBe(false);
    expect(worthRollup(ROLLUP_MIN_ROWS.partialMinutes, partial.from, partial.to)).toBe(true);
    expect(worthRollup(0, partial.from, partial.to, 0)).toBe(true);
    // Explain decides as a search does.
    const query = parseQuery('* | count by _sourceCategory').query!;
    const explain = (estimatedRows: number) =>
      explainSearch(query, {
        from: T0 + 1,
        to: T0 + 24 * 60 * MINUTE,
        timeZone: 'UTC',
        byReceiptTime: false,
        engine,
        slicing: { estimatedRows, sliceRows: 8_000_000 },
      }).statements[0]!.purpose;
    expect(explain(10_000)).not.toContain('per-minute counts');
    expect(explain(5_000_000)).toContain('per-minute counts');
  });

  it('reads the projection for the whole minutes and the table for the partial ones', async () => {
    const query = parseQuery('* | count by _sourceCategory').query!;
    const plan = planQuery(query, {
      ...RANGES[1]!,
      timeZone: 'UTC',
      byReceiptTime: false,
      ...engineContext(engine),
    });
    const lines: string[] = [];
    for await (const batch of store.select(sql`EXPLAIN ${plan.aggregate!.statement}`))
      lines.push(...batch.map((r) => String(r.explain)));
    const reads = lines.filter((l) => l.includes('ReadFromMergeTree')).map((l) => l.trim());
    expect(
      reads.some((l) => l.includes('(minute_counts)')),
      reads.join('\n'),
    ).toBe(true);
    expect(
      reads.some((l) => l.includes('(default.logs)')),
      reads.join('\n'),
    ).toBe(true);
  });
});
