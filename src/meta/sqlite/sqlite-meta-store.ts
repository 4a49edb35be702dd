import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createKyselyMetaStore } from '../kysely-meta-store.js';
import type { MetaStore } from '../meta-store.js';
import type { MetaDatabase } from '../schema.js';

/** Opens (creating if needed) the embedded metadata database at `file` (`:memory:` for tests). */
export function openSqliteMetaStore(file: string): MetaStore {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<MetaDatabase>({ dialect: new SqliteDialect({ database }) });
  return createKyselyMetaStore(db, () => Promise.resolve());
}
