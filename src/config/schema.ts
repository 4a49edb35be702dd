import { z } from 'zod';
import { isPostgresUrl, parseClickHouseUrl } from '../core/connection-url.js';
import { validateTimeZone } from '../core/timestamp.js';

/** One syslog listener port and the source it lands in (absent: `syslog.source`). */
export interface SyslogPortBinding {
  port: number;
  source?: string;
}

/**
 * Parses a syslog port setting: a port, or a comma list of `PORT` / `PORT=SOURCE` (for example
 * `5514=network,5515`). Returns the bindings or a message naming the bad entry.
 */
export function parseSyslogPorts(value: number | string | undefined): { bindings: SyslogPortBinding[] } | { error: string } {
  if (value === undefined) return { bindings: [] };
  if (typeof value === 'number') return { bindings: [{ port: value }] };
  const bindings: SyslogPortBinding[] = [];
  for (const entry of value.split(',')) {
    const [portText = '', ...rest] = entry.split('=');
    const source = rest.join('=').trim();
    const port = Number(portText.trim());
    if (!/^\s*\d+\s*$/.test(portText) || port > 65535) return { error: `"${entry.trim()}" is not PORT or PORT=SOURCE (port 0-65535)` };
    if (rest.length > 0 && source === '') return { error: `"${entry.trim()}" names no source after "="` };
    if (bindings.some((b) => b.port === port && port !== 0)) return { error: `port ${port} is listed twice` };
    bindings.push(source ? { port, source } : { port });
  }
  return { bindings };
}

/** The parts of Quarry a process runs (DESIGN.md §8): any number of each behind a load balancer. */
export const ASSEMBLIES = ['receiver', 'query', 'alerting', 'ui'] as const;
export type Assembly = (typeof ASSEMBLIES)[number];

const assemblyList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((a) => a.trim().toLowerCase()).filter((a) => a !== '') : v),
  z
    .array(z.enum(ASSEMBLIES, { message: `each assembly is one of ${ASSEMBLIES.join(', ')}` }))
    .min(1, `name at least one of ${ASSEMBLIES.join(', ')}`)
    .transform((list) => ASSEMBLIES.filter((a) => list.includes(a))),
);

const syslogPorts = z
  .union([
    z.number().int().min(0).max(65535),
    z.string().superRefine((spec, ctx) => {
      const parsed = parseSyslogPorts(spec);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
    }),
  ])
  .optional();

