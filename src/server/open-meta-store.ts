import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { maskConnectionUrl } from '../core/connection-url.js';
import type { Logger } from '../core/logger.js';
import type { MetaStore } from '../meta/meta-store.js';

/** The configured MetaStore, not yet migrated: PostgreSQL when `meta` is set, else SQLite in the data directory. */
export async function openMetaStore(config: Config, logger: Logger): Promise<MetaStore> {
  // Imported on demand so a node loads only the driver it uses.
  if (config.meta !== undefined) {
    const { openPostgresMetaStore } = await import('../meta/postgres/postgres-meta-store.js');
    return openPostgresMetaStore({ url: config.meta, logger });
  }
  const { openSqliteMetaStore } = await import('../meta/sqlite/sqlite-meta-store.js');
  return openSqliteMetaStore(join(config.dataDir, 'meta.sqlite'));
}

/** Where the metadata lives, for banners and logs (a PostgreSQL URL with its password masked). */
export function describeMetaStore(config: Config): string {
  return config.meta !== undefined ? maskConnectionUrl(config.meta) : join(config.dataDir, 'meta.sqlite');
}
