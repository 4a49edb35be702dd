import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuery, printQuery } from '../../src/query/index.js';
import { stripSpans } from '../../src/query/parser/testing.js';
import { loadCorpus } from './corpus.js';

/** Queries that parse cleanly (placeholders in literal positions cannot round-trip: they are NaN). */
const clean = loadCorpus('all-log-queries.jsonl')
  .map((q) => q.query)
  .filter((text) => {
    const { diagnostics } = parseQuery(text);
    return !diagnostics.some((d) => d.severity === 'error' || d.code === 'Q2023' || d.code === 'Q2030');
  });

describe('print → parse round trip', () => {
  it('has a large clean corpus to work on', () => {
    expect(clean.length).toBeGreaterThan(12_000);
  });

  it('reproduces the AST (spans aside) for real queries', () => {
    fc.assert(
      fc.property(fc.nat({ max: clean.length - 1 }), (i) => {
        const original = parseQuery(clean[i]!).query!;
        const printed = printQuery(original);
        const reparsed = parseQuery(printed);
        expect(reparsed.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'Q3001')).toEqual([]);
        expect(stripSpans(reparsed.query)).toEqual(stripSpans(original));
        expect(printQuery(reparsed.query!)).toBe(printed);
      }),
      { numRuns: 3000 },
    );
  });

  it('prints a normalised form', () => {
    const { query } = parseQuery(
      '_sourceCategory=prod (a or b) | parse "x=*" as x | where x > 1 + 2 * 3 | count by x | sort by _count',
    );
    expect(printQuery(query!)).toBe(
      '_sourceCategory=prod AND (a OR b) | parse "x=*" as x | where x > (1 + (2 * 3)) | count by x | sort by _count desc',
    );
  });
});
