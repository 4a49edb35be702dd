import type { Command } from 'commander';
import { AppError, ErrorCode, isAppError } from '../../core/errors.js';
import { renderDiagnostics, type Diagnostic } from '../../query/index.js';
import { ExitCode } from '../exit-codes.js';
import { parseFormat, renderRows, writeOut, type OutputFormat } from '../output.js';
import { callApi, resolveRemote, withRemoteOptions, type Remote, type RemoteOptions } from '../remote.js';
import { withReadableTimes } from '../result-times.js';
import { parseTimeArg } from './query.js';
import { renderExplanation, type Explanation } from '../../search/pushdown/explain.js';

interface SearchFlags extends RemoteOptions {
  from: string;
  to: string;
  tz: string;
  format: string;
  limit: string;
  byReceiptTime?: boolean;
  explain?: boolean;
}

interface JobStatus {
  state: string;
  messageCount: number;
  recordCount: number;
  pendingErrors: string[];
  pendingWarnings: string[];
}

interface ResultPage {
  fields: { name: string }[];
  messages?: { map: Record<string, string> }[];
  records?: { map: Record<string, string> }[];
}

const PAGE = 10_000;

function parseTime(text: string, name: string, now: number): number {
  const t = parseTimeArg(text, now);
  if (t === undefined) throw new AppError(ErrorCode.BadRequest, `--${name}: use now, -15m, -2h, -7d, epoch ms or ISO-8601 (got "${text}")`);
  return t;
}

/** Message columns for a table: the fields the query made, then time and the raw message. */
function messageColumns(fields: readonly string[], format: OutputFormat): string[] {
  if (format !== 'table') return [...fields];
  return [...fields.filter((f) => !f.startsWith('_')), ...['_messagetime', '_raw'].filter((f) => fields.includes(f))];
}

async function fetchAll(remote: Remote, id: string, kind: 'messages' | 'records', limit: number): Promise<{ fields: string[]; rows: Record<string, string>[] }> {
  const rows: Record<string, string>[] = [];
  let fields: string[] = [];
  for (let offset = 0; offset < limit; offset += PAGE) {
    const page = await callApi<ResultPage>(remote, `/api/v1/search/jobs/${id}/${kind}?offset=${offset}&limit=${Math.min(PAGE, limit - offset)}`);
    const items = (kind === 'messages' ? page.messages : page.records) ?? [];
    if (offset === 0) fields = page.fields.map((f) => f.name);
    rows.push(...items.map((i) => i.map));
    if (items.length < PAGE) break;
  }
  return { fields, rows };
}

