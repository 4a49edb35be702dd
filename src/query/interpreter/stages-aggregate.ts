/** Compilers of grouping stages: aggregates with `by` groups, count_frequent, top. */
import type { AggregateStage, Aggregation, Expr, TopStage } from '../ast.js';
import { compileAggregate as compileAggregateSpec, type AggregateSpec } from './aggregates/index.js';
import { InterpreterCode } from './diagnostics.js';
import { compileExpr, fieldNameOf, readField, type Evaluator } from './expressions.js';
import { sortRows } from './series/sort.js';
import { topForm } from './top-form.js';
import { bufferingStage, type CompileState, type StagePlan } from './stage.js';
import { extendRow, groupKeyPart, setKeyOrder, toNumber, type Row, type Value } from './values.js';

/** count_frequent returns at most this many groups (Sumo's documented limit). */
export const COUNT_FREQUENT_MAX = 10_000;

const NO_ARGS: readonly Value[] = [];

interface CompiledAgg {
  spec: AggregateSpec;
  args: Evaluator[];
}

function literalNumber(e: Expr): number | undefined {
  if (e.kind === 'NumberLiteral') return e.value;
  if (e.kind === 'Unary' && e.operator === '-' && e.operand.kind === 'NumberLiteral') return -e.operand.value;
  return undefined;
}

/**
 * Groups rows by key values and feeds one accumulator per aggregation per group. Memory is
 * bounded by the number of groups (plus exact pct/median/count_distinct state). With no `by`
 * keys the stage always emits one row, even for empty input (count = 0, others null).
 */
export function compileAggregateStage(stage: AggregateStage, st: CompileState): StagePlan {
  const topk = stage.aggregations.find((a) => a.function === 'topk');
  if (topk !== undefined) {
    if (stage.aggregations.length > 1) st.sink.add(InterpreterCode.InvalidAggregate, 'topk cannot be combined with other aggregates', topk.functionSpan);
    return compileTopk(topk, stage.groupBy.map((g) => g.name), st);
  }
  let keys = stage.groupBy.map((g) => g.name);
  const aggs: CompiledAgg[] = [];
  let frequent = false;
  for (const a of stage.aggregations) {
    if (a.function === 'count_frequent') {
      frequent = true;
      if (stage.aggregations.length > 1) {
        st.sink.add(InterpreterCode.InvalidAggregate, 'count_frequent cannot be combined with other aggregates', a.functionSpan);
      }
      const extra: string[] = [];
      for (const arg of a.args) {
        const n = fieldNameOf(arg);
        if (n === undefined) st.sink.add(InterpreterCode.InvalidAggregate, 'count_frequent takes field names', arg.span);
        else extra.push(n);
      }
      keys = [...keys, ...extra];
      aggs.push({ spec: { outputs: [a.alias?.name ?? '_approxcount'], create: () => compileCountAcc() }, args: [] });
      continue;
    }
    const isPct = a.function === 'pct' || a.function === 'percentile';
    // count(*) counts every row, like a bare count.
    const countsAll = a.function === 'count' && a.args.length === 1 && a.args[0]?.kind === 'Field' && a.args[0].name === '*';
    const valueArgs = isPct ? a.args.slice(0, 1) : countsAll ? [] : a.args;
    const percents = isPct ? a.args.slice(1).map(literalNumber).filter((x): x is number => x !== undefined) : [];
    if (isPct && percents.length !== a.args.length - 1) {
      st.sink.add(InterpreterCode.InvalidAggregate, 'pct percentiles must be numbers', a.span);
    }
    const first = valueArgs[0];
    const compiled = compileAggregateSpec({
      name: a.function,
      valueArgCount: valueArgs.length,
      percents,
      argFieldName: first === undefined ? undefined : fieldNameOf(first),
      alias: a.alias?.name,
    });
    if (!compiled.ok) {
      st.sink.add(InterpreterCode.InvalidAggregate, compiled.message, a.span);
      continue;
    }
    aggs.push({ spec: compiled.spec, args: valueArgs.map((e) => compileExpr(e, st.fctx, st.sink)) });
  }
  const outputs = aggs.flatMap((a) => a.spec.outputs);
  st.aggregated = true;
  st.groupKeys = keys;
  st.aggregateOutputs = outputs;
  st.buffered = true;
  const keyNames = keys;
  const columns = [...keys, ...outputs];
  return {
    instantiate(emit) {
      const groups = new Map<string, { keys: Value[]; accs: ReturnType<AggregateSpec['create']>[] }>();
      const newGroup = (kv: Value[]): { keys: Value[]; accs: ReturnType<AggregateSpec['create']>[] } => ({ keys: kv, accs: aggs.map((a) => a.spec.create()) });
      return {
        push(row) {
          let gk: string;
          let g;
          if (keyNames.length === 1) {
            const v = readField(row, keyNames[0] as string);
            gk = groupKeyPart(v);
            g = groups.get(gk);
            if (g === undefined) {
              g = newGroup([v]);
              groups.set(gk, g);
            }
          } else {
            const kv = keyNames.map((k) => readField(row, k));
            gk = kv.map(groupKeyPart).join('\u0001');
            g = groups.get(gk);
            if (g === undefined) {
              g = newGroup(kv);
              groups.set(gk, g);
            }
          }
          for (let i = 0; i < aggs.length; i++) {
            const a = aggs[i] as CompiledAgg;
            const args = a.args.length === 0 ? NO_ARGS : a.args.length === 1 ? [(a.args[0] as Evaluator)(row)] : a.args.map((e) => e(row));
            (g.accs[i] as ReturnType<AggregateSpec['create']>).add(args, row);
          }
        },
        flush() {
          if (groups.size === 0 && keyNames.length === 0 && !frequent) groups.set('', newGroup([]));
          let rows: Row[] = [];
          for (const g of groups.values()) {
            const out: Row = {};
            keyNames.forEach((k, i) => (out[k] = g.keys[i] ?? null));
            g.accs.forEach((acc, i) => {
              const names = (aggs[i] as CompiledAgg).spec.outputs;
              acc.result().forEach((v, j) => (out[names[j] as string] = v));
            });
            rows.push(setKeyOrder(out, columns));
          }
          if (frequent) {
            const name = outputs[0] as string;
            rows = sortRows(rows, [{ get: (r) => r[name] ?? null, descending: true }]).slice(0, COUNT_FREQUENT_MAX);
          }
          for (const r of rows) emit(r);
        },
      };
    },
  };
}

