import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open as openFile, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { AppError, ErrorCode, isAppError } from '../../core/errors.js';
import { clickhouseErrorKind, isStoreError, StoreError, StoreErrorKind } from '../store-error.js';
import type {
  AppendOptions,
  BackgroundWork,
  CountFilter,
  DroppedPartitions,
  LogStore,
  RowSpan,
  ScanRequest,
  SelectOptions,
  SelectRow,
  StageSummary,
  StoreEngine,
  StoreStats,
  StoredMessage,
  TaggedRows,
} from '../log-store.js';
import { utcDayStart } from '../log-store.js';
import {
  batchContexts,
  batchFormat,
  batchPieces,
  contextValues,
  encodedRowStructure,
  formatTime,
  rowBinaryStructure,
  type EncodedBatch,
  type RowFormat,
} from '../row-encoding.js';
import {
  createHealthTableSql,
  describeMutation,
  logsTable,
  logsTableSetupSql,
  minuteCountsBackfillSql,
  pendingMutationsSql,
  textIndexBackfillSql,
  type PendingMutation,
} from './schema.js';
import { WorkCancelledError, WorkKind, WorkScheduler, type SearchWork, type WorkTag } from '../work-scheduler.js';
import { clickhouseDialect, clickhouseInlineDialect, quoteString } from '../../query/sql/dialect.js';
import { id, join as joinSql, param, sql, type Sql } from '../../query/sql/tree.js';
import { defaultTextIndex, textIndexPredicate, type TextIndexKind } from './text-index.js';

export interface ChdbLogStoreOptions {
  /** Directory of the chDB database (created if missing). One process may open it at a time. */
  path: string;
  /** fsync parts after each insert, so acknowledged rows also survive power loss. */
  fsync?: boolean;
  /**
   * Where batches are spooled for the engine to read (default: a fresh temp directory). Spool files
   * live only while their insert runs; they need no durability, and leftovers are removed at open.
   */
  spoolDir?: string;
  /** Full-text skip index of the message column (docs/storage.md); added to an existing table if missing. */
  textIndex?: TextIndexKind;
}

/**
 * The engine's error as a StoreError (store-error.ts), by ClickHouse's error code: the one place the
 * engine's text is read. Application errors pass through.
 */
function toStoreError(error: unknown): unknown {
  if (isAppError(error) || isStoreError(error) || error instanceof WorkCancelledError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const code = Number(/\bCode: (\d+)/.exec(text)?.[1] ?? NaN);
  const kind = clickhouseErrorKind(code, text);
  return new StoreError(kind, { cause: error });
}

/** A cancelled scan's queued statement ends the scan quietly. */
function quietIfCancelled(error: unknown): undefined {
  if (error instanceof WorkCancelledError) return undefined;
  throw error;
}

/** The rows of LogStore.countTagged / deleteTagged. */
const TAGGED_WHERE = 'receipt_ts >= fromUnixTimestamp64Milli({since:Int64}) AND source = {source:String} AND fields[{field:String}] = {value:String}';
const taggedParams = (t: TaggedRows): Record<string, string | number> => ({ since: t.receivedSince, source: t.source, field: t.field, value: t.value });

/** Names of staged tables (LogStore.stage). */
const STAGE_NAME = /^quarry_stage_[a-z0-9_]{1,64}$/;

// Aliases must not shadow the columns: WHERE and ORDER BY would see the alias.
const SELECT_MESSAGE = `toUnixTimestamp64Milli(ts) AS ts_ms, toUnixTimestamp64Milli(receipt_ts) AS receipt_ms, partition,
  source_category, source_host, source_name, collector, source, size, format, message, fields`;

function toStoredMessage(row: TailRow): StoredMessage {
  return {
    _messageTime: Number(row.ts_ms),
    _receiptTime: Number(row.receipt_ms),
    _index: row.partition,
    _sourceCategory: row.source_category,
    _sourceHost: row.source_host,
    _sourceName: row.source_name,
    _collector: row.collector,
    _source: row.source,
    _size: Number(row.size),
    _format: row.format,
    _raw: row.message,
    fields: row.fields,
  };
}

interface TailRow {
  ts_ms: string;
  receipt_ms: string;
  partition: string;
  source_category: string;
  source_host: string;
  source_name: string;
  collector: string;
  source: string;
  size: number;
  format: string;
  message: string;
  fields: Record<string, string>;
}

/** SETTINGS clause of a select: names are checked, values are numbers or plain words. */
function settingsClause(settings: Record<string, string | number>): string {
  const all: Record<string, string | number> = { output_format_json_quote_64bit_integers: 0, ...settings };
  return Object.entries(all)
    .map(([k, v]) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(k)) throw new AppError(ErrorCode.Internal, `invalid setting name ${JSON.stringify(k)}`);
      if (typeof v === 'number' ? !Number.isFinite(v) : !/^[A-Za-z0-9_.]+$/.test(v)) {
        throw new AppError(ErrorCode.Internal, `invalid value for setting ${k}`);
      }
      return `${k} = ${typeof v === 'number' ? String(v) : quoteString(v)}`;
    })
    .join(', ');
}

