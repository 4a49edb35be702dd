/**
 * Pushdown ≡ interpreter on chDB: the conformance cases (pushdown-differential.case.ts), and
 * compare-with-timeshift over a prefix the SQL ran. The ClickHouse server runs the cases in
 * pushdown-differential-clickhouse*.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseQuery } from '../../src/query/index.js';
import type { Query } from '../../src/query/ast.js';
import { compileQuery, type Row } from '../../src/query/interpreter/index.js';
import { engineContext } from '../../src/search/pushdown/engine-context.js';
import { planQuery } from '../../src/query/plan/plan.js';
import { toRow } from '../../src/search/search-job.js';
import type { LogStore, StoreEngine } from '../../src/store/log-store.js';
import { describePushdownDifferential } from './pushdown-differential.case.js';
import { encodeRows, runJob } from './pushdown-support.js';
import { openTempStore, type TempStore } from '../support/temp-store.js';


describePushdownDifferential('chdb', () => openTempStore('pushdown'));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * compare re-runs the query's prefix over an earlier range: the whole query's scope and every
 * stage before the compare, whatever part of them the SQL ran. The store holds four days of
 * messages, only some of them matching; a shifted run that lost the scope counts them all.
 */
describe('compare with timeshift re-runs the whole query prefix, pushed down or not', () => {
  let temp: TempStore;
  let store: LogStore;
  let engine: StoreEngine;
  const today = Date.UTC(2024, 2, 10);
  const range = { from: today, to: today + 4 * HOUR, timeZone: 'UTC' };
  /** Messages per hour `h` of the day `d` days back: [category, level, user, how many]. */
  type Mix = [string, string, string, number];
  const mix = (d: number, h: number): Mix[] => [
    ['app/api', 'error', 'alice', d + h + 1],
    ['app/api', 'error', 'bob', 2],
    ['app/api', 'info', 'alice', 3],
    ['app/web', 'error', 'alice', 4],
  ];
  const rows: Row[] = [];
  for (let d = 0; d < 4; d++)
    for (let h = 0; h < 4; h++)
      for (const [category, level, user, n] of mix(d, h))
        for (let i = 0; i < n; i++) {
          const time = today - d * DAY + h * HOUR + rows.length * 1000;
          rows.push({ _raw: `${level} user=${user} seq=${rows.length}`, _messageTime: time, _sourceCategory: category, _sourceHost: 'h1' });
        }
  /** How many stored messages of hour `h`, `d` days back, `matches` keeps. */
  const count = (d: number, h: number, matches: (m: Mix) => boolean): number =>
    mix(d, h).filter(matches).reduce((n, m) => n + m[3], 0);

  beforeAll(async () => {
    temp = await openTempStore('compare-timeshift');
    store = temp.store;
    engine = await store.engine();
    await store.append(encodeRows(rows, 'compare'));
  }, 60_000);
  afterAll(async () => {
    await temp.dispose();
  });

  /** The whole query as one interpreter pipeline over store.scan, compare re-running its own prefix. */
  async function interpret(query: Query, r: { from: number; to: number; timeZone: string }): Promise<Row[]> {
    const compiled = compileQuery(query, {
      ...r,
      now: Date.now(),
      runShifted: (shiftMs, prefix) => interpret(prefix, { ...r, from: r.from - shiftMs, to: r.to - shiftMs }),
    });
    if (!compiled.ok) throw new Error(compiled.error.map((d) => d.message).join('; '));
    async function* input(): AsyncGenerator<Row[]> {
      for await (const batch of store.scan({ from: r.from, to: r.to })) yield batch.map(toRow);
    }
    const out: Row[] = [];
    for await (const row of compiled.value.runBatches(input())) out.push(row);
    return out;
  }

  const apiErrors = (m: Mix): boolean => m[0] === 'app/api' && m[1] === 'error';
  const byKeys = (records: readonly Row[]): Row[] =>
    [...records].sort((a, b) => Number(a._timeslice) - Number(b._timeslice) || String(a.user ?? '').localeCompare(String(b.user ?? '')));
  /** One record per hour of the range: the count now and `shifted(h)` in the compare's column. */
  const perHour = (matches: (m: Mix) => boolean, column: string, shifted: (h: number) => number): Row[] =>
    [0, 1, 2, 3].map((h) => ({ _timeslice: today + h * HOUR, _count: count(0, h, matches), [column]: shifted(h) }));
  const CASES: { query: string; expected: () => Row[] }[] = [
    {
      query: 'error | timeslice 1h | count by _timeslice | compare with timeshift 1d',
      expected: () => perHour((m) => m[1] === 'error', '_count_1d', (h) => count(1, h, (m) => m[1] === 'error')),
    },
    {
      query: '_sourceCategory=app/api error | timeslice 1h | count by _timeslice | compare timeshift 1d',
      expected: () => perHour(apiErrors, '_count_1d', (h) => count(1, h, apiErrors)),
    },
    {
      query: '_sourceCategory=app/api error | parse "user=* " as user | where user = "alice" | timeslice 1h | count by _timeslice | compare with timeshift 1d 3 avg',
      expected: () => {
        const alice = (m: Mix): boolean => apiErrors(m) && m[2] === 'alice';
        return perHour(alice, '_count_3d_avg', (h) => (count(1, h, alice) + count(2, h, alice) + count(3, h, alice)) / 3);
      },
    },
    {
      query: '_sourceCategory=app/api | parse regex "^(?<level>\\w+) user=(?<user>\\w+)" | where level = "error" | timeslice 1h | count by _timeslice | compare with timeshift 1d',
      expected: () => perHour(apiErrors, '_count_1d', (h) => count(1, h, apiErrors)),
    },
    // Not cut at the aggregate (the parse after the timeslice): the messages part runs alongside.
    {
      query: '_sourceCategory=app/api error | timeslice 1h | parse "user=* " as user | count by _timeslice, user | compare with timeshift 1d',
      expected: () =>
        [0, 1, 2, 3].flatMap((h) =>
          ['alice', 'bob'].map((user) => {
            const of = (m: Mix): boolean => apiErrors(m) && m[2] === user;
            return { _timeslice: today + h * HOUR, user, _count: count(0, h, of), _count_1d: count(1, h, of) };
          }),
        ),
    },
  ];

  for (const c of CASES) {
    it(c.query, async () => {
      const query = parseQuery(c.query).query!;
      // The scope is the SQL's: what the interpreter runs (plan.rest) has none.
      const plan = planQuery(query, { ...range, byReceiptTime: false, ...engineContext(engine) });
      expect(plan.scopeExact).toBe(true);
      expect(plan.rest.scope).toBeUndefined();
      const expected = byKeys(c.expected());
      expect(byKeys(await interpret(query, range))).toEqual(expected);
      for (const pushdown of [false, true]) {
        const scan = vi.spyOn(store, 'scan');
        const job = await runJob(store, query, range, pushdown);
        const what = `pushdown ${String(pushdown)}`;
        expect(job.errors, what).toEqual([]);
        expect(byKeys(job.rows), what).toEqual(expected);
        // Pushed down, the shifted runs are too: nothing reads every message of a range.
        if (pushdown) expect(scan, what).not.toHaveBeenCalled();
        scan.mockRestore();
      }
    });
  }
});
