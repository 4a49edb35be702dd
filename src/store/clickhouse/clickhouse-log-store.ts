/**
 * The ClickHouse server adapter of the LogStore port, for ClickHouse 18.16 (Debian's package; what
 * it lacks is in docs/clickhouse-18.md): one server, or a cluster of single-replica shards behind
 * a Distributed table (schema.ts). Statements are rendered by clickhouse18Dialect (inline literals,
 * the Int64/Nested layout); the capability table pushes only the scope and time range to it.
 */
import { Pacer } from '../../core/pacer.js';
import { AppError, ErrorCode } from '../../core/errors.js';
import { clickhouse18Dialect, quoteString } from '../../query/sql/dialect.js';
import { id, join, param, rowCount, sql, type Sql } from '../../query/sql/tree.js';
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
import { batchFormat, batchPieces, contextValues, escapeTsv, rowBinaryRows, type EncodedBatch } from '../row-encoding.js';
import { isStoreError, StoreError, StoreErrorKind } from '../store-error.js';
import { WorkCancelledError, WorkKind, WorkScheduler, type SearchWork, type WorkTag } from '../work-scheduler.js';
import { ClickHouseHttp, isConnectionFailure, isNotConnected, toStoreError, type ClickHouseHost } from './http.js';
import { INSERT_COLUMNS, localLogsTable, logsTable, logsTableSetupSql } from './schema.js';

export interface ClickHouseLogStoreOptions {
  /** The servers: one, or every shard of `cluster` (one replica each), in the cluster's order. */
  hosts: readonly ClickHouseHost[];
  /** The cluster's name in the servers' `remote_servers` (absent: a single server). */
  cluster?: string;
  /** Statements run at once at most (searches share them fairly; default 4). */
  concurrency?: number;
}

/** Names of staged tables (LogStore.stage). */
const STAGE_NAME = /^quarry_stage_[a-z0-9_]{1,64}$/;

const MESSAGE_COLUMNS = 'ts, receipt_ts, partition, source_category, source_host, source_name, collector, source, size, format, message, `fields.key` AS fk, `fields.value` AS fv';

interface MessageRow {
  ts: number;
  receipt_ts: number;
  partition: string;
  source_category: string;
  source_host: string;
  source_name: string;
  collector: string;
  source: string;
  size: number;
  format: string;
  message: string;
  fk: string[];
  fv: string[];
}

function pairsToObject(keys: readonly string[], values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i] ?? '';
  return out;
}

function toStoredMessage(row: MessageRow): StoredMessage {
  return {
    _messageTime: Number(row.ts),
    _receiptTime: Number(row.receipt_ts),
    _index: row.partition,
    _sourceCategory: row.source_category,
    _sourceHost: row.source_host,
    _sourceName: row.source_name,
    _collector: row.collector,
    _source: row.source,
    _size: Number(row.size),
    _format: row.format,
    _raw: row.message,
    fields: pairsToObject(row.fk, row.fv),
  };
}

/** The Nested fields of a select() row ([key, value] pairs, see clickhouse18Dialect) as the port's object. */
function portRow(row: SelectRow): SelectRow {
  const fields = row.fields;
  if (Array.isArray(fields)) row.fields = Object.fromEntries(fields as [string, string][]);
  return row;
}

const arrayLiteral = (values: readonly string[]): string => `[${values.map(quoteString).join(',')}]`;

/** A context's metadata columns as TSV (partition … fields.value), once per context id. */
function contextColumns(contextId: number, cache: Map<number, string>): string {
  let text = cache.get(contextId);
  if (text === undefined) {
    const c = contextValues(contextId);
    if (c === undefined) throw new AppError(ErrorCode.Internal, `unknown message context ${contextId}`);
    const keys = Object.keys(c.fields);
    text = [c.partition, c.sourceCategory, c.sourceHost, c.sourceName, c.collector, c.source].map(escapeTsv).join('\t');
    text += `\t${arrayLiteral(keys)}\t${arrayLiteral(keys.map((k) => c.fields[k]!))}`;
    cache.set(contextId, text);
  }
  return text;
}

/**
 * A batch's rows as the TSV of an INSERT (INSERT_COLUMNS), contexts expanded: in chunks of about a
 * megabyte, a slice of the event loop at a time.
 */
