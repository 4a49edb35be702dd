/**
 * `npm run bench:fulltext -- --corpus DIR [--runs 5] [--tokenbf-bytes 65536,262144] [--lines N] [--previous]`
 *
 * Loads the same corpus rows (chDB's own NDJSON reader, the Quarry table layout) into one table per
 * full-text index choice — the `text` index, `tokenbf_v1` at each bloom size, and none; with
 * `--previous` also the layout before the disk work (every token in the text index, messages in
 * ZSTD(1)) — then measures ingest rate, bytes on disk (the index's and the messages' share), and the
 * latency of the searches an index is for: the rare needle (10 case-insensitive hits over 7 days), a
 * common keyword in one category over the last 24 h (newest 100), and a number users often search
 * (`500`, counted over 7 days; too short for the text index, so it shows the cost of a scan). Every
 * query is `narrowing predicate AND exact word-boundary match` exactly as the planner builds it
 * (store/chdb/text-index.ts), with the query condition cache off, median of --runs. Answers are
 * checked to be equal across tables. Finally it prints which predicate forms each index actually
 * serves (EXPLAIN indexes = 1).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Session } from 'chdb';
import { createLogsTableSql } from '../src/store/chdb/schema.js';
import { textIndexExpression, textIndexPredicate, textIndexTokensExpression, type TextIndexKind } from '../src/store/chdb/text-index.js';
import { clickhouseDialect } from '../src/query/sql/dialect.js';
import { param, sql } from '../src/query/sql/tree.js';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    lines: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    'tokenbf-bytes': { type: 'string', default: '65536,262144' },
    keep: { type: 'boolean', default: false },
    previous: { type: 'boolean', default: false },
  },
});
const repo = resolve(import.meta.dirname, '..');
const runs = Math.max(1, Number(values.runs));
const log = (message: string): void => void process.stderr.write(`bench:fulltext: ${message}\n`);

let corpusDir = values.corpus;
if (!corpusDir) {
  corpusDir = join(repo, 'bench/out', `corpus-${values.lines}`);
  if (!existsSync(join(corpusDir, 'logs.ndjson'))) {
    log(`generating a ${values.lines}-line corpus in ${corpusDir}`);
    execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'bench/corpus.ts'), '--lines', values.lines, '--out', corpusDir], { stdio: 'inherit' });
  }
}
const meta = JSON.parse(readFileSync(join(corpusDir, 'meta.json'), 'utf8')) as {
  lines: number;
  timeRange: { endMs: number };
  needle: { value: string; count: number };
};
const ndjson = join(corpusDir, 'logs.ndjson');

interface Layout {
  table: string;
  label: string;
  kind: TextIndexKind;
  tokenbfBytes?: number;
  /** Statements turning the current layout into this one (after CREATE, before the load). */
  alter?: string[];
  /** The index kind whose predicate this layout's index serves, when not `kind`. */
  predicateKind?: TextIndexKind;
}
// The layout before the disk work: every token of the normalised message in the text index (served
// by hasToken, as the tokenbf predicate asks), messages in ZSTD(1), LZ4 for columns without a codec.
const previous: Layout = {
  table: 'ft_previous',
  label: 'previous text',
  kind: 'none',
  predicateKind: 'tokenbf',
  alter: [
    'ALTER TABLE ft_previous MODIFY COLUMN message String CODEC(ZSTD(1))',
    'ALTER TABLE ft_previous RESET SETTING default_compression_codec',
    `ALTER TABLE ft_previous ADD INDEX message_text (${textIndexExpression}) TYPE text(tokenizer = splitByNonAlpha, posting_list_codec = 'bitpacking')`,
  ],
};
const layouts: Layout[] = [
  ...(values.previous ? [previous] : []),
  { table: 'ft_text', label: 'text', kind: 'text' },
  ...values['tokenbf-bytes'].split(',').map((b) => ({
    table: `ft_tokenbf_${b}`,
    label: `tokenbf ${Math.round(Number(b) / 1024)} KiB`,
    kind: 'tokenbf' as const,
    tokenbfBytes: Number(b),
  })),
  { table: 'ft_none', label: 'none', kind: 'none' },
];

const work = mkdtempSync(join(tmpdir(), 'quarry-bench-fulltext-'));
const session = new Session(join(work, 'db'));

async function rows<T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const text = (await session.queryBindAsync(sql, params, { format: 'JSONEachRow' })).text();
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** The exact, case-insensitive word-boundary match (re2 has no lookaround, so the boundary is consumed). */
function exactRegex(term: string): string {
  const escaped = term.replace(/[\\^$.|?*+()[\]{}-]/g, (c) => `\\${c}`);
  return `(?i)(?:^|[^\\p{L}\\p{N}_])${escaped}(?:$|[^\\p{L}\\p{N}_])`;
}

