/**
 * Tells the operator about the store's background work on data it already holds — after an
 * upgrade, the full-text index or the per-minute counts built for older data — until it is done:
 * what runs, how many parts are left (each time that changes, at most every `intervalMs`), and how
 * long it took. Searches are correct meanwhile; they are only slower on the parts not yet done.
 */
import type { Logger } from '../core/logger.js';
import type { BackgroundWork, LogStore } from '../store/log-store.js';

export interface BackgroundWorkReport {
  /** Resolves when no work is left (or reporting stopped). */
  done: Promise<void>;
  /** Stops reporting; resolves once no progress read is in flight (the store may then close). */
  stop(): Promise<void>;
}

/** Polls `store.backgroundWork()` from now until it is empty, logging progress. */
export function reportBackgroundWork(
  store: Pick<LogStore, 'backgroundWork'>,
  logger: Logger,
  options: { intervalMs: number },
): BackgroundWorkReport {
  const seen = new Map<
    string,
    { work: BackgroundWork; partsLeft: number; loggedFailure: string | undefined }
  >();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const key = (w: BackgroundWork): string => `${w.startedAt} ${w.what}`;

  const poll = async (): Promise<void> => {
    let works: BackgroundWork[];
    try {
      works = await store.backgroundWork();
    } catch (error) {
      // The store closed, or cannot say: nothing more to report.
      logger.debug({ err: error }, 'background work: cannot read progress');
      works = [];
    }
    if (stopped) return;
    const now = new Set(works.map(key));
    for (const [k, { work }] of seen) {
      if (now.has(k)) continue;
      seen.delete(k);
      logger.info(
        { work: work.what, seconds: Math.round((Date.now() - work.startedAt) / 1000) },
        `background work done: ${work.what}`,
      );
    }
    for (const work of works) {
      const k = key(work);
      const before = seen.get(k);
      if (before === undefined || before.partsLeft !== work.partsLeft) {
        logger.info(
          { work: work.what, partsLeft: work.partsLeft },
          `background work: ${work.what}, ${work.partsLeft} ${work.partsLeft === 1 ? 'part' : 'parts'} left`,
        );
      }
      const failure = work.lastFailure;
      if (failure !== undefined && failure !== before?.loggedFailure)
        logger.warn(
          { work: work.what, reason: failure },
          `background work failed and will be retried: ${work.what}`,
        );
      seen.set(k, { work, partsLeft: work.partsLeft, loggedFailure: failure ?? before?.loggedFailure });
    }
    if (works.length === 0) {
      stopped = true;
      finish();
      return;
    }
    timer = setTimeout(() => {
      inFlight = poll();
    }, options.intervalMs);
    timer.unref();
  };

  inFlight = poll();
  return {
    done,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      finish();
    },
  };
}
