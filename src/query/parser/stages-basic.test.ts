import { describe, expect, it } from 'vitest';
import { codesOf, stageOf } from './testing.js';

const name = (n: string): object => ({ kind: 'FieldName', name: n, quoted: false });
const f = (n: string): object => ({ kind: 'Field', name: n, quoted: false });

describe('where / eval', () => {
  it('parses where', () => {
    expect(stageOf('where x > 1')).toMatchObject({
      kind: 'Where',
      condition: { kind: 'Binary', operator: '>' },
    });
    expect(codesOf('* | where x > 1 y')).toEqual(['Q2024']);
  });

  it('parses expr as field', () => {
    expect(stageOf('bytes / 1024 as kb')).toMatchObject({
      kind: 'Eval',
      expression: { kind: 'Binary', operator: '/' },
      alias: name('kb'),
    });
    expect(stageOf('if(a, 1, 0) as x')).toMatchObject({
      kind: 'Eval',
      expression: { kind: 'Conditional' },
      alias: name('x'),
    });
    expect(stageOf('"127.0.0.1" as ip')).toMatchObject({
      expression: { kind: 'StringLiteral' },
      alias: name('ip'),
    });
    expect(stageOf('ip as src_ip')).toMatchObject({ expression: f('ip'), alias: name('src_ip') });
    expect(stageOf('num(x)')).toMatchObject({ kind: 'Eval', expression: { kind: 'Call', name: 'num' } });
    expect(stageOf('x as %"odd name"')).toMatchObject({ alias: { name: 'odd name', quoted: true } });
  });

  it('reports unknown operators with a suggestion', () => {
    expect(codesOf('* | wher x > 1')).toEqual(['Q2003']);
    expect(codesOf('* | cont by x')).toEqual(['Q2003']);
  });
});

describe('fields / limit / dedup', () => {
  it('keeps and removes fields', () => {
    expect(stageOf('fields a, b')).toEqual({ kind: 'Fields', mode: 'keep', fields: [name('a'), name('b')] });
    expect(stageOf('fields - _count, b')).toMatchObject({
      mode: 'remove',
      fields: [name('_count'), name('b')],
    });
    expect(stageOf('fields -_raw')).toMatchObject({ mode: 'remove', fields: [name('_raw')] });
    expect(stageOf('fields _source*')).toMatchObject({ fields: [name('_source*')] });
    expect(stageOf('fields (a, b)')).toMatchObject({ fields: [name('a'), name('b')] });
    expect(codesOf('* | fields a, a')).toEqual(['Q2013']);
  });

  it('parses limit with range checks', () => {
    expect(stageOf('limit 10')).toEqual({ kind: 'Limit', count: 10 });
    expect(codesOf('* | limit 0')).toEqual(['Q2016']);
    expect(codesOf('* | limit 10001')).toEqual(['Q2016']);
    expect(codesOf('* | limit 1.5')).toEqual(['Q2018']);
    expect(codesOf('* | limit {{n}}')).toEqual(['Q2023']);
  });

  it('parses dedup forms', () => {
    expect(stageOf('dedup')).toEqual({ kind: 'Dedup', consecutive: false, by: [] });
    expect(stageOf('dedup consecutive 3 by a, b')).toEqual({
      kind: 'Dedup',
      consecutive: true,
      count: 3,
      by: [name('a'), name('b')],
    });
    expect(stageOf('dedup id')).toMatchObject({ by: [name('id')] });
  });
});

describe('timeslice', () => {
  it('parses size, buckets, alias and the by form', () => {
    expect(stageOf('timeslice 5m')).toEqual({
      kind: 'Timeslice',
      size: { kind: 'Duration', text: '5m', ms: 300_000 },
    });
    expect(stageOf('timeslice by 1h as t')).toMatchObject({ size: { ms: 3_600_000 }, alias: name('t') });
    expect(stageOf('timeslice 150 buckets')).toEqual({ kind: 'Timeslice', buckets: 150 });
    expect(stageOf('timeslice')).toEqual({ kind: 'Timeslice' });
    expect(stageOf('timeslice 1 h')).toMatchObject({ size: { ms: 3_600_000 } });
    expect(codesOf('* | timeslice 5x')).toEqual(['Q2010']);
  });

  it('keeps a parameter size with a warning', () => {
    expect(codesOf('* | timeslice {{ts}}')).toEqual(['Q2023']);
    expect(stageOf('timeslice {{ts}}')).toMatchObject({ size: { parameter: 'ts' } });
  });
});

