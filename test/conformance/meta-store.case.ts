import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetaStore } from '../../src/meta/meta-store.js';

/** The behaviour every MetaStore adapter must share; each adapter's test file calls this once. */
export function describeMetaStoreConformance(name: string, open: () => Promise<MetaStore>): void {
  describe(`MetaStore conformance: ${name}`, () => {
    let meta: MetaStore;
    beforeEach(async () => {
      meta = await open();
      await meta.migrate();
    });
    afterEach(async () => {
      await meta.close();
    });

    it('migrates idempotently', async () => {
      await meta.migrate();
      expect(await meta.users.count()).toBe(0);
    });

    it('creates and finds users, rejects duplicate names', async () => {
      await meta.users.create({ id: 'u1', username: 'admin', passwordHash: 'h', createdAt: 1 });
      expect((await meta.users.findByUsername('admin'))?.id).toBe('u1');
      expect(await meta.users.findByUsername('nobody')).toBeUndefined();
      // Names compare exactly, on every database (PostgreSQL's = and SQLite's BINARY collation).
      expect(await meta.users.findByUsername('Admin')).toBeUndefined();
      await expect(meta.users.create({ id: 'u2', username: 'admin', passwordHash: 'h', createdAt: 2 })).rejects.toThrow();
      await meta.users.updatePassword('u1', 'h2');
      expect((await meta.users.findById('u1'))?.passwordHash).toBe('h2');
      expect(await meta.users.count()).toBe(1);
    });

    it('stores, lists and revokes access keys', async () => {
      await meta.users.create({ id: 'u1', username: 'admin', passwordHash: 'h', createdAt: 1 });
      const key = { id: 'k1', accessId: 'suABC', secretHash: 'x', userId: 'u1', label: 'ci', createdAt: 5, lastUsedAt: null };
      await meta.accessKeys.create(key);
      expect(await meta.accessKeys.findByAccessId('suABC')).toEqual(key);
      await meta.accessKeys.touch('k1', 9);
      expect((await meta.accessKeys.list('u1'))[0]?.lastUsedAt).toBe(9);
      expect(await meta.accessKeys.revoke('k1')).toBe(true);
      expect(await meta.accessKeys.revoke('k1')).toBe(false);
      expect(await meta.accessKeys.list()).toEqual([]);
    });

    it('stores sources with their multiline setting and finds them by token hash', async () => {
      const created = await meta.sources.create(
        {
          id: 's1',
          name: 'web',
          tokenHash: 't1',
          category: 'prod/web',
          host: null,
          multiline: { mode: 'regex', boundary: '^\\d{4}-' },
          timestampFormat: 'yyyy-MM-dd HH:mm:ss',
          timestampLocator: null,
        },
        7,
      );
      expect(created.createdAt).toBe(7);
      expect(created).toMatchObject({ rules: [], excludedLines: 0 });
      expect(await meta.sources.findByTokenHash('t1')).toEqual(created);
      expect((await meta.sources.findByName('web'))?.id).toBe('s1');
      await expect(
        meta.sources.create({ ...created, id: 's2', tokenHash: 't2' }, 8),
      ).rejects.toThrow();
      expect(await meta.sources.updateTokenHash('s1', 't9')).toBe(true);
      expect(await meta.sources.findByTokenHash('t1')).toBeUndefined();
      expect(await meta.sources.updateTimestamp('s1', { format: 'dd/MM/yyyy HH:mm:ss', locator: 'at=(\\S+ \\S+)' })).toBe(true);
      expect(await meta.sources.findById('s1')).toMatchObject({ timestampFormat: 'dd/MM/yyyy HH:mm:ss', timestampLocator: 'at=(\\S+ \\S+)' });
      expect(await meta.sources.updateTimestamp('nope', { format: null, locator: null })).toBe(false);
      expect(await meta.sources.delete('s1')).toBe(true);
      expect(await meta.sources.list()).toEqual([]);
    });

    it('stores processing rules and counts excluded lines per source', async () => {
      const base = { category: null, host: null, multiline: { mode: 'line' as const }, timestampFormat: null, timestampLocator: null };
      const rules = [
        { name: 'drop health', kind: 'exclude' as const, regex: 'GET /health' },
        { name: 'card', kind: 'mask' as const, regex: '\\d{16}', mask: '****' },
      ];
      const a = await meta.sources.create({ ...base, id: 'a', name: 'a', tokenHash: 'ta', rules }, 1);
      await meta.sources.create({ ...base, id: 'b', name: 'b', tokenHash: 'tb' }, 2);
      expect(a.rules).toEqual(rules);
      expect((await meta.sources.findById('a'))?.rules).toEqual(rules);
      expect((await meta.sources.findById('b'))?.rules).toEqual([]);

      const changed = [{ name: 'ids', kind: 'hash' as const, regex: 'user=(\\w+)' }];
      expect(await meta.sources.updateRules('b', changed)).toBe(true);
      expect(await meta.sources.updateRules('missing', changed)).toBe(false);
      expect((await meta.sources.findByName('b'))?.rules).toEqual(changed);
      expect((await meta.sources.findById('a'))?.rules).toEqual(rules);

      await meta.sources.addExcludedLines(new Map([['a', 3], ['b', 5], ['missing', 7]]));
      await meta.sources.addExcludedLines(new Map([['a', 4]]));
      await meta.sources.addExcludedLines(new Map());
      expect((await meta.sources.findById('a'))?.excludedLines).toBe(7);
      expect((await meta.sources.findByTokenHash('tb'))?.excludedLines).toBe(5);
      expect((await meta.sources.list()).map((s) => [s.id, s.excludedLines])).toEqual([['a', 7], ['b', 5]]);
    });

    it('stores sessions, touches them and deletes them one by one, per user and when expired', async () => {
      await meta.users.create({ id: 'u1', username: 'admin', passwordHash: 'h', createdAt: 1 });
      await meta.users.create({ id: 'u2', username: 'other', passwordHash: 'h', createdAt: 1 });
      const s1 = { id: 'a1', userId: 'u1', createdAt: 10, lastSeenAt: 10, expiresAt: 1000 };
      await meta.sessions.create(s1);
      await meta.sessions.create({ ...s1, id: 'a2' });
      await meta.sessions.create({ ...s1, id: 'a3', expiresAt: 50 });
      await meta.sessions.create({ ...s1, id: 'b1', userId: 'u2' });
      expect(await meta.sessions.findById('a1')).toEqual(s1);
      expect(await meta.sessions.findById('zz')).toBeUndefined();
      await expect(meta.sessions.create(s1)).rejects.toThrow();

      await meta.sessions.touch('a1', 400);
      expect((await meta.sessions.findById('a1'))?.lastSeenAt).toBe(400);
      // a3 is past its absolute limit; a2 and b1 have been idle since 10.
      expect(await meta.sessions.deleteExpired(100, 5)).toBe(1);
      expect(await meta.sessions.findById('a3')).toBeUndefined();
      expect(await meta.sessions.deleteExpired(100, 300)).toBe(2);
      expect(await meta.sessions.findById('a1')).toBeDefined();
      expect(await meta.sessions.findById('b1')).toBeUndefined();

      await meta.sessions.create({ ...s1, id: 'a4' });
      await meta.sessions.create({ ...s1, id: 'a5' });
      expect(await meta.sessions.deleteForUser('u1', 'a4')).toBe(2);
      expect(await meta.sessions.findById('a4')).toBeDefined();
      expect(await meta.sessions.delete('a4')).toBe(true);
      expect(await meta.sessions.delete('a4')).toBe(false);
    });

    it('gives a lease to one holder at a time until it runs out, renews and releases it', async () => {
      expect(await meta.leases.holder('scheduler', 1_000)).toBeUndefined();
      expect(await meta.leases.acquire('scheduler', 'node-a', 1_000, 10_000)).toBe(true);
      expect(await meta.leases.acquire('scheduler', 'node-b', 2_000, 10_000)).toBe(false);
      expect(await meta.leases.holder('scheduler', 2_000)).toBe('node-a');
      // Renewed by its holder, the lease runs from the renewal.
      expect(await meta.leases.acquire('scheduler', 'node-a', 9_000, 10_000)).toBe(true);
      expect(await meta.leases.acquire('scheduler', 'node-b', 12_000, 10_000)).toBe(false);
      // Not renewed, it runs out and another node takes it over.
      expect(await meta.leases.holder('scheduler', 19_000)).toBeUndefined();
      expect(await meta.leases.acquire('scheduler', 'node-b', 19_000, 10_000)).toBe(true);
      expect(await meta.leases.acquire('scheduler', 'node-a', 20_000, 10_000)).toBe(false);
      // Only the holder gives it up; other leases are their own.
      await meta.leases.release('scheduler', 'node-a');
      expect(await meta.leases.holder('scheduler', 20_000)).toBe('node-b');
      expect(await meta.leases.acquire('other', 'node-a', 20_000, 10_000)).toBe(true);
      await meta.leases.release('scheduler', 'node-b');
      expect(await meta.leases.holder('scheduler', 20_000)).toBeUndefined();
      expect(await meta.leases.acquire('scheduler', 'node-a', 20_001, 10_000)).toBe(true);
    });

    it('gives a free lease to exactly one of many nodes asking at once', async () => {
      for (let round = 0; round < 10; round++) {
        const name = `race-${round}`;
        const won = await Promise.all(Array.from({ length: 8 }, (_, i) => meta.leases.acquire(name, `node-${i}`, 1_000, 5_000)));
        expect(won.filter(Boolean), name).toHaveLength(1);
        expect(await meta.leases.holder(name, 1_000)).toBe(`node-${won.indexOf(true)}`);
      }
    });

    it('keeps the nodes of a deployment with their heartbeats', async () => {
      await meta.nodes.upsert({ id: 'n2', url: 'http://10.0.0.2:8080', assemblies: ['query'], startedAt: 100, seenAt: 100 });
      await meta.nodes.upsert({ id: 'n1', url: 'http://10.0.0.1:8080', assemblies: ['receiver', 'ui'], startedAt: 100, seenAt: 100 });
      await meta.nodes.upsert({ id: 'n1', url: 'http://10.0.0.9:8080', assemblies: ['receiver', 'ui'], startedAt: 500, seenAt: 900 });
      expect(await meta.nodes.findById('n1')).toEqual({ id: 'n1', url: 'http://10.0.0.9:8080', assemblies: ['receiver', 'ui'], startedAt: 100, seenAt: 900 });
      expect((await meta.nodes.list(0)).map((n) => n.id)).toEqual(['n1', 'n2']);
      expect((await meta.nodes.list(500)).map((n) => n.id)).toEqual(['n1']);
      await meta.nodes.remove('n1');
      expect(await meta.nodes.findById('n1')).toBeUndefined();
    });

    it('keeps the first value of a setting set if absent, however many set it at once', async () => {
      const values = await Promise.all(Array.from({ length: 8 }, (_, i) => meta.setSettingIfAbsent('key', `v${i}`)));
      expect(new Set(values).size).toBe(1);
      expect(await meta.getSetting('key')).toBe(values[0]);
      expect(await meta.setSettingIfAbsent('key', 'later')).toBe(values[0]);
    });

    it('keeps settings', async () => {
      expect(await meta.getSetting('a')).toBeUndefined();
      await meta.setSetting('a', '1');
      await meta.setSetting('a', '2');
      expect(await meta.getSetting('a')).toBe('2');
    });
  });
}
