/**
 * Sliced ≡ interpreter: every conformance case runs as three time slices (messages slice by slice,
 * histograms added up, aggregates as partial states merged at the end) and must equal the
 * interpreter over the same rows. The store's row spans are replaced by one even span over the
 * case's range so each case really splits in three.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery, hasErrors } from '../../src/query/index.js';
import { compileQuery } from '../../src/query/interpreter/index.js';
import { engineContext } from '../../src/search/pushdown/engine-context.js';
import { planQuery } from '../../src/query/plan/plan.js';
import type { LogStore } from '../../src/store/log-store.js';
import { compareRows, loadConformanceCases } from '../conformance/query/cases.js';
import { appendCases, rangeOf, runJob, withinCollector } from './pushdown-support.js';
import { openTempStore, type TempStore } from '../support/temp-store.js';

const cases = loadConformanceCases().filter((c) => c.expectedDiagnostics === undefined && !hasErrors(parseQuery(c.query).diagnostics));


describe('sliced execution ≡ interpreter over the conformance cases', () => {
  let temp: TempStore;
  let store: LogStore;

  beforeAll(async () => {
    temp = await openTempStore('sliced');
    store = temp.store;
    await appendCases(store, cases);
  }, 60_000);
  afterAll(async () => {
    await temp.dispose();
  });

  cases.forEach((c, i) => {
    it(`${c.file ?? ''}: ${c.name}`, async () => {
      const query = withinCollector(parseQuery(c.query).query!, `case-${i}`);
      const range = rangeOf(c);
      if (!compileQuery(query, { ...range, now: Date.now() }).ok) return;
      // Three rows' worth of range, one row per slice: three slices of equal time.
      let staged = 0;
      const thirds: LogStore = {
        ...store,
        rowSpans: () => Promise.resolve([{ from: range.from, to: range.to, rows: 3 }]),
        stage: (...args) => {
          staged++;
          return store.stage(...args);
        },
      };
      const reference = await runJob(store, query, range, false);
      const sliced = await runJob(thirds, query, range, true, { rows: 1, targetMs: 0 });
      expect(sliced.errors).toEqual(reference.errors);
      expect(sliced.aggregated).toBe(reference.aggregated);
      const problem = compareRows({ ...c, expected: reference.rows, ordered: c.ordered === true }, sliced.rows, reference.aggregated);
      expect(problem, `${c.query}\n${problem ?? ''}`).toBeNull();
      expect(sliced.messageCount).toBe(reference.messageCount);
      expect(sliced.histogram).toEqual(reference.histogram);
      // A pushed aggregate really ran as three partial statements.
      const plan = planQuery(query, { ...range, byReceiptTime: false, ...engineContext(await store.engine()) });
      if (plan.kind === 'aggregate') expect(staged).toBeGreaterThanOrEqual(Math.min(3, range.to - range.from));
    });
  });
});
