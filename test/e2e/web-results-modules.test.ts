import { describe, expect, it } from 'vitest';
import { defaultChart, resultShape, sortRows } from '../../web/src/features/search/results/aggregate-shape.js';
import { toCsv } from '../../web/src/features/search/results/csv.js';
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
