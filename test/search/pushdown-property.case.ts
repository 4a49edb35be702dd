/**
 * Pushdown ≡ interpreter on random data, for one store engine: fast-check generates rows (mixed
 * case, punctuation, letters whose case folding is special, custom fields, numbers) and random
 * scopes and pipelines; each run stores its rows in the engine's store and searches them both ways.
 * Run on every engine: pushdown-property*.test.ts.
 */
import { clickhouseDialect } from '../../src/query/sql/dialect.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/query/index.js';
import type { Row } from '../../src/query/interpreter/index.js';
import { engineContext } from '../../src/search/pushdown/engine-context.js';
import { planQuery } from '../../src/query/plan/plan.js';
import type { LogStore, StoreEngine } from '../../src/store/log-store.js';
import { compareRows, type ConformanceCase } from '../conformance/query/cases.js';
import { encodeRows, runJob, withinCollector } from './pushdown-support.js';
import type { TempStore } from '../support/temp-store.js';

const T0 = Date.UTC(2026, 0, 5, 10);
const WORDS = ['error', 'Error', 'ERROR', 'warn', 'db-1', 'user_id', 'kafka', 'Sumo', 'ſumo', '\u212Aafka', 'été', 'ÉTÉ', 'x', '日本', 'com.acme.svc'];
const SEPS = [' ', '  ', '-', '.', ',', '"', '=', '\t', '\u00a0', '/', ''];
const CATEGORIES = ['prod/web', 'prod/api', 'Prod/Web', 'staging/web'];
const HOSTS = ['web-1', 'web-2', 'db-1'];

const message = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPS)), { minLength: 1, maxLength: 6 }), fc.option(fc.integer({ min: 0, max: 999 })))
  .map(([parts, latency]) => parts.map(([w, s]) => w + s).join('') + (latency === null ? '' : ` latency_ms=${latency}`));

const row = fc.record({
  _raw: message,
  offset: fc.integer({ min: 0, max: 3 * 3_600_000 }),
  _sourceCategory: fc.constantFrom(...CATEGORIES),
  _sourceHost: fc.constantFrom(...HOSTS),
  team: fc.option(fc.constantFrom('pay', 'Pay', 'search', ''), { nil: undefined }),
  code: fc.option(fc.constantFrom('200', ' 404 ', 'x1', '1e3', '-2.5'), { nil: undefined }),
});

const term = fc.oneof(
  fc.constantFrom(...WORDS).map((w) => (/^[\w.-]+$/.test(w) ? w : `"${w}"`)),
  fc.constantFrom('err*', '*rror', 'e?ror', 'com.*.svc', 'db*', '"error warn"', '"error  warn"', '"x error"', 'kafka', 'sumo', '日本'),
  fc.constantFrom('_sourceCategory=prod/*', '_sourceCategory=prod/web', '_sourcehost=WEB-1', 'team=pay', 'team!=pay', 'team=*', 'code=" 404 "', '_sourceCategory="prod/*"'),
);

const scope: fc.Arbitrary<string> = fc.letrec<{ scope: string; and: string; or: string; not: string }>((tie) => ({
  scope: fc.oneof({ depthSize: 'small', withCrossShrink: true }, term, tie('and'), tie('or'), tie('not')),
  and: fc.tuple(tie('scope'), tie('scope')).map(([a, b]) => `(${a} ${b})`),
  or: fc.tuple(tie('scope'), tie('scope')).map(([a, b]) => `(${a} OR ${b})`),
  not: tie('scope').map((a) => `!${a}`),
})).scope;

const pipeline = fc.constantFrom(
  '',
  '| count',
  '| count by _sourceCategory',
  '| count by _sourcecategory, team | sort by _count',
  '| count(team), count_distinct(team) by _sourceHost',
  '| timeslice 15m | count by _timeslice',
  '| timeslice 1h | count by _timeslice, _sourceHost | sort by _timeslice asc',
  '| sum(code), avg(code), min(code), max(code) by team',
  '| parse regex "latency_ms=(?<latency>\\d+)" | avg(latency), pct(latency, 50, 95), max(latency) by _sourceHost',
  '| parse regex "(?<word>[a-z]+)-(?<n>\\d)" | count by word, n',
  '| parse regex "latency_ms=(?<latency>\\d+)" | median(latency) | where _median > 100',
  '| where team = "pay"',
  '| where team = "pay" | count by _sourceHost',
  '| where code = 404 or code != "x1" | count by code',
  '| where !(code > 100) and _size >= 20 | count by _sourceCategory',
  '| parse regex "latency_ms=(?<l>\\d+)" | where l < 500 | count by _sourceHost',
  '| timeslice 1h | where _timeslice > 0 | count by _timeslice',
  // Slices that nest in the 2-minute histogram buckets: the histogram is summed from the records.
  '| timeslice 1m | count by _timeslice',
  '| timeslice 2m | count by _sourceHost, _timeslice',
  '| timeslice 30s | count as n, max(code) by _timeslice | sort by n',
  '| where code = "1000" | count',
  '| parse "latency_ms=*" as l | count by l',
  // top that counts pushes its count and ranks in JS; by a field it ranks messages in JS.
  '| top 2 _sourceCategory',
  '| top 3 team, _sourceHost by count',
  '| top 2 _sourcehost by _count asc',
  '| parse regex "(?<word>[a-z]+)-(?<n>\\d)" | top 2 word by count, word asc',
  '| where team = "pay" | top 1 _sourceHost by _count | limit 1',
  '| top 3 _sourceHost by _messagetime',
  '| count by team | sort by team | top 2 team by count',
);

