/**
 * Throwaway ClickHouse servers for one test file: Debian's `clickhouse-server` (18.16; scripts/test.sh
 * installs it) run by hand from a temporary directory, listening on 127.0.0.1 only, on free ports,
 * with a password-protected `default` user and small caches. One node (`startClickHouse`) or a
 * cluster of N single-replica shards on loopback that every node knows as `clusterName`, so a
 * `Distributed` table works (`startClickHouseCluster`). What 18.16 supports: docs/clickhouse-18.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export const CLICKHOUSE_SERVER_BIN = '/usr/sbin/clickhouse-server';
const START_TIMEOUT_MS = 30_000;
const USER = 'default';
const CLUSTER_NAME = 'quarry_test';

/** One running server. */
export interface ClickHouseNode {
  /** `http://127.0.0.1:PORT` (no credentials: send `user`/`password`, e.g. with `clickhouseQuery`). */
  readonly httpUrl: string;
  readonly httpPort: number;
  /** The native protocol port (what `remote_servers` and clickhouse-client use). */
  readonly tcpPort: number;
  readonly user: string;
  readonly password: string;
  /** The server's directory: config.xml, users.xml, data/, server.log, server.err.log. */
  readonly dir: string;
  /** Milliseconds from spawn until the server answered /ping. */
  readonly startMs: number;
}

export interface TestClickHouse extends ClickHouseNode {
  /** Kills the server (SIGKILL: see `stop` in spawnNode) and deletes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface TestClickHouseCluster {
  /** Shard i is `nodes[i]`; every node's `remote_servers` lists all of them in this order. */
  readonly nodes: readonly ClickHouseNode[];
  /** The cluster's name in `remote_servers`, for `Distributed(cluster, db, table, key)`. */
  readonly clusterName: string;
  /** Milliseconds until every node answered /ping (they start in parallel). */
  readonly startMs: number;
  /** Kills node `index` (SIGKILL, as a crash), leaving the others running. */
  killNode(index: number): Promise<void>;
  /** Stops node `index` with SIGSTOP: it keeps its connections but answers nothing (until killed). */
  freezeNode(index: number): void;
  /**
   * Starts node `index` again on its directory and ports (killing it first if it still runs), as an
   * operator restarts a crashed shard; resolves once it answers /ping.
   */
  restartNode(index: number): Promise<void>;
  /** Stops every node and deletes their directories. Idempotent. */
  stop(): Promise<void>;
}

/** A ClickHouse error answer over HTTP: the status and the exception code parsed from the body. */
export class ClickHouseHttpError extends Error {
  constructor(
    readonly status: number,
    /** `Code: N` of the body (18.16 has no X-ClickHouse-Exception-Code header); undefined if absent. */
    readonly code: number | undefined,
    readonly body: string,
  ) {
    super(
      `ClickHouse HTTP ${status}${code === undefined ? '' : ` (code ${code})`}: ${body.trim().slice(0, 500)}`,
    );
    this.name = 'ClickHouseHttpError';
  }
}

/** The exception code of an 18.16 error text (`Code: 159, e.displayText() = …`), or undefined. */
export function clickhouseErrorCode(body: string): number | undefined {
  const m = /Code: (\d+)[,.]/.exec(body);
  return m ? Number(m[1]) : undefined;
}

export interface QueryOptions {
  /** Settings as URL parameters (how 18.16 takes per-request settings over HTTP). */
  settings?: Record<string, string | number>;
  /** Data for an INSERT: the statement then goes in the `query` URL parameter. */
  body?: string;
  queryId?: string;
  signal?: AbortSignal;
}

/**
 * Runs one statement over HTTP (POST, basic auth) and returns the response text; a non-2xx answer
 * throws ClickHouseHttpError. An error after the server started streaming rows arrives with status
 * 200 and the exception text at the end of the body, unless the setting `wait_end_of_query=1` is set.
 */
