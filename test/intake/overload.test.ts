import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { createSource, startTestServer } from '../support/server.js';
import { decodeRpcStatusForTest } from './otlp-wire.js';
import { storeReader } from '../support/store-reader.js';

const LINES = 40;

/** A body of LINES records for each protocol, and how that protocol says "overloaded". */
const protocols = {
  otlp: {
    path: '/v1/logs',
    type: 'application/json',
    body: (r: number) =>
      JSON.stringify({
        resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: LINES }, (_, i) => ({ body: { stringValue: `otlp ${r} ${i}` } })) }] }],
      }),
    ok: 200,
    refusal: async (response: Response) => expect(await response.json()).toMatchObject({ code: 8 }),
  },
  loki: {
    path: '/loki/api/v1/push',
    type: 'application/json',
    body: (r: number) => JSON.stringify({ streams: [{ stream: { job: 'o' }, values: Array.from({ length: LINES }, (_, i) => [`${i + 1}000000`, `loki ${r} ${i}`]) }] }),
    ok: 204,
    refusal: async (response: Response) => expect(await response.text()).toMatch(/queue is full/),
  },
  elasticsearch: {
    path: '/_bulk',
    type: 'application/x-ndjson',
    body: (r: number) => Array.from({ length: LINES }, (_, i) => `{"index":{"_index":"o"}}\n{"message":"es ${r} ${i}"}\n`).join(''),
    ok: 200,
    refusal: async (response: Response) =>
      expect(await response.json()).toMatchObject({ status: 429, error: { type: 'es_rejected_execution_exception' } }),
  },
  hec: {
    path: '/services/collector/event',
    type: 'application/json',
    body: (r: number) => Array.from({ length: LINES }, (_, i) => JSON.stringify({ event: `hec ${r} ${i}` })).join('\n'),
    ok: 200,
    refusal: async (response: Response) => expect(await response.json()).toMatchObject({ code: 9, text: 'Server is busy' }),
  },
} as const;

describe('intake under overload', () => {
  let server: RunningServer;
  let store: ReturnType<typeof storeReader>;

  beforeAll(async () => {
    // A deliberately tiny queue: two requests' worth of lines.
    server = await startTestServer({ 'ingest.queueMaxLines': 2 * LINES, 'ingest.flushIntervalMs': 20 });
    store = storeReader(server.url);
  });
  afterAll(async () => {
    await server.close();
  });

  for (const [name, protocol] of Object.entries(protocols)) {
    it(`${name}: answers 429 + Retry-After in its own error shape, and retries land everything exactly once`, async () => {
      const source = await createSource(server.url, { name: `busy-${name}`, category: `busy/${name}` });
      const send = (r: number) =>
        fetch(`${server.url}${protocol.path}`, {
          method: 'POST',
          headers: { 'content-type': protocol.type, authorization: `Bearer ${source.token}` },
          body: protocol.body(r),
        });
      const rounds = Array.from({ length: 30 }, (_, r) => r);
      const first = await Promise.all(rounds.map(send));
      expect(first.every((r) => r.status === protocol.ok || r.status === 429)).toBe(true);
      const refused = rounds.filter((r) => first[r]!.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(first[r]!.headers.get('retry-after')).toBe('1');
        await protocol.refusal(first[r]!);
      }
      let pending = refused;
      for (let attempt = 0; pending.length > 0 && attempt < 50; attempt++) {
        const results = await Promise.all(pending.map(send));
        pending = pending.filter((_, k) => results[k]!.status !== protocol.ok);
      }
      expect(pending).toEqual([]);
      expect(await store.count(`category=busy/${name}`)).toBe(30 * LINES);
    });
  }

  it('the real OTLP exporter retries 429s by itself: every record lands', async () => {
    const source = await createSource(server.url, { name: 'busy-exporter', category: 'busy/exporter' });
    const providers = Array.from({ length: 20 }, () => {
      const exporter = new OTLPLogExporter({ url: `${server.url}/v1/logs`, headers: { authorization: `Bearer ${source.token}` }, timeoutMillis: 20_000 });
      return new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': 'exporter' }),
        processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: LINES, maxQueueSize: 2048, scheduledDelayMillis: 60_000 })],
      });
    });
    providers.forEach((provider, p) => {
      const logger = provider.getLogger('busy');
      for (let i = 0; i < LINES; i++) logger.emit({ body: `exporter ${p} ${i}` });
    });
    await Promise.all(providers.map((provider) => provider.forceFlush()));
    expect(await store.count('category=busy/exporter')).toBe(20 * LINES);
    expect(server.batcher.stats().refusedSubmits).toBeGreaterThan(0);
    await Promise.all(providers.map((provider) => provider.shutdown()));
  });

  it('OTLP refusals that are not retryable: 413 for a request larger than the whole queue, 401 as a protobuf Status', async () => {
    // One request larger than the whole queue can never fit: 413, which exporters do not retry.
    const source = await createSource(server.url, { name: 'busy-proto' });
    const tooBig = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 3 * LINES }, () => ({ body: { stringValue: 'x' } })) }] }],
    });
    const response = await fetch(`${server.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${source.token}` },
      body: tooBig,
    });
    expect(response.status).toBe(413);
    const proto = await fetch(`${server.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: 'Bearer wrong' },
      body: new Uint8Array(0),
    });
    expect(proto.status).toBe(401);
    expect(decodeRpcStatusForTest(new Uint8Array(await proto.arrayBuffer())).code).toBe(16);
  });
});
