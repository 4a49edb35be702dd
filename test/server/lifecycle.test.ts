import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, createSource, freePort, repoRoot, spawnServer, tempDir, waitFor, type ChildServer } from '../support/server.js';

function runCli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('quarry serve lifecycle', () => {
  const children: ChildServer[] = [];
  afterAll(() => {
    for (const child of children) child.process.kill('SIGKILL');
  });

  it('prints help and exits 0', () => {
    const result = runCli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('serve');
    const serveHelp = runCli(['serve', '--help']);
    expect(serveHelp.stdout).toMatch(/--port <port>/);
  });

  it('stops with exit 1 and names the key of a bad configuration value', () => {
    const result = runCli(['serve', '--data', tempDir()], { QUARRY_PORT: 'not-a-port' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/port \(from QUARRY_PORT\)/);
    const unknown = runCli(['serve', '--bogus']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('prints the admin password and ingest URL on first start only, then SIGTERM drains and exits 0', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = await spawnServer({ dataDir, port, env: { QUARRY_ADMIN_PASSWORD: '' } });
    children.push(first);
    await waitFor(() => first.output().includes('Ingest URL'), 10_000, 'the banner');
    const password = /admin password \(shown once\): (\S+)/.exec(first.output())?.[1];
    const ingestUrl = /Ingest URL \(shown once\): (\S+)/.exec(first.output())?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(ingestUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/receiver/v1/http/[A-Za-z0-9]{48}$`));
    expect((await fetch(ingestUrl!, { method: 'POST', body: 'hello from the default source' })).status).toBe(200);
    const auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
    expect((await api(first.url, '/api/v1/sources', { auth })).status).toBe(200);

    // An in-flight request when SIGTERM arrives is still answered and stored.
    const slowBody = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('in flight line one\n'));
        await new Promise((r) => setTimeout(r, 300));
        controller.enqueue(new TextEncoder().encode('in flight line two\n'));
        controller.close();
      },
    });
    const inFlight = fetch(ingestUrl!, { method: 'POST', body: slowBody, duplex: 'half' });
    await new Promise((r) => setTimeout(r, 100));
    first.process.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await first.exited).toBe(0);
    expect(first.output()).not.toContain('Error');

    const second = await spawnServer({ dataDir, port });
    children.push(second);
    expect(second.output()).not.toContain('shown once');
    const count = await api<{ count: number }>(second.url, '/api/v1/logs/count?contains=in%20flight', { auth });
    expect(count.body.count).toBe(2);
    // Quarry's own logs are searchable in its store.
    await waitFor(
      async () =>
        (await api<{ count: number }>(second.url, '/api/v1/logs/count?category=quarry/server', { auth })).body.count > 0,
      10_000,
      "Quarry's own logs",
    );
    // ...and they never carry a secret: not the password, not the ingest token.
    const token = ingestUrl!.split('/').pop()!;
    for (const secret of [password!, token]) {
      const leaked = await api<{ count: number }>(second.url, `/api/v1/logs/count?contains=${secret}`, { auth });
      expect(leaked.body.count).toBe(0);
    }
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('refuses a second server on the same data directory with a clear message', async () => {
    const dataDir = tempDir();
    const server = await spawnServer({ dataDir, port: await freePort() });
    children.push(server);
    const second = runCli(['serve', '--data', dataDir, '--port', String(await freePort())]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/in use by another process/);
    await createSource(server.url, { name: 'still-works' });
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);
});