function lockedError(path: string, cause: unknown): AppError {
  return new AppError(
    ErrorCode.Unavailable,
    `the log store at ${path} is in use by another process (is another quarry serve running on this data directory?)`,
    { cause },
  );
}


/**
 * The INSERT of one append: rows carry a context id (row-encoding.ts); the shared metadata of the
 * batch's contexts is written once here as constant arrays, and each row picks its entry. A row
 * whose id is not among them stops the whole insert (nothing is written), so a batch is never
 * stored under the wrong metadata.
 */
function appendSql(file: string, format: RowFormat, contextIds: readonly number[], settings: string): string {
  const contexts = contextIds.map((id) => {
    const values = contextValues(id);
    if (values === undefined) {
      throw new AppError(ErrorCode.Unavailable, `ingest context ${id} is no longer known (too many distinct sources); retry the request`, {
        retryAfterSeconds: 1,
      });
    }
    return values;
  });
  const column = (pick: (c: NonNullable<ReturnType<typeof contextValues>>) => string): string =>
    `arrayElement([${contexts.map((c) => quoteString(pick(c))).join(', ')}], i)`;
  const maps = contexts.map(
    (c) => `map(${Object.entries(c.fields).flatMap(([k, v]) => [quoteString(k), quoteString(v)]).join(', ')})`,
  );
  return `INSERT INTO ${logsTable}
  (ts, format, size, message, receipt_ts, partition, source_category, source_host, source_name, collector, source, fields)
SELECT fromUnixTimestamp64Milli(ts), format, size, message, fromUnixTimestamp64Milli(receipt),
  ${column((c) => c.partition)}, ${column((c) => c.sourceCategory)}, ${column((c) => c.sourceHost)},
  ${column((c) => c.sourceName)}, ${column((c) => c.collector)}, ${column((c) => c.source)},
  arrayElement(CAST([${maps.join(', ')}], 'Array(Map(String, String))'), i)
FROM (
  SELECT *, transform(context, [${contextIds.join(', ')}], [${contextIds.map((_, n) => n + 1).join(', ')}], 0) AS i0,
    i0 + throwIf(i0 = 0, 'a row refers to an ingest context the batch does not carry') AS i
  FROM file(${quoteString(file)}, '${format}', ${quoteString(format === 'RowBinary' ? rowBinaryStructure : encodedRowStructure)})
)
SETTINGS ${settings}`;
}

/** Writes a batch's rows to its spool file, piece by piece (no concatenated copy). */
async function writePieces(file: string, pieces: readonly (string | Buffer)[]): Promise<void> {
  if (pieces.length === 1) return writeFile(file, pieces[0]!, 'utf8');
  const handle = await openFile(file, 'w');
  try {
    for (const piece of pieces) {
      if (typeof piece === 'string') await handle.write(piece, null, 'utf8');
      else await handle.write(piece);
    }
  } finally {
    await handle.close();
  }
}

