/**
 * Robustness: every fifth real query of the shared corpus that parses and compiles must run over
 * a mixed sample (Apache, CloudTrail JSON, key=value) without throwing. Results are not checked.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/query/index.js';
import { compileQuery, type Row } from '../../../src/query/interpreter/index.js';
import { SHARED_DATA as DATA } from './cases.js';

describe('real query corpus over sample data', () => {
  it('runs without throwing', { timeout: 120_000 }, async () => {
    const queries = readFileSync(`${DATA}/sumo-queries/all-log-queries.jsonl`, 'utf8')
      .split('\n')
      .filter((l, i) => l !== '' && i % 5 === 0)
      .map((l) => (JSON.parse(l) as { query: string }).query);
    const lines = [
      ...readFileSync(`${DATA}/http-access/elastic-apache/apache_logs`, 'utf8').split('\n').slice(0, 100),
      ...readFileSync(`${DATA}/cloudtrail/awsdocs-cloudtrail-events.jsonl`, 'utf8').split('\n').filter(Boolean),
      'a=1 b=2 status=500 user=bob',
      '{"level":"error","msg":"x","latency":12}',
    ];
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    const input: Row[] = lines.map((l, i) => ({ _raw: l, _messageTime: t0 + i * 60_000, _receiptTime: t0, _sourceCategory: 'prod/web', _sourceHost: 'h1', _sourceName: 'f' }));
    const ctx = { timeZone: 'UTC', now: t0 + 3_600_000, from: t0, to: t0 + 3_600_000, runShifted: () => Promise.resolve([]) };
    let ran = 0;
    const failures: string[] = [];
    for (const q of queries) {
      const parsed = parseQuery(q);
      if (parsed.query === undefined || parsed.diagnostics.some((d) => d.severity === 'error')) continue;
      const compiled = compileQuery(parsed.query, ctx);
      if (!compiled.ok) continue;
      try {
        for await (const row of compiled.value.run(input)) void row;
        ran++;
      } catch (e) {
        failures.push(`${q.slice(0, 120)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThan(2000);
  });
});
