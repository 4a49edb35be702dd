import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createChdbLogStore } from '../../src/store/chdb/chdb-log-store.js';
import { describeLogStoreConformance } from './log-store.case.js';

const dir = mkdtempSync(join(tmpdir(), 'quarry-chdb-'));
// A new data directory for each store the suite opens (one after another: one chDB store per process at a time).
describeLogStoreConformance('chdb', () => Promise.resolve(createChdbLogStore({ path: mkdtempSync(join(dir, 'logs-')) })));
// After the suite's own afterAll has closed the store.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
