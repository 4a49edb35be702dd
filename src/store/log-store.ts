/**
 * The LogStore port: where log messages live. Adapters: chdb (embedded, default) now and
 * clickhouse (server cluster) later; both must pass test/conformance/log-store.case.ts.
 */
import type { Sql } from '../query/sql/tree.js';
import type { EncodedBatch } from './row-encoding.js';
import type { SearchWork } from './work-scheduler.js';

export type { SearchWork };

/** A stored message as the read APIs return it (metadata names as the query language spells them). */
export interface StoredMessage {
  _messageTime: number;
  _receiptTime: number;
  _index: string;
  _sourceCategory: string;
  _sourceHost: string;
  _sourceName: string;
  _collector: string;
  _source: string;
  _size: number;
  _format: string;
  _raw: string;
  /** Custom fields from X-Sumo-Fields and extraction rules. */
  fields: Record<string, string>;
}

export interface CountFilter {
  /** Inclusive lower bound on _messageTime, epoch ms. */
  from?: number;
  /** Exclusive upper bound on _messageTime, epoch ms. */
  to?: number;
  sourceCategory?: string;
  /** Case-sensitive substring of the message. */
  contains?: string;
}

export interface ScanRequest {
  /** Inclusive lower bound, epoch ms. */
  from: number;
  /** Exclusive upper bound, epoch ms. */
  to: number;
  /** Range over _receiptTime instead of _messageTime. */
  byReceiptTime?: boolean;
  /** Rows per yielded batch at most (also bounds the memory a scan holds). */
  batchRows?: number;
  signal?: AbortSignal;
  /** The search this scan is for (fair scheduling among searches); absent: short control work. */
  work?: SearchWork;
}

export interface StoreStats {
  rows: number;
  bytesOnDisk: number;
  bytesUncompressed: number;
}

export interface AppendOptions {
  /** Give up waiting after this long (the write may still complete; callers treat it as unknown). */
  timeoutMs?: number;
}

/** Work the store does in the background on data it already holds (e.g. building an index for older parts). */
export interface BackgroundWork {
  /** What is being done, for people: "building the full-text index for older data". */
  what: string;
  /** Storage parts still to do (the work is done when none are left). */
  partsLeft: number;
  /** epoch ms when it started */
  startedAt: number;
  /** The engine's reason when its last attempt failed (it retries). */
  lastFailure?: string;
}

/** Which engine runs the store (the search planner's capability table is keyed by it). */
export interface StoreEngine {
  engine: 'chdb' | 'clickhouse';
  /** Engine version, e.g. `26.7.2.1`. */
  version: string;
  /** The full-text skip index on the message, if any (the planner adds its narrowing predicate). */
  textIndex?: 'text' | 'tokenbf' | 'none';
  /**
   * The table keeps per-minute row counts by partition and category (ClickHouse's aggregate
   * projection `minute_counts`): the planner may count from them (rollup form, docs/pushdown.md).
   */
  minuteCounts?: boolean;
}

/** A planner-built statement: SQL over the store's tables with `{name:Type}` placeholders. */
export interface SelectOptions {
  signal?: AbortSignal;
  /** The search this statement is for (fair scheduling among searches). */
  work?: SearchWork | undefined;
  /** Told how long the engine worked on the statement (not counting its wait for the store's lane). */
  onEngineMs?: ((ms: number) => void) | undefined;
  /** Per-query engine settings (max_execution_time, max_rows_to_read …), appended as SETTINGS. */
  settings?: Record<string, string | number>;
  /** Rows per yielded batch at most (default 10,000). */
  batchRows?: number;
  /**
   * Told, once the statement ended, how many table rows it read (a search's row limit adds them up
   * across its statements). select() reports what the engine read; stage() what the engine's index
   * analysis selected for it, which is what the engine's own row limit checks before reading.
   */
  onRowsRead?: (rows: number) => void;
}

/** Rows stored with message times in [from, to) (planning statistics, e.g. one per storage part). */
export interface RowSpan {
  from: number;
  to: number;
  rows: number;
}

/** Rows of one source received since a time whose custom field has a value (a collector batch's rows). */
export interface TaggedRows {
  source: string;
  field: string;
  value: string;
  /** epoch ms: only rows received at or after it */
  receivedSince: number;
}

/** How long a staged statement took (the caller sizes the next one by it). */
export interface StageSummary {
  elapsedMs: number;
}

