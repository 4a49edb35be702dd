import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { pino, multistream, destination, type StreamEntry } from 'pino';
import { Authenticator } from '../auth/authenticate.js';
import { parseSyslogPorts, type Config } from '../config/schema.js';
import { AppError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { buildApp, type AppState } from '../http/app.js';
import { AppendBatcher } from '../ingest/append-batcher.js';
import { SourceService } from '../ingest/source-service.js';
import { defaultSearchOptions, SearchService } from '../search/search-service.js';
import type { MetaStore } from '../meta/meta-store.js';
import type { LogStore } from '../store/log-store.js';
import { reportBackgroundWork } from './background-work.js';
import { bootstrap, type BootstrapResult } from './bootstrap.js';
import { ClusterNode } from './cluster-node.js';
import { componentLogger } from './component-logger.js';
import { createLogStore } from './open-log-store.js';
import { describeMetaStore, openMetaStore } from './open-meta-store.js';
import { installProcessGuard } from './process-guards.js';
import { startRetention } from './retention.js';
import { SelfLogSink } from './self-log-sink.js';
import { startSyslogBindings, SyslogProtocol, type BoundSyslogListeners, type SyslogBinding } from './syslog-listener.js';

export interface RunningServer {
  /** Base URL the server answers on. */
  url: string;
  app: FastifyInstance;
  store: LogStore;
  meta: MetaStore;
  batcher: AppendBatcher;
  /** Syslog listeners, their bound ports and sources (none unless configured). */
  syslog: BoundSyslogListeners;
  logger: Logger;
  firstStart: BootstrapResult;
  /** This process as a node of a deployment (its id starts its search job ids). */
  node: ClusterNode;
  /** Drains in-flight requests, writes queued lines, closes the stores. Idempotent. */
  close(): Promise<void>;
}

/** Paths redacted from every log line (secrets never reach logs). */
export const redactPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'accessKey',
  '*.accessKey',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-sumo-token"]',
];

function createLogger(config: Config, sink: SelfLogSink | undefined): Logger {
  const streams: StreamEntry[] = [{ level: config.logLevel === 'silent' ? 'fatal' : config.logLevel, stream: destination(1) }];
  if (sink) streams.push({ level: 'info', stream: sink });
  const logger = pino(
    {
      level: config.logLevel === 'silent' ? 'silent' : 'debug',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: {},
    },
    multistream(streams),
  );
  return componentLogger(logger, { component: 'server' });
}

/** The composition root of `quarry serve`: builds every adapter and service, then listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true });
  const sink = config.selfLogs ? new SelfLogSink(hostname()) : undefined;
  const logger = createLogger(config, sink);

  const meta = await openMetaStore(config, logger.child({ component: 'meta' }));
  try {
    await meta.migrate();
  } catch (error) {
    await meta.close();
    throw error;
  }
  const store = await createLogStore(config);
  try {
    await store.open();
  } catch (error) {
    await meta.close();
    throw error;
  }
  // Upgrades build indexes and counts for older data in the background: say how far they are.
  const backgroundWork = reportBackgroundWork(store, logger.child({ component: 'store' }), { intervalMs: 10_000 });
  const batcher = new AppendBatcher(store, {
    maxQueueLines: config.ingest.queueMaxLines,
    maxQueueBytes: config.ingest.queueMaxBytes,
    maxBatchBytes: config.ingest.batchMaxBytes,
    flushIntervalMs: config.ingest.flushIntervalMs,
    exportTimeoutMs: config.ingest.appendTimeoutMs,
    logger: logger.child({ component: 'ingest' }),
  });
  sink?.attach(batcher);
  const sources = new SourceService(meta, logger.child({ component: 'sources' }));
  await sources.open();
  // The node's id is known now (job ids start with it); it announces itself once it listens.
  const node = new ClusterNode(meta, { assemblies: config.assemblies, heartbeatMs: config.heartbeatMs, logger: logger.child({ component: 'cluster' }) });
  const search = new SearchService(store, logger.child({ component: 'search' }), { ...defaultSearchOptions, ...config.search }, node.id);
  const firstStart = await bootstrap(meta, sources, config.adminPassword);

  let baseUrl = config.publicUrl ?? '';
  const state: AppState = { draining: false };
  const app = await buildApp(
    {
      config,
      logger: logger.child({ component: 'http' }),
      store,
      meta,
      batcher,
      sources,
      authenticator: new Authenticator(meta, {
        limits: { maxFailures: config.session.signInMaxFailures, windowMs: config.session.signInWindowMs },
        logger: logger.child({ component: 'auth' }),
      }),
      search,
      publicUrl: () => baseUrl,
      cluster: node,
    },
    state,
  );
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await batcher.shutdown();
    await store.close();
    await meta.close();
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new AppError(ErrorCode.InvalidConfig, `port ${config.port} on ${config.host} is already in use (set --port or QUARRY_PORT)`);
    }
    throw error;
  }
  let syslog: BoundSyslogListeners;
  try {
    syslog = await startSyslog(config, { sources, batcher, logger });
  } catch (error) {
    await app.close();
    await batcher.shutdown();
    await sources.close();
    await store.close();
    await meta.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  if (!config.publicUrl) baseUrl = url;
  await node.start(config.nodeUrl ?? url);
  logger.info({ url, dataDir: config.dataDir, meta: describeMetaStore(config) }, 'quarry is listening');
  // Drops the days past retention.days now and hourly, on the scheduler node only (in the background).
  const retention =
    config.retention.days === undefined
      ? undefined
      : startRetention(store, logger.child({ component: 'retention' }), { days: config.retention.days, isScheduler: () => node.isScheduler });

  const guard = installProcessGuard(logger.child({ component: 'process' }));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      state.draining = true;
      logger.info({}, 'shutting down: draining requests');
      // Listeners stop first and store what they read; then the batcher drains.
      await syslog.close();
      await app.close();
      await node.stop();
      search.close();
      sink?.flush();
      await batcher.shutdown();
      await sources.close();
      const stats = batcher.stats();
      logger.info({ appendedLines: stats.appendedLines }, 'ingest drained; closing stores');
      await backgroundWork.stop();
      await retention?.stop();
      await store.close();
      await meta.close();
      guard.uninstall();
    })();
    return closing;
  };

  return { url, app, store, meta, batcher, syslog, logger, firstStart, node, close };
}

/** The configured syslog listeners, each with the source it lands in. */
function syslogBindings(config: Config): { binding: SyslogBinding; isExplicit: boolean }[] {
  const { syslog } = config;
  const out: { binding: SyslogBinding; isExplicit: boolean }[] = [];
  for (const protocol of [SyslogProtocol.Tcp, SyslogProtocol.Udp, SyslogProtocol.Tls]) {
    const parsed = parseSyslogPorts(syslog[`${protocol}Port`]);
    // The schema has validated the setting; an error here would be a bug in parseSyslogPorts.
    if ('error' in parsed) throw new AppError(ErrorCode.InvalidConfig, `syslog.${protocol}Port: ${parsed.error}`);
    for (const { port, source } of parsed.bindings) {
      out.push({ binding: { protocol, port, sourceName: source ?? syslog.source }, isExplicit: source !== undefined });
    }
  }
  return out;
}

