/** Compiles a parsed query into a runnable pipeline of stages, collecting diagnostics. */
import type { Query } from '../ast.js';
import { DiagnosticSink, InterpreterCode, type InterpreterDiagnostic } from './diagnostics.js';
import type { FunctionContext } from './functions/index.js';
import { compileScope } from './scope.js';
import { AppError, ErrorCode } from '../../core/errors.js';
import { streamingStage, type CompileState, type QueryContext, type RunControl, type StagePlan, type StageRuntime } from './stage.js';
import { compileAggregateStage, compileTop } from './stages-aggregate.js';
import { compileDedup, compileEval, compileFields, compileLimit, compileTimeslice, compileWhere } from './stages-basic.js';
import { compileDelimited, compileJson, compileKeyValue, compileParse, compileParseRegex } from './stages-parse.js';
import { compileCompare, compileFillMissing, compileOutlier, compilePredict, compileSeries, compileSort, compileTranspose } from './stages-post.js';
import type { Row } from './values.js';

/** A compiled query: run it over rows as often as needed (each run has fresh state). */
export interface CompiledQuery {
  /** true when the output is records (an aggregate ran), false for messages */
  aggregated: boolean;
  run(input: AsyncIterable<Row> | Iterable<Row>, control?: RunControl): AsyncIterable<Row>;
  /**
   * Same as run, over batches of rows (cheaper per row for file and network readers). The rows
   * are handed over: stages write fields into them.
   */
  runBatches(input: AsyncIterable<readonly Row[]>, control?: RunControl): AsyncIterable<Row>;
}

/** Compiles `query`; returns diagnostics instead of throwing when it cannot run. */
export function compileQuery(query: Query, ctx: QueryContext): { ok: true; value: CompiledQuery } | { ok: false; error: InterpreterDiagnostic[] } {
  const sink = new DiagnosticSink();
  const fctx: FunctionContext = { timeZone: ctx.timeZone, now: ctx.now, from: ctx.from ?? null, to: ctx.to ?? null };
  const st: CompileState = {
    query,
    fctx,
    ctx,
    sink,
    aggregated: ctx.input === 'records',
    timesliceMs: undefined,
    timesliceField: '_timeslice',
    groupKeys: [],
    aggregateOutputs: [],
    buffered: false,
    stopInput: { value: false },
    nodropPending: false,
  };
  const plans: StagePlan[] = [];
  const scope = compileScope(query.scope, sink);
  if (query.scope !== undefined) plans.push(streamingStage((row, emit) => scope(row) && emit(row)));
  query.stages.forEach((stage, index) => {
    switch (stage.kind) {
      case 'Parse':
        plans.push(compileParse(stage, st));
        break;
      case 'ParseRegex':
        plans.push(compileParseRegex(stage, st));
        break;
      case 'Json':
        plans.push(compileJson(stage, st));
        break;
      case 'KeyValue':
        plans.push(compileKeyValue(stage, st));
        break;
      case 'Csv':
      case 'Split':
        plans.push(compileDelimited(stage, st));
        break;
      case 'Where':
        plans.push(compileWhere(stage, st));
        break;
      case 'Eval':
        plans.push(compileEval(stage, st));
        break;
      case 'Fields':
        plans.push(compileFields(stage, st));
        break;
      case 'Limit':
        plans.push(compileLimit(stage, st));
        break;
      case 'Dedup':
        plans.push(compileDedup(stage, st));
        break;
      case 'Timeslice':
        plans.push(compileTimeslice(stage, st));
        break;
      case 'Aggregate':
        plans.push(compileAggregateStage(stage, st));
        break;
      case 'Top':
        plans.push(compileTop(stage, st));
        st.aggregated = true;
        break;
      case 'Sort':
        plans.push(compileSort(stage, st));
        break;
      case 'Transpose':
        plans.push(compileTranspose(stage, st));
        break;
      case 'FillMissing':
        plans.push(compileFillMissing(stage, st));
        break;
      case 'Accum':
      case 'Total':
      case 'Diff':
      case 'Backshift':
      case 'Smooth':
      case 'RollingStd':
        plans.push(compileSeries(stage, st));
        break;
      case 'Compare':
        plans.push(compileCompare(stage, st, index));
        break;
      case 'Predict':
        plans.push(compilePredict(stage, st));
        break;
      case 'Outlier':
        plans.push(compileOutlier(stage, st));
        break;
      case 'Unsupported':
        sink.add(InterpreterCode.UnsupportedOperator, `the ${stage.name} operator is not supported by Quarry yet`, stage.nameSpan);
        break;
    }
  });
  if (sink.items.length > 0) return { ok: false, error: sink.items };
  const aggregated = st.aggregated;
  const stop = st.stopInput;
  return {
    ok: true,
    value: {
      aggregated,
      run: (input, control) => runPlans(plans, input, stop, false, control),
      runBatches: (input, control) => runPlans(plans, input, stop, true, control),
    },
  };
}

