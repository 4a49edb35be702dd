/**
 * Child process of bench/ingest.ts (chDB binds one data directory per process):
 * `--load FILE --db DIR` loads an NDJSON corpus with chDB's own parser into the Quarry table layout;
 * `--db DIR` alone only measures the logs table on disk. Prints one JSON line.
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Session } from 'chdb';
import { createLogsTableSql, logsTable } from '../src/store/chdb/schema.js';

const { values } = parseArgs({ options: { load: { type: 'string' }, db: { type: 'string' } } });
if (!values.db) throw new Error('--db is required');
mkdirSync(values.db, { recursive: true });
const session = new Session(values.db);

async function partStats(): Promise<{ rows: number; bytesOnDisk: number; parts: number }> {
  const result = await session.queryAsync(
    `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes, count() AS parts FROM system.parts
     WHERE active AND database = currentDatabase() AND table = '${logsTable}'`,
    { format: 'JSONEachRow' },
  );
  const row = JSON.parse(result.text().trim() || '{}') as { rows?: string; bytes?: string; parts?: string };
  return { rows: Number(row.rows ?? 0), bytesOnDisk: Number(row.bytes ?? 0), parts: Number(row.parts ?? 0) };
}

let output: Record<string, unknown> = {};
if (values.load) {
  // The same full-text index as the server under test (QUARRY_TEXT_INDEX reaches both through the environment).
  const kind = process.env.QUARRY_TEXT_INDEX;
  await session.queryAsync(createLogsTableSql(kind === 'text' || kind === 'tokenbf' || kind === 'none' ? { textIndex: kind } : {}));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await session.queryAsync(
    `INSERT INTO ${logsTable} (ts, receipt_ts, partition, source_category, source_host, source_name, collector, source, fields, message, size, format)
     SELECT fromUnixTimestamp64Milli(ts), now64(3), 'default', sourceCategory, sourceHost, 'Http Input', 'http', 'bench', map(), message, length(message), ''
     FROM file('${values.load.replace(/'/g, "\\'")}', JSONEachRow, 'ts Int64, sourceCategory String, sourceHost String, message String')
     SETTINGS max_partitions_per_insert_block = 0`,
  );
  const seconds = (performance.now() - started) / 1000;
  // CPU of all the engine's threads (it runs in this process): what the load costs, whatever else runs.
  const cpu = process.cpuUsage(cpuBefore);
  output = { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
await session.queryAsync(`OPTIMIZE TABLE ${logsTable} FINAL`).catch(() => undefined);
output = { ...output, ...(await partStats()) };
session.close();
process.stdout.write(`${JSON.stringify(output)}\n`);
