/** The runtime shape shared by all compiled stages. */
import type { Query } from '../ast.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { FunctionContext } from './functions/index.js';
import type { Row } from './values.js';

/** Re-runs a query prefix over a range shifted back by `shiftMs`; used by `compare`. */
export type RunShifted = (shiftMs: number, query: Query) => Promise<readonly Row[]>;

/**
 * Options of a run. Times are epoch ms. `from`/`to` are the query range `[from, to)`: they feed
 * queryStartTime(), `timeslice N buckets`, fillmissing and compare; the interpreter does not
 * filter rows by them — the caller hands it the rows of the range (the store's scan, the CLI's
 * --from/--to).
 */
export interface QueryContext {
  from?: number | undefined;
  to?: number | undefined;
  /** IANA zone for timeslice, formatDate, parseDate */
  timeZone: string;
  /** epoch ms used by now() */
  now: number;
  runShifted?: RunShifted | undefined;
  /**
   * What the rows handed to a run are: `records` when an aggregate already computed them (the
   * rest of a pushed-down search runs over the SQL's records), so the stages read them as they
   * would after the interpreter's own aggregate (`top … by` ranks records instead of messages).
   * Default `messages`.
   */
  input?: 'messages' | 'records' | undefined;
}

/**
 * How a run may be stopped. The interpreter works in slices of about `sliceMs` and lets the event
 * loop through between them, so a long pipeline never holds the process; between slices it stops
 * quietly once `signal` aborts and throws a `timeout` AppError once `deadline` (epoch ms) passed.
 */
export interface RunControl {
  signal?: AbortSignal | undefined;
  deadline?: number | undefined;
  /** default 10 ms */
  sliceMs?: number;
}

/** A running stage: rows are pushed in; buffering stages emit on flush. */
export interface StageRuntime {
  push(row: Row): void;
  flush(): void | Promise<void>;
}

/** What the compiler knows while walking the stages. */
export interface CompileState {
  query: Query;
  fctx: FunctionContext;
  ctx: QueryContext;
  sink: DiagnosticSink;
  /** true after the first aggregate: rows are records */
  aggregated: boolean;
  /** size of the last fixed-size timeslice stage */
  timesliceMs: number | undefined;
  /** name written by the last timeslice stage */
  timesliceField: string;
  /** group-by keys and outputs of the last aggregate */
  groupKeys: string[];
  aggregateOutputs: string[];
  /** set once a buffering stage appeared (a limit after it cannot stop the input early) */
  buffered: boolean;
  /** shared flag a limit sets when no more input can reach the output */
  stopInput: { value: boolean };
  /** a nodrop parse ran and no parse without nodrop has consumed its mark yet */
  nodropPending: boolean;
}

/** A compiled stage: instantiated once per run with the function that feeds the next stage. */
export interface StagePlan {
  instantiate(emit: (row: Row) => void): StageRuntime;
}

/** A stage that only transforms rows one at a time. */
export function streamingStage(process: (row: Row, emit: (row: Row) => void) => void): StagePlan {
  return {
    instantiate(emit) {
      return { push: (row) => process(row, emit), flush: () => undefined };
    },
  };
}

/** A stage that needs all its input (sort, series operators …). */
export function bufferingStage(run: (rows: Row[], emit: (row: Row) => void) => void | Promise<void>): StagePlan {
  return {
    instantiate(emit) {
      const rows: Row[] = [];
      return { push: (row) => void rows.push(row), flush: () => run(rows, emit) };
    },
  };
}

const NODROP_MATCH = Symbol('quarry.nodropMatch');

/**
 * nodrop chaining: a nodrop parse that matched marks the message; the next parse without nodrop
 * drops only messages that match neither it nor a marked earlier nodrop parse, and clears the mark.
 * So `parse A nodrop | parse B` keeps A-or-B and `parse A | parse B` keeps A-and-B.
 */
export function parseOutcome(row: Row, matched: boolean, nodrop: boolean): boolean {
  return nodrop ? keepNodrop(row, matched) : keepAfterNodrop(row, matched);
}
// Stages compile with `outcomeFor`, which skips the mark entirely when no nodrop parse precedes.

/** Outcome for a nodrop parse: always kept; a match marks the message. */
export function keepNodrop(row: Row, matched: boolean): boolean {
  if (matched) (row as Row & { [NODROP_MATCH]?: boolean })[NODROP_MATCH] = true;
  return true;
}

/** Outcome for a parse without nodrop after a nodrop parse: kept when it or a marked earlier one matched. */
export function keepAfterNodrop(row: Row, matched: boolean): boolean {
  const r = row as Row & { [NODROP_MATCH]?: boolean };
  const earlier = r[NODROP_MATCH] === true;
  if (earlier) r[NODROP_MATCH] = false;
  return matched || earlier;
}

/** Picks the cheapest outcome function for a parse stage and updates the chaining state. */
export function outcomeFor(st: CompileState, nodrop: boolean): (row: Row, matched: boolean) => boolean {
  if (nodrop) {
    st.nodropPending = true;
    return keepNodrop;
  }
  if (st.nodropPending) {
    st.nodropPending = false;
    return keepAfterNodrop;
  }
  return keepMatched;
}

function keepMatched(_row: Row, matched: boolean): boolean {
  return matched;
}
