import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, startTestServer } from '../support/server.js';

describe('overload', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // A deliberately tiny queue: two requests' worth of lines.
    server = await startTestServer({ 'ingest.queueMaxLines': 80, 'ingest.flushIntervalMs': 20 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 429 with Retry-After when the queue is full, and a retry lands the data', async () => {
    const { url } = await createSource(server.url, { name: 'busy', category: 'over/load', multiline: false });
    const bodies = Array.from({ length: 30 }, (_, r) =>
      Array.from({ length: 40 }, (_, i) => `request ${r} line ${i}`).join('\n'),
    );
    const first = await Promise.all(bodies.map((body) => fetch(url, { method: 'POST', body })));
    const refused = first.map((response, i) => ({ response, i })).filter(({ response }) => response.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(first.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    for (const { response } of refused) {
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await response.json()).toMatchObject({ code: 'overloaded' });
    }
    // A well-behaved sender waits and retries; every request lands exactly once.
    let pending = refused.map(({ i }) => i);
    for (let attempt = 0; pending.length > 0 && attempt < 50; attempt++) {
      const results = await Promise.all(pending.map((i) => fetch(url, { method: 'POST', body: bodies[i] })));
      pending = pending.filter((_, k) => results[k]!.status !== 200);
    }
    expect(pending).toEqual([]);
    const stored = await api<{ count: number }>(server.url, '/api/v1/logs/count?category=over/load');
    expect(stored.body.count).toBe(30 * 40);
    expect(server.batcher.stats().refusedSubmits).toBeGreaterThan(0);
  });
});