function where(layout: Layout, term: string): { sql: string; params: Record<string, string | number> } {
  const narrowing = textIndexPredicate(term, layout.predicateKind ?? layout.kind);
  const exact = sql`match(message, ${param(exactRegex(term), 'String')})`;
  return clickhouseDialect.render(narrowing === undefined ? exact : sql`${narrowing} AND ${exact}`);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const results: { ms: number; result: T }[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = await fn();
    results.push({ ms: performance.now() - started, result });
  }
  return { ms: median(results.map((r) => r.ms)), result: results[0]!.result };
}

const noCache = 'SETTINGS use_query_condition_cache = 0';
const keyword = 'timeout';
const number = '500';
const category = 'prod/api';
const dayFrom = meta.timeRange.endMs - 24 * 3600 * 1000;

interface Result {
  label: string;
  ingestRate: number;
  seconds: number;
  bytes: number;
  indexBytes: number;
  messageBytes: number;
  needleMs: number;
  needleHits: number;
  keywordMs: number;
  keywordTop: string;
  numberMs: number;
  numberHits: number;
}
const results: Result[] = [];
const startLoad = loadavg()[0]!;

for (const layout of layouts) {
  await session.queryAsync(`DROP TABLE IF EXISTS ${layout.table}`);
  await session.queryAsync(createLogsTableSql({ textIndex: layout.kind, table: layout.table, tokenbfBytes: layout.tokenbfBytes }));
  for (const sql of layout.alter ?? []) await session.queryAsync(sql);
  log(`loading ${meta.lines.toLocaleString('en-US')} lines into ${layout.label} …`);
  const started = performance.now();
  await session.queryAsync(
    `INSERT INTO ${layout.table} (ts, receipt_ts, partition, source_category, source_host, source_name, collector, source, fields, message, size, format)
     SELECT fromUnixTimestamp64Milli(ts), fromUnixTimestamp64Milli(ts), 'default', sourceCategory, sourceHost, '', '', '', map(), message, length(message), ''
     FROM file('${ndjson.replace(/'/g, "\\'")}', JSONEachRow, 'ts Int64, sourceCategory String, sourceHost String, message String')
     SETTINGS max_partitions_per_insert_block = 0`,
  );
  const seconds = (performance.now() - started) / 1000;
  // Sizes after merges, as a table settles (bench:ingest measures the same way).
  await session.queryAsync(`OPTIMIZE TABLE ${layout.table} FINAL`);
  const [parts] = await rows<{ bytes: string; n: string }>(
    `SELECT sum(bytes_on_disk) AS bytes, sum(rows) AS n FROM system.parts WHERE active AND database = currentDatabase() AND table = {t:String}`,
    { t: layout.table },
  );
  const [index] = await rows<{ bytes: string }>(
    `SELECT sum(data_compressed_bytes) AS bytes FROM system.data_skipping_indices WHERE database = currentDatabase() AND table = {t:String}`,
    { t: layout.table },
  );
  const [message] = await rows<{ bytes: string }>(
    `SELECT sum(column_data_compressed_bytes) AS bytes FROM system.parts_columns
     WHERE active AND database = currentDatabase() AND table = {t:String} AND column = 'message'`,
    { t: layout.table },
  );
  const rowsLoaded = Number(parts?.n ?? 0);

  const needle = where(layout, meta.needle.value);
  const needleRun = await timed(() => rows<{ n: string }>(`SELECT count() AS n FROM ${layout.table} WHERE ${needle.sql} ${noCache}`, needle.params));

  const kw = where(layout, keyword);
  const kwRun = await timed(() =>
    rows<{ ms: string; message: string }>(
      `SELECT toUnixTimestamp64Milli(ts) AS ms, message FROM ${layout.table}
       WHERE source_category = {category:String} AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ${kw.sql}
       ORDER BY ts DESC LIMIT 100 ${noCache}`,
      { ...kw.params, category, from: dayFrom },
    ),
  );
  const num = where(layout, number);
  const numberRun = await timed(() => rows<{ n: string }>(`SELECT count() AS n FROM ${layout.table} WHERE ${num.sql} ${noCache}`, num.params));
  results.push({
    label: layout.label,
    ingestRate: rowsLoaded / seconds,
    seconds,
    bytes: Number(parts?.bytes ?? 0),
    indexBytes: Number(index?.bytes ?? 0),
    messageBytes: Number(message?.bytes ?? 0),
    needleMs: needleRun.ms,
    needleHits: Number(needleRun.result[0]?.n ?? 0),
    keywordMs: kwRun.ms,
    keywordTop: JSON.stringify(kwRun.result),
    numberMs: numberRun.ms,
    numberHits: Number(numberRun.result[0]?.n ?? 0),
  });
  log(
    `${layout.label}: ${seconds.toFixed(1)} s load, needle ${needleRun.ms.toFixed(0)} ms, keyword ${kwRun.ms.toFixed(0)} ms, "${number}" ${numberRun.ms.toFixed(0)} ms`,
  );
}

