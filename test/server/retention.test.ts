/**
 * Retention through `quarry serve`: lines with old message times are stored by a server without
 * retention; the same data directory served with QUARRY_RETENTION_DAYS=7 drops, at start, the UTC
 * days older than that (logged), and keeps the recent lines, still counted and searched.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { api, createSource, freePort, spawnServer, startTestServer, tempDir, waitFor, type ChildServer } from '../support/server.js';

const DAY = 86_400_000;
const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

describe('quarry serve with QUARRY_RETENTION_DAYS', () => {
  let child: ChildServer | undefined;
  afterAll(async () => {
    if (child && child.process.exitCode === null) {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  });

  it('drops the days older than the setting at start and keeps the recent ones', async () => {
    const dataDir = tempDir();
    const now = Date.now();
    const monthAgo = dayStart(now - 30 * DAY);
    const tenDaysAgo = dayStart(now - 10 * DAY);
    const lines = [
      `${iso(monthAgo + 3_600_000)} INFO marker-old a month ago`,
      `${iso(monthAgo + 7_200_000)} INFO marker-old a month ago, later`,
      `${iso(tenDaysAgo + 43_200_000)} INFO marker-old ten days ago`,
      `${iso(now - 2 * DAY)} INFO marker-recent two days ago`,
      `${iso(now - 60_000)} INFO marker-recent a minute ago`,
    ];
    const first = await startTestServer({ dataDir });
    try {
      const source = await createSource(first.url, { name: 'app', category: 'retention/app', multiline: false });
      expect((await fetch(source.url, { method: 'POST', body: lines.join('\n') })).status).toBe(200);
      expect((await api<{ count: number }>(first.url, '/api/v1/logs/count?contains=marker-')).body.count).toBe(5);
      expect((await api<{ count: number }>(first.url, `/api/v1/logs/count?to=${tenDaysAgo + DAY}`)).body.count).toBe(3);
    } finally {
      await first.close();
    }

    child = await spawnServer({ dataDir, port: await freePort(), env: { QUARRY_RETENTION_DAYS: '7', QUARRY_LOG_LEVEL: 'info', QUARRY_SELF_LOGS: 'false' } });
    const server = child;
    await waitFor(() => server.output().includes('retention: dropped'), 30_000, 'the retention run at start');
    expect(server.output()).toContain('retention: keeping 7 days of messages');
    // The first day kept is the UTC day 7 days ago (the next one if midnight passed meanwhile).
    const keptFrom = /retention: dropped 2 day partitions \(3 rows\) of messages before (\d{4}-\d\d-\d\d)/.exec(server.output())?.[1];
    expect([0, DAY].map((d) => iso(dayStart(now - 7 * DAY) + d).slice(0, 10))).toContain(keptFrom);
    expect(server.output()).toMatch(/"component":"retention"/);

    const count = async (query: string) => (await api<{ count: number }>(server.url, `/api/v1/logs/count?${query}`)).body.count;
    expect(await count('contains=marker-old')).toBe(0);
    expect(await count('contains=marker-recent')).toBe(2);
    expect(await count(`to=${dayStart(now - 7 * DAY)}`)).toBe(0);
    const newest = await api<{ messages: { _raw: string }[] }>(server.url, '/api/v1/logs/tail?limit=10');
    expect(newest.body.messages.map((m) => m._raw).sort()).toEqual(lines.slice(3).sort());
  }, 120_000);
});
