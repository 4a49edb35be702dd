/** Bad numbers are a 400 naming the parameter; engine errors reach people only as Quarry's own messages. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, startTestServer } from '../support/server.js';

interface JobStatus {
  state: string;
  pendingErrors: string[];
}

/** What the engine's own errors look like: none of it may reach an answer. */
const ENGINE_TEXT = /DB::Exception|Code: \d+|SELECT|FROM logs|SETTINGS|unsafe integer|\{[a-z0-9_]+:(?:String|Int64|Float64)\}/i;

describe('error answers', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
    const source = await createSource(server.url, { name: 'errors', multiline: false });
    expect((await fetch(source.url, { method: 'POST', body: 'x=5 a\nx=7 b' })).status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers out-of-range numbers with 400 naming the parameter', async () => {
    for (const [path, name] of [
      ['/api/v1/logs/count?from=99999999999999999999', 'from'],
      ['/api/v1/logs/count?to=-99999999999999999999', 'to'],
      ['/api/v1/logs/count?from=2026-13-45', 'from'],
      ['/api/v1/logs/tail?limit=99999999999999999999', 'limit'],
    ] as const) {
      const answer = await api<{ code: string; message: string }>(server.url, path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.code).toBe('bad_request');
      expect(answer.body.message.startsWith(name), answer.body.message).toBe(true);
    }
    for (const range of [{ from: 0, to: 1e20 }, { from: -1e20, to: 0 }, { from: 0, to: 9.9e15 }]) {
      const created = await api<{ code: string; message: string }>(server.url, '/api/v1/search/jobs', { method: 'POST', body: { query: '*', ...range } });
      expect(created.status, JSON.stringify(range)).toBe(400);
      expect(created.body.code).toMatch(/^searchjob\.invalid\.timestamp\.(from|to)$/);
      expect(created.body.message).not.toMatch(ENGINE_TEXT);
    }
  });

  it('reports a query the engine cannot take in its own words, never the generated SQL', async () => {
    const now = Date.now();
    const queries = [
      Array.from({ length: 3000 }, (_, i) => `term${i}`).join(' OR '),
      `* | parse "x=*" as x | where x > 1e308`,
      `* | parse "x=*" as x | where ${Array.from({ length: 400 }, (_, i) => `x = ${i}`).join(' or ')}`,
    ];
    for (const query of queries) {
      const created = await api<{ id: string; message?: string }>(server.url, '/api/v1/search/jobs', { method: 'POST', body: { query, from: now - 3_600_000, to: now + 60_000 } });
      if (created.status !== 202) {
        expect(created.status).toBe(400);
        expect(created.body.message).not.toMatch(ENGINE_TEXT);
        continue;
      }
      let status: JobStatus;
      for (;;) {
        status = (await api<JobStatus>(server.url, `/api/v1/search/jobs/${created.body.id}`)).body;
        if (status.state !== 'GATHERING RESULTS' && status.state !== 'NOT STARTED') break;
      }
      for (const error of status.pendingErrors) expect(error, query.slice(0, 60)).not.toMatch(ENGINE_TEXT);
      if (query.startsWith('term0')) expect(status.pendingErrors).toEqual(['the query is too large for the log store to run (too many terms or too deeply nested); split it or use fewer terms']);
    }
  });
});
