import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Session } from 'chdb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouseDialect, clickhouseInlineDialect, literal, quoteIdentifier } from './dialect.js';
import { aggregate, id, join, mapAggregates, param, raw, references, selectList, sql, treeKey, type Sql } from './tree.js';

const render = (tree: Sql) => clickhouseDialect.render(tree);

describe('SQL trees', () => {
  it('composes text, identifiers, values and aggregate calls, and renders them once', () => {
    const where = join([sql`${id('ts')} >= ${param(5, 'Int64')}`, sql`message = ${param("it's", 'String')}`], ' AND ');
    const statement = sql`SELECT ${selectList([{ expr: aggregate('count'), alias: 'n' }])} FROM logs WHERE ${where}`;
    expect(render(statement)).toEqual({
      sql: 'SELECT count() AS `n` FROM logs WHERE `ts` >= {p0:Int64} AND message = {p1:String}',
      params: { p0: 5, p1: "it's" },
    });
  });

  it('binds each distinct typed value once, so equal trees render to equal text', () => {
    const a = param('x', 'String');
    const statement = sql`${a} = ${param('x', 'String')} OR ${param(1, 'Int64')} = ${param(1, 'Float64')} OR ${param('1', 'String')}`;
    expect(render(statement)).toEqual({ sql: '{p0:String} = {p0:String} OR {p1:Int64} = {p2:Float64} OR {p3:String}', params: { p0: 'x', p1: 1, p2: 1, p3: '1' } });
    expect(treeKey(sql`a ${param(1, 'Int64')}`)).toBe(treeKey(sql`a ${param(1, 'Int64')}`));
    expect(treeKey(sql`a ${param(1, 'Int64')}`)).not.toBe(treeKey(sql`a ${param('1', 'String')}`));
  });

  it('quotes identifiers and refuses values that cannot be bound', () => {
    expect(quoteIdentifier('a`b\\c')).toBe('`a\\`b\\\\c`');
    expect(render(id('x` FROM system.users --')).sql).toBe('`x\\` FROM system.users --`');
    expect(() => param(Number.NaN, 'Float64')).toThrow(/finite/);
    expect(() => param(Infinity, 'Int64')).toThrow(/finite/);
  });

  it('finds and replaces aggregate calls without reading SQL text', () => {
    const tree = sql`if(${aggregate('count', id('v1'))} = 0, NULL, ${aggregate('sumOrNull', id('v1'))})`;
    expect(references(tree, 'v1')).toBe(true);
    expect(references(tree, 'v2')).toBe(false);
    const merged = mapAggregates(tree, (call) => sql`${raw(`${call.fn}Merge`)}(${id('s')})`);
    expect(render(merged).sql).toBe('if(countMerge(`s`) = 0, NULL, sumOrNullMerge(`s`))');
    // Text that looks like a call is text: it is never taken for one.
    expect(references(raw('count(`v1`)'), 'v1')).toBe(false);
  });

  it('renders values inline as typed literals for servers without query parameters', () => {
    const statement = sql`${param("a'b\\c\n\x00", 'String')}, ${param(-3, 'Int64')}, ${param(2.5, 'Float64')}, ${param(7, 'UInt64')}`;
    expect(clickhouseInlineDialect.render(statement)).toEqual({ sql: "'a\\'b\\\\c\\x0a\\x00', toInt64((-3)), toFloat64(2.5), toUInt64(7)", params: {} });
    expect(() => literal(2 ** 60, 'Int64')).toThrow(/safe integer/);
    expect(() => literal(-1, 'UInt64')).toThrow(/negative/);
  });
});

describe('the ClickHouse dialect against chDB', () => {
  let dir: string;
  let session: Session;
  beforeAll(() => {
    dir = mkdtempSync(joinPath(tmpdir(), 'quarry-sql-'));
    session = new Session(dir);
  });
  afterAll(() => {
    session.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const value = async (tree: Sql, inline: boolean): Promise<unknown> => {
    const { sql: text, params } = (inline ? clickhouseInlineDialect : clickhouseDialect).render(sql`SELECT ${tree} AS ${id('v')}`);
    const out = await session.queryBindAsync(`${text} SETTINGS output_format_json_quote_64bit_integers = 0`, params, { format: 'JSONEachRow' });
    return (JSON.parse(out.text().trim()) as { v: unknown }).v;
  };

  it('reads every string back as it was, bound or inline (quotes, backslashes, control characters, any Unicode)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: fc.constantFrom("'", '\\', '\n', '\t', '\x00', '\x7f', '`', '{', '}', '?'), maxLength: 12 }), async (a, b) => {
        const text = a + b;
        expect(await value(param(text, 'String'), false)).toBe(text);
        expect(await value(param(text, 'String'), true)).toBe(text);
      }),
      { numRuns: 150 },
    );
  });

  it('reads numbers back as they were, and a hostile identifier names a column', async () => {
    for (const n of [0, -1, 2 ** 53 - 1, -(2 ** 53 - 1)]) {
      expect(await value(param(n, 'Int64'), false)).toBe(n);
      expect(await value(param(n, 'Int64'), true)).toBe(n);
    }
    for (const x of [0.1, -2.5e-7, 1e21, 123456.789]) expect(await value(param(x, 'Float64'), true)).toBe(x);
    const out = await session.queryBindAsync(`SELECT 1 AS ${quoteIdentifier("we`ird\\ 'name")}`, {}, { format: 'JSONEachRow' });
    expect(JSON.parse(out.text().trim())).toEqual({ "we`ird\\ 'name": 1 });
  });
});
