import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, multistream, destination, type StreamEntry } from 'pino';
import { Authenticator } from '../auth/authenticate.js';
import type { Config } from '../config/schema.js';
import { AppError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { buildApp, type AppState } from '../http/app.js';
import { AppendBatcher } from '../ingest/append-batcher.js';
import { SourceService } from '../ingest/source-service.js';
import { SearchService } from '../search/search-service.js';
import type { MetaStore } from '../meta/meta-store.js';
import { openSqliteMetaStore } from '../meta/sqlite/sqlite-meta-store.js';
import { createChdbLogStore } from '../store/chdb/chdb-log-store.js';
import type { LogStore } from '../store/log-store.js';
import { bootstrap, type BootstrapResult } from './bootstrap.js';
import { SelfLogSink } from './self-log-sink.js';

export interface RunningServer {
  /** Base URL the server answers on. */
  url: string;
  app: FastifyInstance;
  store: LogStore;
  meta: MetaStore;
  batcher: AppendBatcher;
  logger: Logger;
  firstStart: BootstrapResult;
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
      base: { component: 'server' },
    },
    multistream(streams),
  );
  return logger;
}

/** The composition root of `quarry serve`: builds every adapter and service, then listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true });
  const sink = config.selfLogs ? new SelfLogSink(hostname()) : undefined;
  const logger = createLogger(config, sink);

  const meta = openSqliteMetaStore(join(config.dataDir, 'meta.sqlite'));
  await meta.migrate();
  const store = createChdbLogStore({
    path: join(config.dataDir, 'logs'),
    spoolDir: join(config.dataDir, 'spool'),
    fsync: config.ingest.fsync,
  });
  try {
    await store.open();
  } catch (error) {
    await meta.close();
    throw error;
  }
  const batcher = new AppendBatcher(store, {
    maxQueueLines: config.ingest.queueMaxLines,
    maxQueueBytes: config.ingest.queueMaxBytes,
    maxBatchBytes: config.ingest.batchMaxBytes,
    flushIntervalMs: config.ingest.flushIntervalMs,
    exportTimeoutMs: config.ingest.appendTimeoutMs,
    logger: logger.child({ component: 'ingest' }),
  });
  sink?.attach(batcher);
  const sources = new SourceService(meta);
  const search = new SearchService(store, logger.child({ component: 'search' }));
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
      authenticator: new Authenticator(meta),
      search,
      publicUrl: () => baseUrl,
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
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  if (!config.publicUrl) baseUrl = url;
  logger.info({ url, dataDir: config.dataDir }, 'quarry is listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      state.draining = true;
      logger.info({}, 'shutting down: draining requests');
      await app.close();
      search.close();
      sink?.flush();
      await batcher.shutdown();
      const stats = batcher.stats();
      logger.info({ appendedLines: stats.appendedLines }, 'ingest drained; closing stores');
      await store.close();
      await meta.close();
    })();
    return closing;
  };

  return { url, app, store, meta, batcher, logger, firstStart, close };
}
