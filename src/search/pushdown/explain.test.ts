import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../query/index.js';
import { explainSearch, renderExplanation } from './explain.js';

const engine = { engine: 'chdb', version: '26.7.2.1', textIndex: 'text' } as const;
const range = { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 2), timeZone: 'UTC', byReceiptTime: false };

describe('explainSearch slicing', () => {
  it('says whether the statements run once or per time slice', () => {
    const query = parseQuery('error | count by _sourceHost').query!;
    const once = explainSearch(query, { ...range, engine, slicing: { estimatedRows: 1_200, sliceRows: 8_000_000 } });
    expect(once.slicing).toEqual({ estimatedRows: 1_200, sliceRows: 8_000_000, sliced: false });
    expect(renderExplanation(once)).toMatch(/^slices: +one run of the statements below \(about 1,200 rows in range; slices above 8,000,000\)$/m);
    const sliced = explainSearch(query, { ...range, engine, slicing: { estimatedRows: 30_000_000, sliceRows: 8_000_000 } });
    expect(sliced.slicing?.sliced).toBe(true);
    expect(renderExplanation(sliced)).toMatch(/^slices: +time slices, newest first: about 30,000,000 rows in range, the first slice 8,000,000 rows; each statement below runs per slice/m);
    // Without the store's rows (no slicing given) nothing is claimed.
    const unknown = explainSearch(query, { ...range, engine });
    expect(unknown.slicing).toBeUndefined();
    expect(renderExplanation(unknown)).not.toMatch(/^slices:/m);
  });
});

describe('explainSearch statements', () => {
  it('lists with each statement exactly the parameters its SQL names', () => {
    // A metadata key binds its number-test regexes, which a count by it never reads.
    const e = explainSearch(parseQuery('_sourceCategory=prod/* | count by _sourceCategory').query!, { ...range, engine });
    for (const s of e.statements) {
      const named = [...new Set([...s.sql.matchAll(/\{(\w+):/g)].map((m) => m[1]))].sort();
      expect(Object.keys(s.params).sort()).toEqual(named);
    }
  });

  it('reads the rows once for an aggregate with or without group keys; twice when a parse drops rows', () => {
    const purposes = (q: string) => explainSearch(parseQuery(q).query!, { ...range, engine }).statements.map((s) => s.purpose);
    const one = ['records, histogram and message count (grouping sets)'];
    expect(purposes('error | count')).toEqual(one);
    expect(purposes('error | avg(_size) as a, max(_size)')).toEqual(one);
    expect(purposes('error | count by _sourceHost')).toEqual(one);
    // The histogram counts what the scope matched; a parse may drop some of those before the aggregate.
    expect(purposes('error | parse regex "took (?<t>\\d+)ms" | count')).toEqual(['records', 'histogram and message count']);
  });

  it('says when a count reads the per-minute counts, and not over a range of few rows', () => {
    const query = parseQuery('* | count by _sourceCategory').query!;
    const withCounts = { ...engine, minuteCounts: true };
    const big = explainSearch(query, { ...range, engine: withCounts, slicing: { estimatedRows: 30_000_000, sliceRows: 8_000_000 } });
    expect(big.statements.map((s) => s.purpose)).toEqual([expect.stringContaining('from the per-minute counts')]);
    // One statement however many rows: the counts are read, not the rows.
    expect(big.slicing?.sliced).toBe(false);
    const small = explainSearch(query, { ...range, engine: withCounts, slicing: { estimatedRows: 1_000, sliceRows: 8_000_000 } });
    expect(small.statements[0]?.purpose).toBe('records, histogram and message count (grouping sets)');
  });
});

describe('explainSearch top', () => {
  const explain = (q: string) => explainSearch(parseQuery(q).query!, { ...range, engine });

  it('pushes the count of a top that counts (no by, by count, by _count) and ranks its records in JS', () => {
    for (const top of ['top 5 _sourceCategory', 'top 5 _sourceCategory by count', 'top 5 _sourceCategory by _count']) {
      const e = explain(`error | ${top}`);
      expect(e.kind, top).toBe('aggregate');
      expect(e.pushed).toEqual(['time range', 'scope', 'count by _sourceCategory']);
      expect(e.javascript).toEqual(['top 5 _sourceCategory by _count desc']);
    }
    const e = explain('error | top 3 _sourceHost, _sourceCategory by count asc, _sourceHost | limit 2');
    expect(e.kind).toBe('aggregate');
    expect(e.pushed.at(-1)).toBe('count by _sourceHost, _sourceCategory');
    expect(e.javascript).toEqual(['top 3 _sourceHost, _sourceCategory by _count asc, _sourceHost desc', 'limit 2']);
  });

  it('leaves a top ranking messages by a field to JS, and says so', () => {
    const e = explain('error | top 10 _sourceCategory by _messagetime');
    expect(e.kind).toBe('messages');
    expect(e.stoppedBecause).toBe('top ranking messages by a field runs in JS');
    expect(e.javascript).toEqual(['top 10 _sourceCategory by _messagetime desc']);
  });

  it('ranks the records of a pushed aggregate by the top after it', () => {
    const e = explain('error | count by _sourceCategory | sort by _count | top 5 _sourceCategory by count');
    expect(e.kind).toBe('aggregate');
    expect(e.javascript).toEqual(['sort by _count desc', 'top 5 _sourceCategory by count desc']);
  });
});
