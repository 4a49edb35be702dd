import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Collector } from '../../src/collect/collector.js';
import { parseCollectorConfig } from '../../src/collect/config.js';
import { startHealthServer } from '../../src/collect/health-server.js';
import { silentLogger } from '../../src/core/logger.js';
import { createSource, freePort, repoRoot, startTestServer, tempDir, waitFor } from '../support/server.js';
import { storeReader } from '../support/store-reader.js';

describe('Collector (in process)', () => {
  it('buffers while the server is away, pauses reading at the spool cap, then delivers everything once', { timeout: 60_000 }, async () => {
    const dataDir = tempDir('collect-away-');
    const port = await freePort();
    let server = await startTestServer({ dataDir, port });
    const source = await createSource(server.url, { name: 'away', category: 'collect/away', multiline: false });
    await server.close(); // the server is away when the collector starts

    const dir = tempDir('collect-away-files-');
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${String(i).padStart(5, '0')} ${'x'.repeat(40)}`);
    writeFileSync(join(dir, 'app.log'), `${lines.join('\n')}\n`);
    const config = parseCollectorConfig(
      {
        server: { url: server.url, token: source.token },
        stateDir: 'state',
        files: [{ path: '*.log', category: 'collect/away', fields: { team: 'core' } }],
        batch: { maxMessages: 100, maxAgeMs: 100 },
        spool: { maxBytes: 5000 },
        retry: { initialMs: 50, maxMs: 200 },
        pollIntervalMs: 50,
      },
      { baseDir: dir },
    );
    const collector = await Collector.start(config, silentLogger);
    const health = await startHealthServer(0, () => collector.health());
    try {
      await waitFor(() => collector.health().buffer.isFull, 10_000, 'spool full');
      const paused = await (await fetch(`http://127.0.0.1:${health.port}/healthz`)).json();
      expect(paused).toMatchObject({ status: 'degraded', filesWatched: 1, buffer: { isFull: true }, acked: { messages: 0 } });
      expect((paused as { lastError: string }).lastError).toMatch(/ECONNREFUSED/);
      // Reading stopped: most of the file is still unread, and stays so while the server is away.
      const lag = collector.health().files[0]!.lagBytes;
      expect(lag).toBeGreaterThan(100_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(collector.health().files[0]!.lagBytes).toBe(lag);

      server = await startTestServer({ dataDir, port });
      appendFileSync(join(dir, 'app.log'), 'after the server came back\n');
      const reader = storeReader(server.url);
      await waitFor(async () => (await reader.count('category=collect/away')) >= 3001, 30_000, 'all lines stored');
      await waitFor(() => collector.health().lagBytes === 0 && collector.health().buffer.batches === 0, 10_000, 'caught up');
      const stored = (await reader.ofSource('away', 5000)).map((m) => m._raw).sort();
      expect(stored).toEqual([...lines, 'after the server came back'].sort());
      const ok = (await (await fetch(`http://127.0.0.1:${health.port}/healthz`)).json()) as Record<string, unknown>;
      expect(ok).toMatchObject({ status: 'ok', lagBytes: 0, lastError: null, acked: { messages: 3001 } });
      expect(typeof ok.lastAckAt).toBe('string');
    } finally {
      await health.close();
      await collector.stop();
      await server.close();
    }
  });

  it('reads the full example configuration of docs/collect.md', () => {
    const doc = readFileSync(join(repoRoot, 'docs/collect.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const config = parseCollectorConfig(parse(yaml), { baseDir: '/etc/quarry' });
    expect(config.files).toHaveLength(3);
    expect(config.files[1]).toMatchObject({ token: '9Jq0…', startAt: 'end', name: 'app', host: 'app-7' });
    expect(config.files[1]!.multiline?.boundary.test('2026-01-01 x')).toBe(true);
    expect(config.healthPort).toBe(7081);
  });
});
