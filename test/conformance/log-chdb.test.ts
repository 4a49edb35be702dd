import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChdbLogStore } from '../../src/store/chdb/chdb-log-store.js';
import { describeLogStoreConformance } from './log-store.case.js';

describeLogStoreConformance('chdb', () =>
  Promise.resolve(createChdbLogStore({ path: join(mkdtempSync(join(tmpdir(), 'quarry-chdb-')), 'logs') })),
);
