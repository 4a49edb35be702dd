import { createServer, Socket, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouseLogStore } from '../../src/store/clickhouse/clickhouse-log-store.js';
import type { ClickHouseHost } from '../../src/store/clickhouse/http.js';
import { isStoreError } from '../../src/store/store-error.js';
import { clickhouseJsonRows, startClickHouse, startClickHouseCluster, type ClickHouseNode } from '../support/clickhouse.js';
import { batchOf, describeLogStoreConformance } from './log-store.case.js';

/** The ClickHouse server adapter on Debian's 18.16, as one server and as a 2-shard Distributed cluster. */
const hostOf = (node: ClickHouseNode): ClickHouseHost => ({ url: node.httpUrl, user: node.user, password: node.password, database: 'default' });
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

describeLogStoreConformance('clickhouse 18.16 (one server)', async () => {
  const node = await startClickHouse();
  stops.push(() => node.stop());
  return createClickHouseLogStore({ hosts: [hostOf(node)] });
});

describeLogStoreConformance('clickhouse 18.16 (2 shards)', async () => {
  const cluster = await startClickHouseCluster({ shards: 2 });
  stops.push(() => cluster.stop());
  return createClickHouseLogStore({ hosts: cluster.nodes.map(hostOf), cluster: cluster.clusterName });
});

/** A TCP relay to `port` that can be taken down (connections refused) and brought back on the same port. */
async function relay(port: number): Promise<{ port: number; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenPort = 0;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = new Socket();
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        upstream.connect(port, '127.0.0.1');
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => {
        const address = server!.address();
        listenPort = typeof address === 'object' && address ? address.port : 0;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      // Kept-alive connections too: the shard is gone for every request from now on.
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
      server = undefined;
    });
  await up();
  return { port: listenPort, down, up, close: down };
}

describe('LogStore retention: clickhouse 18.16 (2 shards), one shard down', () => {
  it("drops on the shard that answers, fails as unavailable saying so, and drops the other shard's days once it is back", async () => {
    const cluster = await startClickHouseCluster({ shards: 2 });
    stops.push(() => cluster.stop());
    const [a, b] = cluster.nodes;
    // The store reaches shard b through a relay that can go down (its Distributed table does not).
    const toB = await relay(b!.httpPort);
    stops.push(() => toB.close());
    const store = createClickHouseLogStore({ hosts: [hostOf(a!), { ...hostOf(b!), url: `http://127.0.0.1:${toB.port}` }], cluster: cluster.clusterName });
    await store.open();
    try {
      const at = (d: number, h = 0) => Date.UTC(2026, 2, d, h);
      // Batches go whole to one shard, round robin: days 1 and 3 to a, days 2 and 4 to b.
      for (const d of [1, 2, 3, 4]) await store.append(batchOf(Array.from({ length: d }, (_, i) => ({ time: at(d, i), text: `day ${d} row ${i}` }))));
      await store.append(batchOf([{ time: at(5, 1), text: 'day 5' }]));
      const daysOn = async (node: ClickHouseNode) =>
        (await clickhouseJsonRows<{ p: string }>(node, "SELECT DISTINCT partition AS p FROM system.parts WHERE active AND table = 'logs_local' ORDER BY p")).map((r) => r.p);
      expect(await daysOn(a!)).toEqual(['20260301', '20260303', '20260305']);
      expect(await daysOn(b!)).toEqual(['20260302', '20260304']);

      await toB.down();
      const failure = await store.dropBefore(at(5, 12)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isStoreError(failure) && failure.kind).toBe('unavailable');
      expect((failure as Error).message).toBe(
        `retention: 1 of 2 ClickHouse shards could not be reached (127.0.0.1:${toB.port}); dropped 2 day partitions (4 rows) before 2026-03-05 on the others; the next run drops the rest`,
      );
      expect(await daysOn(a!)).toEqual(['20260305']);
      expect(await daysOn(b!)).toEqual(['20260302', '20260304']);

      await toB.up();
      expect(await store.dropBefore(at(5, 12))).toEqual({ partitions: 2, rows: 6 });
      expect(await daysOn(b!)).toEqual([]);
      expect(await store.count({})).toBe(1);
      expect(await store.dropBefore(at(5, 12))).toEqual({ partitions: 0, rows: 0 });
    } finally {
      await store.close();
    }
  });
});
