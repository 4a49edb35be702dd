import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long a request's CPU work runs before it lets the event loop take other work. */
export const DEFAULT_SLICE_MS = 8;

/**
 * Cooperative yielding for long CPU loops on the event loop (decoding and encoding one large
 * request body): write `if (pacer.due()) await pacer.yield();` once per item. Every `checkEvery`
 * items it looks at the clock and, once `sliceMs` have passed since the last yield, gives the loop
 * one turn (timers, I/O, other requests) before going on; between yields the loop pays no await.
 * The loop's result is unchanged; only when it runs changes.
 */
export class Pacer {
  private readonly sliceMs: number;
  private readonly checkEvery: number;
  private count = 0;
  private since = performance.now();

  constructor(options: { sliceMs?: number; checkEvery?: number } = {}) {
    this.sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.checkEvery = options.checkEvery ?? 256;
  }

  /** Whether the current slice is used up (cheap: reads the clock only every `checkEvery` calls). */
  due(): boolean {
    if (++this.count < this.checkEvery) return false;
    this.count = 0;
    return performance.now() - this.since >= this.sliceMs;
  }

  /** Yields one event-loop turn now and starts a new slice. */
  async yield(): Promise<void> {
    await nextTurn();
    this.since = performance.now();
  }
}
