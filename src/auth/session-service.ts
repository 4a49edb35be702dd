import { createHash, randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../core/errors.js';
import type { MetaStore, SessionRecord, UserRecord } from '../meta/meta-store.js';
import type { Authenticator, Principal } from './authenticate.js';
import { hashPassword, hashSecret } from './secrets.js';

export interface SessionOptions {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
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
  private readonly now: () => number;
  private lastSweep = 0;

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
    // The one failure limit and password gate of every secret check (authenticate.ts).
    const user = await this.authenticator.checkPassword(username, password, { address: clientAddress }, 'sign-in');
    if (!user) throw new AppError(ErrorCode.Unauthorized, 'wrong username or password');
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
  async changePassword(options: { userId: string; currentPassword: string; newPassword: string; keepSessionId?: string; clientAddress?: string }): Promise<void> {
    const found = await this.meta.users.findById(options.userId);
    if (!found) throw new AppError(ErrorCode.NotFound, 'no such user');
    const user = await this.authenticator.checkPassword(found.username, options.currentPassword, { address: options.clientAddress ?? '' }, 'password-change');
    if (!user || user.id !== found.id) {
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

  /** Deletes expired sessions now and then (at sign-in, at most hourly). */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < 60 * 60 * 1000) return;
    this.lastSweep = now;
    await this.meta.sessions.deleteExpired(now, now - this.options.idleTimeoutMs);
  }
}