async function insertTsv(batch: EncodedBatch): Promise<Buffer> {
  const cache = new Map<number, string>();
  const pacer = new Pacer();
  const chunks: Buffer[] = [];
  let out = '';
  const row = (time: string | number, format: string, size: string | number, escapedMessage: string, receipt: string | number, context: number) => {
    out += `${time}\t${receipt}\t${contextColumns(context, cache)}\t${escapedMessage}\t${size}\t${escapeTsv(format)}\n`;
    if (out.length >= 1 << 20) {
      chunks.push(Buffer.from(out, 'utf8'));
      out = '';
    }
  };
  const binary = batchFormat(batch) === 'RowBinary';
  for (const piece of batchPieces(batch)) {
    if (binary) {
      for (const r of rowBinaryRows(piece as Buffer)) {
        if (pacer.due()) await pacer.yield();
        row(r.time, r.format, r.size, escapeTsv(r.message), r.receiptTime, r.context);
      }
      continue;
    }
    const text = typeof piece === 'string' ? piece : piece.toString('utf8');
    let start = 0;
    while (start < text.length) {
      if (pacer.due()) await pacer.yield();
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      if (end > start) {
        // time, format, size, message (escaped: no tabs), receipt, context
        const f = text.slice(start, end).split('\t');
        if (f.length !== 6) throw new AppError(ErrorCode.Internal, 'malformed encoded row');
        row(f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, Number(f[5]));
      }
      start = end + 1;
    }
  }
  if (out !== '') chunks.push(Buffer.from(out, 'utf8'));
  return Buffer.concat(chunks);
}

const render = (tree: Sql): string => clickhouse18Dialect.render(tree).sql;

/**
 * The partition that the day expression of schema.ts gives every time outside the days it can
 * name: before 1970-01-02 and from 2106-02-07 on (18.16's date table ends there; measured), so
 * it may hold far-future rows. Every other partition holds exactly the rows of its UTC day.
 */
const CATCH_ALL_PARTITION = '19700101';

