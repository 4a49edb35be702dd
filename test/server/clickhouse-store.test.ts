/**
 * `quarry serve --store clickhouse://…` on a 2-shard ClickHouse 18.16 cluster, as an operator runs
 * it: lines sent to an HTTP source are spread over the shards, and searches (keywords, aggregates
 * the interpreter finishes) read them all back through the Distributed table. A shard that stops
 * takes no batches (the other shard takes them, acknowledged); a search then says the store is
 * unavailable rather than answering from half the data. The password never reaches the output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseCluster, clickhouseJsonRows, type TestClickHouseCluster } from '../support/clickhouse.js';
import { api, createSource, freePort, sharedData, spawnServer, tempDir, waitFor, type ChildServer } from '../support/server.js';

const apacheLines = readFileSync(join(sharedData, 'http-access/elastic-apache/apache_logs'), 'utf8').split('\n').filter(Boolean);
const FROM = '2015-05-17T00:00:00Z';
const TO = '2015-05-21T00:00:00Z';

interface Status {
  state: string;
  messageCount: number;
  recordCount: number;
  pendingErrors: string[];
}

describe('quarry serve on a 2-shard ClickHouse cluster', () => {
  let cluster: TestClickHouseCluster;
  let server: ChildServer;
  let storeUrl: string;

  async function search(query: string): Promise<{ id: string; status: Status }> {
    const created = await api<{ id: string }>(server.url, '/api/v1/search/jobs', { method: 'POST', body: { query, from: FROM, to: TO, timeZone: 'UTC' } });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    let status: Status | undefined;
    await waitFor(async () => {
      status = (await api<Status>(server.url, `/api/v1/search/jobs/${created.body.id}`)).body;
      return status.state !== 'GATHERING RESULTS' && status.state !== 'NOT STARTED';
    }, 60_000, `the search ${query}`);
    return { id: created.body.id, status: status! };
  }

  beforeAll(async () => {
    cluster = await startClickHouseCluster({ shards: 2 });
    const [a, b] = cluster.nodes;
    storeUrl = `clickhouse://${a!.user}:${encodeURIComponent(a!.password)}@127.0.0.1:${a!.httpPort},127.0.0.1:${b!.httpPort}/default?cluster=${cluster.clusterName}`;
    server = await spawnServer({ dataDir: tempDir(), port: await freePort(), args: ['--store', storeUrl] });
  }, 120_000);
  afterAll(async () => {
    server?.process.kill('SIGKILL');
    await server?.exited;
    await cluster?.stop();
  });

  it('stores lines on both shards and searches all of them', async () => {
    const { url } = await createSource(server.url, { name: 'apache', category: 'web/apache', multiline: false });
    // Several requests: each batch goes whole to one shard, round robin.
    const chunk = Math.ceil(apacheLines.length / 4);
    for (let i = 0; i < apacheLines.length; i += chunk) {
      const response = await fetch(url, { method: 'POST', body: apacheLines.slice(i, i + chunk).join('\n') });
      expect(response.status).toBe(200);
    }
    const perShard = await Promise.all(
      cluster.nodes.map(async (node) => Number((await clickhouseJsonRows<{ n: string }>(node, "SELECT count() AS n FROM logs_local WHERE source_category = 'web/apache'"))[0]!.n)),
    );
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(apacheLines.length);
    for (const rows of perShard) expect(rows).toBeGreaterThan(0);

    const kibana = apacheLines.filter((l) => /(^|[^\p{L}\p{N}_])kibana([^\p{L}\p{N}_]|$)/iu.test(l)).length;
    const keyword = await search('_sourceCategory=web/apache kibana');
    expect(keyword.status.pendingErrors).toEqual([]);
    expect(keyword.status.messageCount).toBe(kibana);

    const statuses = new Map<string, number>();
    for (const line of apacheLines) {
      const status = /" (\d{3}) /.exec(line)?.[1];
      if (status !== undefined) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const aggregate = await search('_sourceCategory=web/apache | parse "\\" * " as status | count by status');
    expect(aggregate.status.pendingErrors).toEqual([]);
    const records = await api<{ records: { map: { status: string; _count: string } }[] }>(server.url, `/api/v1/search/jobs/${aggregate.id}/records?offset=0&limit=100`);
    const got = new Map(records.body.records.map((r) => [r.map.status.split(' ')[0]!, Number(r.map._count)]));
    expect(got.get('200')).toBe(statuses.get('200'));
    expect(got.get('404')).toBe(statuses.get('404'));
    expect(server.output()).not.toContain(cluster.nodes[0]!.password);
    expect(server.output()).toContain('Log store: clickhouse://default:***@');
  }, 120_000);

  it('acknowledges batches on the shard that is up while one is down, and a search says the store is unavailable', async () => {
    const { url } = await createSource(server.url, { name: 'during', category: 'web/during', multiline: false });
    await cluster.killNode(1);
    for (let i = 0; i < 4; i++) {
      const response = await fetch(url, { method: 'POST', body: `line ${i} while shard 2 is down` });
      expect(response.status, await response.text()).toBe(200);
    }
    const rows = await clickhouseJsonRows<{ n: string }>(cluster.nodes[0]!, "SELECT count() AS n FROM logs_local WHERE source_category = 'web/during'");
    expect(Number(rows[0]!.n)).toBe(4);
    const job = await search('_sourceCategory=web/during');
    expect(job.status.pendingErrors.join(' ')).toMatch(/not available/);
  }, 120_000);
});
