/**
 * An aggregate search has messages: those of its part before the first aggregate. The
 * interpreter is the spec — the messages (and messageCount and histogram) of `X | count by a` are
 * the messages of the search `X` alone — whichever way the search runs: the aggregate pushed into
 * SQL (messages listed from the store on request), the aggregate in JS cut at the aggregate, or
 * in JS with the messages part run alongside (stages that need the earlier ones compiled with
 * them), and the reference interpreter over store.scan.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { Query } from '../../src/query/ast.js';
import { hasErrors, parseQuery } from '../../src/query/index.js';
import { compileQuery, type Row } from '../../src/query/interpreter/index.js';
import { firstAggregateAt, messagesPart, splitAtAggregate } from '../../src/search/aggregate-messages.js';
import { engineContext } from '../../src/search/pushdown/engine-context.js';
import { planQuery } from '../../src/query/plan/plan.js';
import { SearchJob, toRow } from '../../src/search/search-job.js';
import type { LogStore, StoreEngine } from '../../src/store/log-store.js';
import { buildInputRows, loadConformanceCases } from '../conformance/query/cases.js';
import { sharedData } from '../support/server.js';
import { openTempStore, type TempStore } from '../support/temp-store.js';
import { appendCases, encodeRows, rangeOf, withinCollector } from './pushdown-support.js';

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
const LINES = readFileSync(join(sharedData, 'http-access/elastic-apache/apache_logs'), 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const RANGE = { from: Date.UTC(2015, 4, 17), to: Date.UTC(2015, 4, 21) };

function apacheRows(): Row[] {
  return LINES.map((line, i) => {
    const m = /\[(\d+)\/(\w+)\/(\d+):(\d+):(\d+):(\d+) \+0000\]/.exec(line);
    if (m === null) throw new Error(`no time in line ${i}`);
    const time = Date.UTC(
      Number(m[3]),
      MONTHS[m[2] ?? ''] ?? NaN,
      Number(m[1]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    );
    return {
      _raw: line,
      _messageTime: time,
      _receiptTime: time + 1000,
      _sourceCategory: 'web/apache',
      _sourceHost: `host-${i % 3}`,
    };
  });
}

interface Run {
  job: SearchJob;
  messageCount: number;
  histogram: [number, number][];
  warnings: string[];
  errors: string[];
}

async function run(
  store: LogStore,
  query: Query,
  options: { from: number; to: number; timeZone: string; pushdown: boolean; maxMessages?: number },
): Promise<Run> {
  const job = new SearchJob(
    {
      id: 'test',
      ownerId: 'test',
      queryText: '',
      query,
      from: options.from,
      to: options.to,
      timeZone: options.timeZone,
      byReceiptTime: false,
      maxMessages: options.maxMessages ?? 100_000,
      maxRecords: 100_000,
      pushdown: options.pushdown,
    },
    store,
    silentLogger,
  );
  job.start();
  await job.settled();
  const status = job.takeStatus();
  const histogram = new Map<number, number>();
  for (const b of status.histogramBuckets)
    histogram.set(b.startTimestamp, (histogram.get(b.startTimestamp) ?? 0) + b.count);
  return {
    job,
    messageCount: status.messageCount,
    histogram: [...histogram].sort((a, b) => a[0] - b[0]),
    warnings: status.pendingWarnings,
    errors: status.pendingErrors,
  };
}

/**
 * The query as one interpreter pipeline over every message of the range (compare re-runs its
 * prefix over the shifted range the same way): what a search job gave before it read the messages
 * part's output on the way to the aggregate.
 */
async function interpret(
  store: LogStore,
  query: Query,
  range: { from: number; to: number; timeZone: string },
): Promise<Row[]> {
  const compiled = compileQuery(query, {
    ...range,
    now: Date.now(),
    runShifted: (shiftMs, prefix) =>
      interpret(store, prefix, { ...range, from: range.from - shiftMs, to: range.to - shiftMs }),
  });
  if (!compiled.ok) throw new Error(compiled.error.map((d) => d.message).join('; '));
  async function* rows(): AsyncGenerator<Row[]> {
    for await (const batch of store.scan({ from: range.from, to: range.to })) yield batch.map(toRow);
  }
  const out: Row[] = [];
  for await (const row of compiled.value.runBatches(rows())) out.push(row);
  return out;
}

