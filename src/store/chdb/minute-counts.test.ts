/**
 * The per-minute counts (projection `minute_counts`): answers read from them equal answers read
 * from the rows — after a lightweight delete (the partial-batch repair), for parts written before
 * the table had them (until and after the backfill), and across merges.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogsTableSql,
  describeMutation,
  logsTableSetupSql,
  minuteCountsBackfillSql,
  minuteCountsProjection,
  pendingMutationsSql,
  type PendingMutation,
} from './schema.js';

let dir: string;
let session: Session;
const query = (sql: string): string => session.query(sql, 'TSV').toString();

const T0 = Date.UTC(2026, 5, 1, 12);
/** Rows over 40 minutes in 4 categories, on and off minute boundaries. */
function insertRows(table: string, seed: number, n = 2_000): void {
  session.query(`INSERT INTO ${table} (ts, receipt_ts, partition, source_category, message, size, format)
    SELECT fromUnixTimestamp64Milli(toInt64(${T0} + ((number * 7919 + ${seed}) % 2400) * 1000 + (number % 3) * 999)), now64(3),
           if(number % 5 = 0, 'audit', 'main'), concat('svc/', toString(number % 4)), concat('n=', toString(number)), 8, 'test'
    FROM numbers(${n})`);
}

/** count by category, from the projection (whole minutes) and from the rows. */
function countsBothWays(table: string): { projection: string; rows: string } {
  const where = `toStartOfMinute(ts) >= toDateTime(${T0 / 1000}, 'UTC') AND toStartOfMinute(ts) < toDateTime(${T0 / 1000 + 3600}, 'UTC')`;
  const sql = `SELECT source_category, toStartOfMinute(ts) AS m, count(), max(ts) FROM ${table} WHERE ${where} GROUP BY source_category, m ORDER BY source_category, m`;
  return {
    projection: query(`${sql} SETTINGS force_optimize_projection = 1`),
    rows: query(`${sql} SETTINGS optimize_use_projections = 0`),
  };
}

function waitForMutations(table: string): void {
  let left = '1';
  for (let i = 0; i < 100 && left !== '0'; i++) {
    left = query(`SELECT count() FROM system.mutations WHERE table = '${table}' AND NOT is_done`).trim();
    if (left !== '0') execFileSync('sleep', ['0.1']);
  }
  expect(left).toBe('0');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quarry-minute-counts-'));
  session = new Session(dir);
});
afterAll(() => {
  session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('minute_counts projection', () => {
  it('is part of a new table and stays exact across inserts, merges and a lightweight delete', () => {
    const table = 'logs_new';
    for (const sql of logsTableSetupSql({ table, textIndex: 'none' })) query(sql);
    expect(query(`SHOW CREATE TABLE ${table}`)).toContain(`PROJECTION ${minuteCountsProjection}`);
    insertRows(table, 1);
    insertRows(table, 2);
    let both = countsBothWays(table);
    expect(both.projection).toBe(both.rows);
    expect(both.rows.trim().split('\n').length).toBeGreaterThan(100);
    // The partial-batch repair deletes rows with a lightweight delete.
    query(`DELETE FROM ${table} WHERE message LIKE 'n=1%' AND source_category = 'svc/1'`);
    both = countsBothWays(table);
    expect(both.projection).toBe(both.rows);
    query(`OPTIMIZE TABLE ${table} FINAL`);
    both = countsBothWays(table);
    expect(both.projection).toBe(both.rows);
  });

  it('is added to a table that lacks it, and built for its older parts in the background', () => {
    const table = 'logs_old';
    // The layout before the projection.
    query(
      createLogsTableSql({ table, textIndex: 'none' })
        .replace(/,\n {2}PROJECTION [^\n]*\n/, '\n')
        .replace(", lightweight_mutation_projection_mode = 'rebuild'", ''),
    );
    expect(query(`SHOW CREATE TABLE ${table}`)).not.toContain('PROJECTION');
    insertRows(table, 3);
    const before = query(
      `SELECT name FROM system.projections WHERE database = currentDatabase() AND table = '${table}'`,
    ).trim();
    expect(before).toBe('');
    for (const sql of logsTableSetupSql({ table, textIndex: 'none' })) query(sql);
    expect(query(`SHOW CREATE TABLE ${table}`)).toContain(`PROJECTION ${minuteCountsProjection}`);
    // The older part has no projection yet: queries read its rows, with the same answers.
    const sql = `SELECT source_category, count() FROM ${table} WHERE toStartOfMinute(ts) >= toDateTime(${T0 / 1000}, 'UTC') GROUP BY 1 ORDER BY 1`;
    expect(query(sql)).toBe(query(`${sql} SETTINGS optimize_use_projections = 0`));
    insertRows(table, 4);
    expect(query(sql)).toBe(query(`${sql} SETTINGS optimize_use_projections = 0`));
    const backfill = minuteCountsBackfillSql({ table }, [], 2);
    expect(backfill).toBe(
      `ALTER TABLE ${table} MATERIALIZE PROJECTION ${minuteCountsProjection} SETTINGS mutations_sync = 0`,
    );
    // Held while merges are stopped, the backfill is the table's background work, described for people.
    query(`SYSTEM STOP MERGES ${table}`);
    query(backfill!);
    const pending = () =>
      session
        .query(pendingMutationsSql.replace('{table:String}', `'${table}'`), 'JSONEachRow')
        .toString()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as PendingMutation);
    const held = pending();
    expect(held.map((m) => [describeMutation(m.command), m.left])).toEqual([['building the per-minute counts for older data', 2]]);
    expect(Math.abs(held[0]!.at - Date.now())).toBeLessThan(60_000);
    query(`SYSTEM START MERGES ${table}`);
    expect(describeMutation('(MATERIALIZE INDEX message_tokens)')).toBe('building the full-text index for older data');
    expect(describeMutation("(UPDATE _row_exists = 0 WHERE source = 'a')")).toBe('removing the rows of a repaired batch');
    expect(describeMutation('(MODIFY COLUMN x String)')).toBe('engine mutation: MODIFY COLUMN x String');
    waitForMutations(table);
    expect(pending()).toEqual([]);
    const partsWithout = query(
      `SELECT count() FROM system.parts p WHERE p.active AND p.table = '${table}' AND p.name NOT IN (SELECT parent_name FROM system.projection_parts WHERE active AND table = '${table}')`,
    ).trim();
    expect(partsWithout).toBe('0');
    const both = countsBothWays(table);
    expect(both.projection).toBe(both.rows);
    // A delete after the upgrade keeps the counts exact too (the rebuild setting came with it).
    query(`DELETE FROM ${table} WHERE source_category = 'svc/2' AND message LIKE 'n=3%'`);
    const after = countsBothWays(table);
    expect(after.projection).toBe(after.rows);
    // Nothing to build: the table had it, or has no parts.
    expect(minuteCountsBackfillSql({ table }, [minuteCountsProjection], 3)).toBeUndefined();
    expect(minuteCountsBackfillSql({ table }, [], 0)).toBeUndefined();
  });
});
