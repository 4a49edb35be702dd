import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/query/index.js';
import { loadCorpus } from './corpus.js';

/** Diagnostics that only say "not supported yet" are allowed; anything else is a syntax error. */
const UNSUPPORTED = new Set(['Q3001', 'Q3002', 'Q3003']);

describe('curated real queries', () => {
  const queries = loadCorpus('curated-100.jsonl');

  it('loads the whole curated set', () => {
    expect(queries.length).toBeGreaterThanOrEqual(100);
  });

  it.each(queries.map((q) => [q.id, q.query_vars_as_star] as const))(
    '%s parses without syntax errors',
    (_id, text) => {
      const { query, diagnostics } = parseQuery(text);
      const syntax = diagnostics.filter((d) => d.severity === 'error' && !UNSUPPORTED.has(d.code));
      expect(syntax).toEqual([]);
      expect(query).toBeDefined();
    },
  );
});
