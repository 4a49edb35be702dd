import type { Authenticator, Principal } from '../auth/authenticate.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/logger.js';
import type { AppendBatcher } from '../ingest/append-batcher.js';
import type { SourceService } from '../ingest/source-service.js';
import type { MetaStore } from '../meta/meta-store.js';
import type { SearchService } from '../search/search-service.js';
import type { LogStore } from '../store/log-store.js';
import type { ClusterView } from './job-routing.js';

/** Everything the HTTP layer needs, built by the composition root (`quarry serve`, tests). */
export interface HttpDeps {
  config: Config;
  logger: Logger;
  store: LogStore;
  meta: MetaStore;
  batcher: AppendBatcher;
  sources: SourceService;
  authenticator: Authenticator;
  search: SearchService;
  /** Base URL for links handed out (ingest URLs); resolved once the server listens. */
  publicUrl(): string;
  /** This process as a node of a deployment (absent in tests that build the app alone). */
  cluster?: ClusterView | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
