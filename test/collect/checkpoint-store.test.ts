import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/collect/checkpoint-store.js';
import { tempDir } from '../support/server.js';

const entry = (gen: number, offset: number) => ({ dev: 1, ino: 2, gen, offset, fingerprint: { len: 4, hash: 'h' }, path: '/a.log' });

describe('CheckpointStore', () => {
  it('round-trips through an atomic write and keeps the collector id and last sequence', async () => {
    const dir = tempDir('checkpoints-');
    const store = await CheckpointStore.open(dir);
    store.advance('1:2', entry(0, 100), 7);
    await store.save();
    expect(readdirSync(dir)).toEqual(['checkpoints.json']); // no temp file left behind
    const again = await CheckpointStore.open(dir);
    expect(again.state.collectorId).toBe(store.state.collectorId);
    expect(again.state.lastSeq).toBe(7);
    expect(again.get('1:2')).toMatchObject({ gen: 0, offset: 100 });
  });

  it('never moves a file backwards, but a new generation (truncation) restarts the offset', async () => {
    const store = await CheckpointStore.open(tempDir('checkpoints-'));
    store.advance('1:2', entry(0, 100), 1);
    store.advance('1:2', entry(0, 50), 2);
    expect(store.get('1:2')).toMatchObject({ gen: 0, offset: 100 });
    store.advance('1:2', entry(1, 10), 3);
    expect(store.get('1:2')).toMatchObject({ gen: 1, offset: 10 });
    expect(store.state.lastSeq).toBe(3);
  });

  it('forgets finished files after a day', async () => {
    const dir = tempDir('checkpoints-');
    const store = await CheckpointStore.open(dir);
    store.put('1:2', { ...entry(0, 5), updatedAt: 0, finishedAt: 1000 });
    store.put('3:4', { ...entry(0, 5), updatedAt: 0 });
    await store.save(1000 + 25 * 3600_000);
    const saved = JSON.parse(readFileSync(join(dir, 'checkpoints.json'), 'utf8')) as { files: Record<string, unknown> };
    expect(Object.keys(saved.files)).toEqual(['3:4']);
  });

  it('refuses a corrupt checkpoint file with a message naming it, instead of starting over silently', async () => {
    const dir = tempDir('checkpoints-');
    writeFileSync(join(dir, 'checkpoints.json'), '{"collectorId": "x", "lastS');
    await expect(CheckpointStore.open(dir)).rejects.toThrow(/checkpoints\.json is unreadable/);
  });
});
