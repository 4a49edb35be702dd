/** The EXPLAIN view of a search: the SQL the store runs, its parameters, and what runs in JS. */
import type { Query } from '../../query/ast.js';
import { printQuery, printStage } from '../../query/printer.js';
import { sizeForBuckets } from '../../query/interpreter/timeslice.js';
import type { StoreEngine } from '../../store/log-store.js';
import { TARGET_BUCKETS } from '../histogram.js';
import type { PushdownCapabilities } from './capabilities.js';
import { engineContext } from './engine-context.js';
import { FIRST_PAGE, histogramSql, messagePageSql } from './execute.js';
import { planQuery, type PushdownPlan } from './plan.js';
import { withUsedParams } from './sql.js';
import { worthRollup } from './rollup.js';

export interface ExplainStatement {
  purpose: string;
  sql: string;
  params: Record<string, string | number>;
}

export interface Explanation {
  query: string;
  engine: StoreEngine;
  capabilities: PushdownCapabilities;
  kind: PushdownPlan['kind'];
  /** pushed into SQL: the scope (when exact) and the first N stages */
  pushed: string[];
  /** what the interpreter runs over the SQL results, in order */
  javascript: string[];
  stoppedBecause: string | undefined;
  statements: ExplainStatement[];
  /** whether the statements run once or per time slice (pushdown/slices.ts), when the store's rows are known */
  slicing?: Slicing;
}

/** How the range divides into time slices: rows in it (estimated from part metadata) and rows per slice. */
export interface Slicing {
  estimatedRows: number;
  sliceRows: number;
  sliced: boolean;
}

/** Explains how a search would run (no query is executed). */
export function explainSearch(
  query: Query,
  ctx: { from: number; to: number; timeZone: string; byReceiptTime: boolean; engine: StoreEngine; slicing?: Omit<Slicing, 'sliced'> },
): Explanation {
  const { caps, index, minuteCounts } = engineContext(ctx.engine);
  // As a search decides (search-job.ts); without a row estimate, as if the range were large.
  const rollup = minuteCounts && (ctx.slicing === undefined || worthRollup(ctx.slicing.estimatedRows, ctx.from, ctx.to));
  const plan = planQuery(query, { ...ctx, caps, index, minuteCounts: rollup });
  const pushed: string[] = ['time range'];
  if (query.scope !== undefined) pushed.push(plan.scopeExact ? 'scope' : 'scope (narrowing only; re-checked in JS)');
  pushed.push(...plan.pushed.map(printStage));
  const javascript: string[] = [];
  if (plan.rest.scope !== undefined) javascript.push(`scope: ${printQuery({ ...plan.rest, stages: [] })}`);
  javascript.push(...plan.rest.stages.map(printStage));
  const statements: ExplainStatement[] = [];
  if (plan.kind === 'aggregate' && plan.aggregate !== undefined) {
    if (plan.aggregate.rollup) {
      const what = plan.aggregate.withHistogram ? 'records, histogram and message count' : 'records (the histogram and message count are summed from the slices)';
      statements.push({ purpose: `${what}, from the per-minute counts (whole minutes) and the rows (partial minutes at the ends)`, sql: plan.aggregate.sql, params: plan.params });
    } else if (plan.aggregate.withHistogram) {
      statements.push({ purpose: 'records, histogram and message count (grouping sets)', sql: plan.aggregate.sql, params: plan.params });
    } else if (plan.aggregate.histogramFromRecords !== undefined) {
      statements.push({ purpose: 'records (the histogram and message count are summed from the slices)', sql: plan.aggregate.sql, params: plan.params });
    } else {
      statements.push({ purpose: 'records', sql: plan.aggregate.sql, params: plan.params });
      const h = histogramSql(plan, sizeForBuckets(Math.max(1, ctx.to - ctx.from), TARGET_BUCKETS), ctx.timeZone, ctx.from);
      statements.push({ purpose: 'histogram and message count', ...h });
    }
  } else {
    const settings = plan.pageSettings ? `; with ${Object.entries(plan.pageSettings).map(([k, v]) => `${k} = ${v}`).join(', ')}` : '';
    statements.push({
      purpose: `messages, newest first (first page of ${FIRST_PAGE}; a full page's last millisecond is read whole by one more statement; later pages add ts < that millisecond${settings})`,
      ...messagePageSql(plan, FIRST_PAGE, undefined),
    });
  }
  // Show each statement with the parameters it names (the plan's serve all of its statements).
  for (const s of statements) s.params = withUsedParams(s).params;
  return {
    query: printQuery(query),
    engine: ctx.engine,
    capabilities: caps,
    kind: plan.kind,
    pushed,
    javascript,
    stoppedBecause: plan.stoppedBecause,
    statements,
    // The rollup form reads per-minute counts: it always runs as one statement.
    ...(ctx.slicing === undefined ? {} : { slicing: { ...ctx.slicing, sliced: plan.aggregate?.rollup !== true && ctx.slicing.estimatedRows > ctx.slicing.sliceRows } }),
  };
}

function slicingLine(s: Slicing): string {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  if (!s.sliced) return `one run of the statements below (about ${n(s.estimatedRows)} rows in range; slices above ${n(s.sliceRows)})`;
  return (
    `time slices, newest first: about ${n(s.estimatedRows)} rows in range, the first slice ${n(s.sliceRows)} rows; ` +
    'each statement below runs per slice with the time column bounded to it (aggregates as partial states, merged at the end)'
  );
}

/** The explanation as text (CLI). */
export function renderExplanation(e: Explanation): string {
  const lines = [
    `query:   ${e.query}`,
    `engine:  ${e.engine.engine} ${e.engine.version}`,
    `plan:    ${e.kind}`,
    `pushed:  ${e.pushed.join(' | ')}`,
    `in JS:   ${e.javascript.length === 0 ? '(nothing)' : e.javascript.join(' | ')}`,
  ];
  if (e.stoppedBecause !== undefined) lines.push(`stopped: ${e.stoppedBecause}`);
  if (e.slicing !== undefined) lines.push(`slices:  ${slicingLine(e.slicing)}`);
  for (const s of e.statements) {
    lines.push('', `-- ${s.purpose}`, s.sql, `-- params: ${JSON.stringify(s.params)}`);
  }
  return lines.join('\n');
}
