import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { basicAuth, createSource, startTestServer } from '../support/server.js';
import { storeReader } from '../support/store-reader.js';

/** One minimal valid request per intake endpoint, carrying `marker` as its message. */
const endpoints: Record<string, (marker: string) => { path: string; contentType: string; body: string; ok: number }> = {
  sumo: (m) => ({ path: '/receiver/v1/http', contentType: 'text/plain', body: `${m}\n`, ok: 200 }),
  otlp: (m) => ({
    path: '/v1/logs',
    contentType: 'application/json',
    body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: m } }] }] }] }),
    ok: 200,
  }),
  loki: (m) => ({
    path: '/loki/api/v1/push',
    contentType: 'application/json',
    body: JSON.stringify({ streams: [{ stream: { job: 'tokens' }, values: [['1763712000000000000', m]] }] }),
    ok: 204,
  }),
  elasticsearch: (m) => ({
    path: '/_bulk',
    contentType: 'application/x-ndjson',
    body: `{"index":{"_index":"tokens"}}\n{"message":"${m}"}\n`,
    ok: 200,
  }),
  hec: (m) => ({ path: '/services/collector/event', contentType: 'application/json', body: JSON.stringify({ event: m }), ok: 200 }),
};

const forms: Record<string, (token: string) => Record<string, string>> = {
  bearer: (t) => ({ authorization: `Bearer ${t}` }),
  basic: (t) => ({ authorization: basicAuth('any-user', t) }),
  'x-sumo-token': (t) => ({ 'x-sumo-token': t }),
  splunk: (t) => ({ authorization: `Splunk ${t}` }),
  apikey: (t) => ({ authorization: `ApiKey ${t}` }),
  'apikey id:key': (t) => ({ authorization: `ApiKey ${Buffer.from(`key-id:${t}`).toString('base64')}` }),
};

describe('ingest tokens: every form on every intake endpoint', () => {
  let server: RunningServer;
  let base: string;
  let store: ReturnType<typeof storeReader>;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    base = server.url;
    store = storeReader(base);
    token = (await createSource(base, { name: 'token-forms', category: 'tokens/all', host: 'token-host' })).token;
  });
  afterAll(async () => {
    await server.close();
  });

  it('stores data sent with each token form through each endpoint under the source metadata', async () => {
    let expected = 0;
    for (const [endpoint, request] of Object.entries(endpoints)) {
      for (const [form, headers] of Object.entries(forms)) {
        const marker = `marker-${endpoint}-${form.replace(/[^a-z]/g, '')}`;
        const { path, contentType, body, ok } = request(marker);
        const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...headers(token) }, body });
        expect({ endpoint, form, status: response.status }).toEqual({ endpoint, form, status: ok });
        expected++;
      }
    }
    expect(await store.count('category=tokens/all')).toBe(expected);
    const rows = await store.ofSource('token-forms');
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((r) => `${r._sourceCategory}|${r._sourceHost}`))).toEqual(new Set(['tokens/all|token-host']));
  });

  it('refuses a wrong token on every endpoint and stores nothing', async () => {
    for (const [endpoint, request] of Object.entries(endpoints)) {
      const { path, contentType, body } = request('never');
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType, authorization: 'Bearer not-a-token' }, body });
      expect({ endpoint, status: response.status }).toEqual({ endpoint, status: endpoint === 'hec' ? 403 : 401 });
    }
    expect(await store.count('contains=never')).toBe(0);
  });
});
