import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { maskConnectionUrl, parseClickHouseUrl } from '../core/connection-url.js';
import type { LogStore } from '../store/log-store.js';

/** The configured LogStore, not yet opened: a ClickHouse server or cluster when `store` is set, else chDB in the data directory. */
export async function createLogStore(config: Config): Promise<LogStore> {
  // Imported on demand so a node loads only the engine it uses (chDB is a large native module).
  if (config.store !== undefined) {
    const { createClickHouseLogStore } = await import('../store/clickhouse/clickhouse-log-store.js');
    return createClickHouseLogStore(parseClickHouseUrl(config.store));
  }
  const { createChdbLogStore } = await import('../store/chdb/chdb-log-store.js');
  return createChdbLogStore({
    path: join(config.dataDir, 'logs'),
    spoolDir: join(config.dataDir, 'spool'),
    fsync: config.ingest.fsync,
    textIndex: config.textIndex,
  });
}

/** Where the logs live, for banners and logs (a ClickHouse URL with its password masked). */
export function describeLogStore(config: Config): string {
  return config.store !== undefined ? maskConnectionUrl(config.store) : join(config.dataDir, 'logs');
}
