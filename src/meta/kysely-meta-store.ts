import { Migrator, type Kysely, type Selectable } from 'kysely';
import { AppError, ErrorCode } from '../core/errors.js';
import type {
  AccessKeyRecord,
  MetaStore,
  MultilineSetting,
  NewSource,
  ProcessingRule,
  SourceRecord,
  UserRecord,
} from './meta-store.js';
import { createKyselyLeaseRepository, createKyselyNodeRepository } from './kysely-cluster-repositories.js';
import { createKyselySessionRepository } from './kysely-session-repository.js';
import { metaMigrations } from './migrations.js';
import type { MetaDatabase } from './schema.js';

type SourceRow = Selectable<MetaDatabase['sources']>;

function toSource(row: SourceRow): SourceRecord {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    category: row.category,
    host: row.host,
    multiline: JSON.parse(row.multiline) as MultilineSetting,
    timestampFormat: row.timestamp_format,
    timestampLocator: row.timestamp_locator ?? null,
    rules: JSON.parse(row.rules) as ProcessingRule[],
    excludedLines: Number(row.excluded_lines),
    createdAt: Number(row.created_at),
  };
}

function toUser(row: MetaDatabase['users']): UserRecord {
  return { id: row.id, username: row.username, passwordHash: row.password_hash, createdAt: Number(row.created_at) };
}

function toKey(row: MetaDatabase['access_keys']): AccessKeyRecord {
  return {
    id: row.id,
    accessId: row.access_id,
    secretHash: row.secret_hash,
    userId: row.user_id,
    label: row.label,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

/** The MetaStore over any Kysely dialect; adapters differ only in how they build the Kysely instance. */
export function createKyselyMetaStore(db: Kysely<MetaDatabase>, onClose: () => Promise<void>): MetaStore {
  return {
    async migrate() {
      const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(metaMigrations) } });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new AppError(ErrorCode.Internal, `metadata migration ${failed} failed`, { cause: error });
      }
    },
    users: {
      async create(user) {
        await db
          .insertInto('users')
          .values({ id: user.id, username: user.username, password_hash: user.passwordHash, created_at: user.createdAt })
          .execute();
      },
      async findByUsername(username) {
        const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
        return row && toUser(row);
      },
      async findById(id) {
        const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
        return row && toUser(row);
      },
      async updatePassword(id, passwordHash) {
        await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
      },
      async list() {
        return (await db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
      },
      async count() {
        const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
        return Number(row?.n ?? 0);
      },
    },
    accessKeys: {
      async create(key) {
        await db
          .insertInto('access_keys')
          .values({
            id: key.id,
            access_id: key.accessId,
            secret_hash: key.secretHash,
            user_id: key.userId,
            label: key.label,
            created_at: key.createdAt,
            last_used_at: key.lastUsedAt,
          })
          .execute();
      },
      async findByAccessId(accessId) {
        const row = await db.selectFrom('access_keys').selectAll().where('access_id', '=', accessId).executeTakeFirst();
        return row && toKey(row);
      },
      async list(userId) {
        let query = db.selectFrom('access_keys').selectAll().orderBy('created_at').orderBy('id');
        if (userId !== undefined) query = query.where('user_id', '=', userId);
        return (await query.execute()).map(toKey);
      },
      async revoke(id) {
        const result = await db.deleteFrom('access_keys').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      },
      async touch(id, at) {
        await db.updateTable('access_keys').set({ last_used_at: at }).where('id', '=', id).execute();
      },
    },
    sources: {
      async create(source: NewSource, createdAt: number) {
        await db
          .insertInto('sources')
          .values({
            id: source.id,
            name: source.name,
            token_hash: source.tokenHash,
            category: source.category,
            host: source.host,
            multiline: JSON.stringify(source.multiline),
            timestamp_format: source.timestampFormat,
            timestamp_locator: source.timestampLocator ?? null,
            rules: JSON.stringify(source.rules ?? []),
            created_at: createdAt,
          })
          .execute();
        return { ...source, rules: source.rules ?? [], excludedLines: 0, createdAt };
      },
      async list() {
        return (await db.selectFrom('sources').selectAll().orderBy('created_at').orderBy('name').execute()).map(
          toSource,
        );
      },
      async findById(id) {
        const row = await db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
        return row && toSource(row);
      },
      async findByName(name) {
        const row = await db.selectFrom('sources').selectAll().where('name', '=', name).executeTakeFirst();
        return row && toSource(row);
      },
      async findByTokenHash(tokenHash) {
        const row = await db.selectFrom('sources').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
        return row && toSource(row);
      },
      async updateTokenHash(id, tokenHash) {
        const result = await db.updateTable('sources').set({ token_hash: tokenHash }).where('id', '=', id).executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      },
      async updateTimestamp(id, timestamp) {
        const result = await db
          .updateTable('sources')
          .set({ timestamp_format: timestamp.format, timestamp_locator: timestamp.locator })
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      },
      async updateRules(id, rules) {
        const result = await db.updateTable('sources').set({ rules: JSON.stringify(rules) }).where('id', '=', id).executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      },
      async addExcludedLines(counts) {
        if (counts.size === 0) return;
        await db.transaction().execute(async (trx) => {
          for (const [id, count] of counts) {
            await trx
              .updateTable('sources')
              .set((eb) => ({ excluded_lines: eb('excluded_lines', '+', count) }))
              .where('id', '=', id)
              .execute();
          }
        });
      },
      async delete(id) {
        const result = await db.deleteFrom('sources').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      },
    },
    sessions: createKyselySessionRepository(db),
    leases: createKyselyLeaseRepository(db),
    nodes: createKyselyNodeRepository(db),
    async getSetting(key) {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },
    async setSetting(key, value) {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
    async setSettingIfAbsent(key, value) {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return row.value;
    },
    async close() {
      await db.destroy();
      await onClose();
    },
  };
}