/**
 * Starts the configured syslog listeners. A listener bound to a source by name (`5514=network`)
 * needs that source to exist; a busy port or unreadable TLS file is an invalid_config error.
 */
async function startSyslog(
  config: Config,
  deps: { sources: SourceService; batcher: AppendBatcher; logger: Logger },
): Promise<BoundSyslogListeners> {
  const { syslog } = config;
  // Syslog is intake: only a receiver listens.
  const bindings = config.assemblies.includes('receiver') ? syslogBindings(config) : [];
  for (const { binding, isExplicit } of bindings) {
    if (isExplicit && !(await deps.sources.findByName(binding.sourceName))) {
      throw new AppError(
        ErrorCode.InvalidConfig,
        `syslog ${binding.protocol} port ${binding.port} is bound to source "${binding.sourceName}", which does not exist: create it first (POST /api/v1/sources) or change --syslog-${binding.protocol === SyslogProtocol.Tls ? 'tls-port' : binding.protocol} / QUARRY_SYSLOG_${binding.protocol.toUpperCase()}_PORT`,
      );
    }
  }
  let tlsFiles: { cert: Buffer; key: Buffer } | undefined;
  if (bindings.some(({ binding }) => binding.protocol === SyslogProtocol.Tls)) {
    const read = (path: string, what: string): Buffer => {
      try {
        return readFileSync(path);
      } catch (error) {
        throw new AppError(ErrorCode.InvalidConfig, `cannot read the syslog TLS ${what} ${path}: ${(error as Error).message}`);
      }
    };
    tlsFiles = { cert: read(syslog.tlsCert!, 'certificate'), key: read(syslog.tlsKey!, 'key') };
  }
  try {
    return await startSyslogBindings({
      host: config.host,
      bindings: bindings.map(({ binding }) => binding),
      ...(tlsFiles ? { tlsFiles } : {}),
      findSource: (name) => deps.sources.findByName(name),
      rulesOf: (source) => deps.sources.rulesOf(source),
      ...(syslog.timeZone ? { timeZone: syslog.timeZone } : {}),
      sink: deps.batcher,
      logger: deps.logger.child({ component: 'syslog' }),
      maxPartChars: config.ingest.batchMaxBytes,
      // A batch must fit the ingest queue with room to spare, or it would be refused forever.
      maxBatchMessages: Math.min(2_000, Math.floor(config.ingest.queueMaxLines / 4)),
      maxBatchBytes: Math.min(1024 * 1024, Math.floor(config.ingest.queueMaxBytes / 8)),
    });
  } catch (error) {
    const { code, port } = error as { code?: string; port?: number };
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new AppError(
        ErrorCode.InvalidConfig,
        `syslog port ${port ?? ''} on ${config.host} is ${code === 'EADDRINUSE' ? 'already in use' : 'not allowed'} (--syslog-tcp/--syslog-udp/--syslog-tls-port, QUARRY_SYSLOG_*_PORT)`,
      );
    }
    throw error;
  }
}
