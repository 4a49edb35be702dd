/**
 * Runs the conformance cases against the streaming interpreter. The SQL engine will reuse
 * `loadConformanceCases`, `buildInputRows`, `caseContext` and `compareRows` from ./cases.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/query/index.js';
import { compileQuery } from '../../../src/query/interpreter/index.js';
import type { Row } from '../../../src/query/interpreter/index.js';
import { buildInputRows, caseContext, compareRows, loadConformanceCases, type ConformanceCase } from './cases.js';

const cases = loadConformanceCases();

async function runCase(c: ConformanceCase): Promise<{ diagnostics: { code: string; message: string }[]; rows: Row[]; aggregated: boolean; fields: string[] }> {
  const { query, diagnostics } = parseQuery(c.query);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { diagnostics: errors, rows: [], aggregated: false, fields: [] };
  const input = buildInputRows(c);
  const base = caseContext(c);
  const ctx = {
    ...base,
    // compare: re-run the prefix over the same input with the range shifted back; the case input
    // holds both the current and the earlier data.
    runShifted: async (shiftMs: number, q: typeof query): Promise<Row[]> => {
      const sub = compileQuery(q, { ...base, from: (base.from ?? 0) - shiftMs, to: (base.to ?? 0) - shiftMs });
      if (!sub.ok) return [];
      const from = (base.from ?? 0) - shiftMs;
      const to = (base.to ?? 0) - shiftMs;
      const rows: Row[] = [];
      const inRange = input.filter((r) => typeof r._messageTime === 'number' && r._messageTime >= from && r._messageTime < to);
      for await (const r of sub.value.run(inRange)) rows.push(r);
      return rows;
    },
  };
  const compiled = compileQuery(query, ctx);
  if (!compiled.ok) return { diagnostics: compiled.error, rows: [], aggregated: false, fields: [] };
  const rows: Row[] = [];
  // With a range, only rows inside it are searched (as the store would do).
  const searched = base.from !== undefined && base.to !== undefined ? input.filter((r) => typeof r._messageTime === 'number' && r._messageTime >= (base.from as number) && r._messageTime < (base.to as number)) : input;
  for await (const r of compiled.value.run(searched)) rows.push(r);
  const { orderFields } = await import('../../../src/query/interpreter/index.js');
  return { diagnostics: [], rows, aggregated: compiled.value.aggregated, fields: orderFields(rows, compiled.value.aggregated) };
}

describe('query conformance (interpreter)', () => {
  it('has at least 200 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });
  for (const c of cases) {
    it(`${c.file}: ${c.name}`, async () => {
      const result = await runCase(c);
      if (c.expectedDiagnostics !== undefined) {
        expect(result.diagnostics.length, `expected diagnostics for ${c.query}`).toBeGreaterThan(0);
        for (const want of c.expectedDiagnostics) {
          const hit = result.diagnostics.some(
            (d) => (want.code === undefined || d.code === want.code) && (want.messageIncludes === undefined || d.message.toLowerCase().includes(want.messageIncludes.toLowerCase())),
          );
          expect(hit, `no diagnostic like ${JSON.stringify(want)} in ${JSON.stringify(result.diagnostics)}`).toBe(true);
        }
        return;
      }
      expect(result.diagnostics, c.query).toEqual([]);
      const problem = compareRows(c, result.rows, result.aggregated);
      expect(problem, `${c.query}\n${problem ?? ''}`).toBeNull();
      if (c.expectedFields !== undefined) expect(result.fields).toEqual(c.expectedFields);
    });
  }
});
