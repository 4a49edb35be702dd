/** DDL of the chDB log table (DESIGN §4; measured choices are noted in docs/storage.md). */
import { defaultTextIndex, retiredTextIndexNames, textIndexClause, textIndexKinds, textIndexNames, type TextIndexKind } from './text-index.js';

export const logsTable = 'logs';

// Measured in docs/storage.md ("Log table"): ZSTD(6) stores the messages in 14 % fewer bytes than
// ZSTD(1); levels above 6 cost more insert CPU than they save. The table-wide default codec
// (LZ4 otherwise) covers the LowCardinality columns and `fields`.
const messageColumn = 'message String CODEC(ZSTD(6))';
const defaultCodecSetting = "default_compression_codec = 'ZSTD(1)'";

/**
 * Per-minute row counts by partition and category, kept by ClickHouse in every part (an aggregate
 * projection). Counts, histograms and `count by _sourceCategory` / `_index` / minute timeslices over
 * long ranges read these instead of the rows (the planner's rollup form, docs/pushdown.md).
 * Measured on 400k rows in 20 inserts: +0.4 % insert time, +1 % bytes on disk.
 */
export const minuteCountsProjection = 'minute_counts';
const minuteCountsClause = `PROJECTION ${minuteCountsProjection} (SELECT partition, source_category, toStartOfMinute(ts) AS minute, count(), max(ts) GROUP BY partition, source_category, minute)`;
/** A lightweight delete (the partial-batch repair) rebuilds the projection of the parts it touches, so counts stay exact. */
const projectionDeleteSetting = "lightweight_mutation_projection_mode = 'rebuild'";
/**
 * Marks (where each granule starts in each column file) go to the mark cache when a part is written
 * or merged and when the table opens, not at a search's first read. Measured on the 5M-line table
 * (7 parts): the first needle search after a restart waited 25–57 ms loading 189 mark files, and
 * none with this setting. Opening the table took no measurably longer, and marks are small in
 * memory (3.5 bytes each measured: under 1 MB per billion rows and column stream).
 */
const prewarmMarksSetting = 'prewarm_mark_cache = 1';

export interface LogsTableOptions {
  /** Full-text index of the message column (default: `defaultTextIndex`). */
  textIndex?: TextIndexKind;
  /** Table name (default `logs`; benchmarks and tests compare layouts side by side). */
  table?: string;
  /** Bloom filter bytes per granule when `textIndex` is `tokenbf`. */
  tokenbfBytes?: number;
}

/** CREATE TABLE of the log table, with the configured full-text index (docs/storage.md). */
export function createLogsTableSql(options: LogsTableOptions = {}): string {
  const index = textIndexClause(options.textIndex ?? defaultTextIndex, options);
  return `
CREATE TABLE IF NOT EXISTS ${options.table ?? logsTable} (
  ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
  receipt_ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
  partition LowCardinality(String),
  source_category LowCardinality(String),
  source_host LowCardinality(String),
  source_name LowCardinality(String),
  collector LowCardinality(String),
  source LowCardinality(String),
  fields Map(LowCardinality(String), String),
  ${messageColumn},
  size UInt32 CODEC(T64, ZSTD(1)),
  format LowCardinality(String)${index ? `,\n  ${index}` : ''},
  ${minuteCountsClause}
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (partition, source_category, ts)
SETTINGS index_granularity = 8192, ${defaultCodecSetting}, ${projectionDeleteSetting}, ${prewarmMarksSetting}
`;
}

/**
 * Statements that bring a new or existing log table to the current layout: create the table, give
 * an older table the current codecs (metadata only: parts written or merged from now on use them),
 * add the chosen index if the table lacks it (`textIndexBackfillSql` then builds it for older parts;
 * until then they are scanned, never answered wrongly), add the per-minute counts if the table
 * lacks them (`minuteCountsBackfillSql` then builds them for older parts; until then those are read
 * as rows), and drop Quarry's index of the other kind and its retired index definitions (with
 * `existingIndexes` known, only those the table has). Each statement is idempotent.
 */