/** Runs the property on `open()`'s store, `numRuns` times (QUARRY_PROPERTY_RUNS overrides). */
export function describePushdownProperty(engineName: string, open: () => Promise<TempStore>, defaultRuns = 150): void {
  const numRuns = Number(process.env.QUARRY_PROPERTY_RUNS ?? defaultRuns);
  describe(`pushdown ≡ interpreter on random rows and queries (fast-check, ${engineName})`, () => {
    let temp: TempStore;
    let store: LogStore;
    let engine: StoreEngine;
    let run = 0;
    const reach = { aggregate: 0, messages: 0 };
    beforeAll(async () => {
      temp = await open();
      store = temp.store;
      engine = await store.engine();
    }, 120_000);
    afterAll(async () => {
      await temp.dispose();
      console.log(`random queries pushed: ${JSON.stringify(reach)}`);
    });

    it('gives the same results both ways', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(row, { maxLength: 25 }), fc.option(scope, { nil: '' }), pipeline, fc.constantFrom('UTC', '+05:30', 'Europe/Berlin', 'Asia/Kathmandu'), fc.constantFrom(0, 37_500, 90_001), async (rows, sc, pipe, timeZone, fromShift) => {
          const collector = `run-${run++}`;
          const input: Row[] = rows.map((r) => {
            const out: Row = { _raw: r._raw, _messageTime: T0 + r.offset, _sourceCategory: r._sourceCategory, _sourceHost: r._sourceHost, _sourceName: 'prop' };
            if (r.team !== undefined) out.team = r.team;
            if (r.code !== undefined) out.code = r.code;
            return out;
          });
          if (input.length > 0) await store.append(encodeRows(input, collector));
          const text = `${sc} ${pipe}`.trim() || '*';
          const parsed = parseQuery(text);
          expect(parsed.query, text).toBeDefined();
          const query = withinCollector(parsed.query!, collector);
          // A shifted start cuts the first slice and histogram bucket (rows before it are outside).
          const range = { from: T0 + fromShift, to: T0 + 4 * 3_600_000, timeZone };
          const plan = planQuery(query, { ...range, byReceiptTime: false, ...engineContext(engine) });
          reach[plan.kind]++;
          const reference = await runJob(store, query, range, false);
          const pushed = await runJob(store, query, range, true);
          expect(pushed.errors, text).toEqual(reference.errors);
          const ordered = /sort by|top /.test(pipe);
          const c = { name: text, query: text, input: [], expected: reference.rows, ordered } as unknown as ConformanceCase;
          let problem = compareRows(c, pushed.rows, reference.aggregated);
          // Rows that tie on every sort key may come in either order (Sumo leaves it open, and SQL
          // and JS group in different orders): then the same rows, in the same order of sort keys, agree.
          const keys = tieKeys(pipe);
          if (problem !== null && keys !== undefined) {
            const sameRows = compareRows({ ...c, ordered: false }, pushed.rows, reference.aggregated);
            const project = (rows: readonly Row[]) => rows.map((r) => keys.map((k) => r[k] ?? null));
            if (sameRows === null && JSON.stringify(project(pushed.rows)) === JSON.stringify(project(reference.rows))) problem = null;
          }
          expect(problem, `${text}\n${clickhouseDialect.render(plan.where).sql}\n${problem ?? ''}`).toBeNull();
          expect(pushed.messageCount, text).toBe(reference.messageCount);
          expect(pushed.histogram, text).toEqual(reference.histogram);
        }),
        { numRuns, endOnFailure: true },
      );
    }, 600_000);
  });
}

/** The keys of a pipeline's final `sort by` when nothing after it picks rows (a `top` or `limit` would). */
function tieKeys(pipe: string): string[] | undefined {
  const stages = pipe.split('|').map((stage) => stage.trim());
  const last = stages[stages.length - 1] ?? '';
  const m = /^sort by (.+)$/.exec(last);
  if (m === null) return undefined;
  return m[1]!.split(',').map((key) => key.trim().split(/\s+/)[0]!);
}
