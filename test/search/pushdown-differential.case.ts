/**
 * Pushdown ≡ interpreter over the conformance cases, for one store engine: every case is stored
 * and searched twice — with the planner pushing what the engine's capabilities allow, and by the
 * interpreter over store.scan — and the results must be equal (in order when the case orders them).
 * Run on every engine: pushdown-differential*.test.ts.
 */
import { clickhouseDialect } from '../../src/query/sql/dialect.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery, hasErrors } from '../../src/query/index.js';
import { compileQuery } from '../../src/query/interpreter/index.js';
import { engineContext } from '../../src/search/pushdown/engine-context.js';
import { planQuery } from '../../src/query/plan/plan.js';
import type { LogStore, StoreEngine } from '../../src/store/log-store.js';
import { compareRows, loadConformanceCases } from '../conformance/query/cases.js';
import { appendCases, rangeOf, runJob, withinCollector } from './pushdown-support.js';
import type { TempStore } from '../support/temp-store.js';

const cases = loadConformanceCases().filter((c) => c.expectedDiagnostics === undefined && !hasErrors(parseQuery(c.query).diagnostics));

export function describePushdownDifferential(engineName: string, open: () => Promise<TempStore>): void {
  describe(`pushdown ≡ interpreter over the conformance cases (${engineName})`, () => {
    let temp: TempStore;
    let store: LogStore;
    let engine: StoreEngine;
    const reach = { aggregate: 0, messagesExactScope: 0, messagesJsScope: 0 };

    beforeAll(async () => {
      temp = await open();
      store = temp.store;
      engine = await store.engine();
      await appendCases(store, cases);
    }, 120_000);
    afterAll(async () => {
      await temp.dispose();
      console.log(`pushdown reach over ${cases.length} cases on ${engineName} (${engine.engine} ${engine.version}): ${JSON.stringify(reach)}`);
    });

    it('has the conformance cases', () => {
      expect(cases.length).toBeGreaterThan(200);
    });

    cases.forEach((c, i) => {
      it(`${c.file ?? ''}: ${c.name}`, async () => {
        const query = withinCollector(parseQuery(c.query).query!, `case-${i}`);
        const range = rangeOf(c);
        if (!compileQuery(query, { ...range, now: Date.now() }).ok) return;
        const plan = planQuery(query, { ...range, byReceiptTime: false, ...engineContext(engine) });
        if (plan.kind === 'aggregate') reach.aggregate++;
        else if (plan.scopeExact) reach.messagesExactScope++;
        else reach.messagesJsScope++;
        const reference = await runJob(store, query, range, false);
        const pushed = await runJob(store, query, range, true);
        expect(pushed.errors).toEqual(reference.errors);
        expect(pushed.aggregated).toBe(reference.aggregated);
        const problem = compareRows({ ...c, expected: reference.rows, ordered: c.ordered === true }, pushed.rows, reference.aggregated);
        expect(problem, `${c.query}\nplan: ${plan.kind} ${clickhouseDialect.render(plan.where).sql}\n${problem ?? ''}`).toBeNull();
        expect(pushed.messageCount).toBe(reference.messageCount);
        expect(pushed.histogram).toEqual(reference.histogram);
      });
    });
  });
}