/**
 * The aggregate search's messages equal those of its messages part searched alone (both ways),
 * and its records those of the query run as one pipeline.
 */
async function expectMessagesOfPart(
  store: LogStore,
  query: Query,
  range: { from: number; to: number; timeZone: string },
  label: string,
): Promise<number> {
  const part = messagesPart(query);
  let count = 0;
  for (const pushdown of [true, false]) {
    const aggregate = await run(store, query, { ...range, pushdown });
    const alone = await run(store, part, { ...range, pushdown });
    const what = `${label} (pushdown ${String(pushdown)})`;
    expect(aggregate.errors, what).toEqual([]);
    if (!pushdown) expect(aggregate.job.records, what).toEqual(await interpret(store, query, range));
    expect(aggregate.job.aggregated, what).toBe(true);
    expect(alone.job.aggregated, what).toBe(false);
    const page = await aggregate.job.messagePage(0, 1_000_000);
    expect(page.rows, what).toEqual(alone.job.messages);
    expect(page.fields, what).toEqual(alone.job.fields());
    expect(aggregate.messageCount, what).toBe(alone.messageCount);
    expect(aggregate.histogram, what).toEqual(alone.histogram);
    // Paging: a later page is the same slice of the same list.
    expect((await aggregate.job.messagePage(5, 3)).rows, what).toEqual(alone.job.messages.slice(5, 8));
    count = alone.messageCount;
  }
  return count;
}

