/**
 * Nodes of one deployment starting at once on an empty PostgreSQL MetaStore: one of them creates
 * `admin` and the default source, and they all use the same hash-rule key (a hash processing rule
 * must give the same hash on every receiver).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { HASH_KEY_SETTING, SourceService } from '../../src/ingest/source-service.js';
import type { MetaStore } from '../../src/meta/meta-store.js';
import { openPostgresMetaStore } from '../../src/meta/postgres/postgres-meta-store.js';
import { bootstrap } from '../../src/server/bootstrap.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';

describe('bootstrap of several nodes at once', () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  it('creates one admin and one default source, and every node hashes with the same key', async () => {
    for (let round = 0; round < 5; round++) {
      const url = await postgres.createDatabase(`race${round}`);
      const stores: MetaStore[] = await Promise.all([1, 2, 3, 4].map(() => openPostgresMetaStore({ url })));
      try {
        await Promise.all(stores.map((m) => m.migrate()));
        const services = stores.map((m) => new SourceService(m, silentLogger));
        const results = await Promise.all(stores.map((m, i) => bootstrap(m, services[i]!, 'race-admin-password')));
        expect(results.filter((r) => r.firstStart), `round ${round}`).toHaveLength(1);
        expect(await stores[0]!.users.count()).toBe(1);
        expect((await stores[0]!.sources.list()).filter((s) => s.name === 'default')).toHaveLength(1);
        await Promise.all(services.map((s) => s.open()));
        const keys = await Promise.all(stores.map((m) => m.getSetting(HASH_KEY_SETTING)));
        expect(new Set(keys).size).toBe(1);
        await Promise.all(services.map((s) => s.close()));
      } finally {
        await Promise.all(stores.map((m) => m.close()));
      }
    }
  }, 60_000);
});
