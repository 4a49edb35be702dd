/**
 * The Search Job API lists an aggregate job's messages as Sumo Logic does: `GET …/messages` pages
 * the messages of the query's part before its first aggregate, newest first, and `messageCount`
 * counts them — the same list and count as the search of that part alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, sharedData, startTestServer, waitFor } from '../support/server.js';

const LINES = readFileSync(join(sharedData, 'http-access/elastic-apache/apache_logs'), 'utf8')
  .split('\n')
  .filter(Boolean);
const RANGE = { from: Date.UTC(2015, 4, 17), to: Date.UTC(2015, 4, 21), timeZone: 'UTC' };
const NOT_FOUND = LINES.filter((l) => / 404 \d+ /.test(l) || / 404 - /.test(l)).length;

interface Page {
  fields: { name: string; fieldType: string; keyField: boolean }[];
  messages: { map: Record<string, string> }[];
}

describe('messages of an aggregate search job', () => {
  let server: RunningServer;

  async function runJob(query: string): Promise<{ id: string; messageCount: number; recordCount: number }> {
    const created = await api<{ id: string }>(server.url, '/api/v1/search/jobs', {
      method: 'POST',
      body: { query, ...RANGE },
    });
    expect(created.status).toBe(202);
    for (;;) {
      const status = (
        await api<{ state: string; messageCount: number; recordCount: number }>(
          server.url,
          `/api/v1/search/jobs/${created.body.id}`,
        )
      ).body;
      if (status.state !== 'GATHERING RESULTS' && status.state !== 'NOT STARTED')
        return { id: created.body.id, ...status };
    }
  }

  async function allMessages(id: string): Promise<Page> {
    const first = (await api<Page>(server.url, `/api/v1/search/jobs/${id}/messages?offset=0&limit=100`)).body;
    const rest = (await api<Page>(server.url, `/api/v1/search/jobs/${id}/messages?offset=100&limit=10000`))
      .body;
    return { fields: first.fields, messages: [...first.messages, ...rest.messages] };
  }

  beforeAll(async () => {
    server = await startTestServer();
    const { url } = await createSource(server.url, {
      name: 'apache',
      category: 'web/apache',
      multiline: false,
    });
    expect((await fetch(url, { method: 'POST', body: LINES.join('\n') })).status).toBe(200);
    await waitFor(
      async () => (await runJob('_sourceCategory=web/apache')).messageCount === LINES.length,
      60_000,
      'the log to be searchable',
    );
  }, 120_000);
  afterAll(async () => {
    await server.close();
  });

  // Pushed into SQL (parse regex, where: messages listed from the store on request), and run in JS (parse).
  const PARTS = [
    '_sourceCategory=web/apache | parse regex "\\" (?<status>\\d{3}) " | where status = "404"',
    '_sourceCategory=web/apache | parse "\\" * " as status | where status = "404"',
  ];
  for (const part of PARTS) {
    it(`pages the messages of ${part}`, async () => {
      expect(NOT_FOUND).toBeGreaterThan(100);
      const aggregate = await runJob(`${part} | count by status`);
      expect(aggregate.recordCount).toBe(1);
      expect(aggregate.messageCount).toBe(NOT_FOUND);
      const page = await allMessages(aggregate.id);
      expect(page.messages).toHaveLength(NOT_FOUND);
      expect(page.messages.every((m) => m.map.status === '404' && m.map._raw!.includes(' 404 '))).toBe(true);
      const times = page.messages.map((m) => Number(m.map._messagetime));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(page.fields.map((f) => f.name)).toEqual(
        expect.arrayContaining(['status', '_raw', '_messagetime', '_sourcecategory']),
      );
      expect(page.fields.some((f) => f.keyField)).toBe(false);
      // The same list as the search of the messages part alone.
      const alone = await runJob(part);
      expect(alone.messageCount).toBe(aggregate.messageCount);
      expect(page).toEqual(await allMessages(alone.id));
    });
  }
});
