import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type ConfigOverrides } from '../../src/config/load.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { tempDirsMade } from './temp-dirs-made.js';

export { freePort } from './free-port.js';

export const ADMIN_PASSWORD = 'test-admin-password';
export const repoRoot = resolve(import.meta.dirname, '../..');
export const sharedData = resolve(repoRoot, '../shared/data');

export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
}

export const adminAuth = basicAuth('admin', ADMIN_PASSWORD);

/** A new directory under the system temp directory (deleted when the test file ends). */
export function tempDir(prefix = 'quarry-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirsMade.push(dir);
  return dir;
}

/**
 * Starts an in-process server on a free port with a fresh data directory. A data directory made
 * here is deleted when the server closes; one passed in `overrides` is the caller's.
 */
export async function startTestServer(overrides: ConfigOverrides = {}): Promise<RunningServer> {
  const ownDir = overrides.dataDir === undefined ? tempDir() : undefined;
  const config = loadConfig(
    {},
    { port: 0, dataDir: ownDir, adminPassword: ADMIN_PASSWORD, logLevel: 'warn', selfLogs: false, ...overrides },
  );
  const server = await startServer(config);
  if (ownDir === undefined) return server;
  const close = server.close.bind(server);
  return {
    ...server,
    async close() {
      await close();
      rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

/** Calls the API as admin and parses the JSON answer. */
export async function api<T = unknown>(
  base: string,
  path: string,
  init: { method?: string; body?: unknown; auth?: string } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: init.auth ?? adminAuth,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

/** Creates an HTTP source and returns its ingest URL. */
export async function createSource(base: string, body: Record<string, unknown>): Promise<{ id: string; url: string; token: string }> {
  const created = await api<{ id: string; url: string; token: string }>(base, '/api/v1/sources', { method: 'POST', body });
  if (created.status !== 201) throw new Error(`source creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

/** Waits until `check` is true or the deadline passes (no fixed sleeps in tests). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ChildServer {
  url: string;
  process: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

/** Runs `quarry serve` as a child process (from the TypeScript sources) and waits until it is ready. */
export async function spawnServer(options: {
  dataDir: string;
  port: number;
  env?: Record<string, string>;
  /** More `quarry serve` flags (`['--meta', url]`). */
  args?: string[];
}): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'serve', '--data', options.dataDir, '--port', String(options.port)],
      ...(options.args ?? []),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, QUARRY_ADMIN_PASSWORD: ADMIN_PASSWORD, QUARRY_LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${options.port}`;
  let ended = false;
  void exited.then(() => (ended = true));
  await waitFor(
    async () => {
      if (ended) throw new Error(`quarry serve exited early:\n${output}`);
      try {
        return (await fetch(`${url}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    60_000,
    'quarry serve to become ready',
  );
  return { url, process: child, output: () => output, exited };
}
