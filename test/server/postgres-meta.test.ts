import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import {
  api,
  createSource,
  freePort,
  spawnServer,
  startTestServer,
  tempDir,
  type ChildServer,
} from '../support/server.js';

describe('quarry serve with its metadata in PostgreSQL', () => {
  let postgres: TestPostgres;
  const children: ChildServer[] = [];
  beforeAll(async () => {
    postgres = await startTestPostgres();
  });
  afterAll(async () => {
    for (const child of children) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    await postgres?.stop();
  });

  it('keeps users and sources in the database across a restart, with another data directory', async () => {
    const firstData = tempDir();
    const first = await startTestServer({ meta: postgres.url, dataDir: firstData });
    let source: { id: string; url: string; token: string };
    try {
      expect(first.firstStart.firstStart).toBe(true);
      source = await createSource(first.url, { name: 'pg-e2e', category: 'e2e/pg' });
      expect((await fetch(source.url, { method: 'POST', body: 'first line through postgres' })).status).toBe(
        200,
      );
    } finally {
      await first.close();
    }
    // Nothing went to SQLite.
    expect(existsSync(join(firstData, 'meta.sqlite'))).toBe(false);

    // The real command line this time, on a new data directory: only the database is shared.
    const second = await spawnServer({
      dataDir: tempDir(),
      port: await freePort(),
      args: ['--meta', postgres.url],
    });
    children.push(second);
    expect(second.output()).not.toContain('First start');
    expect(second.output()).toContain(
      `Metadata: postgres://${postgres.user}:***@127.0.0.1:${postgres.port}/quarry`,
    );
    expect(second.output()).not.toContain(postgres.password);

    const sources = await api<{ data: { name: string }[] }>(second.url, '/api/v1/sources');
    expect(sources.status).toBe(200);
    expect(sources.body.data.map((s) => s.name).sort()).toEqual(['default', 'pg-e2e']);
    // The token made by the first server still lands lines in the second.
    const ingest = `${second.url}/receiver/v1/http/${source.token}`;
    expect((await fetch(ingest, { method: 'POST', body: 'second line through postgres' })).status).toBe(200);
    const count = await api<{ count: number }>(second.url, '/api/v1/logs/count?contains=through%20postgres');
    expect(count.body.count).toBe(1);

    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toContain(postgres.password);
  });

  it('stops with a message that names the database without its password when it cannot connect', async () => {
    const port = await freePort();
    const url = postgres.url.replace(`:${postgres.port}/`, `:${await freePort()}/`);
    const failure = await spawnServer({ dataDir: tempDir(), port, args: ['--meta', url] }).then(
      () => expect.unreachable('the server started without its database'),
      (error: unknown) => String(error),
    );
    expect(failure).toMatch(
      /quarry: cannot connect to the metadata database postgres:\/\/quarry:\*\*\*@127\.0\.0\.1:\d+\/quarry: .*ECONNREFUSED/,
    );
    expect(failure).not.toContain(postgres.password);
  });
});