/** Slices of work: `isDue` when the current slice is used up; `take` lets the event loop through, false when the run is to stop. */
function slicer(control: RunControl): { isDue(): boolean; take(): Promise<boolean> } {
  const sliceMs = control.sliceMs ?? 10;
  let started = performance.now();
  const check = (): boolean => {
    if (control.signal?.aborted) return false;
    if (control.deadline !== undefined && Date.now() > control.deadline) {
      throw new AppError(ErrorCode.Timeout, 'the search took longer than the query time limit; narrow the time range or the query');
    }
    return true;
  };
  return {
    isDue: () => performance.now() - started > sliceMs,
    async take() {
      if (!check()) return false;
      await new Promise<void>((resolve) => setImmediate(resolve));
      started = performance.now();
      return check();
    },
  };
}

function isSyncIterable(x: unknown): x is Iterable<Row> {
  return typeof (x as Partial<Iterable<Row>>)[Symbol.iterator] === 'function';
}

async function* runPlans(
  plans: readonly StagePlan[],
  input: AsyncIterable<Row> | Iterable<Row> | AsyncIterable<readonly Row[]>,
  stop: { value: boolean },
  batched: boolean,
  control: RunControl = {},
): AsyncGenerator<Row> {
  stop.value = false;
  const pause = slicer(control);
  const out: Row[] = [];
  let emit = (row: Row): void => void out.push(row);
  const runtimes: StageRuntime[] = [];
  for (let i = plans.length - 1; i >= 0; i--) {
    const rt = (plans[i] as StagePlan).instantiate(emit);
    runtimes.unshift(rt);
    emit = (row: Row): void => rt.push(row);
  }
  const head = emit;
  // Input rows are copied once so stages may write fields in place.
  if (batched) {
    outer: for await (const batch of input as AsyncIterable<readonly Row[]>) {
      // Batched rows are owned by the pipeline (readers build them fresh), so no defensive copy.
      for (let i = 0; i < batch.length; i++) {
        head(batch[i] as Row);
        if (stop.value) break;
        if ((i & 63) === 63 && pause.isDue()) {
          if (!(await pause.take())) return;
        }
      }
      if (pause.isDue() && !(await pause.take())) return;
      if (out.length > 0) yield* out.splice(0, out.length);
      if (stop.value) break outer;
    }
  } else if (isSyncIterable(input as Iterable<Row>)) {
    for (const r of input as Iterable<Row>) {
      head({ ...r });
      if (out.length > 0) yield* out.splice(0, out.length);
      if (stop.value) break;
      if (pause.isDue() && !(await pause.take())) return;
    }
  } else {
    for await (const r of input as AsyncIterable<Row>) {
      head({ ...r });
      if (out.length > 0) yield* out.splice(0, out.length);
      if (stop.value) break;
      if (pause.isDue() && !(await pause.take())) return;
    }
  }
  for (const rt of runtimes) {
    if (!(await pause.take())) return;
    await rt.flush();
    if (out.length > 0) yield* out.splice(0, out.length);
  }
}
