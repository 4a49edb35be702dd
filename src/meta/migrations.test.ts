import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { metaMigrations } from './migrations.js';
import type { MetaDatabase } from './schema.js';
import { openSqliteMetaStore } from './sqlite/sqlite-meta-store.js';

describe('metadata migrations', () => {
  it('0003 gives sources made before it no rules and a zero excluded count', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'quarry-meta-')), 'meta.sqlite');
    // A database as a release before 0003 left it, with one source.
    const old = new Kysely<MetaDatabase>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    const before = Object.fromEntries(Object.entries(metaMigrations).filter(([name]) => name < '0003'));
    const migrated = await new Migrator({ db: old, provider: { getMigrations: () => Promise.resolve(before) } }).migrateToLatest();
    expect(migrated.error).toBeUndefined();
    await old
      .insertInto('sources')
      .values({ id: 's1', name: 'old', token_hash: 'h', category: null, host: null, multiline: '{"mode":"infer"}', timestamp_format: null, created_at: 1 })
      .execute();
    await old.destroy();

    const meta = openSqliteMetaStore(file);
    try {
      await meta.migrate();
      expect(await meta.sources.findById('s1')).toMatchObject({ name: 'old', rules: [], excludedLines: 0, createdAt: 1 });
      await meta.sources.addExcludedLines(new Map([['s1', 2]]));
      expect((await meta.sources.findByName('old'))?.excludedLines).toBe(2);
    } finally {
      await meta.close();
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });
});
