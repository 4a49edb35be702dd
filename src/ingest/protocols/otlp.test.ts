import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  encodeOtlpResponseJson,
  encodeOtlpResponseProtobuf,
  OtlpFormatError,
} from './otlp.js';

/** Log records as the real SDK produces them, ready for the real exporter's serializers. */
async function sdkRecords(): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'billing', 'host.name': 'host-1', 'k8s.pod.labels': 'x' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('billing.scope', '0.1.0', { attributes: { 'scope.attr': 'yes' } });
  const ctx = trace.setSpanContext(context.active(), {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
  });
  logger.emit({
    body: 'invoice 7 sent',
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    timestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
    attributes: {
      'user.id': 12345678901,
      big: Number.MAX_SAFE_INTEGER,
      pi: 3.5,
      ok: true,
      list: ['a', 1],
      nested: { inner: { deep: 'v' } } as never,
      bytes: new Uint8Array([1, 2, 3]) as never,
    },
    context: ctx,
    eventName: 'invoice.sent',
  });
  logger.emit({ body: { k: [1, 2], m: { z: null } } });
  logger.emit({});
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

describe('OTLP decoding of bodies serialised by the real exporter', () => {
  for (const [name, decode] of [
    ['protobuf', async () => decodeOtlpProtobuf(ProtobufLogsSerializer.serializeRequest(await sdkRecords())!)],
    ['JSON', async () => decodeOtlpJson(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(await sdkRecords())))],
  ] as const) {
    it(`reads every field from ${name}`, async () => {
      const { records, rejected } = await decode();
      expect(rejected).toBe(0);
      expect(records).toHaveLength(3);
      const [first, structured, empty] = records;
      expect(first).toMatchObject({
        message: 'invoice 7 sent',
        time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
        category: 'billing',
        host: 'host-1',
      });
      expect(first!.fields).toEqual({
        'service.name': 'billing',
        'host.name': 'host-1',
        'k8s.pod.labels': 'x',
        'scope.attr': 'yes',
        'scope.name': 'billing.scope',
        'scope.version': '0.1.0',
        'user.id': '12345678901',
        big: String(Number.MAX_SAFE_INTEGER),
        pi: '3.5',
        ok: 'true',
        list: '["a",1]',
        'nested.inner.deep': 'v',
        bytes: 'AQID',
        severity: 'ERROR',
        severity_number: '17',
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: 'b7ad6b7169203331',
        trace_flags: '1',
        event_name: 'invoice.sent',
        ...(first!.fields['telemetry.sdk.language'] !== undefined
          ? {
              'telemetry.sdk.language': first!.fields['telemetry.sdk.language'],
              'telemetry.sdk.name': first!.fields['telemetry.sdk.name'],
              'telemetry.sdk.version': first!.fields['telemetry.sdk.version'],
            }
          : {}),
      });
      expect(JSON.parse(structured!.message)).toEqual({ k: [1, 2], m: {} });
      // No timestamp given: the SDK's observed time is used.
      expect(empty!.message).toBe('');
      expect(empty!.time).toBeGreaterThan(Date.UTC(2026, 0, 1));
    });
  }

  it('rejects malformed protobuf as a whole, naming the problem', async () => {
    await expect(decodeOtlpProtobuf(Uint8Array.from([0x0a, 0x05, 0x12]))).rejects.toThrow(OtlpFormatError);
    await expect(decodeOtlpProtobuf(Uint8Array.from([0x0a, 0x05, 0x12]))).rejects.toThrow(/truncated/);
    // resource_logs with the wrong wire type
    await expect(decodeOtlpProtobuf(Uint8Array.from([0x08, 0x01]))).rejects.toThrow(/wire type 0, expected 2/);
    await expect(decodeOtlpProtobuf(Uint8Array.from([0x09, 0x01]))).rejects.toThrow(/wire type 1/);
    // A time field sent as a varint instead of fixed64.
    const badTime = Uint8Array.from([0x0a, 0x06, 0x12, 0x04, 0x12, 0x02, 0x08, 0x01]);
    await expect(decodeOtlpProtobuf(badTime)).rejects.toThrow(/wire type/);
    expect((await decodeOtlpProtobuf(new Uint8Array(0))).records).toEqual([]);
    // A body of arrays nested 1,000 deep: refused cleanly (deeper bodies would exhaust the stack).
    let nested: Uint8Array = Uint8Array.from([0x0a, 0x00]); // AnyValue{string_value:""}
    for (let i = 0; i < 1000; i++) nested = wrap(wrap(nested, 1), 5); // ArrayValue{values} inside AnyValue{array_value}
    const deep = wrap(wrap(wrap(wrap(nested, 5), 2), 2), 1); // LogRecord.body → ScopeLogs → ResourceLogs → request
    await expect(decodeOtlpProtobuf(deep)).rejects.toThrow(/nested deeper/);
  });

  it('refuses single malformed JSON records and keeps the others; accepts snake_case and enum names', async () => {
    const decoded = await decodeOtlpJson(
      JSON.stringify({
        resource_logs: [
          {
            scope_logs: [
              {
                log_records: [
                  { time_unix_nano: 1_000_000_000, severity_number: 'SEVERITY_NUMBER_WARN', body: { string_value: 'snake' } },
                  { spanId: 'zz', body: { stringValue: 'bad span' } },
                  'not an object',
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(decoded.rejected).toBe(2);
    expect(decoded.records).toEqual([{ message: 'snake', fields: { severity_number: '13' }, time: 1000 }]);
    await expect(decodeOtlpJson('{"resourceLogs": 5}')).rejects.toThrow(/must be an array/);
    await expect(decodeOtlpJson('[]')).rejects.toThrow(/JSON object/);
  });

  it('uses the configured attributes for the category, first present wins', async () => {
    const body = JSON.stringify({
      resourceLogs: [{ resource: { attributes: [{ key: 'k8s.namespace.name', value: { stringValue: 'shop' } }] }, scopeLogs: [{ logRecords: [{}] }] }],
    });
    expect((await decodeOtlpJson(body)).records[0]!.category).toBeUndefined();
    expect((await decodeOtlpJson(body, { attributes: ['service.name', 'k8s.namespace.name'] })).records[0]!.category).toBe('shop');
  });
});

/** A length-delimited field `field` holding `inner`. */
function wrap(inner: Uint8Array, field: number): Uint8Array {
  const length: number[] = [];
  let n = inner.length;
  while (n >= 0x80) {
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  length.push(n);
  const out = new Uint8Array(1 + length.length + inner.length);
  out[0] = (field << 3) | 2;
  out.set(length, 1);
  out.set(inner, 1 + length.length);
  return out;
}

describe('OTLP responses', () => {
  it('encodes partial success so the real exporter reads it back', () => {
    const bytes = encodeOtlpResponseProtobuf({ rejectedLogRecords: 3, errorMessage: 'bad records' });
    expect(ProtobufLogsSerializer.deserializeResponse(bytes)).toMatchObject({ partialSuccess: { errorMessage: 'bad records' } });
    const rejected = ProtobufLogsSerializer.deserializeResponse(bytes).partialSuccess?.rejectedLogRecords;
    expect(Number(rejected)).toBe(3);
    expect(encodeOtlpResponseProtobuf()).toEqual(new Uint8Array(0));
    expect(encodeOtlpResponseJson({ rejectedLogRecords: 3, errorMessage: 'x' })).toEqual({ partialSuccess: { rejectedLogRecords: '3', errorMessage: 'x' } });
    expect(JsonLogsSerializer.deserializeResponse(new TextEncoder().encode(JSON.stringify(encodeOtlpResponseJson({ rejectedLogRecords: 3, errorMessage: 'x' }))))).toMatchObject({
      partialSuccess: { errorMessage: 'x' },
    });
  });
});
