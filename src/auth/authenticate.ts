import { createHash, randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { AccessKeyRecord, MetaStore, UserRecord } from '../meta/meta-store.js';
import { FailureLimiter, type FailureLimits } from './failure-limiter.js';
import { PasswordGate } from './password-gate.js';
import { digestsEqual, hashPassword, hashSecret } from './secrets.js';

/** Who is calling, however they proved it. */
export interface Principal {
  userId: string;
  username: string;
  via: 'password' | 'accessKey' | 'session';
  accessKeyId?: string;
}

export interface BasicCredentials {
  user: string;
  secret: string;
}

/** Decodes an `Authorization: Basic …` header; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=._-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** Where a credential came from, for the failure limit and the log. */
export interface ClientInfo {
  address: string;
}

/** How a secret was presented (the log's `method`). */
export type SecretMethod = 'basic-password' | 'basic-access-key' | 'sign-in' | 'password-change';

export interface AuthenticatorOptions {
  /** Failed checks per username (or access id) and client address before 429; the same for every method. */
  limits?: FailureLimits;
  logger?: Logger;
  now?: () => number;
}

const DEFAULT_LIMITS: FailureLimits = { maxFailures: 5, windowMs: 15 * 60_000 };
/** Failures from one address, whatever the username, before its password checks are refused too. */
const ADDRESS_FACTOR = 4;

const CACHE_TTL_MS = 60_000;
/** After the TTL a cached check is still answered (once re-checked in the background) up to this age. */
const CACHE_STALE_MS = 10 * 60_000;
const CACHE_MAX = 1000;

interface CachedCheck {
  principal: Principal;
  verifiedAt: number;
  refreshing: boolean;
}

/**
 * Resolves Basic credentials to a principal: `username:password` or `accessId:accessKey`.
 * Successful checks are cached (keyed by a digest of the credentials, never the credentials
 * themselves) so API clients don't pay scrypt on every request. A check older than a minute is
 * re-done in the background while the cached answer serves (a script polling a search never waits
 * ~50 ms of scrypt mid-poll); a failed re-check drops it, and one older than ten minutes is re-done
 * before answering. Changes made through this process (`invalidate`) take effect at once.
 */
export class Authenticator {
  private readonly cache = new Map<string, CachedCheck>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Bumped by `invalidate`: a check that started before it must not refill the cache. */
  private generation = 0;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly limits: FailureLimits;
  private readonly failures: FailureLimiter;
  /** Failures per client address across usernames (ADDRESS_FACTOR × the per-name limit). */
  private readonly addressFailures: FailureLimiter;
  private readonly gate = new PasswordGate();
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly meta: MetaStore,
    options: AuthenticatorOptions | (() => number) = {},
  ) {
    const opts = typeof options === 'function' ? { now: options } : options;
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger ?? silentLogger;
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.failures = new FailureLimiter(this.limits, this.now);
    this.addressFailures = new FailureLimiter({ ...this.limits, maxFailures: this.limits.maxFailures * ADDRESS_FACTOR }, this.now);
  }

  /**
   * Basic credentials → principal, or undefined when they are wrong. Throws `too_many_attempts` (429) when
   * the username or access id has failed too often from this address (see docs/security.md for
   * why a valid access key is never refused).
   */
  async authenticate(credentials: BasicCredentials, client: ClientInfo = { address: '' }): Promise<Principal | undefined> {
    const cacheKey = createHash('sha256').update(`${credentials.user}\0${credentials.secret}`).digest('hex');
    const cached = this.cache.get(cacheKey);
    const age = cached === undefined ? Infinity : this.now() - cached.verifiedAt;
    if (cached !== undefined && age < CACHE_STALE_MS) {
      if (age >= CACHE_TTL_MS && !cached.refreshing) {
        cached.refreshing = true;
        const generation = this.generation;
        void this.check(credentials, client, false).then(
          (principal) => this.remember(cacheKey, principal, generation),
          () => (cached.refreshing = false),
        );
      }
      return cached.principal;
    }
    const generation = this.generation;
    const principal = await this.check(credentials, client, true);
    this.remember(cacheKey, principal, generation);
    return principal;
  }

  /**
   * Checks a user's password with the failure limit and the password gate; the user when it is
   * right, undefined when it is wrong (an unknown user costs the same scrypt). Throws `too_many_attempts`
   * when locked out. Logs the outcome (never the secret).
   */
  async checkPassword(username: string, password: string, client: ClientInfo, method: SecretMethod, logSuccess = true): Promise<UserRecord | undefined> {
    const key = this.limitKey('user', username, client);
    const addressKey = `address\0${client.address}`;
    const lock = this.failures.lockOf(key) ?? this.addressFailures.lockOf(addressKey);
    if (lock) {
      this.logger.debug({ user: username, method, address: client.address }, 'authentication refused: locked out');
      throw lockedOut(method, lock.retryAfterSeconds);
    }
    const user = await this.meta.users.findByUsername(username);
    // An unknown username costs the same scrypt as a wrong password: timing does not tell which.
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await this.gate.verify(password, user?.passwordHash ?? (await this.dummyHash));
    if (ok && user) {
      this.failures.reset(key);
      if (logSuccess) this.logger.info({ user: user.username, method, address: client.address }, 'authentication succeeded');
      return user;
    }
    this.fail(key, username, method, client);
    if (this.addressFailures.recordFailure(addressKey)) {
      this.logger.warn({ method, address: client.address, windowMs: this.limits.windowMs }, 'authentication locked out for this address: too many failures across usernames');
    }
    return undefined;
  }

  private limitKey(kind: 'user' | 'key', name: string, client: ClientInfo): string {
    return `${kind}\0${name.toLowerCase()}\0${client.address}`;
  }

  private fail(key: string, name: string, method: SecretMethod, client: ClientInfo): void {
    this.logger.warn({ user: name, method, address: client.address }, 'authentication failed');
    if (this.failures.recordFailure(key)) {
      this.logger.warn({ user: name, method, address: client.address, windowMs: this.limits.windowMs }, 'authentication locked out: too many failures for this user from this address');
    }
  }

  /** `isFirst`: not a background re-check of a cached answer (only first checks log a success). */
  private check(credentials: BasicCredentials, client: ClientInfo, isFirst: boolean): Promise<Principal | undefined> {
    const run = async (): Promise<Principal | undefined> => {
      const key = await this.meta.accessKeys.findByAccessId(credentials.user);
      if (key) return this.byAccessKey(key, credentials, client, isFirst);
      const user = await this.checkPassword(credentials.user, credentials.secret, client, 'basic-password', isFirst);
      return user === undefined ? undefined : { userId: user.id, username: user.username, via: 'password' };
    };
    const pending = run();
    this.pending.add(pending);
    void pending.finally(() => this.pending.delete(pending)).catch(() => undefined);
    return pending;
  }

  /** Waits for background re-checks in flight (tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private remember(cacheKey: string, principal: Principal | undefined, generation: number): void {
    if (generation !== this.generation) return;
    if (principal === undefined) {
      this.cache.delete(cacheKey);
      return;
    }
    if (this.cache.size >= CACHE_MAX && !this.cache.has(cacheKey)) this.cache.clear();
    this.cache.set(cacheKey, { principal, verifiedAt: this.now(), refreshing: false });
  }

  /** Forgets cached verifications (after a password change or key revocation). */
  invalidate(): void {
    this.generation++;
    this.cache.clear();
  }

  /**
   * An access key: one SHA-256 of a 384-bit random secret, so every attempt is checked, even during
   * a lockout: a valid key always works (an attacker cannot lock its holder out), and guessing stays
   * hopeless. Only wrong keys are refused with 429 once the id has failed too often from the address.
   */
  private async byAccessKey(key: AccessKeyRecord, credentials: BasicCredentials, client: ClientInfo, isFirst: boolean): Promise<Principal | undefined> {
    const limitKey = this.limitKey('key', credentials.user, client);
    const owner = digestsEqual(key.secretHash, hashSecret(credentials.secret)) ? await this.meta.users.findById(key.userId) : undefined;
    if (owner) {
      await this.meta.accessKeys.touch(key.id, Date.now());
      if (isFirst) this.logger.info({ user: owner.username, accessId: key.accessId, method: 'basic-access-key', address: client.address }, 'authentication succeeded');
      return { userId: owner.id, username: owner.username, via: 'accessKey', accessKeyId: key.id };
    }
    const lock = this.failures.lockOf(limitKey);
    if (lock) throw lockedOut('basic-access-key', lock.retryAfterSeconds);
    this.fail(limitKey, credentials.user, 'basic-access-key', client);
    return undefined;
  }
}

function lockedOut(method: SecretMethod, retryAfterSeconds: number): AppError {
  const what = method === 'sign-in' ? 'sign-ins' : 'authentication attempts';
  const wait = retryAfterSeconds < 60 ? `${retryAfterSeconds} s` : `${Math.ceil(retryAfterSeconds / 60)} min`;
  return new AppError(ErrorCode.TooManyAttempts, `too many failed ${what} for this user from this address; try again in ${wait}`, { retryAfterSeconds });
}