export async function clickhouseQuery(
  node: ClickHouseNode,
  sql: string,
  options: QueryOptions = {},
): Promise<string> {
  const url = new URL(node.httpUrl);
  for (const [name, value] of Object.entries(options.settings ?? {}))
    url.searchParams.set(name, String(value));
  if (options.queryId !== undefined) url.searchParams.set('query_id', options.queryId);
  if (options.body !== undefined) url.searchParams.set('query', sql);
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${node.user}:${node.password}`).toString('base64')}` },
    body: options.body ?? sql,
    signal: options.signal ?? null,
  });
  const text = await response.text();
  if (!response.ok) throw new ClickHouseHttpError(response.status, clickhouseErrorCode(text), text);
  return text;
}

/** The rows of a `FORMAT JSONEachRow` answer. */
export async function clickhouseJsonRows<T = Record<string, unknown>>(
  node: ClickHouseNode,
  sql: string,
  options: QueryOptions = {},
): Promise<T[]> {
  const text = await clickhouseQuery(node, `${sql}\nFORMAT JSONEachRow`, options);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

function requireServer(): void {
  if (!existsSync(CLICKHOUSE_SERVER_BIN))
    throw new Error(
      `ClickHouse is not installed (no ${CLICKHOUSE_SERVER_BIN}): apt-get install clickhouse-server clickhouse-client, or run scripts/test.sh`,
    );
}

interface Ports {
  http: number;
  tcp: number;
}

/** XML text escaping for values put into the configs. */
function xml(value: string | number): string {
  return String(value).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function configXml(dir: string, ports: Ports, cluster: readonly Ports[], password: string): string {
  const shards = cluster
    .map(
      (p) => `
      <shard>
        <internal_replication>false</internal_replication>
        <replica><host>127.0.0.1</host><port>${p.tcp}</port><user>${USER}</user><password>${xml(password)}</password></replica>
      </shard>`,
    )
    .join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level>
    <log>${xml(join(dir, 'server.log'))}</log>
    <errorlog>${xml(join(dir, 'server.err.log'))}</errorlog>
    <size>10M</size>
    <count>1</count>
    <console>0</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <path>${xml(join(dir, 'data'))}/</path>
  <tmp_path>${xml(join(dir, 'tmp'))}/</tmp_path>
  <user_files_path>${xml(join(dir, 'user_files'))}/</user_files_path>
  <format_schema_path>${xml(join(dir, 'format_schemas'))}/</format_schema_path>
  <users_config>${xml(join(dir, 'users.xml'))}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <umask>027</umask>
  <mlock_executable>false</mlock_executable>
  <!-- Small caches: two nodes run beside everything else on 2 shared cores. -->
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>32</max_concurrent_queries>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_table_size_to_drop>0</max_table_size_to_drop>
  <max_partition_size_to_drop>0</max_partition_size_to_drop>
  <remote_servers>
    <${CLUSTER_NAME}>${shards}
    </${CLUSTER_NAME}>
  </remote_servers>
</yandex>
`;
}

function usersXml(password: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>1000000000</max_memory_usage>
      <max_threads>2</max_threads>
      <background_pool_size>2</background_pool_size>
      <background_schedule_pool_size>2</background_schedule_pool_size>
      <use_uncompressed_cache>0</use_uncompressed_cache>
    </default>
  </profiles>
  <users>
    <${USER}>
      <password>${xml(password)}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${USER}>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;
}

interface Spawned {
  node: ClickHouseNode;
  freeze: () => void;
  kill: () => Promise<void>;
  stop: () => Promise<void>;
}

/** Distinct free ports for every node (freePort may hand the same port out twice in a row). */
async function allocatePorts(count: number): Promise<Ports[]> {
  const used = new Set<number>();
  const next = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (!used.has(port)) {
        used.add(port);
        return port;
      }
    }
  };
  const out: Ports[] = [];
  for (let i = 0; i < count; i++) out.push({ http: await next(), tcp: await next() });
  return out;
}

/** Starts a server; on `existingDir` (a killed node's) it starts again on that node's data and config. */
async function spawnNode(
  ports: Ports,
  cluster: readonly Ports[],
  password: string,
  existingDir?: string,
): Promise<Spawned> {
  const dir = existingDir ?? mkdtempSync(join(tmpdir(), 'quarry-ch-'));
  const config = join(dir, 'config.xml');
  if (existingDir === undefined) {
    for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub));
    writeFileSync(config, configXml(dir, ports, cluster, password));
    writeFileSync(join(dir, 'users.xml'), usersXml(password), { mode: 0o600 });
  }

  const started = Date.now();
  // 18.16 runs as root (it does not refuse it, unlike PostgreSQL). setpriv execs the server, so the
  // child is the server itself, and `--pdeathsig` makes the kernel kill it if this process dies
  // without calling stop() (SIGKILL: a throwaway server has nothing to flush).
  const child = spawn(
    'setpriv',
    ['--pdeathsig', 'SIGKILL', CLICKHOUSE_SERVER_BIN, `--config-file=${config}`],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const removeAll = (): void => {
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  const log = (): string => {
    const errLog = join(dir, 'server.err.log');
    const tail = existsSync(errLog) ? readFileSync(errLog, 'utf8').split('\n').slice(-30).join('\n') : '';
    return `${stderr}${tail}`;
  };

  const httpUrl = `http://127.0.0.1:${ports.http}`;
  try {
    await waitUntilReady(child, httpUrl, log, exited);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    removeAll();
    throw error;
  }
  const node: ClickHouseNode = {
    httpUrl,
    httpPort: ports.http,
    tcpPort: ports.tcp,
    user: USER,
    password,
    dir,
    startMs: Date.now() - started,
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // SIGKILL, not SIGTERM: 18.16's graceful shutdown took 8 s (it waits for idle keep-alive
      // connections), and a throwaway server has nothing worth flushing.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      removeAll();
    })();
    return stopping;
  };
  /** SIGKILL, keeping the directory (a shard that dies; stop() still cleans up). */
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const freeze = (): void => void child.kill('SIGSTOP');
  return { node, stop, kill, freeze };
}

