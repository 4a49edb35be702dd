/**
 * The scale-out deployment end to end (docs/scale-out.md): 2 receivers, 1 query node, 1 alerting
 * node behind HAProxy, on a 2-shard ClickHouse cluster and PostgreSQL, all started here.
 *
 * Zero loss through restarts: senders send sequence-numbered lines through HAProxy at a steady
 * rate while a receiver is killed with SIGKILL and started again, then a shard. Every line a
 * sender had acknowledged must be stored, and for senders that identify their batches
 * (X-Quarry-Batch-Id, resent with X-Quarry-Batch-Resend) exactly once; every answer a sender saw
 * is 200 or one it knows to retry (503, 429), never anything else.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouseJsonRows } from '../support/clickhouse.js';
import { startLocalDeployment, type LocalDeployment } from '../support/deployment.js';
import { api, createSource, repoRoot, waitFor } from '../support/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every stored message of a category, read from each shard's local table (no Quarry in between). */
async function storedMessages(deployment: LocalDeployment, category: string): Promise<string[]> {
  const perShard = await Promise.all(
    deployment.clickhouse.nodes.map((node) =>
      clickhouseJsonRows<{ message: string }>(
        node,
        `SELECT message FROM logs_local WHERE source_category = '${category}'`,
      ),
    ),
  );
  return perShard.flat().map((r) => r.message);
}

