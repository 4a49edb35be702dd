/**
 * `quarry query`: runs the Sumo Logic query language over local files or stdin with the streaming
 * interpreter (no server), like grep/agrind. `--check` only validates the query.
 */
import { compileLinearRegex, type LinearRegex } from '../../core/linear-regex.js';
import { createReadStream } from 'node:fs';
import { decodedInput } from '../decoded-input.js';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { detectTimestamp } from '../../core/timestamp.js';
import type { Query } from '../../query/ast.js';
import { parseQuery, renderDiagnostic, type Diagnostic } from '../../query/index.js';
import { compileQuery, InterpreterCode, orderFields, type InterpreterDiagnostic, type QueryContext, type Row, type Value } from '../../query/interpreter/index.js';
import { formatDate } from '../../query/interpreter/date-format.js';
import { isValidTimeZone } from '../../query/interpreter/time-zone.js';
import { ExitCode } from '../exit-codes.js';

/** `--check` exit code: the query is valid but uses something Quarry does not support yet. */
export const EXIT_UNSUPPORTED = 3;

export const OutputFormat = { Table: 'table', Json: 'json', Ndjson: 'ndjson', Csv: 'csv' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** Options of one `quarry query` run (also the programmatic entry for tests). */
export interface QueryCommandOptions {
  query: string;
  files: string[];
  format: OutputFormat;
  from?: string | undefined;
  to?: string | undefined;
  tz?: string | undefined;
  multiline?: string | undefined;
  check: boolean;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** epoch ms; defaults to Date.now() */
  now?: number;
}

const UNSUPPORTED_CODES = new Set(['Q3001', 'Q3002', InterpreterCode.UnsupportedOperator]);
const TIME_FIELDS = new Set(['_messageTime', '_receiptTime', '_timeslice']);

type AnyDiagnostic = Diagnostic | InterpreterDiagnostic;

/** `2024-01-01T00:00:00Z`, epoch ms, `now`, or relative `-15m` / `-2h` / `-1d` (from now). */
export function parseTimeArg(text: string, now: number): number | undefined {
  const s = text.trim();
  if (s === 'now') return now;
  const rel = /^-(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(s);
  if (rel !== null) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(rel[1]) * unit;
  }
  if (/^\d{10,16}$/.test(s)) return Number(s);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

const closedStreams = new WeakSet<Writable>();
const watchedStreams = new WeakSet<Writable>();

/**
 * Writes with backpressure. A reader that went away (`quarry query … | head`) closes the stream
 * quietly: later writes are dropped and the run stops at the next row.
 */
function write(out: Writable, text: string): Promise<void> {
  if (closedStreams.has(out)) return Promise.resolve();
  if (!watchedStreams.has(out)) {
    watchedStreams.add(out);
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') closedStreams.add(out);
      else throw e;
    });
  }
  return new Promise((resolve) => {
    if (out.write(text)) resolve();
    else {
      const done = (): void => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.once('drain', done);
      out.once('close', done);
    }
  });
}

function isClosed(out: Writable): boolean {
  return closedStreams.has(out) || out.destroyed;
}

/**
 * Lines of a stream in batches (one batch per chunk read), without loading the whole input;
 * `\r\n` endings are trimmed. Cheaper per line than node:readline.
 */
export async function* readLineBatches(stream: Readable): AsyncGenerator<string[]> {
  stream.setEncoding('utf8');
  let rest = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (let i = 0; i < lines.length; i++) if ((lines[i] as string).endsWith('\r')) lines[i] = (lines[i] as string).slice(0, -1);
    if (lines.length > 0) yield lines;
  }
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

/** Messages of one source in batches: one per line, or grouped by a multiline boundary regex. */
async function* readMessages(stream: Readable, boundary: LinearRegex | undefined): AsyncGenerator<string[]> {
  if (boundary === undefined) {
    yield* readLineBatches(stream);
    return;
  }
  let pending: string | undefined;
  for await (const lines of readLineBatches(stream)) {
    const out: string[] = [];
    for (const line of lines) {
      if (pending !== undefined && boundary.test(line)) {
        out.push(pending);
        pending = line;
      } else pending = pending === undefined ? line : `${pending}\n${line}`;
    }
    if (out.length > 0) yield out;
  }
  if (pending !== undefined) yield [pending];
}