/** `quarry search`: runs a query on a server through the Search Job API. */
export function registerSearchCommand(program: Command): void {
  const command = program
    .command('search')
    .description('run a query on a Quarry server (Search Job API) and print the results')
    .argument('<query>', 'the query, in the Sumo Logic query language')
    .option('--from <time>', 'start: now, -15m, -2h, -7d, epoch ms or ISO-8601', '-15m')
    .option('--to <time>', 'end (same forms)', 'now')
    .option('--tz <zone>', 'time zone for timeslices, dates and the times printed', 'UTC')
    .option('--format <format>', 'table | json | ndjson | csv; table and csv print times (_messagetime, _receipttime, _timeslice) as ISO-8601 in --tz, json and ndjson keep the API\'s epoch milliseconds', 'table')
    .option('--limit <n>', 'most messages or records to print', '10000')
    .option('--by-receipt-time', 'search by receipt time instead of message time')
    .option('--explain', 'show how the search would run (the SQL, its parameters, what runs in JS) instead of running it');
  withRemoteOptions(command)
    .action(async (query: string, flags: SearchFlags) => {
      const format = parseFormat(flags.format);
      const limit = Number(flags.limit);
      if (!Number.isSafeInteger(limit) || limit < 0) throw new AppError(ErrorCode.BadRequest, '--limit must be a whole number');
      const remote = resolveRemote(flags, process.env);
      const now = Date.now();
      const body = {
        query,
        from: parseTime(flags.from, 'from', now),
        to: parseTime(flags.to, 'to', now),
        timeZone: flags.tz,
        byReceiptTime: flags.byReceiptTime === true,
      };
      let created: { id: string };
      try {
        if (flags.explain === true) {
          const explanation = await callApi<Explanation>(remote, '/api/v1/search/explain', { method: 'POST', body });
          await writeOut(process.stdout, format === 'table' ? `${renderExplanation(explanation)}\n` : `${JSON.stringify(explanation, null, 2)}\n`);
          return;
        }
        created = await callApi<{ id: string }>(remote, '/api/v1/search/jobs', { method: 'POST', body });
      } catch (error) {
        const diagnostics = isAppError(error) ? ((error.details?.body as { diagnostics?: Diagnostic[] } | undefined)?.diagnostics ?? []) : [];
        if (diagnostics.length > 0) {
          process.stderr.write(`${renderDiagnostics(query, diagnostics)}\n`);
          process.exitCode = ExitCode.UserError;
          return;
        }
        throw error;
      }
      const { id } = created;
      let cancelled = false;
      const onInterrupt = (): void => {
        cancelled = true;
        void callApi(remote, `/api/v1/search/jobs/${id}`, { method: 'DELETE' }).finally(() => process.exit(130));
      };
      process.once('SIGINT', onInterrupt);
      const progress = process.stderr.isTTY;
      let status: JobStatus;
      for (;;) {
        const asked = Date.now();
        status = await callApi<JobStatus>(remote, `/api/v1/search/jobs/${id}`);
        for (const w of status.pendingWarnings) process.stderr.write(`warning: ${w}\n`);
        for (const e of status.pendingErrors) process.stderr.write(`error: ${e}\n`);
        if (progress) process.stderr.write(`\r${status.state.toLowerCase()}: ${status.messageCount} messages, ${status.recordCount} records   `);
        if (status.state !== 'GATHERING RESULTS' && status.state !== 'NOT STARTED') break;
        if (cancelled) return;
        // The server holds a status request until the job has news (up to 500 ms), so the next one
        // can follow at once; at most ten a second while results stream in.
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - asked))));
      }
      if (progress) process.stderr.write('\n');
      process.off('SIGINT', onInterrupt);
      const kind = status.recordCount > 0 || (await isAggregate(remote, id)) ? 'records' : 'messages';
      const { fields, rows } = await fetchAll(remote, id, kind, limit);
      const columns = kind === 'messages' ? messageColumns(fields, format) : fields;
      // Times as `quarry query` prints them; json and ndjson keep the API's values (epoch ms).
      const shown = format === 'table' || format === 'csv' ? withReadableTimes(rows, columns, flags.tz) : rows;
      await writeOut(process.stdout, rows.length === 0 && format === 'table' ? '' : renderRows(shown, columns, format));
      // What the printed rows do not say: that nothing matched, or that there is more.
      const total = kind === 'messages' ? status.messageCount : status.recordCount;
      if (rows.length === 0 && status.pendingErrors.length === 0) {
        process.stderr.write(`no ${kind} matched in ${describeRange(body.from, body.to, flags.tz)}\n`);
      } else if (total > rows.length) {
        process.stderr.write(`showing ${rows.length} of ${total} ${kind}: raise --limit (now ${limit}) to see more\n`);
      }
      await callApi(remote, `/api/v1/search/jobs/${id}`, { method: 'DELETE' }).catch(() => undefined);
      if (status.pendingErrors.length > 0) process.exitCode = ExitCode.UserError;
    });
}

async function isAggregate(remote: Remote, id: string): Promise<boolean> {
  try {
    await callApi(remote, `/api/v1/search/jobs/${id}/records?limit=0`);
    return true;
  } catch {
    return false;
  }
}

/** `2026-12-07 13:00:00 – 14:00:00 UTC`-style text of the searched range. */
function describeRange(from: number, to: number, timeZone: string): string {
  const format = (ms: number): string => {
    try {
      return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
    } catch {
      return new Date(ms).toISOString();
    }
  };
  return `${format(from)} – ${format(to)} (${timeZone})`;
}
