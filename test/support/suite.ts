import { afterAll, beforeAll } from 'vitest';
import type { ConfigOverrides } from '../../src/config/load.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { startTestServer } from './server.js';
import { storeReader, type StoreReader } from './store-reader.js';

export interface SuiteServer {
  readonly server: RunningServer;
  /** The server's base URL. */
  readonly base: string;
  readonly store: StoreReader;
}

/**
 * One in-process server for the enclosing `describe` block: started before its tests, closed after.
 * Read the fields inside tests (they are set once the block starts).
 */
export function useTestServer(overrides: ConfigOverrides = {}): SuiteServer {
  let running: { server: RunningServer; store: StoreReader } | undefined;
  const get = (): { server: RunningServer; store: StoreReader } => {
    if (!running) throw new Error('the suite server is used before its describe block started');
    return running;
  };
  beforeAll(async () => {
    const server = await startTestServer(overrides);
    running = { server, store: storeReader(server.url) };
  });
  afterAll(async () => {
    await running?.server.close();
  });
  return {
    get server() {
      return get().server;
    },
    get base() {
      return get().server.url;
    },
    get store() {
      return get().store;
    },
  };
}
