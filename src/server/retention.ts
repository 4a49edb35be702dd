/**
 * Retention (docs/storage.md, "Retention"): with `retention.days` set, drops the store's whole day
 * partitions whose messages are all older than that many days (LogStore.dropBefore) — once at
 * start, then every hour, and only on the node that holds the scheduler's lease (a single process
 * with the alerting assembly always does), so a deployment runs it once. A run that fails (a shard
 * down, the store busy) is a warning; the next hour tries again and catches up, since each run
 * drops whatever is due. It never stops the process.
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { isStoreError } from '../store/store-error.js';
import { utcDayStart, type LogStore } from '../store/log-store.js';

const DAY_MS = 86_400_000;
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/** Runs `run` once after `ms`; returns a function that cancels it. */
export type SetTimer = (run: () => void, ms: number) => () => void;

const unrefTimer: SetTimer = (run, ms) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface RetentionOptions {
  /** Whole days of messages kept (a day goes once all its messages are older than this). */
  days: number;
  /** True while this node holds the scheduler's lease (it alone runs retention). */
  isScheduler: () => boolean;
  /** Time between runs (default an hour). */
  intervalMs?: number;
  clock?: Clock;
  setTimer?: SetTimer;
}

export interface Retention {
  /** Stops the schedule; resolves once no run is in flight (the store may then close). */
  stop(): Promise<void>;
}

/** The first day kept, as `YYYY-MM-DD` (UTC). */
const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `an hour`, `2 hours`, `5 min`, `20 ms`: the interval for people. */
function spell(ms: number): string {
  if (ms === 3_600_000) return 'an hour';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hours`;
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms} ms`;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Starts retention: a run now, then one every `intervalMs` after the previous one ended. */
export function startRetention(store: Pick<LogStore, 'dropBefore'>, logger: Logger, options: RetentionOptions): Retention {
  const clock = options.clock ?? systemClock;
  const setTimer = options.setTimer ?? unrefTimer;
  const intervalMs = options.intervalMs ?? RETENTION_INTERVAL_MS;
  let stopped = false;
  let cancel: (() => void) | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const runOnce = async (): Promise<void> => {
    if (!options.isScheduler()) {
      logger.debug({}, 'retention: another node is the scheduler; not run here');
      return;
    }
    let keptFrom = '';
    try {
      const cutoff = clock.now() - options.days * DAY_MS;
      keptFrom = dayText(utcDayStart(cutoff));
      const { partitions, rows } = await store.dropBefore(cutoff);
      if (partitions === 0) {
        logger.debug({ keptFrom, days: options.days }, `retention: nothing before ${keptFrom} to drop`);
        return;
      }
      logger.info(
        { partitions, rows, keptFrom, days: options.days },
        `retention: dropped ${partitions} day ${partitions === 1 ? 'partition' : 'partitions'} (${rows} ${rows === 1 ? 'row' : 'rows'}) of messages before ${keptFrom}`,
      );
    } catch (error) {
      const cause = isStoreError(error) && error.cause instanceof Error ? error.cause.message : undefined;
      // A shard's failure says what the others dropped; the engine's own text is in `cause`.
      logger.warn(
        { err: messageOf(error), ...(cause === undefined ? {} : { cause }), keptFrom },
        `retention failed, tried again in ${spell(intervalMs)}: ${messageOf(error)}`,
      );
    }
  };

  const tick = (): void => {
    cancel = undefined;
    if (stopped) return;
    inFlight = runOnce().finally(() => {
      if (!stopped) cancel = setTimer(tick, intervalMs);
    });
  };

  logger.info(
    { days: options.days },
    `retention: keeping ${options.days} ${options.days === 1 ? 'day' : 'days'} of messages (checked now and every ${intervalMs === 3_600_000 ? 'hour' : spell(intervalMs)}, on the scheduler node)`,
  );
  tick();
  return {
    async stop() {
      stopped = true;
      cancel?.();
      cancel = undefined;
      await inFlight;
    },
  };
}
