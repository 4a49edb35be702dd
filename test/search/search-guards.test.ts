/**
 * Guards: per-statement engine limits end a search with a clear error, cancellation ends it
 * quietly, and a heavy search over everything does not hold up ingest or another search.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { parseQuery } from '../../src/query/index.js';
import { JobState, SearchJob, type SearchJobSpec } from '../../src/search/search-job.js';
import { createChdbLogStore } from '../../src/store/chdb/chdb-log-store.js';
import type { LogStore } from '../../src/store/log-store.js';
import { encodeRows } from './pushdown-support.js';

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
  let dir: string;
  let store: LogStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quarry-guards-'));
    store = createChdbLogStore({ path: join(dir, 'logs') });
    await store.open();
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      _raw: `GET /item/${i % 977} status=${i % 7 === 0 ? 500 : 200} user=u${i % 131} latency_ms=${i % 1000} ${'lorem ipsum '.repeat(4)}`,
      _messageTime: T0 + Math.floor((i * 86_400_000) / ROWS),
      _sourceCategory: i % 2 ? 'prod/web' : 'prod/api',
      _sourceHost: `h${i % 50}`,
    }));
    await store.append(encodeRows(rows, 'guards'));
  }, 120_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends a search that would read too many rows with a clear error', async () => {
    const job = new SearchJob(spec('status | count by _sourceHost', { querySettings: { max_rows_to_read: 1000 } }), store, silentLogger);
    job.start();
    await job.settled();
    const status = job.takeStatus();
    expect(status.state).toBe(JobState.Done);
    expect(status.pendingErrors).toEqual(['the search would read more rows than allowed; narrow the time range or the query']);
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

  it('keeps ingest acknowledgements and a small search within 3 s while a heavy search scans everything', async () => {
    const heavy = new SearchJob(
      spec('* | parse regex "user=(?<user>[a-z0-9]+) latency_ms=(?<l>\\\\d+)" | pct(l, 50, 90, 99), count_distinct(_raw) by user'),
      store,
      silentLogger,
    );
    heavy.start();
    const appendTimes: number[] = [];
    const searchTimes: number[] = [];
    let round = 0;
    while (heavy.isRunning || round < 3) {
      const t = performance.now();
      await store.append(encodeRows([{ _raw: `late ${round}`, _messageTime: T0 + 1000 + round, _sourceCategory: 'late', _sourceHost: 'h' }], 'guards'));
      appendTimes.push(performance.now() - t);
      const s = performance.now();
      const small = new SearchJob(spec('_sourceCategory=late late'), store, silentLogger);
      small.start();
      await small.settled();
      expect(small.messages.length).toBe(round + 1);
      searchTimes.push(performance.now() - s);
      round++;
    }
    await heavy.settled();
    expect(heavy.takeStatus().pendingErrors).toEqual([]);
    expect(heavy.records.length).toBe(131);
    console.log(`while the heavy search ran: appends ${appendTimes.map((x) => x.toFixed(0)).join(', ')} ms; small searches ${searchTimes.map((x) => x.toFixed(0)).join(', ')} ms`);
    expect(Math.max(...appendTimes)).toBeLessThan(3000);
    expect(Math.max(...searchTimes)).toBeLessThan(3000);
  }, 120_000);
});
