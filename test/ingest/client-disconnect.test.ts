/** A client that goes away mid-body is not an internal error: nothing stored as one, nothing logged above debug. */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, basicAuth, createSource, startTestServer, waitFor } from '../support/server.js';

describe('client disconnects mid-body', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ selfLogs: true, logLevel: 'fatal' });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function search(query: string): Promise<number> {
    const job = await api<{ id: string }>(server.url, '/api/v1/search/jobs', { method: 'POST', body: { query, from: Date.now() - 600_000, to: Date.now() + 60_000 } });
    for (;;) {
      const status = await api<{ state: string; messageCount: number }>(server.url, `/api/v1/search/jobs/${job.body.id}`);
      if (status.body.state !== 'GATHERING RESULTS' && status.body.state !== 'NOT STARTED') return status.body.messageCount;
    }
  }

  it('logs them at debug only and keeps serving', async () => {
    const source = new URL((await createSource(server.url, { name: 'gone', multiline: false })).url);
    for (const encoding of ['identity', 'gzip', 'deflate', 'zstd']) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(source.port), '127.0.0.1', () => {
          const start = encoding === 'gzip' ? '\x1f\x8b\x08\x00' : encoding === 'zstd' ? '\x28\xb5\x2f\xfd' : 'partial body';
          socket.write(`POST ${source.pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nContent-Encoding: ${encoding}\r\n\r\n${start}`);
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
        socket.on('error', reject);
      });
    }
    // A logged failure as a marker: once it is searchable, the disconnects' lines would be too.
    await fetch(`${server.url}/api/v1/sources`, { headers: { authorization: basicAuth('marker-user', 'x') } });
    await waitFor(async () => (await search('_sourceCategory=quarry/auth marker-user')) > 0, 30_000, 'the marker in the self-logs');
    expect(await search('_sourceCategory=quarry/* "internal error"')).toBe(0);
    expect(await search('_sourceCategory=quarry/* aborted')).toBe(0);
    expect((await fetch(`${server.url}/livez`)).status).toBe(200);
  });
});
