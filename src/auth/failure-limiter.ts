/**
 * Failed secret checks counted per key (a username or access id with the client address), in a
 * fixed window: once a key has `maxFailures` failures in its window, it is locked until the window
 * ends. Memory stays bounded whatever an attacker sends (`maxKeys`).
 */
export interface FailureLimits {
  maxFailures: number;
  windowMs: number;
}

interface Entry {
  count: number;
  windowStart: number;
}

export interface Lock {
  /** seconds until the window ends */
  retryAfterSeconds: number;
}

const MAX_KEYS = 10_000;

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: FailureLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key's lock, or undefined when it may be tried. */
  lockOf(key: string): Lock | undefined {
    const entry = this.entries.get(key);
    const now = this.now();
    if (!entry || now - entry.windowStart >= this.limits.windowMs || entry.count < this.limits.maxFailures) return undefined;
    return { retryAfterSeconds: Math.max(1, Math.ceil((entry.windowStart + this.limits.windowMs - now) / 1000)) };
  }

  /** Counts a failure; true when this one locked the key. */
  recordFailure(key: string): boolean {
    const now = this.now();
    const entry = this.entries.get(key);
    if (!entry || now - entry.windowStart >= this.limits.windowMs) {
      if (this.entries.size >= MAX_KEYS) this.prune(now);
      this.entries.set(key, { count: 1, windowStart: now });
      return this.limits.maxFailures <= 1;
    }
    entry.count++;
    return entry.count === this.limits.maxFailures;
  }

  /** Forgets the key's failures (after a success). */
  reset(key: string): void {
    this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.windowStart >= this.limits.windowMs) this.entries.delete(key);
    // Still full (an attack from many addresses): forget the oldest half rather than grow without bound.
    if (this.entries.size >= MAX_KEYS) {
      let drop = this.entries.size / 2;
      for (const key of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(key);
      }
    }
  }
}