async function searchCount(url: string, query: string, from: number, to: number): Promise<number> {
  const created = await api<{ id: string }>(url, '/api/v1/search/jobs', {
    method: 'POST',
    body: { query, from, to, timeZone: 'UTC' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  let state = '';
  let messageCount = 0;
  await waitFor(
    async () => {
      const status = await api<{ state: string; messageCount: number; pendingErrors: string[] }>(
        url,
        `/api/v1/search/jobs/${created.body.id}`,
      );
      expect(status.body.pendingErrors ?? []).toEqual([]);
      ({ state, messageCount } = status.body);
      return state === 'DONE GATHERING RESULTS';
    },
    60_000,
    `the search ${query}`,
  );
  return messageCount;
}

interface SenderReport {
  acknowledged: string[];
  /** When the request now waiting for an answer was sent (undefined between requests). */
  waitingSince?: number;
  statuses: Map<string, number>;
  unexpected: string[];
}

/**
 * Sends batches of `size` lines every `intervalMs` until `stop()`, each batch until it is
 * acknowledged: retryable answers (503, 429) are retried after a short wait, with the resend
 * header when the batch has an id. Anything else is recorded as unexpected (and retried too, so
 * the counts stay meaningful).
 */
function startSender(options: {
  url: string;
  name: string;
  size: number;
  intervalMs: number;
  identified: boolean;
}) {
  const report: SenderReport = { acknowledged: [], statuses: new Map(), unexpected: [] };
  let stopped = false;
  const count = (key: string) => report.statuses.set(key, (report.statuses.get(key) ?? 0) + 1);
  const run = (async () => {
    for (let batch = 0; !stopped; batch++) {
      const tick = Date.now();
      const lines = Array.from(
        { length: options.size },
        (_, i) => `${new Date().toISOString()} seq=${options.name}-${batch}-${i} zero-loss line`,
      );
      const firstSent = Date.now();
      for (let attempt = 0; ; attempt++) {
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (options.identified) {
          headers['x-quarry-batch-id'] = `${options.name}-${batch}`;
          if (attempt > 0) headers['x-quarry-batch-resend'] = String(firstSent);
        }
        let status: string;
        report.waitingSince = Date.now();
        try {
          const response = await fetch(options.url, {
            method: 'POST',
            headers,
            body: lines.join('\n'),
            signal: AbortSignal.timeout(30_000),
          });
          await response.arrayBuffer();
          status = String(response.status);
        } catch (error) {
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          status = `network: ${(error as Error).message} (${cause?.code ?? cause?.message ?? 'no cause'})`;
        }
        report.waitingSince = undefined;
        count(status);
        if (status === '200') break;
        if (status !== '503' && status !== '429')
          report.unexpected.push(
            `${options.name}-${batch}: ${status} at ${new Date().toISOString()} (attempt ${attempt}, sent ${new Date(firstSent).toISOString()})`,
          );
        await sleep(200);
      }
      report.acknowledged.push(...lines.map((l) => /seq=(\S+)/.exec(l)![1]!));
      await sleep(Math.max(0, options.intervalMs - (Date.now() - tick)));
    }
  })();
  return {
    report,
    /** Stops after the batch in flight is acknowledged. */
    stop: async () => {
      stopped = true;
      await run;
      return report;
    },
  };
}

describe('a deployment behind HAProxy: 2 receivers, a query node, an alerting node, 2 shards, PostgreSQL', () => {
  let deployment: LocalDeployment;
  let ingestUrl: string;
  let token: string;

  beforeAll(async () => {
    deployment = await startLocalDeployment();
    const source = await createSource(deployment.url, {
      name: 'zero-loss',
      category: 'test/zero-loss',
      multiline: false,
    });
    token = source.token;
    ingestUrl = `${deployment.url}/receiver/v1/http/${token}`;
    // The source URL the API gives out is the load balancer's, not a node's.
    expect(source.url.startsWith(deployment.url)).toBe(true);
  }, 180_000);
  afterAll(async () => {
    await deployment?.stop();
  });

  it('answers the API through HAProxy, lists every node, and elects the alerting node as the one scheduler', async () => {
    const nodes = await api<{ nodes: { assemblies: string[]; url: string }[] }>(
      deployment.url,
      '/api/v1/cluster/nodes',
    );
    expect(nodes.status).toBe(200);
    const assemblies = nodes.body.nodes.map((n) => n.assemblies.join(',')).sort();
    expect(assemblies).toEqual(['alerting', 'query,ui', 'receiver', 'receiver']);
    const ready = await Promise.all(
      deployment.nodes.map(async (n) => ({
        name: n.name,
        body: (await (await fetch(`${n.url}/readyz`)).json()) as { scheduler: boolean },
      })),
    );
    expect(ready.filter((r) => r.body.scheduler).map((r) => r.name)).toEqual(['alerting-1']);
    // The web UI comes from the query node.
    const page = await fetch(`${deployment.url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  }, 60_000);

  it('stores a batch once when its resend reaches the other receiver', async () => {
    const [one, two] = deployment.nodes.filter((n) => n.assemblies === 'receiver');
    const body = ['first line of batch cross-1', 'second line of batch cross-1']
      .map((l) => `${new Date().toISOString()} ${l}`)
      .join('\n');
    const sent = Date.now();
    const first = await fetch(`${one!.url}/receiver/v1/http/${token}`, {
      method: 'POST',
      headers: { 'x-quarry-batch-id': 'cross-1' },
      body,
    });
    expect(first.status).toBe(200);
    // The sender never saw that answer (say the receiver died just after storing): it resends through the other one.
    const resent = await fetch(`${two!.url}/receiver/v1/http/${token}`, {
      method: 'POST',
      headers: { 'x-quarry-batch-id': 'cross-1', 'x-quarry-batch-resend': String(sent) },
      body,
    });
    expect(resent.status).toBe(200);
    expect(await resent.json()).toMatchObject({ duplicate: true });
    const stored = (await storedMessages(deployment, 'test/zero-loss')).filter((m) =>
      m.includes('batch cross-1'),
    );
    expect(stored).toHaveLength(2);
  }, 60_000);

  it('loses no acknowledged line while a receiver, then a shard, is killed and restarted', async () => {
    const from = Date.now() - 60_000;
    const senders = [
      ...[1, 2, 3].map((i) =>
        startSender({ url: ingestUrl, name: `id${i}`, size: 40, intervalMs: 100, identified: true }),
      ),
      startSender({ url: ingestUrl, name: 'plain', size: 20, intervalMs: 100, identified: false }),
    ];
    const acknowledgedSoFar = () => senders.reduce((n, s) => n + s.report.acknowledged.length, 0);
    const steps: string[] = [];
    const step = async (what: string, action: () => Promise<void>) => {
      await action();
      steps.push(`${what} at ${acknowledgedSoFar()} acknowledged lines (${new Date().toISOString()})`);
    };
    // Each fault starts while lines flow: wait for acknowledgements to grow before and after each step.
    const flowing = async (what: string) => {
      const before = acknowledgedSoFar();
      await waitFor(() => acknowledgedSoFar() >= before + 1_000, 60_000, `lines to flow ${what}`);
    };
    await flowing('at the start');
    // Requests in flight on receiver-1 when it dies: it is frozen (SIGSTOP) until HAProxy has sent
    // it some (they wait for an answer), then killed.
    deployment.node('receiver-1').server.process.kill('SIGSTOP');
    await waitFor(
      async () => ((await deployment.haproxy.sessions()).get('receivers/receiver1') ?? 0) > 0,
      10_000,
      'requests in flight on receiver-1',
    );
    await step('killed receiver-1 with requests in flight', () => deployment.kill('receiver-1'));
    await flowing('with receiver-1 down');
    await step('restarted receiver-1', () => deployment.restart('receiver-1'));
    await flowing('after receiver-1 is back');
    // Inserts in flight on shard 2 when it dies: frozen until a request has waited 300 ms, then killed.
    deployment.clickhouse.freezeNode(1);
    await waitFor(
      () =>
        senders.some((s) => s.report.waitingSince !== undefined && Date.now() - s.report.waitingSince > 300),
      10_000,
      'a request waiting on shard 2',
    );
    await step('killed shard 2 with inserts in flight', () => deployment.clickhouse.killNode(1));
    await flowing('with shard 2 down');
    // The API and the UI stay up (a search says the store is not available, with the reason).
    expect((await api(deployment.url, '/api/v1/sources')).status).toBe(200);
    await step('restarted shard 2', () => deployment.clickhouse.restartNode(1));
    const shardBackAt = Date.now();
    await flowing('after shard 2 is back');
    const reports = await Promise.all(senders.map((s) => s.stop()));

    const messages = await storedMessages(deployment, 'test/zero-loss');
    const stored = new Map<string, number>();
    for (const message of messages) {
      const seq = /seq=(\S+)/.exec(message)?.[1];
      if (seq !== undefined) stored.set(seq, (stored.get(seq) ?? 0) + 1);
    }
    const statuses = new Map<string, number>();
    for (const r of reports) for (const [k, v] of r.statuses) statuses.set(k, (statuses.get(k) ?? 0) + v);
    const identified = reports.slice(0, 3).flatMap((r) => r.acknowledged);
    const plain = reports[3]!.acknowledged;
    const missing = [...identified, ...plain].filter((seq) => !stored.has(seq));
    const twice = identified.filter((seq) => stored.get(seq) !== 1);
    const plainTwice = plain.filter((seq) => (stored.get(seq) ?? 0) > 1).length;
    const summary = `${steps.join('; ')}. answers: ${JSON.stringify(Object.fromEntries(statuses))}; identified ${identified.length} acknowledged, plain ${plain.length} (${plainTwice} stored twice)`;
    console.log(`zero-loss: ${summary}`);
    expect(
      reports.flatMap((r) => r.unexpected),
      summary,
    ).toEqual([]);
    expect(missing, summary).toEqual([]);
    expect(twice, summary).toEqual([]);
    // The faults were felt: the requests in flight on receiver-1 and on shard 2 were answered 503 and retried.
    expect(statuses.get('503') ?? 0, summary).toBeGreaterThan(0);

    // The restarted shard takes batches again.
    const after = await clickhouseJsonRows<{ n: string }>(
      deployment.clickhouse.nodes[1]!,
      `SELECT count() AS n FROM logs_local WHERE source_category = 'test/zero-loss' AND receipt_ts >= ${shardBackAt}`,
    );
    expect(Number(after[0]!.n), summary).toBeGreaterThan(0);

    // Quarry's own count through HAProxy and the query node agrees with the shards.
    expect(
      await searchCount(deployment.url, '_sourceCategory=test/zero-loss', from, Date.now() + 60_000),
    ).toBe(messages.length);
  }, 300_000);
});

describe('npm run deploy:local', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/local-deployment.ts'), ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('says how it is used, and refuses a count it cannot start, before starting anything', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--receivers N.*--shards N/s);
    const bad = run('--shards', '0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--shards must be a whole number from 1 to 16, got "0"');
  }, 120_000);
});
