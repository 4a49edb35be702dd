import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/query/index.js';
import { collectSpans } from '../../src/query/parser/testing.js';
import { loadCorpus } from './corpus.js';

/** Not-yet-supported diagnostics (Q3xxx) are fine; other errors count as syntax errors. */
const isSyntaxError = (d: { code: string; severity: string }): boolean =>
  d.severity === 'error' && !d.code.startsWith('Q3');

describe('real query corpus (all-log-queries.jsonl)', () => {
  it('meets the targets: ≥98% of exact_source and ≥95% of all queries parse (or are only not supported yet); no crashes', () => {
    const rows = loadCorpus('all-log-queries.jsonl');
    expect(rows.length).toBe(15_693);
    let ok = 0;
    let exact = 0;
    let exactOk = 0;
    const problems: string[] = [];
    for (const row of rows) {
      const { query, diagnostics } = parseQuery(row.query);
      if (diagnostics.some((d) => d.code === 'Q9001')) problems.push(`${row.id}: internal error`);
      for (const span of [...collectSpans(query), ...diagnostics.map((d) => d.span)]) {
        if (span.start < 0 || span.end < span.start || span.end > row.query.length)
          problems.push(`${row.id}: span ${span.start}-${span.end}`);
      }
      const good = !diagnostics.some(isSyntaxError);
      if (good) ok++;
      if (row.exact_source) {
        exact++;
        if (good) exactOk++;
      }
    }
    expect(problems).toEqual([]);
    expect(exact).toBe(2_671);
    expect(exactOk / exact).toBeGreaterThanOrEqual(0.98);
    expect(ok / rows.length).toBeGreaterThanOrEqual(0.95);
  }, 180_000);
});
