/** DDL of the chDB log table (DESIGN §4; measured choices are noted in docs/storage.md). */
import { defaultTextIndex, textIndexClause, textIndexKinds, textIndexNames, type TextIndexKind } from './text-index.js';

export const logsTable = 'logs';

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
  message String CODEC(ZSTD(1)),
  size UInt32 CODEC(T64, ZSTD(1)),
  format LowCardinality(String)${index ? `,\n  ${index}` : ''}
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (partition, source_category, ts)
SETTINGS index_granularity = 8192
`;
}

/**
 * Statements that bring a new or existing log table to the configured full-text index: create the
 * table, add the chosen index if an older table lacks it (only parts written from now on get it;
 * older parts are scanned, never answered wrongly), and drop Quarry's index of the other kind.
 * Each statement is idempotent.
 */
export function logsTableSetupSql(options: LogsTableOptions = {}): string[] {
  const textIndex = options.textIndex ?? defaultTextIndex;
  const table = options.table ?? logsTable;
  const statements = [createLogsTableSql(options)];
  const index = textIndexClause(textIndex, options);
  if (index) statements.push(`ALTER TABLE ${table} ADD ${index.replace(/^INDEX /, 'INDEX IF NOT EXISTS ')}`);
  for (const kind of textIndexKinds) {
    if (kind !== 'none' && kind !== textIndex) statements.push(`ALTER TABLE ${table} DROP INDEX IF EXISTS ${textIndexNames[kind]}`);
  }
  return statements;
}

export const createHealthTableSql = `
CREATE TABLE IF NOT EXISTS quarry_health (id UInt8, at DateTime64(3, 'UTC'))
ENGINE = ReplacingMergeTree(at) ORDER BY id
`;
