import type { Logger } from '../../src/core/logger.js';

/** A logger that keeps "level message" lines, for tests of what a component logs. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = {
    lines,
    debug: (_o: object, m?: string) => void lines.push(`debug ${m}`),
    info: (_o: object, m?: string) => void lines.push(`info ${m}`),
    warn: (_o: object, m?: string) => void lines.push(`warn ${m}`),
    error: (_o: object, m?: string) => void lines.push(`error ${m}`),
    child: () => logger,
  };
  return logger;
}
