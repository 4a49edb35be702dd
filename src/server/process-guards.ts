import type { Logger } from '../core/logger.js';

/** What the guard has seen since it was installed. */
export interface ProcessGuard {
  /** Unhandled promise rejections logged (each one a bug: some code forgot a handler). */
  unhandledRejections(): number;
  /** Removes the handler (server close). */
  uninstall(): void;
}

/**
 * Keeps the server up through an unhandled promise rejection: Node's default is to end the process,
 * so one forgotten `.catch` on one request's path would take every connection and every queued
 * line with it. The rejection is logged as an error with a running count instead. (Uncaught
 * exceptions still end the process: after one the process state is unknown.)
 */
export function installProcessGuard(logger: Logger): ProcessGuard {
  let count = 0;
  const onRejection = (reason: unknown): void => {
    count++;
    logger.error({ err: reason, unhandledRejections: count }, 'unhandled promise rejection (kept running)');
  };
  process.on('unhandledRejection', onRejection);
  return {
    unhandledRejections: () => count,
    uninstall: () => void process.off('unhandledRejection', onRejection),
  };
}
