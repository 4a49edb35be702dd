import { AppError, ErrorCode } from '../core/errors.js';
import { configSchema, defaultConfig, type Config } from './schema.js';

/** Environment variables and the config key each sets. The only place that reads process.env. */
export const envKeys = {
  QUARRY_HOST: 'host',
  QUARRY_PORT: 'port',
  QUARRY_DATA: 'dataDir',
  QUARRY_META: 'meta',
  QUARRY_STORE: 'store',
  QUARRY_ASSEMBLIES: 'assemblies',
  QUARRY_NODE_URL: 'nodeUrl',
  QUARRY_HEARTBEAT_MS: 'heartbeatMs',
  QUARRY_ADMIN_PASSWORD: 'adminPassword',
  QUARRY_PUBLIC_URL: 'publicUrl',
  QUARRY_LOG_LEVEL: 'logLevel',
  QUARRY_SELF_LOGS: 'selfLogs',
  QUARRY_TEXT_INDEX: 'textIndex',
  QUARRY_MAX_BODY_BYTES: 'ingest.maxBodyBytes',
  QUARRY_MAX_JSON_BODY_BYTES: 'ingest.maxJsonBodyBytes',
  QUARRY_MAX_COMPRESSION_RATIO: 'ingest.maxCompressionRatio',
  QUARRY_MAX_ZSTD_WINDOW_BYTES: 'ingest.maxZstdWindowBytes',
  QUARRY_QUEUE_MAX_LINES: 'ingest.queueMaxLines',
  QUARRY_QUEUE_MAX_BYTES: 'ingest.queueMaxBytes',
  QUARRY_BATCH_MAX_BYTES: 'ingest.batchMaxBytes',
  QUARRY_FLUSH_INTERVAL_MS: 'ingest.flushIntervalMs',
  QUARRY_FSYNC: 'ingest.fsync',
  QUARRY_APPEND_TIMEOUT_MS: 'ingest.appendTimeoutMs',
  QUARRY_SYSLOG_TCP_PORT: 'syslog.tcpPort',
  QUARRY_SYSLOG_UDP_PORT: 'syslog.udpPort',
  QUARRY_SYSLOG_TLS_PORT: 'syslog.tlsPort',
  QUARRY_SYSLOG_TLS_CERT: 'syslog.tlsCert',
  QUARRY_SYSLOG_TLS_KEY: 'syslog.tlsKey',
  QUARRY_SYSLOG_SOURCE: 'syslog.source',
  QUARRY_SYSLOG_TIME_ZONE: 'syslog.timeZone',
  QUARRY_RETENTION_DAYS: 'retention.days',
  QUARRY_QUERY_TIMEOUT_MS: 'search.queryTimeoutMs',
  QUARRY_QUERY_MAX_ROWS: 'search.maxRowsToRead',
  QUARRY_QUERY_MAX_MEMORY_BYTES: 'search.maxMemoryBytes',
  QUARRY_SEARCH_MAX_RUNNING_PER_USER: 'search.maxRunningPerUser',
  QUARRY_SEARCH_SLICE_ROWS: 'search.sliceRows',
  QUARRY_SEARCH_SLICE_TARGET_MS: 'search.sliceTargetMs',
  QUARRY_SESSION_IDLE_TIMEOUT_MS: 'session.idleTimeoutMs',
  QUARRY_SESSION_ABSOLUTE_TIMEOUT_MS: 'session.absoluteTimeoutMs',
  QUARRY_SIGNIN_MAX_FAILURES: 'session.signInMaxFailures',
  QUARRY_SIGNIN_WINDOW_MS: 'session.signInWindowMs',
} as const;

export type ConfigOverrides = Partial<Record<(typeof envKeys)[keyof typeof envKeys], string | number | boolean>>;

function parseBoolean(key: string, raw: string | number | boolean): boolean {
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new AppError(ErrorCode.InvalidConfig, `invalid configuration: ${key} must be true or false (got "${String(raw)}")`);
}

const booleanKeys = new Set(['selfLogs', 'ingest.fsync']);

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

/**
 * Resolves the configuration: defaults, then environment, then explicit overrides (CLI flags).
 * A bad value throws an `invalid_config` AppError naming the key (and the env variable if it came from one).
 */
export function loadConfig(env: Record<string, string | undefined>, overrides: ConfigOverrides = {}): Config {
  const merged = structuredClone(defaultConfig) as unknown as Record<string, unknown>;
  const origin = new Map<string, string>();
  const apply = (path: string, raw: string | number | boolean, from: string): void => {
    setPath(merged, path, booleanKeys.has(path) ? parseBoolean(from, raw) : raw);
    origin.set(path, from);
  };
  for (const [name, path] of Object.entries(envKeys)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') apply(path, raw, name);
  }
  for (const [path, raw] of Object.entries(overrides)) {
    if (raw !== undefined) apply(path, raw, path);
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const from = origin.get(path);
      const label = from && from !== path ? `${path} (from ${from})` : path;
      return `${label}: ${issue.message}`;
    });
    throw new AppError(ErrorCode.InvalidConfig, `invalid configuration: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return parsed.data;
}
