import { ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { newId } from '../auth/secrets.js';
import { hasErrors, parseQuery, substituteParams, type Diagnostic } from '../query/index.js';
import { ParamType, type TemplateParameter } from '../query/params.js';
import type { LogStore } from '../store/log-store.js';
import { SearchErrorCode, searchError } from './search-error.js';
import { SearchJob } from './search-job.js';
import { storeEngine } from './pushdown/engine-context.js';
import { explainSearch, type Explanation } from './pushdown/explain.js';
import { defaultSliceOptions, estimateRows } from './pushdown/slices.js';
import type { Query } from '../query/ast.js';
import { needsTimeZone, parseSearchTime, parseTimeZone } from './time-range.js';

export interface SearchServiceOptions {
  /** Running jobs per user at most; more is a 429. */
  maxRunningPerUser: number;
  /** Jobs not polled for this long are cancelled and forgotten. */
  idleExpiryMs: number;
  maxMessages: number;
  maxRecords: number;
  /** Guards per SQL statement of a search (0 = no limit). */
  queryTimeoutMs: number;
  maxRowsToRead: number;
  maxMemoryBytes: number;
  /** Searches over more rows run as time slices of about this many rows (pushdown/slices.ts). */
  sliceRows: number;
  /** Later slices are sized to take about this long (0 = fixed size). */
  sliceTargetMs: number;
}

export const defaultSearchOptions: SearchServiceOptions = {
  maxRunningPerUser: 10,
  idleExpiryMs: 5 * 60_000,
  maxMessages: 100_000,
  maxRecords: 100_000,
  queryTimeoutMs: 120_000,
  maxRowsToRead: 0,
  maxMemoryBytes: 0,
  sliceRows: defaultSliceOptions.rows,
  sliceTargetMs: defaultSliceOptions.targetMs,
};

/** The engine settings that enforce the guards (ClickHouse names; 0 means unlimited there too). */
export function guardSettings(options: Pick<SearchServiceOptions, 'queryTimeoutMs' | 'maxRowsToRead' | 'maxMemoryBytes'>): Record<string, number> {
  return {
    max_execution_time: Math.ceil(options.queryTimeoutMs / 1000),
    max_rows_to_read: options.maxRowsToRead,
    max_memory_usage: options.maxMemoryBytes,
  };
}

/** The body of `POST /api/v1/search/jobs`, as Sumo Logic's API takes it. */
export interface CreateJobRequest {
  query?: unknown;
  from?: unknown;
  to?: unknown;
  timeZone?: unknown;
  timezone?: unknown;
  byReceiptTime?: unknown;
  autoParsingMode?: unknown;
  queryParameters?: unknown;
}

function toTemplateParameters(value: unknown): Record<string, TemplateParameter> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) {
    throw searchError(ErrorCode.BadRequest, SearchErrorCode.BadParameters, '"queryParameters" must be an array of {name, value, dataType?}');
  }
  const out: Record<string, TemplateParameter> = {};
  for (const entry of value as unknown[]) {
    const p = entry as { name?: unknown; value?: unknown; dataType?: unknown };
    if (typeof p !== 'object' || p === null || typeof p.name !== 'string' || (typeof p.value !== 'string' && typeof p.value !== 'number')) {
      throw searchError(ErrorCode.BadRequest, SearchErrorCode.BadParameters, 'each query parameter needs a string "name" and a string or number "value"');
    }
    const dataType = typeof p.dataType === 'string' ? p.dataType.toUpperCase() : 'ANY';
    const type = (Object.values(ParamType) as string[]).includes(dataType) ? (dataType as ParamType) : undefined;
    if (!type) {
      throw searchError(ErrorCode.BadRequest, SearchErrorCode.BadParameters, `query parameter "${p.name}": dataType must be NUMBER, STRING, ANY or KEYWORD`);
    }
    out[p.name] = { type, value: p.value };
  }
  return out;
}

function diagnosticsError(searchCode: SearchErrorCode, diagnostics: Diagnostic[]) {
  const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
  return searchError(ErrorCode.BadRequest, searchCode, first?.message ?? 'invalid query', { diagnostics });
}

