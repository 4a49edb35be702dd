import { createHash } from 'node:crypto';
import type { MetaStore } from '../meta/meta-store.js';
import { digestsEqual, hashSecret, verifyPassword } from './secrets.js';

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

  constructor(
    private readonly meta: MetaStore,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(credentials: BasicCredentials): Promise<Principal | undefined> {
    const cacheKey = createHash('sha256').update(`${credentials.user}\0${credentials.secret}`).digest('hex');
    const cached = this.cache.get(cacheKey);
    const age = cached === undefined ? Infinity : this.now() - cached.verifiedAt;
    if (cached !== undefined && age < CACHE_STALE_MS) {
      if (age >= CACHE_TTL_MS && !cached.refreshing) {
        cached.refreshing = true;
        const generation = this.generation;
        void this.check(credentials).then(
          (principal) => this.remember(cacheKey, principal, generation),
          () => (cached.refreshing = false),
        );
      }
      return cached.principal;
    }
    const generation = this.generation;
    const principal = await this.check(credentials);
    this.remember(cacheKey, principal, generation);
    return principal;
  }

  private check(credentials: BasicCredentials): Promise<Principal | undefined> {
    const run = async (): Promise<Principal | undefined> => (await this.byAccessKey(credentials)) ?? (await this.byPassword(credentials));
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

  private async byAccessKey({ user, secret }: BasicCredentials): Promise<Principal | undefined> {
    const key = await this.meta.accessKeys.findByAccessId(user);
    if (!key || !digestsEqual(key.secretHash, hashSecret(secret))) return undefined;
    const owner = await this.meta.users.findById(key.userId);
    if (!owner) return undefined;
    await this.meta.accessKeys.touch(key.id, Date.now());
    return { userId: owner.id, username: owner.username, via: 'accessKey', accessKeyId: key.id };
  }

  private async byPassword({ user, secret }: BasicCredentials): Promise<Principal | undefined> {
    const found = await this.meta.users.findByUsername(user);
    if (!found || !(await verifyPassword(secret, found.passwordHash))) return undefined;
    return { userId: found.id, username: found.username, via: 'password' };
  }
}
