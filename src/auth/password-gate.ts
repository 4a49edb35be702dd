import { AppError, ErrorCode } from '../core/errors.js';
import { verifyPassword } from './secrets.js';

/**
 * Password checks (scrypt: ~50 ms of CPU and 16 MiB each, in libuv's thread pool) run at most
 * `concurrency` at a time, with at most `maxWaiting` more waiting; beyond that a check is refused at
 * once with 429. Ingest shares the thread pool (zlib, file writes) and the CPU: a flood of wrong
 * passwords measured ingest p95 going from 144 ms to 2,451 ms before this gate.
 */
export class PasswordGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency = 1,
    private readonly maxWaiting = 16,
  ) {}

  async verify(password: string, stored: string): Promise<boolean> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new AppError(ErrorCode.Overloaded, 'too many password checks in progress; try again in a moment', { retryAfterSeconds: 1 });
      }
      // The slot is handed over by the check that ends (running stays as it is).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await verifyPassword(password, stored);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
