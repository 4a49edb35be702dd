import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashValue } from '../../src/ingest/processing-rules.js';
import { HASH_KEY_SETTING } from '../../src/ingest/source-service.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, startTestServer, tempDir, waitFor } from '../support/server.js';
import { storeReader, type StoreReader } from '../support/store-reader.js';

/**
 * Processing rules against a real server: rules are set through the API, applied on each intake
 * protocol before storage, and what they mask or drop is not in the store.
 */

interface SourceView {
  id: string;
  name: string;
  rules: { name: string; kind: string; regex: string; mask?: string }[];
  excludedLines: number;
}

const SECRET = 'hunter2-zz9';

const secureRules = [
  { name: 'drop health checks', kind: 'exclude', regex: 'GET /healthz' },
  { name: 'passwords', kind: 'mask', regex: 'password=(\\S+)' },
  { name: 'user ids', kind: 'hash', regex: 'user=(\\w+)' },
];

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', body, headers });
  return { status: response.status, text: await response.text() };
}

describe('processing rules on a real server', () => {
  const dataDir = tempDir();
  let server: RunningServer;
  let reader: StoreReader;
  let secure: { id: string; url: string; token: string };
  let hashKey: Buffer;
  const count = (text: string): Promise<number> => reader.count(`contains=${encodeURIComponent(text)}`);
  const source = async (id: string): Promise<SourceView> => (await api<SourceView>(server.url, `/api/v1/sources/${id}`)).body;

  beforeAll(async () => {
    server = await startTestServer({ dataDir });
    reader = storeReader(server.url);
    secure = await createSource(server.url, { name: 'secure', category: 'sec', multiline: false, rules: secureRules });
    hashKey = Buffer.from((await server.meta.getSetting(HASH_KEY_SETTING))!, 'hex');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('shows the rules in the source view, with the default mask filled in', async () => {
    const view = await source(secure.id);
    expect(view.rules).toEqual([secureRules[0], { ...secureRules[1], mask: '#####' }, secureRules[2]]);
    expect(view.excludedLines).toBe(0);
  });

  it('HTTP source: excludes, masks and hashes before storage; the response stays 200 and excluded bytes are not counted', async () => {
    const lines = [
      `2026-11-22 10:00:00 login user=alice password=${SECRET} ok`,
      '2026-11-22 10:00:01 GET /healthz 200',
      `2026-11-22 10:00:02 retry user=alice password=${SECRET}`,
      '2026-11-22 10:00:03 GET /healthz 200',
      '2026-11-22 10:00:04 login user=bob ok',
    ];
    const response = await post(secure.url, lines.join('\n'));
    expect(response.status).toBe(200);
    const stored = [
      `2026-11-22 10:00:00 login user=${hashValue('alice', hashKey)} password=##### ok`,
      `2026-11-22 10:00:02 retry user=${hashValue('alice', hashKey)} password=#####`,
      `2026-11-22 10:00:04 login user=${hashValue('bob', hashKey)} ok`,
    ];
    expect(JSON.parse(response.text)).toMatchObject({ messages: 3, bytes: stored.reduce((n, s) => n + s.length, 0) });
    expect(await count(SECRET)).toBe(0);
    expect(await count('alice')).toBe(0);
    expect(await count('/healthz')).toBe(0);
    expect(await count(hashValue('alice', hashKey))).toBe(2); // equal values hash equal: still searchable
    expect(await count(hashValue('bob', hashKey))).toBe(1);
    const raws = (await reader.ofSource('secure')).map((m) => m._raw).sort();
    expect(raws).toEqual(stored);
    expect((await source(secure.id)).excludedLines).toBe(2);
  });

  it('a source without rules stores the same text as sent (the store search does find the secret)', async () => {
    const plain = await createSource(server.url, { name: 'plain', multiline: false });
    expect((await post(plain.url, `control password=${SECRET}`)).status).toBe(200);
    expect(await count(SECRET)).toBe(1);
    expect(await count('control password=')).toBe(1);
  });

  it('rules see whole multiline messages', async () => {
    const java = await createSource(server.url, {
      name: 'java',
      multiline: true,
      rules: [
        { name: 'drop known noise', kind: 'exclude', regex: 'at com\\.example\\.Noise' },
        { name: 'tokens', kind: 'mask', regex: 'token=\\w+', mask: 'token=***' },
      ],
    });
    const body = [
      '2026-11-22 10:00:00 ERROR request failed token=abc123',
      '    at com.example.Handler.run(Handler.java:10)',
      '    at com.example.Main.main(Main.java:3)',
      '2026-11-22 10:00:01 ERROR noisy failure',
      '    at com.example.Noise.tick(Noise.java:7)',
      '2026-11-22 10:00:02 INFO fine',
    ].join('\n');
    expect((await post(java.url, body)).status).toBe(200);
    const raws = (await reader.ofSource('java')).map((m) => m._raw).sort();
    expect(raws).toEqual([
      '2026-11-22 10:00:00 ERROR request failed token=***\n    at com.example.Handler.run(Handler.java:10)\n    at com.example.Main.main(Main.java:3)',
      '2026-11-22 10:00:02 INFO fine',
    ]);
    // The excluded message was three lines long, and counts as one.
    expect((await source(java.id)).excludedLines).toBe(1);
    expect(await count('abc123')).toBe(0);
  });

  it('OTLP (JSON), Loki (JSON), Elasticsearch bulk and HEC (event and raw) apply the source rules', async () => {
    const bearer = { authorization: `Bearer ${secure.token}` };
    const nowNs = `${BigInt(Date.now()) * 1_000_000n}`;
    const otlp = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: nowNs, body: { stringValue: `otlp password=${SECRET}-otlp` } },
                { timeUnixNano: nowNs, body: { stringValue: 'otlp GET /healthz' } },
              ],
            },
          ],
        },
      ],
    };
    expect((await post(`${server.url}/v1/logs`, JSON.stringify(otlp), { ...bearer, 'content-type': 'application/json' })).status).toBe(200);
    const loki = { streams: [{ stream: { job: 'web' }, values: [[nowNs, `loki password=${SECRET}-loki`], [nowNs, 'loki GET /healthz']] }] };
    expect((await post(`${server.url}/loki/api/v1/push`, JSON.stringify(loki), { ...bearer, 'content-type': 'application/json' })).status).toBe(204);
    const bulk = [
      JSON.stringify({ index: { _index: 'logs' } }),
      JSON.stringify({ '@timestamp': new Date().toISOString(), message: `es password=${SECRET}-es` }),
      JSON.stringify({ create: { _index: 'logs' } }),
      JSON.stringify({ message: 'es GET /healthz' }),
      '',
    ].join('\n');
    const es = await post(`${server.url}/_bulk`, bulk, { ...bearer, 'content-type': 'application/x-ndjson' });
    expect(es.status).toBe(200);
    expect(JSON.parse(es.text)).toMatchObject({ errors: false });
    const splunk = { authorization: `Splunk ${secure.token}` };
    const hecEvents = `${JSON.stringify({ event: `hec password=${SECRET}-hec` })}${JSON.stringify({ event: 'hec GET /healthz' })}`;
    expect((await post(`${server.url}/services/collector/event`, hecEvents, splunk)).status).toBe(200);
    expect((await post(`${server.url}/services/collector/raw`, `raw password=${SECRET}-raw\nraw GET /healthz\n`, splunk)).status).toBe(200);

    for (const protocol of ['otlp', 'loki', 'es', 'hec', 'raw']) {
      await waitFor(async () => (await count(`${protocol} password=#####`)) === 1, 10_000, `${protocol} message`);
    }
    expect(await count(SECRET)).toBe(1); // only the control message of the plain source
    expect(await count('/healthz')).toBe(0);
    expect((await source(secure.id)).excludedLines).toBe(2 + 5);
  });

  it('a bad rule is rejected with the rule named, and nothing changes', async () => {
    const before = await source(secure.id);
    const bad = await api<{ code: string; message: string }>(server.url, `/api/v1/sources/${secure.id}`, {
      method: 'PUT',
      body: { rules: [{ name: 'fine', kind: 'exclude', regex: 'x' }, { name: 'broken', kind: 'mask', regex: 'password=(' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/rule 2 \("broken"\): regex is not valid/);
    const slow = await api<{ message: string }>(server.url, `/api/v1/sources/${secure.id}`, {
      method: 'PATCH',
      body: { rules: [{ name: 'lookahead', kind: 'include', regex: 'a(?=b)' }] },
    });
    expect(slow.status).toBe(400);
    expect(slow.body.message).toMatch(/rule 1 \("lookahead"\): regex is not valid/);
    const other = await api<{ message: string }>(server.url, `/api/v1/sources/${secure.id}`, { method: 'PUT', body: { rules: [], name: 'renamed' } });
    expect(other.status).toBe(400);
    expect(other.body.message).toMatch(/only "rules", "timestampFormat" and "timestampLocator" can be changed/);
    expect(await source(secure.id)).toEqual(before);

    const created = await api<{ message: string }>(server.url, '/api/v1/sources', {
      method: 'POST',
      body: { name: 'never', rules: [{ name: 'long', kind: 'exclude', regex: 'a'.repeat(2000) }] },
    });
    expect(created.status).toBe(400);
    expect(created.body.message).toMatch(/rule 1 \("long"\): regex must be at most 1000/);
    const names = (await api<{ data: { name: string }[] }>(server.url, '/api/v1/sources')).body.data.map((s) => s.name);
    expect(names).not.toContain('never');

    // The old rules still apply.
    expect((await post(secure.url, `after-bad password=${SECRET}`)).status).toBe(200);
    expect(await count('after-bad password=#####')).toBe(1);
    expect(await count(SECRET)).toBe(1);
  });

  it('changing the rules takes effect on the next request; an include filter keeps only matching messages', async () => {
    const changed = await api<SourceView>(server.url, `/api/v1/sources/${secure.id}`, {
      method: 'PUT',
      body: { rules: [{ name: 'only errors', kind: 'include', regex: '\\bERROR\\b' }] },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.rules).toEqual([{ name: 'only errors', kind: 'include', regex: '\\bERROR\\b' }]);
    const excludedBefore = changed.body.excludedLines;
    expect((await post(secure.url, 'include-test ERROR one\ninclude-test INFO two\ninclude-test ERROR three')).status).toBe(200);
    expect(await count('include-test')).toBe(2);
    expect(await count('include-test INFO')).toBe(0);
    expect((await source(secure.id)).excludedLines).toBe(excludedBefore + 1);
  });

  it('excluded-line counts survive a restart', async () => {
    const expected = (await source(secure.id)).excludedLines;
    expect(expected).toBe(2 + 5 + 1);
    await server.close();
    server = await startTestServer({ dataDir });
    reader = storeReader(server.url);
    expect((await source(secure.id)).excludedLines).toBe(expected);
    // The hash key is kept too: the same value hashes the same after the restart.
    expect(Buffer.from((await server.meta.getSetting(HASH_KEY_SETTING))!, 'hex').equals(hashKey)).toBe(true);
  });
});
