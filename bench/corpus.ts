/**
 * Deterministic benchmark corpus: `npm run bench:corpus -- --lines 5000000 --out DIR [--seed 42]`.
 *
 * Writes, streaming (memory stays flat at any size):
 * - `DIR/logs.txt`: the raw messages, one per line — what a user would grep. Each message carries its
 *   own natural timestamp, which `detectTimestamp` recognises (nginx: CLF time; app: `yyyy-MM-dd
 *   HH:mm:ss,SSS`; key=value: ISO after `ts=`; JSON: an ISO `"ts"` field).
 * - `DIR/logs.ndjson`: `{"ts": epoch_ms, "sourceCategory", "sourceHost", "message"}` per line, same order.
 * - `DIR/meta.json`: counts, needle positions, categories and hosts.
 *
 * The same seed and line count always give byte-identical files (seeded PRNG, no clock, no Math.random).
 * Rows are in time order over the 7 days ending 2026-11-01T00:00Z. `ts` is the event time in ms; nginx
 * CLF shows whole seconds only, so for nginx lines the text's time is `ts` truncated to the second.
 *
 * The needle `7f3c9a2e-4b1d-4e8f-9c6a-2d5b8e1f0a37` appears in exactly `min(10, floor(lines / 1000))`
 * lines (so exactly 10 from 10,000 lines on), at seeded positions, 4 of the 10 upper-cased.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { WriteStream } from 'node:fs';

export const NEEDLE = '7f3c9a2e-4b1d-4e8f-9c6a-2d5b8e1f0a37';
export const CORPUS_END_MS = Date.UTC(2026, 10, 1);
export const CORPUS_SPAN_MS = 7 * 86_400_000;
export const DEFAULT_SEED = 42;

export const ENVS = ['prod', 'staging', 'dev', 'qa', 'perf'] as const;
export const SERVICES = [
  'api',
  'web',
  'auth',
  'payments',
  'search',
  'orders',
  'inventory',
  'notifications',
  'gateway',
  'worker',
] as const;

export const RecordKind = { Nginx: 'nginx', App: 'app', KeyValue: 'kv', Json: 'json' } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

/** Share of each kind, in order; they sum to 1. */
export const KIND_MIX: ReadonlyArray<readonly [RecordKind, number]> = [
  [RecordKind.Nginx, 0.35],
  [RecordKind.App, 0.3],
  [RecordKind.KeyValue, 0.2],
  [RecordKind.Json, 0.15],
];

export interface CorpusRecord {
  /** 0-based line number. */
  index: number;
  /** Event time, epoch ms. */
  ts: number;
  sourceCategory: string;
  sourceHost: string;
  kind: RecordKind;
  /** Level for app/kv/json lines; undefined for nginx. */
  level: string | undefined;
  /** HTTP status where the line has one. */
  status: number | undefined;
  message: string;
  /** True when the message contains the needle (in either case). */
  hasNeedle: boolean;
}

export interface CorpusOptions {
  lines: number;
  seed?: number;
}

export interface Category {
  name: string;
  weight: number;
  hosts: string[];
}

/** The 50 categories (`env/service`) with Zipf-like weights (1/rank) and 4 hosts each. */
export function corpusCategories(): Category[] {
  const names = ENVS.flatMap((env) => SERVICES.map((svc) => `${env}/${svc}`));
  const raw = names.map((_, rank) => 1 / (rank + 1));
  const total = raw.reduce((a, b) => a + b, 0);
  return names.map((name, rank) => {
    const [env, svc] = name.split('/') as [string, string];
    return {
      name,
      weight: (raw[rank] ?? 0) / total,
      hosts: [1, 2, 3, 4].map((n) => `${svc}-${env}-${String(n).padStart(2, '0')}`),
    };
  });
}

/** How many lines carry the needle for a corpus of `lines` lines. */
export function needleCount(lines: number): number {
  return Math.min(10, Math.floor(lines / 1000));
}