/** A UTC day as the number its partition id spells (YYYYMMDD). */
function dayNumber(dayStartMs: number): number {
  const d = new Date(dayStartMs);
  return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** The rows of LogStore.countTagged / deleteTagged. */
const taggedWhere = (t: TaggedRows): Sql =>
  sql`receipt_ts >= ${param(t.receivedSince, 'Int64')} AND source = ${param(t.source, 'String')} AND has(\`fields.key\`, ${param(t.field, 'String')}) AND \`fields.value\`[indexOf(\`fields.key\`, ${param(t.field, 'String')})] = ${param(t.value, 'String')}`;

export function createClickHouseLogStore(options: ClickHouseLogStoreOptions): LogStore {
  if (options.hosts.length === 0) throw new AppError(ErrorCode.BadRequest, 'the ClickHouse store needs at least one server');
  const nodes = options.hosts.map((h) => new ClickHouseHttp(h));
  const clustered = options.cluster !== undefined;
  const shardTable = clustered ? localLogsTable : logsTable;
  const staged = new Set<string>();
  let opened = false;
  let version = '0';
  /** The node reads go to (the first that answers); stage() and its selects stay on it. */
  let readerIndex = 0;
  let nextShard = 0;
  let lastHealthWrite = 0;
  let writesFailing = false;

  const scheduler = new WorkScheduler(options.concurrency ?? 4);
  const control: WorkTag = { kind: WorkKind.Control };
  const searchTag = (work: SearchWork | undefined, signal?: AbortSignal): WorkTag =>
    work === undefined ? { kind: WorkKind.Control, signal } : { kind: WorkKind.Search, search: work, signal };

  const ensureOpen = () => {
    if (!opened) throw new StoreError(StoreErrorKind.Unavailable, { message: 'log store is not open' });
  };

  /** Runs `work` on the reader node, moving to the next node when one cannot be reached. */
  const onReader = async <T>(work: (node: ClickHouseHttp) => Promise<T>): Promise<T> => {
    ensureOpen();
    let lastError: unknown;
    for (let tried = 0; tried < nodes.length; tried++) {
      const index = (readerIndex + tried) % nodes.length;
      try {
        const result = await work(nodes[index]!);
        readerIndex = index;
        return result;
      } catch (error) {
        if (!isConnectionFailure(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  };

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

  const rows = <T>(statement: string, tag: WorkTag = control, onEngineMs?: (ms: number) => void, settings?: Record<string, string | number>): Promise<T[]> =>
    inLane(tag, () => onReader((node) => node.rows<T>(statement, { signal: tag.signal, settings })), onEngineMs);

  /** Runs a statement on every node (DDL, mutations, system tables of each shard). */
  const onEveryNode = async <T>(work: (node: ClickHouseHttp) => Promise<T>): Promise<T[]> => {
    try {
      return await Promise.all(nodes.map(work));
    } catch (error) {
      throw toStoreError(error);
    }
  };

  const database = (node: ClickHouseHttp) => quoteString(node.host.database);

  return {
    sharedWriters: true,
    async open() {
      await onEveryNode(async (node) => {
        for (const statement of logsTableSetupSql({ cluster: options.cluster, database: node.host.database })) await node.query(statement);
      });
      opened = true;
      const v = await rows<{ v: string }>('SELECT version() AS v');
      version = v[0]?.v ?? '0';
    },

    async append(batch: EncodedBatch, appendOptions: AppendOptions = {}) {
      ensureOpen();
      if (batch.lines === 0) return;
      const body = await insertTsv(batch);
      const statement = `INSERT INTO ${shardTable} (${INSERT_COLUMNS}) FORMAT TSV`;
      // One shard takes the whole batch (round robin). A shard that refused the connection wrote
      // nothing, so the next one is tried; a connection that broke after the rows were sent may
      // have committed them, so that fails the batch as unavailable (the sender retries; with a
      // batch id its resend finds the rows once the shard is back). Any other failure fails it too.
      const first = nextShard++ % nodes.length;
      await inLane({ kind: WorkKind.Append }, async () => {
        let lastError: unknown;
        for (let tried = 0; tried < nodes.length; tried++) {
          const node = nodes[(first + tried) % nodes.length]!;
          try {
            await node.query(statement, { body, timeoutMs: appendOptions.timeoutMs });
            writesFailing = false;
            return;
          } catch (error) {
            lastError = error;
            if (!isNotConnected(error)) break;
          }
        }
        const failure = toStoreError(lastError);
        if (failure instanceof StoreError && (failure.kind === StoreErrorKind.DiskFull || failure.kind === StoreErrorKind.Unavailable)) writesFailing = true;
        throw failure;
      });
    },

    async count(filter: CountFilter, countOptions: { work?: SearchWork; onEngineMs?: (ms: number) => void } = {}) {
      const where: Sql[] = [];
      if (filter.from !== undefined) where.push(sql`ts >= ${param(filter.from, 'Int64')}`);
      if (filter.to !== undefined) where.push(sql`ts < ${param(filter.to, 'Int64')}`);
      if (filter.sourceCategory !== undefined) where.push(sql`source_category = ${param(filter.sourceCategory, 'String')}`);
      if (filter.contains !== undefined) where.push(sql`position(message, ${param(filter.contains, 'String')}) > 0`);
      const statement = `SELECT count() AS n FROM ${logsTable}${where.length ? ` WHERE ${where.map(render).join(' AND ')}` : ''}`;
      const tag = filter.contains === undefined ? control : searchTag(countOptions.work);
      const result = await rows<{ n: number }>(statement, tag, countOptions.onEngineMs);
      return Number(result[0]?.n ?? 0);
    },

    async tail(limit: number) {
      const result = await rows<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM ${logsTable} ORDER BY receipt_ts DESC, ts DESC LIMIT ${render(rowCount(limit))}`);
      return result.map(toStoredMessage);
    },

    async *scan(request: ScanRequest) {
      // Newest first in time windows, halved when one holds more than a batch (as the chDB adapter).
      const column = request.byReceiptTime ? 'receipt_ts' : 'ts';
      const tag = searchTag(request.work, request.signal);
      const batchRows = request.batchRows ?? 10_000;
      const quiet = (error: unknown): undefined => {
        if (error instanceof WorkCancelledError || request.signal?.aborted) return undefined;
        throw error;
      };
      let upper = request.to;
      let width = Math.max(1, Math.ceil((request.to - request.from) / 8));
      while (upper > request.from) {
        if (request.signal?.aborted) return;
        const lower = Math.max(request.from, upper - width);
        const where = `${column} >= ${render(param(lower, 'Int64'))} AND ${column} < ${render(param(upper, 'Int64'))}`;
        const found = await rows<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM ${logsTable} WHERE ${where} ORDER BY ${column} DESC LIMIT ${batchRows + 1}`, tag).catch(quiet);
        if (found === undefined) return;
        if (found.length > batchRows && upper - lower > 1) {
          width = Math.max(1, Math.floor((upper - lower) / 2));
          continue;
        }
        if (found.length > batchRows) {
          for (let offset = 0; ; offset += batchRows) {
            if (request.signal?.aborted) return;
            const page = await rows<MessageRow>(
              `SELECT ${MESSAGE_COLUMNS} FROM ${logsTable} WHERE ${where} ORDER BY ${column} DESC, message LIMIT ${batchRows} OFFSET ${offset}`,
              tag,
            ).catch(quiet);
            if (page === undefined) return;
            if (page.length > 0) yield page.map(toStoredMessage);
            if (page.length < batchRows) break;
          }
        } else if (found.length > 0) {
          yield found.map(toStoredMessage);
        }
        upper = lower;
        if (found.length < batchRows / 4) width *= 2;
      }
    },

    async stats(): Promise<StoreStats> {
      ensureOpen();
      const perNode = await onEveryNode((node) =>
        node.rows<{ rows: number; disk: number; raw: number }>(
          `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS disk, sum(data_uncompressed_bytes) AS raw
           FROM system.parts WHERE active AND database = ${database(node)} AND table = ${quoteString(shardTable)}`,
        ),
      );
      const sum = (key: 'rows' | 'disk' | 'raw') => perNode.reduce((n, r) => n + Number(r[0]?.[key] ?? 0), 0);
      return { rows: sum('rows'), bytesOnDisk: sum('disk'), bytesUncompressed: sum('raw') };
    },

    engine(): Promise<StoreEngine> {
      return Promise.resolve({ engine: 'clickhouse', version, textIndex: 'none', minuteCounts: false });
    },

    async *select(statement: Sql, selectOptions: SelectOptions = {}) {
      const { signal, onRowsRead } = selectOptions;
      if (signal?.aborted) return;
      const text = render(statement);
      const tag = searchTag(selectOptions.work, signal);
      let result: SelectRow[];
      let rowsRead = 0;
      try {
        if (onRowsRead) {
          // FORMAT JSON ends with the statement's statistics, rows read among them.
          const answer = await inLane(
            tag,
            () => onReader((node) => node.query(`${text}\nFORMAT JSON`, { signal, settings: { output_format_json_quote_64bit_integers: 0, wait_end_of_query: 1, ...selectOptions.settings } })),
            selectOptions.onEngineMs,
          );
          const parsed = JSON.parse(answer) as { data: SelectRow[]; statistics?: { rows_read?: number } };
          result = parsed.data;
          rowsRead = Number(parsed.statistics?.rows_read ?? 0);
        } else {
          result = await rows<SelectRow>(text, tag, selectOptions.onEngineMs, selectOptions.settings);
        }
      } catch (error) {
        if (signal?.aborted || error instanceof WorkCancelledError) return;
        throw error;
      }
      const batchRows = selectOptions.batchRows ?? 10_000;
      for (let start = 0; start < result.length; start += batchRows) {
        yield result.slice(start, start + batchRows).map(portRow);
        if (signal?.aborted) return;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      onRowsRead?.(rowsRead);
    },

    async stage(name: string, statement: Sql, stageOptions: SelectOptions = {}): Promise<StageSummary> {
      if (!STAGE_NAME.test(name)) throw new AppError(ErrorCode.Internal, `invalid staged table name ${JSON.stringify(name)}`);
      if (stageOptions.signal?.aborted) return { elapsedMs: 0 };
      const text = render(statement);
      // 18.16 has temporary tables only per HTTP session: a Memory table on the reader node instead.
      const head = staged.has(name) ? `INSERT INTO ${name} ` : `CREATE TABLE ${name} ENGINE = Memory AS `;
      const tag = searchTag(stageOptions.work, stageOptions.signal);
      const started = performance.now();
      let elapsedMs = 0;
      try {
        await inLane(tag, async () => {
          const at = performance.now();
          await onReader((node) => node.query(`${head}${text}`, { signal: stageOptions.signal, settings: stageOptions.settings }));
          elapsedMs = performance.now() - at;
        });
      } catch (error) {
        if (error instanceof WorkCancelledError || stageOptions.signal?.aborted) return { elapsedMs: performance.now() - started };
        throw error;
      }
      staged.add(name);
      if (stageOptions.onRowsRead) {
        // No EXPLAIN on 18.16: the statement's rows read, from a count over it.
        const answer = await inLane(control, () => onReader((node) => node.query(`SELECT count() FROM (${text})\nFORMAT JSON`, { settings: { output_format_json_quote_64bit_integers: 0 } })));
        stageOptions.onRowsRead(Number((JSON.parse(answer) as { statistics?: { rows_read?: number } }).statistics?.rows_read ?? 0));
      }
      return { elapsedMs };
    },

    async dropStaged(name: string): Promise<void> {
      if (!STAGE_NAME.test(name)) throw new AppError(ErrorCode.Internal, `invalid staged table name ${JSON.stringify(name)}`);
      staged.delete(name);
      await inLane(control, () => onReader((node) => node.query(`DROP TABLE IF EXISTS ${name}`)));
    },

    textIndexPredicate(): Sql | undefined {
      return undefined;
    },

    async countTagged(tagged: TaggedRows): Promise<number> {
      const result = await rows<{ n: number }>(`SELECT count() AS n FROM ${logsTable} WHERE ${render(taggedWhere(tagged))}`);
      return Number(result[0]?.n ?? 0);
    },

    async deleteTagged(tagged: TaggedRows): Promise<void> {
      ensureOpen();
      // A mutation on every shard, waited for: the caller stores the batch again right after.
      await onEveryNode(async (node) => {
        await node.query(`ALTER TABLE ${shardTable} DELETE WHERE ${render(taggedWhere(tagged))}`);
        const deadline = Date.now() + 120_000;
        for (;;) {
          const pending = await node.rows<{ n: number }>(
            `SELECT count() AS n FROM system.mutations WHERE database = ${database(node)} AND table = ${quoteString(shardTable)} AND NOT is_done`,
          );
          if (Number(pending[0]?.n ?? 0) === 0) return;
          if (Date.now() > deadline) throw new StoreError(StoreErrorKind.Timeout, { message: 'removing the rows of a repaired batch took longer than 2 minutes' });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
    },

    async rowSpans(): Promise<RowSpan[]> {
      ensureOpen();
      // Each active part's day partition (YYYYMMDD in UTC) bounds its rows.
      const perNode = await onEveryNode((node) =>
        node.rows<{ day: string; rows: number }>(
          `SELECT partition AS day, sum(rows) AS rows FROM system.parts
           WHERE active AND database = ${database(node)} AND table = ${quoteString(shardTable)} GROUP BY partition`,
        ),
      );
      const spans: RowSpan[] = [];
      for (const { day, rows: n } of perNode.flat()) {
        const d = String(day).replace(/'/g, '');
        const from = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)));
        if (!Number.isFinite(from)) continue;
        // The first and last days also hold the times outside DateTime's range (schema.ts).
        const lo = d === '19700101' ? Number.MIN_SAFE_INTEGER : from;
        const hi = d === '21060207' ? Number.MAX_SAFE_INTEGER : from + 86_400_000;
        spans.push({ from: lo, to: hi, rows: Number(n) });
      }
      return spans;
    },

    async dropBefore(cutoffMs: number): Promise<DroppedPartitions> {
      ensureOpen();
      const dayStart = utcDayStart(cutoffMs);
      const cutoffDay = dayNumber(dayStart);
      const dropped: DroppedPartitions = { partitions: 0, rows: 0 };
      // Each shard drops its own partitions of logs_local (not on Distributed, no ON CLUSTER: see
      // docs/clickhouse-18.md), all shards at once; one that fails leaves the others to finish.
      const onShard = async (node: ClickHouseHttp): Promise<void> => {
        const parts = await node.rows<{ id: string; name: string; rows: number }>(
          render(sql`SELECT partition_id AS id, name, rows FROM system.parts
            WHERE active AND database = ${param(node.host.database, 'String')} AND table = ${param(shardTable, 'String')}`),
        );
        const partitions = new Map<string, { names: string[]; rows: number }>();
        for (const part of parts) {
          const p = partitions.get(part.id) ?? { names: [], rows: 0 };
          p.names.push(part.name);
          p.rows += Number(part.rows);
          partitions.set(part.id, p);
        }
        for (const [partition, { names, rows }] of [...partitions].sort(([a], [b]) => a.localeCompare(b))) {
          if (!/^\d{8}$/.test(partition) || Number(partition) >= cutoffDay) continue;
          if (partition === CATCH_ALL_PARTITION) {
            // Its newest row, read from its own parts only (18.16 prunes parts by a list of _part
            // names). Parts merged meanwhile are read as none: then it waits for the next run.
            const newest = await node.rows<{ hi: number; n: number }>(
              render(sql`SELECT max(ts) AS hi, count() AS n FROM ${id(shardTable)} WHERE _part IN (${join(names.map((n) => param(n, 'String')), ', ')})`),
            );
            if (Number(newest[0]?.n ?? 0) !== rows || Number(newest[0]?.hi ?? 0) >= dayStart) continue;
          }
          await node.query(render(sql`ALTER TABLE ${id(shardTable)} DROP PARTITION ID ${param(partition, 'String')}`));
          dropped.partitions += 1;
          dropped.rows += rows;
        }
      };
      const results = await Promise.allSettled(nodes.map(onShard));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ node: nodes[i]!, error: toStoreError(r.reason), reason: r.reason as unknown }] : []));
      if (failed.length === 0) return dropped;
      const kinds = failed.map((f) => (isStoreError(f.error) ? f.error.kind : StoreErrorKind.Failed));
      const kind = kinds.find((k) => k !== StoreErrorKind.Unavailable) ?? StoreErrorKind.Unavailable;
      const where = failed.map((f) => new URL(f.node.host.url).host).join(', ');
      const what = kind === StoreErrorKind.Unavailable ? 'could not be reached' : 'failed';
      throw new StoreError(kind, {
        message:
          `retention: ${failed.length} of ${nodes.length} ClickHouse ${nodes.length === 1 ? 'server' : 'shards'} ${what} (${where}); ` +
          `dropped ${dropped.partitions} day partitions (${dropped.rows} rows) before ${new Date(dayStart).toISOString().slice(0, 10)} on the others; the next run drops the rest`,
        cause: failed[0]!.reason,
      });
    },

    async backgroundWork(): Promise<BackgroundWork[]> {
      ensureOpen();
      const perNode = await onEveryNode((node) =>
        node.rows<{ command: string; left: number; at: number }>(
          `SELECT command, parts_to_do AS left, toUnixTimestamp(create_time) * 1000 AS at FROM system.mutations
           WHERE database = ${database(node)} AND table = ${quoteString(shardTable)} AND NOT is_done ORDER BY create_time`,
        ),
      );
      return perNode
        .flat()
        .sort((a, b) => Number(a.at) - Number(b.at))
        .map((r) => ({
          what: /^\(?DELETE\b/i.test(r.command.trim()) ? 'removing the rows of a repaired batch' : `engine mutation: ${r.command.slice(0, 120)}`,
          partsLeft: Number(r.left),
          startedAt: Number(r.at),
        }));
    },

    async checkReadable() {
      if (!opened) return false;
      const results = await Promise.allSettled(nodes.map((node) => node.query('SELECT 1', { timeoutMs: 10_000 })));
      return results.some((r) => r.status === 'fulfilled');
    },

    async checkWritable() {
      if (!opened) return false;
      const now = Date.now();
      // Writable while any shard takes writes: append() moves a batch past a shard that is down.
      const isHealthWrite = writesFailing || now - lastHealthWrite > 10_000;
      const results = await Promise.allSettled(
        nodes.map((node) =>
          isHealthWrite ? node.query('INSERT INTO quarry_health (id, at) FORMAT TSV', { body: `1\t${now}\n`, timeoutMs: 10_000 }) : node.query('SELECT 1', { timeoutMs: 10_000 }),
        ),
      );
      const up = results.filter((r) => r.status === 'fulfilled').length;
      // A real write on every node again until every one takes it.
      writesFailing = up < nodes.length;
      if (isHealthWrite && !writesFailing) lastHealthWrite = now;
      return up > 0;
    },

    async close() {
      const names = [...staged];
      staged.clear();
      for (const name of names) await onReader((node) => node.query(`DROP TABLE IF EXISTS ${name}`)).catch(() => undefined);
      opened = false;
    },
  };
}

