/** Directories made by tempDir() in this process (server.ts); under vitest each test file deletes its own at its end (temp-dirs.ts). */
export const tempDirsMade: string[] = [];