/** Resolves once GET /ping answers `Ok.`; a clear error if the server exits or takes too long. */
async function waitUntilReady(
  child: ChildProcess,
  httpUrl: string,
  log: () => string,
  exited: Promise<void>,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  for (;;) {
    if (hasExited)
      throw new Error(
        `clickhouse-server exited during start-up (${child.exitCode ?? child.signalCode}):\n${log()}`,
      );
    try {
      const response = await fetch(`${httpUrl}/ping`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok && (await response.text()).startsWith('Ok.')) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `clickhouse-server did not answer ${httpUrl}/ping within ${START_TIMEOUT_MS} ms:\n${log()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts one fresh server (its `remote_servers` holds `quarry_test` with itself as the one shard). */
export async function startClickHouse(): Promise<TestClickHouse> {
  requireServer();
  const [ports] = await allocatePorts(1);
  const { node, stop } = await spawnNode(ports!, [ports!], randomBytes(12).toString('hex'));
  return { ...node, stop };
}

/**
 * Starts `shards` fresh servers (default 2) in parallel; each knows all of them as the cluster
 * `quarry_test` (one replica per shard, the same user and password on every node).
 */
export async function startClickHouseCluster(
  options: { shards?: number } = {},
): Promise<TestClickHouseCluster> {
  requireServer();
  const started = Date.now();
  const count = options.shards ?? 2;
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`shards must be a positive integer: ${count}`);
  const ports = await allocatePorts(count);
  const password = randomBytes(12).toString('hex');
  const results = await Promise.allSettled(ports.map((p) => spawnNode(p, ports, password)));
  const spawned = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(spawned.map((s) => s.stop()));
    throw failed.reason;
  }
  let stopping: Promise<void> | undefined;
  return {
    nodes: spawned.map((s) => s.node),
    clusterName: CLUSTER_NAME,
    startMs: Date.now() - started,
    killNode: async (index) => {
      const target = spawned[index];
      if (target === undefined) throw new RangeError(`no node ${index} in a cluster of ${spawned.length}`);
      await target.kill();
    },
    freezeNode: (index) => {
      const target = spawned[index];
      if (target === undefined) throw new RangeError(`no node ${index} in a cluster of ${spawned.length}`);
      target.freeze();
    },
    restartNode: async (index) => {
      const target = spawned[index];
      if (target === undefined) throw new RangeError(`no node ${index} in a cluster of ${spawned.length}`);
      await target.kill();
      spawned[index] = await spawnNode(ports[index]!, ports, password, target.node.dir);
    },
    stop: () => (stopping ??= Promise.all(spawned.map((s) => s.stop())).then(() => undefined)),
  };
}
