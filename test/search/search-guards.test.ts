/**
 * Guards: engine limits end a search with a clear error (the time and row limits hold for the
 * search as a whole), cancellation ends it quietly, and a heavy search over everything runs as time
 * slices: it holds up ingest or another search by about one slice, and a cancel frees the engine
 * at the next slice.
 */
import { raw } from '../../src/query/sql/tree.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { parseQuery } from '../../src/query/index.js';
import { JobState, SearchJob, type SearchJobSpec } from '../../src/search/search-job.js';
import type { LogStore } from '../../src/store/log-store.js';
import { encodeRows } from './pushdown-support.js';
import { openTempStore, type TempStore } from '../support/temp-store.js';

const T0 = Date.UTC(2026, 2, 1);
const ROWS = 200_000;

function spec(query: string, extra: Partial<SearchJobSpec> = {}): SearchJobSpec {
  return {
    id: 'g',
    ownerId: 'g',
    queryText: query,
    query: parseQuery(query).query!,
    from: T0,
    to: T0 + 86_400_000,
    timeZone: 'UTC',
    byReceiptTime: false,
    maxMessages: 100_000,
    maxRecords: 100_000,
    ...extra,
  };
}

describe('search guards', () => {
  let temp: TempStore;
  let store: LogStore;
  beforeAll(async () => {
    temp = await openTempStore('guards');
    store = temp.store;
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      _raw: `GET /item/${i % 977} status=${i % 7 === 0 ? 500 : 200} user=u${i % 131} latency_ms=${i % 1000} ${'lorem ipsum '.repeat(4)}`,
      _messageTime: T0 + Math.floor((i * 86_400_000) / ROWS),
      _sourceCategory: i % 2 ? 'prod/web' : 'prod/api',
      _sourceHost: `h${i % 50}`,
    }));
    await store.append(encodeRows(rows, 'guards'));
  }, 120_000);
  afterAll(async () => {
    await temp.dispose();
  });

  it('ends a search that would read too many rows with a clear error', async () => {
    const job = new SearchJob(spec('status | count by _sourceHost', { querySettings: { max_rows_to_read: 1000 } }), store, silentLogger);
    job.start();
    await job.settled();
    const status = job.takeStatus();
    expect(status.state).toBe(JobState.Done);
    expect(status.pendingErrors).toEqual(['the search would read more rows than allowed; narrow the time range or the query']);
  });

  it('holds a search to the row limit as a whole, not per statement', async () => {
    // 20k-row slices: each statement reads well under the limit, the whole search well over it.
    const slicing = { rows: 20_000, targetMs: 0 };
    const limited = { querySettings: { max_rows_to_read: 120_000 }, slices: slicing };
    const tooMany = ['the search would read more rows than allowed; narrow the time range or the query'];
    for (const query of ['* | count by _sourceHost', 'lorem']) {
      const job = new SearchJob(spec(query, { id: `budget ${query}`, ...limited }), store, silentLogger);
      job.start();
      await job.settled();
      expect(job.takeStatus().pendingErrors, query).toEqual(tooMany);
      // The same search with room for every row finishes.
      const roomy = new SearchJob(spec(query, { id: `roomy ${query}`, querySettings: { max_rows_to_read: 10 * ROWS }, slices: slicing }), store, silentLogger);
      roomy.start();
      await roomy.settled();
      expect(roomy.takeStatus().pendingErrors, query).toEqual([]);
      expect(roomy.aggregated ? roomy.records.length : roomy.messages.length, query).toBe(query === 'lorem' ? 100_000 : 50); // a message search stops at maxMessages
    }
  });

  it('cancels quietly', async () => {
    const job = new SearchJob(spec('lorem'), store, silentLogger);
    job.start();
    job.cancel();
    await job.settled();
    const status = job.takeStatus();
    expect(status.state).toBe(JobState.Cancelled);
    expect(status.pendingErrors).toEqual([]);
  });

  // The heavy search of the next two tests: a regex, percentiles and distinct raw messages over every row.
  const HEAVY = '* | parse regex "user=(?<user>[a-z0-9]+) latency_ms=(?<l>\\\\d+)" | pct(l, 50, 90, 99), count_distinct(_raw) by user';
  /** Small slices so the 200k rows split into about 10 statements. */
  const slices = { rows: 20_000, targetMs: 0 };
  /** How long the heavy search holds the engine as one statement (measured by the first test). */
  let wholeMs = 0;

  it('runs a heavy search as time slices, so ingest acknowledgements and a small search wait at most about one slice', async () => {
    // Alone, as one statement: how long the engine is held without slicing.
    const whole = new SearchJob(spec(HEAVY, { id: 'whole' }), store, silentLogger);
    let t = performance.now();
    whole.start();
    await whole.settled();
    wholeMs = performance.now() - t;
    expect(whole.records.length).toBe(131);

    const heavy = new SearchJob(spec(HEAVY, { id: 'heavy', slices }), store, silentLogger);
    t = performance.now();
    heavy.start();
    const appendTimes: number[] = [];
    const searchTimes: number[] = [];
    let round = 0;
    while (heavy.isRunning || round < 3) {
      const a = performance.now();
      await store.append(encodeRows([{ _raw: `late ${round}`, _messageTime: T0 + 1000 + round, _sourceCategory: 'late', _sourceHost: 'h' }], 'guards'));
      appendTimes.push(performance.now() - a);
      const s = performance.now();
      const small = new SearchJob(spec('_sourceCategory=late late', { id: `small${round}` }), store, silentLogger);
      small.start();
      await small.settled();
      expect(small.messages.length).toBe(round + 1);
      searchTimes.push(performance.now() - s);
      round++;
    }
    await heavy.settled();
    const heavyMs = performance.now() - t;
    expect(heavy.takeStatus().pendingErrors).toEqual([]);
    // Same answer as the single statement.
    expect(heavy.records).toEqual(whole.records);
    console.log(
      `heavy search alone ${wholeMs.toFixed(0)} ms, sliced ${heavyMs.toFixed(0)} ms; meanwhile appends ${appendTimes.map((x) => x.toFixed(0)).join(', ')} ms, small searches ${searchTimes.map((x) => x.toFixed(0)).join(', ')} ms`,
    );
    // The bound: a slice is about a tenth of the whole; waiting for one (plus the small work) stays
    // well under the whole search, which a single statement would make everyone wait for.
    expect(round).toBeGreaterThan(3);
    expect(Math.max(...appendTimes)).toBeLessThan(Math.max(500, wholeMs / 2));
    expect(Math.max(...searchTimes)).toBeLessThan(Math.max(1500, wholeMs * 0.75));
  }, 120_000);

  it('holds a sliced search to the query time limit as a whole, not per slice', async () => {
    const job = new SearchJob(spec(HEAVY, { id: 'deadline', slices: { rows: 2_000, targetMs: 0 }, querySettings: { max_execution_time: 1 } }), store, silentLogger);
    const t = performance.now();
    job.start();
    await job.settled();
    const status = job.takeStatus();
    expect(status.pendingErrors).toEqual(['the search took longer than the query time limit; narrow the time range or the query']);
    // About 100 slices of tens of ms each would take several seconds: the limit stopped it.
    expect(performance.now() - t).toBeLessThan(Math.max(3000, wholeMs * 2));
  }, 120_000);

  it('stops the engine work of a cancelled search at the next slice and drops its staged rows', async () => {
    const heavy = new SearchJob(spec(HEAVY, { id: 'cancelme', slices }), store, silentLogger);
    const t = performance.now();
    heavy.start();
    await new Promise((r) => setTimeout(r, 200));
    heavy.cancel();
    await heavy.settled();
    // The store is free again at once: the next statement does not wait for the rest of the search.
    const a = performance.now();
    await store.append(encodeRows([{ _raw: 'after cancel', _messageTime: T0 + 5000, _sourceCategory: 'late', _sourceHost: 'h' }], 'guards'));
    const appendMs = performance.now() - a;
    const settledMs = a - t;
    console.log(`cancelled after 200 ms: settled at ${settledMs.toFixed(0)} ms, next append ${appendMs.toFixed(0)} ms`);
    expect(heavy.takeStatus().state).toBe(JobState.Cancelled);
    // A single statement would hold the engine for the rest of the search (most of wholeMs).
    expect(wholeMs).toBeGreaterThan(0);
    expect(appendMs).toBeLessThan(Math.max(100, wholeMs / 4));
    const left: Record<string, unknown>[] = [];
    for await (const batch of store.select(raw("SELECT name FROM system.tables WHERE is_temporary AND name LIKE 'quarry_stage_%'"))) left.push(...batch);
    expect(left).toEqual([]);
  }, 120_000);
});
