import { randomToken, hashPassword, newId } from '../auth/secrets.js';
import type { SourceService } from '../ingest/source-service.js';
import type { MetaStore } from '../meta/meta-store.js';

export interface BootstrapResult {
  /** Set only on the first start: the generated admin password (when none was configured). */
  generatedPassword?: string;
  /** Set only on the first start: the default source's ingest token. */
  defaultSourceToken?: string;
  firstStart: boolean;
}

/**
 * First start on an empty data directory: the `admin` user and the `default` HTTP source.
 * Later starts change nothing; of nodes starting at once on one MetaStore, one bootstraps.
 */
export async function bootstrap(meta: MetaStore, sources: SourceService, adminPassword?: string): Promise<BootstrapResult> {
  if ((await meta.users.count()) > 0) return { firstStart: false };
  const password = adminPassword ?? randomToken(20);
  try {
    await meta.users.create({ id: newId(), username: 'admin', passwordHash: await hashPassword(password), createdAt: Date.now() });
  } catch (error) {
    // Another node of the deployment bootstrapped the same MetaStore a moment before.
    if ((await meta.users.findByUsername('admin')) !== undefined) return { firstStart: false };
    throw error;
  }
  const existing = await meta.sources.findByName('default');
  let token: string | undefined;
  if (!existing) {
    try {
      token = (await sources.create({ name: 'default' })).token;
    } catch (error) {
      if ((await meta.sources.findByName('default')) === undefined) throw error;
    }
  }
  return {
    firstStart: true,
    ...(adminPassword === undefined ? { generatedPassword: password } : {}),
    ...(token !== undefined ? { defaultSourceToken: token } : {}),
  };
}