// Which predicate forms does each index serve? Granules read out of all, per form.
const probe = meta.needle.value.split('-')[0]!;
const forms: [string, string][] = [
  ['has(<tokens>, t6)  (planner form, text)', `has(${textIndexTokensExpression}, '${probe.slice(0, 6)}')`],
  ['hasAllTokens(<tokens>, [t6])', `hasAllTokens(${textIndexTokensExpression}, ['${probe.slice(0, 6)}'])`],
  ['hasToken(<expr>, t)  (planner form, tokenbf)', `hasToken(${textIndexExpression}, '${probe}')`],
  ['hasToken(lower(message), t)', `hasToken(lower(message), '${probe}')`],
  ['hasToken(message, t)', `hasToken(message, '${probe}')`],
  ['hasAllTokens(<expr>, [t])', `hasAllTokens(${textIndexExpression}, ['${probe}'])`],
  ["message ILIKE '%t%'", `message ILIKE '%${probe}%'`],
  ["lower(message) LIKE '% t %'", `lower(message) LIKE '% ${probe} %'`],
  ['positionCaseInsensitive(message, t)', `positionCaseInsensitive(message, '${probe}') > 0`],
  ['match(message, (?i)\\bt\\b)', `match(message, '(?i)\\\\b${probe}\\\\b')`],
];
const explainLines: string[] = [];
for (const layout of layouts.filter((l) => l.kind !== 'none' || l.alter)) {
  for (const [label, predicate] of forms) {
    let granules = 'error';
    try {
      const text = (
        await session.queryAsync(
          `EXPLAIN indexes = 1 SELECT count() FROM ${layout.table} WHERE source_category = 'prod/api' AND ${predicate}`,
          { format: 'TSV' },
        )
      ).text();
      const skip = /Skip\n\s+Name: \S+[\s\S]*?Granules: (\d+)\/(\d+)/.exec(text.replace(/\\n/g, '\n'));
      granules = skip ? `index used: ${skip[1]}/${skip[2]} granules` : 'index not used';
    } catch (error) {
      granules = `error: ${String(error).slice(0, 80)}`;
    }
    explainLines.push(`${layout.label.padEnd(16)} ${label.padEnd(42)} ${granules}`);
  }
}
const endLoad = loadavg()[0]!;
session.close();
if (!values.keep) rmSync(work, { recursive: true, force: true });

// Every layout must give the same answers, or the numbers mean nothing.
const wrong = results.filter(
  (r) => r.needleHits !== meta.needle.count || r.keywordTop !== results[0]!.keywordTop || r.numberHits !== results[0]!.numberHits,
);
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
const none = results.find((r) => r.label === 'none')!;
console.log(`\ncorpus: ${meta.lines.toLocaleString('en-US')} lines (${corpusDir}); median of ${runs}; query condition cache off`);
console.log(`load average (1 min): ${startLoad.toFixed(2)} at start, ${endLoad.toFixed(2)} at end\n`);
const ndjsonBytes = statSync(ndjson).size;
console.log(`| index | native ingest lines/s (vs none) | on disk, of NDJSON (index, messages) | needle ms (vs none) | keyword+cat+24h top 100 ms (vs none) | "${number}" over 7 days ms |`);
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.label} | ${Math.round(r.ingestRate).toLocaleString('en-US')} (${(r.ingestRate / none.ingestRate).toFixed(2)}×) | ${mb(r.bytes)}, 1/${(ndjsonBytes / r.bytes).toFixed(1)} (${mb(r.indexBytes)}, ${mb(r.messageBytes)}) | ${r.needleMs.toFixed(0)} (${(none.needleMs / r.needleMs).toFixed(1)}× faster) | ${r.keywordMs.toFixed(0)} (${(none.keywordMs / r.keywordMs).toFixed(1)}× faster) | ${r.numberMs.toFixed(0)} |`,
  );
}
console.log(`\nneedle hits: ${results.map((r) => `${r.label}=${r.needleHits}`).join(', ')} (expected ${meta.needle.count})`);
console.log(`"${number}" hits: ${results.map((r) => `${r.label}=${r.numberHits}`).join(', ')}`);
console.log(`keyword newest-100 identical across layouts: ${wrong.length === 0 ? 'yes' : `NO (${wrong.map((r) => r.label).join(', ')})`}`);
console.log(`\nPredicate forms served by each index (EXPLAIN indexes = 1, prod/api, token "${probe}"):`);
for (const line of explainLines) console.log(line);
if (wrong.length > 0) process.exitCode = 1;
