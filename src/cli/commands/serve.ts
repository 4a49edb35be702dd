import type { Command } from 'commander';
import { loadConfig, type ConfigOverrides } from '../../config/load.js';
import { maskConnectionUrl } from '../../core/connection-url.js';

interface ServeFlags {
  host?: string;
  port?: string;
  data?: string;
  meta?: string;
  store?: string;
  assemblies?: string;
  nodeUrl?: string;
  logLevel?: string;
  selfLogs?: boolean;
  fsync?: boolean;
  textIndex?: string;
  syslogTcp?: string;
  syslogUdp?: string;
  syslogTlsPort?: string;
}

function banner(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '─'.repeat(width + 2);
  return `┌${rule}┐\n${lines.map((l) => `│ ${l.padEnd(width)} │`).join('\n')}\n└${rule}┘\n`;
}

/** `quarry serve`: the whole product in one process (receiver, API, store). */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the Quarry server: HTTP ingest, API and the embedded store')
    .option('--host <host>', 'address to listen on (QUARRY_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (QUARRY_PORT, default 7080)')
    .option('--data <dir>', 'data directory (QUARRY_DATA, default ./quarry-data)')
    .option('--meta <url>', 'metadata in PostgreSQL: postgres://user:password@host:port/db (QUARRY_META; default SQLite in the data directory)')
    .option('--store <url>', 'logs in ClickHouse: clickhouse://user:password@host:8123/db, shards as host1,host2…?cluster=NAME (QUARRY_STORE; default chDB in the data directory)')
    .option('--assemblies <list>', 'what this process runs: receiver,query,alerting,ui (QUARRY_ASSEMBLIES, default all)')
    .option('--node-url <url>', 'the URL other Quarry nodes reach this one on (QUARRY_NODE_URL, default where it listens)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (QUARRY_LOG_LEVEL)')
    .option('--no-self-logs', "don't store Quarry's own logs in its store (QUARRY_SELF_LOGS=false)")
    .option('--fsync', 'fsync every insert so acknowledged lines survive power loss (QUARRY_FSYNC)')
    .option('--text-index <kind>', 'full-text index of messages: text|tokenbf|none (QUARRY_TEXT_INDEX, default text)')
    .option('--syslog-tcp <port>', 'syslog TCP listener port (QUARRY_SYSLOG_TCP_PORT; off by default)')
    .option('--syslog-udp <port>', 'syslog UDP listener port (QUARRY_SYSLOG_UDP_PORT; off by default)')
    .option('--syslog-tls-port <port>', 'syslog TLS listener port; needs QUARRY_SYSLOG_TLS_CERT and QUARRY_SYSLOG_TLS_KEY')
    .action(async (flags: ServeFlags) => {
      const overrides: ConfigOverrides = {
        ...(flags.host !== undefined ? { host: flags.host } : {}),
        ...(flags.port !== undefined ? { port: flags.port } : {}),
        ...(flags.data !== undefined ? { dataDir: flags.data } : {}),
        ...(flags.meta !== undefined ? { meta: flags.meta } : {}),
        ...(flags.store !== undefined ? { store: flags.store } : {}),
        ...(flags.assemblies !== undefined ? { assemblies: flags.assemblies } : {}),
        ...(flags.nodeUrl !== undefined ? { nodeUrl: flags.nodeUrl } : {}),
        ...(flags.logLevel !== undefined ? { logLevel: flags.logLevel } : {}),
        ...(flags.selfLogs === false ? { selfLogs: false } : {}),
        ...(flags.fsync ? { 'ingest.fsync': true } : {}),
        ...(flags.textIndex !== undefined ? { textIndex: flags.textIndex } : {}),
        ...(flags.syslogTcp !== undefined ? { 'syslog.tcpPort': flags.syslogTcp } : {}),
        ...(flags.syslogUdp !== undefined ? { 'syslog.udpPort': flags.syslogUdp } : {}),
        ...(flags.syslogTlsPort !== undefined ? { 'syslog.tlsPort': flags.syslogTlsPort } : {}),
      };
      const config = loadConfig(process.env, overrides);
      // Imported here so other commands don't pay for loading Fastify and chDB.
      const { startServer } = await import('../../server/start-server.js');
      const { describeMetaStore } = await import('../../server/open-meta-store.js');
      const server = await startServer(config);
      const lines = [`Quarry is running at ${server.url}`, `Data directory: ${config.dataDir}`];
      if (config.meta !== undefined) lines.push(`Metadata: ${describeMetaStore(config)}`);
      if (config.store !== undefined) lines.push(`Log store: ${maskConnectionUrl(config.store)}`);
      if (server.firstStart.firstStart) {
        lines.push('', 'First start: created user "admin" and the HTTP source "default".');
        if (server.firstStart.generatedPassword) {
          lines.push(`admin password (shown once): ${server.firstStart.generatedPassword}`);
        }
        if (server.firstStart.defaultSourceToken) {
          lines.push(`Ingest URL (shown once): ${server.url}/receiver/v1/http/${server.firstStart.defaultSourceToken}`);
        }
      }
      process.stderr.write(banner(lines));

      let signals = 0;
      const stop = (signal: string): void => {
        if (++signals > 1) {
          process.stderr.write(`quarry: ${signal} again, exiting without draining\n`);
          process.exit(2);
        }
        process.stderr.write(`quarry: ${signal} received, draining in-flight requests…\n`);
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`quarry: error while shutting down: ${String(error)}\n`);
            process.exit(2);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
