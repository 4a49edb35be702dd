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
 * Later starts change nothing.
 */
export async function bootstrap(meta: MetaStore, sources: SourceService, adminPassword?: string): Promise<BootstrapResult> {
  if ((await meta.users.count()) > 0) return { firstStart: false };
  const password = adminPassword ?? randomToken(20);
  await meta.users.create({ id: newId(), username: 'admin', passwordHash: await hashPassword(password), createdAt: Date.now() });
  const existing = await meta.sources.findByName('default');
  const token = existing ? undefined : (await sources.create({ name: 'default' })).token;
  return {
    firstStart: true,
    ...(adminPassword === undefined ? { generatedPassword: password } : {}),
    ...(token !== undefined ? { defaultSourceToken: token } : {}),
  };
}
