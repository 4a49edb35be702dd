/**
 * `npm run bench:ingest -- [--corpus DIR | --lines N] [--clients 16] [--batch-kib 1024] [--modes plain,gzip]`
 *
 * Sends the corpus through the HTTP receiver of a real `quarry serve` (several concurrent clients,
 * ~1 MB bodies, one category per body, plain and then gzip) and, in the same run, loads the same
 * NDJSON with chDB's native loader into the same table layout. Prints lines/s for both and their
 * ratio, the server's peak RSS, and bytes on disk against the NDJSON size. Targets (DESIGN §10):
 * ratio ≥ 0.5, RSS ≤ 1.5 GB, disk ≤ 1/6 of the NDJSON.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { freePort, spawnServer, ADMIN_PASSWORD } from '../test/support/server.js';
import { sendAll } from './send.js';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    lines: { type: 'string', default: '1000000' },
    // Senders in parallel: a server taking tens of thousands of lines/s hears from many shippers, and
    // with durable acknowledgements the batch (and part) size is bounded by what they have in flight.
    clients: { type: 'string', default: '16' },
    'batch-kib': { type: 'string', default: '1024' },
    multiline: { type: 'string', default: 'false' },
    fsync: { type: 'boolean', default: false },
    modes: { type: 'string', default: 'plain,gzip' },
    /** Extra environment of the server, `KEY=VALUE` (repeatable), e.g. `--env QUARRY_FLUSH_INTERVAL_MS=100`. */
    env: { type: 'string', multiple: true, default: [] },
    /** Write a V8 CPU profile of each server into this directory (node --cpu-prof). */
    'cpu-prof': { type: 'string' },
  },
});
const repo = resolve(import.meta.dirname, '..');
const clients = Number(values.clients);
const batchBytes = Number(values['batch-kib']) * 1024;
const cpuProfDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });

function log(message: string): void {
  process.stderr.write(`bench:ingest: ${message}\n`);
}

let corpusDir = values.corpus;
if (!corpusDir) {
  corpusDir = join(repo, 'bench/out', `corpus-${values.lines}`);
  if (!existsSync(join(corpusDir, 'logs.ndjson'))) {
    log(`generating a ${values.lines}-line corpus in ${corpusDir}`);
    execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'bench/corpus.ts'), '--lines', values.lines, '--out', corpusDir], {
      stdio: 'inherit',
    });
  }
}
const ndjson = join(corpusDir, 'logs.ndjson');
const ndjsonBytes = statSync(ndjson).size;

interface Body {
  category: string;
  lines: number;
  plain: Buffer;
  gzip?: Buffer;
}

async function buildBodies(): Promise<Body[]> {
  const open = new Map<string, { parts: string[]; size: number }>();
  const bodies: Body[] = [];
  const flush = (category: string, entry: { parts: string[]; size: number }): void => {
    bodies.push({ category, lines: entry.parts.length, plain: Buffer.from(entry.parts.join('\n') + '\n') });
    open.delete(category);
  };
  const reader = createInterface({ input: createReadStream(ndjson), crlfDelay: Infinity });
  for await (const line of reader) {
    if (!line) continue;
    const record = JSON.parse(line) as { sourceCategory: string; message: string };
    let entry = open.get(record.sourceCategory);
    if (!entry) open.set(record.sourceCategory, (entry = { parts: [], size: 0 }));
    entry.parts.push(record.message);
    entry.size += record.message.length + 1;
    if (entry.size >= batchBytes) flush(record.sourceCategory, entry);
  }
  for (const [category, entry] of [...open]) flush(category, entry);
  return bodies;
}

/** CPU seconds a process has used so far, all threads (utime + stime from /proc). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds per thread name (ClickHouse names its pools: merges, inserts, index builds …), all live threads. */
function threadCpuOf(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '');
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // the thread ended meanwhile
    }
  }
  return byName;
}

function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function send(url: string, bodies: Body[], compressed: boolean): Promise<{ seconds: number; lines: number; retries: number }> {
  const { seconds, retries } = await sendAll(url, bodies, {
    clients,
    request: (body) => ({
      body: compressed ? body.gzip! : body.plain,
      headers: { 'x-sumo-category': body.category, ...(compressed ? { 'content-encoding': 'gzip' } : {}) },
    }),
  });
  return { seconds, lines: bodies.reduce((n, b) => n + b.lines, 0), retries };
}

function runNative(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'bench/native-load.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolveRun(JSON.parse(out) as Record<string, number>) : reject(new Error(`native-load exited ${code}`))));
  });
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rate = (lines: number, seconds: number): string => `${Math.round(lines / seconds).toLocaleString('en-US')} lines/s`;

log(`reading ${ndjson} (${mb(ndjsonBytes)}) into ~${values['batch-kib']} KiB bodies`);
const bodies = await buildBodies();
log(`gzip-compressing ${bodies.length} bodies`);
for (const body of bodies) body.gzip = gzipSync(body.plain);
const totalLines = bodies.reduce((n, b) => n + b.lines, 0);

