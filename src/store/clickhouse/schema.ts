/**
 * The log table on a ClickHouse 18.16 server (docs/clickhouse-18.md): no DateTime64, Map, codecs,
 * skip indexes or TTL there, so times are Int64 epoch milliseconds (the `ts` and `receipt_ts` names
 * the planner uses, spelled by clickhouse18Dialect), custom fields a Nested(key, value), and one
 * partition per UTC day (retention drops whole partitions, per shard).
 *
 * On a cluster every shard holds `logs_local` and every node a `logs` Distributed table over them:
 * searches read `logs` on any node; appends go straight into one shard's `logs_local`, so an
 * acknowledged batch is on disk on that shard (one insert, one part per day), not queued.
 */

export const logsTable = 'logs';
export const localLogsTable = 'logs_local';

/** The day partition of an epoch-ms column: YYYYMMDD in UTC. */
/** Times outside DateTime's range (1970 to 2106) go to its first or last day. */
const dayOf = (column: string): string => `toYYYYMMDD(toDateTime(intDiv(least(greatest(${column}, 0), 4294967295000), 1000), 'UTC'))`;

const COLUMNS = `
  ts Int64,
  receipt_ts Int64,
  partition String,
  source_category String,
  source_host String,
  source_name String,
  collector String,
  source String,
  fields Nested(key String, value String),
  message String,
  size UInt32,
  format String`;

/** Columns of an insert, in the order append() writes them. */
export const INSERT_COLUMNS =
  'ts, receipt_ts, partition, source_category, source_host, source_name, collector, source, fields.key, fields.value, message, size, format';

function mergeTreeSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (${COLUMNS}
)
ENGINE = MergeTree
PARTITION BY ${dayOf('ts')}
ORDER BY (partition, source_category, ts)
SETTINGS index_granularity = 8192`;
}

/** The statements that create the log table on one node: a single server, or a shard of `cluster`. */
export function logsTableSetupSql(options: { cluster?: string; database: string }): string[] {
  if (options.cluster === undefined) return [mergeTreeSql(logsTable), HEALTH_TABLE_SQL];
  return [
    mergeTreeSql(localLogsTable),
    `CREATE TABLE IF NOT EXISTS ${logsTable} (${COLUMNS}
)
ENGINE = Distributed(${options.cluster}, ${options.database}, ${localLogsTable}, rand())`,
    HEALTH_TABLE_SQL,
  ];
}

const HEALTH_TABLE_SQL = 'CREATE TABLE IF NOT EXISTS quarry_health (id UInt8, at UInt64) ENGINE = ReplacingMergeTree(at) ORDER BY id';
