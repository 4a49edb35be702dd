/**
 * A whole scale-out deployment on one machine, as docs/scale-out.md describes it: PostgreSQL for
 * metadata, a ClickHouse cluster of N shards for logs, Quarry nodes each running some assemblies
 * (by default 2 receivers, 1 query node with the UI, 1 alerting node), and HAProxy in front.
 * Everything listens on loopback, on free ports, in temporary directories, and goes when stop()
 * is called (or when this process dies). Used by test/server/deployment.test.ts and by
 * `npm run deploy:local` (scripts/local-deployment.ts).
 */
import { rmSync } from 'node:fs';
import { startClickHouseCluster, type TestClickHouseCluster } from './clickhouse.js';
import { startHaproxy, type TestHaproxy } from './haproxy.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';
import { freePort, spawnServer, tempDir, type ChildServer } from './server.js';

export interface DeploymentOptions {
  receivers?: number;
  queries?: number;
  alerting?: number;
  shards?: number;
  /** Environment for every Quarry node (e.g. QUARRY_ADMIN_PASSWORD, QUARRY_LOG_LEVEL). */
  env?: Record<string, string>;
  /** Told what is being started. */
  progress?: (step: string) => void;
}

export interface DeploymentNode {
  /** `receiver-1`, `query-1`, `alerting-1` … */
  readonly name: string;
  readonly assemblies: string;
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  /** The running process (replaced by restart()). */
  server: ChildServer;
}

export interface LocalDeployment {
  /** HAProxy's URL: what users and shippers are given. */
  readonly url: string;
  readonly postgres: TestPostgres;
  readonly clickhouse: TestClickHouseCluster;
  readonly haproxy: TestHaproxy;
  /** `--store` and `--meta` of every node (they hold passwords: never print them unmasked). */
  readonly storeUrl: string;
  readonly metaUrl: string;
  readonly nodes: readonly DeploymentNode[];
  node(name: string): DeploymentNode;
  /** SIGKILL, as a crash. */
  kill(name: string): Promise<void>;
  /** Starts the node again (same port and data directory); resolves once it is ready. */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

const ASSEMBLIES = { receiver: 'receiver', query: 'query,ui', alerting: 'alerting' } as const;

/** Starts a deployment (see the file header); on any failure what was started is stopped again. */
export async function startLocalDeployment(options: DeploymentOptions = {}): Promise<LocalDeployment> {
  const progress = options.progress ?? (() => undefined);
  const started: { stop(): Promise<void> }[] = [];
  const nodes: DeploymentNode[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(
      nodes.map(async (n) => (n.server.process.kill('SIGKILL'), await n.server.exited)),
    );
    for (const n of nodes) rmSync(n.dataDir, { recursive: true, force: true });
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    progress(`PostgreSQL and ${options.shards ?? 2} ClickHouse shards`);
    const [postgres, clickhouse] = await Promise.all([
      startTestPostgres(),
      startClickHouseCluster({ shards: options.shards ?? 2 }),
    ]);
    started.push(postgres, clickhouse);
    const first = clickhouse.nodes[0]!;
    const hosts = clickhouse.nodes.map((n) => `127.0.0.1:${n.httpPort}`).join(',');
    const storeUrl = `clickhouse://${first.user}:${encodeURIComponent(first.password)}@${hosts}/default?cluster=${clickhouse.clusterName}`;
    const metaUrl = postgres.url;
    // HAProxy's port is chosen first: every node gives it out as the public URL (ingest URLs, links).
    const lbPort = await freePort();

    const plan: { name: string; assemblies: string }[] = [];
    for (const [kind, count] of [
      ['receiver', options.receivers ?? 2],
      ['query', options.queries ?? 1],
      ['alerting', options.alerting ?? 1],
    ] as const) {
      for (let i = 1; i <= count; i++) plan.push({ name: `${kind}-${i}`, assemblies: ASSEMBLIES[kind] });
    }
    const spawnNode = async (assemblies: string, port: number, dataDir: string): Promise<ChildServer> =>
      spawnServer({
        dataDir,
        port,
        env: { QUARRY_PUBLIC_URL: `http://127.0.0.1:${lbPort}`, ...options.env },
        args: [
          '--store',
          storeUrl,
          '--meta',
          metaUrl,
          '--assemblies',
          assemblies,
          '--node-url',
          `http://127.0.0.1:${port}`,
        ],
      });
    const startNode = async (step: { name: string; assemblies: string }): Promise<DeploymentNode> => {
      const port = await freePort();
      const dataDir = tempDir(`quarry-${step.name}-`);
      const server = await spawnNode(step.assemblies, port, dataDir);
      return { ...step, port, url: `http://127.0.0.1:${port}`, dataDir, server };
    };
    // The first node migrates the metadata database and creates the admin; the rest start together.
    progress(`Quarry node ${plan[0]!.name} (migrates the metadata database)`);
    nodes.push(await startNode(plan[0]!));
    if (plan.length > 1)
      progress(
        `Quarry nodes ${plan
          .slice(1)
          .map((p) => p.name)
          .join(', ')}`,
      );
    nodes.push(...(await Promise.all(plan.slice(1).map(startNode))));

    progress('HAProxy');
    const haproxy = await startHaproxy({
      port: lbPort,
      receivers: nodes.filter((n) => n.assemblies.includes('receiver')).map((n) => `127.0.0.1:${n.port}`),
      queries: nodes.filter((n) => n.assemblies.includes('query')).map((n) => `127.0.0.1:${n.port}`),
    });
    started.push(haproxy);

    const node = (name: string): DeploymentNode => {
      const found = nodes.find((n) => n.name === name);
      if (!found)
        throw new RangeError(`no node ${name}: the nodes are ${nodes.map((n) => n.name).join(', ')}`);
      return found;
    };
    let stopping: Promise<void> | undefined;
    return {
      url: haproxy.url,
      postgres,
      clickhouse,
      haproxy,
      storeUrl,
      metaUrl,
      nodes,
      node,
      kill: async (name) => {
        const target = node(name);
        target.server.process.kill('SIGKILL');
        await target.server.exited;
      },
      restart: async (name) => {
        const target = node(name);
        target.server.process.kill('SIGKILL');
        await target.server.exited;
        target.server = await spawnNode(target.assemblies, target.port, target.dataDir);
      },
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
