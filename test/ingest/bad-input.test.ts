import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, startTestServer } from '../support/server.js';

/** Every bad request gets a clear JSON error and leaves what was stored before untouched. */
describe('bad input at the receiver', () => {
  let server: RunningServer;
  let url: string;
  const baseline = 'good line one\ngood line two\ngood line three\n';
  const stored = async (): Promise<number> =>
    (await api<{ count: number }>(server.url, '/api/v1/logs/count?category=bad/input')).body.count;

  beforeAll(async () => {
    server = await startTestServer({ 'ingest.maxBodyBytes': 1024 * 1024 });
    url = (await createSource(server.url, { name: 'bad-input', category: 'bad/input', multiline: false })).url;
    const response = await fetch(url, { method: 'POST', body: baseline });
    expect(response.status).toBe(200);
    expect(await stored()).toBe(3);
  });
  afterAll(async () => {
    expect(await stored()).toBe(3 + 2 + 1); // the baseline, the UTF-8 request and the text/html one
    await server.close();
  });

  async function expectError(
    response: Response,
    status: number,
    code: string,
    message?: RegExp,
  ): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe(code);
    if (message) expect(body.message).toMatch(message);
    expect(await stored()).toBeGreaterThanOrEqual(3);
  }

  it('401 for an unknown or missing token', async () => {
    await expectError(await fetch(`${server.url}/receiver/v1/http/not-a-token`, { method: 'POST', body: 'x' }), 401, 'unauthorized', /unknown ingest token/);
    await expectError(await fetch(`${server.url}/receiver/v1/http`, { method: 'POST', body: 'x' }), 401, 'unauthorized', /missing ingest token/);
    expect(await stored()).toBe(3);
  });

  it('400 naming the encoding for a body that is not what it claims', async () => {
    for (const encoding of ['gzip', 'deflate', 'zstd']) {
      const response = await fetch(url, { method: 'POST', body: 'plain text, not compressed', headers: { 'content-encoding': encoding } });
      await expectError(response, 400, 'bad_encoding', new RegExp(`not valid ${encoding}`));
    }
    const truncated = gzipSync(Buffer.from('a line\n'.repeat(1000))).subarray(0, 40);
    await expectError(await fetch(url, { method: 'POST', body: truncated, headers: { 'content-encoding': 'gzip' } }), 400, 'bad_encoding');
    expect(await stored()).toBe(3);
  });

  it('415 for an unknown encoding', async () => {
    await expectError(await fetch(url, { method: 'POST', body: 'x', headers: { 'content-encoding': 'br' } }), 415, 'unsupported_encoding', /"br"/);
  });

  it('413 for a body over the limit and for a decompression bomb', async () => {
    await expectError(await fetch(url, { method: 'POST', body: 'y'.repeat(2 * 1024 * 1024) }), 413, 'payload_too_large');
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 'a'));
    await expectError(
      await fetch(url, { method: 'POST', body: bomb, headers: { 'content-encoding': 'gzip' } }),
      413,
      'payload_too_large',
    );
    expect(await stored()).toBe(3);
  });

  it('405 for a wrong method', async () => {
    const response = await fetch(url, { method: 'GET' });
    await expectError(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toContain('POST');
    await expectError(await fetch(url, { method: 'PUT', body: 'x', headers: { 'content-type': 'application/x-weird' } }), 405, 'method_not_allowed');
  });

  it('200 for an empty body, storing nothing', async () => {
    const response = await fetch(url, { method: 'POST', body: '' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ messages: 0 });
    expect(await stored()).toBe(3);
  });

  it('400 for a malformed X-Sumo-Fields header', async () => {
    await expectError(
      await fetch(url, { method: 'POST', body: 'x', headers: { 'x-sumo-fields': 'ok=1,=nokey' } }),
      400,
      'bad_request',
      /X-Sumo-Fields/,
    );
  });

  it('replaces invalid UTF-8 with U+FFFD, counts it in a header, and stores the lines', async () => {
    const body = Buffer.concat([Buffer.from('bad byte '), Buffer.from([0xff, 0xfe]), Buffer.from(' here\nfine line\n')]);
    const response = await fetch(url, { method: 'POST', body });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-quarry-invalid-utf8-replaced')).toBe('2');
    const rows = (await api<{ messages: { _raw: string }[] }>(server.url, '/api/v1/logs/tail?limit=2')).body.messages;
    expect(rows.map((r) => r._raw)).toContain('bad byte \uFFFD\uFFFD here');
  });

  it('ingests any Content-Type as log lines, as Sumo does', async () => {
    const response = await fetch(url, { method: 'POST', body: '<html>not really html</html>', headers: { 'content-type': 'text/html' } });
    expect(response.status).toBe(200);
  });

  it('refuses oversized headers without harming the server', async () => {
    const response = await fetch(url, { method: 'POST', body: 'x', headers: { 'x-sumo-category': 'c'.repeat(20_000) } });
    expect(response.status).toBe(431);
    expect((await fetch(`${server.url}/livez`)).status).toBe(200);
  });
});