/** One result row of select(): column name → JSON value (64-bit integers as numbers). */
export type SelectRow = Record<string, unknown>;

/** What LogStore.dropBefore removed. */
export interface DroppedPartitions {
  /** Day partitions dropped (on a cluster a day counts once for each shard that held some of it). */
  partitions: number;
  /** The rows they held. */
  rows: number;
}

const DAY_MS = 86_400_000;

/** The start (epoch ms) of the UTC day that holds `ms`: retention keeps that day and everything after it. */
export function utcDayStart(ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${ms}`);
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export interface LogStore {
  /**
   * True when other Quarry processes write to the same store (a ClickHouse server behind several
   * receivers): what one process remembers of its own writes does not tell what is stored.
   */
  readonly sharedWriters: boolean;
  /** Creates tables if needed; must be called once before anything else. */
  open(): Promise<void>;
  /** Writes the batch; resolves only once the rows are durable. One call = one atomic insert. */
  append(batch: EncodedBatch, options?: AppendOptions): Promise<void>;
  /** With `contains` the count reads messages: search work, for `work` when given. */
  count(filter: CountFilter, options?: { work?: SearchWork; onEngineMs?: (ms: number) => void }): Promise<number>;
  /** Newest messages first (by receipt time, then message time). */
  tail(limit: number): Promise<StoredMessage[]>;
  /**
   * Every message in the range, newest first (by the range's time column), in batches; memory
   * stays bounded by the batch size. Stops early when the signal aborts.
   */
  scan(request: ScanRequest): AsyncIterable<StoredMessage[]>;
  stats(): Promise<StoreStats>;
  /** The engine and its version (what the search planner may push down). */
  engine(): Promise<StoreEngine>;
  /**
   * Runs a read-only statement built by the search planner (a SQL tree: the store renders it in its
   * engine's dialect, values bound or escaped there). Yields the result in batches; stops when the
   * signal aborts.
   */
  select(statement: Sql, options?: SelectOptions): AsyncIterable<SelectRow[]>;
  /**
   * Appends the rows of a planner-built SELECT to the store's temporary table `name` (created by
   * the first call with the SELECT's columns; later calls must select the same columns), so a
   * search split into several statements can combine their partial results in one later select()
   * that reads `name`. Names match /^quarry_stage_[a-z0-9_]{1,64}$/. Does nothing once the signal
   * aborted. The table lives until dropStaged(name) or until the store closes.
   */
  stage(name: string, statement: Sql, options?: SelectOptions): Promise<StageSummary>;
  /**
   * Narrowing from the store's full-text index for a keyword or phrase as typed: a predicate that
   * holds for every message containing it (false positives allowed), or undefined when the index
   * cannot help (no index, or a term it does not hold).
   */
  textIndexPredicate(term: string): Sql | undefined;
  /** Drops a staged table (no error when it does not exist). */
  dropStaged(name: string): Promise<void>;
  /** How many rows match (see TaggedRows). */
  countTagged(rows: TaggedRows): Promise<number>;
  /** Deletes the rows that match (a partly stored batch, before it is stored again). */
  deleteTagged(rows: TaggedRows): Promise<void>;
  /** Where rows lie in message time, in spans (for splitting long searches into time slices; may overlap). */
  rowSpans(): Promise<RowSpan[]>;
  /**
   * Retention: drops every whole day partition all of whose rows have a message time before the
   * start of the UTC day of `cutoffMs` (`utcDayStart`), and tells what it dropped. A partition that
   * holds a row at or after that instant is kept whole; rows are never deleted one by one. On a
   * cluster each shard drops its own partitions: a shard that cannot be reached fails the call
   * with an Unavailable StoreError once the others are done (its message says what they dropped);
   * the next call catches up. Calling it again with the same cutoff drops nothing.
   */
  dropBefore(cutoffMs: number): Promise<DroppedPartitions>;
  /** Background work not yet done, oldest first (empty when there is none). */
  backgroundWork(): Promise<BackgroundWork[]>;
  /** True when the store is open and accepts writes (on a cluster: some shard takes them). */
  checkWritable(): Promise<boolean>;
  /**
   * True when the store is open and answers reads here (on a cluster: some node answers; a search
   * still fails, saying so, while a shard is down).
   */
  checkReadable(): Promise<boolean>;
  close(): Promise<void>;
}
