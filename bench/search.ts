/**
 * `npm run bench:search -- --corpus DIR [--lines N] [--runs 5] [--clients 4] [--timeout-s 600]`
 *
 * DESIGN §10 search targets, measured in one run: starts a real `quarry serve` (child process, temp
 * data directory), ingests the corpus through the HTTP receiver (one body per category and host, so
 * _sourceHost is set), then times five queries through the Search Job API (create → DONE → fetch):
 *
 *   Q1 needle, case-insensitive, 7 days (10 hits)          vs `grep -Fic` / `rg -ic` on logs.txt
 *   Q2 `_sourceCategory=prod/api timeout`, last 24 h, newest 100 (fetched as soon as the job has 100)
 *   Q3 count by _sourceCategory, 7 days
 *   Q4 timeslice 1m | count by _timeslice, last 24 h
 *   Q5 parse regex latency | avg, pct 95 by _sourceHost, 7 days
 *
 * against the equivalent hand-written SQL run directly in chDB on a copy of the server's table (the
 * server is stopped once to copy its data directory; chDB locks a directory per process, so the SQL
 * runs in a child process of this script). API and SQL runs alternate, so both see the same load.
 * "fresh" is each query's first run over its range (no query condition cache yet; both sides ran
 * it once over an empty day before, which reads nothing), "repeat" the median of the others; both
 * sides use the engine's default settings. Every API answer is checked against the
 * SQL answer (counts, the newest 100, per-host figures) — a fast wrong answer fails the benchmark.
 * With --lines N only the first N corpus lines are ingested (SQL and grep see the same N).
 * --data DIR keeps the server's data directory there and reuses it (no second ingest) when it already
 * holds this corpus. --settle merges the table first (OPTIMIZE … FINAL: one part per day, a store
 * whose background merges have caught up); without it the table has the parts the receiver wrote.
 */
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createReadStream, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Session } from 'chdb';
import { day, median, range, searchQueries, termWhere, type ApiRun, type MapRow, type Query } from './search-queries.js';
import { sendAll } from './send.js';

// Run as the bench (or its SQL worker). Imported (bench/scale.ts uses the corpus bodies, the Search
// Job API client and the five queries exported below), it reads no arguments and runs nothing.
const invokedAs = process.argv[1];
const isMain = invokedAs !== undefined && import.meta.url === pathToFileURL(invokedAs).href;
const { values } = parseArgs({
  args: isMain ? process.argv.slice(2) : [],
  options: {
    corpus: { type: 'string' },
    lines: { type: 'string' },
    runs: { type: 'string', default: '5' },
    clients: { type: 'string', default: '4' },
    'timeout-s': { type: 'string', default: '600' },
    'text-index': { type: 'string', default: 'text' },
    'sql-worker': { type: 'string' },
    data: { type: 'string' },
    settle: { type: 'boolean', default: false },
  },
});

const log = (message: string): void => void process.stderr.write(`bench:search: ${message}\n`);