export interface SourceOptions {
  files: string[];
  /** false skips timestamp detection (`_messageTime` = receipt order) */
  detectTimestamps: boolean;
  stdin: Readable;
  boundary: LinearRegex | undefined;
  timeZone: string;
  start: number;
  from: number | undefined;
  to: number | undefined;
}

/**
 * Rows from files (or stdin): `_sourceName` is the path, `_messageTime` the timestamp found by the
 * shared detector, else the receipt time (run start + message index, which keeps line order).
 */
export async function* readRows(opts: SourceOptions): AsyncGenerator<Row[]> {
  const sources =
    opts.files.length === 0
      ? [{ name: '-', open: (): Readable => decodedInput(opts.stdin, 'stdin') }]
      : opts.files.map((f) => ({ name: f, open: (): Readable => decodedInput(createReadStream(f), f) }));
  const detectOptions = { defaultTimeZone: opts.timeZone, referenceTime: opts.start };
  let index = 0;
  for (const src of sources) {
    for await (const batch of readMessages(src.open(), opts.boundary)) {
      const rows: Row[] = [];
      for (const raw of batch) {
        const receipt = opts.start + index++;
        const t = opts.detectTimestamps ? (detectTimestamp(raw, detectOptions)?.ms ?? receipt) : receipt;
        if (opts.from !== undefined && t < opts.from) continue;
        if (opts.to !== undefined && t >= opts.to) continue;
        rows.push({ _raw: raw, _messageTime: t, _receiptTime: receipt, _sourceName: src.name, _sourceHost: '', _sourceCategory: '' });
      }
      if (rows.length > 0) yield rows;
    }
  }
}

