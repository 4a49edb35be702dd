/**
 * `npm run bench:scale -- [--lines N] [--corpus DIR] [--runs 5] [--json]`
 *
 * What running Quarry on a 2-shard ClickHouse cluster costs or gains against the embedded chDB
 * store, on the same corpus, measured in one run (ratios from the same minutes):
 *
 * 1. The corpus and the five queries of bench:search (bench/search.ts, bench/corpus.ts): the same
 *    ~1 MB bodies (one category and host each) sent by the same 4 senders.
 * 2. Two `quarry serve` processes as a user runs them: one on the default chDB store, one with
 *    `--store clickhouse://default:PW@127.0.0.1:P1,127.0.0.1:P2/default?cluster=quarry_test` on two
 *    throwaway ClickHouse 18.16 servers (test/support/clickhouse.ts). Each ingests alone (the other
 *    is not running); then both serve the five searches through the Search Job API (create → done
 *    → fetch), alternating chDB and cluster run by run; the table gives medians.
 *    18.16 takes only the time range and the scope (keywords, source category) from the planner
 *    (docs/clickhouse-18.md, the store's capability table): counts, timeslices, parse and
 *    percentiles run in Quarry's interpreter over rows read from the Distributed table. The table
 *    says, per query, what each store was given and what was left to JavaScript.
 * 3. The Distributed layer per query: hand-written 18.16 SQL giving each query's answer, run
 *    directly on shard 1's `logs_local` (half the rows), on both shards' `logs_local` at once (what a
 *    perfect scatter-gather costs), and through `logs` (the Distributed table the server reads), plus
 *    the rows fetch the interpreter lives on. Every Distributed answer is checked against the
 *    cluster's API answer, and the chDB and cluster API answers against each other.
 *
 * Every server and temp directory is removed at the end, on failure and on Ctrl-C.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { quoteString } from '../src/query/sql/dialect.js';
import { localLogsTable, logsTable } from '../src/store/clickhouse/schema.js';
import { clickhouseQuery, startClickHouseCluster, type ClickHouseNode, type TestClickHouseCluster } from '../test/support/clickhouse.js';
import { freePort, spawnServer, type ChildServer } from '../test/support/server.js';
import { writeCorpus, type CorpusMeta } from './corpus.js';
import { median, searchQueries, type ApiRun, type Query } from './search-queries.js';
import { buildBodies, call, runApi, send } from './search.js';

const USAGE = `usage: npm run bench:scale -- [--lines N] [--corpus DIR] [--runs N] [--json]

Quarry on the embedded chDB store vs on a 2-shard ClickHouse 18.16 cluster (quarry serve --store
clickhouse://…?cluster=…), same corpus: ingest through the HTTP receiver, the five bench:search
queries through the Search Job API, and the cost of the Distributed table per query.

  --lines N     corpus lines (default 1,000,000); without --corpus the corpus is bench/out/corpus-N,
                written there first when missing (bench:search uses the same place)
  --corpus DIR  a bench:corpus directory to read (its first N lines with --lines)
  --runs N      runs per query and engine, and per direct statement (default 5); medians reported
  --json        print the results as one JSON object on stdout instead of the tables
  -h, --help    print this and exit

Needs /usr/sbin/clickhouse-server (Debian's clickhouse-server 18.16; scripts/test.sh installs it).`;

function usage(message: string): never {
  process.stderr.write(`bench:scale: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values: { lines?: string; corpus?: string; runs: string; json: boolean; help: boolean };
try {
  values = parseArgs({
    options: {
      lines: { type: 'string' },
      corpus: { type: 'string' },
      runs: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (error) {
  usage((error as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const count = (text: string, what: string): number => {
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1) usage(`${what} must be a positive whole number, got ${JSON.stringify(text)}`);
  return n;
};
const wantLines = values.lines === undefined ? undefined : count(values.lines, '--lines');
const runs = count(values.runs, '--runs');

const began = performance.now();
const log = (message: string): void =>
  void process.stderr.write(`bench:scale [${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

// ---------------------------------------------------------------------------------------------------
// Clean-up: every server and directory this run makes is registered here as soon as it exists, and
// removed (last made, first removed) at the end, on an error and on SIGINT / SIGTERM / SIGHUP.
// ---------------------------------------------------------------------------------------------------
const cleanups: (() => void | Promise<void>)[] = [];
/** Started and not yet registered (a cluster coming up): a signal waits for it, then cleans it too. */
let starting: Promise<unknown> | undefined;
let cleaning: Promise<void> | undefined;
/** Set by a signal: the servers are going away, so the errors that follow are not reported. */
let interrupted = false;

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await starting?.catch(() => undefined);
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        log(`clean-up: ${String(error)}`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping the servers and removing the temp directories (again to force)`);
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

/** SIGKILLs this process's children whose command line holds `arg` (a quarry serve that never got ready). */
function killChildrenWith(arg: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(arg)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

async function stopServer(server: ChildServer): Promise<void> {
  if (server.process.exitCode === null && server.process.signalCode === null) {
    server.process.kill('SIGTERM');
    const force = setTimeout(() => server.process.kill('SIGKILL'), 20_000);
    await server.exited;
    clearTimeout(force);
  }
}

const serverEnv = { QUARRY_SELF_LOGS: 'false', QUARRY_LOG_LEVEL: 'warn' };

/** `quarry serve` on `dataDir` (more flags in `args`), stopped at clean-up. */
async function startQuarry(dataDir: string, args: string[] = []): Promise<{ server: ChildServer; stop: () => Promise<void> }> {
  cleanups.push(() => killChildrenWith(dataDir));
  let server: ChildServer;
  try {
    server = await spawnServer({ dataDir, port: await freePort(), env: serverEnv, args });
  } catch (error) {
    killChildrenWith(dataDir);
    throw error;
  }
  const stop = (): Promise<void> => stopServer(server);
  cleanups.push(stop);
  return { server, stop };
}

// ---------------------------------------------------------------------------------------------------
// Direct statements on the ClickHouse nodes
// ---------------------------------------------------------------------------------------------------
/** Runs one statement over HTTP: its wall time (sent → last byte received) and the answer's text. */
async function chTimed(node: ClickHouseNode, statement: string): Promise<{ ms: number; text: string }> {
  const started = performance.now();
  const text = await clickhouseQuery(node, `${statement}\nFORMAT JSONEachRow`, { settings: { output_format_json_quote_64bit_integers: 0 } });
  return { ms: performance.now() - started, text };
}

const jsonRows = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function chRows(node: ClickHouseNode, statement: string): Promise<Record<string, unknown>[]> {
  return jsonRows((await chTimed(node, statement)).text);
}

/** SELECT statements a node has run since it started (18.16 counts no rows read: no SelectedRows). */
async function selectsRun(node: ClickHouseNode): Promise<number> {
  return Number((await chRows(node, "SELECT value FROM system.events WHERE event = 'SelectQuery'"))[0]?.value ?? 0);
}

/** A case-insensitive whole-word match as 18.16 answers it right: `(?i:…)` around all (docs/clickhouse-18.md). */
const wordMatch = (term: string): string => {
  const escaped = term.replace(/[\\^$.|?*+()[\]{}-]/g, (c) => `\\${c}`);
  return `match(message, ${quoteString(`(?i:(?:^|[^\\p{L}\\p{N}_])${escaped}(?:$|[^\\p{L}\\p{N}_]))`)})`;
};
const keyword = (term: string): string => `positionCaseInsensitive(message, ${quoteString(term)}) > 0 AND ${wordMatch(term)}`;
const LATENCY = quoteString('latency_ms\\W+(\\d+)');
const SCAN_COLUMNS = 'ts, receipt_ts, partition, source_category, source_host, source_name, collector, source, size, format, message, `fields.key` AS fk, `fields.value` AS fv';

interface DirectStatement {
  name: string;
  /** The statement on `table` (logs_local or logs). */
  sql: (table: string) => string;
  /** Its answer as the API answer's text (Query.fromSql of bench:search), or a row count. */
  answer: (rows: Record<string, unknown>[]) => string;
  /** The cluster API answer it must equal (undefined: compared with the stored row count). */
  query?: Query;
}

/**
 * Each query's answer in 18.16 SQL (Int64 ms times, no parameters, `(?i:…)` patterns), written as
 * an expert would against the 18.16 schema, with bench:search's column names so its `fromSql`
 * reads them; and the rows fetch the interpreter reads when the store cannot aggregate.
 */
function directStatements(queries: Query[], day: number): DirectStatement[] {
  const [q1, q2, q3, q4, q5] = queries as [Query, Query, Query, Query, Query];
  const range = (q: Query): string => `ts >= ${q.from} AND ts < ${q.to}`;
  const needle = q1.query.replace(/^"|"$/g, '');
  const latency = `toFloat64(extract(message, ${LATENCY}))`;
  const end = q1.to;
  return [
    { name: q1.name, query: q1, answer: q1.fromSql, sql: (t) => `SELECT count() AS n FROM ${t} WHERE ${range(q1)} AND ${keyword(needle)}` },
    {
      name: q2.name,
      query: q2,
      answer: q2.fromSql,
      sql: (t) => `SELECT ts AS t, message FROM ${t} WHERE source_category = 'prod/api' AND ${range(q2)} AND ${keyword('timeout')} ORDER BY ts DESC LIMIT 100`,
    },
    { name: q3.name, query: q3, answer: q3.fromSql, sql: (t) => `SELECT source_category AS c, count() AS n FROM ${t} WHERE ${range(q3)} GROUP BY c` },
    { name: q4.name, query: q4, answer: q4.fromSql, sql: (t) => `SELECT intDiv(ts, 60000) * 60000 AS s, count() AS n FROM ${t} WHERE ${range(q4)} GROUP BY s` },
    {
      name: q5.name,
      query: q5,
      answer: q5.fromSql,
      sql: (t) =>
        `SELECT source_host AS h, avg(${latency}) AS a, arrayElement(arraySort(groupArray(${latency})), toUInt64(ceil(0.95 * count()))) AS p
         FROM ${t} WHERE ${range(q5)} AND match(message, ${quoteString('latency_ms\\W+\\d')}) GROUP BY h`,
    },
    {
      name: 'rows fetch: all columns, last 24 h, newest first (what the interpreter reads)',
      answer: (rows) => `${rows.length} rows`,
      sql: (t) => `SELECT ${SCAN_COLUMNS} FROM ${t} WHERE ts >= ${end - day} AND ts < ${end} ORDER BY ts DESC`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------------
interface EngineQuery {
  ms: number[];
  answer: string;
  error?: string;
}
interface DirectResult {
  name: string;
  oneShard: number[];
  bothShards: number[];
  distributed: number[];
  answer: string;
  expected: string;
}

const repo = resolve(import.meta.dirname, '..');
const loadStart = loadavg()[0]!;
const day = 24 * 3600 * 1000;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'quarry-bench-scale-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));

  // The corpus: bench:corpus output, made once per size in bench/out (as bench:search does).
  let corpusDir: string;
  if (values.corpus !== undefined) {
    corpusDir = resolve(values.corpus);
  } else {
    const lines = wantLines ?? 1_000_000;
    corpusDir = join(repo, 'bench/out', `corpus-${lines}`);
    if (!existsSync(join(corpusDir, 'meta.json'))) {
      // Written beside and renamed when complete, so an interrupted run leaves no half corpus.
      const partial = `${corpusDir}.partial-${process.pid}`;
      cleanups.push(() => rmSync(partial, { recursive: true, force: true }));
      log(`writing a ${lines.toLocaleString('en-US')}-line corpus to ${corpusDir}`);
      mkdirSync(join(repo, 'bench/out'), { recursive: true });
      await writeCorpus({ lines, outDir: partial, progressEvery: 250_000, onProgress: (n) => log(`corpus: ${n.toLocaleString('en-US')} lines`) });
      rmSync(corpusDir, { recursive: true, force: true });
      renameSync(partial, corpusDir);
    }
  }
  const meta = JSON.parse(readFileSync(join(corpusDir, 'meta.json'), 'utf8')) as CorpusMeta;
  const limitLines = Math.min(meta.lines, wantLines ?? meta.lines);
  const { startMs, endMs } = meta.timeRange;
  const queries = searchQueries(meta);
  const needleHits = meta.needle.lines.filter((i) => i < limitLines).length;

  log(`reading ${limitLines.toLocaleString('en-US')} lines of ${corpusDir} into bodies`);
  const bodies = await buildBodies(corpusDir, limitLines);
  const storedCount = async (server: ChildServer): Promise<number> =>
    (await call<{ count: number }>(server.url, `/api/v1/logs/count?from=${startMs}&to=${endMs}`)).count;
  const ingest = async (name: string, server: ChildServer): Promise<{ seconds: number; stored: number }> => {
    const source = await call<{ url: string }>(server.url, '/api/v1/sources', { method: 'POST', body: { name: 'bench', multiline: false } });
    log(`${name}: ingesting ${bodies.length} bodies (${limitLines.toLocaleString('en-US')} lines) through the HTTP receiver`);
    const seconds = await send(source.url, bodies, limitLines);
    const stored = await storedCount(server);
    log(`${name}: ingested in ${seconds.toFixed(1)} s (${Math.round(limitLines / seconds).toLocaleString('en-US')} lines/s), ${stored.toLocaleString('en-US')} stored`);
    return { seconds, stored };
  };

  // 1. chDB alone: ingest, then stop it while the cluster ingests.
  const chdbDir = join(work, 'chdb-data');
  let chdb = await startQuarry(chdbDir);
  log(`chDB: quarry serve on ${chdb.server.url} (data ${chdbDir})`);
  const chdbIngest = await ingest('chDB', chdb.server);
  await chdb.stop();

  // 2. The cluster alone.
  const clusterStart = startClickHouseCluster({ shards: 2 });
  starting = clusterStart;
  const cluster: TestClickHouseCluster = await clusterStart;
  cleanups.push(() => cluster.stop());
  starting = undefined;
  const nodes = cluster.nodes;
  const [a, b] = nodes as [ClickHouseNode, ClickHouseNode];
  const hosts = `127.0.0.1:${a.httpPort},127.0.0.1:${b.httpPort}`;
  const storeUrl = `clickhouse://${a.user}:${encodeURIComponent(a.password)}@${hosts}/default?cluster=${cluster.clusterName}`;
  log(`cluster: 2 ClickHouse 18.16 shards up in ${cluster.startMs} ms; quarry serve --store clickhouse://${a.user}:***@${hosts}/default?cluster=${cluster.clusterName}`);
  const clustered = await startQuarry(join(work, 'cluster-data'), ['--store', storeUrl]);
  const clusterIngest = await ingest('cluster', clustered.server);
  const perShard = await Promise.all(nodes.map(async (n) => Number((await chRows(n, `SELECT count() AS n FROM ${localLogsTable}`))[0]?.n)));
  const partsPerShard = await Promise.all(
    nodes.map(async (n) => Number((await chRows(n, `SELECT count() AS n FROM system.parts WHERE active AND table = '${localLogsTable}'`))[0]?.n)),
  );
  log(`cluster: rows per shard ${perShard.join(' + ')}, active parts ${partsPerShard.join(' + ')}`);

  // 3. Both serve the searches.
  chdb = await startQuarry(chdbDir);
  log(`chDB: quarry serve again on ${chdb.server.url}`);
  const engines = [
    { name: 'chDB', server: chdb.server },
    { name: 'cluster', server: clustered.server },
  ] as const;

  // What each store is given and what the interpreter finishes (the servers' explain API).
  const plans = await Promise.all(
    queries.map(async (q) =>
      Promise.all(
        engines.map(async (e) => {
          const x = await call<{ pushed: string[]; javascript: string[]; stoppedBecause?: string }>(e.server.url, '/api/v1/search/explain', {
            method: 'POST',
            body: { query: q.query, from: q.from, to: q.to, timeZone: 'UTC' },
          });
          return { pushed: x.pushed, javascript: x.javascript, stoppedBecause: x.stoppedBecause };
        }),
      ),
    ),
  );

  // The same warm-up for both (as bench:search): each query once over a day before the corpus,
  // which reads no rows; then the floor, an API job that reads nothing.
  const empty = (q: Query): Query => ({ ...q, from: startMs - 2 * day, to: startMs - day });
  for (const e of engines) for (const q of queries) await runApi(e.server.url, empty(q), q.firstMessages);
  const floor = { chDB: [] as number[], cluster: [] as number[] };
  for (let i = 0; i < 5; i++) for (const e of engines) floor[e.name].push((await runApi(e.server.url, empty(queries[2]!))).ms);

  const results: { q: Query; chDB: EngineQuery; cluster: EngineQuery; clusterSelects: number }[] = [];
  for (const q of queries) {
    const r = { q, chDB: { ms: [], answer: '' } as EngineQuery, cluster: { ms: [], answer: '' } as EngineQuery, clusterSelects: NaN };
    const selects: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which engine goes first, so neither always runs right after the other.
      for (const e of i % 2 === 0 ? engines : [...engines].reverse()) {
        const into = r[e.name];
        if (into.error !== undefined) continue;
        // The statements the cluster's server sent: the node it reads through counts each once.
        const before = e.name === 'cluster' ? await selectsRun(a) : undefined;
        let run: ApiRun;
        try {
          run = await runApi(e.server.url, q, q.firstMessages);
        } catch (error) {
          if (interrupted) throw error;
          into.error = String(error).slice(0, 300);
          log(`${q.name} on ${e.name}: ${into.error}`);
          continue;
        }
        // Less the counter read itself.
        if (before !== undefined) selects.push((await selectsRun(a)) - before - 1);
        into.ms.push(run.ms);
        const answer = q.fromApi(run);
        if (into.ms.length > 1 && answer !== into.answer) into.error = `answers differ between runs`;
        into.answer = answer;
      }
      log(`${q.name}: chDB ${r.chDB.ms.at(-1)?.toFixed(0) ?? '-'} ms, cluster ${r.cluster.ms.at(-1)?.toFixed(0) ?? '-'} ms`);
    }
    r.clusterSelects = median(selects);
    results.push(r);
  }

  // 4. The Distributed layer, statement by statement.
  const apiAnswer = new Map(results.map((r) => [r.q, r.cluster.answer]));
  const direct: DirectResult[] = [];
  const scanRows = Number((await chRows(a, `SELECT count() AS n FROM ${logsTable} WHERE ts >= ${endMs - day} AND ts < ${endMs}`))[0]?.n);
  for (const s of directStatements(queries, day)) {
    const d: DirectResult = { name: s.name, oneShard: [], bothShards: [], distributed: [], answer: '', expected: s.query ? (apiAnswer.get(s.query) ?? '') : `${scanRows} rows` };
    // Answers are parsed after the clock stops (for both shards: after both arrived).
    const oneShard = async (): Promise<void> => void d.oneShard.push((await chTimed(a, s.sql(localLogsTable))).ms);
    const bothShards = async (): Promise<void> => {
      const started = performance.now();
      await Promise.all(nodes.map((n) => chTimed(n, s.sql(localLogsTable))));
      d.bothShards.push(performance.now() - started);
    };
    const distributed = async (): Promise<void> => {
      const run = await chTimed(a, s.sql(logsTable));
      d.distributed.push(run.ms);
      d.answer = s.answer(jsonRows(run.text));
    };
    // One unmeasured turn each (the shards' caches hold the columns for all three alike), then
    // the three forms in a rotating order.
    await oneShard();
    await bothShards();
    await distributed();
    d.oneShard.length = d.bothShards.length = d.distributed.length = 0;
    const forms = [oneShard, bothShards, distributed];
    for (let i = 0; i < runs; i++) for (let k = 0; k < forms.length; k++) await forms[(i + k) % forms.length]!();
    log(`direct ${s.name}: shard 1 ${median(d.oneShard).toFixed(0)} ms, both shards ${median(d.bothShards).toFixed(0)} ms, Distributed ${median(d.distributed).toFixed(0)} ms`);
    direct.push(d);
  }

  await clustered.stop();
  await chdb.stop();
  const loadEnd = loadavg()[0]!;

  // -------------------------------------------------------------------------------------------------
  // Report
  // -------------------------------------------------------------------------------------------------
  const f = (ms: number): string => (Number.isFinite(ms) ? Math.round(ms).toLocaleString('en-US') : '-');
  const x = (r: number): string => (Number.isFinite(r) ? `${r < 10 ? r.toFixed(2) : r.toFixed(1)}x` : '-');
  const allStored = chdbIngest.stored === limitLines && clusterIngest.stored === limitLines && perShard.reduce((s, n) => s + n, 0) === limitLines;
  let failed = !allStored;
  const rows = results.map((r) => {
    const chdbMs = median(r.chDB.ms);
    const clusterMs = median(r.cluster.ms);
    const errors = [r.chDB.error && `chDB: ${r.chDB.error}`, r.cluster.error && `cluster: ${r.cluster.error}`].filter(Boolean);
    const equal = errors.length === 0 && r.chDB.answer === r.cluster.answer && (r.q !== queries[0] || r.chDB.answer === `count ${needleHits}`);
    if (!equal) failed = true;
    const answers = equal ? 'equal' : errors.length > 0 ? `ERROR ${errors.join('; ')}` : `DIFFER (chDB ${r.chDB.answer.split('\n').length} lines, cluster ${r.cluster.answer.split('\n').length})`;
    return { name: r.q.name, chdbMs, clusterMs, ratio: clusterMs / chdbMs, answers, clusterStatements: r.clusterSelects, runs: { chDB: r.chDB.ms, cluster: r.cluster.ms } };
  });
  const directRows = direct.map((d) => {
    const one = median(d.oneShard);
    const both = median(d.bothShards);
    const dist = median(d.distributed);
    const equal = d.answer === d.expected && d.expected !== '';
    if (!equal) failed = true;
    return { name: d.name, oneShardMs: one, bothShardsMs: both, distributedMs: dist, overShardMs: dist - one, overShardRatio: dist / one, overBothMs: dist - both, overBothRatio: dist / both, answer: equal ? 'equal' : 'DIFFERS', runs: { oneShard: d.oneShard, bothShards: d.bothShards, distributed: d.distributed } };
  });
  const ingestRate = { chDB: limitLines / chdbIngest.seconds, cluster: limitLines / clusterIngest.seconds };

  if (values.json) {
    console.log(
      JSON.stringify(
        {
          corpus: corpusDir,
          lines: limitLines,
          runs,
          loadAverage: { start: loadStart, end: loadEnd },
          ingest: { chDB: { seconds: chdbIngest.seconds, linesPerSecond: ingestRate.chDB, stored: chdbIngest.stored }, cluster: { seconds: clusterIngest.seconds, linesPerSecond: ingestRate.cluster, stored: clusterIngest.stored, perShard, activeParts: partsPerShard } },
          floorMs: { chDB: median(floor.chDB), cluster: median(floor.cluster) },
          queries: rows.map((r, i) => ({ ...r, query: queries[i]!.query, plan: { chDB: plans[i]![0], cluster: plans[i]![1] } })),
          distributed: directRows,
          ok: !failed,
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`\ncorpus: ${limitLines.toLocaleString('en-US')} lines of ${corpusDir}; ${runs} runs per query and engine (medians), chDB and cluster alternating`);
    console.log(`load average (1 min): ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (2 cores shared: read the ratios)`);
    console.log(`cluster: 2 shards of ClickHouse 18.16 on this machine (max_threads 2 each); rows per shard ${perShard.map((n) => n.toLocaleString('en-US')).join(' + ')}, active parts ${partsPerShard.join(' + ')}\n`);
    console.log('| phase | chDB | 2-shard cluster | cluster/chDB | answers | cluster: statements per run |');
    console.log('|---|---:|---:|---:|---|---:|');
    console.log(
      `| ingest, lines/s (HTTP receiver, 4 senders) | ${f(ingestRate.chDB)} | ${f(ingestRate.cluster)} | ${x(ingestRate.cluster / ingestRate.chDB)} (rate: > 1 is faster) | ${allStored ? 'all stored' : `STORED chDB ${chdbIngest.stored}, cluster ${clusterIngest.stored}`} | |`,
    );
    console.log(`| empty search (API floor), ms | ${f(median(floor.chDB))} | ${f(median(floor.cluster))} | ${x(median(floor.cluster) / median(floor.chDB))} | | |`);
    for (const r of rows) console.log(`| ${r.name}, ms | ${f(r.chdbMs)} | ${f(r.clusterMs)} | ${x(r.ratio)} | ${r.answers} | ${f(r.clusterStatements)} |`);
    console.log('\nwhat each store ran in SQL and what the interpreter finished (the servers\' explain API):');
    const plan = (p: { pushed: string[]; javascript: string[]; stoppedBecause?: string }): string =>
      `SQL ${p.pushed.join(', ')}${p.javascript.length ? `; interpreter: ${p.javascript.join('; ')}${p.stoppedBecause ? ` (${p.stoppedBecause})` : ''}` : '; nothing left to the interpreter'}`;
    plans.forEach(([c, k], i) => console.log(`- ${queries[i]!.name}\n  - chDB: ${plan(c!)}\n  - cluster: ${plan(k!)}`));
    console.log(`\nDistributed layer: each query's answer as hand-written 18.16 SQL, run directly (${runs} runs, medians, ms)\n`);
    const over = (ms: number, ratio: number): string => `${ms >= 0 ? '+' : '−'}${f(Math.abs(ms))} (${x(ratio)})`;
    console.log('| statement | shard 1 `logs_local` | both `logs_local` at once | `logs` (Distributed) | Distributed − shard 1 (ratio) | Distributed − both at once (ratio) | answer vs cluster API |');
    console.log('|---|---:|---:|---:|---:|---:|---|');
    for (const d of directRows)
      console.log(`| ${d.name} | ${f(d.oneShardMs)} | ${f(d.bothShardsMs)} | ${f(d.distributedMs)} | ${over(d.overShardMs, d.overShardRatio)} | ${over(d.overBothMs, d.overBothRatio)} | ${d.answer} |`);
  }
  if (failed) {
    process.stderr.write('bench:scale: WRONG: an answer differs or rows are missing (see the tables)\n');
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  if (!interrupted) process.stderr.write(`bench:scale: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
