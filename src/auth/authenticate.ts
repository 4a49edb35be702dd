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
const CACHE_MAX = 1000;

/**
 * Resolves Basic credentials to a principal: `username:password` or `accessId:accessKey`.
 * Successful password checks are cached briefly (keyed by a digest of the credentials, never the
 * credentials themselves) so API clients don't pay scrypt on every request.
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal; expires: number }>();

  constructor(private readonly meta: MetaStore) {}

  async authenticate(credentials: BasicCredentials): Promise<Principal | undefined> {
    const cacheKey = createHash('sha256').update(`${credentials.user}\0${credentials.secret}`).digest('hex');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expires > Date.now()) return cached.principal;
    const principal = (await this.byAccessKey(credentials)) ?? (await this.byPassword(credentials));
    if (principal) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(cacheKey, { principal, expires: Date.now() + CACHE_TTL_MS });
    }
    return principal;
  }

  /** Forgets cached verifications (after a password change or key revocation). */
  invalidate(): void {
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
