/**
 * Database connection URLs as Quarry shows them: never with their password (config validates them,
 * the adapter connects with them, the composition roots print them). Masking works on the text, so
 * it also covers URLs the URL parser refuses.
 */

const MASK = '***';
/** `scheme://user:` then the password, up to the last `@` (over-masking is the safe side). */
const USERINFO_PASSWORD = /^([a-z][\w+.-]*:\/\/[^:/@]*):(.*)@/i;
const QUERY_PASSWORD = /([?&]password=)([^&#]*)/gi;

/**
 * Whether `url` is a `postgres://` (or `postgresql://`) URL the driver can read, including the
 * unix-socket form without a host (`postgres://user@/db?host=/run/postgresql`).
 */
export function isPostgresUrl(url: string): boolean {
  for (const candidate of [url, url.replace('@/', '@localhost/')]) {
    try {
      const { protocol } = new URL(candidate);
      return protocol === 'postgres:' || protocol === 'postgresql:';
    } catch {
      // try the next form
    }
  }
  return false;
}

/** The URL with its password (user info or `?password=`) replaced by `***`, for messages and logs. */
export function maskConnectionUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, `$1:${MASK}@`).replace(QUERY_PASSWORD, `$1${MASK}`);
}

/** The passwords a URL carries, as written and decoded, so messages can be scrubbed of them. */
export function passwordsOf(url: string): string[] {
  const written = [
    USERINFO_PASSWORD.exec(url)?.[2] ?? '',
    ...[...url.matchAll(QUERY_PASSWORD)].map((m) => m[2] ?? ''),
  ];
  const found = written.flatMap((p) => [p, safeDecode(p)]).filter((p) => p !== '');
  return [...new Set(found)];
}

/** `text` with every occurrence of each secret replaced by `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** One ClickHouse server of a `clickhouse://` URL. */
export interface ClickHouseServerUrl {
  /** `http://host:port` (or https with `?secure=1`) */
  url: string;
  user: string;
  password: string;
  database: string;
}

/** A parsed `clickhouse://` URL: its servers (the shards of `cluster`, in order) and the cluster. */
export interface ClickHouseUrl {
  hosts: ClickHouseServerUrl[];
  cluster?: string;
}

const CLICKHOUSE_URL = /^clickhouse:\/\/(?:([^:@/?#]*)(?::([^@]*))?@)?([^/?#@]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/i;
const HOST_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

/**
 * Reads `clickhouse://user:password@host1:8123,host2:8123/database?cluster=NAME` (the HTTP port;
 * default 8123, user `default`, database `default`; `secure=1` for HTTPS). Several hosts need a
 * cluster: each is one shard of it. Throws a RangeError naming what is wrong (never the password).
 */
export function parseClickHouseUrl(text: string): ClickHouseUrl {
  const m = CLICKHOUSE_URL.exec(text);
  if (!m) throw new RangeError('must be a clickhouse://user:password@host:8123/database URL');
  const [, user = '', password = '', hostList = '', path = '', query = ''] = m;
  const params = new URLSearchParams(query);
  for (const key of params.keys()) {
    if (key !== 'cluster' && key !== 'secure') throw new RangeError(`unknown clickhouse:// URL parameter ${JSON.stringify(key)} (known: cluster, secure)`);
  }
  const database = safeDecode(path) || 'default';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new RangeError(`database name ${JSON.stringify(database)} must be letters, digits and _`);
  const cluster = params.get('cluster') ?? undefined;
  if (cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster)) throw new RangeError(`cluster name ${JSON.stringify(cluster)} must be letters, digits and _`);
  const scheme = params.get('secure') === '1' || params.get('secure') === 'true' ? 'https' : 'http';
  const hosts = hostList.split(',').map((entry) => {
    const hp = HOST_PORT.exec(entry.trim());
    const port = Number(hp?.[2] ?? 8123);
    if (!hp || port < 1 || port > 65535) throw new RangeError(`${JSON.stringify(entry)} is not host or host:port`);
    return { url: `${scheme}://${hp[1]}:${port}`, user: safeDecode(user) || 'default', password: safeDecode(password), database };
  });
  if (hosts.length > 1 && cluster === undefined) throw new RangeError('several ClickHouse hosts are the shards of a cluster: add ?cluster=NAME (its name in remote_servers)');
  return { hosts, ...(cluster !== undefined ? { cluster } : {}) };
}

