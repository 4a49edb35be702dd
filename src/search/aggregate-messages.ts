/**
 * The messages of an aggregate search: those of the query's part before its first aggregate (the
 * scope and the per-message operators), as Sumo Logic lists them beside the records. The
 * interpreter is the spec: the messages of `X | count by a` are the messages of `X`.
 */
import type { Query, Stage } from '../query/ast.js';
import type { Row } from '../query/interpreter/index.js';
import type { PushdownPlan } from '../query/plan/plan.js';

/** Where the stages start reading records: the first aggregate or `top` (-1: never). */
export function firstAggregateAt(query: Query): number {
  return query.stages.findIndex((s) => s.kind === 'Aggregate' || s.kind === 'Top');
}

/** The query's messages part: its scope and the stages before the first aggregate. */
export function messagesPart(query: Query): Query {
  const at = firstAggregateAt(query);
  return at < 0 ? query : { ...query, stages: query.stages.slice(0, at) };
}

/** Stages that read the last timeslice's size and field as the compiler saw it before them. */
const READS_TIMESLICE = new Set<Stage['kind']>(['FillMissing', 'Compare', 'Predict', 'Outlier']);
/** Parse stages (a parse without nodrop chains with a `nodrop` one before it). */
const PARSES = new Set<Stage['kind']>(['Parse', 'ParseRegex', 'Json', 'KeyValue', 'Csv', 'Split']);
/** Stages that pass rows on without writing fields (a timeslice before them still holds). */
const WRITES_NOTHING = new Set<Stage['kind']>(['Where', 'Limit', 'Dedup', 'Sort']);

/** A query cut before its first aggregate (see splitAtAggregate). */
export interface AggregateSplit {
  /** the messages part: the scope and the stages before the first aggregate */
  messages: Query;
  /** the rest, to run over the messages part's output (no scope) */
  aggregate: Query;
  /**
   * The query that a `compare` in `aggregate` re-runs over an earlier range, from the one its
   * compile names (a prefix of `aggregate`): the same prefix of the whole query.
   */
  wholePrefix: (prefix: Query) => Query;
}

/**
 * The query cut before its first aggregate, where the part from the aggregate on compiles alone as
 * it does after the messages part, so the messages part's output can be read on its way to the
 * aggregate. What the compiler carries across the cut is restored: the last timeslice's size and
 * field, which fillmissing, compare, predict and outlier read, by running that timeslice again at
 * the head of the rest (it writes the value it wrote, when only stages that write no field
 * followed it), and the query compare re-runs (`wholePrefix`). Undefined where that cannot be
 * done — a timeslice followed by stages that write fields, a parse after the aggregate chained to
 * a `nodrop` parse before it — or there is no aggregate.
 */
export function splitAtAggregate(query: Query): AggregateSplit | undefined {
  const at = firstAggregateAt(query);
  if (at < 0) return undefined;
  const head = query.stages.slice(0, at);
  const tail = query.stages.slice(at);
  if (
    tail.some((s) => PARSES.has(s.kind)) &&
    head.some((s) => PARSES.has(s.kind) && 'nodrop' in s && s.nodrop)
  )
    return undefined;
  let carried: Stage[] = [];
  const lastSlice = head.map((s) => s.kind).lastIndexOf('Timeslice');
  if (lastSlice >= 0 && tail.some((s) => READS_TIMESLICE.has(s.kind))) {
    if (!head.slice(lastSlice + 1).every((s) => WRITES_NOTHING.has(s.kind))) return undefined;
    carried = [head[lastSlice] as Stage];
  }
  return {
    messages: { ...query, stages: head },
    aggregate: { ...query, scope: undefined, stages: [...carried, ...tail] },
    wholePrefix: (prefix) => ({ ...query, stages: [...head, ...prefix.stages.slice(carried.length)] }),
  };
}

/**
 * The plan with the WHERE of the rows its aggregate groups: the range and scope and, when the plan
 * pushed `parse regex` or `where` stages, their conditions too — the messages of the query's
 * messages part (plan.ts keeps it as the aggregate's `parts.where`). A plan without it (the
 * rollup form, a messages plan) is returned as it is.
 */
export function groupedRowsPlan(plan: PushdownPlan): PushdownPlan {
  const where = plan.aggregate?.parts?.where;
  return where === undefined ? plan : { ...plan, where };
}

/**
 * Hands copies of `input`'s batches to `observe` (one more pipeline, run alongside), and the
 * batches themselves to whoever reads `batches`; `done` settles once `observe` has read them all
 * (or stopped early). At most two batches wait for `observe`, so memory stays bounded.
 */
export function teeBatches(
  input: AsyncIterable<Row[]>,
  observe: (copies: AsyncIterable<Row[]>) => Promise<void>,
): { batches: AsyncIterable<Row[]>; done: Promise<void> } {
  const queue: Row[][] = [];
  let ended = false;
  let stopped = false;
  let wakeReader: (() => void) | undefined;
  let wakeWriter: (() => void) | undefined;
  const wake = (): void => {
    wakeReader?.();
    wakeReader = undefined;
  };
  async function* copies(): AsyncGenerator<Row[]> {
    for (;;) {
      const batch = queue.shift();
      if (batch !== undefined) {
        wakeWriter?.();
        wakeWriter = undefined;
        yield batch;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wakeReader = resolve));
    }
  }
  const done = observe(copies()).finally(() => {
    stopped = true;
    wakeWriter?.();
  });
  // Awaited by the caller; this keeps an early failure from going unhandled meanwhile.
  done.catch(() => undefined);
  async function* batches(): AsyncGenerator<Row[]> {
    try {
      for await (const batch of input) {
        if (!stopped) {
          // Stages write fields into their rows: the observer gets rows of its own.
          queue.push(batch.map((row) => ({ ...row })));
          wake();
          while (queue.length > 2 && !stopped) await new Promise<void>((resolve) => (wakeWriter = resolve));
        }
        yield batch;
      }
    } finally {
      ended = true;
      wake();
    }
  }
  return { batches: batches(), done };
}
