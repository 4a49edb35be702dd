/** Compilers of per-row stages: where, eval (`expr as f`), fields, limit, dedup, timeslice. */
import type { DedupStage, EvalStage, FieldsStage, LimitStage, TimesliceStage, WhereStage } from '../ast.js';
import { InterpreterCode } from './diagnostics.js';
import { compileExpr } from './expressions.js';
import { globToRegex } from './regex.js';
import { keyOf } from './series/group.js';
import { streamingStage, type CompileState, type StagePlan } from './stage.js';
import { sizeForBuckets, timesliceStart } from './timeslice.js';
import { isTruthy, setKeyOrder, toNumber, type Row } from './values.js';

/** `where cond`: keeps rows whose condition is exactly true. */
export function compileWhere(stage: WhereStage, st: CompileState): StagePlan {
  const cond = compileExpr(stage.condition, st.fctx, st.sink);
  return streamingStage((row, emit) => {
    if (isTruthy(cond(row))) emit(row);
  });
}

/**
 * `expr as f`. Without an alias a call whose first argument is a field writes back to that
 * field (`num(x)`, `toLowerCase(x)` — our reading of Sumo's "[as f]" forms); a bare field is a
 * no-op; anything else needs an alias.
 */
export function compileEval(stage: EvalStage, st: CompileState): StagePlan {
  const ev = compileExpr(stage.expression, st.fctx, st.sink);
  let target = stage.alias?.name;
  if (target === undefined) {
    const e = stage.expression;
    if (e.kind === 'Call' && e.args[0]?.kind === 'Field') target = e.args[0].name;
    else if (e.kind === 'Field') return streamingStage((row, emit) => emit(row));
    else {
      st.sink.add(InterpreterCode.MissingAlias, 'this expression needs a name: add `as <field>`', stage.span);
      return streamingStage((row, emit) => emit(row));
    }
  }
  const name = target;
  return streamingStage((row, emit) => {
    row[name] = ev(row);
    emit(row);
  });
}

function matcher(names: readonly string[]): (field: string) => boolean {
  const exact = new Set(names.filter((n) => !n.includes('*')));
  const globs = names.filter((n) => n.includes('*')).map((n) => globToRegex(n));
  return (f) => exact.has(f) || globs.some((g) => g.test(f));
}

/**
 * `fields a, b` keeps the listed fields in the listed order; for messages the system `_` fields
 * survive (Sumo's allow-list mode), for records only the listed ones. `fields - a` removes.
 */
export function compileFields(stage: FieldsStage, st: CompileState): StagePlan {
  const names = stage.fields.map((f) => f.name);
  const seen = new Set<string>();
  for (const f of stage.fields) {
    if (seen.has(f.name)) st.sink.add(InterpreterCode.InvalidArgument, `field ${f.name} is listed twice`, f.span);
    seen.add(f.name);
  }
  const isListed = matcher(names);
  if (stage.mode === 'remove') {
    return streamingStage((row, emit) => {
      const out: Row = {};
      for (const k in row) if (!isListed(k)) out[k] = row[k] ?? null;
      emit(out);
    });
  }
  const keepSystem = !st.aggregated;
  const plain = names.every((n) => !n.includes('*'));
  const globs = new Map(names.filter((n) => n.includes('*')).map((n) => [n, globToRegex(n)]));
  return streamingStage((row, emit) => {
    const out: Row = {};
    if (plain) {
      for (const n of names) out[n] = row[n] ?? null;
    } else {
      for (const n of names) {
        if (!n.includes('*')) out[n] = row[n] ?? null;
        else for (const k in row) if (globs.get(n)!.test(k)) out[k] = row[k] ?? null;
      }
    }
    if (keepSystem) for (const k in row) if (k.startsWith('_') && !(k in out)) out[k] = row[k] ?? null;
    emit(plain ? setKeyOrder(out, names) : out);
  });
}

/** `limit N`; before any buffering stage, reaching N stops reading input. */
export function compileLimit(stage: LimitStage, st: CompileState): StagePlan {
  const max = stage.count;
  const canStop = !st.buffered;
  const stop = st.stopInput;
  return {
    instantiate(emit) {
      let n = 0;
      return {
        push(row) {
          if (n < max) {
            n++;
            emit(row);
          }
          if (n >= max && canStop) stop.value = true;
        },
        flush: () => undefined,
      };
    },
  };
}

/**
 * `dedup [consecutive] [N] [by f…]`: keeps the first N rows per key in the current order; the
 * default key is `_raw` for messages and the whole row for records. `consecutive` only drops
 * repeats of the previous key.
 */
export function compileDedup(stage: DedupStage, st: CompileState): StagePlan {
  const max = stage.count ?? 1;
  const by = stage.by.map((b) => b.name);
  const aggregated = st.aggregated;
  const keyFor = (row: Row): string => {
    if (by.length > 0) return keyOf(row, by);
    if (!aggregated) return keyOf(row, ['_raw']);
    return keyOf(row, Object.keys(row));
  };
  return {
    instantiate(emit) {
      const counts = new Map<string, number>();
      let prevKey: string | undefined;
      let run = 0;
      return {
        push(row) {
          const k = keyFor(row);
          if (stage.consecutive) {
            run = k === prevKey ? run + 1 : 1;
            prevKey = k;
            if (run <= max) emit(row);
            return;
          }
          const c = counts.get(k) ?? 0;
          if (c < max) {
            counts.set(k, c + 1);
            emit(row);
          }
        },
        flush: () => undefined,
      };
    },
  };
}

/** `timeslice 5m [as f]`, `timeslice N buckets`, bare `timeslice` (the whole range). */
export function compileTimeslice(stage: TimesliceStage, st: CompileState): StagePlan {
  const field = stage.alias?.name ?? '_timeslice';
  const { from, to } = st.ctx;
  let size: number | undefined = stage.size?.ms;
  if (stage.size?.parameter !== undefined) {
    st.sink.add(InterpreterCode.UnsubstitutedParameter, `template parameter {{${stage.size.parameter}}} has no value`, stage.size.span);
  } else if (stage.size !== undefined && !(size !== undefined && size > 0)) {
    st.sink.add(InterpreterCode.InvalidArgument, 'timeslice size must be a positive duration', stage.size.span);
  }
  if (size === undefined) {
    if (from === undefined || to === undefined) {
      st.sink.add(InterpreterCode.NeedsTimeRange, 'timeslice without a size needs a query time range (--from/--to)', stage.span);
    } else if (stage.buckets !== undefined) {
      size = sizeForBuckets(to - from, stage.buckets);
    }
  }
  st.timesliceMs = size;
  st.timesliceField = field;
  const zone = st.ctx.timeZone;
  const wholeRange = size === undefined ? from : undefined;
  const sz = size ?? 0;
  return streamingStage((row, emit) => {
    const t = toNumber(row._messageTime ?? null);
    row[field] = t === null ? null : wholeRange !== undefined ? wholeRange : timesliceStart(t, sz, zone);
    emit(row);
  });
}
