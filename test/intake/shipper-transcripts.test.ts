import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { basicAuth, createSource } from '../support/server.js';
import { useTestServer } from '../support/suite.js';

/**
 * Filebeat, Logstash, Vector and Fluent Bit are not installable here, so these replay the requests
 * their Elasticsearch outputs make on connect and when shipping (paths, query strings, headers and
 * body shapes of their 8.x versions) and check each answer is one the shipper accepts.
 */
describe('Elasticsearch shipper transcripts', () => {
  const suite = useTestServer();

  async function call(
    method: string,
    path: string,
    auth: string,
    init: { body?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; json: unknown; product: string | null }> {
    const response = await fetch(`${suite.base}${path}`, {
      method,
      headers: { authorization: auth, accept: 'application/json', ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined, product: response.headers.get('x-elastic-product') };
  }

  it('Filebeat 8: version, license, ILM policy, index template, then gzip bulk create into its data stream', async () => {
    const source = await createSource(suite.base, { name: 'filebeat' });
    const auth = basicAuth('elastic', source.token);
    const ua = { 'user-agent': 'Elastic-filebeat/8.15.0 (linux; amd64)' };
    const root = await call('GET', '/', auth, { headers: ua });
    expect(root).toMatchObject({ status: 200, product: 'Elasticsearch', json: { version: { number: expect.stringMatching(/^8\./) } } });
    expect((await call('GET', '/_license?human=false', auth, { headers: ua })).json).toMatchObject({ license: { status: 'active', type: 'basic' } });
    expect((await call('GET', '/_ilm/policy/filebeat', auth)).status).toBe(200);
    expect((await call('HEAD', '/_index_template/filebeat-8.15.0', auth)).status).toBe(200);
    expect((await call('PUT', '/_index_template/filebeat-8.15.0', auth, { body: '{"index_patterns":["filebeat-8.15.0"],"data_stream":{}}', headers: { 'content-type': 'application/json' } })).json).toEqual({ acknowledged: true });
    const docs = Array.from({ length: 3 }, (_, i) => ({
      '@timestamp': `2026-11-21T10:00:0${i}.123Z`,
      message: `filebeat line ${i}`,
      log: { offset: i * 20, file: { path: '/var/log/app/app.log' } },
      input: { type: 'filestream' },
      host: { name: 'fb-host', hostname: 'fb-host', os: { family: 'debian' } },
      agent: { type: 'filebeat', version: '8.15.0' },
      ecs: { version: '8.0.0' },
    }));
    const body = docs.map((d) => `{"create":{"_index":"filebeat-8.15.0"}}\n${JSON.stringify(d)}\n`).join('');
    const bulk = await call('POST', '/_bulk', auth, {
      body: gzipSync(body),
      headers: { ...ua, 'content-type': 'application/json; charset=UTF-8', 'content-encoding': 'gzip' },
    });
    expect(bulk).toMatchObject({ status: 200, json: { errors: false } });
    expect((bulk.json as { items: { create: { status: number } }[] }).items.map((i) => i.create.status)).toEqual([201, 201, 201]);
    const rows = await suite.store.ofSource('filebeat');
    expect(rows.find((r) => r._raw === 'filebeat line 1')).toMatchObject({
      _messageTime: '2026-11-21T10:00:01.123Z',
      _sourceCategory: 'filebeat-8.15.0',
      _sourceHost: 'fb-host',
      _sourceName: '/var/log/app/app.log',
      'agent.version': '8.15.0',
      'log.offset': '20',
    });
  });

  it('Logstash 8: HEAD healthcheck, version, license, template check, bulk with filter_path', async () => {
    const source = await createSource(suite.base, { name: 'logstash' });
    const auth = basicAuth('logstash_writer', source.token);
    expect((await call('HEAD', '/', auth)).status).toBe(200);
    expect((await call('GET', '/', auth)).json).toMatchObject({ version: { number: expect.stringMatching(/^8\./) } });
    expect((await call('GET', '/_license', auth)).status).toBe(200);
    expect((await call('GET', '/_xpack', auth)).status).toBe(200);
    expect((await call('HEAD', '/_index_template/ecs-logstash', auth)).status).toBe(200);
    expect((await call('GET', '/_alias/logstash', auth)).status).toBe(200);
    const bulk = await call('POST', '/_bulk?filter_path=errors,items.*.error,items.*.status', auth, {
      body: '{"index":{"_index":"logstash-2026.11.21"}}\n{"@timestamp":"2026-11-21T11:00:00.000Z","message":"logstash event","@version":"1","event":{"original":"logstash event"}}\n',
      headers: { 'content-type': 'application/json' },
    });
    expect(bulk).toMatchObject({ status: 200, json: { errors: false, items: [{ index: { status: 201 } }] } });
    expect(await suite.store.count('category=logstash-2026.11.21')).toBe(1);
  });

  it('Vector: version probe, cluster health check, bulk with its `timestamp` field and a string host', async () => {
    const source = await createSource(suite.base, { name: 'vector' });
    const auth = basicAuth('vector', source.token);
    expect((await call('GET', '/', auth)).status).toBe(200);
    expect((await call('GET', '/_cluster/health', auth)).json).toMatchObject({ status: 'green' });
    const bulk = await call('POST', '/_bulk?timeout=60s', auth, {
      body: '{"index":{"_index":"vector-2026.11.21","_type":"_doc"}}\n{"message":"vector event","timestamp":"2026-11-21T12:00:00.500Z","host":"vec-host","source_type":"file","file":"/var/log/v.log"}\n',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(bulk).toMatchObject({ status: 200, json: { errors: false } });
    const [row] = await suite.store.ofSource('vector');
    expect(row).toMatchObject({ _raw: 'vector event', _messageTime: '2026-11-21T12:00:00.500Z', _sourceHost: 'vec-host', source_type: 'file' });
  });

  it('Fluent Bit: bulk straight away, ApiKey auth, records with `log` instead of `message`', async () => {
    const source = await createSource(suite.base, { name: 'fluent-bit', category: 'k8s/fluent' });
    const auth = `ApiKey ${Buffer.from(`fb-id:${source.token}`).toString('base64')}`;
    const bulk = await call('POST', '/_bulk', auth, {
      body:
        '{"create":{"_index":"fluent-bit"}}\n{"@timestamp":"2026-11-21T13:00:00.000Z","log":"raw container line","stream":"stdout","kubernetes":{"pod_name":"api-1","namespace_name":"shop"}}\n',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(bulk).toMatchObject({ status: 200, json: { errors: false } });
    const [row] = await suite.store.ofSource('fluent-bit');
    // No `message`: the whole document is the text; its keys are fields as well.
    expect(JSON.parse(row!._raw)).toMatchObject({ log: 'raw container line' });
    expect(row).toMatchObject({ _sourceCategory: 'k8s/fluent', log: 'raw container line', 'kubernetes.pod_name': 'api-1', _messageTime: '2026-11-21T13:00:00.000Z' });
  });
});
