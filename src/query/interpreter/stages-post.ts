/** Compilers of record-stream stages: sort, transpose, fillmissing, series ops, compare, predict, outlier. */
import type { CompareStage, FillMissingStage, OutlierStage, PredictStage, SeriesStage, SortStage, TransposeStage } from '../ast.js';
import { InterpreterCode } from './diagnostics.js';
import { compileExpr } from './expressions.js';
import { compareRows, type ShiftSpec } from './series/compare.js';
import { fillMissingRows, type FillDimension } from './series/fill-missing.js';
import { outlierRows } from './series/outlier.js';
import { predictRows } from './series/predict.js';
import { applySeries, SERIES_OUTPUT } from './series/running.js';
import { sortRows } from './series/sort.js';
import { transposeRows } from './series/transpose.js';
import { bufferingStage, type CompileState, type StagePlan } from './stage.js';
import { timesliceRange } from './timeslice.js';
import { getField, groupKeyPart, toNumber, type Row, type Value } from './values.js';

/** `sort by k [asc|desc], …` — descending unless asked otherwise; stable. */
export function compileSort(stage: SortStage, st: CompileState): StagePlan {
  const keys = stage.keys.map((k) => ({ get: compileExpr(k.expression, st.fctx, st.sink), descending: k.direction === 'desc' }));
  st.buffered = true;
  return bufferingStage((rows, emit) => {
    for (const r of sortRows(rows, keys)) emit(r);
  });
}

/** `transpose row … column …`. */
export function compileTranspose(stage: TransposeStage, st: CompileState): StagePlan {
  st.buffered = true;
  const opts = {
    row: stage.row.map((f) => f.name),
    column: stage.column.map((f) => f.name),
    asFields: stage.asFields.map((f) => f.name),
    star: stage.asStar || stage.asFields.length === 0,
  };
  return bufferingStage((rows, emit) => {
    for (const r of transposeRows(rows, opts).rows) emit(r);
  });
}

/** `fillmissing timeslice(…), values(…) in f [with v for f…]`. */
export function compileFillMissing(stage: FillMissingStage, st: CompileState): StagePlan {
  st.buffered = true;
  const empty: Row = {};
  const gens = stage.generators.map((g) => {
    if (g.kind === 'TimesliceGenerator') {
      const size = g.size?.ms ?? st.timesliceMs;
      if (size === undefined) st.sink.add(InterpreterCode.InvalidArgument, 'fillmissing timeslice needs a size: timeslice(15m)', g.span);
      return { kind: 'time' as const, field: g.field?.name ?? st.timesliceField, size: size ?? 60_000 };
    }
    const values = g.values.map((v) => compileExpr(v, st.fctx, st.sink)(empty));
    return { kind: 'values' as const, field: g.field.name, values, all: g.all };
  });
  const fill = stage.fill === undefined ? undefined : { value: compileExpr(stage.fill.value, st.fctx, st.sink)(empty), fields: stage.fill.fields.map((f) => f.name) };
  const { from, to, timeZone } = st.ctx;
  return bufferingStage((rows, emit) => {
    const dims: FillDimension[] = gens.map((g) => {
      if (g.kind === 'values') {
        if (!g.all) return { field: g.field, values: g.values };
        const seen = new Map<string, Value>();
        for (const r of rows) seen.set(groupKeyPart(getField(r, g.field)), getField(r, g.field));
        return { field: g.field, values: [...seen.values()] };
      }
      let lo = from;
      let hi = to;
      if (lo === undefined || hi === undefined) {
        lo = Infinity;
        hi = -Infinity;
        for (const r of rows) {
          const t = toNumber(getField(r, g.field));
          if (t === null) continue;
          if (t < lo) lo = t;
          if (t + 1 > hi) hi = t + 1;
        }
        if (lo === Infinity) lo = hi = 0;
      }
      return { field: g.field, values: timesliceRange(lo, hi, g.size, timeZone) };
    });
    const columns: string[] = [];
    const seenCols = new Set<string>();
    const addColumn = (k: string): void => {
      if (seenCols.has(k)) return;
      seenCols.add(k);
      columns.push(k);
    };
    for (const r of rows) for (const k of Object.keys(r)) addColumn(k);
    for (const d of dims) addColumn(d.field);
    for (const r of fillMissingRows(rows, { dimensions: dims, fill, columns })) emit(r);
  });
}

