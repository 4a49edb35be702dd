/**
 * How long an aggregate search takes to answer over the 10,000-line Apache sample, through the
 * Search Job API of an in-process server: create → status until done → the first page of records,
 * and then (a separate request) the first page of the job's messages. Not a test; run with
 *
 *   node --import tsx test/search/measure-aggregate-jobs.ts [runs] [copies]
 *
 * It prints the median and the quartiles per query, in milliseconds. `copies` (default 1) stores
 * the sample that many times (20: 200,000 rows, which the search runs as time slices).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, createSource, sharedData, startTestServer, waitFor } from '../support/server.js';

const LOG = join(sharedData, 'http-access/elastic-apache/apache_logs');
const RANGE = { from: Date.UTC(2015, 4, 17), to: Date.UTC(2015, 4, 21) };
const QUERIES: [string, string][] = [
  ['* | count by _sourcehost', 'UTC'],
  ['_sourceCategory=bench | parse regex "\\" (?<status>\\d{3}) " | count by status', 'UTC'],
  ['* | parse "\\" * " as status | count by status', 'UTC'],
  ['* | timeslice 1h | count by _timeslice', 'UTC'],
  ['* | timeslice 1h | count by _timeslice', 'Europe/Berlin'],
  ['GET | parse "\\" * " as status | where status = "404" | count', 'UTC'],
];

interface Status {
  state: string;
  messageCount: number;
}

function quantiles(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return `${at(0.5).toFixed(0)} (${at(0.25).toFixed(0)}–${at(0.75).toFixed(0)})`;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 15);
  const copies = Number(process.argv[3] ?? 1);
  const server = await startTestServer();
  try {
    const source = await createSource(server.url, { name: 'bench', category: 'bench', multiline: false });
    const lines =
      readFileSync(LOG, 'utf8')
        .split('\n')
        .filter((l) => l !== '').length * copies;
    for (let i = 0; i < copies; i++) await fetch(source.url, { method: 'POST', body: readFileSync(LOG) });
    await waitFor(
      async () => (await runJob(server.url, '_sourceCategory=bench | count', 'UTC')).messageCount === lines,
      60_000,
      'the sample to be searchable',
    );
    for (const [query, timeZone] of QUERIES) {
      const answer: number[] = [];
      const messages: number[] = [];
      let count = 0;
      let firstPage = 0;
      // First the records alone (nobody asks for messages), then with the first page of messages.
      for (const withMessages of [false, true]) {
        for (let i = 0; i < runs + 2; i++) {
          const started = performance.now();
          const { id, messageCount } = await runJob(server.url, query, timeZone);
          await api(server.url, `/api/v1/search/jobs/${id}/records?offset=0&limit=1000`);
          const answered = performance.now();
          if (withMessages) {
            const page = await api<{ messages: unknown[] }>(
              server.url,
              `/api/v1/search/jobs/${id}/messages?offset=0&limit=200`,
            );
            firstPage = page.body.messages.length;
          }
          const listed = performance.now();
          await api(server.url, `/api/v1/search/jobs/${id}`, { method: 'DELETE' });
          // The first two runs warm the caches (row spans, the engine's marks) and are not counted.
          if (i < 2) continue;
          if (withMessages) messages.push(listed - answered);
          else answer.push(answered - started);
          count = messageCount;
        }
      }
      console.log(
        `${query} [${timeZone}]: answer ${quantiles(answer)} ms; then messages page ${quantiles(messages)} ms (${firstPage} of messageCount ${count})`,
      );
    }
  } finally {
    await server.close();
  }
}

async function runJob(
  base: string,
  query: string,
  timeZone: string,
): Promise<{ id: string; messageCount: number }> {
  const created = await api<{ id: string }>(base, '/api/v1/search/jobs', {
    method: 'POST',
    body: { query, ...RANGE, timeZone },
  });
  for (;;) {
    const status = (await api<Status>(base, `/api/v1/search/jobs/${created.body.id}`)).body;
    if (status.state !== 'GATHERING RESULTS' && status.state !== 'NOT STARTED')
      return { id: created.body.id, messageCount: status.messageCount };
  }
}

await main();
