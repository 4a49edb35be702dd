import { describe, expect, it } from 'vitest';
import { defaultChart, resultShape, sortRows } from '../../web/src/features/search/results/aggregate-shape.js';
import { toCsv } from '../../web/src/features/search/results/csv.js';
import { countedOver, fieldStats } from '../../web/src/features/search/results/field-stats.js';
import { columnValue, toggleColumn } from '../../web/src/features/search/results/message-columns.js';
import { sumBuckets } from '../../web/src/features/search/results/histogram-buckets.js';
import { addFilter, highlightPieces, scopeTerms, termPattern } from '../../web/src/features/search/results/scope-terms.js';

/** The search results' pure modules, without a browser. */
describe('search result helpers', () => {
  it('sums histogram increments per bucket start, in time order', () => {
    const buckets = sumBuckets([
      { startTimestamp: 2000, length: 1000, count: 3 },
      { startTimestamp: 1000, length: 1000, count: 1 },
      { startTimestamp: 2000, length: 1000, count: 4 },
    ]);
    expect(buckets).toEqual([
      { startTimestamp: 1000, length: 1000, count: 1 },
      { startTimestamp: 2000, length: 1000, count: 7 },
    ]);
  });

  it('takes the keywords of the scope, not field terms, operators or the pipeline', () => {
    expect(scopeTerms('_sourceCategory=web Error "time out" AND NOT * | where x = "y"')).toEqual(['Error', 'time out']);
    expect(scopeTerms('a "b|c" | count')).toEqual(['a', 'b|c']);
  });

  it('highlights whole terms only, case-insensitively', () => {
    const pattern = termPattern(['kibana']);
    const pieces = highlightPieces('GET /kibana-x.png Kibanas KIBANA', pattern);
    expect(pieces.filter((p) => p.isMatch).map((p) => p.text)).toEqual(['kibana', 'KIBANA']);
    expect(pieces.map((p) => p.text).join('')).toBe('GET /kibana-x.png Kibanas KIBANA');
    expect(termPattern([])).toBeUndefined();
  });

  it('adds metadata filters to the scope and other fields as where clauses', () => {
    expect(addFilter('error | count', '_sourcecategory', 'prod/web')).toBe('error _sourceCategory=prod/web | count');
    expect(addFilter('*', '_sourcehost', 'my host')).toBe('_sourceHost="my host"');
    expect(addFilter('_sourceCategory=a | count', '_sourcecategory', 'a')).toBe('_sourceCategory=a | count');
    expect(addFilter('x | parse "a=*" as a', 'a', 'say "hi"')).toBe('x | parse "a=*" as a | where a = "say \\"hi\\""');

  });

  it('puts a where before the first aggregate, whose messages carry the field', () => {
    expect(addFilter('x | parse "a=*" as a | count by a | sort _count', 'a', '1')).toBe('x | parse "a=*" as a | where a = "1" | count by a | sort _count');
    expect(addFilter('x | parse "a=*" as a|top 5 a by _count', 'a', '1')).toBe('x | parse "a=*" as a | where a = "1" | top 5 a by _count');
    // A pipe inside a quoted parse pattern is not where the aggregate starts.
    expect(addFilter('x | parse "|*|" as a | count', 'a', '1')).toBe('x | parse "|*|" as a | where a = "1" | count');
    expect(addFilter('* | count by _sourcehost', '_sourcehost', 'h1')).toBe('_sourceHost=h1 | count by _sourcehost');
  });

  it('toggles message columns in the order chosen and reads a column whatever its case', () => {
    expect(toggleColumn(['a', 'b'], 'c')).toEqual(['a', 'b', 'c']);
    expect(toggleColumn(['a', 'b', 'c'], 'b')).toEqual(['a', 'c']);
    expect(toggleColumn(Array.from({ length: 12 }, (_, i) => `f${i}`), 'x')).toHaveLength(12);
    expect(columnValue({ Status: '404' }, 'status')).toBe('404');
    expect(columnValue({ status: '200', Status: '404' }, 'status')).toBe('200');
    expect(columnValue({}, 'status')).toBe('');
  });

  it('counts fields over the loaded messages, lists fields none has, and says what it counted', () => {
    const stats = fieldStats([{ a: '1', _raw: 'x' }, { a: '1' }, { a: '2', b: '' }], [{ name: 'c', fieldType: 'string', keyField: false }]);
    expect(stats.map((f) => [f.name, f.count])).toEqual([
      ['a', 3],
      ['c', 0],
    ]);
    expect(stats[0]?.top).toEqual([
      { value: '1', count: 2 },
      { value: '2', count: 1 },
    ]);
    expect(countedOver(200, 10_000)).toBe('counted in 200 of 10,000 messages (those loaded)');
    expect(countedOver(127, 127)).toBe('in all 127 messages');
    expect(countedOver(1, 1)).toBe('in the 1 message');
  });

  it('chooses a chart from the shape and sorts numbers as numbers', () => {
    const rows = [
      { status: '200', _count: '9' },
      { status: '404', _count: '10' },
    ];
    const fields = [
      { name: 'status', fieldType: 'string', keyField: true },
      { name: '_count', fieldType: 'long', keyField: false },
    ];
    expect(defaultChart(resultShape(fields, rows))).toBe('bar');
    expect(defaultChart(resultShape([{ name: '_timeslice', fieldType: 'long', keyField: true }, fields[1]!], [{ _timeslice: '1', _count: '2' }]))).toBe('line');
    expect(sortRows(rows, '_count', false).map((r) => r.status)).toEqual(['404', '200']);
  });

  it('writes RFC 4180 CSV', () => {
    const csv = toCsv([{ name: 'a', fieldType: 'string', keyField: false }, { name: 'b', fieldType: 'string', keyField: false }], [{ a: 'x,y', b: 'say "hi"' }, { a: 'plain' }]);
    expect(csv).toBe('a,b\r\n"x,y","say ""hi"""\r\nplain,\r\n');
  });
});
