import type { Command } from 'commander';
import { pino } from 'pino';
import { Collector } from '../../collect/collector.js';
import { loadCollectorConfig } from '../../collect/config.js';
import { startHealthServer } from '../../collect/health-server.js';
import { AppError, ErrorCode } from '../../core/errors.js';

interface CollectFlags {
  config: string;
  healthPort?: string;
  logLevel?: string;
}

/** `quarry collect`: the file-tailing agent; runs until SIGTERM/SIGINT, then flushes and exits 0. */
export function registerCollectCommand(program: Command): void {
  program
    .command('collect')
    .description('tail log files and send them to a Quarry HTTP source (exactly once, across restarts)')
    .requiredOption('--config <file>', 'collector YAML config (see docs/collect.md)')
    .option('--health-port <port>', 'serve GET /healthz (JSON) on 127.0.0.1:PORT')
    .option('--log-level <level>', 'fatal | error | warn | info | debug (default: the config, else info)')
    .action(async (flags: CollectFlags) => {
      const config = loadCollectorConfig(flags.config);
      const healthPort = flags.healthPort !== undefined ? Number(flags.healthPort) : config.healthPort;
      if (healthPort !== undefined && (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535)) {
        throw new AppError(ErrorCode.InvalidConfig, `--health-port must be a port number (0-65535), got "${flags.healthPort}"`);
      }
      const logger = pino({
        level: flags.logLevel ?? config.logLevel,
        base: { component: 'collect' },
        redact: { paths: ['token', '*.token'], censor: '[redacted]' },
      });
      const collector = await Collector.start(config, logger);
      const health = healthPort !== undefined ? await startHealthServer(healthPort, () => collector.health()) : undefined;
      logger.info(
        { files: config.files.map((f) => f.pattern), server: config.server.url, stateDir: config.stateDir, healthPort: health?.port },
        'collector started',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => resolve());
        process.once('SIGINT', () => resolve());
      });
      logger.info({}, 'stopping: sending what is buffered');
      const { leftInSpool } = await collector.stop();
      await health?.close();
      if (leftInSpool > 0) logger.warn({ batches: leftInSpool }, 'server did not take everything in time; the rest is sent on the next start');
      else logger.info({}, 'stopped; everything read was acknowledged');
      logger.flush();
    });
}
