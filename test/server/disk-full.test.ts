/**
 * A full disk: appends answer 503, /readyz says not ready while they fail (it used to say ready),
 * and both recover once space returns. The server runs in its own mount namespace with its data
 * directory on a 160 MiB tmpfs; the test fills that filesystem through /proc/<pid>/root.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createSource, freePort, repoRoot, tempDir, waitFor } from '../support/server.js';

const canNamespace = spawnSync('unshare', ['-rm', '--propagation', 'private', 'true']).status === 0;

describe.skipIf(!canNamespace)('a full disk', () => {
  let child: ChildProcess;
  let url: string;
  let dataDir: string;
  let output = '';
  const filler = (): string => join(`/proc/${child.pid}/root`, dataDir, 'filler');

  beforeAll(async () => {
    dataDir = tempDir('quarry-diskfull-');
    const port = await freePort();
    const serve = `mount -t tmpfs -o size=160m tmpfs "$0" && exec "$1" --import tsx "$2" serve --data "$0" --port "$3" --no-self-logs`;
    child = spawn('unshare', ['-rm', '--propagation', 'private', 'sh', '-c', serve, dataDir, process.execPath, join(repoRoot, 'src/cli/main.ts'), String(port)], {
      cwd: repoRoot,
      env: { ...process.env, QUARRY_ADMIN_PASSWORD: ADMIN_PASSWORD, QUARRY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`quarry serve exited:\n${output}`);
        return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
      },
      90_000,
      'quarry serve on a tmpfs',
    );
  }, 120_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('answers 503 and not ready while the disk is full, and recovers when space returns', async () => {
    const source = await createSource(url, { name: 'disk', multiline: false });
    expect((await fetch(source.url, { method: 'POST', body: 'before the disk filled' })).status).toBe(200);

    // Fill the filesystem to the last byte.
    const fd = openSync(filler(), 'w');
    const block = Buffer.alloc(1024 * 1024, 7);
    try {
      for (;;) writeSync(fd, block);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ENOSPC');
    }
    try {
      for (;;) writeSync(fd, block.subarray(0, 4096));
    } catch {
      // full
    }
    closeSync(fd);

    const line = (i: number): string => `line ${i} while the disk is full ${'x'.repeat(200)}`;
    const refused = await fetch(source.url, { method: 'POST', body: Array.from({ length: 2000 }, (_, i) => line(i)).join('\n') });
    expect([503, 507, 429]).toContain(refused.status);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not ready' });
    expect((await fetch(`${url}/livez`)).status).toBe(200);

    rmSync(filler());
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 30_000, 'readiness after space returned');
    expect((await fetch(source.url, { method: 'POST', body: 'after the disk was freed' })).status).toBe(200);
  }, 120_000);
});
