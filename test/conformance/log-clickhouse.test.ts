import { afterAll } from 'vitest';
import { createClickHouseLogStore } from '../../src/store/clickhouse/clickhouse-log-store.js';
import type { ClickHouseHost } from '../../src/store/clickhouse/http.js';
import { startClickHouse, startClickHouseCluster, type ClickHouseNode } from '../support/clickhouse.js';
import { describeLogStoreConformance } from './log-store.case.js';

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
