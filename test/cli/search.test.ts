import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, repoRoot, startTestServer, tempDir, waitFor } from '../support/server.js';

/** Lines at fixed times (a quarter past the hour, Kolkata's zone is +05:30), for the time columns. */
const TIMED = ['2026-11-20T10:15:30.250Z status=200 path=/t1', '2026-11-20T10:45:00.000Z status=404 path=/t2', '2026-11-20T11:05:00.000Z status=200 path=/t3'];
const TIMED_RANGE = ['--from', '2026-11-20T10:00:00Z', '--to', '2026-11-20T12:00:00Z'];

describe('quarry search and quarry tail against a server', () => {
  let server: RunningServer;
  let env: Record<string, string>;
  let ingest: string;
  beforeAll(async () => {
    server = await startTestServer();
    const key = await api<{ accessId: string; accessKey: string }>(server.url, '/api/v1/accessKeys', { method: 'POST', body: { label: 'cli' } });
    env = { QUARRY_SERVER: server.url, QUARRY_ACCESS_ID: key.body.accessId, QUARRY_ACCESS_KEY: key.body.accessKey, QUARRY_PROFILES: '/nonexistent' };
    ingest = (await createSource(server.url, { name: 'cli', category: 'cli/test', multiline: false })).url;
    const now = new Date().toISOString();
    const body = [`${now} status=200 path=/a`, `${now} status=500 path=/b`, `${now} status=200 path=/c`].join('\n');
    expect((await fetch(ingest, { method: 'POST', body })).status).toBe(200);
    const timed = (await createSource(server.url, { name: 'cli-times', category: 'cli/times', multiline: false })).url;
    expect((await fetch(timed, { method: 'POST', body: TIMED.join('\n') })).status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
        cwd: repoRoot,
        env: { ...process.env, ...env, ...extraEnv },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
    });

  it('prints records of an aggregate search as NDJSON', async () => {
    const result = await cli(['search', '_sourceCategory=cli/test | keyvalue "status" | count by status | sort by status asc', '--format', 'ndjson']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { status: '200', _count: '2' },
      { status: '500', _count: '1' },
    ]);
  });

  it('prints messages as a table and fails with a caret on a bad query', async () => {
    const table = await cli(['search', '"status=500"', '--from', '-1h']);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('path=/b');
    expect(table.stdout).not.toContain('path=/a');
    const bad = await cli(['search', '* | pars "a" as b']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('^');
    const noCredentials = await cli(['search', '*'], { QUARRY_ACCESS_ID: '', QUARRY_ACCESS_KEY: '' });
    expect(noCredentials.status).toBe(1);
    expect(noCredentials.stderr).toMatch(/no credentials/);
  });

  it('says on stderr when nothing matched, and when more matched than it printed', async () => {
    const none = await cli(['search', 'nosuchwordanywhere', '--from', '-1h']);
    expect(none.status).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^no messages matched in \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} – .* \(UTC\)\n$/);
    const cut = await cli(['search', '_sourceCategory=cli/test', '--from', '-1h', '--limit', '2', '--format', 'ndjson']);
    expect(cut.status).toBe(0);
    expect(cut.stdout.trim().split('\n')).toHaveLength(2);
    expect(cut.stderr).toBe('showing 2 of 3 messages: raise --limit (now 2) to see more\n');
  });

  it('prints times as quarry query does, in --tz, in tables and csv; json keeps epoch ms', async () => {
    const file = join(tempDir(), 'timed.log');
    writeFileSync(file, `${TIMED.join('\n')}\n`);
    const query = '| timeslice 1h | count by _timeslice | sort by _timeslice asc';
    for (const format of ['csv', 'table']) {
      const searched = await cli(['search', `_sourceCategory=cli/times ${query}`, ...TIMED_RANGE, '--tz', 'Asia/Kolkata', '--format', format]);
      expect(searched.stderr).toBe('');
      const local = await cli(['query', query, file, '--tz', 'Asia/Kolkata', '--format', format]);
      expect(local.status).toBe(0);
      // The two commands agree, cell for cell.
      expect(searched.stdout).toBe(local.stdout);
    }
    const csv = await cli(['search', `_sourceCategory=cli/times ${query}`, ...TIMED_RANGE, '--tz', 'Asia/Kolkata', '--format', 'csv']);
    // Hours of Kolkata's clock (+05:30): 15:45:30 in the 15:00 slice, 16:15 and 16:35 in 16:00.
    expect(csv.stdout).toBe('_timeslice,_count\n2026-11-20T15:00:00.000+05:30,1\n2026-11-20T16:00:00.000+05:30,2\n');
    // Messages: the time column in the zone.
    const table = await cli(['search', '_sourceCategory=cli/times "status=404"', ...TIMED_RANGE, '--tz', 'Asia/Kolkata']);
    expect(table.stdout).toContain('2026-11-20T16:15:00.000+05:30');
    expect(table.stdout).not.toMatch(/\b1\d{12}\b/);
    // NDJSON keeps the API's epoch milliseconds, as its help says.
    const ndjson = await cli(['search', `_sourceCategory=cli/times ${query}`, ...TIMED_RANGE, '--tz', 'Asia/Kolkata', '--format', 'ndjson']);
    expect(ndjson.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { _timeslice: String(Date.parse('2026-11-20T09:30:00Z')), _count: '1' },
      { _timeslice: String(Date.parse('2026-11-20T10:30:00Z')), _count: '2' },
    ]);
    const help = await cli(['search', '--help']);
    expect(help.stdout).toMatch(/json and ndjson keep the API's epoch\s+milliseconds/);
  });

  it('tails new messages', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'tail', 'tailme'], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitFor(() => stderr.includes('tailing'), 20_000, 'the tail to start');
      await waitFor(async () => {
        await fetch(ingest, { method: 'POST', body: 'tailme please\nnot this one' });
        return stdout.includes('tailme please');
      }, 20_000, 'the tailed line');
      expect(stdout).not.toContain('not this one');
    } finally {
      child.kill('SIGINT');
    }
  });
});