/** The one configuration schema of `quarry serve`. Every key has a default; env and flags override. */
export const configSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  dataDir: z.string().min(1),
  /**
   * The metadata database: a `postgres://user:password@host:port/database` URL, for nodes that share
   * one (DESIGN.md §8). Absent: SQLite in the data directory. Messages never repeat the value (it
   * holds a password).
   */
  meta: z
    .string()
    .optional()
    .refine((url) => url === undefined || isPostgresUrl(url), 'must be a postgres://user:password@host:port/database URL'),
  /**
   * The log store: a `clickhouse://user:password@host:8123/database` URL (several comma-separated
   * hosts with `?cluster=NAME`: the shards of a cluster), for nodes that share one (DESIGN.md §8;
   * docs/scale-out.md). Absent: the embedded chDB store in the data directory.
   */
  store: z
    .string()
    .optional()
    .superRefine((url, ctx) => {
      if (url === undefined) return;
      try {
        parseClickHouseUrl(url);
      } catch (error) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
      }
    }),
  /**
   * What this process runs: `receiver` (intake: HTTP sources, OTLP, Loki, Elasticsearch, Splunk HEC,
   * syslog), `query` (the Search Job API, logs, live tail), `alerting` (the scheduler: one process
   * of a deployment runs it at a time), `ui` (the web UI and signing in). The management API
   * (sources, users, access keys) is on every process with `query` or `ui`. Default: all of them.
   */
  assemblies: assemblyList,
  /** The base URL other nodes of a deployment reach this process on (default: where it listens). */
  nodeUrl: z.string().url().optional(),
  /**
   * How often a node renews its record and, with `alerting`, the scheduler's lease in the metadata
   * database; a node silent for three heartbeats is gone, and its lease free.
   */
  heartbeatMs: z.coerce.number().int().min(100).max(600_000),
  /** Initial admin password; used only when the data directory is created. */
  adminPassword: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Public base URL printed in ingest URLs (defaults to http://host:port). */
  publicUrl: z.string().url().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Store Quarry's own logs in its store under _sourceCategory=quarry/<component>. */
  selfLogs: z.boolean(),
  /** Full-text index of the log store's messages (docs/storage.md, "Full-text index"). */
  textIndex: z.enum(['text', 'tokenbf', 'none']),
  ingest: z.object({
    /** Largest accepted body after decompression, in bytes. */
    maxBodyBytes: z.coerce.number().int().positive(),
    /** Largest body that is one JSON document (OTLP/JSON, Loki JSON, one Elasticsearch document). */
    maxJsonBodyBytes: z.coerce.number().int().positive(),
    /** Largest decompressed/compressed ratio accepted once a body passes 1 MiB (zip-bomb guard). */
    maxCompressionRatio: z.coerce.number().positive(),
    /** Largest window a zstd frame may declare (bytes); bigger ones are refused before decoding. */
    maxZstdWindowBytes: z.coerce.number().int().min(1024),
    /** Lines waiting for the store at most; beyond it requests get 429. */
    queueMaxLines: z.coerce.number().int().positive(),
    /** Bytes waiting for the store at most; beyond it requests get 429. */
    queueMaxBytes: z.coerce.number().int().positive(),
    /** Largest single append to the store, in bytes of encoded rows. */
    batchMaxBytes: z.coerce.number().int().positive(),
    /** How long a batch may wait for company before it is written (group commit window). */
    flushIntervalMs: z.coerce.number().int().min(0),
    /** fsync every insert (survives power loss, costs throughput). */
    fsync: z.boolean(),
    /** A store append taking longer than this fails the batch (503). */
    appendTimeoutMs: z.coerce.number().int().positive(),
  }),
  /** Syslog listeners (docs/ingest.md, "Syslog"); each is off unless its port is set. */
  syslog: z
    .object({
      /** A port, or `PORT[=SOURCE]` entries separated by commas (one listener each). */
      tcpPort: z.preprocess((v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v), syslogPorts),
      udpPort: z.preprocess((v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v), syslogPorts),
      tlsPort: z.preprocess((v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v), syslogPorts),
      /** PEM certificate (chain) and key files of the TLS listener. */
      tlsCert: z.string().min(1).optional(),
      tlsKey: z.string().min(1).optional(),
      /** Name of the source syslog messages land in. */
      source: z.string().min(1),
      /** Zone of RFC 3164 times without one (IANA name, UTC or ±hh:mm). */
      timeZone: z
        .string()
        .min(1)
        .optional()
        .superRefine((zone, ctx) => {
          const problem = zone === undefined ? undefined : validateTimeZone(zone);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
    })
    .superRefine((syslog, ctx) => {
      if (syslog.tlsPort === undefined) return;
      for (const key of ['tlsCert', 'tlsKey'] as const) {
        if (syslog[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required when syslog.tlsPort is set' });
      }
    }),
  /**
   * Retention (docs/storage.md, "Retention"): with `days` set, the scheduler node drops, at start
   * and then hourly, every whole UTC day of messages older than that many days. Absent: keep
   * everything.
   */
  retention: z.object({
    days: z.coerce
      .number({ message: 'must be a whole number of days, 1 or more (leave it unset to keep everything)' })
      .int('must be a whole number of days, 1 or more (leave it unset to keep everything)')
      .positive('must be a whole number of days, 1 or more (leave it unset to keep everything)')
      .optional(),
  }),
  /** Guards on a search's SQL statements (0 = no limit); a search that hits one ends with an error. */
  search: z.object({
    /** Longest a search's statements may run in all, in ms (rounded up to whole seconds for the engine). */
    queryTimeoutMs: z.coerce.number().int().min(0),
    /** Rows a search's statements may read at most, added up. */
    maxRowsToRead: z.coerce.number().int().min(0),
    /** Memory a statement may use at most, in bytes. */
    maxMemoryBytes: z.coerce.number().int().min(0),
    /** Running searches per user at most; more get 429. */
    maxRunningPerUser: z.coerce.number().int().positive(),
    /**
     * A search over more rows than this runs as statements over time slices (the first of about
     * this many rows), so it never holds the store (ingest, other searches) for long and a cancel
     * stops it between slices.
     */
    sliceRows: z.coerce.number().int().positive(),
    /** Later slices are sized to take about this long of engine time, in ms (0 = every slice holds sliceRows). */
    sliceTargetMs: z.coerce.number().int().min(0),
  }),
  session: z.object({
    /** A browser session unused for this long ends (sign in again). */
    idleTimeoutMs: z.coerce.number().int().positive(),
    /** A browser session ends this long after sign-in, however busy. */
    absoluteTimeoutMs: z.coerce.number().int().positive(),
    /** Failed sign-ins per username and client address within `signInWindowMs` before 429. */
    signInMaxFailures: z.coerce.number().int().positive(),
    signInWindowMs: z.coerce.number().int().positive(),
  }),
});

export type Config = z.infer<typeof configSchema>;

export const defaultConfig: Config = {
  assemblies: [...ASSEMBLIES],
  heartbeatMs: 5_000,
  host: '127.0.0.1',
  port: 7080,
  dataDir: './quarry-data',
  logLevel: 'info',
  selfLogs: true,
  textIndex: 'text',
  ingest: {
    maxBodyBytes: 100 * 1024 * 1024,
    maxJsonBodyBytes: 20 * 1024 * 1024,
    maxCompressionRatio: 200,
    maxZstdWindowBytes: 8 * 1024 * 1024,
    queueMaxLines: 2_000_000,
    queueMaxBytes: 256 * 1024 * 1024,
    batchMaxBytes: 32 * 1024 * 1024,
    flushIntervalMs: 50,
    fsync: false,
    appendTimeoutMs: 60_000,
  },
  syslog: {
    source: 'default',
  },
  // Keep everything unless retention.days is set.
  retention: {},
  search: {
    queryTimeoutMs: 120_000,
    maxRowsToRead: 0,
    maxMemoryBytes: 0,
    maxRunningPerUser: 10,
    sliceRows: 32_768,
    sliceTargetMs: 250,
  },
  session: {
    idleTimeoutMs: 12 * 60 * 60 * 1000,
    absoluteTimeoutMs: 7 * 24 * 60 * 60 * 1000,
    signInMaxFailures: 5,
    signInWindowMs: 15 * 60 * 1000,
  },
};