const work = mkdtempSync(join(tmpdir(), 'quarry-bench-'));
const nativeDb = join(work, 'native');
// The native load runs before and after the receiver runs; the ratio uses their mean, so a change
// of machine load during the run moves both sides alike.
const nativeRuns: Record<string, number>[] = [];
const loadNative = async (): Promise<void> => {
  log(`chDB native NDJSON load (${nativeRuns.length === 0 ? 'before' : 'after'}) …`);
  nativeRuns.push(await runNative(['--load', ndjson, '--db', nativeDb]));
  rmSync(nativeDb, { recursive: true, force: true });
};
await loadNative();

const results: { mode: string; seconds: number; lines: number; retries: number; cpuSeconds: number }[] = [];
let peakRss = 0;
let serverDisk = 0;
for (const mode of values.modes.split(',') as ('plain' | 'gzip')[]) {
  const dataDir = join(work, `server-${mode}`);
  const port = await freePort();
  const server = await spawnServer({
    dataDir,
    port,
    env: {
      QUARRY_SELF_LOGS: 'false',
      QUARRY_LOG_LEVEL: 'warn',
      QUARRY_FSYNC: String(values.fsync),
      ...Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
      ...(cpuProfDir ? { NODE_OPTIONS: `--import tsx --import ${join(repo, 'bench/cpu-profile.ts')}`, QUARRY_BENCH_CPU_PROF: cpuProfDir } : {}),
    },
  });
  const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
  const created = (await (
    await fetch(`${server.url}/api/v1/sources`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', multiline: values.multiline === 'true' }),
    })
  ).json()) as { url: string };
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(server.process.pid!).rss)), 200);
  log(`HTTP receiver, ${mode}, ${clients} clients …`);
  const cpuBefore = cpuSecondsOf(server.process.pid!);
  const threadsBefore = threadCpuOf(server.process.pid!);
  const result = await send(created.url, bodies, mode === 'gzip');
  const cpuSeconds = cpuSecondsOf(server.process.pid!) - cpuBefore;
  const threads = [...threadCpuOf(server.process.pid!)].map(([name, s]) => [name, s - (threadsBefore.get(name) ?? 0)] as const);
  const live = threads.reduce((n, [, s]) => n + s, 0);
  threads.push(['(ended threads)', cpuSeconds - live]);
  log(
    `server CPU-µs/line by thread: ${threads
      .filter(([, s]) => s / totalLines >= 0.05e-6 || s < 0)
      .sort((a, b) => b[1] - a[1])
      .map(([name, s]) => `${name} ${((s / totalLines) * 1e6).toFixed(1)}`)
      .join(', ')}`,
  );
  clearInterval(sampler);
  peakRss = Math.max(peakRss, rssOf(server.process.pid!).hwm);
  results.push({ mode, ...result, cpuSeconds });
  server.process.kill('SIGTERM');
  await server.exited;
  if (serverDisk === 0) serverDisk = (await runNative(['--db', join(dataDir, 'logs')])).bytesOnDisk ?? 0;
  rmSync(dataDir, { recursive: true, force: true });
}
await loadNative();
rmSync(work, { recursive: true, force: true });

const native = {
  seconds: nativeRuns.reduce((n, r) => n + r.seconds!, 0) / nativeRuns.length,
  cpuSeconds: nativeRuns.reduce((n, r) => n + r.cpuSeconds!, 0) / nativeRuns.length,
  bytesOnDisk: nativeRuns[0]!.bytesOnDisk!,
};
const nativeRate = totalLines / native.seconds;
const cpuPerLine = (cpuSeconds: number): string => `${((cpuSeconds / totalLines) * 1e6).toFixed(1)} CPU-µs/line`;
console.log(`\nfsync: ${values.fsync ? 'on' : 'off'}`);
console.log(`corpus: ${totalLines.toLocaleString('en-US')} lines, NDJSON ${mb(ndjsonBytes)}, ${bodies.length} bodies of ~${values['batch-kib']} KiB, ${clients} clients`);
console.log(
  `chDB native NDJSON loader:      ${rate(totalLines, native.seconds)} (mean of ${nativeRuns.map((r) => `${r.seconds!.toFixed(1)} s`).join(' before, ')} after)  ${cpuPerLine(native.cpuSeconds)}`,
);
for (const r of results) {
  const ratio = r.lines / r.seconds / nativeRate;
  console.log(
    `HTTP receiver (${r.mode.padEnd(5)}):          ${rate(r.lines, r.seconds)} (${r.seconds.toFixed(1)} s, ${r.retries} retries)  ratio ${ratio.toFixed(2)}  ${ratio >= 0.5 ? 'PASS' : 'FAIL'} (target >= 0.5)  ${cpuPerLine(r.cpuSeconds)}, CPU ratio ${(native.cpuSeconds / r.cpuSeconds).toFixed(2)}`,
  );
}
console.log(`server peak RSS:                ${mb(peakRss)}  ${peakRss <= 1.5 * 1024 ** 3 ? 'PASS' : 'FAIL'} (target <= 1536 MB)`);
console.log(
  `disk (receiver, after merge):   ${mb(serverDisk)} = 1/${(ndjsonBytes / serverDisk).toFixed(1)} of NDJSON  ${ndjsonBytes / serverDisk >= 6 ? 'PASS' : 'FAIL'} (target <= 1/6); native loader: ${mb(native.bytesOnDisk)}`,
);
