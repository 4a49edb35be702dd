import { metaMigrations } from '../../src/meta/migrations.js';
import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { MetaStore } from '../../src/meta/meta-store.js';
import { openPostgresMetaStore } from '../../src/meta/postgres/postgres-meta-store.js';
import { freePort } from '../support/free-port.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { waitFor } from '../support/server.js';
import { describeMetaStoreConformance } from './meta-store.case.js';

let server: TestPostgres;
let databases = 0;
/** A fresh database for each store, so every case starts from an empty schema. */
const freshUrl = (): Promise<string> => server.createDatabase(`case_${++databases}`);

beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.stop();
});

describeMetaStoreConformance('postgres', async () => openPostgresMetaStore({ url: await freshUrl() }));

/** Runs `work` on a migrated store over a fresh database, then closes it. */
async function withStore<T>(work: (meta: MetaStore, url: string) => Promise<T>): Promise<T> {
  const url = await freshUrl();
  const meta = await openPostgresMetaStore({ url });
  try {
    await meta.migrate();
    return await work(meta, url);
  } finally {
    await meta.close();
  }
}

async function rawQuery(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** The error `work` rejects with (fails the test if it resolves). */
async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('MetaStore on PostgreSQL', () => {
  it('reads bigint columns back as numbers, beyond 2^31 and up to 2^53 - 1', async () => {
    await withStore(async (meta) => {
      const big = 2 ** 31 + 7;
      const max = Number.MAX_SAFE_INTEGER;
      await meta.users.create({ id: 'u1', username: 'admin', passwordHash: 'h', createdAt: big });
      const base = {
        category: null,
        host: null,
        multiline: { mode: 'line' as const },
        timestampFormat: null,
        timestampLocator: null,
      };
      await meta.sources.create({ ...base, id: 's1', name: 'a', tokenHash: 't' }, max);
      await meta.sources.addExcludedLines(new Map([['s1', 2 ** 33]]));
      await meta.sessions.create({ id: 'x', userId: 'u1', createdAt: big, lastSeenAt: big, expiresAt: max });

      expect(await meta.users.findById('u1')).toMatchObject({ createdAt: big });
      expect(await meta.sources.findById('s1')).toMatchObject({ createdAt: max, excludedLines: 2 ** 33 });
      expect(await meta.sessions.findById('x')).toMatchObject({ createdAt: big, expiresAt: max });
      const count = await meta.users.count();
      expect(count).toBe(1);
      expect(typeof count).toBe('number');
    });
  });

  it('refuses a stored value a number cannot hold exactly instead of rounding it', async () => {
    await withStore(async (meta, url) => {
      await meta.users.create({ id: 'u1', username: 'admin', passwordHash: 'h', createdAt: 1 });
      await rawQuery(url, `UPDATE users SET created_at = 9007199254740993`);
      const error = await rejectionOf(meta.users.findById('u1'));
      expect(String((error as Error).message)).toContain('9007199254740993');
      // The pool is still usable afterwards.
      await rawQuery(url, `UPDATE users SET created_at = 5`);
      expect((await meta.users.findById('u1'))?.createdAt).toBe(5);
    });
  });

  it('leaves the driver’s global int8 parser alone', async () => {
    await withStore(async (_meta, url) => {
      expect((await rawQuery(url, 'SELECT 5::int8 AS n')).rows[0]).toEqual({ n: '5' });
    });
  });

  it('lets several stores migrate the same empty database at once', async () => {
    const url = await freshUrl();
    const stores = await Promise.all([1, 2, 3, 4].map(() => openPostgresMetaStore({ url })));
    try {
      await Promise.all(stores.map((store) => store.migrate()));
      const applied = await rawQuery(url, 'SELECT name FROM kysely_migration ORDER BY name');
      // Each migration applied once, all of them.
      expect(applied.rows.map((r: { name: string }) => r.name)).toEqual(Object.keys(metaMigrations).sort());
      await stores[0]!.users.create({ id: 'u1', username: 'admin', passwordHash: 'h', createdAt: 1 });
      expect(await stores[3]!.users.findByUsername('admin')).toMatchObject({ id: 'u1' });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('survives the server ending its idle connections: logs it, and the next query reconnects', async () => {
    const url = await freshUrl();
    const warnings: object[] = [];
    const logger = { ...silentLogger, warn: (obj: object) => void warnings.push(obj) };
    const meta = await openPostgresMetaStore({ url, logger });
    try {
      await meta.migrate();
      await rawQuery(
        url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'quarry'`,
      );
      await waitFor(() => warnings.length > 0, 10_000, 'the pool to notice');
      expect(JSON.stringify(warnings)).not.toContain(server.password);
      expect(await meta.users.count()).toBe(0);
    } finally {
      await meta.close();
    }
  });

  it('connects through the unix socket directory given as the URL host', async () => {
    const url = `postgres://${server.user}@${encodeURIComponent(server.socketDir)}:${server.port}/quarry`;
    const meta = await openPostgresMetaStore({ url });
    try {
      await meta.migrate();
      expect(await meta.users.count()).toBe(0);
    } finally {
      await meta.close();
    }
  });

  it('names the database without its password when it cannot connect (closed port, wrong password)', async () => {
    const closedPort = await freePort();
    const cases = [
      {
        url: server.url.replace(`:${server.port}/`, `:${closedPort}/`),
        secret: server.password,
        reason: /ECONNREFUSED/,
      },
      {
        url: server.url.replace(server.password, 'Wr0ng-s3cret'),
        secret: 'Wr0ng-s3cret',
        reason: /password authentication failed/,
      },
      {
        url: `${server.url}?password=${server.password}x`,
        secret: `${server.password}x`,
        reason: /password authentication failed|ECONNREFUSED/,
      },
    ];
    for (const { url, secret, reason } of cases) {
      const error = await rejectionOf(openPostgresMetaStore({ url }));
      expect(isAppError(error) && error.code).toBe('unavailable');
      const message = (error as Error).message;
      expect(message).toMatch(reason);
      expect(message).toContain(`postgres://${server.user}:***@127.0.0.1`);
      for (const text of [
        message,
        (error as Error).stack ?? '',
        inspect(error, { depth: 10 }),
        JSON.stringify(error),
      ]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(server.password);
      }
    }
  });
});
