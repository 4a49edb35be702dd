import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/secrets.js';
import { openSqliteMetaStore } from '../../src/meta/sqlite/sqlite-meta-store.js';
import { ADMIN_PASSWORD, api, createSource, freePort, repoRoot, spawnServer, tempDir, type ChildServer } from '../support/server.js';

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI from the sources; `input` is piped to its stdin (which is closed either way). */
function cli(args: string[], input = ''): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, QUARRY_DATA: '', QUARRY_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function signIn(base: string, username: string, password: string): Promise<{ status: number; cookie?: string }> {
  const response = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('quarry_session='));
  await response.arrayBuffer();
  return { status: response.status, ...(cookie ? { cookie: cookie.split(';')[0]! } : {}) };
}

async function stop(server: ChildServer): Promise<void> {
  server.process.kill('SIGTERM');
  expect(await server.exited).toBe(0);
}

describe('quarry admin on the data directory of a stopped server', () => {
  const running: ChildServer[] = [];
  afterEach(() => {
    for (const server of running.splice(0)) if (server.process.exitCode === null) server.process.kill('SIGKILL');
  });

  it('refuses while the server runs; once it is stopped, resets passwords and replaces a token that then work', { timeout: 240_000 }, async () => {
    const dataDir = tempDir('quarry-admin-cli-');
    const port = await freePort();
    const first = await spawnServer({ dataDir, port });
    running.push(first);
    const oldSession = await signIn(first.url, 'admin', ADMIN_PASSWORD);
    expect(oldSession.status).toBe(200);
    const source = await createSource(first.url, { name: 'shipper', multiline: false });
    expect((await fetch(source.url, { method: 'POST', body: 'before rotation' })).status).toBe(200);

    // While the server holds the data directory, nothing is changed and the refusal says what to do.
    const refused = await cli(['admin', 'reset-password', '--data', dataDir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`(PID ${first.process.pid}) is running on ${dataDir}: stop it first`);
    expect(refused.stderr).toContain('POST /api/v1/users/admin/password');
    expect(refused.stdout).toBe('');
    const refusedRotation = await cli(['admin', 'rotate-token', '--data', dataDir, '--source', 'shipper']);
    expect(refusedRotation.status).toBe(1);
    expect(refusedRotation.stderr).toContain('stop it first');
    expect((await signIn(first.url, 'admin', ADMIN_PASSWORD)).status).toBe(200);
    expect((await fetch(source.url, { method: 'POST', body: 'still the old token' })).status).toBe(200);
    await stop(first);

    // A second user, added the only way there is so far: straight into the stopped server's meta store.
    const meta = openSqliteMetaStore(join(dataDir, 'meta.sqlite'));
    await meta.users.create({ id: 'OPS0000000000001', username: 'ops', passwordHash: await hashPassword('ops-old-password'), createdAt: Date.now() });
    await meta.close();

    const generated = await cli(['admin', 'reset-password', '--data', dataDir]);
    expect(generated.stderr).toContain('New password of "admin" (shown once)');
    expect(generated.stderr).toContain('2 browser sessions of "admin" ended');
    expect(generated.status).toBe(0);
    expect(generated.stdout).toMatch(/^[A-Za-z0-9]{24}\n$/);
    const adminPassword = generated.stdout.trim();
    expect(generated.stderr).not.toContain(adminPassword);

    const unknown = await cli(['admin', 'reset-password', '--data', dataDir, '--user', 'nobody']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no user named "nobody"');
    expect(unknown.stderr).toContain('users: "admin", "ops"');

    const short = await cli(['admin', 'reset-password', '--data', dataDir, '--user', 'ops', '--password-stdin'], 'short\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('at least 8 characters');
    const piped = await cli(['admin', 'reset-password', '--data', dataDir, '--user', 'ops', '--password-stdin'], 'ops-new-password\n');
    expect(piped.stderr).toContain('Password of "ops" set from stdin');
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe('');

    const noSource = await cli(['admin', 'rotate-token', '--data', dataDir, '--source', 'nope']);
    expect(noSource.status).toBe(1);
    expect(noSource.stderr).toContain('sources: "default", "shipper"');
    const rotated = await cli(['admin', 'rotate-token', '--data', dataDir, '--source', 'shipper']);
    expect(rotated.status).toBe(0);
    expect(rotated.stdout).toMatch(/^[A-Za-z0-9]{48}\n$/);
    const newToken = rotated.stdout.trim();

    const noData = await cli(['admin', 'reset-password', '--data', join(dataDir, 'not-here')]);
    expect(noData.status).toBe(1);
    expect(noData.stderr).toContain('no Quarry data directory');

    // The restarted server takes the new secrets and nothing else.
    const second = await spawnServer({ dataDir, port });
    running.push(second);
    expect((await signIn(second.url, 'admin', adminPassword)).status).toBe(200);
    expect((await signIn(second.url, 'admin', ADMIN_PASSWORD)).status).toBe(401);
    expect((await signIn(second.url, 'ops', 'ops-new-password')).status).toBe(200);
    expect((await signIn(second.url, 'ops', 'ops-old-password')).status).toBe(401);
    const sessionBefore = await fetch(`${second.url}/api/v1/session`, { headers: { cookie: oldSession.cookie! } });
    expect(sessionBefore.status).toBe(401);
    const basic = `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`;
    expect((await api(second.url, '/api/v1/sources', { auth: basic })).status).toBe(200);
    expect((await fetch(source.url, { method: 'POST', body: 'old token' })).status).toBe(401);
    expect((await fetch(`${second.url}/receiver/v1/http/${newToken}`, { method: 'POST', body: 'new token' })).status).toBe(200);
    await stop(second);
  });
});
