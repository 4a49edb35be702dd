/**
 * Deletes, when a test file ends, every directory the file made with `tempDir()` (test/support/server.ts).
 * Loaded for each test file by vitest (`setupFiles`); a file that made none pays nothing.
 */
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tempDirsMade } from './temp-dirs-made.js';

afterAll(() => {
  for (const dir of tempDirsMade.splice(0)) rmSync(dir, { recursive: true, force: true });
});
