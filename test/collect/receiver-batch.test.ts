import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, startTestServer, tempDir, waitFor } from '../support/server.js';
import { storeReader } from '../support/store-reader.js';

// The receiver side of `quarry collect`: json-lines framing and idempotent batch ids.
describe('receiver: X-Quarry-Framing and X-Quarry-Batch-Id', () => {
  let server: RunningServer;
  const dataDir = tempDir('quarry-batch-');

  beforeAll(async () => {
    server = await startTestServer({ dataDir });
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (url: string, body: string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', body, headers });

  it('keeps json-lines messages whole on a source that would split them', async () => {
    const source = await createSource(server.url, { name: 'framed', multiline: false });
    const event = '2026-01-01 10:00:00 ERROR boom\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)';
    const body = `${JSON.stringify(event)}\n${JSON.stringify('2026-01-01 10:00:01 INFO ok')}\n`;
    const response = await post(source.url, body, { 'x-quarry-framing': 'json-lines' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ messages: 2 });
    const stored = await storeReader(server.url).ofSource('framed');
    expect(stored.map((m) => m._raw).sort()).toEqual([event, '2026-01-01 10:00:01 INFO ok']);
    expect(stored.find((m) => m._raw === event)?._messageTime).toBe('2026-01-01T10:00:00.000Z');
  });

  it("applies the source's processing rules to json-lines messages", async () => {
    const source = await createSource(server.url, {
      name: 'framed-rules',
      rules: [{ name: 'drop health', kind: 'exclude', regex: 'GET /healthz' }],
    });
    const body = ['GET /healthz 200', 'GET /orders 200', 'POST /pay 500\n\tat x'].map((m) => JSON.stringify(m)).join('\n');
    const response = await post(source.url, body, { 'x-quarry-framing': 'json-lines', 'x-quarry-batch-id': 'rules-1' });
    expect(await response.json()).toMatchObject({ messages: 2 });
    expect((await storeReader(server.url).ofSource('framed-rules')).map((m) => m._raw).sort()).toEqual([
      'GET /orders 200',
      'POST /pay 500\n\tat x',
    ]);
  });

  it('refuses a json-lines line that is not a JSON string, naming the line, and stores nothing', async () => {
    const source = await createSource(server.url, { name: 'framed-bad' });
    const response = await post(source.url, '"ok"\n{"a":1}\n', { 'x-quarry-framing': 'json-lines' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('line 2');
    expect(await storeReader(server.url).ofSource('framed-bad')).toHaveLength(0);
  });

  it('stores a batch id once, also when resent after the server restarted', async () => {
    const source = await createSource(server.url, { name: 'batched' });
    const since = Date.now();
    const headers = { 'x-quarry-batch-id': 'c1-000001', 'x-quarry-framing': 'json-lines' };
    const body = '"one"\n"two"\n';
    const first = await post(source.url, body, headers);
    expect(first.status).toBe(200);
    const again = await post(source.url, body, headers);
    expect(await again.json()).toMatchObject({ duplicate: true });
    // Concurrent duplicates of a new id: exactly one stores.
    const concurrent = await Promise.all(
      [1, 2, 3].map(() => post(source.url, '"three"\n', { ...headers, 'x-quarry-batch-id': 'c1-000002' })),
    );
    expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await storeReader(server.url).ofSource('batched')).map((m) => m._raw).sort()).toEqual(['one', 'three', 'two']);
    const stored = await storeReader(server.url).ofSource('batched');
    // The batch id is Quarry's own: stored (the resend below finds it), never shown.
    expect(stored.every((m) => !('collector_batch' in m))).toBe(true);
    const job = await api<{ id: string }>(server.url, '/api/v1/search/jobs', { method: 'POST', body: { query: '_source=batched', from: since - 60_000, to: Date.now() + 60_000 } });
    await waitFor(async () => (await api<{ state: string }>(server.url, `/api/v1/search/jobs/${job.body.id}`)).body.state === 'DONE GATHERING RESULTS');
    const page = await api<{ fields: { name: string }[]; messages: { map: Record<string, string> }[] }>(server.url, `/api/v1/search/jobs/${job.body.id}/messages?offset=0&limit=10`);
    expect(page.body.messages).toHaveLength(3);
    expect(page.body.fields.map((f) => f.name)).not.toContain('collector_batch');
    expect(page.body.messages.every((m) => !('collector_batch' in m.map))).toBe(true);

    // A new server process remembers nothing: the resend header makes it look in the store.
    await server.close();
    server = await startTestServer({ dataDir });
    const resent = await post(source.url.replace(/^http:\/\/[^/]+/, server.url), body, {
      ...headers,
      'x-quarry-batch-resend': String(since),
    });
    expect(await resent.json()).toMatchObject({ duplicate: true });
    const fresh = await post(source.url.replace(/^http:\/\/[^/]+/, server.url), '"four"\n', {
      ...headers,
      'x-quarry-batch-id': 'c1-000003',
      'x-quarry-batch-resend': String(since),
    });
    expect(await fresh.json()).not.toHaveProperty('duplicate');
    expect((await storeReader(server.url).ofSource('batched')).map((m) => m._raw).sort()).toEqual(['four', 'one', 'three', 'two']);
  });

  it('repairs a batch a crash left partly stored: the resend stores exactly its lines', async () => {
    const source = await createSource(server.url, { name: 'partial' });
    const since = Date.now();
    const headers = { 'x-quarry-batch-id': 'c2-000001', 'x-quarry-framing': 'json-lines' };
    // What a crash between the per-day parts of an insert leaves: some of the batch's rows.
    expect((await post(source.url, '"day one"\n', headers)).status).toBe(200);
    await server.close();
    server = await startTestServer({ dataDir });
    const url = source.url.replace(/^http:\/\/[^/]+/, server.url);
    const resent = await post(url, '"day one"\n"day two"\n', { ...headers, 'x-quarry-batch-resend': String(since) });
    expect(resent.status).toBe(200);
    expect(await resent.json()).not.toHaveProperty('duplicate');
    expect((await storeReader(server.url).ofSource('partial')).map((m) => m._raw).sort()).toEqual(['day one', 'day two']);
    // Whole now: another resend (after another restart) is a duplicate.
    await server.close();
    server = await startTestServer({ dataDir });
    const again = await post(source.url.replace(/^http:\/\/[^/]+/, server.url), '"day one"\n"day two"\n', {
      ...headers,
      'x-quarry-batch-resend': String(since),
    });
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect(await storeReader(server.url).ofSource('partial')).toHaveLength(2);
  });

  it('refuses malformed batch headers', async () => {
    const source = await createSource(server.url, { name: 'batched-bad' });
    const cases: Record<string, string>[] = [
      { 'x-quarry-batch-id': 'has space' },
      { 'x-quarry-framing': 'xml' },
      { 'x-quarry-batch-id': 'ok', 'x-quarry-batch-resend': 'yesterday' },
      { 'x-quarry-batch-resend': '123' },
    ];
    for (const headers of cases) {
      const response = await post(source.url, 'x\n', headers);
      expect(response.status, JSON.stringify(headers)).toBe(400);
    }
  });
});
