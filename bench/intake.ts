/**
 * `npm run bench:intake -- --corpus DIR [--lines N] [--clients 4] [--protocols http,otlp-json,…] [--rules]`
 *
 * Starts a real `quarry serve` and sends the corpus through each intake protocol in turn, each into
 * its own source (category `bench/<protocol>`): the HTTP source, OTLP/HTTP JSON and protobuf, Loki
 * push JSON and protobuf + snappy, Elasticsearch bulk, Splunk HEC events and syslog over TCP. The
 * senders speak each protocol's wire format directly (no client-side queue in the way), with
 * `--clients` concurrent connections and batch sizes of the usual shippers' defaults. Each protocol
 * is timed from the first byte sent until the server has acknowledged every batch (syslog: until
 * every line is stored), then the stored count is checked against what was sent. Prints lines/s per
 * protocol and its ratio to the HTTP source rate of the same run.
 *
 * `--rules` gives every source three processing rules (exclude, mask, hash) that touch few lines, to
 * measure what rules cost.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Client as ElasticClient } from '@elastic/elasticsearch';
import { compress as snappyCompress } from 'snappyjs';
import { ADMIN_PASSWORD, freePort, spawnServer } from '../test/support/server.js';

const PROTOCOLS = ['http', 'otlp-json', 'otlp-proto', 'loki-json', 'loki-proto', 'es-bulk', 'es-client', 'hec-event', 'syslog-tcp'] as const;
type Protocol = (typeof PROTOCOLS)[number];

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    lines: { type: 'string' },
    clients: { type: 'string', default: '4' },
    protocols: { type: 'string', default: PROTOCOLS.join(',') },
    rules: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

function log(message: string): void {
  process.stderr.write(`bench:intake: ${message}\n`);
}

function fail(message: string): never {
  process.stderr.write(`bench:intake: ${message}\n`);
  process.exit(2);
}

if (!values.corpus) fail('--corpus DIR is required (make one with `npm run bench:corpus -- --lines 1000000 --out DIR`)');
const ndjsonPath = join(resolve(values.corpus), 'logs.ndjson');
if (!existsSync(ndjsonPath)) fail(`${ndjsonPath} does not exist`);
const clients = Number(values.clients);
if (!Number.isInteger(clients) || clients < 1) fail('--clients must be a positive integer');
const protocols = values.protocols.split(',').map((p) => p.trim()) as Protocol[];
for (const p of protocols) if (!PROTOCOLS.includes(p)) fail(`unknown protocol "${p}" (known: ${PROTOCOLS.join(', ')})`);
if (protocols[0] !== 'http') log('note: the ratio column needs the http protocol; it is run first');
if (!protocols.includes('http')) protocols.unshift('http');

interface CorpusRecord {
  ts: number;
  sourceCategory: string;
  sourceHost: string;
  message: string;
}

log(`reading ${ndjsonPath}`);
const limit = values.lines ? Number(values.lines) : Infinity;
const records: CorpusRecord[] = [];
{
  const text = readFileSync(ndjsonPath, 'utf8');
  let start = 0;
  while (start < text.length && records.length < limit) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) records.push(JSON.parse(text.slice(start, end)) as CorpusRecord);
    start = end + 1;
    if (records.length % 250_000 === 0 && records.length > 0) log(`  ${records.length.toLocaleString('en-US')} records read`);
  }
}
const corpusBytes = records.reduce((n, r) => n + Buffer.byteLength(r.message), 0);
log(`${records.length.toLocaleString('en-US')} records, ${(corpusBytes / 1024 / 1024).toFixed(0)} MB of messages`);

// ---------------------------------------------------------------------------------------------
// Batches per protocol: sizes follow the shippers' defaults.

/** Splits the corpus into batches of at most `maxRecords` records and about `maxBytes` of messages. */
function* batchesOf(maxRecords: number, maxBytes: number): Generator<CorpusRecord[]> {
  let batch: CorpusRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    batch.push(record);
    bytes += record.message.length;
    if (batch.length >= maxRecords || bytes >= maxBytes) {
      yield batch;
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/** A small protobuf encoder writing into one growing buffer (enough for OTLP and Loki requests). */
class Pb {
  private buf = Buffer.allocUnsafe(1 << 16);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(value: number | bigint): this {
    let v = BigInt(value);
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  fixed64(field: number, value: bigint): this {
    this.tag(field, 1);
    this.ensure(8);
    this.buf.writeBigUInt64LE(value, this.pos);
    this.pos += 8;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, inner: Pb): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

const nanos = (ms: number): bigint => BigInt(ms) * 1_000_000n;

function groupBy<K>(batch: CorpusRecord[], key: (r: CorpusRecord) => K): Map<K, CorpusRecord[]> {
  const groups = new Map<K, CorpusRecord[]>();
  for (const r of batch) {
    const k = key(r);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(r);
  }
  return groups;
}

function otlpJson(batch: CorpusRecord[]): Buffer {
  const resourceLogs = [...groupBy(batch, (r) => r.sourceHost)].map(([host, list]) => ({
    resource: {
      attributes: [
        { key: 'service.name', value: { stringValue: list[0]!.sourceCategory } },
        { key: 'host.name', value: { stringValue: host } },
      ],
    },
    scopeLogs: [
      {
        scope: { name: 'bench' },
        logRecords: list.map((r) => ({ timeUnixNano: String(nanos(r.ts)), severityNumber: 9, body: { stringValue: r.message } })),
      },
    ],
  }));
  return Buffer.from(JSON.stringify({ resourceLogs }));
}

function otlpProto(batch: CorpusRecord[]): Buffer {
  const request = new Pb();
  for (const [host, list] of groupBy(batch, (r) => r.sourceHost)) {
    const attribute = (key: string, value: string): Pb => new Pb().string(1, key).message(2, new Pb().string(1, value));
    const resource = new Pb().message(1, attribute('service.name', list[0]!.sourceCategory)).message(1, attribute('host.name', host));
    const scope = new Pb().message(1, new Pb().string(1, 'bench'));
    for (const r of list) {
      // LogRecord: time_unix_nano = 1 (fixed64), severity_number = 2, body = 5 (AnyValue.string_value = 1)
      scope.message(2, new Pb().fixed64(1, nanos(r.ts)).tag(2, 0).varint(9).message(5, new Pb().string(1, r.message)));
    }
    request.message(1, new Pb().message(1, resource).message(2, scope));
  }
  return request.finish();
}

const lokiLabels = (r: CorpusRecord): string => `{job="${r.sourceCategory}", host="${r.sourceHost}"}`;

function lokiJson(batch: CorpusRecord[]): Buffer {
  const streams = [...groupBy(batch, lokiLabels)].map(([, list]) => ({
    stream: { job: list[0]!.sourceCategory, host: list[0]!.sourceHost },
    values: list.map((r) => [String(nanos(r.ts)), r.message]),
  }));
  return Buffer.from(JSON.stringify({ streams }));
}

function lokiProto(batch: CorpusRecord[]): Buffer {
  const request = new Pb();
  for (const [labels, list] of groupBy(batch, lokiLabels)) {
    const stream = new Pb().string(1, labels);
    for (const r of list) {
      const ts = new Pb().tag(1, 0).varint(Math.floor(r.ts / 1000)).tag(2, 0).varint((r.ts % 1000) * 1_000_000);
      stream.message(2, new Pb().message(1, ts).string(2, r.message));
    }
    request.message(1, stream);
  }
  return Buffer.from(snappyCompress(request.finish()));
}

function esBulk(batch: CorpusRecord[]): Buffer {
  let out = '';
  for (const r of batch) {
    out += '{"create":{"_index":"logs-bench"}}\n';
    out += `${JSON.stringify({ '@timestamp': new Date(r.ts).toISOString(), message: r.message, host: { name: r.sourceHost } })}\n`;
  }
  return Buffer.from(out);
}

function hecEvents(batch: CorpusRecord[]): Buffer {
  let out = '';
  for (const r of batch) out += JSON.stringify({ time: r.ts / 1000, host: r.sourceHost, sourcetype: r.sourceCategory, event: r.message });
  return Buffer.from(out);
}

/** RFC 5424 with octet counting, as rsyslog's omfwd sends with TCP_Framing="octet-counted". */
function syslogFrames(batch: CorpusRecord[]): Buffer {
  const frames: Buffer[] = [];
  for (const r of batch) {
    const app = r.sourceCategory.replace(/\//g, '-');
    const line = Buffer.from(`<14>1 ${new Date(r.ts).toISOString()} ${r.sourceHost} ${app} - - - ${r.message}`);
    frames.push(Buffer.from(`${line.length} `), line);
  }
  return Buffer.concat(frames);
}

interface Plan {
  /** How the sender reaches the server. */
  path?: string;
  headers?: Record<string, string>;
  /** Shipper default this batch size follows. */
  batching: string;
  batches: () => Generator<CorpusRecord[]>;
  encode: (batch: CorpusRecord[]) => Buffer;
  /** Status of a successful answer. */
  ok: number;
}

const MiB = 1024 * 1024;
const plans: Record<Protocol, Plan> = {
  http: {
    batching: '~1 MiB bodies (Sumo collectors)',
    batches: () => batchesOf(Infinity, MiB),
    encode: (batch) => Buffer.from(batch.map((r) => r.message).join('\n') + '\n'),
    ok: 200,
  },
  'otlp-json': {
    path: '/v1/logs',
    headers: { 'content-type': 'application/json' },
    batching: '8192 records (OTel Collector batch processor)',
    batches: () => batchesOf(8192, Infinity),
    encode: otlpJson,
    ok: 200,
  },
  'otlp-proto': {
    path: '/v1/logs',
    headers: { 'content-type': 'application/x-protobuf' },
    batching: '8192 records (OTel Collector batch processor)',
    batches: () => batchesOf(8192, Infinity),
    encode: otlpProto,
    ok: 200,
  },
  'loki-json': {
    path: '/loki/api/v1/push',
    headers: { 'content-type': 'application/json' },
    batching: '~1 MiB (Promtail batchsize)',
    batches: () => batchesOf(Infinity, MiB),
    encode: lokiJson,
    ok: 204,
  },
  'loki-proto': {
    path: '/loki/api/v1/push',
    headers: { 'content-type': 'application/x-protobuf' },
    batching: '~1 MiB (Promtail batchsize)',
    batches: () => batchesOf(Infinity, MiB),
    encode: lokiProto,
    ok: 204,
  },
  'es-bulk': {
    path: '/_bulk',
    headers: { 'content-type': 'application/x-ndjson' },
    batching: '1600 documents (Filebeat bulk_max_size)',
    batches: () => batchesOf(1600, Infinity),
    encode: esBulk,
    ok: 200,
  },
  'es-client': {
    batching: '@elastic/elasticsearch helpers.bulk, flushBytes 5 MB (its default), concurrency = --clients',
    batches: () => batchesOf(Infinity, Infinity),
    encode: () => Buffer.alloc(0),
    ok: 200,
  },
  'hec-event': {
    path: '/services/collector/event',
    batching: '~1 MiB (Vector/Fluent Bit HEC batches)',
    batches: () => batchesOf(Infinity, MiB),
    encode: hecEvents,
    ok: 200,
  },
  'syslog-tcp': {
    batching: `${clients} TCP connections, octet-counted RFC 5424 (rsyslog omfwd)`,
    batches: () => batchesOf(Infinity, 4 * MiB),
    encode: syslogFrames,
    ok: 0,
  },
};

// ---------------------------------------------------------------------------------------------

const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;

async function adminApi<T>(base: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

const storedCount = async (base: string, protocol: Protocol): Promise<number> =>
  (await adminApi<{ count: number }>(base, `/api/v1/logs/count?category=bench/${protocol}`)).count;

/** Rules that touch few corpus lines, so what is measured is their cost, not less data. */
const benchRules = [
  { name: 'drop a needle', kind: 'exclude', regex: 'no-such-line-in-the-corpus-\\d+' },
  { name: 'mask card numbers', kind: 'mask', regex: '\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b' },
  { name: 'hash user', kind: 'hash', regex: 'user=(judy)\\b' },
];

interface Result {
  protocol: Protocol;
  lines: number;
  bytesSent: number;
  seconds: number;
  retries: number;
  stored: number;
}

function progress(protocol: Protocol, sent: () => number, total: number): NodeJS.Timeout {
  const started = performance.now();
  return setInterval(() => {
    const s = (performance.now() - started) / 1000;
    log(`  ${protocol}: ${sent().toLocaleString('en-US')}/${total.toLocaleString('en-US')} lines after ${s.toFixed(0)} s`);
  }, 5000);
}

async function runHttpProtocol(base: string, protocol: Protocol, token: string, url: string): Promise<Result> {
  const plan = plans[protocol];
  log(`${protocol}: encoding batches (${plan.batching})`);
  const bodies: { body: Buffer; lines: number }[] = [];
  for (const batch of plan.batches()) bodies.push({ body: plan.encode(batch), lines: batch.length });
  const target = plan.path ? `${base}${plan.path}` : url;
  const headers: Record<string, string> = {
    ...plan.headers,
    authorization: protocol === 'hec-event' ? `Splunk ${token}` : `Bearer ${token}`,
  };
  const total = bodies.reduce((n, b) => n + b.lines, 0);
  let next = 0;
  let sentLines = 0;
  let retries = 0;
  log(`${protocol}: sending ${bodies.length} batches with ${clients} clients`);
  const ticker = progress(protocol, () => sentLines, total);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const { body, lines } = bodies[i]!;
        for (;;) {
          let response: Response;
          try {
            response = await fetch(target, { method: 'POST', body, headers });
          } catch (error) {
            // A kept-alive connection the server closed while this client was idle fails on
            // write (EPIPE/ECONNRESET) before the request arrived: send it again, a few times.
            if (++retries > 20) throw error;
            continue;
          }
          const text = await response.text();
          if (response.status === plan.ok) {
            if (protocol === 'es-bulk' && (JSON.parse(text) as { errors: boolean }).errors) throw new Error(`es-bulk: item errors: ${text.slice(0, 300)}`);
            break;
          }
          if (response.status !== 429 && response.status !== 503) throw new Error(`${protocol} answered ${response.status}: ${text.slice(0, 300)}`);
          retries++;
          await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after') ?? 1) * 1000));
        }
        sentLines += lines;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(ticker);
  return { protocol, lines: total, bytesSent: bodies.reduce((n, b) => n + b.body.length, 0), seconds, retries, stored: await storedCount(base, protocol) };
}

/** The real Elasticsearch client's bulk helper: it builds and sends the bulk bodies itself (timed). */
async function runElasticClient(base: string, token: string): Promise<Result> {
  const protocol: Protocol = 'es-client';
  const client = new ElasticClient({ node: base, auth: { apiKey: token } });
  let sentLines = 0;
  const ticker = progress(protocol, () => sentLines, records.length);
  const started = performance.now();
  const stats = await client.helpers.bulk<Record<string, unknown>>({
    datasource: Readable.from(
      (function* () {
        for (const r of records) {
          sentLines++;
          yield { '@timestamp': new Date(r.ts).toISOString(), message: r.message, host: { name: r.sourceHost } };
        }
      })(),
    ),
    onDocument: () => ({ create: { _index: 'logs-bench' } }),
    onDrop: (dropped) => {
      throw new Error(`es-client: a document was dropped: ${JSON.stringify(dropped.error).slice(0, 300)}`);
    },
    concurrency: clients,
    refreshOnCompletion: false,
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(ticker);
  await client.close();
  if (stats.failed > 0) throw new Error(`es-client: ${stats.failed} documents failed`);
  return { protocol, lines: stats.successful, bytesSent: stats.bytes, seconds, retries: stats.retry, stored: await storedCount(base, protocol) };
}

async function runSyslog(base: string, port: number): Promise<Result> {
  const protocol: Protocol = 'syslog-tcp';
  const plan = plans[protocol];
  log(`${protocol}: encoding frames (${plan.batching})`);
  const chunks: { body: Buffer; lines: number }[] = [];
  for (const batch of plan.batches()) chunks.push({ body: plan.encode(batch), lines: batch.length });
  const total = chunks.reduce((n, c) => n + c.lines, 0);
  let next = 0;
  let written = 0;
  const ticker = progress(protocol, () => written, total);
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<void>((resolveSend, reject) => {
          const socket = connectTcp({ host: '127.0.0.1', port }, () => {
            const pump = (): void => {
              for (let i = next++; i < chunks.length; i = next++) {
                written += chunks[i]!.lines;
                if (!socket.write(chunks[i]!.body)) {
                  socket.once('drain', pump);
                  return;
                }
              }
              socket.end();
            };
            pump();
          });
          socket.on('error', reject);
          socket.on('close', () => resolveSend());
          socket.resume();
        }),
    ),
  );
  // No acknowledgement in syslog: the run ends when every line is stored.
  let stored = 0;
  for (let last = -1, idleSince = performance.now(); ; ) {
    stored = await storedCount(base, protocol);
    if (stored >= total) break;
    if (stored !== last) {
      last = stored;
      idleSince = performance.now();
    } else if (performance.now() - idleSince > 30_000) {
      log(`${protocol}: stored count stuck at ${stored} of ${total}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(ticker);
  return { protocol, lines: total, bytesSent: chunks.reduce((n, c) => n + c.body.length, 0), seconds, retries: 0, stored };
}

const work = mkdtempSync(join(tmpdir(), 'quarry-bench-intake-'));
const port = await freePort();
const syslogPort = await freePort();
log(`starting quarry serve (data in ${work})`);
const server = await spawnServer({
  dataDir: work,
  port,
  env: {
    QUARRY_SELF_LOGS: 'false',
    QUARRY_LOG_LEVEL: 'warn',
    QUARRY_SYSLOG_TCP_PORT: String(syslogPort),
    // Resolved on the first message, so the source can be created after start-up.
    QUARRY_SYSLOG_SOURCE: 'bench-syslog-tcp',
  },
});

const results: Result[] = [];
const loadBefore = loadavg();
try {
  for (const protocol of protocols) {
    const created = await adminApi<{ token: string; url: string }>(server.url, '/api/v1/sources', {
      name: `bench-${protocol}`,
      category: `bench/${protocol}`,
      multiline: false,
      ...(values.rules ? { rules: benchRules } : {}),
    });
    const result =
      protocol === 'syslog-tcp'
        ? await runSyslog(server.url, syslogPort)
        : protocol === 'es-client'
          ? await runElasticClient(server.url, created.token)
          : await runHttpProtocol(server.url, protocol, created.token, created.url);
    results.push(result);
    log(`${protocol}: ${Math.round(result.lines / result.seconds).toLocaleString('en-US')} lines/s, stored ${result.stored}/${result.lines}`);
  }
} finally {
  server.process.kill('SIGTERM');
  await server.exited;
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}

const httpRate = results[0]!.lines / results[0]!.seconds;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(`\ncorpus: ${records.length.toLocaleString('en-US')} lines (${(corpusBytes / 1024 / 1024).toFixed(0)} MB of messages), ${clients} clients${values.rules ? ', 3 processing rules per source' : ''}`);
console.log(`load average: ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${loadavg().map((l) => l.toFixed(1)).join(' ')} after (${availableParallelism()} cores)`);
console.log('');
console.log(`${'protocol'.padEnd(12)} ${'lines/s'.padStart(10)} ${'vs http'.padStart(8)} ${'seconds'.padStart(8)} ${'MB sent'.padStart(8)} ${'retries'.padStart(7)}  stored      batching`);
let allStored = true;
for (const r of results) {
  const ok = r.stored === r.lines;
  allStored &&= ok;
  console.log(
    `${r.protocol.padEnd(12)} ${fmt(r.lines / r.seconds).padStart(10)} ${((r.lines / r.seconds) / httpRate).toFixed(2).padStart(8)} ${r.seconds.toFixed(1).padStart(8)} ${(r.bytesSent / 1024 / 1024).toFixed(0).padStart(8)} ${String(r.retries).padStart(7)}  ${ok ? 'all' : `${r.stored}/${r.lines} MISMATCH`}  ${plans[r.protocol].batching}`,
  );
}
if (!allStored) {
  console.log('\nstored counts do not match what was sent');
  process.exitCode = 1;
}