export function logsTableSetupSql(options: LogsTableOptions & { existingIndexes?: readonly string[] } = {}): string[] {
  const textIndex = options.textIndex ?? defaultTextIndex;
  const table = options.table ?? logsTable;
  const statements = [
    createLogsTableSql(options),
    `ALTER TABLE ${table} MODIFY COLUMN ${messageColumn}`,
    // With a projection, a lightweight delete needs the rebuild setting (ClickHouse refuses it otherwise).
    `ALTER TABLE ${table} MODIFY SETTING ${defaultCodecSetting}, ${projectionDeleteSetting}, ${prewarmMarksSetting}`,
    `ALTER TABLE ${table} ADD ${minuteCountsClause.replace(/^PROJECTION /, 'PROJECTION IF NOT EXISTS ')}`,
  ];
  const index = textIndexClause(textIndex, options);
  if (index) statements.push(`ALTER TABLE ${table} ADD ${index.replace(/^INDEX /, 'INDEX IF NOT EXISTS ')}`);
  // Each DROP INDEX is a mutation (measured: 0.5–1 s on 5M rows even when the index is absent), so
  // with the table's indexes known only those present are dropped.
  const present = (name: string): boolean => options.existingIndexes === undefined || options.existingIndexes.includes(name);
  for (const kind of textIndexKinds) {
    if (kind !== 'none' && kind !== textIndex && present(textIndexNames[kind])) statements.push(`ALTER TABLE ${table} DROP INDEX IF EXISTS ${textIndexNames[kind]}`);
  }
  for (const name of retiredTextIndexNames) if (present(name)) statements.push(`ALTER TABLE ${table} DROP INDEX IF EXISTS ${name}`);
  return statements;
}

/**
 * The statement that builds the chosen index for the parts written before the table had it (an
 * ALTER … MATERIALIZE INDEX, run in the background: searches stay correct meanwhile), or undefined
 * when nothing needs it. Without it, fully merged old partitions would never get the index (merges
 * build it, but a day's partition stops merging) and every keyword search would scan them.
 * `indexesBefore`: the table's index names before `logsTableSetupSql` ran; `parts`: its active parts.
 */
export function textIndexBackfillSql(options: LogsTableOptions, indexesBefore: readonly string[], parts: number): string | undefined {
  const kind = options.textIndex ?? defaultTextIndex;
  if (kind === 'none' || parts === 0 || indexesBefore.includes(textIndexNames[kind])) return undefined;
  // chDB waits for mutations by default; this one runs in the background (start is not held up).
  return `ALTER TABLE ${options.table ?? logsTable} MATERIALIZE INDEX ${textIndexNames[kind]} SETTINGS mutations_sync = 0`;
}

/**
 * The statement that builds the per-minute counts for parts written before the table had them (in
 * the background, like the index backfill), or undefined when nothing needs it. Until it finishes,
 * queries read those parts' rows instead: answers never depend on it.
 * `projectionsBefore`: the table's projection names before `logsTableSetupSql` ran.
 */
export function minuteCountsBackfillSql(options: Pick<LogsTableOptions, 'table'>, projectionsBefore: readonly string[], parts: number): string | undefined {
  if (parts === 0 || projectionsBefore.includes(minuteCountsProjection)) return undefined;
  return `ALTER TABLE ${options.table ?? logsTable} MATERIALIZE PROJECTION ${minuteCountsProjection} SETTINGS mutations_sync = 0`;
}

export const createHealthTableSql = `
CREATE TABLE IF NOT EXISTS quarry_health (id UInt8, at DateTime64(3, 'UTC'))
ENGINE = ReplacingMergeTree(at) ORDER BY id
`;

/** A mutation of a table not yet done (`pendingMutationsSql`, parameter `table`). */
export interface PendingMutation {
  command: string;
  /** parts still to mutate */
  left: number;
  /** epoch ms of its creation */
  at: number;
  /** the engine's reason when its last attempt failed, else empty */
  failure: string;
}

/** The mutations of table `{table:String}` not yet done, oldest first (the store's background work). */
export const pendingMutationsSql = `SELECT command, parts_to_do AS left, toUnixTimestamp(create_time) * 1000 AS at, latest_fail_reason AS failure
  FROM system.mutations WHERE database = currentDatabase() AND table = {table:String} AND NOT is_done
  ORDER BY create_time SETTINGS output_format_json_quote_64bit_integers = 0`;

/** True when `command` starts with `head` (case-insensitive) followed by a non-word character or its end. */
function isCommand(command: string, head: string): boolean {
  return command.slice(0, head.length).toUpperCase() === head.toUpperCase() && !/\w/.test(command[head.length] ?? '');
}

/**
 * What a mutation of the log table does, for people (`system.mutations.command` → the text of
 * BackgroundWork.what). Unknown commands are shown as the engine names them.
 */
export function describeMutation(command: string): string {
  // system.mutations shows each command in parentheses.
  const c = command.trim().replace(/^\((.*)\)$/s, '$1');
  if (/^MATERIALIZE INDEX\b/i.test(c)) return 'building the full-text index for older data';
  if (isCommand(c, `MATERIALIZE PROJECTION ${minuteCountsProjection}`)) return 'building the per-minute counts for older data';
  if (/^DROP INDEX\b/i.test(c)) return 'dropping a full-text index that is no longer used';
  // A lightweight delete (the append repair) is a mutation of the hidden _row_exists column.
  if (/^(UPDATE _row_exists = 0|DELETE)\b/i.test(c)) return 'removing the rows of a repaired batch';
  return `engine mutation: ${c.length > 120 ? `${c.slice(0, 117)}...` : c}`;
}
