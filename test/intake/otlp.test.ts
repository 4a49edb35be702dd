import { gzipSync } from 'node:zlib';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as OtlpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OtlpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { decodeRpcStatusForTest } from './otlp-wire.js';
import { basicAuth, createSource } from '../support/server.js';
import { useTestServer } from '../support/suite.js';

type ExportResult = Parameters<Parameters<LogRecordExporter['export']>[1]>[0];

/** Wraps a real exporter to see what it reported for each export. */
class RecordingExporter implements LogRecordExporter {
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: LogRecordExporter) {}
  export(logs: Parameters<LogRecordExporter['export']>[0], done: (result: ExportResult) => void): void {
    this.inner.export(logs, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
}

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

describe('OTLP/HTTP logs intake with the real OpenTelemetry exporters', () => {
  const suite = useTestServer();

  /** Emits records through a LoggerProvider with the given exporter and flushes. */
  async function emitWith(
    exporter: LogRecordExporter,
    resource: Record<string, string>,
    emit: (logger: ReturnType<LoggerProvider['getLogger']>) => void,
  ): Promise<RecordingExporter> {
    const recording = new RecordingExporter(exporter);
    const provider = new LoggerProvider({
      resource: resourceFromAttributes(resource),
      processors: [new BatchLogRecordProcessor({ exporter: recording, maxExportBatchSize: 1000, maxQueueSize: 2048, scheduledDelayMillis: 60_000 })],
    });
    emit(provider.getLogger('checkout-scope', '1.2.3'));
    await provider.forceFlush();
    await provider.shutdown();
    return recording;
  }

  for (const [name, Exporter, compression] of [
    ['JSON', OtlpJsonExporter, 'none'],
    ['protobuf', OtlpProtoExporter, 'none'],
    ['JSON gzip', OtlpJsonExporter, 'gzip'],
    ['protobuf gzip', OtlpProtoExporter, 'gzip'],
  ] as const) {
    it(`stores records sent as ${name}: body, attributes, severity, trace ids, time, service.name → category`, async () => {
      const sourceName = `otel-${name.replace(' ', '-')}`;
      const source = await createSource(suite.base, { name: sourceName });
      const exporter = new Exporter({
        url: `${suite.base}/v1/logs`,
        headers: { authorization: `Bearer ${source.token}` },
        ...(compression === 'gzip' ? { compression: 'gzip' as never } : {}),
      });
      const time = Date.UTC(2026, 10, 21, 9, 30, 15, 123);
      const spanContext = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
      const recording = await emitWith(exporter, { 'service.name': `checkout-${sourceName}`, 'host.name': 'pod-7', 'deployment.environment': 'prod' }, (logger) => {
        logger.emit({
          body: 'payment accepted for order 42',
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          timestamp: new Date(time),
          attributes: { 'order.id': 42, 'http.request': { method: 'POST', path: '/pay' } as never, retried: false, ratio: 0.25 },
          context: spanContext,
        });
        logger.emit({ body: { event: 'refund', amount: 10 }, severityNumber: SeverityNumber.WARN, timestamp: new Date(time + 1) });
        for (let i = 0; i < 98; i++) logger.emit({ body: `bulk line ${i}`, timestamp: new Date(time + 2 + i) });
      });
      expect(recording.results.map((r) => r.code)).toEqual([0]);
      const category = `checkout-${sourceName}`;
      expect(await suite.store.count(`category=${category}`)).toBe(100);
      const rows = await suite.store.ofSource(sourceName);
      const first = rows.find((r) => r._raw === 'payment accepted for order 42')!;
      expect(first).toMatchObject({
        _messageTime: new Date(time).toISOString(),
        _sourceCategory: category,
        _sourceHost: 'pod-7',
        _collector: 'otlp',
        _format: 'otlp',
        'service.name': category,
        'deployment.environment': 'prod',
        'order.id': '42',
        'http.request.method': 'POST',
        'http.request.path': '/pay',
        retried: 'false',
        ratio: '0.25',
        severity: 'INFO',
        severity_number: '9',
        trace_id: TRACE_ID,
        span_id: SPAN_ID,
        trace_flags: '1',
        'scope.name': 'checkout-scope',
        'scope.version': '1.2.3',
      });
      const structured = rows.find((r) => r.severity_number === '13')!;
      expect(JSON.parse(structured._raw)).toEqual({ event: 'refund', amount: 10 });
      expect(structured._messageTime).toBe(new Date(time + 1).toISOString());
    });
  }

  it('keeps the source category over service.name, unless the request asks the rule to override it', async () => {
    const source = await createSource(suite.base, { name: 'otel-fixed', category: 'team/fixed' });
    const send = async (headers: Record<string, string>) =>
      (
        await emitWith(new OtlpProtoExporter({ url: `${suite.base}/v1/logs`, headers: { 'x-sumo-token': source.token, ...headers } }), { 'service.name': 'svc-a', 'service.namespace': 'ns-b' }, (logger) =>
          logger.emit({ body: 'category rule line' }),
        )
      ).results;
    expect((await send({})).map((r) => r.code)).toEqual([0]);
    expect(await suite.store.count('category=team/fixed')).toBe(1);
    expect((await send({ 'x-quarry-category-override': 'true' })).map((r) => r.code)).toEqual([0]);
    expect(await suite.store.count('category=svc-a')).toBe(1);
    expect((await send({ 'x-quarry-category-override': 'true', 'x-quarry-category-from': 'service.namespace' })).map((r) => r.code)).toEqual([0]);
    expect(await suite.store.count('category=ns-b')).toBe(1);
    // Without a time the record gets its observed time (the SDK sets it) and format otlp.
    const rows = await suite.store.ofSource('otel-fixed');
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r._format === 'otlp')).toBe(true);
  });

  it('accepts the token as HTTP Basic password and answers 401 for a wrong one (the exporter reports failure)', async () => {
    const source = await createSource(suite.base, { name: 'otel-basic', category: 'otel/basic' });
    const ok = await emitWith(new OtlpJsonExporter({ url: `${suite.base}/v1/logs`, headers: { authorization: basicAuth('anyone', source.token) } }), {}, (l) =>
      l.emit({ body: 'basic auth line' }),
    );
    expect(ok.results.map((r) => r.code)).toEqual([0]);
    expect(await suite.store.count('category=otel/basic')).toBe(1);
    const bad = await emitWith(new OtlpJsonExporter({ url: `${suite.base}/v1/logs`, headers: { authorization: 'Bearer nope' } }), {}, (l) =>
      l.emit({ body: 'never stored' }),
    );
    expect(bad.results.map((r) => r.code)).toEqual([1]);
    expect(await suite.store.count('contains=never%20stored')).toBe(0);
  });

  it('answers partial success for malformed records in a JSON request and stores the rest', async () => {
    const source = await createSource(suite.base, { name: 'otel-partial' });
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial-svc' } }] },
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: '1763717415000000000', body: { stringValue: 'good one' } },
                { timeUnixNano: 'yesterday', body: { stringValue: 'bad time' } },
                { traceId: 'xyz', body: { stringValue: 'bad trace id' } },
                { observedTimeUnixNano: 1763717416000000000, body: { kvlistValue: { values: [{ key: 'a', value: { intValue: '7' } }] } } },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(`${suite.base}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${source.token}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
    expect(answer.partialSuccess.rejectedLogRecords).toBe('2');
    expect(answer.partialSuccess.errorMessage).toMatch(/timeUnixNano/);
    expect(await suite.store.count('category=partial-svc')).toBe(2);
    const rows = await suite.store.ofSource('otel-partial');
    expect(rows.map((r) => r._raw).sort()).toEqual(['good one', '{"a":7}']);
    expect(rows.find((r) => r._raw === 'good one')!._messageTime).toBe('2025-11-21T09:30:15.000Z');
    expect(rows.find((r) => r._raw === '{"a":7}')!._messageTime).toBe('2025-11-21T09:30:16.000Z');
  });

  it('refuses malformed payloads with 400 and a google.rpc.Status in the request content type', async () => {
    const source = await createSource(suite.base, { name: 'otel-bad' });
    const headers = { authorization: `Bearer ${source.token}` };
    const proto = await fetch(`${suite.base}/v1/logs`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0x05, 0x12, 0x10, 0x01]),
    });
    expect(proto.status).toBe(400);
    expect(proto.headers.get('content-type')).toMatch(/application\/x-protobuf/);
    const status = decodeRpcStatusForTest(new Uint8Array(await proto.arrayBuffer()));
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/malformed OTLP protobuf/);

    const json = await fetch(`${suite.base}/v1/logs`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"resourceLogs": [' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ code: 3, message: expect.stringMatching(/not valid JSON/) });

    const gz = await fetch(`${suite.base}/v1/logs`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: Buffer.from('not gzip at all'),
    });
    expect(gz.status).toBe(400);

    const type = await fetch(`${suite.base}/v1/logs`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: 'x' });
    expect(type.status).toBe(415);

    const unauth = await fetch(`${suite.base}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ code: 16 });
    expect(await suite.store.count(`contains=x&category=`)).toBe(0);

    const empty = await fetch(`${suite.base}/v1/logs`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync('{}'),
    });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({});
  });
});
