import { createHash, randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../core/errors.js';
import type { MetaStore, SessionRecord, UserRecord } from '../meta/meta-store.js';
import type { Authenticator, Principal } from './authenticate.js';
import { hashPassword, hashSecret, verifyPassword } from './secrets.js';

export interface SessionOptions {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  signInMaxFailures: number;
  signInWindowMs: number;
  /** Injected for tests; defaults to Date.now. */
  now?: () => number;
}

/** A signed-in browser session as the HTTP layer sees it. */
export interface ActiveSession {
  record: SessionRecord;
  principal: Principal;
  csrfToken: string;
  /** When the session ends if it is not used again. */
  idleExpiresAt: number;
}

export interface SignInResult extends ActiveSession {
  /** The cookie value; stored only as its hash. */
  token: string;
}

/** A session's last-seen time is written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000;
/** How many username+address pairs the sign-in limiter remembers at most. */
const LIMITER_MAX_KEYS = 10_000;

/**
 * The CSRF token of a session, derived from its secret token: the server keeps nothing extra, the
 * app reads it at sign-in (or from GET /api/v1/session), and knowing it reveals nothing about the cookie.
 */
export function csrfTokenFor(token: string): string {
  return createHash('sha256').update(`quarry-csrf\0${token}`).digest('base64url');
}

/**
 * Browser sessions: sign-in (rate-limited per username and client address), lookup with idle and
 * absolute expiry, sign-out, password change. Tokens are 256 random bits; only their SHA-256 is stored.
 */
export class SessionService {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();
  private readonly now: () => number;
  private lastSweep = 0;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly meta: MetaStore,
    private readonly authenticator: Authenticator,
    private readonly options: SessionOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Checks the password and opens a session; 401 on a wrong pair, 429 once the pair has failed too often. */
  async signIn(username: string, password: string, clientAddress: string): Promise<SignInResult> {
    const now = this.now();
    const limiterKey = `${username.toLowerCase()}\0${clientAddress}`;
    const failed = this.failures.get(limiterKey);
    if (failed && now - failed.windowStart < this.options.signInWindowMs && failed.count >= this.options.signInMaxFailures) {
      const retryAfterSeconds = Math.ceil((failed.windowStart + this.options.signInWindowMs - now) / 1000);
      throw new AppError(ErrorCode.Overloaded, `too many failed sign-ins for this user from this address; try again in ${formatWait(retryAfterSeconds)}`, {
        retryAfterSeconds,
      });
    }
    const user = await this.meta.users.findByUsername(username);
    // An unknown username costs the same scrypt as a wrong password: timing does not tell which.
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const stored = user?.passwordHash ?? (await this.dummyHash);
    if (!(await verifyPassword(password, stored)) || !user) {
      this.recordFailure(limiterKey, now);
      throw new AppError(ErrorCode.Unauthorized, 'wrong username or password');
    }
    this.failures.delete(limiterKey);
    await this.sweep(now);
    const token = randomBytes(32).toString('base64url');
    const record: SessionRecord = {
      id: hashSecret(token),
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.options.absoluteTimeoutMs,
    };
    await this.meta.sessions.create(record);
    return { token, ...this.activeSession(record, user, token) };
  }

  /** The live session behind a cookie token, or undefined when unknown or expired (expired ones are deleted). */
  async resolve(token: string): Promise<ActiveSession | undefined> {
    if (!token || token.length > 200) return undefined;
    const now = this.now();
    const record = await this.meta.sessions.findById(hashSecret(token));
    if (!record) return undefined;
    if (record.expiresAt <= now || record.lastSeenAt + this.options.idleTimeoutMs <= now) {
      await this.meta.sessions.delete(record.id);
      return undefined;
    }
    const user = await this.meta.users.findById(record.userId);
    if (!user) return undefined;
    if (now - record.lastSeenAt >= TOUCH_EVERY_MS) {
      record.lastSeenAt = now;
      await this.meta.sessions.touch(record.id, now);
    }
    return this.activeSession(record, user, token);
  }

  /** Ends the session behind a cookie token (no error when it is already gone). */
  async signOut(token: string): Promise<void> {
    await this.meta.sessions.delete(hashSecret(token));
  }

  /**
   * Changes a user's password after checking the current one; every other session of the user ends
   * (the one making the change, `keepSessionId`, stays signed in).
   */
  async changePassword(options: { userId: string; currentPassword: string; newPassword: string; keepSessionId?: string }): Promise<void> {
    const user = await this.meta.users.findById(options.userId);
    if (!user) throw new AppError(ErrorCode.NotFound, 'no such user');
    if (!(await verifyPassword(options.currentPassword, user.passwordHash))) {
      throw new AppError(ErrorCode.Forbidden, 'the current password is wrong');
    }
    if (options.newPassword === options.currentPassword) {
      throw new AppError(ErrorCode.BadRequest, 'the new password must differ from the current one');
    }
    await this.meta.users.updatePassword(user.id, await hashPassword(options.newPassword));
    await this.meta.sessions.deleteForUser(user.id, options.keepSessionId);
    this.authenticator.invalidate();
  }

  private activeSession(record: SessionRecord, user: UserRecord, token: string): ActiveSession {
    return {
      record,
      principal: { userId: user.id, username: user.username, via: 'session' },
      csrfToken: csrfTokenFor(token),
      idleExpiresAt: Math.min(record.expiresAt, record.lastSeenAt + this.options.idleTimeoutMs),
    };
  }

  private recordFailure(key: string, now: number): void {
    const entry = this.failures.get(key);
    if (!entry || now - entry.windowStart >= this.options.signInWindowMs) {
      if (this.failures.size >= LIMITER_MAX_KEYS) this.pruneFailures(now);
      this.failures.set(key, { count: 1, windowStart: now });
    } else {
      entry.count++;
    }
  }

  private pruneFailures(now: number): void {
    for (const [key, entry] of this.failures) {
      if (now - entry.windowStart >= this.options.signInWindowMs) this.failures.delete(key);
    }
    // Still full (an attack from many addresses): forget the oldest half rather than grow without bound.
    if (this.failures.size >= LIMITER_MAX_KEYS) {
      let drop = this.failures.size / 2;
      for (const key of this.failures.keys()) {
        if (drop-- <= 0) break;
        this.failures.delete(key);
      }
    }
  }

  /** Deletes expired sessions now and then (at sign-in, at most hourly). */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < 60 * 60 * 1000) return;
    this.lastSweep = now;
    await this.meta.sessions.deleteExpired(now, now - this.options.idleTimeoutMs);
  }
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  return `${Math.ceil(seconds / 60)} min`;
}
