import { afterAll, describe, expect, it } from 'vitest';
import { api, createSource, freePort, spawnServer, tempDir, waitFor, type ChildServer } from '../support/server.js';

const SENDERS = 4;
const LINES_PER_REQUEST = 250;

interface SenderLog {
  acknowledged: string[];
  failed: number;
}

/** Posts sequence-numbered requests until told to stop; records which requests got 200. */
async function runSender(url: string, sender: number, cycle: number, stop: { now: boolean }, log: SenderLog): Promise<void> {
  for (let request = 0; !stop.now; request++) {
    const id = `c${cycle}s${sender}r${request}`;
    const body = Array.from({ length: LINES_PER_REQUEST }, (_, i) => `seq req=${id}; line=${i} payload`).join('\n');
    try {
      const response = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
      if (response.status === 200) log.acknowledged.push(id);
      else log.failed++;
      await response.arrayBuffer();
    } catch {
      log.failed++; // the server died mid-request: not acknowledged, so no promise was made
      if (stop.now) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('crash safety', () => {
  let child: ChildServer | undefined;
  afterAll(async () => {
    // Its data directory (tempDir) is deleted when the file ends, once the server has exited.
    child?.process.kill('SIGKILL');
    await child?.exited;
  });

  it('loses no acknowledged line and duplicates none across kill -9 and restart', async () => {
    const dataDir = tempDir('quarry-crash-');
    const port = await freePort();
    child = await spawnServer({ dataDir, port });
    const { url: ingestUrl } = await createSource(child.url, { name: 'crash', category: 'crash/test', multiline: false });
    const acknowledged: string[] = [];

    for (let cycle = 0; cycle < 2; cycle++) {
      const stop = { now: false };
      const logs = Array.from({ length: SENDERS }, (): SenderLog => ({ acknowledged: [], failed: 0 }));
      const running = logs.map((log, s) => runSender(ingestUrl, s, cycle, stop, log));
      // Kill mid-stream: once a good number of requests were acknowledged and more are in flight.
      await waitFor(() => logs.reduce((n, l) => n + l.acknowledged.length, 0) >= 40 + cycle * 20, 60_000, 'acknowledged requests');
      child.process.kill('SIGKILL');
      await child.exited;
      stop.now = true;
      await Promise.all(running);
      for (const log of logs) acknowledged.push(...log.acknowledged);
      expect(logs.some((l) => l.failed > 0 || l.acknowledged.length > 0)).toBe(true);
      child = await spawnServer({ dataDir, port });
    }

    const base = child.url;
    for (const id of acknowledged) {
      const { body } = await api<{ count: number }>(base, `/api/v1/logs/count?category=crash/test&contains=${encodeURIComponent(`req=${id};`)}`);
      expect(body.count, `request ${id}`).toBe(LINES_PER_REQUEST);
    }
    const total = await api<{ count: number }>(base, '/api/v1/logs/count?category=crash/test');
    expect(total.body.count).toBeGreaterThanOrEqual(acknowledged.length * LINES_PER_REQUEST);
    // Unacknowledged requests may have landed whole (the batch committed just before the kill)
    // or not at all — never in part, since one append is one atomic insert.
    expect(total.body.count % LINES_PER_REQUEST).toBe(0);
  }, 240_000);
});