/** accum / total / diff / backshift / smooth / rollingstd. */
export function compileSeries(stage: SeriesStage, st: CompileState): StagePlan {
  st.buffered = true;
  const opts = { kind: stage.kind, field: stage.field.name, output: stage.alias?.name ?? SERIES_OUTPUT[stage.kind], window: stage.window, by: stage.by.map((b) => b.name) };
  if (opts.window !== undefined && !(opts.window >= 1 && opts.window <= 1000)) {
    st.sink.add(InterpreterCode.InvalidArgument, 'the window must be between 1 and 1000', stage.span);
  }
  return bufferingStage((rows, emit) => {
    for (const r of applySeries(rows, opts)) emit(r);
  });
}

/** `compare with timeshift …` — re-runs the query prefix through `ctx.runShifted`. */
export function compileCompare(stage: CompareStage, st: CompileState, index: number): StagePlan {
  st.buffered = true;
  const runShifted = st.ctx.runShifted;
  if (runShifted === undefined) {
    st.sink.add(InterpreterCode.NeedsCompareRunner, 'compare needs to re-run the query over earlier ranges; this caller cannot', stage.span);
  }
  if (!st.aggregated) st.sink.add(InterpreterCode.InvalidArgument, 'compare must follow an aggregate (e.g. count by _timeslice)', stage.span);
  if (st.ctx.from === undefined || st.ctx.to === undefined) {
    st.sink.add(InterpreterCode.NeedsTimeRange, 'compare needs a query time range (--from/--to) to shift', stage.span);
  }
  const shifts: ShiftSpec[] = stage.shifts.map((s) => ({
    text: s.shift.text,
    ms: Math.abs(s.shift.ms),
    periods: s.periods ?? 1,
    aggregate: s.aggregate,
    alias: s.alias?.name,
  }));
  const total = shifts.reduce((n, s) => n + s.periods, 0);
  if (total > 7) st.sink.add(InterpreterCode.InvalidArgument, `compare runs at most 7 shifted queries (this asks for ${total})`, stage.span);
  const furthest = Math.max(0, ...shifts.map((s) => s.ms * s.periods));
  if (furthest > 40 * 86_400_000) st.sink.add(InterpreterCode.InvalidArgument, 'compare looks back at most 40 days', stage.span);
  const unset = stage.shifts.find((s) => s.shift.parameter !== undefined);
  if (unset !== undefined) st.sink.add(InterpreterCode.UnsubstitutedParameter, `template parameter {{${unset.shift.parameter ?? ''}}} has no value`, unset.shift.span);
  const prefix = { ...st.query, stages: st.query.stages.slice(0, index) };
  const opts = { keys: [...st.groupKeys], values: [...st.aggregateOutputs], timeField: st.timesliceField, shifts };
  return bufferingStage(async (rows, emit) => {
    const shifted: Row[][][] = [];
    for (const s of shifts) {
      const runs: Row[][] = [];
      for (let p = 1; p <= s.periods; p++) runs.push([...((await runShifted?.(s.ms * p, prefix)) ?? [])]);
      shifted.push(runs);
    }
    for (const r of compareRows(rows, shifted, opts)) emit(r);
  });
}

/** `predict f [by 1m] [model=ar …] [forecast=n]`. */
export function compilePredict(stage: PredictStage, st: CompileState): StagePlan {
  st.buffered = true;
  const stepMs = stage.by?.ms ?? st.timesliceMs;
  let forecast = 3;
  if (stage.forecast !== undefined) {
    forecast = 'points' in stage.forecast ? stage.forecast.points : stepMs === undefined ? 3 : Math.round(stage.forecast.duration.ms / stepMs);
  }
  forecast = Math.max(0, Math.min(100, forecast));
  const opts = { field: stage.field.name, timeField: st.timesliceField, stepMs, model: stage.model, arWindow: stage.arWindow, forecast };
  return bufferingStage((rows, emit) => {
    for (const r of predictRows(rows, opts)) emit(r);
  });
}

/** `outlier f [by g] [window=10, threshold=3, consecutive=1, direction=+-]`. */
export function compileOutlier(stage: OutlierStage, st: CompileState): StagePlan {
  st.buffered = true;
  const opts = {
    field: stage.field.name,
    by: stage.by.map((b) => b.name),
    window: stage.window ?? 10,
    threshold: stage.threshold ?? 3,
    consecutive: stage.consecutive ?? 1,
    direction: stage.direction ?? '+-',
    timeField: st.timesliceField,
  };
  const numbers = [opts.window, opts.threshold, opts.consecutive];
  if (numbers.some((x) => Number.isNaN(x))) {
    st.sink.add(InterpreterCode.UnsubstitutedParameter, 'an outlier option is an unsubstituted template parameter', stage.span);
  } else if (!(opts.window >= 1)) st.sink.add(InterpreterCode.InvalidArgument, 'window must be at least 1', stage.span);
  return bufferingStage((rows, emit) => {
    for (const r of outlierRows(rows, opts)) emit(r);
  });
}