describe('messages of aggregate searches', () => {
  let temp: TempStore;
  let store: LogStore;
  let engine: StoreEngine;
  const cases = loadConformanceCases().filter(
    (c) => c.expectedDiagnostics === undefined && !hasErrors(parseQuery(c.query).diagnostics),
  );

  beforeAll(async () => {
    temp = await openTempStore('aggregate-messages');
    store = temp.store;
    engine = await store.engine();
    await store.append(encodeRows(apacheRows(), 'apache'));
    await appendCases(store, cases);
  }, 120_000);
  afterAll(async () => {
    await temp.dispose();
  });

  const status = '| parse regex "\\" (?<status>\\d{3}) "';
  // [messages part, aggregate and what follows, time zone, how the planner runs it]
  const QUERIES: [string, string, string, string][] = [
    ['_sourceCategory=web/apache', '| count by _sourceHost', 'UTC', 'aggregate'],
    [`_sourceCategory=web/apache ${status}`, '| count by status', 'UTC', 'aggregate'],
    [
      `_sourceCategory=web/apache ${status} | where status = "404"`,
      '| count by status | sort by _count',
      'UTC',
      'aggregate',
    ],
    [`_sourceCategory=web/apache ${status}`, '| top 3 status', 'UTC', 'aggregate'],
    [
      '_sourceCategory=web/apache | parse "\\" * " as status | where status = "404"',
      '| count by status',
      'UTC',
      'messages',
    ],
    [
      '_sourceCategory=web/apache kibana | timeslice 1h',
      '| count by _timeslice',
      'Europe/Berlin',
      'messages',
    ],
    [
      '_sourceCategory=web/apache | parse "\\" * " as status | timeslice 1h',
      '| count by _timeslice, status | fillmissing timeslice(1h), values("200", "404") in status',
      'UTC',
      'messages',
    ],
    [
      '_sourceCategory=web/apache | timeslice 1h',
      '| count by _timeslice | compare with timeshift 1d',
      'UTC',
      'messages',
    ],
    // Not cut (the parse after the timeslice could rewrite it): the messages part runs alongside.
    [
      '_sourceCategory=web/apache | timeslice 1h | parse "\\" * " as status',
      '| count by _timeslice, status | fillmissing timeslice(1h), values("200", "404") in status',
      'Europe/Berlin',
      'messages',
    ],
    ['_sourceCategory=web/apache | limit 50', '| count', 'UTC', 'messages'],
  ];

  for (const [part, aggregate, timeZone, kind] of QUERIES) {
    it(`${part} ${aggregate} [${timeZone}]`, async () => {
      const query = parseQuery(`${part} ${aggregate}`).query!;
      expect(
        planQuery(query, { ...RANGE, timeZone, byReceiptTime: false, ...engineContext(engine) }).kind,
      ).toBe(kind);
      const count = await expectMessagesOfPart(store, query, { ...RANGE, timeZone }, `${part} ${aggregate}`);
      expect(count).toBeGreaterThan(0);
    });
  }

  it('cuts at the first aggregate where the rest compiles alone, carrying the last timeslice', () => {
    const cut = (q: string) => splitAtAggregate(parseQuery(q).query!);
    const kinds = (q: string) => cut(q)?.aggregate.stages.map((s) => s.kind);
    expect(kinds('error | parse "a=*" as a | count by a | sort by _count')).toEqual(['Aggregate', 'Sort']);
    expect(kinds('error | timeslice 1m | count by _timeslice')).toEqual(['Aggregate']);
    // fillmissing and compare read the timeslice's size: it runs again at the head of the rest.
    expect(
      kinds('error | timeslice 1m | where x > 1 | count by _timeslice | fillmissing timeslice(1m)'),
    ).toEqual(['Timeslice', 'Aggregate', 'FillMissing']);
    const compare = cut(
      'error | parse "a=*" as a | timeslice 1m | count by _timeslice | compare with timeshift 1d',
    );
    expect(compare?.aggregate.stages.map((s) => s.kind)).toEqual(['Timeslice', 'Aggregate', 'Compare']);
    // What compare re-runs is the whole query's prefix, not the rest's.
    const prefix = { ...compare!.aggregate, stages: compare!.aggregate.stages.slice(0, 2) };
    expect(compare!.wholePrefix(prefix).stages.map((s) => s.kind)).toEqual([
      'Parse',
      'Timeslice',
      'Aggregate',
    ]);
    // A field written after the timeslice could be the one it writes; nodrop chains across the cut.
    expect(
      cut('error | timeslice 1m | parse "a=*" as a | count by _timeslice | fillmissing timeslice(1m)'),
    ).toBeUndefined();
    expect(cut('error | parse "a=*" as a nodrop | count by a | parse field=a "x*" as b')).toBeUndefined();
    expect(cut('error | parse "a=*" as a')).toBeUndefined();
    expect(firstAggregateAt(parseQuery('error | top 5 a').query!)).toBe(0);
  });

  it('keeps the newest maxMessages of them, counts all, and says so', async () => {
    const query = parseQuery(`_sourceCategory=web/apache ${status} | count by status`).query!;
    const part = messagesPart(query);
    for (const pushdown of [true, false]) {
      const aggregate = await run(store, query, { ...RANGE, timeZone: 'UTC', pushdown, maxMessages: 120 });
      const alone = await run(store, part, { ...RANGE, timeZone: 'UTC', pushdown, maxMessages: 120 });
      expect(aggregate.messageCount).toBe(LINES.length);
      expect(aggregate.warnings).toEqual([
        `the records count ${LINES.length} messages; the newest 120 of them are kept to list`,
      ]);
      const page = await aggregate.job.messagePage(0, 1000);
      expect(page.rows).toHaveLength(120);
      expect(page.rows).toEqual(alone.job.messages);
      const times = page.rows.map((r) => Number(r._messageTime));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
  });

  it('equals the messages part searched alone for every aggregate conformance case', async () => {
    let checked = 0;
    for (const [i, c] of cases.entries()) {
      const query = withinCollector(parseQuery(c.query).query!, `case-${i}`);
      const range = rangeOf(c);
      const compiled = compileQuery(query, {
        ...range,
        now: Date.now(),
        runShifted: () => Promise.resolve([]),
      });
      if (!compiled.ok || !compiled.value.aggregated || buildInputRows(c).length === 0) continue;
      await expectMessagesOfPart(store, query, range, `${c.file ?? ''}: ${c.name}: ${c.query}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  }, 600_000);
});