/** Search jobs: creation (validation as Sumo's API), lookup by owner, cancellation and expiry. */
export class SearchService {
  private readonly jobs = new Map<string, SearchJob>();
  /** Ids of recently deleted jobs and their owners, so a later poll says why it finds nothing. */
  private readonly deleted = new Map<string, string>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly store: LogStore,
    private readonly logger: Logger,
    private readonly options: SearchServiceOptions = defaultSearchOptions,
    /** Job ids start with it (`<node>-<id>`), so any query node can route a job's requests here. */
    private readonly nodeId?: string,
  ) {
    this.sweeper = setInterval(() => this.expire(), Math.min(30_000, options.idleExpiryMs));
    this.sweeper.unref();
  }

  /** Validates a job request as Sumo's API does; throws Sumo-coded errors. */
  private validate(request: CreateJobRequest): { query: Query; from: number; to: number; timeZone: string; byReceiptTime: boolean; queryText: string } {
    if (typeof request.query !== 'string' || request.query.trim() === '') {
      throw searchError(ErrorCode.BadRequest, SearchErrorCode.NoQuery, '"query" is required');
    }
    const needsZone = needsTimeZone(request.from) || needsTimeZone(request.to);
    const timeZone = parseTimeZone(request.timeZone ?? request.timezone, needsZone);
    const from = parseSearchTime(request.from, 'from', timeZone);
    const to = parseSearchTime(request.to, 'to', timeZone);
    if (to < from) throw searchError(ErrorCode.BadRequest, SearchErrorCode.ToBeforeFrom, '"to" is earlier than "from"');
    const substituted = substituteParams(request.query, toTemplateParameters(request.queryParameters));
    if (substituted.query === undefined) throw diagnosticsError(SearchErrorCode.BadParameters, substituted.diagnostics);
    const parsed = parseQuery(substituted.query);
    if (!parsed.query || hasErrors(parsed.diagnostics)) {
      const unsupported = parsed.diagnostics.length > 0 && parsed.diagnostics.every((d) => d.code.startsWith('Q3') || d.severity !== 'error');
      throw diagnosticsError(unsupported ? SearchErrorCode.UnsupportedQuery : SearchErrorCode.ParseError, parsed.diagnostics);
    }
    return { query: parsed.query, from, to, timeZone, byReceiptTime: request.byReceiptTime === true, queryText: request.query };
  }

  /** How a search would run: the SQL the store gets, its parameters, and what runs in JS (no job). */
  async explain(request: CreateJobRequest): Promise<Explanation> {
    const { query, from, to, timeZone, byReceiptTime } = this.validate(request);
    const estimatedRows = estimateRows(await this.store.rowSpans(), from, to);
    return explainSearch(query, { from, to, timeZone, byReceiptTime, engine: await storeEngine(this.store), store: this.store, slicing: { estimatedRows, sliceRows: this.options.sliceRows } });
  }

  create(ownerId: string, request: CreateJobRequest): SearchJob {
    const { query, from, to, timeZone, byReceiptTime } = this.validate(request);
    const running = [...this.jobs.values()].filter((j) => j.spec.ownerId === ownerId && j.isRunning).length;
    if (running >= this.options.maxRunningPerUser) {
      throw searchError(
        ErrorCode.Overloaded,
        SearchErrorCode.TooManyJobs,
        `you have ${running} searches running (at most ${this.options.maxRunningPerUser}); delete or wait for one`,
      );
    }
    const job = new SearchJob(
      {
        id: this.nodeId === undefined ? newId() : `${this.nodeId}-${newId()}`,
        ownerId,
        queryText: request.query as string,
        query,
        from,
        to,
        timeZone,
        byReceiptTime,
        maxMessages: this.options.maxMessages,
        maxRecords: this.options.maxRecords,
        querySettings: guardSettings(this.options),
        timeoutMs: this.options.queryTimeoutMs,
        slices: { rows: this.options.sliceRows, targetMs: this.options.sliceTargetMs },
      },
      this.store,
      this.logger,
    );
    this.jobs.set(job.spec.id, job);
    job.start();
    return job;
  }

  /** The caller's job; another user's job is "not found" (ids don't leak across users). */
  get(ownerId: string, id: string): SearchJob {
    const job = this.jobs.get(id);
    if (!job || job.spec.ownerId !== ownerId) {
      const why = this.deleted.get(id) === ownerId ? 'it was deleted' : `it never existed, or expired after ${this.options.idleExpiryMs / 60_000} minutes without polling`;
      throw searchError(ErrorCode.NotFound, SearchErrorCode.JobNotFound, `no search job ${id}: ${why}`);
    }
    job.lastTouched = Date.now();
    return job;
  }

  delete(ownerId: string, id: string): void {
    const job = this.get(ownerId, id);
    job.cancel();
    this.jobs.delete(id);
    this.deleted.set(id, ownerId);
    // Bounded: the oldest ids are forgotten first (a Map iterates in insertion order).
    if (this.deleted.size > 10_000) this.deleted.delete(this.deleted.keys().next().value!);
  }

  /** Cancels and forgets jobs nobody polled recently. */
  expire(now = Date.now()): void {
    for (const [id, job] of this.jobs) {
      if (now - job.lastTouched > this.options.idleExpiryMs) {
        job.cancel();
        this.jobs.delete(id);
      }
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const job of this.jobs.values()) job.cancel();
    this.jobs.clear();
  }
}
