import { gzipSync } from 'node:zlib';
import { compress as snappyCompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { ProtobufWriter } from '../../src/ingest/protocols/protobuf.js';
import { createSource, waitFor } from '../support/server.js';
import { useTestServer } from '../support/suite.js';

interface Entry {
  seconds: number;
  nanos: number;
  line: string;
  metadata?: Record<string, string>;
}

/** A Loki PushRequest built by hand (structured metadata is something winston-loki does not send). */
function pushRequest(streams: { labels: string; entries: Entry[] }[]): Uint8Array {
  const request = new ProtobufWriter();
  for (const stream of streams) {
    const s = new ProtobufWriter().string(1, stream.labels);
    for (const entry of stream.entries) {
      const e = new ProtobufWriter().message(1, new ProtobufWriter().uint(1, entry.seconds).uint(2, entry.nanos)).string(2, entry.line);
      for (const [name, value] of Object.entries(entry.metadata ?? {})) e.message(3, new ProtobufWriter().string(1, name).string(2, value));
      s.message(2, e);
    }
    request.message(1, s);
  }
  return request.finish();
}

describe('Loki push intake', () => {
  const suite = useTestServer();

  for (const json of [false, true]) {
    const encoding = json ? 'JSON' : 'protobuf + snappy';
    it(`stores what winston-loki sends as ${encoding}: labels → fields, job → category, times kept`, async () => {
      const sourceName = json ? 'loki-json' : 'loki-proto';
      const source = await createSource(suite.base, { name: sourceName });
      const errors: unknown[] = [];
      const transport = new LokiTransport({
        host: suite.base,
        json,
        basicAuth: `promtail:${source.token}`,
        labels: { job: `${sourceName}-job`, env: 'prod' },
        batching: true,
        interval: 0.05,
        replaceTimestamp: false,
        onConnectionError: (error) => errors.push(error),
      });
      const logger = winston.createLogger({ level: 'debug', transports: [transport] });
      const time = Date.UTC(2026, 10, 21, 8, 0, 0, 250);
      for (let i = 0; i < 50; i++) {
        logger.log({ level: i % 2 ? 'warn' : 'info', message: `order ${i} shipped`, order_id: i, timestamp: new Date(time + i).toISOString() });
      }
      logger.info('with app label', { labels: { app: 'ignored-because-job-wins' }, timestamp: new Date(time + 100).toISOString() });
      // winston hands entries to the transport asynchronously: flush until all of them are stored.
      await waitFor(async () => {
        await transport.flush();
        return (await suite.store.count(`category=${sourceName}-job`)) >= 51;
      }, 20_000, 'winston-loki entries to be stored');
      expect(errors).toEqual([]);
      expect(await suite.store.count(`category=${sourceName}-job`)).toBe(51);
      const rows = await suite.store.ofSource(sourceName);
      const first = rows.find((r) => r._raw.startsWith('order 0 shipped'))!;
      expect(first).toMatchObject({
        _messageTime: new Date(time).toISOString(),
        _sourceCategory: `${sourceName}-job`,
        _collector: 'loki',
        _format: 'loki',
        job: `${sourceName}-job`,
        env: 'prod',
        level: 'info',
      });
      expect(rows.find((r) => r._raw.startsWith('order 1 shipped'))!.level).toBe('warn');
      // winston-loki sends the remaining metadata as structured metadata in JSON mode only.
      expect(first.order_id).toBe(json ? '0' : undefined);
      expect(rows.find((r) => r._raw.startsWith('with app label'))!.app).toBe('ignored-because-job-wins');
      await transport.close();
    });
  }

  it('keeps structured metadata, maps service_name before job, takes the host label (protobuf + snappy built by hand)', async () => {
    const source = await createSource(suite.base, { name: 'loki-meta' });
    const seconds = Math.floor(Date.UTC(2026, 10, 21, 7, 0, 0) / 1000);
    const body = snappyCompress(
      pushRequest([
        {
          labels: '{service_name="checkout", job="ignored", host="node-3", filename="/var/log/app.log", quoted="a \\"b\\" c"}',
          entries: [
            { seconds, nanos: 123_000_000, line: 'line with metadata', metadata: { trace_id: 'abc123', user: 'u-9' } },
            { seconds: seconds + 1, nanos: 0, line: 'second line' },
          ],
        },
        { labels: '{app="only-app"}', entries: [{ seconds, nanos: 0, line: 'app stream line' }] },
      ]),
    );
    const response = await fetch(`${suite.base}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${source.token}` },
      body,
    });
    expect(response.status).toBe(204);
    expect(await suite.store.count('category=checkout')).toBe(2);
    expect(await suite.store.count('category=only-app')).toBe(1);
    const rows = await suite.store.ofSource('loki-meta');
    expect(rows.find((r) => r._raw === 'line with metadata')).toMatchObject({
      _messageTime: new Date(seconds * 1000 + 123).toISOString(),
      _sourceHost: 'node-3',
      _sourceName: '/var/log/app.log',
      service_name: 'checkout',
      trace_id: 'abc123',
      user: 'u-9',
      quoted: 'a "b" c',
    });
    expect(rows.find((r) => r._raw === 'second line')!.trace_id).toBeUndefined();
  });

  it('accepts JSON with structured metadata, gzip-compressed, with X-Sumo-Token', async () => {
    const source = await createSource(suite.base, { name: 'loki-json-meta' });
    const body = {
      streams: [
        {
          stream: { service_name: 'json-svc', team: 'a' },
          values: [
            ['1763712000000000001', 'json line one', { request_id: 'r-1' }],
            ['1763712000500000000', 'json line two'],
          ],
        },
      ],
    };
    const response = await fetch(`${suite.base}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-sumo-token': source.token },
      body: gzipSync(JSON.stringify(body)),
    });
    expect(response.status).toBe(204);
    const rows = await suite.store.ofSource('loki-json-meta');
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r._raw === 'json line one')).toMatchObject({ request_id: 'r-1', team: 'a', _sourceCategory: 'json-svc', _messageTime: '2025-11-21T08:00:00.000Z' });
    expect(rows.find((r) => r._raw === 'json line two')!._messageTime).toBe('2025-11-21T08:00:00.500Z');
  });

  it('refuses bad snappy, malformed protobuf and bad JSON with 400 and a plain-text reason, storing nothing', async () => {
    const source = await createSource(suite.base, { name: 'loki-bad', category: 'loki/bad' });
    const post = (body: Uint8Array | string, type: string) =>
      fetch(`${suite.base}/loki/api/v1/push`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${source.token}` }, body });
    const badSnappy = await post(Buffer.from([0x20, 0x00, 0x41, 0x05, 0xff, 0xff]), 'application/x-protobuf');
    expect(badSnappy.status).toBe(400);
    expect(await badSnappy.text()).toMatch(/snappy/);
    const badProto = await post(snappyCompress(Uint8Array.from([0x0a, 0x10, 0x0a, 0x02])), 'application/x-protobuf');
    expect(badProto.status).toBe(400);
    expect(await badProto.text()).toMatch(/malformed Loki protobuf/);
    const badLabels = await post(snappyCompress(pushRequest([{ labels: 'job=x', entries: [{ seconds: 1, nanos: 0, line: 'x' }] }])), 'application/x-protobuf');
    expect(badLabels.status).toBe(400);
    expect(await badLabels.text()).toMatch(/invalid stream labels/);
    const badJson = await post('{"streams": [', 'application/json');
    expect(badJson.status).toBe(400);
    const badTime = await post(JSON.stringify({ streams: [{ stream: {}, values: [['soon', 'x']] }] }), 'application/json');
    expect(badTime.status).toBe(400);
    expect(await badTime.text()).toMatch(/unix nanoseconds/);
    const unauthorized = await fetch(`${suite.base}/loki/api/v1/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"streams":[]}' });
    expect(unauthorized.status).toBe(401);
    expect(await suite.store.count('category=loki/bad')).toBe(0);
  });
});
