import { request as httpRequest } from 'node:http';
import { compress as snappyCompress } from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtobufWriter } from '../../src/ingest/protocols/protobuf.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, startTestServer } from '../support/server.js';

/**
 * A large valid body, on every intake route, does not hold the event loop: the server decodes and
 * encodes it a slice at a time, so the gap between two turns of the loop stays short while it
 * works (before, one 40 MB Loki push held it ~3 s, a 40 MB bulk ~2 s, a 60 MB HTTP body ~0.9 s).
 * The gap is measured in the server's own process, as a 5 ms timer sees it; it includes garbage
 * collection, which for bodies this large takes tens of milliseconds at a time.
 */

const MB = 1 << 20;
/** The longest gap allowed between two turns of the event loop while a body is processed. */
const MAX_GAP_MS = 400;

interface Answer {
  status: number;
  body: string;
}

function post(port: number, path: string, body: Uint8Array, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8', 0, 2000) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The longest time between two firings of a 5 ms timer while `work` runs. */
async function longestGap<T>(work: () => Promise<T>): Promise<{ result: T; gapMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    return { result, gapMs };
  } finally {
    clearInterval(timer);
  }
}

const lineOf = (i: number): string => `INFO request handled path=/api/v1/items/${i} status=200 took=${i % 97}ms user=u${i % 31} trace=${(i * 2654435761) >>> 0}`;
const linesFor = (bytes: number): string[] => {
  const out: string[] = [];
  for (let size = 0, i = 0; size < bytes; i++) {
    const line = lineOf(i);
    out.push(line);
    size += line.length + 1;
  }
  return out;
};

interface Target {
  name: string;
  path: string;
  headers: (token: string) => Record<string, string>;
  /** The body and how many messages it holds. */
  body: () => { bytes: Buffer; messages: number };
}

const targets: Target[] = [
  {
    name: 'http source (lines)',
    path: '/receiver/v1/http',
    headers: (t) => ({ 'x-sumo-token': t }),
    body: () => {
      const lines = linesFor(60 * MB);
      return { bytes: Buffer.from(lines.join('\n')), messages: lines.length };
    },
  },
  {
    name: 'loki protobuf (snappy)',
    path: '/loki/api/v1/push',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/x-protobuf' }),
    body: () => {
      const lines = linesFor(40 * MB);
      const stream = new ProtobufWriter().string(1, '{app="big"}');
      for (const line of lines) stream.message(2, new ProtobufWriter().message(1, new ProtobufWriter().uint(1, 1796600000)).string(2, line));
      return { bytes: Buffer.from(snappyCompress(new ProtobufWriter().message(1, stream).finish())), messages: lines.length };
    },
  },
  {
    name: 'otlp protobuf',
    path: '/v1/logs',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/x-protobuf' }),
    body: () => {
      const lines = linesFor(40 * MB);
      const scope = new ProtobufWriter();
      for (const line of lines) scope.message(2, new ProtobufWriter().message(5, new ProtobufWriter().string(1, line)));
      return { bytes: Buffer.from(new ProtobufWriter().message(1, new ProtobufWriter().message(2, scope)).finish()), messages: lines.length };
    },
  },
  {
    name: 'elasticsearch bulk',
    path: '/big/_bulk',
    headers: (t) => ({ authorization: `ApiKey ${t}`, 'content-type': 'application/x-ndjson' }),
    body: () => {
      const lines = linesFor(32 * MB);
      return { bytes: Buffer.from(lines.map((line) => `{"index":{}}\n${JSON.stringify({ message: line })}\n`).join('')), messages: lines.length };
    },
  },
  {
    name: 'splunk hec events',
    path: '/services/collector/event',
    headers: (t) => ({ authorization: `Splunk ${t}` }),
    body: () => {
      const lines = linesFor(32 * MB);
      return { bytes: Buffer.from(lines.map((line) => JSON.stringify({ event: line })).join('')), messages: lines.length };
    },
  },
  {
    name: 'otlp json',
    path: '/v1/logs',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' }),
    body: () => {
      const lines = linesFor(12 * MB);
      const logRecords = lines.map((line) => ({ body: { stringValue: line } }));
      return { bytes: Buffer.from(JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords }] }] })), messages: lines.length };
    },
  },
  {
    name: 'loki json',
    path: '/loki/api/v1/push',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' }),
    body: () => {
      const lines = linesFor(14 * MB);
      return { bytes: Buffer.from(JSON.stringify({ streams: [{ stream: { app: 'big' }, values: lines.map((line) => ['1796600000000000000', line]) }] })), messages: lines.length };
    },
  },
];

describe('large valid bodies do not hold the event loop', () => {
  let server: RunningServer;
  let port: number;
  const gaps: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    console.log(`longest event-loop gap while each body was processed (bound ${MAX_GAP_MS} ms):`, gaps);
    await server?.close();
  });

  it.each(targets.map((target, i) => [target.name, target, i] as const))('%s', async (_name, target, i) => {
    const { bytes, messages } = target.body();
    // The gap is wall time, so a busy machine (the suite runs other files on the same two cores)
    // can stretch one measurement; a body that holds the loop holds it on every try. Up to three
    // tries, each into its own category; the shortest gap must be under the bound.
    const tries: string[] = [];
    let best = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3 && best >= MAX_GAP_MS; attempt++) {
      const category = `big/${i}/${attempt}`;
      const { token } = await createSource(server.url, { name: `big-${i}-${attempt}`, category, multiline: false });
      const { result, gapMs } = await longestGap(() => post(port, target.path, bytes, target.headers(token)));
      tries.push(`${gapMs.toFixed(0)} ms`);
      expect(result.status, result.body).toBeLessThan(300);
      expect((await api<{ count: number }>(server.url, `/api/v1/logs/count?category=${encodeURIComponent(category)}`)).body.count).toBe(messages);
      best = Math.min(best, gapMs);
    }
    gaps[target.name] = `${tries.join(', ')} (${(bytes.length / MB).toFixed(0)} MB, ${messages} messages)`;
    expect(best).toBeLessThan(MAX_GAP_MS);
  }, 240_000);

  it('refuses a JSON document over QUARRY_MAX_JSON_BODY_BYTES with a 413 that names the limit, and goes on', async () => {
    const { token } = await createSource(server.url, { name: 'big-json', category: 'big/json', multiline: false });
    const lines = linesFor(22 * MB);
    const body = Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: lines.map((line) => ({ body: { stringValue: line } })) }] }] }));
    const refused = await post(port, '/v1/logs', body, { authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    expect(refused.status).toBe(413);
    expect(refused.body).toContain('QUARRY_MAX_JSON_BODY_BYTES');
    const small = Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'after the refusal' } }] }] }] }));
    expect((await post(port, '/v1/logs', small, { authorization: `Bearer ${token}`, 'content-type': 'application/json' })).status).toBe(200);
    expect((await api<{ count: number }>(server.url, '/api/v1/logs/count?category=big/json')).body.count).toBe(1);
  }, 60_000);
});