function formatCell(field: string, v: Value, timeZone: string): string {
  if (v === null) return '';
  if (TIME_FIELDS.has(field) && typeof v === 'number') return formatDate(v, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", timeZone);
  return typeof v === 'string' ? v : String(v);
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Ordered plain object for JSON output. */
function toJsonObject(row: Row, fields: readonly string[]): Record<string, Value> {
  const o: Record<string, Value> = {};
  for (const f of fields) o[f] = row[f] ?? null;
  return o;
}

/** Message output fields: extracted fields, or the raw message when none were extracted. */
function messageFields(row: Row): string[] {
  const user = Object.keys(row).filter((k) => !k.startsWith('_'));
  const system = ['_messageTime', '_sourceName', '_raw'].filter((k) => k in row);
  return [...user, ...system];
}

function renderTable(rows: readonly Row[], fields: readonly string[], timeZone: string): string {
  const cells = rows.map((r) => fields.map((f) => formatCell(f, r[f] ?? null, timeZone).replace(/\n/g, '\\n')));
  const widths = fields.map((f, i) => Math.max(f.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (vals: readonly string[]): string => vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(fields), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}

function diagnosticsJson(diags: readonly AnyDiagnostic[]): unknown[] {
  return diags.map((d) => ({ code: d.code, severity: d.severity, message: d.message, span: d.span }));
}

/**
 * Whether the query can observe `_messageTime` (time functions of the pipeline, or messages
 * printed with it). When it cannot, reading skips timestamp detection, which is most of the cost
 * of a simple count.
 */
export function needsMessageTime(query: Query, aggregated: boolean): boolean {
  if (!aggregated) return true;
  const text = JSON.stringify(query);
  return (
    /"_messageTime"|"_receiptTime"/i.test(text) ||
    /"kind":"(Timeslice|Compare|Predict|Outlier|FillMissing)"/.test(text) ||
    /"function":"(most_recent|least_recent|mostrecent|leastrecent)"/.test(text)
  );
}

/** Runs `quarry query`; returns the exit code (never throws for user errors). */
export async function runQueryCommand(opts: QueryCommandOptions): Promise<number> {
  const now = opts.now ?? Date.now();
  const timeZone = opts.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!isValidTimeZone(timeZone)) {
    await write(opts.stderr, `quarry: unknown time zone "${timeZone}"\n`);
    return ExitCode.UserError;
  }
  const from = opts.from === undefined ? undefined : parseTimeArg(opts.from, now);
  const to = opts.to === undefined ? undefined : parseTimeArg(opts.to, now);
  if ((opts.from !== undefined && from === undefined) || (opts.to !== undefined && to === undefined)) {
    await write(opts.stderr, 'quarry: --from/--to take ISO-8601 times, epoch ms, now, or -15m/-2h/-1d\n');
    return ExitCode.UserError;
  }
  let boundary: LinearRegex | undefined;
  if (opts.multiline !== undefined) {
    const compiled = compileLinearRegex(opts.multiline);
    if (!compiled.ok) {
      await write(opts.stderr, `quarry: invalid --multiline regex: ${compiled.message}\n`);
      return ExitCode.UserError;
    }
    boundary = compiled.regex;
  }

  const parsed = parseQuery(opts.query);
  let diagnostics: AnyDiagnostic[] = parsed.diagnostics.filter((d) => d.severity === 'error');
  const query = parsed.query;
  const ctx: QueryContext = { timeZone, now, from, to };
  if (diagnostics.length === 0 && query !== undefined) {
    const files = opts.files;
    if (files.length > 0) ctx.runShifted = (shiftMs, q) => runShiftedOverFiles(q, { ...ctx, files, boundary, shiftMs, stdin: opts.stdin });
    // --check validates against a nominal range so range-dependent stages do not fail the check.
    const checkCtx: QueryContext = opts.check ? { ...ctx, from: from ?? now - 900_000, to: to ?? now, runShifted: ctx.runShifted ?? (() => Promise.resolve([])) } : ctx;
    const compiled = compileQuery(query, checkCtx);
    if (!compiled.ok) diagnostics = compiled.error;
  }

  if (opts.check) {
    const unsupported = diagnostics.filter((d) => UNSUPPORTED_CODES.has(d.code));
    const invalid = diagnostics.length > unsupported.length || query === undefined;
    const code = diagnostics.length === 0 ? ExitCode.Ok : invalid ? ExitCode.UserError : EXIT_UNSUPPORTED;
    if (opts.format === 'json') {
      const names = unsupported.map((d) => opts.query.slice(d.span.start, d.span.end));
      await write(opts.stdout, JSON.stringify({ valid: !invalid, supported: unsupported.length === 0, unsupported: names, diagnostics: diagnosticsJson(diagnostics) }) + '\n');
    } else if (diagnostics.length > 0) {
      await write(opts.stderr, diagnostics.map((d) => renderDiagnostic(opts.query, d as Diagnostic)).join('\n\n') + '\n');
    } else {
      await write(opts.stdout, 'query is valid\n');
    }
    return code;
  }
  if (diagnostics.length > 0 || query === undefined) {
    if (opts.format === 'json') await write(opts.stdout, JSON.stringify({ diagnostics: diagnosticsJson(diagnostics) }) + '\n');
    await write(opts.stderr, diagnostics.map((d) => renderDiagnostic(opts.query, d as Diagnostic)).join('\n\n') + '\n');
    return ExitCode.UserError;
  }

  const compiled = compileQuery(query, ctx);
  if (!compiled.ok) return ExitCode.UserError;
  const aggregated = compiled.value.aggregated;
  const detectTimestamps = from !== undefined || to !== undefined || needsMessageTime(query, aggregated);
  const rows = compiled.value.runBatches(readRows({ files: opts.files, stdin: opts.stdin, boundary, timeZone, start: now, from, to, detectTimestamps }));
  if (opts.format === 'ndjson') {
    for await (const r of rows) {
      await write(opts.stdout, JSON.stringify(toJsonObject(r, aggregated ? orderFields([r], true) : messageFields(r))) + '\n');
      if (isClosed(opts.stdout)) break;
    }
    return ExitCode.Ok;
  }
  if (opts.format === 'table' && !aggregated) {
    // Messages stream: extracted fields as `k=v`, or the raw line when nothing was extracted.
    for await (const r of rows) {
      const user = Object.keys(r).filter((k) => !k.startsWith('_'));
      const text = user.length === 0 ? String(r._raw ?? '') : user.map((k) => `${k}=${formatCell(k, r[k] ?? null, timeZone)}`).join('  ');
      await write(opts.stdout, text + '\n');
      if (isClosed(opts.stdout)) break;
    }
    return ExitCode.Ok;
  }
  const all: Row[] = [];
  for await (const r of rows) all.push(r);
  const fields = aggregated ? orderFields(all, true) : [...new Set(all.flatMap(messageFields))];
  if (opts.format === 'json') {
    await write(opts.stdout, JSON.stringify(all.map((r) => toJsonObject(r, fields)), null, 2) + '\n');
  } else if (opts.format === 'csv') {
    await write(opts.stdout, fields.map(csvCell).join(',') + '\n');
    for (const r of all) {
      await write(opts.stdout, fields.map((f) => csvCell(formatCell(f, r[f] ?? null, timeZone))).join(',') + '\n');
      if (isClosed(opts.stdout)) break;
    }
  } else {
    await write(opts.stdout, renderTable(all, fields, timeZone));
  }
  return ExitCode.Ok;
}

/** compare's re-run: the same files, the range shifted back. */
async function runShiftedOverFiles(
  q: Query,
  o: QueryContext & { files: string[]; boundary: LinearRegex | undefined; shiftMs: number; stdin: Readable },
): Promise<Row[]> {
  const from = o.from === undefined ? undefined : o.from - o.shiftMs;
  const to = o.to === undefined ? undefined : o.to - o.shiftMs;
  const compiled = compileQuery(q, { timeZone: o.timeZone, now: o.now, from, to });
  if (!compiled.ok) return [];
  const out: Row[] = [];
  for await (const r of compiled.value.runBatches(readRows({ files: o.files, stdin: o.stdin, boundary: o.boundary, timeZone: o.timeZone, start: o.now, from, to, detectTimestamps: true }))) out.push(r);
  return out;
}

interface QueryFlags {
  format: string;
  from?: string;
  to?: string;
  tz?: string;
  multiline?: string;
  check?: boolean;
}

/** Registers `quarry query` on the program. */
export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description('run a Sumo Logic query over local files or stdin (one message per line)')
    .argument('<query>', 'the query, e.g. \'error | parse "user=*," as user | count by user\'')
    .argument('[files...]', 'files to read (default: stdin)')
    .option('--format <format>', 'table | json | ndjson | csv', 'table')
    .option('--from <time>', 'start of the range: ISO-8601, epoch ms, now, or -15m/-2h/-1d')
    .option('--to <time>', 'end of the range (exclusive)')
    .option('--tz <zone>', 'IANA time zone for timeslice, formatDate and zone-less timestamps (default: the system zone)')
    .option('--multiline <regex>', 'a line matching this regex starts a new message (others are joined to the previous one)')
    .option('--check', 'only validate: exit 0 valid, 3 valid but unsupported, 1 invalid')
    .action(async (query: string, files: string[], flags: QueryFlags) => {
      const format = flags.format as OutputFormat;
      if (!Object.values(OutputFormat).includes(format)) {
        process.stderr.write(`quarry: unknown --format "${flags.format}" (table, json, ndjson, csv)\n`);
        process.exitCode = ExitCode.UserError;
        return;
      }
      process.exitCode = await runQueryCommand({
        query,
        files,
        format,
        from: flags.from,
        to: flags.to,
        tz: flags.tz,
        multiline: flags.multiline,
        check: flags.check === true,
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
      });
    });
}
