/**
 * Message pages: newest first, every message exactly once, and a millisecond never split across
 * pages — including when a page ends inside a millisecond or a whole page is one millisecond.
 * Pages have no WITH TIES (it would turn off the engine's top-N optimisations); the rows of a full
 * page's last millisecond come from one more statement.
 */
import { clickhouseDialect } from '../../src/query/sql/dialect.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { parseQuery } from '../../src/query/index.js';
import { capabilitiesFor } from '../../src/query/plan/capabilities.js';
import { messagePageSql } from '../../src/query/plan/statements.js';
import { FIRST_PAGE, messagePages, NEXT_PAGE } from '../../src/search/pushdown/execute.js';
import { messagePageSettings, planQuery } from '../../src/query/plan/plan.js';
import { engineContext } from '../../src/search/pushdown/engine-context.js';
import { SearchJob } from '../../src/search/search-job.js';
import type { LogStore, StoreEngine } from '../../src/store/log-store.js';
import { encodeRows } from './pushdown-support.js';
import { openTempStore, type TempStore } from '../support/temp-store.js';

const T0 = Date.UTC(2026, 3, 1, 12);
/** Newest first: 60 rows at distinct ms, 80 rows at one ms (straddling the first page's end), 30 more, then 250 at one ms. */
function rows() {
  const out: { _raw: string; _messageTime: number; _sourceCategory: string; _sourceHost: string }[] = [];
  let n = 0;
  const add = (time: number) =>
    out.push({
      _raw: `row ${n++}`,
      _messageTime: time,
      _sourceCategory: n % 2 ? 'app/a' : 'app/b',
      _sourceHost: 'h',
    });
  for (let i = 0; i < 60; i++) add(T0 + 10_000 - i);
  for (let i = 0; i < 80; i++) add(T0 + 5_000);
  for (let i = 0; i < 30; i++) add(T0 + 4_000 - i);
  for (let i = 0; i < 250; i++) add(T0 + 1_000);
  return out;
}

describe('message pages', () => {
  let temp: TempStore;
  let store: LogStore;
  let engine: StoreEngine;
  beforeAll(async () => {
    temp = await openTempStore('pages');
    store = temp.store;
    engine = await store.engine();
    await store.append(encodeRows(rows(), 'pages'));
    const same = { _raw: 'same', _messageTime: T0 + 100_000, _sourceCategory: 'app/a', _sourceHost: 'h' };
    await store.append(
      encodeRows(
        Array.from({ length: 130 }, () => same),
        'pages',
      ),
    );
  });
  afterAll(async () => {
    await temp.dispose();
  });
  const planOf = (query: string, to: number) =>
    planQuery(parseQuery(query).query!, {
      from: T0,
      to,
      timeZone: 'UTC',
      byReceiptTime: false,
      ...engineContext(engine, true),
    });

  it('returns every message once, newest first, with no millisecond split across pages', async () => {
    const plan = planOf('row', T0 + 60_000);
    expect(clickhouseDialect.render(messagePageSql(plan, FIRST_PAGE, undefined)).sql).not.toContain('WITH TIES');
    const statements: string[] = [];
    const counting: LogStore = {
      ...store,
      select: (statement, options) => {
        const { sql } = clickhouseDialect.render(statement);
        const limit = /LIMIT (\d+)$/.exec(sql);
        statements.push(limit === null ? 'ties' : `page ${limit[1]!}`);
        return store.select(statement, options);
      },
    };
    const pages: string[][] = [];
    for await (const page of messagePages(counting, plan))
      pages.push(page.map((r) => `${String(r._messageTime)} ${String(r._raw)}`));
    const all = pages.flat();
    expect(all).toHaveLength(420);
    expect(new Set(all).size).toBe(420);
    const times = all.map((l) => Number(l.split(' ')[0]));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Page 1 (100 rows) ends inside the 80-row millisecond and goes out whole at once; the ties
    // statement adds the 40 rows of that millisecond it lacked; page 2 starts below it.
    expect(statements).toEqual([`page ${FIRST_PAGE}`, 'ties', `page ${NEXT_PAGE}`]);
    expect(pages.map((p) => p.length)).toEqual([100, 40, 280]);
    expect(pages[1]!.every((l) => l.startsWith(`${T0 + 5_000} `))).toBe(true);
    expect(pages[2]!.every((l) => Number(l.split(' ')[0]) < T0 + 5_000)).toBe(true);
  });

  it('reads a whole page of one millisecond from the ties statement', async () => {
    const plan = planOf('row', T0 + 4_000);
    const got: number[] = [];
    for await (const page of messagePages(store, plan)) got.push(...page.map((r) => Number(r._messageTime)));
    // 30 rows at distinct ms below 4,000 (the one at 4,000 is outside [T0, T0 + 4,000)) … then 250 at 1,000.
    expect(got.filter((t) => t === T0 + 1_000)).toHaveLength(250);
    expect(got).toHaveLength(29 + 250);
  });

  it('adds as many copies of a repeated row as the page lacked', async () => {
    // 130 rows alike in every column, in one millisecond: the page holds 100 of them.
    const got: string[] = [];
    for await (const page of messagePages(store, planOf('same', T0 + 200_000)))
      got.push(...page.map((r) => String(r._raw)));
    expect(got).toEqual(Array.from({ length: 130 }, () => 'same'));
  });

  it('gives a search job the same messages as the interpreter over a scan', async () => {
    const spec = (pushdown: boolean) => ({
      id: `p${pushdown}`,
      ownerId: 'u',
      queryText: 'row',
      query: parseQuery('row').query!,
      from: T0,
      to: T0 + 60_000,
      timeZone: 'UTC',
      byReceiptTime: false,
      maxMessages: 100_000,
      maxRecords: 100_000,
      pushdown,
    });
    const pushed = new SearchJob(spec(true), store, silentLogger);
    const reference = new SearchJob(spec(false), store, silentLogger);
    pushed.start();
    reference.start();
    await Promise.all([pushed.settled(), reference.settled()]);
    const key = (r: Record<string, unknown>) => `${String(r._messageTime)} ${String(r._raw)}`;
    expect(pushed.messages.map(key).sort()).toEqual(reference.messages.map(key).sort());
    expect(pushed.messages.map((r) => r._messageTime)).toEqual(reference.messages.map((r) => r._messageTime));
  });
});

describe('message page settings', () => {
  const chdb = capabilitiesFor({ engine: 'chdb', version: '26.7.2.1' });
  const settings = (q: string) => messagePageSettings(parseQuery(q).query!.scope, chdb);

  it('turns top-N dynamic filtering off only where the scope pins one _sourceCategory', () => {
    const off = { use_top_k_dynamic_filtering: 0 };
    expect(settings('_sourceCategory=prod/api timeout')).toEqual(off);
    expect(settings('_sourceCategory=prod/api')).toEqual(off);
    expect(settings('error AND _sourcecategory="prod/api" AND _sourceHost=h1')).toEqual(off);
    expect(settings('timeout')).toBeUndefined();
    expect(settings('*')).toBeUndefined();
    expect(settings('_sourceCategory=prod/* timeout')).toBeUndefined();
    expect(settings('_sourceCategory=prod/api OR timeout')).toBeUndefined();
    expect(settings('_sourceCategory!=prod/api')).toBeUndefined();
    expect(settings('_sourceHost=h1')).toBeUndefined();
    // An engine that does not list the setting is never sent it.
    expect(
      messagePageSettings(
        parseQuery('_sourceCategory=prod/api').query!.scope,
        capabilitiesFor({ engine: 'clickhouse', version: '24.3' }),
      ),
    ).toBeUndefined();
  });
});
