/** DDL of the chDB log table (DESIGN §4; measured choices are noted in docs/storage.md). */
export const logsTable = 'logs';

export const createLogsTableSql = `
CREATE TABLE IF NOT EXISTS ${logsTable} (
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
  format LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (partition, source_category, ts)
SETTINGS index_granularity = 8192
`;

export const createHealthTableSql = `
CREATE TABLE IF NOT EXISTS quarry_health (id UInt8, at DateTime64(3, 'UTC'))
ENGINE = ReplacingMergeTree(at) ORDER BY id
`;
