import { Client, errors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { basicAuth, createSource } from '../support/server.js';
import { useTestServer } from '../support/suite.js';

interface Doc {
  '@timestamp': string;
  message?: string;
  [key: string]: unknown;
}

describe('Elasticsearch intake with the official client', () => {
  const suite = useTestServer();

  it('answers the probes shippers make on connect (info, license, templates, ILM, nodes, health)', async () => {
    const source = await createSource(suite.base, { name: 'es-probes' });
    const client = new Client({ node: suite.base, auth: { apiKey: source.token } });
    const info = await client.info();
    expect(info.version.number).toMatch(/^8\./);
    expect(info.tagline).toBe('You Know, for Search');
    expect(await client.ping()).toBe(true);
    expect((await client.license.get()).license.status).toBe('active');
    expect((await client.indices.putIndexTemplate({ name: 'filebeat-8', index_patterns: ['filebeat-*'] })).acknowledged).toBe(true);
    expect(await client.indices.existsIndexTemplate({ name: 'filebeat-8' })).toBe(true);
    expect((await client.ilm.putLifecycle({ name: 'filebeat', policy: { phases: { hot: { actions: {} } } } })).acknowledged).toBe(true);
    expect(Object.keys(await client.ilm.getLifecycle({ name: 'filebeat' }))).toEqual(['filebeat']);
    expect((await client.nodes.info()).nodes).toBeDefined();
    expect((await client.cluster.health()).status).toBe('green');
    // A wrong key is refused in Elasticsearch's own error shape.
    const wrong = new Client({ node: suite.base, auth: { apiKey: 'wrong' } });
    const failure = await wrong.info().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(errors.ResponseError);
    expect((failure as errors.ResponseError).statusCode).toBe(401);
    expect((failure as errors.ResponseError).body).toMatchObject({ error: { type: 'security_exception' }, status: 401 });
    // Requests to `/` without credentials are not Elasticsearch clients: they get the web UI's page.
    const pageHeaders: Record<string, string>[] = [{ accept: 'text/html' }, {}, { accept: 'text/html', authorization: `ApiKey ${source.token}` }];
    for (const headers of pageHeaders) {
      const page = await fetch(`${suite.base}/`, { headers });
      expect(page.status).toBe(200);
      expect(page.headers.get('x-elastic-product')).toBeNull();
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
    }
    expect((await fetch(`${suite.base}/`, { method: 'POST', headers: { authorization: `ApiKey ${source.token}` } })).status).toBe(404);
    expect((await fetch(`${suite.base}/`, { method: 'HEAD', headers: { authorization: `ApiKey ${source.token}` } })).headers.get('x-elastic-product')).toBe('Elasticsearch');
  });

  it('stores documents from the bulk helper: @timestamp → time, message → text, index → category, fields flattened', async () => {
    const source = await createSource(suite.base, { name: 'es-bulk' });
    const client = new Client({ node: suite.base, auth: { username: 'elastic', password: source.token } });
    const start = Date.UTC(2026, 10, 21, 6, 0, 0);
    const docs: Doc[] = Array.from({ length: 500 }, (_, i) => ({
      '@timestamp': new Date(start + i * 1000).toISOString(),
      message: `GET /item/${i} 200`,
      host: { name: `web-${i % 3}` },
      http: { response: { status_code: 200 } },
      tags: ['a', 'b'],
      log: { file: { path: '/var/log/nginx/access.log' } },
    }));
    docs.push({ '@timestamp': new Date(start).toISOString(), event: { kind: 'no-message' }, level: 'warn' });
    const dropped: unknown[] = [];
    const stats = await client.helpers.bulk<Doc>({
      datasource: docs,
      onDocument: () => ({ create: { _index: 'nginx-access' } }),
      onDrop: (doc) => dropped.push(doc),
      flushBytes: 20_000,
      refreshOnCompletion: false,
    });
    expect(dropped).toEqual([]);
    expect(stats).toMatchObject({ total: 501, successful: 501, failed: 0 });
    expect(await suite.store.count('category=nginx-access')).toBe(501);
    expect(await suite.store.count(`category=nginx-access&from=${start}&to=${start + 10_000}`)).toBe(11);
    const rows = await suite.store.ofSource('es-bulk', 2000);
    const first = rows.find((r) => r._raw === 'GET /item/1 200')!;
    expect(first).toMatchObject({
      _messageTime: new Date(start + 1000).toISOString(),
      _sourceHost: 'web-1',
      _sourceName: '/var/log/nginx/access.log',
      _collector: 'elasticsearch',
      _format: 'es_timestamp',
      'http.response.status_code': '200',
      tags: '["a","b"]',
    });
    const whole = rows.find((r) => r._raw.includes('no-message'))!;
    expect(JSON.parse(whole._raw)).toEqual(docs[500]);
    expect(whole).toMatchObject({ 'event.kind': 'no-message', level: 'warn' });
  });

  it('reports per-item errors for unsupported actions and bad documents and stores the rest; the source category wins over the index', async () => {
    const source = await createSource(suite.base, { name: 'es-items', category: 'team/es' });
    const client = new Client({ node: suite.base, auth: { apiKey: source.token } });
    const response = await client.bulk({
      index: 'default-index',
      operations: [
        { index: {} },
        { '@timestamp': '2026-11-21T05:00:00Z', message: 'first' },
        { delete: { _id: 'x' } },
        { update: { _id: 'y' } },
        { doc: { a: 1 } },
        { create: { _index: 'other', _id: 'given-id' } },
        { '@timestamp': 1795150800000, message: 'second' },
      ],
    });
    expect(response.errors).toBe(true);
    expect(response.items.map((item) => Object.keys(item)[0])).toEqual(['index', 'delete', 'update', 'create']);
    expect(response.items[0]!.index).toMatchObject({ _index: 'default-index', status: 201, result: 'created' });
    expect(response.items[1]!.delete).toMatchObject({ status: 400, error: { type: 'action_request_validation_exception' } });
    expect(response.items[3]!.create).toMatchObject({ _index: 'other', _id: 'given-id', status: 201 });
    expect(await suite.store.count('category=team/es')).toBe(2);
    const rows = await suite.store.ofSource('es-items');
    expect(rows.find((r) => r._raw === 'second')!._messageTime).toBe(new Date(1795150800000).toISOString());

    // Raw NDJSON with a line that is not JSON: that item fails, its neighbours land.
    const body = [
      '{"index":{"_index":"raw-idx"}}',
      '{"message":"before","@timestamp":"2026-11-21T05:00:00Z"}',
      '{"index":{"_index":"raw-idx"}}',
      '{"message": broken json',
      '{not an action at all',
      '{"message":"orphan document of the broken action"}',
      '{"create":{"_index":"raw-idx"}}',
      '{"message":"after"}',
      '',
    ].join('\n');
    const raw = await fetch(`${suite.base}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: basicAuth('x', source.token) },
      body,
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const answer = (await raw.json()) as { errors: boolean; items: Record<string, { status: number; error?: { type: string } }>[] };
    expect(answer.errors).toBe(true);
    expect(answer.items.map((item) => Object.values(item)[0]!.status)).toEqual([201, 400, 400, 201]);
    expect(answer.items[1]!.index!.error!.type).toBe('document_parsing_exception');
    const stored = (await suite.store.ofSource('es-items')).map((r) => r._raw);
    expect(stored).toEqual(expect.arrayContaining(['before', 'after']));
    expect(stored).toHaveLength(4);
  });

  it('stores single documents from POST /{index}/_doc and PUT /{index}/_doc|_create/{id}', async () => {
    const source = await createSource(suite.base, { name: 'es-doc' });
    const client = new Client({ node: suite.base, auth: { bearer: source.token } });
    const result = await client.index({ index: 'single', document: { message: 'one doc', user: { id: 7 } } });
    expect(result.result).toBe('created');
    const withId = await client.index({ index: 'single', id: 'doc-2', document: { message: 'two doc' } });
    expect(withId).toMatchObject({ _id: 'doc-2', result: 'created' });
    expect((await client.create({ index: 'single', id: 'doc-3', document: { message: 'three doc' } }))._id).toBe('doc-3');
    const rows = await suite.store.ofSource('es-doc');
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r._raw === 'one doc')).toMatchObject({ 'user.id': '7', _sourceCategory: 'single', _format: 'none' });
  });
});
