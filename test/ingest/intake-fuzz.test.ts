import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compress as snappyCompress } from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtobufWriter } from '../../src/ingest/protocols/protobuf.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, startTestServer } from '../support/server.js';

/**
 * Random, truncated and corrupted bodies under every encoding to every intake route: the server
 * stays up, answers each with a 2xx or a 4xx, and what was acknowledged before is intact.
 */

interface Answer {
  status: number;
  body: string;
}

function post(port: number, path: string, body: Uint8Array, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const zstd = (data: Uint8Array): Buffer => execFileSync('zstd', ['-3', '-c', '-q'], { input: data });

/** A route, its body format's sample and the encodings it declares. */
interface Target {
  name: string;
  path: string;
  headers: (token: string) => Record<string, string>;
  sample: Buffer;
  encodings: readonly string[];
}

const lines = Buffer.from(Array.from({ length: 3000 }, (_, i) => `2026-12-07 10:00:${String(i % 60).padStart(2, '0')} INFO fuzz sample line ${i} user=${i % 17}`).join('\n'));
const otlpJson = Buffer.from(JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: Array.from({ length: 200 }, (_, i) => ({ timeUnixNano: '1796600000000000000', body: { stringValue: `otlp fuzz ${i}` } })) }] }] }));
const lokiJson = Buffer.from(JSON.stringify({ streams: [{ stream: { app: 'fuzz' }, values: Array.from({ length: 200 }, (_, i) => ['1796600000000000000', `loki fuzz ${i}`]) }] }));
/** ExportLogsServiceRequest → ResourceLogs(1) → ScopeLogs(2) → LogRecord(2) with a string body (5). */
const otlpProtobuf = (() => {
  const scope = new ProtobufWriter();
  for (let i = 0; i < 200; i++) scope.message(2, new ProtobufWriter().message(5, new ProtobufWriter().string(1, `otlp fuzz ${i}`)));
  return Buffer.from(new ProtobufWriter().message(1, new ProtobufWriter().message(2, scope)).finish());
})();
/** Loki PushRequest → StreamAdapter(1) with labels (1) and entries (2), snappy-compressed as Loki clients send it. */
const lokiProtobuf = (() => {
  const stream = new ProtobufWriter().string(1, '{app="fuzz"}');
  for (let i = 0; i < 200; i++) stream.message(2, new ProtobufWriter().message(1, new ProtobufWriter().uint(1, 1796600000)).string(2, `loki fuzz ${i}`));
  return Buffer.from(snappyCompress(new ProtobufWriter().message(1, stream).finish()));
})();
const bulk = Buffer.from(Array.from({ length: 200 }, (_, i) => `{"index":{}}\n{"message":"es fuzz ${i}"}`).join('\n') + '\n');
const hec = Buffer.from(Array.from({ length: 200 }, (_, i) => JSON.stringify({ event: `hec fuzz ${i}` })).join(''));

const STANDARD = ['identity', 'gzip', 'deflate', 'zstd'];
const targets: Target[] = [
  { name: 'http source', path: '/receiver/v1/http', headers: (t) => ({ 'x-sumo-token': t }), sample: lines, encodings: STANDARD },
  { name: 'otlp json', path: '/v1/logs', headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' }), sample: otlpJson, encodings: STANDARD },
  { name: 'otlp protobuf', path: '/v1/logs', headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/x-protobuf' }), sample: otlpProtobuf, encodings: STANDARD },
  { name: 'loki json', path: '/loki/api/v1/push', headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' }), sample: lokiJson, encodings: STANDARD },
  { name: 'loki protobuf', path: '/loki/api/v1/push', headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/x-protobuf' }), sample: lokiProtobuf, encodings: [...STANDARD, 'snappy'] },
  { name: 'elasticsearch bulk', path: '/_bulk', headers: (t) => ({ authorization: `ApiKey ${t}`, 'content-type': 'application/x-ndjson' }), sample: bulk, encodings: STANDARD },
  { name: 'splunk hec', path: '/services/collector/event', headers: (t) => ({ authorization: `Splunk ${t}` }), sample: hec, encodings: STANDARD },
  { name: 'splunk hec raw', path: '/services/collector/raw', headers: (t) => ({ authorization: `Splunk ${t}` }), sample: lines, encodings: STANDARD },
];

function encode(encoding: string, data: Uint8Array): Buffer {
  switch (encoding) {
    case 'gzip':
      return gzipSync(data);
    case 'deflate':
      return data.length % 2 === 0 ? deflateSync(data) : deflateRawSync(data);
    case 'zstd':
      return zstd(data);
    default:
      return Buffer.from(data);
  }
}

/** Bodies a careless client or an attacker sends: noise, the right magic then noise, valid data cut or damaged. */
function bodies(encoding: string, sample: Buffer): fc.Arbitrary<Uint8Array> {
  const valid = encode(encoding, sample);
  const magic = encode(encoding, Buffer.from('x')).subarray(0, 4);
  return fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 2048 }),
    fc.integer({ min: 64 * 1024, max: 200 * 1024 }).map((n) => {
      const noise = Buffer.alloc(n);
      for (let i = 0; i < n; i++) noise[i] = (i * 2654435761) >>> 24;
      return noise;
    }),
    fc.uint8Array({ minLength: 1, maxLength: 70_000 }).map((rest) => Buffer.concat([magic, rest])),
    fc.integer({ min: 1, max: Math.max(1, valid.length - 1) }).map((cut) => valid.subarray(0, cut)),
    fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
      const copy = Buffer.from(valid);
      copy[at] = byte === copy[at] ? (byte + 1) % 256 : byte;
      return copy;
    }),
    fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((tail) => Buffer.concat([valid, tail])),
  );
}

describe('intake fuzzing: every route, every encoding', () => {
  let server: RunningServer;
  let port: number;
  let token: string;
  const marked = async (): Promise<number> => (await api<{ count: number }>(server.url, '/api/v1/logs/count?category=fuzz/baseline')).body.count;

  beforeAll(async () => {
    server = await startTestServer();
    port = Number(new URL(server.url).port);
    token = (await createSource(server.url, { name: 'fuzz', multiline: false })).token;
    const baseline = await createSource(server.url, { name: 'fuzz-baseline', category: 'fuzz/baseline', multiline: false });
    const response = await fetch(baseline.url, { method: 'POST', body: Array.from({ length: 500 }, (_, i) => `baseline ${i}`).join('\n') });
    expect(response.status).toBe(200);
    expect(await marked()).toBe(500);
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const target of targets) {
    for (const encoding of target.encodings) {
      it(`${target.name} with ${encoding}: 2xx or 4xx, never a crash`, async () => {
        const statuses = new Map<number, number>();
        await fc.assert(
          fc.asyncProperty(bodies(encoding, target.sample), async (body) => {
            const headers = { ...target.headers(token), ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }) };
            const answer = await post(port, target.path, body, headers);
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            expect(answer.status, answer.body.slice(0, 200)).toBeGreaterThanOrEqual(200);
            expect(answer.status, answer.body.slice(0, 200)).toBeLessThan(500);
          }),
          { numRuns: 25, seed: 20261207 },
        );
        expect((await fetch(`${server.url}/livez`)).status).toBe(200);
        console.log(`fuzz ${target.name} ${encoding}: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`);
      });
    }
  }

  it('kept every line acknowledged before the fuzzing', async () => {
    expect(await marked()).toBe(500);
  });
});
