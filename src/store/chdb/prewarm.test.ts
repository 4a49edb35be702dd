/**
 * Mark cache prewarming (`prewarm_mark_cache`): a process that opens an existing table does not
 * load marks at its first search. Each check runs in a new process, whose caches start empty.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsTableSetupSql } from './schema.js';

const repoRoot = join(import.meta.dirname, '../../..');
let dir: string;

/** Opens the table in a new process, runs one search over every part, and returns its mark cache misses. */
function firstSearchMarkMisses(table: string): number {
  const script = `
    import { Session } from 'chdb';
    const s = new Session(${JSON.stringify(dir)});
    s.query('SELECT count() FROM ${table} WHERE 0');
    const misses = () => Number(s.query("SELECT sum(value) FROM system.events WHERE event = 'MarkCacheMisses'", 'TSV').toString());
    const before = misses();
    s.query("SELECT * FROM ${table} WHERE message LIKE '%n=17%' FORMAT Null");
    console.log(misses() - before);
    s.close();`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('');
  return Number(child.stdout.trim());
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quarry-prewarm-'));
  const session = new Session(dir);
  const rows = (
    table: string,
  ): string => `INSERT INTO ${table} (ts, receipt_ts, partition, source_category, message, size, format)
    SELECT fromUnixTimestamp64Milli(toInt64(${Date.UTC(2026, 5, 1)} + number * 1000)), now64(3), 'main', 'svc', concat('n=', toString(number)), 8, 'test'
    FROM numbers(50000)`;
  for (const sql of logsTableSetupSql({ table: 'logs', textIndex: 'none' })) session.query(sql);
  session.query(rows('logs'));
  // The same layout without the setting: the control that shows a first search does load marks.
  session.query('CREATE TABLE logs_control AS logs');
  session.query('ALTER TABLE logs_control MODIFY SETTING prewarm_mark_cache = 0');
  session.query(rows('logs_control'));
  session.close();
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('mark cache prewarming', () => {
  it('loads no marks at the first search after the table opens', () => {
    expect(firstSearchMarkMisses('logs_control')).toBeGreaterThan(0);
    expect(firstSearchMarkMisses('logs')).toBe(0);
  });

  it('is given to a table created before the setting existed', () => {
    const session = new Session(dir);
    try {
      session.query('CREATE TABLE logs_old AS logs_control');
      session.query('INSERT INTO logs_old SELECT * FROM logs_control');
      for (const sql of logsTableSetupSql({ table: 'logs_old', textIndex: 'none' })) session.query(sql);
    } finally {
      session.close();
    }
    expect(firstSearchMarkMisses('logs_old')).toBe(0);
  });
});
