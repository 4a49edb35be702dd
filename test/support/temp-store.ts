/** A real chDB log store in a new temporary directory, for tests that store rows and search them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChdbLogStore } from '../../src/store/chdb/chdb-log-store.js';
import type { LogStore } from '../../src/store/log-store.js';

export interface TempStore {
  store: LogStore;
  dir: string;
  /** Closes the store and deletes its directory. */
  dispose(): Promise<void>;
}

/** Opens a store under a new directory named after `name` (`quarry-<name>-…` in the temp dir). */
export async function openTempStore(name: string): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), `quarry-${name}-`));
  const store = createChdbLogStore({ path: join(dir, 'logs') });
  await store.open();
  return {
    store,
    dir,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
