import { ErrorCode, isAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { RunControl } from '../query/interpreter/stage.js';
import type { Query } from '../query/ast.js';
import { compileQuery, orderFields, type CompiledQuery, type QueryContext, type Row } from '../query/interpreter/index.js';
import type { LogStore, StoredMessage } from '../store/log-store.js';
import { userFields } from '../core/internal-fields.js';
import { isStoreError, StoreErrorKind } from '../store/store-error.js';
import { groupedRowsPlan, messagesPart, splitAtAggregate, teeBatches } from './aggregate-messages.js';
import { wholeQueryPrefix } from './shifted-query.js';
import { Histogram, type HistogramBucket } from './histogram.js';
import { engineContext, storeEngine } from './pushdown/engine-context.js';
import { histogramSql } from '../query/plan/statements.js';
import type { ExecuteOptions } from './pushdown/execute.js';
import { planQuery } from '../query/plan/plan.js';
import { worthRollup } from '../query/plan/rollup.js';
import { RowBudget } from './pushdown/row-budget.js';
import { cachedRowSpans, slicedAggregateRecords, slicedHistogramCounts, slicedMessagePages, type SliceContext } from './pushdown/sliced.js';
import { defaultSliceOptions, estimateRows, sliceOptionsFor, type SliceOptions } from './pushdown/slices.js';

export const JobState = {
  NotStarted: 'NOT STARTED',
  Gathering: 'GATHERING RESULTS',
  Done: 'DONE GATHERING RESULTS',
  Cancelled: 'CANCELLED',
  ForcePaused: 'FORCE PAUSED',
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];

export interface SearchJobSpec {
  id: string;
  ownerId: string;
  queryText: string;
  query: Query;
  from: number;
  to: number;
  timeZone: string;
  byReceiptTime: boolean;
  /**
   * Non-aggregate searches stop ("force paused") after this many messages, as Sumo's do; an
   * aggregate search keeps (to list) the newest this many of the messages its records count.
   */
  maxMessages: number;
  /** Aggregate results beyond this many records are cut, with a warning. */
  maxRecords: number;
  /** Push what the store's engine supports into SQL (default true; false = interpreter over scan). */
  pushdown?: boolean;
  /** Engine settings for every statement of the job (guards: max_execution_time …). */
  querySettings?: Record<string, string | number>;
  /** How a long range is split into statements (see pushdown/slices.ts). */
  slices?: SliceOptions;
  /** Count from the store's per-minute counts only for ranges of at least this many rows (rollup.ts). */
  rollupMinRows?: number;
  /** The whole search, SQL and JavaScript, ends with an error after this long (0 or absent: no limit). */
  timeoutMs?: number;
}

export interface JobStatus {
  state: JobState;
  messageCount: number;
  recordCount: number;
  histogramBuckets: HistogramBucket[];
  pendingErrors: string[];
  pendingWarnings: string[];
}

/**
 * What a person is told when a search ends in an error: a store error's or an application error's
 * own message (never the engine's text, which can quote generated SQL), else "internal error".
 * `expected` is false for what the server log should show as a failure.
 */
export function searchFailure(error: unknown): { message: string; expected: boolean } {
  if (isStoreError(error)) return { message: error.message, expected: error.kind !== StoreErrorKind.Failed };
  if (isAppError(error)) return { message: error.message, expected: error.code !== ErrorCode.Internal };
  return { message: 'the search failed with an internal error (the server log has the details)', expected: false };
}

/** Converts a stored message into the interpreter's row (metadata as the language names it). */
export function toRow(message: StoredMessage): Row {
  const { fields, ...meta } = message;
  return { ...meta, ...userFields(fields) };
}

/**
 * One search: scans the store newest first, runs the query through the interpreter, and keeps the
 * results for paging. Status (counts, histogram, errors, warnings) is readable while it runs.
 */
export class SearchJob {
  state: JobState = JobState.NotStarted;
  messageCount = 0;
  messages: Row[] = [];
  records: Row[] = [];
  aggregated = false;
  /** Group-by keys of the first aggregate (keyField in the records API). */
  readonly keyFields: Set<string>;
  lastTouched = Date.now();
  readonly createdAt = Date.now();
  finishedAt: number | undefined;
  private readonly histogram: Histogram;
  private readonly abort = new AbortController();
  private pendingErrors: string[] = [];
  private pendingWarnings: string[] = [];
  private fieldOrder: string[] | undefined;
  private running: Promise<void> | undefined;
  /** Status requests waiting for progress (see `progress`). */
  private waiters: (() => void)[] = [];
  private wakeScheduled = false;
  /**
   * The messages part of an aggregate the store computes (aggregate-messages.ts): its messages are
   * listed from the store when first asked for (`messagePage`), which leaves the records as fast.
   */
  private messagesOnRequest: Query | undefined;
  private messageListing: SearchJob | undefined;
  private messageFieldOrder: string[] | undefined;
  /** What ended the search with an error (a messages request of an aggregate rethrows it). */
  private failure: Error | undefined;

  constructor(
    readonly spec: SearchJobSpec,
    private readonly store: LogStore,
    private readonly logger: Logger,
  ) {
    this.histogram = new Histogram(spec.from, spec.to, spec.timeZone);
    const firstAggregate = spec.query.stages.find((s) => s.kind === 'Aggregate');
    this.keyFields = new Set(firstAggregate?.kind === 'Aggregate' ? firstAggregate.groupBy.map((f) => f.name) : []);
  }

  get isRunning(): boolean {
    return this.state === JobState.NotStarted || this.state === JobState.Gathering;
  }

  /** Starts the search in the background; status reflects progress. */
  start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
      const failure = searchFailure(error);
      if (!failure.expected) this.logger.error({ err: error, jobId: this.spec.id }, 'search job failed');
      this.pendingErrors.push(failure.message);
      this.finish(JobState.Done);
    });
  }

  /** Waits until the job stops gathering (for tests and the CLI). */
  async settled(): Promise<void> {
    await this.running;
  }

  cancel(): void {
    if (this.isRunning) this.finish(JobState.Cancelled);
    this.abort.abort();
    this.messageListing?.cancel();
  }

  /**
   * Resolves when the job has news for a status request: it stopped gathering, or it counted more
   * messages or records (a whole batch, not its first row), or `waitMs` passed. A finished job
   * resolves at once. Polling clients get each change as it happens instead of at their next poll.
   */
  progress(waitMs: number): Promise<void> {
    if (!this.isRunning || waitMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve();
      }, waitMs);
      this.waiters.push(wake);
    });
  }

  /** Wakes waiting status requests after the current batch (a macrotask later). */
  private progressed(): void {
    if (this.waiters.length === 0 || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }

  /** Status with incremental histogram buckets, errors and warnings (Sumo's semantics). */
  takeStatus(): JobStatus {
    this.lastTouched = Date.now();
    const status: JobStatus = {
      state: this.state,
      messageCount: this.messageCount,
      recordCount: this.records.length,
      histogramBuckets: this.histogram.takeChanged(),
      pendingErrors: this.pendingErrors,
      pendingWarnings: this.pendingWarnings,
    };
    this.pendingErrors = [];
    this.pendingWarnings = [];
    return status;
  }

  /** Field names of the results in display order. */
  fields(): string[] {
    if (this.fieldOrder) return this.fieldOrder;
    const order = orderFields(this.aggregated ? this.records : this.messages.slice(0, 1000), this.aggregated);
    if (!this.isRunning) this.fieldOrder = order;
    return order;
  }

  /** Field names of the messages in display order (an aggregate's: those of its messages part). */
  messageFields(): string[] {
    if (!this.aggregated) return this.fields();
    if (this.messageFieldOrder) return this.messageFieldOrder;
    const order = orderFields(this.messages.slice(0, 1000), false);
    if (!this.isRunning) this.messageFieldOrder = order;
    return order;
  }

  /**
   * A page of the messages, newest first. An aggregate search's are those of its messages part
   * (the scope and the stages before the first aggregate), up to maxMessages: kept as the
   * interpreter ran the aggregate, or — when the store computed it — listed from the store by a
   * search of the messages part, started by the first request; a request waits until its page is
   * there or that search ended, and fails with that search's error.
   */
  async messagePage(offset: number, limit: number): Promise<{ fields: string[]; rows: Row[] }> {
    const listing = this.listMessages();
    if (listing === undefined) return { fields: this.messageFields(), rows: this.messages.slice(offset, offset + limit) };
    const until = offset + limit;
    while (listing.isRunning && listing.messages.length < until) await listing.progress(1000);
    if (listing.failure !== undefined && listing.messages.length < until) throw listing.failure;
    return { fields: listing.fields(), rows: listing.messages.slice(offset, until) };
  }

  /** The search listing an aggregate's messages from the store, started when first asked for. */
  private listMessages(): SearchJob | undefined {
    if (this.messagesOnRequest === undefined) return undefined;
    if (this.messageListing === undefined) {
      this.messageListing = new SearchJob({ ...this.spec, query: this.messagesOnRequest }, this.store, this.logger);
      if (this.state === JobState.Cancelled) this.messageListing.cancel();
      else this.messageListing.start();
    }
    return this.messageListing;
  }

  private finish(state: JobState): void {
    if (!this.isRunning) return;
    this.state = state;
    this.finishedAt = Date.now();
    this.progressed();
  }

  private async run(): Promise<void> {
    const { spec } = this;
    this.state = JobState.Gathering;
    const now = Date.now();
    const context = { from: spec.from, to: spec.to, timeZone: spec.timeZone, now };
    const compiled = compileQuery(spec.query, { ...context, runShifted: (shiftMs, query) => this.runShifted(shiftMs, query) });
    if (!compiled.ok) {
      this.pendingErrors.push(...compiled.error.map((d) => d.message));
      this.finish(JobState.Done);
      return;
    }
    this.aggregated = compiled.value.aggregated;
    const engine = engineContext(await storeEngine(this.store), spec.pushdown !== false, this.store);
    // Only an aggregate may count from the per-minute counts, and only over enough rows to pay.
    if (engine.minuteCounts) engine.minuteCounts = this.aggregated && worthRollup(estimateRows(await cachedRowSpans(this.store), spec.from, spec.to), spec.from, spec.to, spec.rollupMinRows);
    const plan = planQuery(spec.query, { from: spec.from, to: spec.to, timeZone: spec.timeZone, byReceiptTime: spec.byReceiptTime, ...engine });
    // The interpreter runs what the plan left (over the SQL's records for an aggregate plan); its
    // compile cannot fail where the whole query compiled.
    const restInput = plan.kind === 'aggregate' ? 'records' : 'messages';
    // compare names a prefix of plan.rest, which lacks the scope and stages the SQL ran: it re-runs
    // the whole query's prefix instead, so the earlier range counts what the query counts.
    const restContext: QueryContext = {
      ...context,
      input: restInput,
      runShifted: (shiftMs, prefix) => this.runShifted(shiftMs, wholeQueryPrefix(spec.query, plan.rest, prefix)),
    };
    const rest = compileQuery(plan.rest, restContext);
    if (!rest.ok) throw new Error(rest.error.map((d) => d.message).join('; '));
    const signal = this.abort.signal;
    // The row limit holds for the whole search, not for each of its statements.
    const rowLimit = Number(spec.querySettings?.max_rows_to_read ?? 0);
    const work = { owner: spec.ownerId, job: spec.id };
    const exec: ExecuteOptions = { signal, work, settings: spec.querySettings, ...(rowLimit > 0 ? { budget: new RowBudget(rowLimit) } : {}) };
    const pushedKinds = spec.query.stages.slice(0, plan.pushedStages).map((s) => s.kind);
    const slicing: SliceContext = { from: spec.from, to: spec.to, options: sliceOptionsFor(spec.slices ?? defaultSliceOptions, pushedKinds) };
    const timeField = spec.byReceiptTime ? '_receiptTime' : '_messageTime';
    const histogram = this.histogram;
    let input: AsyncIterable<Row[]>;
    let histogramDone: Promise<void> | undefined;
    if (plan.kind === 'aggregate') {
      // The records come from one GROUP BY; the histogram and message count (the rows it groups,
      // the messages of the query's messages part) from the same or another, run alongside. The
      // messages themselves are listed from the store when asked for (messagePage).
      const count = (time: number, n: number): void => {
        histogram.add(time, n);
        this.messageCount += n;
        this.progressed();
      };
      this.messagesOnRequest = messagesPart(spec.query);
      input = slicedAggregateRecords(this.store, plan, slicing, { ...exec, onHistogram: count });
      if (plan.aggregate?.withHistogram !== true && plan.aggregate?.histogramFromRecords === undefined) {
        const statement = (p: typeof plan) => histogramSql(p, histogram.bucketMs, spec.timeZone, spec.from);
        // Over the rows the aggregate groups: a pushed parse regex or where drops messages too.
        histogramDone = slicedHistogramCounts(this.store, groupedRowsPlan(plan), statement, slicing, exec).then((groups) => {
          for (const g of groups) count(g.time, g.count);
        });
        // Handled below (after the records); this keeps an early failure from going unhandled.
        histogramDone.catch(() => undefined);
      }
    } else if (spec.pushdown === false) {
      // The reference path: every message of the range through the interpreter.
      const store = this.store;
      const scan = async function* (): AsyncGenerator<Row[]> {
        for await (const batch of store.scan({ from: spec.from, to: spec.to, byReceiptTime: spec.byReceiptTime, signal, work })) yield batch.map(toRow);
      };
      input = this.messageInput(scan());
    } else {
      input = this.messageInput(slicedMessagePages(this.store, plan, slicing, exec));
    }
    // With nothing left for the interpreter, rows go straight to the results (no per-row copy).
    const passThrough = plan.rest.scope === undefined && plan.rest.stages.length === 0;
    // An aggregate the interpreter runs reads messages: those of its messages part are counted and kept.
    const output = this.aggregated && plan.kind !== 'aggregate' ? this.aggregateOverMessages(plan.rest, rest.value, input, restContext, timeField) : { rows: rest.value.runBatches(input, this.control()), done: undefined };
    try {
      if (passThrough) await this.collectBatches(input, timeField);
      else await this.collect(output.rows, timeField);
    } finally {
      await histogramDone?.catch(() => undefined);
      await output.done?.catch(() => undefined);
    }
    await histogramDone;
    await output.done;
    if (this.aggregated && this.messageCount > spec.maxMessages) {
      this.pendingWarnings.push(`the records count ${this.messageCount} messages; the newest ${spec.maxMessages} of them are kept to list`);
    }
    if (this.isRunning) this.finish(signal.aborted ? JobState.Cancelled : JobState.Done);
  }

  /** Message pages until the search is cancelled. */
  private async *messageInput(pages: AsyncIterable<Row[]>): AsyncGenerator<Row[]> {
    for await (const rows of pages) {
      yield rows;
      if (this.abort.signal.aborted) return;
    }
  }

  /**
   * The interpreter's aggregate over messages, reading on the way the output of the query's
   * messages part (the messages count, histogram and list). Cut at the first aggregate where the
   * rest compiles alone; otherwise the messages part runs alongside, over copies of the rows.
   */
  private aggregateOverMessages(
    query: Query,
    whole: CompiledQuery,
    input: AsyncIterable<Row[]>,
    ctx: QueryContext,
    timeField: string,
  ): { rows: AsyncIterable<Row>; done: Promise<void> | undefined } {
    const compile = (q: Query): CompiledQuery => {
      const compiled = compileQuery(q, ctx);
      if (!compiled.ok) throw new Error(compiled.error.map((d) => d.message).join('; '));
      return compiled.value;
    };
    const control = this.control();
    const split = splitAtAggregate(query);
    if (split !== undefined) {
      const messages = compile(split.messages).runBatches(input, control);
      const runShifted = ctx.runShifted;
      const aggregate = compileQuery(split.aggregate, {
        ...ctx,
        runShifted: runShifted === undefined ? undefined : (shiftMs, prefix) => runShifted(shiftMs, split.wholePrefix(prefix)),
      });
      if (!aggregate.ok) throw new Error(aggregate.error.map((d) => d.message).join('; '));
      return { rows: aggregate.value.runBatches(this.readMessages(messages, timeField), control), done: undefined };
    }
    const part = compile(messagesPart(query));
    const tee = teeBatches(input, async (copies) => {
      for await (const row of part.runBatches(copies, control)) this.countMessage(row, timeField);
    });
    return { rows: whole.runBatches(tee.batches, control), done: tee.done };
  }

  /** Counts and keeps the messages part's output, handing it on in batches. */
  private async *readMessages(rows: AsyncIterable<Row>, timeField: string): AsyncGenerator<Row[]> {
    let batch: Row[] = [];
    for await (const row of rows) {
      this.countMessage(row, timeField);
      batch.push(row);
      if (batch.length >= 1000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** One message of an aggregate's messages part: counted, in the histogram, kept up to maxMessages. */
  private countMessage(row: Row, timeField: string): void {
    this.messageCount++;
    if (this.messages.length < this.spec.maxMessages) this.messages.push(row);
    const time = row[timeField];
    if (typeof time === 'number') this.histogram.add(time);
    this.progressed();
  }

  /** Keeps the interpreter's output, row by row (see `keep`). */
  private async collect(output: AsyncIterable<Row>, timeField: string): Promise<void> {
    for await (const row of output) if (!this.keep(row, timeField)) return;
  }

  /** Keeps rows that need no interpreter, a batch at a time (no await per row). */
  private async collectBatches(output: AsyncIterable<readonly Row[]>, timeField: string): Promise<void> {
    for await (const batch of output) for (const row of batch) if (!this.keep(row, timeField)) return;
  }

  /**
   * Keeps one result: a record (cut at maxRecords) or a message (force pause at maxMessages).
   * False when the job takes no more.
   */
  private keep(row: Row, timeField: string): boolean {
    const { spec } = this;
    if (this.abort.signal.aborted) return false;
    if (this.aggregated) {
      if (this.records.length >= spec.maxRecords) {
        this.pendingWarnings.push(`results were cut at ${spec.maxRecords} records`);
        return false;
      }
      this.records.push(row);
      this.progressed();
      return true;
    }
    this.messageCount++;
    this.messages.push(row);
    this.progressed();
    const time = row[timeField];
    if (typeof time === 'number') this.histogram.add(time);
    if (this.messageCount >= spec.maxMessages) {
      this.pendingWarnings.push(`the search stopped at ${spec.maxMessages} messages; narrow the time range or the query to see the rest`);
      this.abort.abort();
      this.finish(JobState.ForcePaused);
      return false;
    }
    return true;
  }

  /**
   * compare's re-run: `query` (a prefix of the search query) searched as its own job over the range
   * shifted back, so the planner pushes what it can of it as it does for the search. It shares the
   * search's cancel and what is left of its time limit; its errors are the search's.
   */
  private async runShifted(shiftMs: number, query: Query): Promise<Row[]> {
    const { spec } = this;
    const signal = this.abort.signal;
    if (signal.aborted) return [];
    const { timeoutMs } = spec;
    const left = timeoutMs !== undefined && timeoutMs > 0 ? { timeoutMs: Math.max(1, this.createdAt + timeoutMs - Date.now()) } : {};
    const job = new SearchJob({ ...spec, query, from: spec.from - shiftMs, to: spec.to - shiftMs, ...left }, this.store, this.logger);
    const cancel = (): void => job.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      job.start();
      await job.settled();
    } finally {
      signal.removeEventListener('abort', cancel);
    }
    if (job.failure !== undefined) throw job.failure;
    const { pendingErrors } = job.takeStatus();
    if (pendingErrors.length > 0) throw new Error(pendingErrors.join('; '));
    if (job.aggregated && job.records.length >= spec.maxRecords) {
      this.pendingWarnings.push(`compare's run over an earlier range was cut at ${spec.maxRecords} records`);
    }
    return job.aggregated ? job.records : job.messages;
  }

  /** How the interpreter's part of the search is stopped: by a cancel, and by the search's time limit. */
  private control(): RunControl {
    const { timeoutMs } = this.spec;
    return { signal: this.abort.signal, ...(timeoutMs !== undefined && timeoutMs > 0 ? { deadline: this.createdAt + timeoutMs } : {}) };
  }
}
