import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, repoRoot, startTestServer } from '../support/server.js';

describe('quarry search --explain', () => {
  let server: RunningServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer();
    const key = await api<{ accessId: string; accessKey: string }>(server.url, '/api/v1/accessKeys', { method: 'POST', body: { label: 'cli' } });
    env = { QUARRY_SERVER: server.url, QUARRY_ACCESS_ID: key.body.accessId, QUARRY_ACCESS_KEY: key.body.accessKey, QUARRY_PROFILES: '/nonexistent' };
  });
  afterAll(async () => {
    await server.close();
  });

  const cli = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
    });

  it('prints the SQL, its parameters and the stages left to JS, without running a job', async () => {
    const text = await cli(['search', 'error | timeslice 1m | count by _timeslice | where _count > 2', '--explain', '--from', '-24h']);
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^plan: +aggregate$/m);
    expect(text.stdout).toMatch(/^pushed: +time range \| scope \| timeslice 1m \| count by _timeslice$/m);
    expect(text.stdout).toMatch(/^in JS: +where _count > 2$/m);
    // 1-minute slices nest in the 15-minute histogram buckets: no second grouping set.
    expect(text.stdout).toMatch(/-- records \(the histogram and message count are summed from the slices\)\nSELECT .* GROUP BY `v0` ORDER BY `v0` DESC/);
    expect(text.stdout).toContain('-- params: {');
    expect(text.stdout).toContain('(?i)(^|[^');
    const json = await cli(['search', 'error | json "a" | count', '--explain', '--format', 'json']);
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout) as { kind: string; javascript: string[] };
    expect(parsed.kind).toBe('messages');
    expect(parsed.javascript).toEqual(['json "a"', 'count']);
  });
});