function compileCountAcc(): ReturnType<AggregateSpec['create']> {
  let n = 0;
  return { add: () => void n++, result: () => [n] };
}

/**
 * `top N f1, f2 [by …]` (the forms are in top-form.ts). The count form counts by the fields and
 * keeps the N groups first by the keys (`_count` descending by default; ties in first-seen
 * order); the rank form keeps the N rows first by the keys, as records of the listed and key
 * fields when it ranks messages.
 */
export function compileTop(stage: TopStage, st: CompileState): StagePlan {
  const overRecords = st.aggregated;
  const form = topForm(stage, overRecords);
  if (form.kind === 'invalid') {
    st.sink.add(InterpreterCode.InvalidAggregate, form.message, form.span);
    return bufferingStage(() => undefined);
  }
  const n = form.count;
  const fields = form.fields.map((f) => f.name);
  st.buffered = true;
  if (form.kind === 'rank') {
    const keys = form.keys.map((k) => ({ get: rankKey(k.expression, overRecords, st), descending: k.direction === 'desc' }));
    const project = form.project;
    if (project !== undefined) {
      st.groupKeys = fields;
      st.aggregateOutputs = project.filter((name) => !fields.includes(name));
    }
    return bufferingStage((rows, emit) => {
      for (const r of sortRows(rows, keys).slice(0, n)) {
        if (project === undefined) {
          emit(r);
          continue;
        }
        const out: Row = {};
        for (const name of project) out[name] = readField(r, name);
        emit(out);
      }
    });
  }
  const plan = compileAggregateStage(
    {
      kind: 'Aggregate',
      span: stage.span,
      aggregations: [{ kind: 'Aggregation', function: 'count', functionSpan: stage.span, args: [], alias: undefined, span: stage.span }],
      groupBy: form.fields,
    },
    st,
  );
  const keys = form.keys.map((k) => ({ get: compileExpr(k.expression, st.fctx, st.sink), descending: k.direction === 'desc' }));
  return {
    instantiate(emit) {
      const buffer: Row[] = [];
      const inner = plan.instantiate((r) => void buffer.push(r));
      return {
        push: (row) => inner.push(row),
        async flush() {
          await inner.flush();
          for (const r of sortRows(buffer, keys).slice(0, n)) emit(r);
        },
      };
    },
  };
}

/**
 * A rank key's value. Over records, `by count` is Sumo's explicit count: the records' `count`
 * field when they have one (`count as count by …`), else their `_count` (`count by …`).
 */
function rankKey(e: Expr, overRecords: boolean, st: CompileState): Evaluator {
  if (!(overRecords && e.kind === 'Field' && !e.quoted && e.name.toLowerCase() === 'count')) return compileExpr(e, st.fctx, st.sink);
  const name = e.name;
  return (row) => (hasField(row, name) ? readField(row, name) : readField(row, '_count'));
}

function hasField(row: Row, name: string): boolean {
  if (row[name] !== undefined) return true;
  const lower = name.toLowerCase();
  for (const k in row) if (k.toLowerCase() === lower) return true;
  return false;
}

/**
 * `topk(N, f) [by g…]` (our reading of Sumo's topk): within each group of the `by` fields keep the
 * N rows with the largest f (numbers numerically, else as text) and number them in `_rank`
 * (1 = largest). Groups come out in first-seen order, ranks ascending.
 */
function compileTopk(agg: Aggregation, by: string[], st: CompileState): StagePlan {
  const nArg = agg.args[0];
  const n = nArg?.kind === 'NumberLiteral' ? nArg.value : NaN;
  const fieldArg = agg.args[1];
  if (!(Number.isInteger(n) && n > 0) || fieldArg === undefined) {
    st.sink.add(InterpreterCode.InvalidAggregate, 'topk takes a count and a field: topk(10, _count)', agg.span);
  }
  const rank = fieldArg === undefined ? (): Value => null : compileExpr(fieldArg, st.fctx, st.sink);
  const key = (r: Row): Value => {
    const v = rank(r);
    const num = toNumber(v);
    return num ?? v;
  };
  st.aggregated = true;
  st.buffered = true;
  st.groupKeys = by;
  return bufferingStage((rows, emit) => {
    const groups = new Map<string, Row[]>();
    for (const r of rows) {
      const k = by.map((b) => groupKeyPart(readField(r, b))).join('\u0001');
      const list = groups.get(k);
      if (list === undefined) groups.set(k, [r]);
      else list.push(r);
    }
    for (const list of groups.values()) {
      sortRows(list, [{ get: key, descending: true }])
        .slice(0, n)
        .forEach((r, i) => emit(extendRow(r, { _rank: i + 1 })));
    }
  });
}