/** 0-based line numbers of the needle lines, and which of them are upper-cased. */
export function needlePositions(opts: CorpusOptions): { index: number; isUpper: boolean }[] {
  const count = needleCount(opts.lines);
  const rand = createRandom((opts.seed ?? DEFAULT_SEED) ^ 0x5eed1e);
  const stratum = opts.lines / Math.max(count, 1);
  const positions: { index: number; isUpper: boolean }[] = [];
  for (let k = 0; k < count; k++) {
    // One needle per equal stratum keeps them distinct and spread over the week.
    const index = Math.floor(k * stratum + rand() * stratum);
    positions.push({ index: Math.min(index, opts.lines - 1), isUpper: k % 5 === 1 || k % 5 === 3 });
  }
  return positions;
}

// ---------------------------------------------------------------------------------------------
// Seeded PRNG: splitmix32 to spread the seed, then a small-state xorshift-multiply generator.

function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  const next32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  return () => next32() / 4_294_967_296;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'];
const PATHS = [
  '/',
  '/index.html',
  '/api/v1/orders',
  '/api/v1/orders/{id}',
  '/api/v1/users/{id}',
  '/api/v1/search?q={word}',
  '/api/v1/cart',
  '/api/v1/payments',
  '/static/app.{hex}.js',
  '/static/styles.{hex}.css',
  '/healthz',
  '/login',
  '/logout',
  '/images/{word}.png',
];
const STATUSES = [
  200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 403, 404, 404, 429, 500, 502, 503,
  504,
];
const STATUSES_OK = STATUSES.filter((s) => s < 500);
const STATUSES_5XX = STATUSES.filter((s) => s >= 500);
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0',
  'curl/8.9.1',
  'Go-http-client/1.1',
  'kube-probe/1.31',
  'python-requests/2.32.3',
];
const REFERERS = [
  '-',
  '-',
  '-',
  'https://shop.example.com/',
  'https://www.google.com/',
  'https://shop.example.com/cart',
];
const USERS = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'yolanda',
];
const WORDS = ['shoes', 'laptop', 'coffee', 'lamp', 'chair', 'phone', 'book', 'desk', 'kettle', 'bike'];
const LOGGERS = [
  'c.e.orders.OrderService',
  'c.e.payments.PaymentClient',
  'c.e.auth.SessionManager',
  'c.e.search.QueryExecutor',
  'c.e.inventory.StockSync',
  'c.e.http.RequestHandler',
  'c.e.jobs.Scheduler',
];
const THREADS = [
  'main',
  'http-nio-8080-exec-1',
  'http-nio-8080-exec-7',
  'scheduler-2',
  'kafka-consumer-0',
  'worker-3',
];
const ACTIONS = ['login', 'logout', 'checkout', 'search', 'view_item', 'add_to_cart', 'update_profile'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
const PEERS = ['payments', 'inventory', 'postgres', 'redis', 'search', 'auth'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Templates: {n} number, {user}, {peer}, {id}, {pct}, {k}. Timeout-bearing ones are marked by content.
const APP_TEMPLATES: Record<'INFO' | 'WARN' | 'ERROR', string[]> = {
  INFO: [
    'Request completed in {n} ms',
    'User {user} logged in',
    'Processed batch of {n} records',
    'Cache hit ratio {pct}%',
    'Scheduled job {id} finished in {n} ms',
    'Order {id} created for user {user}',
  ],
  WARN: [
    'Slow query took {n} ms',
    'Retrying call to {peer} (attempt {k})',
    'Connection pool {pct}% utilised',
    'Upstream timeout after {n} ms calling {peer}, retrying',
  ],
  ERROR: [
    'Failed to process order {id}: database timeout',
    'Unhandled exception in request handler: java.lang.NullPointerException',
    'Payment declined for user {user}',
    'Connection refused by {peer}:5432',
    'Read timeout on socket to {peer} after {n} ms',
  ],
};

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

// ---------------------------------------------------------------------------------------------
// Generation

/** Yields the corpus records in order; the same options always yield the same records. */
export function* generateCorpus(opts: CorpusOptions): Generator<CorpusRecord> {
  const lines = opts.lines;
  if (!Number.isInteger(lines) || lines < 0)
    throw new RangeError(`lines must be a non-negative integer, got ${lines}`);
  const rand = createRandom(opts.seed ?? DEFAULT_SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const int = (min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));
  const hex = (len: number): string => {
    let s = '';
    while (s.length < len)
      s += Math.floor(rand() * 0x1_0000_0000)
        .toString(16)
        .padStart(8, '0');
    return s.slice(0, len);
  };

  const categories = corpusCategories();
  const cumulative: number[] = [];
  let acc = 0;
  for (const c of categories) cumulative.push((acc += c.weight));
  const pickCategory = (): Category => {
    const r = rand() * acc;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) > r) hi = mid;
      else lo = mid + 1;
    }
    return categories[lo] as Category;
  };

  const needles = new Map(needlePositions(opts).map((p) => [p.index, p.isUpper]));
  const start = CORPUS_END_MS - CORPUS_SPAN_MS;
  const step = lines > 0 ? CORPUS_SPAN_MS / lines : 0;

  // Formatted time prefixes change once per second; cache them (rows are in time order).
  let cachedSecond = NaN;
  let ymdHms = '';
  let isoHms = '';
  let clf = '';
  const formatSecond = (second: number): void => {
    if (second === cachedSecond) return;
    cachedSecond = second;
    const d = new Date(second * 1000);
    const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
    ymdHms = `${date} ${time}`;
    isoHms = `${date}T${time}`;
    clf = `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${time} +0000`;
  };

  const fill = (template: string): string =>
    template.replace(/\{(\w+)\}/g, (_, key: string) => {
      switch (key) {
        case 'n':
          return String(int(1, 5000));
        case 'user':
          return pick(USERS);
        case 'peer':
          return pick(PEERS);
        case 'id':
          return hex(12);
        case 'pct':
          return String(int(1, 100));
        case 'k':
          return String(int(2, 5));
        case 'word':
          return pick(WORDS);
        case 'hex':
          return hex(8);
        default:
          return key;
      }
    });

  const pickLevel = (): 'INFO' | 'WARN' | 'ERROR' => {
    const r = rand();
    return r < 0.7 ? 'INFO' : r < 0.9 ? 'WARN' : 'ERROR';
  };

  for (let index = 0; index < lines; index++) {
    // Monotonic: index + jitter in [0, 1) never passes the next index.
    const ts = Math.floor(start + (index + rand()) * step);
    const second = Math.floor(ts / 1000);
    formatSecond(second);
    const millis = pad3(ts - second * 1000);
    const category = pickCategory();
    const sourceHost = pick(category.hosts);
    const service = category.name.slice(category.name.indexOf('/') + 1);
    const isNeedle = needles.has(index);
    const needle = needles.get(index) === true ? NEEDLE.toUpperCase() : NEEDLE;

    const k = rand();
    let kind: RecordKind = RecordKind.Json;
    let cut = 0;
    for (const [candidate, share] of KIND_MIX) {
      cut += share;
      if (k < cut) {
        kind = candidate;
        break;
      }
    }

    let message: string;
    let level: string | undefined;
    let status: number | undefined;
    switch (kind) {
      case RecordKind.Nginx: {
        status = pick(STATUSES);
        const path = isNeedle ? `/api/v1/orders/${needle}` : fill(pick(PATHS));
        const ip = `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
        const user = rand() < 0.2 ? pick(USERS) : '-';
        const bytes = status === 204 || status === 304 ? 0 : int(120, 250_000);
        const rt = (int(1, 3000) / 1000).toFixed(3);
        message = `${ip} - ${user} [${clf}] "${pick(METHODS)} ${path} HTTP/1.1" ${status} ${bytes} "${pick(REFERERS)}" "${pick(AGENTS)}" ${rt}`;
        break;
      }
      case RecordKind.App: {
        level = pickLevel();
        const text = fill(pick(APP_TEMPLATES[level as 'INFO' | 'WARN' | 'ERROR']));
        const suffix = isNeedle ? ` request_id=${needle}` : rand() < 0.3 ? ` trace_id=${hex(16)}` : '';
        message = `${ymdHms},${millis} ${level.padEnd(5)} [${pick(THREADS)}] ${pick(LOGGERS)} - ${text}${suffix}`;
        break;
      }
      case RecordKind.KeyValue: {
        level = pickLevel().toLowerCase();
        status = level === 'error' ? pick(STATUSES_5XX) : pick(STATUSES_OK);
        const latency = level === 'info' ? int(1, 800) : int(200, 30_000);
        const extra = isNeedle
          ? ` request_id=${needle}`
          : level === 'error' && rand() < 0.5
            ? ' error=timeout'
            : '';
        message = `ts=${isoHms}.${millis}Z level=${level} service=${service} user=${pick(USERS)} action=${pick(ACTIONS)} latency_ms=${latency} status=${status} region=${pick(REGIONS)}${extra}`;
        break;
      }
      case RecordKind.Json: {
        level = pickLevel().toLowerCase();
        status = level === 'error' ? pick(STATUSES_5XX) : pick(STATUSES_OK);
        const latency = level === 'info' ? int(1, 800) : int(200, 30_000);
        const msg =
          level === 'error'
            ? `upstream ${pick(PEERS)} ${rand() < 0.5 ? 'timeout' : 'unavailable'}`
            : `${pick(ACTIONS)} ok`;
        const rid = isNeedle ? `,"request_id":"${needle}"` : '';
        message = `{"ts":"${isoHms}.${millis}Z","level":"${level}","service":"${service}","user":"${pick(USERS)}","msg":"${msg}","latency_ms":${latency},"status":${status}${rid}}`;
        break;
      }
    }
    yield {
      index,
      ts,
      sourceCategory: category.name,
      sourceHost,
      kind,
      level,
      status,
      message,
      hasNeedle: isNeedle,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Meta

export interface CorpusMeta {
  generator: string;
  seed: number;
  lines: number;
  timeRange: { start: string; end: string; startMs: number; endMs: number };
  files: { text: string; ndjson: string };
  textFormat: string;
  counts: {
    byKind: Record<string, number>;
    byLevel: Record<string, number>;
    byCategory: Record<string, number>;
    /** Lines whose message contains "timeout" (lower case). */
    timeout: number;
    /** Lines with an HTTP status >= 500. */
    status5xx: number;
  };
  needle: {
    value: string;
    /** Case-insensitive matches (the exact count a search for the needle must return). */
    count: number;
    /** Matches of the lower-case needle only. */
    caseSensitiveCount: number;
    /** 0-based line numbers in both files. */
    lines: number[];
    upperCasedLines: number[];
  };
  categories: Category[];
  hosts: number;
  bytes: { text: number; ndjson: number };
}

/** Accumulates counts over records as they stream by. */
export function createMetaCollector(opts: CorpusOptions): {
  add(record: CorpusRecord, textBytes: number, ndjsonBytes: number): void;
  finish(): CorpusMeta;
} {
  const seed = opts.seed ?? DEFAULT_SEED;
  const categories = corpusCategories();
  const meta: CorpusMeta = {
    generator: 'quarry bench/corpus.ts v1',
    seed,
    lines: opts.lines,
    timeRange: {
      start: new Date(CORPUS_END_MS - CORPUS_SPAN_MS).toISOString(),
      end: new Date(CORPUS_END_MS).toISOString(),
      startMs: CORPUS_END_MS - CORPUS_SPAN_MS,
      endMs: CORPUS_END_MS,
    },
    files: { text: 'logs.txt', ndjson: 'logs.ndjson' },
    textFormat:
      'one raw message per line (no added prefix); each carries its own timestamp: nginx CLF (whole seconds), app yyyy-MM-dd HH:mm:ss,SSS, kv ts=ISO-8601, JSON "ts" ISO-8601',
    counts: {
      byKind: Object.fromEntries(KIND_MIX.map(([kind]) => [kind, 0])),
      byLevel: {},
      byCategory: Object.fromEntries(categories.map((c) => [c.name, 0])),
      timeout: 0,
      status5xx: 0,
    },
    needle: { value: NEEDLE, count: 0, caseSensitiveCount: 0, lines: [], upperCasedLines: [] },
    categories,
    hosts: categories.reduce((n, c) => n + c.hosts.length, 0),
    bytes: { text: 0, ndjson: 0 },
  };
  const counts = meta.counts;
  return {
    add(record, textBytes, ndjsonBytes) {
      counts.byKind[record.kind] = (counts.byKind[record.kind] ?? 0) + 1;
      if (record.level !== undefined) {
        const level = record.level.toLowerCase();
        counts.byLevel[level] = (counts.byLevel[level] ?? 0) + 1;
      }
      counts.byCategory[record.sourceCategory] = (counts.byCategory[record.sourceCategory] ?? 0) + 1;
      if (record.message.includes('timeout')) counts.timeout++;
      if (record.status !== undefined && record.status >= 500) counts.status5xx++;
      if (record.hasNeedle) {
        meta.needle.count++;
        meta.needle.lines.push(record.index);
        if (record.message.includes(NEEDLE)) meta.needle.caseSensitiveCount++;
        else meta.needle.upperCasedLines.push(record.index);
      }
      meta.bytes.text += textBytes;
      meta.bytes.ndjson += ndjsonBytes;
    },
    finish: () => meta,
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface WriteCorpusOptions extends CorpusOptions {
  outDir: string;
  /** Called every `progressEvery` lines (default 500,000). */
  onProgress?: (linesWritten: number) => void;
  progressEvery?: number;
}

const BATCH_LINES = 2048;

/** Writes logs.txt, logs.ndjson and meta.json into `outDir`, streaming; returns the meta. */
export async function writeCorpus(opts: WriteCorpusOptions): Promise<CorpusMeta> {
  await mkdir(opts.outDir, { recursive: true });
  const text = createWriteStream(join(opts.outDir, 'logs.txt'), { highWaterMark: 1 << 20 });
  const ndjson = createWriteStream(join(opts.outDir, 'logs.ndjson'), { highWaterMark: 1 << 20 });
  const collector = createMetaCollector(opts);
  const every = opts.progressEvery ?? 500_000;
  let textBatch = '';
  let ndjsonBatch = '';
  let inBatch = 0;
  let written = 0;
  try {
    for (const record of generateCorpus(opts)) {
      const textLine = `${record.message}\n`;
      const ndjsonLine = `{"ts":${record.ts},"sourceCategory":"${record.sourceCategory}","sourceHost":"${record.sourceHost}","message":${JSON.stringify(record.message)}}\n`;
      collector.add(record, Buffer.byteLength(textLine), Buffer.byteLength(ndjsonLine));
      textBatch += textLine;
      ndjsonBatch += ndjsonLine;
      written++;
      if (++inBatch === BATCH_LINES) {
        await Promise.all([write(text, textBatch), write(ndjson, ndjsonBatch)]);
        textBatch = '';
        ndjsonBatch = '';
        inBatch = 0;
      }
      if (written % every === 0) opts.onProgress?.(written);
    }
    await Promise.all([write(text, textBatch), write(ndjson, ndjsonBatch)]);
  } finally {
    await Promise.all([close(text), close(ndjson)]);
  }
  const meta = collector.finish();
  await writeFile(join(opts.outDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/** Writes and waits for drain only when the stream's buffer is full (backpressure). */
function write(stream: WriteStream, chunk: string): Promise<void> {
  if (chunk === '' || stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      stream.off('drain', onDrain);
      reject(error);
    };
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.closed) {
      resolve();
      return;
    }
    stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

// ---------------------------------------------------------------------------------------------
// CLI

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: '5000000' },
      out: { type: 'string', default: 'bench/out/corpus' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
    },
  });
  const lines = Number(values.lines.replace(/_/g, ''));
  const seed = Number(values.seed);
  if (!Number.isInteger(lines) || lines < 0 || !Number.isInteger(seed)) {
    process.stderr.write('usage: bench/corpus.ts --lines N --out DIR [--seed S]\n');
    process.exitCode = 2;
    return;
  }
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)}s`;
  const meta = await writeCorpus({
    lines,
    seed,
    outDir: values.out,
    onProgress: (n) =>
      process.stderr.write(
        `corpus: ${n.toLocaleString('en-US')} / ${lines.toLocaleString('en-US')} lines (${elapsed()})\n`,
      ),
  });
  process.stderr.write(
    `corpus: wrote ${lines.toLocaleString('en-US')} lines to ${values.out} in ${elapsed()} ` +
      `(text ${(meta.bytes.text / 1e6).toFixed(0)} MB, ndjson ${(meta.bytes.ndjson / 1e6).toFixed(0)} MB, needle x${meta.needle.count})\n`,
  );
}

const invokedAs = process.argv[1];
if (invokedAs !== undefined && import.meta.url === pathToFileURL(invokedAs).href) {
  await main();
}