// ---------------------------------------------------------------------------------------------------
// SQL worker mode: a child process owning the chDB copy. Reads {sql, params} lines, answers {ms, rows}.
// ---------------------------------------------------------------------------------------------------
if (values['sql-worker']) {
  const session = new Session(values['sql-worker']);
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of input) {
    if (!line) continue;
    const { sql, params } = JSON.parse(line) as { sql: string; params: Record<string, unknown> };
    try {
      const started = performance.now();
      const text = (await session.queryBindAsync(sql, params, { format: 'JSONEachRow' })).text();
      const ms = performance.now() - started;
      const rows = text
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as unknown);
      process.stdout.write(`${JSON.stringify({ ms, rows })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
    }
  }
  session.close();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------
const { freePort, spawnServer, ADMIN_PASSWORD } = await import('../test/support/server.js');
const repo = resolve(import.meta.dirname, '..');
const runs = Math.max(1, Number(values.runs));
const clients = Number(values.clients);
const timeoutMs = Number(values['timeout-s']) * 1000;
const textIndex = values['text-index'] as Parameters<typeof searchQueries>[1];
const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;

export interface Body {
  category: string;
  host: string;
  lines: number;
  data: Buffer;
}

/** The corpus as ~1 MB bodies, one category and host per body (X-Sumo-Category / X-Sumo-Host). */
export async function buildBodies(corpusDir: string, limitLines: number): Promise<Body[]> {
  const open = new Map<string, { category: string; host: string; parts: string[]; size: number }>();
  const bodies: Body[] = [];
  const flush = (key: string): void => {
    const e = open.get(key)!;
    bodies.push({ category: e.category, host: e.host, lines: e.parts.length, data: Buffer.from(e.parts.join('\n') + '\n') });
    open.delete(key);
  };
  const reader = createInterface({ input: createReadStream(join(corpusDir, 'logs.ndjson')), crlfDelay: Infinity });
  let n = 0;
  for await (const line of reader) {
    if (!line) continue;
    if (n++ >= limitLines) break;
    const r = JSON.parse(line) as { sourceCategory: string; sourceHost: string; message: string };
    const key = `${r.sourceCategory}\n${r.sourceHost}`;
    let e = open.get(key);
    if (!e) open.set(key, (e = { category: r.sourceCategory, host: r.sourceHost, parts: [], size: 0 }));
    e.parts.push(r.message);
    e.size += r.message.length + 1;
    if (e.size >= 1024 * 1024) flush(key);
  }
  reader.close();
  for (const key of [...open.keys()]) flush(key);
  return bodies;
}

export async function send(url: string, bodies: Body[], limitLines: number): Promise<number> {
  let sent = 0;
  let lastReport = 0;
  const { seconds } = await sendAll(url, bodies, {
    clients,
    request: (body) => ({ body: body.data, headers: { 'x-sumo-category': body.category, 'x-sumo-host': body.host } }),
    onSent: (body) => {
      sent += body.lines;
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        log(`ingested ${sent.toLocaleString('en-US')} / ${limitLines.toLocaleString('en-US')} lines`);
      }
    },
  });
  return seconds;
}

// ---------------------------------------------------------------------------------------------------
// Search Job API client
// ---------------------------------------------------------------------------------------------------
export async function call<T>(base: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: auth, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * create → poll until DONE (or, with `firstMessages`, until the job holds that many) → fetch.
 * Polls every 10 ms: the poll interval bounds the resolution of the measurement.
 */
export async function runApi(base: string, q: Query, firstMessages?: number): Promise<ApiRun> {
  const started = performance.now();
  const { id } = await call<{ id: string }>(base, '/api/v1/search/jobs', { method: 'POST', body: { query: q.query, from: q.from, to: q.to, timeZone: 'UTC' } });
  let status: { state: string; messageCount: number; recordCount: number; pendingErrors: string[] };
  for (;;) {
    status = await call(base, `/api/v1/search/jobs/${id}`);
    if (status.pendingErrors.length > 0) throw new Error(`${q.name}: ${status.pendingErrors.join('; ')}`);
    if (status.state === 'DONE GATHERING RESULTS' || status.state === 'CANCELLED') break;
    if (firstMessages !== undefined && status.messageCount >= firstMessages) break;
    if (performance.now() - started > timeoutMs) {
      await call(base, `/api/v1/search/jobs/${id}`, { method: 'DELETE' }).catch(() => undefined);
      throw new Error(`${q.name}: not done after ${values['timeout-s']} s`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const kind = q.aggregate ? 'records' : 'messages';
  const page = await call<{ messages?: { map: MapRow }[]; records?: { map: MapRow }[] }>(
    base,
    `/api/v1/search/jobs/${id}/${kind}?offset=0&limit=${q.aggregate ? 10_000 : (firstMessages ?? 10_000)}`,
  );
  const ms = performance.now() - started;
  // The full count (for checking) after the clock stopped.
  while (status.state !== 'DONE GATHERING RESULTS' && status.state !== 'CANCELLED') {
    await new Promise((r) => setTimeout(r, 50));
    status = await call(base, `/api/v1/search/jobs/${id}`);
  }
  await call(base, `/api/v1/search/jobs/${id}`, { method: 'DELETE' }).catch(() => undefined);
  return { ms, messageCount: status.messageCount, rows: (page.messages ?? page.records ?? []).map((r) => r.map) };
}

// ---------------------------------------------------------------------------------------------------
// SQL worker client
// ---------------------------------------------------------------------------------------------------
let worker: ChildProcessWithoutNullStreams | undefined;
let workerLines: AsyncIterableIterator<string> | undefined;

async function stopWorker(): Promise<void> {
  const w = worker;
  if (w === undefined) return;
  const exited = new Promise((r) => w.once('exit', r));
  w.stdin.end();
  await exited;
  worker = undefined;
}

function startWorker(dir: string): void {
  worker = spawn(process.execPath, ['--import', 'tsx', join(repo, 'bench/search.ts'), '--sql-worker', dir], { cwd: repo });
  worker.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  workerLines = createInterface({ input: worker.stdout, crlfDelay: Infinity })[Symbol.asyncIterator]();
}

async function sql<T>(text: string, params: Record<string, unknown> = {}): Promise<{ ms: number; rows: T[] }> {
  worker!.stdin.write(`${JSON.stringify({ sql: text, params })}\n`);
  const next = await workerLines!.next();
  if (next.done) throw new Error('the SQL worker exited');
  const answer = JSON.parse(next.value) as { ms: number; rows: T[]; error?: string };
  if (answer.error) throw new Error(`SQL failed: ${answer.error}\n${text}`);
  return answer;
}


// ---------------------------------------------------------------------------------------------------
// Run (corpus, server, the SQL copy) and report
// ---------------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  let corpusDir = values.corpus;
  if (!corpusDir) {
    const lines = values.lines ?? '1000000';
    corpusDir = join(repo, 'bench/out', `corpus-${lines}`);
    if (!existsSync(join(corpusDir, 'logs.ndjson'))) {
      log(`generating a ${lines}-line corpus in ${corpusDir}`);
      execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'bench/corpus.ts'), '--lines', lines, '--out', corpusDir], { stdio: 'inherit' });
    }
  }
  const meta = JSON.parse(readFileSync(join(corpusDir, 'meta.json'), 'utf8')) as {
    lines: number;
    timeRange: { startMs: number; endMs: number };
    needle: { value: string };
  };
  const limitLines = Math.min(meta.lines, Number(values.lines ?? meta.lines));
  const work = mkdtempSync(join(tmpdir(), 'quarry-bench-search-'));

  // The text file grep reads: the corpus's, or its first N lines.
  let textFile = join(corpusDir, 'logs.txt');
  if (limitLines < meta.lines) {
    const cut = join(work, 'logs.txt');
    execFileSync('bash', ['-c', `head -n ${limitLines} "$1" > "$2"`, '_', textFile, cut]);
    textFile = cut;
  }

  const { startMs, endMs } = meta.timeRange;
  const needle = meta.needle.value;
  const queries = searchQueries(meta, textIndex);

  const loadStart = loadavg()[0]!;
  const dataDir = values.data ? resolve(values.data) : join(work, 'server');
  const ingestedMarker = join(dataDir, 'bench-ingested.json');
  const corpusKey = JSON.stringify({ corpus: resolve(corpusDir), lines: limitLines, textIndex: values['text-index'] });
  const marker = existsSync(ingestedMarker) ? (JSON.parse(readFileSync(ingestedMarker, 'utf8')) as { key: string; settled: boolean }) : undefined;
  // A merged table is no longer "as the receiver wrote it": reuse it only for another --settle run.
  const reuse = marker !== undefined && marker.key === corpusKey && (!marker.settled || values.settle === true);
  const serverEnv = { QUARRY_SELF_LOGS: 'false', QUARRY_LOG_LEVEL: 'warn', QUARRY_TEXT_INDEX: values['text-index'] };
  let ingestSeconds = NaN;
  let server: Awaited<ReturnType<typeof spawnServer>>;
  if (reuse) {
    log(`reusing the ingested table in ${dataDir}`);
  } else {
    log(`reading ${limitLines.toLocaleString('en-US')} lines of ${corpusDir} into bodies`);
    const bodies = await buildBodies(corpusDir, limitLines);
    rmSync(dataDir, { recursive: true, force: true });
    server = await spawnServer({ dataDir, port: await freePort(), env: serverEnv });
    const source = await call<{ url: string }>(server.url, '/api/v1/sources', { method: 'POST', body: { name: 'bench', multiline: false } });
    log(`ingesting ${bodies.length} bodies through ${clients} clients`);
    ingestSeconds = await send(source.url, bodies, limitLines);
    log(`ingested in ${ingestSeconds.toFixed(1)} s; copying the table for the SQL baseline`);
    server.process.kill('SIGTERM');
    await server.exited;
    writeFileSync(ingestedMarker, JSON.stringify({ key: corpusKey, settled: false }));
  }
  if (values.settle && !(reuse && marker?.settled === true)) {
    // The worker owns the directory while it merges; the server is stopped.
    startWorker(join(dataDir, 'logs'));
    const started = performance.now();
    await sql('OPTIMIZE TABLE logs FINAL');
    log(`merged the table (OPTIMIZE FINAL) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await stopWorker();
    writeFileSync(ingestedMarker, JSON.stringify({ key: corpusKey, settled: true }));
  }
  const sqlDir = join(work, 'sql-copy');
  cpSync(join(dataDir, 'logs'), sqlDir, { recursive: true });
  server = await spawnServer({ dataDir, port: await freePort(), env: serverEnv });
  startWorker(sqlDir);
  const stored = await sql<{ n: number }>('SELECT count() AS n FROM logs');
  log(`table holds ${stored.rows[0]?.n} rows`);
  // Every line must be one stored message, or every comparison below is about different data.
  const rowsMatch = Number(stored.rows[0]?.n) === limitLines;
  const parts = await sql<{ n: number }>("SELECT count() AS n FROM system.parts WHERE active AND database = currentDatabase() AND table = 'logs'");
  // The same warm-up for the server: the worker's first statements opened the table (no rows read);
  // a search over a day before the corpus does that in the server (and its engine probe) and warms
  // the HTTP path, still reading no rows. Neither side has run a measured query yet ("fresh").
  const emptyRange = { name: 'empty range', query: '* | count', from: startMs - 2 * day, to: startMs - day, aggregate: true } as Query;
  await runApi(server.url, emptyRange);
  // Floors: what a job that reads nothing costs through the API (create, poll, fetch), and a statement
  // that reads nothing through the worker — the part of every ratio below that is not the query.
  const apiFloor: number[] = [];
  const sqlFloor: number[] = [];
  for (let i = 0; i < 5; i++) {
    apiFloor.push((await runApi(server.url, emptyRange)).ms);
    sqlFloor.push((await sql('SELECT 1')).ms);
  }
  // Each query once on both sides over the same empty day, before anything is measured: a serving
  // Quarry has run its code paths before (JIT-compiled), and the worker's statements get the same
  // turn. No part's time range overlaps that day, so no granule is read and no engine cache learns
  // anything about the measured ranges: each query's first measured run is still "fresh".
  for (const q of queries) {
    await runApi(server.url, { ...q, from: startMs - 2 * day, to: startMs - day }, q.firstMessages);
    const s = q.sql();
    await sql(s.text, { ...s.params, from: startMs - 2 * day, to: startMs - day });
  }

  // Baselines on the text file.
  const timeCommand = (cmd: string, args: string[], env: Record<string, string> = {}): { ms: number; out: string } => {
    const started = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, ...env } });
    return { ms: performance.now() - started, out: (r.stdout ?? '').trim() };
  };
  const hasRg = spawnSync('rg', ['--version']).status === 0;

  interface Measured {
    q: Query;
    apiFresh: number;
    apiRepeat: number;
    sqlFresh: number;
    sqlRepeat: number;
    /** the hand-written SQL over the per-minute counts, where the query has one */
    countsFresh: number | undefined;
    countsRepeat: number;
    correct: boolean;
    detail: string;
  }
  const measured: Measured[] = [];
  const grepRuns: number[] = [];
  const grepCRuns: number[] = [];
  const rgRuns: number[] = [];
  let grepCount = '';

  for (const q of queries) {
    const api: number[] = [];
    const db: number[] = [];
    const dbCounts: number[] = [];
    let apiAnswer = '';
    let sqlAnswer = '';
    let error = '';
    for (let i = 0; i < runs; i++) {
      const s = q.sql();
      const sqlRun = await sql<Record<string, unknown>>(s.text, s.params);
      db.push(sqlRun.ms);
      sqlAnswer = q.fromSql(sqlRun.rows);
      if (q.sqlOverCounts !== undefined) {
        const c = q.sqlOverCounts();
        const countsRun = await sql<Record<string, unknown>>(c.text, c.params);
        dbCounts.push(countsRun.ms);
        if (q.fromSql(countsRun.rows) !== sqlAnswer) error = `${q.name}: the SQL over the per-minute counts answers differently`;
      }
      try {
        const apiRun = await runApi(server.url, q, q.firstMessages);
        api.push(apiRun.ms);
        apiAnswer = q.fromApi(apiRun);
      } catch (e) {
        error = String(e).slice(0, 300);
        log(error);
        break;
      }
      if (q === queries[0]) {
        const g = timeCommand('grep', ['-Fic', needle, textFile]);
        grepRuns.push(g.ms);
        grepCount = g.out;
        // In the C locale -i folds ASCII only (enough for the needle) and grep is several times faster.
        const c = timeCommand('grep', ['-Fic', needle, textFile], { LC_ALL: 'C' });
        grepCRuns.push(c.ms);
        if (c.out !== g.out) grepCount = `${g.out} (C locale: ${c.out})`;
        if (hasRg) rgRuns.push(timeCommand('rg', ['-ic', needle, textFile]).ms);
      }
      log(`${q.name}: API ${api.at(-1)?.toFixed(0) ?? '-'} ms, SQL ${db.at(-1)!.toFixed(0)} ms`);
    }
    const correct = error === '' && apiAnswer === sqlAnswer && (q !== queries[0] || grepCount === sqlAnswer.replace('count ', ''));
    let detail = error;
    if (!error && !correct) {
      const a = apiAnswer.split('\n');
      const b = new Set(sqlAnswer.split('\n'));
      const firstDiff = a.find((l) => !b.has(l)) ?? '(API answer is missing lines)';
      detail = `API ≠ SQL (${a.length} vs ${b.size} lines; first API line not in SQL: ${firstDiff.slice(0, 120)})`;
    }
    measured.push({ q, apiFresh: api[0] ?? NaN, apiRepeat: median(api.slice(1)), sqlFresh: db[0]!, sqlRepeat: median(db.slice(1)), countsFresh: dbCounts[0], countsRepeat: median(dbCounts.slice(1)), correct, detail });
  }

  // Q1's floor in this engine (not judged): the cheapest statements that return the 10 hit rows,
  // run directly in chDB. The server's own Q1 statement (from its explain API) reads them through the
  // text index; the key fetch reads them by primary key, located beforehand (what any locator outside
  // the engine would still have to pay). grep divided by the faster of the two bounds what Q1 can
  // reach with no API cost at all.
  const needleFloor: { index: number[]; key: number[] } = { index: [], key: [] };
  {
    const q1 = queries[0]!;
    const explained = await call<{ statements: { sql: string; params: Record<string, unknown> }[] }>(server.url, '/api/v1/search/explain', {
      method: 'POST',
      body: { query: q1.query, from: q1.from, to: q1.to, timeZone: 'UTC' },
    });
    const statement = explained.statements[0]!;
    const r = range(startMs, endMs);
    const t = termWhere(needle, textIndex);
    const columns = statement.sql.slice('SELECT '.length, statement.sql.indexOf(' FROM logs'));
    const keys = await sql<{ p: string; c: string; t: number }>(
      `SELECT partition AS p, source_category AS c, toUnixTimestamp64Milli(ts) AS t FROM logs WHERE ${r.text} AND ${t.text} SETTINGS output_format_json_quote_64bit_integers = 0`,
      { ...r.params, ...t.params },
    );
    const keyParams: Record<string, unknown> = {};
    const byKey = keys.rows
      .map((k, i) => {
        Object.assign(keyParams, { [`p${i}`]: k.p, [`c${i}`]: k.c, [`t${i}`]: Number(k.t) });
        return `(partition = {p${i}:String} AND source_category = {c${i}:String} AND ts = fromUnixTimestamp64Milli({t${i}:Int64}))`;
      })
      .join(' OR ');
    for (let i = 0; i < runs && keys.rows.length > 0; i++) {
      needleFloor.index.push((await sql(statement.sql, statement.params)).ms);
      needleFloor.key.push((await sql(`SELECT ${columns} FROM logs WHERE ${byKey} ORDER BY ts DESC`, keyParams)).ms);
    }
  }

  await stopWorker();
  server.process.kill('SIGTERM');
  await server.exited;
  const loadEnd = loadavg()[0]!;
  rmSync(work, { recursive: true, force: true });

  // ---------------------------------------------------------------------------------------------------
  // Report
  // ---------------------------------------------------------------------------------------------------
  const f = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(0) : '-');
  const x = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}x` : '-');
  console.log(`\ncorpus: ${limitLines.toLocaleString('en-US')} lines from ${corpusDir}; table holds ${stored.rows[0]?.n} rows in ${parts.rows[0]?.n} parts; text index: ${values['text-index']}`);
  console.log(
    reuse
      ? `ingest: reused the table ingested earlier in ${dataDir}`
      : `ingest through the HTTP receiver: ${ingestSeconds.toFixed(1)} s (${Math.round(limitLines / ingestSeconds).toLocaleString('en-US')} lines/s)`,
  );
  console.log(values.settle ? 'table merged before measuring (OPTIMIZE TABLE logs FINAL)' : 'table as the receiver wrote it (merges not forced)');
  console.log(`runs per query: ${runs} (fresh = first run over the range, after one over an empty day; repeat = median of the rest); load average (1 min) ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end`);
  console.log(
    `grep -Fic: ${f(median(grepRuns))} ms in ${process.env.LC_ALL || process.env.LANG || 'the default locale'}, ${f(median(grepCRuns))} ms with LC_ALL=C (count ${grepCount})${hasRg ? `; rg -ic: ${f(median(rgRuns))} ms` : '; rg not installed'}\n`,
  );
  console.log(`floor (median of 5, nothing read): API job ${f(median(apiFloor))} ms, SQL statement ${f(median(sqlFloor))} ms\n`);
  console.log('| query | API fresh ms | SQL fresh ms | API/SQL fresh | API repeat ms | SQL repeat ms | API/SQL repeat | target | result | answers |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  let failed = false;
  for (const m of measured) {
    let pass: boolean;
    let ratioNote = '';
    if (m.q === queries[0]) {
      // Against the faster grep of the two locales: the harder target.
      const speedup = Math.min(median(grepRuns), median(grepCRuns)) / m.apiFresh;
      pass = speedup >= 10;
      ratioNote = ` (grep/API ${x(speedup)})`;
    } else {
      const limit = m.q.target.startsWith('<= 2x') ? 2 : 1.5;
      pass = m.apiFresh / m.sqlFresh <= limit;
    }
    if (!m.correct) failed = true;
    console.log(
      `| ${m.q.name} | ${f(m.apiFresh)} | ${f(m.sqlFresh)} | ${x(m.apiFresh / m.sqlFresh)} | ${f(m.apiRepeat)} | ${f(m.sqlRepeat)} | ${x(m.apiRepeat / m.sqlRepeat)} | ${m.q.target}${ratioNote} | ${pass ? 'PASS' : 'FAIL'} | ${m.correct ? 'equal' : `WRONG: ${m.detail}`} |`,
    );
  }
  if (needleFloor.index.length > 0) {
    const grepMs = Math.min(median(grepRuns), median(grepCRuns));
    const best = Math.min(median(needleFloor.index.slice(1)) || needleFloor.index[0]!, median(needleFloor.key.slice(1)) || needleFloor.key[0]!);
    console.log('\nQ1 in chDB, returning the hit rows (all columns), not judged:');
    console.log(`- the server's statement (text index): fresh ${f(needleFloor.index[0]!)} ms, repeat ${f(median(needleFloor.index.slice(1)))} ms`);
    console.log(`- by primary key, the rows located beforehand: fresh ${f(needleFloor.key[0]!)} ms, repeat ${f(median(needleFloor.key.slice(1)))} ms`);
    console.log(`- grep / the faster repeat: ${x(grepMs / best)} (what Q1 could reach if the API cost nothing; the target is 10x)`);
  }
  const overCounts = measured.filter((m) => m.countsFresh !== undefined);
  if (overCounts.length > 0) {
    // Quarry counts these from the per-minute counts; the targets compare it with SQL over the rows
    // (as the issue states them). Beside it, SQL written against the counts directly.
    console.log('\nhand-written SQL over the per-minute counts (projection minute_counts), not judged:');
    for (const m of overCounts) {
      console.log(`- ${m.q.name}: fresh ${f(m.countsFresh!)} ms (API/it ${x(m.apiFresh / m.countsFresh!)}), repeat ${f(m.countsRepeat)} ms (API/it ${x(m.apiRepeat / m.countsRepeat)})`);
    }
  }
  if (!rowsMatch) {
    failed = true;
    console.log(`\nWRONG: the table holds ${stored.rows[0]?.n} rows for ${limitLines} ingested lines`);
  }
  if (failed) process.exitCode = 1;
}

if (isMain) await main();
