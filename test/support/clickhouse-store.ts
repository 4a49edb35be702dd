/** A ClickHouse server log store on throwaway 18.16 servers (one, or a cluster of shards), for tests that store rows and search them. */
import { createClickHouseLogStore } from '../../src/store/clickhouse/clickhouse-log-store.js';
import type { ClickHouseHost } from '../../src/store/clickhouse/http.js';
import { startClickHouse, startClickHouseCluster, type ClickHouseNode } from './clickhouse.js';
import type { TempStore } from './temp-store.js';

export const clickhouseHostOf = (node: ClickHouseNode): ClickHouseHost => ({ url: node.httpUrl, user: node.user, password: node.password, database: 'default' });

/** Opens a ClickHouse store on new servers: `shards` 1 is a single server, more a Distributed cluster. */
export async function openClickHouseTempStore(shards = 1): Promise<TempStore> {
  const servers =
    shards === 1
      ? await startClickHouse().then((node) => ({ nodes: [node], cluster: undefined, stop: () => node.stop(), dir: node.dir }))
      : await startClickHouseCluster({ shards }).then((c) => ({ nodes: c.nodes, cluster: c.clusterName, stop: () => c.stop(), dir: c.nodes[0]!.dir }));
  const store = createClickHouseLogStore({ hosts: servers.nodes.map(clickhouseHostOf), ...(servers.cluster ? { cluster: servers.cluster } : {}) });
  try {
    await store.open();
  } catch (error) {
    await servers.stop();
    throw error;
  }
  return {
    store,
    dir: servers.dir,
    async dispose() {
      await store.close();
      await servers.stop();
    },
  };
}