describe('aggregates', () => {
  it('parses several aggregations, aliases and group by', () => {
    expect(stageOf('count as n, avg(x), pct(latency, 95, 99) by _sourceHost, _timeslice')).toEqual({
      kind: 'Aggregate',
      aggregations: [
        { kind: 'Aggregation', function: 'count', args: [], alias: name('n') },
        { kind: 'Aggregation', function: 'avg', args: [f('x')] },
        {
          kind: 'Aggregation',
          function: 'pct',
          args: [
            f('latency'),
            { kind: 'NumberLiteral', value: 95, raw: '95' },
            { kind: 'NumberLiteral', value: 99, raw: '99' },
          ],
        },
      ],
      groupBy: [name('_sourceHost'), name('_timeslice')],
    });
  });

  it('accepts group by, a by-less group list and case-insensitive names', () => {
    expect(stageOf('COUNT group by host')).toMatchObject({ groupBy: [name('host')] });
    expect(stageOf('count _sourceHost')).toMatchObject({
      aggregations: [{ function: 'count', args: [] }],
      groupBy: [name('_sourceHost')],
    });
    expect(stageOf('count_frequent a, b')).toMatchObject({
      aggregations: [{ function: 'count_frequent', args: [f('a'), f('b')] }],
    });
  });

  it('covers every aggregate of the catalog', () => {
    for (const fn of [
      'count_distinct',
      'sum',
      'avg',
      'min',
      'max',
      'median',
      'stddev',
      'first',
      'last',
      'most_recent',
      'least_recent',
      'values',
      'percentile',
    ]) {
      expect(stageOf(`${fn}(x) as y by g`)).toMatchObject({
        kind: 'Aggregate',
        aggregations: [{ function: fn, alias: name('y') }],
      });
    }
    expect(stageOf('topk(10, _count) by host')).toMatchObject({ aggregations: [{ function: 'topk' }] });
  });

  it('applies Sumo rules: field arguments only, aliases for repeated aggregates', () => {
    expect(codesOf('* | avg(x + y)')).toEqual(['Q2031']);
    expect(codesOf('* | count_distinct(a), count_distinct(b)')).toEqual(['Q2032']);
    expect(codesOf('* | count_distinct(a) as ca, count_distinct(b) as cb, pct(x, 95), pct(y, 95)')).toEqual(
      [],
    );
    expect(codesOf('* | count(*)')).toEqual([]);
    expect(codesOf('* | count_frequent a, count')).toEqual(['Q2033']);
  });

  it('warns when concat-like functions have no alias', () => {
    expect(codesOf('* | concat(a, b)')).toEqual(['Q2028']);
    expect(codesOf('* | num(x)')).toEqual([]);
  });

  it('rejects unknown aggregates and bad arity', () => {
    expect(codesOf('* | count, sums(x)')).toEqual(['Q2017']);
    expect(codesOf('* | sum(a, b)')).toEqual(['Q2012']);
  });
});

describe('sort / top', () => {
  it('defaults to descending and accepts asc/desc/+/-', () => {
    expect(stageOf('sort by _count')).toEqual({
      kind: 'Sort',
      keyword: 'sort',
      keys: [{ kind: 'SortKey', expression: f('_count'), direction: 'desc' }],
    });
    expect(stageOf('order by a asc, b DESC')).toMatchObject({
      keyword: 'order',
      keys: [{ direction: 'asc' }, { direction: 'desc' }],
    });
    expect(stageOf('sort +a, -b')).toMatchObject({ keys: [{ direction: 'asc' }, { direction: 'desc' }] });
    expect(stageOf('sort by num(x)')).toMatchObject({
      keys: [{ expression: { kind: 'Call', name: 'num' } }],
    });
  });

  it('parses top', () => {
    expect(stageOf('top 5 _sourceCategory')).toEqual({
      kind: 'Top',
      count: 5,
      fields: [name('_sourceCategory')],
      by: [],
    });
    expect(stageOf('top 10 a, b by bytes asc')).toMatchObject({
      fields: [name('a'), name('b')],
      by: [{ expression: f('bytes'), direction: 'asc' }],
    });
    // Sumo's explicit count is a plain key; the interpreter reads it (top-form.ts).
    expect(stageOf('top 5 url by count')).toMatchObject({ by: [{ expression: f('count'), direction: 'desc' }] });
    expect(stageOf('top url')).toMatchObject({ kind: 'Top', fields: [name('url')] });
    expect(stageOf('top url')).not.toHaveProperty('count');
  });

  it('refuses a top row count below 1', () => {
    expect(codesOf('* | top 0 url')).toEqual(['Q2018']);
    expect(codesOf('* | top 1 url')).toEqual([]);
  });
});
