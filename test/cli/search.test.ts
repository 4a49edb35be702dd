import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, repoRoot, startTestServer, waitFor } from '../support/server.js';

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
