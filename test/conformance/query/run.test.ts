/**
 * Runs the conformance cases against the streaming interpreter. The SQL engine will reuse
 * `loadConformanceCases`, `buildInputRows`, `caseContext` and `compareRows` from ./cases.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Query } from '../../../src/query/ast.js';
import { parseQuery } from '../../../src/query/index.js';
import { compileQuery, orderFields, type Row } from '../../../src/query/interpreter/index.js';
import { buildInputRows, caseContext, compareRows, loadConformanceCases, type ConformanceCase } from './cases.js';

const cases = loadConformanceCases();

interface CaseResult {
  diagnostics: { code: string; message: string }[];
  rows: Row[];
  aggregated: boolean;
  fields: string[];
}

/** Rows inside [from, to) — what the store would hand the interpreter for that range. */
function inRange(rows: readonly Row[], from: number | undefined, to: number | undefined): Row[] {
  if (from === undefined || to === undefined) return [...rows];
  return rows.filter((r) => typeof r._messageTime === 'number' && r._messageTime >= from && r._messageTime < to);
}

async function runCase(c: ConformanceCase): Promise<CaseResult> {
  const { query, diagnostics } = parseQuery(c.query);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || query === undefined) return { diagnostics: errors, rows: [], aggregated: false, fields: [] };
  const input = buildInputRows(c);
  const base = caseContext(c);
  const ctx = {
    ...base,
    // compare: the case input holds the current and the earlier data; a shifted run searches
    // the shifted range of it.
    runShifted: async (shiftMs: number, q: Query): Promise<Row[]> => {
      const from = base.from === undefined ? undefined : base.from - shiftMs;
      const to = base.to === undefined ? undefined : base.to - shiftMs;
      const sub = compileQuery(q, { ...base, from, to });
      if (!sub.ok) return [];
      const rows: Row[] = [];
      for await (const r of sub.value.run(inRange(input, from, to))) rows.push(r);
      return rows;
    },
  };
  const compiled = compileQuery(query, ctx);
  if (!compiled.ok) return { diagnostics: compiled.error, rows: [], aggregated: false, fields: [] };
  const rows: Row[] = [];
  for await (const r of compiled.value.run(inRange(input, base.from, base.to))) rows.push(r);
  return { diagnostics: [], rows, aggregated: compiled.value.aggregated, fields: orderFields(rows, compiled.value.aggregated) };
}

describe('query conformance (interpreter)', () => {
  it('has at least 200 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });
  for (const c of cases) {
    it(`${c.file ?? ''}: ${c.name}`, async () => {
      const result = await runCase(c);
      if (c.expectedDiagnostics !== undefined) {
        expect(result.diagnostics.length, `expected diagnostics for ${c.query}`).toBeGreaterThan(0);
        for (const want of c.expectedDiagnostics) {
          const hit = result.diagnostics.some(
            (d) =>
              (want.code === undefined || d.code === want.code) &&
              (want.messageIncludes === undefined || d.message.toLowerCase().includes(want.messageIncludes.toLowerCase())),
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
