import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Versioned metadata migrations, applied in name order by Kysely's migrator. Never edit a migration
 * that has shipped: add a new one. Written in the SQL subset SQLite and PostgreSQL share.
 */
export const metaMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('access_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('access_id', 'text', (c) => c.notNull().unique())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema
        .createTable('sources')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('category', 'text')
        .addColumn('host', 'text')
        .addColumn('multiline', 'text', (c) => c.notNull())
        .addColumn('timestamp_format', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await sql`SELECT 1`.execute(db);
    },
  },
  '0002_sessions': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Browser sessions: the id is the SHA-256 of the cookie token, so a copy of the database
      // cannot be replayed as a cookie.
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();
      await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
    },
  },  '0003_source_rules': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Processing rules per source (a JSON array, read and written whole) and the count of
      // messages its filters dropped.
      await db.schema
        .alterTable('sources')
        .addColumn('rules', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .alterTable('sources')
        .addColumn('excluded_lines', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0004_timestamp_locator': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Sumo's timestamp locator: a regex whose first capture group is the message's time.
      await db.schema.alterTable('sources').addColumn('timestamp_locator', 'text').execute();
    },
  },
  '0005_cluster': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Leases (one holder at a time, e.g. the alerting scheduler) and the nodes of a deployment.
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('nodes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('assemblies', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};
