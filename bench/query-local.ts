/**
 * Interpreter throughput (lines/s) on 1M Apache access lines (the 10,000-line sample repeated),
 * against grep/awk doing the same count in the same run. Interpreter figures per query:
 * "memory" feeds rows built from lines held in memory (the interpreter alone), "file" streams the file
 * as `quarry query` does (reading + interpreting), without and with timestamp detection
 * ("file+ts", what the CLI does by default). Ratios > 1 mean the interpreter is faster.
 *
 *   npm run bench:query-local [-- --lines 1000000]
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readRows } from '../src/cli/commands/query.js';
import { parseQuery } from '../src/query/index.js';
import { compileQuery, type Row } from '../src/query/interpreter/index.js';

const SAMPLE = join(import.meta.dirname, '../../shared/data/http-access/elastic-apache/apache_logs');
const argLines = process.argv.indexOf('--lines');
const TOTAL = argLines > 0 ? Number(process.argv[argLines + 1]) : 1_000_000;

const sample = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l !== '');

/** One JSON object per Apache line (the fields a JSON access log would carry). */
function toJsonLine(line: string): string {
  const m = /^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) (\S+) "([^"]*)" "([^"]*)"/.exec(line);
  if (m === null) return JSON.stringify({ message: line });
  return JSON.stringify({ ip: m[1], time: m[2], method: m[3], path: m[4], status: m[5], bytes: m[6], referrer: m[7], agent: m[8] });
}

const dir = mkdtempSync(join(tmpdir(), 'quarry-bench-query-'));
const textFile = join(dir, 'apache.log');
const jsonFile = join(dir, 'apache.ndjson');
const repeat = (lines: string[]): string[] => Array.from({ length: TOTAL }, (_, i) => lines[i % lines.length] as string);
const sampleJson = sample.map(toJsonLine);
const textLines = repeat(sample);
const jsonLines = repeat(sampleJson);
// Written block by block: one 230 MB string would leave a large GC debt for the first measurement.
function writeRepeated(path: string, lines: string[]): void {
  const block = lines.join('\n') + '\n';
  writeFileSync(path, '');
  for (let n = 0; n < TOTAL; n += lines.length) appendFileSync(path, n + lines.length <= TOTAL ? block : lines.slice(0, TOTAL - n).join('\n') + '\n');
}
writeRepeated(textFile, sample);
writeRepeated(jsonFile, sampleJson);

// A full GC before each measurement keeps one run's garbage out of the next one's figure.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** In-memory lines as fresh row batches (what a reader hands over, without the I/O). */
async function* memoryRows(lines: readonly string[], limit = lines.length): AsyncGenerator<Row[]> {
  for (let i = 0; i < limit; i += 1000) {
    const batch: Row[] = [];
    for (let j = i; j < Math.min(limit, i + 1000); j++) batch.push({ _raw: lines[j] as string, _messageTime: j, _receiptTime: j, _sourceName: 'bench', _sourceHost: '', _sourceCategory: '' });
    yield batch;
    await Promise.resolve();
  }
}

/** The `quarry query` reader (batched lines; timestamp detection on or off). */
function fileRows(path: string, detectTimestamps: boolean): AsyncIterable<Row[]> {
  return readRows({ files: [path], stdin: process.stdin, boundary: undefined, timeZone: 'UTC', start: Date.now(), from: undefined, to: undefined, detectTimestamps });
}

async function runInterpreter(query: string, input: AsyncIterable<Row[]>): Promise<{ ms: number; rows: Row[] }> {
  const parsed = parseQuery(query);
  if (parsed.query === undefined || parsed.diagnostics.some((d) => d.severity === 'error')) throw new Error(`bad query ${query}`);
  const compiled = compileQuery(parsed.query, { timeZone: 'UTC', now: Date.now() });
  if (!compiled.ok) throw new Error(compiled.error.map((d) => d.message).join('; '));
  gc();
  const t0 = performance.now();
  const rows: Row[] = [];
  for await (const r of compiled.value.runBatches(input)) rows.push(r);
  return { ms: performance.now() - t0, rows };
}

function runShell(script: string): { ms: number; out: string } {
  gc();
  const t0 = performance.now();
  const out = execFileSync('bash', ['-c', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ms: performance.now() - t0, out: out.trim() };
}

interface Case {
  name: string;
  query: string;
  lines: string[];
  file: string;
  baseline: string;
  baselineName: string;
}

const cases: Case[] = [
  {
    name: 'keyword scope (googlebot) | count',
    query: 'googlebot | count',
    lines: textLines,
    file: textFile,
    baseline: `grep -ciw googlebot ${textFile}`,
    baselineName: 'grep -ciw',
  },
  {
    name: 'parse + count by status',
    query: '| parse "\\" * " as status | count by status',
    lines: textLines,
    file: textFile,
    baseline: `awk '{ c[$9]++ } END { for (k in c) print k, c[k] }' ${textFile}`,
    baselineName: 'awk count by $9',
  },
  {
    name: 'parse regex + pct(bytes, 95)',
    query: '| parse regex "\\" (?<status>\\d{3}) (?<bytes>\\d+)" | pct(bytes, 95)',
    lines: textLines,
    file: textFile,
    baseline: `awk '$10 ~ /^[0-9]+$/ { print $10 }' ${textFile} | sort -n | awk '{ a[NR] = $1 } END { print a[int(NR * 0.95 + 0.999)] }'`,
    baselineName: 'awk | sort -n | awk',
  },
  {
    name: 'json "status" + count by status',
    query: '| json "status" | count by status',
    lines: jsonLines,
    file: jsonFile,
    baseline: `awk -F'"status":"' '{ split($2, a, "\\""); c[a[1]]++ } END { for (k in c) print k, c[k] }' ${jsonFile}`,
    baselineName: 'awk -F status',
  },
];

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(`quarry interpreter over ${fmt(TOTAL)} lines (Apache sample ×${Math.round(TOTAL / sample.length)}), node ${process.version}\n`);
console.log(['query', 'memory lines/s', 'file lines/s', 'file+ts lines/s', 'baseline', 'baseline lines/s', 'memory÷base', 'file÷base', 'file+ts÷base'].join(' | '));
try {
  for (const c of cases) {
    await runInterpreter(c.query, memoryRows(c.lines, 200_000)); // warm-up (JIT tiers up)
    const mem = await runInterpreter(c.query, memoryRows(c.lines));
    const file = await runInterpreter(c.query, fileRows(c.file, false));
    const fileTs = await runInterpreter(c.query, fileRows(c.file, true));
    const base = runShell(c.baseline);
    const memRate = (TOTAL / mem.ms) * 1000;
    const fileRate = (TOTAL / file.ms) * 1000;
    const fileTsRate = (TOTAL / fileTs.ms) * 1000;
    const baseRate = (TOTAL / base.ms) * 1000;
    console.log(
      [c.name, fmt(memRate), fmt(fileRate), fmt(fileTsRate), c.baselineName, fmt(baseRate), (memRate / baseRate).toFixed(2), (fileRate / baseRate).toFixed(2), (fileTsRate / baseRate).toFixed(2)].join(' | '),
    );
    const shown = JSON.stringify(mem.rows.slice(0, 3));
    console.log(`    result: ${shown.length > 160 ? shown.slice(0, 160) + '…' : shown}  baseline: ${base.out.split('\n').slice(0, 3).join('; ')}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