/** The embedded chDB (ClickHouse in-process) adapter of the LogStore port. */
export function createChdbLogStore(options: ChdbLogStoreOptions): LogStore {
  let session: Session | undefined;
  /** Staged (temporary) tables created on this connection. */
  const staged = new Set<string>();
  let lastHealthWrite = 0;
  /** The last append failed for want of disk (or store): readiness probes write until one succeeds. */
  let writesFailing = false;
  let spoolDir: string | undefined;
  let spoolSeq = 0;
  const insertSettings = Object.entries({
    // Historical uploads can span many days; daily partitions must not refuse them.
    max_partitions_per_insert_block: 0,
    // A retried identical batch is new data here; never deduplicate silently.
    insert_deduplicate: 0,
    // Squash the whole batch into one block, so one append writes one part (per day): all or nothing.
    min_insert_block_size_rows: 100_000_000,
    min_insert_block_size_bytes: 64 * 1024 * 1024 * 1024,
    max_insert_threads: 1,
    ...(options.fsync ? { fsync_after_insert: 1, fsync_part_directory: 1 } : {}),
  })
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');

  const db = (): Session => {
    if (!session) throw new AppError(ErrorCode.Unavailable, 'log store is not open');
    return session;
  };

  // The engine runs one statement at a time: every statement goes through one lane (work-scheduler.ts).
  // Statements get no abort signal: chDB would reject at once while the engine kept computing, and
  // the lane would issue the next statement behind it. A cancelled search's queued statements are
  // dropped instead, and the one in flight is a bounded slice.
  const scheduler = new WorkScheduler(1);
  const control: WorkTag = { kind: WorkKind.Control };
  const searchTag = (work: SearchWork | undefined, signal?: AbortSignal): WorkTag =>
    work === undefined ? { kind: WorkKind.Control, signal } : { kind: WorkKind.Search, search: work, signal };
  const inLane = <T>(tag: WorkTag, run: () => Promise<T>, onEngineMs?: (ms: number) => void): Promise<T> =>
    scheduler.run(tag, async () => {
      const started = performance.now();
      try {
        return await run();
      } catch (error) {
        throw toStoreError(error);
      } finally {
        onEngineMs?.(performance.now() - started);
      }
    });

  const queryJson = async <T>(sql: string, params: Record<string, unknown> = {}, tag: WorkTag = control, onEngineMs?: (ms: number) => void): Promise<T[]> => {
    const result = await inLane(tag, () => db().queryBindAsync(sql, params, { format: 'JSONEachRow' }), onEngineMs);
    const text = result.text();
    if (text.length === 0) return [];
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as T);
  };

  return {
    sharedWriters: false,
    async open() {
      mkdirSync(options.path, { recursive: true });
      try {
        session = new Session(options.path);
      } catch (error) {
        // The engine locks its directory; a second process gets a connection error (and the engine
        // prints "Cannot lock file …/status" itself).
        const name = (error as { name?: string }).name ?? '';
        if (name === 'ChdbConnectionError' || /lock/i.test(String(error))) throw lockedError(options.path, error);
        throw error;
      }
      const existing = await queryJson<{ indexes: string[]; projections: string[]; parts: number }>(
        `SELECT (SELECT groupArray(name) FROM system.data_skipping_indices WHERE database = currentDatabase() AND table = {t:String}) AS indexes,
                (SELECT groupArray(name) FROM system.projections WHERE database = currentDatabase() AND table = {t:String}) AS projections,
                (SELECT count() FROM system.parts WHERE active AND database = currentDatabase() AND table = {t:String}) AS parts
         SETTINGS output_format_json_quote_64bit_integers = 0`,
        { t: logsTable },
      );
      const indexes = existing[0]?.indexes ?? [];
      const parts = Number(existing[0]?.parts ?? 0);
      for (const sql of logsTableSetupSql({ textIndex: options.textIndex, existingIndexes: indexes })) await session.queryAsync(sql);
      const backfills = [textIndexBackfillSql({ textIndex: options.textIndex }, indexes, parts), minuteCountsBackfillSql({}, existing[0]?.projections ?? [], parts)];
      for (const sql of backfills) if (sql !== undefined) await session.queryAsync(sql);
      await session.queryAsync(createHealthTableSql);
      if (options.spoolDir) {
        rmSync(options.spoolDir, { recursive: true, force: true });
        mkdirSync(options.spoolDir, { recursive: true });
      }
      spoolDir = options.spoolDir ?? mkdtempSync(join(tmpdir(), 'quarry-spool-'));
    },

    async append(batch: EncodedBatch, appendOptions: AppendOptions = {}) {
      if (batch.lines === 0) return;
      // chDB's insert() parses inline data several times slower than its file reader (measured:
      // 2.3 s vs 0.4 s for 74 MB), so each batch is spooled to a file the engine reads.
      const format = batchFormat(batch);
      const file = join(spoolDir!, `batch-${process.pid}-${spoolSeq++}.${format === 'TSV' ? 'tsv' : 'bin'}`);
      const sql = appendSql(file, format, batchContexts(batch), insertSettings);
      try {
        await writePieces(file, batchPieces(batch)).catch((error: unknown) => {
          throw (error as { code?: string }).code === 'ENOSPC' ? new StoreError(StoreErrorKind.DiskFull, { cause: error }) : error;
        });
        await inLane({ kind: WorkKind.Append }, () => db().queryAsync(sql, appendOptions.timeoutMs ? { timeout: appendOptions.timeoutMs } : {}));
        writesFailing = false;
      } catch (error) {
        // Readiness follows: until a write succeeds again, /readyz says the store takes no writes.
        if (isStoreError(error) && (error.kind === StoreErrorKind.DiskFull || error.kind === StoreErrorKind.Unavailable)) writesFailing = true;
        throw error;
      } finally {
        await unlink(file).catch(() => undefined);
      }
    },

    async count(filter: CountFilter, countOptions: { work?: SearchWork; onEngineMs?: (ms: number) => void } = {}) {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (filter.from !== undefined) {
        where.push('ts >= fromUnixTimestamp64Milli({from:Int64})');
        params.from = filter.from;
      }
      if (filter.to !== undefined) {
        where.push('ts < fromUnixTimestamp64Milli({to:Int64})');
        params.to = filter.to;
      }
      if (filter.sourceCategory !== undefined) {
        where.push('source_category = {category:String}');
        params.category = filter.sourceCategory;
      }
      if (filter.contains !== undefined) {
        where.push('position(message, {contains:String}) > 0');
        params.contains = filter.contains;
      }
      const sql = `SELECT count() AS n FROM ${logsTable}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
      // A count that reads messages is search work; one over the index alone is short.
      const rows = await queryJson<{ n: string | number }>(sql, params, filter.contains === undefined ? control : searchTag(countOptions.work), countOptions.onEngineMs);
      return Number(rows[0]?.n ?? 0);
    },

    async tail(limit: number) {
      const rows = await queryJson<TailRow>(
        `SELECT ${SELECT_MESSAGE} FROM ${logsTable} ORDER BY receipt_ts DESC, ts DESC LIMIT {limit:UInt32}`,
        { limit },
      );
      return rows.map(toStoredMessage);
    },

    async *scan(request: ScanRequest) {
      // Newest first, in time windows: each window is read whole (ORDER BY time DESC); a window
      // holding more than a batch is halved until it fits (down to 1 ms, then paged by OFFSET).
      // Keyset windows need no server-side cursor, so concurrent scans share one chDB session.
      const column = request.byReceiptTime ? 'receipt_ts' : 'ts';
      const tag = searchTag(request.work, request.signal);
      const batchRows = request.batchRows ?? 10_000;
      let upper = request.to;
      let width = Math.max(1, Math.ceil((request.to - request.from) / 8));
      while (upper > request.from) {
        if (request.signal?.aborted) return;
        const lower = Math.max(request.from, upper - width);
        const params = { lower, upper, limit: batchRows + 1 };
        const where = `${column} >= fromUnixTimestamp64Milli({lower:Int64}) AND ${column} < fromUnixTimestamp64Milli({upper:Int64})`;
        const rows = await queryJson<TailRow>(
          `SELECT ${SELECT_MESSAGE} FROM ${logsTable} WHERE ${where} ORDER BY ${column} DESC LIMIT {limit:UInt32}`,
          params,
          tag,
        ).catch(quietIfCancelled);
        if (rows === undefined) return;
        if (rows.length > batchRows && upper - lower > 1) {
          width = Math.max(1, Math.floor((upper - lower) / 2));
          continue;
        }
        if (rows.length > batchRows) {
          // More than a batch in one millisecond: page through it.
          for (let offset = 0; ; offset += batchRows) {
            if (request.signal?.aborted) return;
            const page = await queryJson<TailRow>(
              `SELECT ${SELECT_MESSAGE} FROM ${logsTable} WHERE ${where} ORDER BY ${column} DESC, message
               LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
              { ...params, limit: batchRows, offset },
              tag,
            ).catch(quietIfCancelled);
            if (page === undefined) return;
            if (page.length > 0) yield page.map(toStoredMessage);
            if (page.length < batchRows) break;
          }
        } else if (rows.length > 0) {
          yield rows.map(toStoredMessage);
        }
        upper = lower;
        // Grow again after sparse windows so empty stretches cost few queries.
        if (rows.length < batchRows / 4) width *= 2;
      }
    },

    async stats(): Promise<StoreStats> {
      const rows = await queryJson<{ rows: string; disk: string; raw: string }>(
        `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS disk, sum(data_uncompressed_bytes) AS raw
         FROM system.parts WHERE active AND database = currentDatabase() AND table = {table:String}`,
        { table: logsTable },
      );
      const row = rows[0];
      return { rows: Number(row?.rows ?? 0), bytesOnDisk: Number(row?.disk ?? 0), bytesUncompressed: Number(row?.raw ?? 0) };
    },

    async engine(): Promise<StoreEngine> {
      const rows = await queryJson<{ v: string }>('SELECT version() AS v');
      return { engine: 'chdb', version: rows[0]?.v ?? '0', textIndex: options.textIndex ?? defaultTextIndex, minuteCounts: true };
    },

    async stage(name: string, statement: Sql, stageOptions: SelectOptions = {}): Promise<StageSummary> {
      if (!STAGE_NAME.test(name)) throw new AppError(ErrorCode.Internal, `invalid staged table name ${JSON.stringify(name)}`);
      if (stageOptions.signal?.aborted) return { elapsedMs: 0 };
      const { sql, params } = clickhouseDialect.render(statement);
      const head = staged.has(name) ? `INSERT INTO ${name} ` : `CREATE TEMPORARY TABLE ${name} ENGINE = Memory AS `;
      const started = performance.now();
      const tag = searchTag(stageOptions.work, stageOptions.signal);
      let elapsedMs = 0;
      try {
        await inLane(tag, async () => {
          const inLaneAt = performance.now();
          await db().queryBindAsync(`${head}${sql} SETTINGS ${settingsClause(stageOptions.settings ?? {})}`, params, { format: 'JSONEachRow' });
          // Only the engine's own time sizes the next slice, not the wait for the lane.
          elapsedMs = performance.now() - inLaneAt;
        });
      } catch (error) {
        if (error instanceof WorkCancelledError) return { elapsedMs: performance.now() - started };
        throw error;
      }
      staged.add(name);
      if (stageOptions.onRowsRead) {
        // An INSERT … SELECT reports no progress: the rows its index analysis selected stand in.
        const estimate = await queryJson<{ rows: number }>(`EXPLAIN ESTIMATE ${sql} SETTINGS output_format_json_quote_64bit_integers = 0`, params, { ...tag, signal: undefined });
        stageOptions.onRowsRead(estimate.reduce((sum, r) => sum + Number(r.rows), 0));
      }
      return { elapsedMs };
    },

    async dropStaged(name: string): Promise<void> {
      if (!STAGE_NAME.test(name)) throw new AppError(ErrorCode.Internal, `invalid staged table name ${JSON.stringify(name)}`);
      staged.delete(name);
      await inLane(control, () => db().queryAsync(`DROP TEMPORARY TABLE IF EXISTS ${name}`));
    },

    async countTagged(tagged: TaggedRows): Promise<number> {
      const rows = await queryJson<{ n: number }>(`SELECT count() AS n FROM ${logsTable} WHERE ${TAGGED_WHERE} SETTINGS output_format_json_quote_64bit_integers = 0`, taggedParams(tagged));
      return Number(rows[0]?.n ?? 0);
    },

    async deleteTagged(tagged: TaggedRows): Promise<void> {
      // A lightweight delete: the rows are hidden at once and dropped by later merges.
      await inLane(control, () => db().queryBindAsync(`DELETE FROM ${logsTable} WHERE ${TAGGED_WHERE}`, taggedParams(tagged)));
    },

    async dropBefore(cutoffMs: number): Promise<DroppedPartitions> {
      const dayStart = utcDayStart(cutoffMs);
      // The newest message time of each partition, from the parts' min-max index of ts (ClickHouse
      // answers this from part metadata). Not the partition's day: toDate wraps around for times
      // outside 1970–2149, so a far-future row can sit in a partition named for a past day. With
      // the delete mask off, rows a repair deleted still count: at worst a partition is kept.
      const newest = await queryJson<{ id: string; hi: number }>(
        `SELECT _partition_id AS id, toUnixTimestamp64Milli(max(ts)) AS hi FROM ${logsTable} GROUP BY id
         SETTINGS apply_deleted_mask = 0, output_format_json_quote_64bit_integers = 0`,
      );
      const old = newest.filter((p) => Number(p.hi) < dayStart).map((p) => p.id);
      if (old.length === 0) return { partitions: 0, rows: 0 };
      const ids = joinSql(old.map((p) => param(p, 'String')), ', ');
      const counted = clickhouseDialect.render(sql`SELECT count() AS n FROM ${id(logsTable)} WHERE _partition_id IN (${ids})`);
      const rows = Number((await queryJson<{ n: number }>(`${counted.sql} SETTINGS output_format_json_quote_64bit_integers = 0`, counted.params))[0]?.n ?? 0);
      for (const partition of old) {
        // A partition over 50 GB is refused by default (max_partition_size_to_drop): lift that here.
        const drop = clickhouseInlineDialect.render(sql`ALTER TABLE ${id(logsTable)} DROP PARTITION ID ${param(partition, 'String')} SETTINGS max_partition_size_to_drop = 0`);
        await inLane(control, () => db().queryAsync(drop.sql));
      }
      return { partitions: old.length, rows };
    },

    async backgroundWork(): Promise<BackgroundWork[]> {
      const rows = await queryJson<PendingMutation>(pendingMutationsSql, { table: logsTable });
      return rows.map((r) => ({
        what: describeMutation(r.command),
        partsLeft: Number(r.left),
        startedAt: Number(r.at),
        ...(r.failure ? { lastFailure: r.failure } : {}),
      }));
    },

    async rowSpans(): Promise<RowSpan[]> {
      // min_time/max_time come from the partition key's min-max index (whole seconds).
      const rows = await queryJson<{ from: number; to: number; rows: number }>(
        `SELECT toUnixTimestamp(min_time) * 1000 AS from, (toUnixTimestamp(max_time) + 1) * 1000 AS to, rows
         FROM system.parts WHERE active AND database = currentDatabase() AND table = {table:String}
         SETTINGS output_format_json_quote_64bit_integers = 0`,
        { table: logsTable },
      );
      return rows.map((r) => ({ from: Number(r.from), to: Number(r.to), rows: Number(r.rows) }));
    },

    textIndexPredicate(term: string): Sql | undefined {
      return textIndexPredicate(term, options.textIndex ?? defaultTextIndex);
    },

    async *select(statement: Sql, selectOptions: SelectOptions = {}) {
      const { signal } = selectOptions;
      if (signal?.aborted) return;
      const { sql, params } = clickhouseDialect.render(statement);
      const { onRowsRead } = selectOptions;
      let result;
      try {
        result = await inLane(searchTag(selectOptions.work, signal), () =>
          db().queryBindAsync(`${sql} SETTINGS ${settingsClause(selectOptions.settings ?? {})}`, params, {
            // With progress lines the rows read can be told; each result row is then wrapped in {"row": …}.
            format: onRowsRead ? 'JSONEachRowWithProgress' : 'JSONEachRow',
          }),
          selectOptions.onEngineMs,
        );
      } catch (error) {
        // A cancelled search ends quietly; the caller knows it aborted.
        if (signal?.aborted || error instanceof WorkCancelledError) return;
        throw error;
      }
      const text = result.text();
      const batchRows = selectOptions.batchRows ?? 10_000;
      let batch: SelectRow[] = [];
      let rowsRead = 0;
      let start = 0;
      while (start < text.length) {
        let end = text.indexOf('\n', start);
        if (end < 0) end = text.length;
        if (end > start) {
          const line = JSON.parse(text.slice(start, end)) as SelectRow;
          if (!onRowsRead) batch.push(line);
          else if (line.row !== undefined) batch.push(line.row as SelectRow);
          // Progress lines carry running totals.
          else if (line.progress !== undefined) rowsRead = Math.max(rowsRead, Number((line.progress as { read_rows?: string }).read_rows ?? 0));
        }
        start = end + 1;
        if (batch.length >= batchRows) {
          yield batch;
          batch = [];
          if (signal?.aborted) return;
          // A large result is parsed a batch at a time, with the event loop let through between.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      if (batch.length > 0) yield batch;
      onRowsRead?.(rowsRead);
    },

    async checkReadable() {
      if (!session?.open) return false;
      try {
        await this.rowSpans();
        return true;
      } catch {
        return false;
      }
    },

    async checkWritable() {
      if (!session?.open) return false;
      const now = Date.now();
      try {
        // A real write, at most every 10 s so probes don't churn parts — and on every probe while
        // writes are failing (a full disk), so readiness returns as soon as they work again.
        if (writesFailing || now - lastHealthWrite > 10_000) {
          const open = session;
          await inLane(control, () => open.insert({
            table: 'quarry_health',
            values: Buffer.from(`1\t${formatTime(now)}\n`),
            format: 'TSV',
          }));
          lastHealthWrite = now;
          writesFailing = false;
        } else {
          const open = session;
          await inLane(control, () => open.queryAsync('SELECT 1'));
        }
        return true;
      } catch {
        writesFailing = true;
        return false;
      }
    },

    close() {
      session?.close();
      session = undefined;
      staged.clear();
      if (spoolDir && !options.spoolDir) rmSync(spoolDir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}
