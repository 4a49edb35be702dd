import type { Kysely } from 'kysely';
import type { LeaseRepository, NodeRecord, NodeRepository } from './meta-store.js';
import type { MetaDatabase } from './schema.js';

/**
 * Leases over any Kysely dialect. Taking one is one statement — insert, or update the row only
 * where it expired or is the caller's (`ON CONFLICT … DO UPDATE … WHERE`, which SQLite and
 * PostgreSQL both run atomically) — so of two nodes asking at once one wins; the caller then
 * reads whether the row names it.
 */
export function createKyselyLeaseRepository(db: Kysely<MetaDatabase>): LeaseRepository {
  return {
    async acquire(name, holder, now, ttlMs) {
      const expiresAt = now + ttlMs;
      await db
        .insertInto('leases')
        .values({ name, holder, expires_at: expiresAt })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, expires_at: expiresAt })
            .where((eb) => eb.or([eb('leases.expires_at', '<=', now), eb('leases.holder', '=', holder)])),
        )
        .execute();
      const row = await db.selectFrom('leases').select(['holder', 'expires_at']).where('name', '=', name).executeTakeFirst();
      return row?.holder === holder && Number(row.expires_at) === expiresAt;
    },
    async release(name, holder) {
      await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
    },
    async holder(name, now) {
      const row = await db.selectFrom('leases').select('holder').where('name', '=', name).where('expires_at', '>', now).executeTakeFirst();
      return row?.holder;
    },
  };
}

function toNode(row: MetaDatabase['nodes']): NodeRecord {
  return {
    id: row.id,
    url: row.url,
    assemblies: row.assemblies === '' ? [] : row.assemblies.split(','),
    startedAt: Number(row.started_at),
    seenAt: Number(row.seen_at),
  };
}

/** The nodes of a deployment over any Kysely dialect. */
export function createKyselyNodeRepository(db: Kysely<MetaDatabase>): NodeRepository {
  return {
    async upsert(node) {
      const values = { id: node.id, url: node.url, assemblies: node.assemblies.join(','), started_at: node.startedAt, seen_at: node.seenAt };
      await db
        .insertInto('nodes')
        .values(values)
        .onConflict((oc) => oc.column('id').doUpdateSet({ url: values.url, assemblies: values.assemblies, seen_at: values.seen_at }))
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toNode(row);
    },
    async list(seenSince) {
      return (await db.selectFrom('nodes').selectAll().where('seen_at', '>=', seenSince).orderBy('id').execute()).map(toNode);
    },
    async remove(id) {
      await db.deleteFrom('nodes').where('id', '=', id).execute();
    },
  };
}
