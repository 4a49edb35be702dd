import type { Logger as PinoLogger } from 'pino';
import type { Logger } from '../core/logger.js';

/**
 * A Logger over pino whose children replace bindings instead of repeating them: pino appends a
 * child's bindings to its parent's, so `child({component: 'http'})` of a `component: server` logger
 * wrote `"component":"server","component":"http"` (JSON with a duplicate key). Every child here is
 * made from the root with the merged bindings, so each key appears once, the child's value winning.
 */
export function componentLogger(root: PinoLogger, bindings: Record<string, unknown>): Logger {
  const logger = root.child(bindings);
  return {
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.info(obj, msg),
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
    child: (more) => componentLogger(root, { ...bindings, ...more }),
  };
}
