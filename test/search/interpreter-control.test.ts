/**
 * The JavaScript half of a search runs in slices and can be stopped: user regexes run in linear
 * time (the patterns that froze the server for seconds finish at once), a cancel ends the work
 * within 100 ms, the search's time limit covers the interpreter too, and the event loop stays free
 * for other requests while it works.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { parseQuery } from '../../src/query/index.js';
import { JobState, SearchJob, type SearchJobSpec } from '../../src/search/search-job.js';
import type { LogStore } from '../../src/store/log-store.js';
import { openTempStore, type TempStore } from '../support/temp-store.js';
import { encodeRows } from './pushdown-support.js';

const T0 = Date.UTC(2026, 2, 1);
const ROWS = 200_000;
// Alternation keeps this parse out of SQL (pushdown/regex-sql.ts): the whole pipeline runs in JS.
const HEAVY = '* | parse regex "(?<verb>GET|PUT) /item/(?<item>\\d+|x)" | parse regex "user=(?<user>u\\d+|none)" | count by verb, user';

function spec(query: string, extra: Partial<SearchJobSpec> = {}): SearchJobSpec {
  const parsed = parseQuery(query);
  if (!parsed.query) throw new Error(JSON.stringify(parsed.diagnostics));
  return { id: 'c', ownerId: 'c', queryText: query, query: parsed.query, from: T0, to: T0 + 86_400_000, timeZone: 'UTC', byReceiptTime: false, maxMessages: 100_000, maxRecords: 100_000, ...extra };
}

describe('the interpreter under control', () => {
  let temp: TempStore;
  let store: LogStore;
  beforeAll(async () => {
    temp = await openTempStore('control');
    store = temp.store;
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      _raw: i === 7 ? 'a'.repeat(40) : `GET /item/${i % 977} status=${i % 7 === 0 ? 500 : 200} user=u${i % 131} ${'lorem ipsum '.repeat(4)}`,
      _messageTime: T0 + Math.floor((i * 86_400_000) / ROWS),
      _sourceCategory: 'prod/web',
      _sourceHost: `h${i % 50}`,
    }));
    await store.append(encodeRows(rows, 'control'));
  }, 120_000);
  afterAll(async () => {
    await temp.dispose();
  });

  it('runs the regexes that froze the server in linear time, in the interpreter and in the pushed-down SQL', async () => {
    for (const query of ['parse regex "(?<x>(a+)+b)" nodrop', 'parse regex "(?<x>(a|aa)+$)" nodrop', 'where _raw matches /(.*a){20}/']) {
      for (const pushdown of [true, false]) {
        const started = performance.now();
        const job = new SearchJob(spec(`aaaa* | ${query}`, { id: `${query} ${pushdown}`, pushdown }), store, silentLogger);
        job.start();
        await job.settled();
        const ms = performance.now() - started;
        expect(job.takeStatus().pendingErrors, query).toEqual([]);
        expect(job.messages.length, query).toBe(query.startsWith('where') ? 1 : 1);
        // Backtracking over 40 a's is 2^40 steps (hours); linear matching takes milliseconds. The
        // bound is far from both, so a busy machine cannot fail it (3 s did, at 3.6 s).
        expect(ms, `${query} pushdown=${pushdown}`).toBeLessThan(20_000);
        console.log(`regex probe ${query} (pushdown ${pushdown}): ${ms.toFixed(0)} ms`);
      }
    }
  });

  it('stops the JavaScript work within 100 ms of a cancel and keeps the event loop free meanwhile', async () => {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    const job = new SearchJob(spec(HEAVY, { id: 'cancel' }), store, silentLogger);
    const started = performance.now();
    job.start();
    // Let the interpreter get well into the rows.
    while (job.messageCount < 20_000 && job.isRunning) await new Promise((r) => setTimeout(r, 10));
    expect(job.isRunning).toBe(true);
    delay.enable();
    await new Promise((r) => setTimeout(r, 300));
    delay.disable();
    const cancelledAt = performance.now();
    job.cancel();
    expect(job.takeStatus().state).toBe(JobState.Cancelled);
    // The rows the search has taken in (scope matches counted as they reach the interpreter).
    let taken = job.messageCount;
    let lastGrowth = cancelledAt;
    const watch = setInterval(() => {
      if (job.messageCount !== taken) {
        taken = job.messageCount;
        lastGrowth = performance.now();
      }
    }, 1);
    await job.settled();
    clearInterval(watch);
    const stoppedIn = lastGrowth - cancelledAt;
    const settledIn = performance.now() - cancelledAt;
    console.log(
      `cancel: running ${(cancelledAt - started).toFixed(0)} ms; JavaScript work stopped ${stoppedIn.toFixed(1)} ms after the cancel, the statement in flight ended after ${settledIn.toFixed(0)} ms; event loop delay max ${(delay.max / 1e6).toFixed(0)} ms while it ran`,
    );
    expect(stoppedIn).toBeLessThan(100);
    // The engine's statement in flight is one slice (about QUARRY_SEARCH_SLICE_TARGET_MS).
    expect(settledIn).toBeLessThan(1000);
    expect(delay.max / 1e6).toBeLessThan(100);
  });

  it('holds the interpreter to the search time limit', async () => {
    const job = new SearchJob(spec(HEAVY, { id: 'limit', timeoutMs: 300 }), store, silentLogger);
    const started = performance.now();
    job.start();
    await job.settled();
    const ms = performance.now() - started;
    const status = job.takeStatus();
    expect(status.state).toBe(JobState.Done);
    expect(status.pendingErrors).toEqual(['the search took longer than the query time limit; narrow the time range or the query']);
    expect(ms).toBeLessThan(1000);
    // Without the limit the same search finishes with every row counted.
    const whole = new SearchJob(spec(HEAVY, { id: 'whole' }), store, silentLogger);
    whole.start();
    await whole.settled();
    expect(whole.takeStatus().pendingErrors).toEqual([]);
    expect(whole.records.reduce((n, r) => n + Number(r._count), 0)).toBe(ROWS - 1);
  });
});
