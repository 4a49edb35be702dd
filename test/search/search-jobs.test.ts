import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { adminAuth, api, createSource, sharedData, startTestServer, waitFor } from '../support/server.js';

const apacheLines = readFileSync(join(sharedData, 'http-access/elastic-apache/apache_logs'), 'utf8').split('\n').filter(Boolean);
const FROM = '2015-05-17T00:00:00Z';
const TO = '2015-05-21T00:00:00Z';

interface Status {
  state: string;
  messageCount: number;
  recordCount: number;
  histogramBuckets: { startTimestamp: number; length: number; count: number }[];
  pendingErrors: string[];
  pendingWarnings: string[];
}
interface Page {
  fields: { name: string; fieldType: string; keyField: boolean }[];
  messages?: { map: Record<string, string> }[];
  records?: { map: Record<string, string> }[];
}

describe('Search Job API', () => {
  let server: RunningServer;
  let base: string;

  async function runJob(body: Record<string, unknown>): Promise<{ id: string; status: Status; buckets: number }> {
    const created = await api<{ id: string; link: { href: string } }>(base, '/api/v1/search/jobs', { method: 'POST', body });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.headers.get('location')).toBe(created.body.link.href);
    let status: Status | undefined;
    let bucketTotal = 0;
    await waitFor(async () => {
      status = (await api<Status>(base, `/api/v1/search/jobs/${created.body.id}`)).body;
      bucketTotal += status.histogramBuckets.reduce((n, b) => n + b.count, 0);
      return status.state !== 'GATHERING RESULTS' && status.state !== 'NOT STARTED';
    }, 30_000, 'the search job');
    return { id: created.body.id, status: status!, buckets: bucketTotal };
  }

  beforeAll(async () => {
    server = await startTestServer();
    base = server.url;
    const { url } = await createSource(base, { name: 'apache', category: 'web/apache', multiline: false });
    expect((await fetch(url, { method: 'POST', body: apacheLines.join('\n') })).status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  it('finds keyword matches newest first, with an incremental histogram and Sumo field names', async () => {
    // Keywords match whole terms, case-insensitively: "kibana3-2.png" is not the term "kibana".
    const expected = apacheLines.filter((l) => /(^|[^a-z0-9])kibana([^a-z0-9]|$)/i.test(l)).length;
    const { id, status, buckets } = await runJob({ query: 'kibana', from: FROM, to: TO, timeZone: 'UTC' });
    expect(status.state).toBe('DONE GATHERING RESULTS');
    expect(status.messageCount).toBe(expected);
    expect(buckets).toBe(expected);
    const page = (await api<Page>(base, `/api/v1/search/jobs/${id}/messages?offset=0&limit=50`)).body;
    expect(page.messages).toHaveLength(50);
    const names = page.fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['_raw', '_messagetime', '_sourcecategory', '_sourcehost', '_size']));
    const times = page.messages!.map((m) => Number(m.map._messagetime));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(page.messages![0]!.map._sourcecategory).toBe('web/apache');
    const rest = (await api<Page>(base, `/api/v1/search/jobs/${id}/messages?offset=50&limit=10000`)).body;
    expect(50 + rest.messages!.length).toBe(expected);
    const records = await api<{ code: string }>(base, `/api/v1/search/jobs/${id}/records`);
    expect(records.status).toBe(400);
    expect(records.body.code).toBe('searchjob.no.records.not.an.aggregation.query');
  });

  it('aggregates into records with key fields, counting every message in the histogram', async () => {
    const { id, status, buckets } = await runJob({
      query: '_sourceCategory=web/apache | parse "\\" * " as status | count by status | sort by _count',
      from: Date.parse(FROM),
      to: Date.parse(TO),
    });
    expect(status.state).toBe('DONE GATHERING RESULTS');
    expect(status.recordCount).toBe(8);
    expect(buckets).toBe(10_000);
    const page = (await api<Page>(base, `/api/v1/search/jobs/${id}/records?limit=100`)).body;
    expect(page.fields).toEqual([
      { name: 'status', fieldType: 'string', keyField: true },
      { name: '_count', fieldType: 'long', keyField: false },
    ]);
    expect(page.records![0]!.map).toEqual({ status: '200', _count: '9126' });
    expect(page.records!.reduce((n, r) => n + Number(r.map._count), 0)).toBe(10_000);
  });

  it('reads zone-less times in the given time zone and substitutes query parameters', async () => {
    const { status } = await runJob({
      query: '{{verb}} {{path}}',
      queryParameters: [
        { name: 'verb', value: 'POST', dataType: 'KEYWORD' },
        { name: 'path', value: '/projects/xdotool/', dataType: 'STRING' },
      ],
      from: '2015-05-17T02:00:00',
      to: '2015-05-21T02:00:00',
      timeZone: 'Europe/Berlin',
    });
    expect(status.messageCount).toBe(apacheLines.filter((l) => l.includes('POST /projects/xdotool/')).length);
    expect(status.messageCount).toBe(1);
  });

  it('answers bad requests with Sumo error codes', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ from: FROM, to: TO, timeZone: 'UTC' }, 'searchjob.no.query'],
      [{ query: 'x', from: 'yesterday', to: TO, timeZone: 'UTC' }, 'searchjob.invalid.timestamp.from'],
      [{ query: 'x', from: FROM, to: '2015-13-45T00:00:00', timeZone: 'UTC' }, 'searchjob.invalid.timestamp.to'],
      [{ query: 'x', from: TO, to: FROM, timeZone: 'UTC' }, 'searchjob.timestamp.to.smaller.than.from'],
      [{ query: 'x', from: '2015-05-17T00:00:00', to: '2015-05-18T00:00:00' }, 'searchjob.empty.timezone'],
      [{ query: 'x', from: FROM, to: TO, timeZone: 'Mars/Olympus' }, 'searchjob.unknown.timezone'],
      [{ query: '* | count by', from: FROM, to: TO, timeZone: 'UTC' }, 'searchjob.query.parse.error'],
      [{ query: '* | logreduce', from: FROM, to: TO, timeZone: 'UTC' }, 'searchjob.query.unsupported'],
      [{ query: '{{x}}', from: FROM, to: TO, timeZone: 'UTC' }, 'searchjob.invalid.query.parameters'],
    ];
    for (const [body, code] of cases) {
      const response = await api<{ status: number; id: string; code: string; message: string }>(base, '/api/v1/search/jobs', {
        method: 'POST',
        body,
      });
      expect(response.status, code).toBe(400);
      expect(response.body).toMatchObject({ status: 400, code });
      expect(response.body.id).toMatch(/^[A-Z0-9]{15}$/);
      expect(response.body.message.length).toBeGreaterThan(0);
    }
    const parseError = await api<{ diagnostics: { span: { start: number; end: number } }[] }>(base, '/api/v1/search/jobs', {
      method: 'POST',
      body: { query: '* | pars "a" as b', from: FROM, to: TO, timeZone: 'UTC' },
    });
    expect(parseError.body.diagnostics[0]!.span).toEqual({ start: 4, end: 8 });
    const notJson = await fetch(`${base}/api/v1/search/jobs`, {
      method: 'POST',
      headers: { authorization: adminAuth, 'content-type': 'text/plain' },
      body: 'query=x',
    });
    expect(notJson.status).toBe(415);
    expect((await api(base, '/api/v1/search/jobs/NOSUCHJOB')).status).toBe(404);
    expect((await api(base, '/api/v1/search/jobs', { method: 'POST', body: {}, auth: 'Basic eDp5' })).status).toBe(401);
  });

  it('explains a search: the SQL with user values bound as parameters, and the stages left to JS', async () => {
    const explain = async (query: string) =>
      api<{
        kind: string;
        pushed: string[];
        javascript: string[];
        statements: { purpose: string; sql: string; params: Record<string, unknown> }[];
        slicing: { estimatedRows: number; sliceRows: number; sliced: boolean };
      }>(
        base,
        '/api/v1/search/explain',
        { method: 'POST', body: { query, from: FROM, to: TO, timeZone: 'UTC' } },
      );
    const aggregate = await explain('_sourceCategory=web/apache | count by _sourceHost | sort by _count');
    expect(aggregate.status).toBe(200);
    expect(aggregate.body.kind).toBe('aggregate');
    expect(aggregate.body.pushed).toEqual(['time range', 'scope', 'count by _sourceHost']);
    expect(aggregate.body.javascript).toEqual(['sort by _count desc']);
    expect(aggregate.body.statements[0]!.sql).toMatch(/GROUP BY/);
    expect(Object.values(aggregate.body.statements[0]!.params)).toContain('web/apache');
    // The apache log's 10,000 lines, estimated from part metadata: within the first slice, so one run.
    expect(aggregate.body.slicing).toMatchObject({ sliceRows: 32_768, sliced: false });
    expect(aggregate.body.slicing.estimatedRows).toBeGreaterThan(apacheLines.length * 0.9);
    expect(aggregate.body.slicing.estimatedRows).toBeLessThanOrEqual(apacheLines.length);
    const hostile = await explain(`"'; DROP TABLE logs; --" | where x = 1`);
    expect(hostile.body.kind).toBe('messages');
    expect(hostile.body.javascript).toEqual(['where x = 1']);
    expect(hostile.body.statements.map((s) => s.sql).join('\n')).not.toMatch(/DROP/);
    expect(JSON.stringify(hostile.body.statements[0]!.params)).toMatch(/DROP/);
    expect((await explain('* | count by')).status).toBe(400);
  });

  it('answers a status request for a running job when the job has news, not a poll later', async () => {
    for (const query of ['kibana', '* | count by status_code', 'nosuchwordanywhere']) {
      const created = await api<{ id: string }>(base, '/api/v1/search/jobs', { method: 'POST', body: { query, from: FROM, to: TO, timeZone: 'UTC' } });
      const started = performance.now();
      const first = (await api<Status>(base, `/api/v1/search/jobs/${created.body.id}`)).body;
      const waited = performance.now() - started;
      // The first poll, sent at once, waits for the job: it sees the end, or what the job found so
      // far, or it waited the whole window (half a second) for either.
      const news = first.state === 'DONE GATHERING RESULTS' || first.messageCount > 0 || first.recordCount > 0;
      expect(news || waited >= 450, `${query}: ${first.state} after ${waited.toFixed(0)} ms`).toBe(true);
      // A finished job answers at once.
      await waitFor(async () => (await api<Status>(base, `/api/v1/search/jobs/${created.body.id}`)).body.state === 'DONE GATHERING RESULTS', 30_000, query);
      const again = performance.now();
      await api(base, `/api/v1/search/jobs/${created.body.id}`);
      expect(performance.now() - again).toBeLessThan(400);
    }
  });

  it('cancels and forgets a job on DELETE', async () => {
    const created = await api<{ id: string }>(base, '/api/v1/search/jobs', {
      method: 'POST',
      body: { query: '*', from: FROM, to: TO, timeZone: 'UTC' },
    });
    expect((await api(base, `/api/v1/search/jobs/${created.body.id}`, { method: 'DELETE' })).status).toBe(200);
    const gone = await api<{ message: string }>(base, `/api/v1/search/jobs/${created.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toMatch(/it was deleted/);
    const unknown = await api<{ message: string }>(base, '/api/v1/search/jobs/00000000-0000-0000-0000-000000000000');
    expect(unknown.body.message).toMatch(/never existed, or expired/);
  });

  it('takes "now" and times back from now for from/to, without a time zone', async () => {
    const { status } = await runJob({ query: '*', from: '-1h', to: 'now' });
    expect(status.state).toBe('DONE GATHERING RESULTS');
    const bad = await api<{ message: string }>(base, '/api/v1/search/jobs', { method: 'POST', body: { query: '*', from: '-1x', to: 'now' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/"from" must be .*"-15m"/);
  });
});
