/** The EXPLAIN view of a search: the SQL the store runs, its parameters, and what runs in JS. */
import type { Query } from '../../query/ast.js';
import { printQuery, printStage } from '../../query/printer.js';
import type { LogStore, StoreEngine } from '../../store/log-store.js';
import { clickhouseDialect } from '../../query/sql/dialect.js';
import type { Sql } from '../../query/sql/tree.js';
import type { PushdownCapabilities } from '../../query/plan/capabilities.js';
import { engineContext } from './engine-context.js';
import { histogramBucketMs, histogramSql, messagePageSql } from '../../query/plan/statements.js';
import { FIRST_PAGE } from './execute.js';
import { planQuery, type PushdownPlan } from '../../query/plan/plan.js';
import { worthRollup } from '../../query/plan/rollup.js';

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
  ctx: {
    from: number;
    to: number;
    timeZone: string;
    byReceiptTime: boolean;
    engine: StoreEngine;
    /** the store, for its full-text index narrowing (without it, statements show none) */
    store?: Pick<LogStore, 'textIndexPredicate'>;
    slicing?: Omit<Slicing, 'sliced'>;
  },
): Explanation {
  const { caps, index, minuteCounts } = engineContext(ctx.engine, true, ctx.store);
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
  const add = (purpose: string, statement: Sql): void => {
    statements.push({ purpose, ...clickhouseDialect.render(statement) });
  };
  if (plan.kind === 'aggregate' && plan.aggregate !== undefined) {
    if (plan.aggregate.rollup) {
      const what = plan.aggregate.withHistogram ? 'records, histogram and message count' : 'records (the histogram and message count are summed from the slices)';
      add(`${what}, from the per-minute counts (whole minutes) and the rows (partial minutes at the ends)`, plan.aggregate.statement);
    } else if (plan.aggregate.withHistogram) {
      add('records, histogram and message count (grouping sets)', plan.aggregate.statement);
    } else if (plan.aggregate.histogramFromRecords !== undefined) {
      add('records (the histogram and message count are summed from the slices)', plan.aggregate.statement);
    } else {
      add('records', plan.aggregate.statement);
      add('histogram and message count', histogramSql(plan, histogramBucketMs(ctx.from, ctx.to), ctx.timeZone, ctx.from));
    }
  } else {
    const settings = plan.pageSettings ? `; with ${Object.entries(plan.pageSettings).map(([k, v]) => `${k} = ${v}`).join(', ')}` : '';
    add(
      `messages, newest first (first page of ${FIRST_PAGE}; a full page's last millisecond is read whole by one more statement; later pages add ts < that millisecond${settings})`,
      messagePageSql(plan, FIRST_PAGE, undefined),
    );
  }
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
