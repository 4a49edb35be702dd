/**
 * Assemblies: a process runs only the parts it is given (`--assemblies`), says per assembly
 * whether it is ready, and the nodes of a deployment that share a PostgreSQL MetaStore route a
 * search job's requests to the node that runs it, and elect exactly one scheduler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { adminAuth, api, createSource, freePort, spawnServer, startTestServer, tempDir, waitFor, type ChildServer } from '../support/server.js';

const DAY = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2) };

async function status(url: string, path: string, init: RequestInit = {}): Promise<number> {
  return (await fetch(`${url}${path}`, { ...init, headers: { authorization: adminAuth, ...init.headers } })).status;
}

/** Runs a search job on `url` to its end and returns its id. */
async function runJob(url: string, query: string): Promise<string> {
  const created = await api<{ id: string }>(url, '/api/v1/search/jobs', { method: 'POST', body: { query, ...DAY, timeZone: 'UTC' } });
  expect(created.status).toBe(202);
  await waitFor(async () => (await api<{ state: string }>(url, `/api/v1/search/jobs/${created.body.id}`)).body.state === 'DONE GATHERING RESULTS', 30_000, 'the job to finish');
  return created.body.id;
}

describe('a process runs only its assemblies', () => {
  it('a receiver takes intake and nothing else; a query node searches and takes no intake', async () => {
    const receiver = await startTestServer({ assemblies: 'receiver' });
    try {
      const token = receiver.firstStart.defaultSourceToken!;
      const line = `${new Date(DAY.from + 60_000).toISOString()} receiver-only line`;
      expect((await fetch(`${receiver.url}/receiver/v1/http/${token}`, { method: 'POST', body: line })).status).toBe(200);
      expect(await status(receiver.url, '/api/v1/search/jobs', { method: 'POST' })).toBe(404);
      expect(await status(receiver.url, '/api/v1/sources')).toBe(404);
      // No web UI either: the page is a plain 404.
      const page = await fetch(`${receiver.url}/log-search/create`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(404);
      const ready = await fetch(`${receiver.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', assemblies: { receiver: 'ready' }, scheduler: false });
    } finally {
      await receiver.close();
    }

    const query = await startTestServer({ assemblies: 'query' });
    try {
      const token = query.firstStart.defaultSourceToken!;
      expect((await fetch(`${query.url}/receiver/v1/http/${token}`, { method: 'POST', body: 'x' })).status).toBe(404);
      expect((await fetch(`${query.url}/v1/logs`, { method: 'POST', body: '{}' })).status).toBe(404);
      const id = await runJob(query.url, '*');
      expect(id.startsWith(`${query.node.id}-`)).toBe(true);
      expect(await status(query.url, '/api/v1/sources')).toBe(200);
      expect(await (await fetch(`${query.url}/readyz`)).json()).toMatchObject({ assemblies: { query: 'ready' } });
    } finally {
      await query.close();
    }
  });

  it('refuses an assembly it does not know, naming the ones it does', async () => {
    await expect(startTestServer({ assemblies: 'receiver,indexer' })).rejects.toThrow(/assemblies.*receiver, query, alerting, ui/s);
  });
});

describe('nodes sharing a PostgreSQL MetaStore', () => {
  let postgres: TestPostgres;
  let meta: string;
  const nodes: ChildServer[] = [];
  /** A `quarry serve` process of the deployment (chDB allows one store per process). */
  async function startNode(): Promise<ChildServer> {
    const node = await spawnServer({ dataDir: tempDir(), port: await freePort(), args: ['--meta', meta], env: { QUARRY_HEARTBEAT_MS: '200' } });
    nodes.push(node);
    return node;
  }
  const readiness = async (node: ChildServer): Promise<{ node: string; scheduler: boolean }> =>
    (await (await fetch(`${node.url}/readyz`)).json()) as { node: string; scheduler: boolean };
  let a: ChildServer;
  let b: ChildServer;
  beforeAll(async () => {
    postgres = await startTestPostgres();
    meta = await postgres.createDatabase('assemblies');
    // Each node has its own embedded log store; the MetaStore (users, sources, nodes, leases) is shared.
    a = await startNode();
    b = await startNode();
    const source = await createSource(a.url, { name: 'routed', category: 'e2e/routed', multiline: false });
    const lines = Array.from({ length: 30 }, (_, i) => `${new Date(DAY.from + i * 60_000).toISOString()} routed line ${i}${i % 3 === 0 ? ' error' : ''}`);
    expect((await fetch(source.url, { method: 'POST', body: lines.join('\n') })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    for (const node of nodes) node.process.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.exited));
    await postgres?.stop();
  });

  it("answers a job's requests on any node, from the node that runs it", async () => {
    const id = await runJob(a.url, 'error | count');
    expect(id.startsWith(`${(await readiness(a)).node}-`)).toBe(true);
    const onA = await api<{ state: string; messageCount: number }>(a.url, `/api/v1/search/jobs/${id}`);
    const onB = await api<{ state: string; messageCount: number }>(b.url, `/api/v1/search/jobs/${id}`);
    expect(onB.status).toBe(200);
    expect(onB.body).toMatchObject({ state: 'DONE GATHERING RESULTS', messageCount: 10 });
    expect(onB.body.messageCount).toBe(onA.body.messageCount);
    const records = await api<{ records: { map: Record<string, string> }[] }>(b.url, `/api/v1/search/jobs/${id}/records?offset=0&limit=10`);
    expect(records.body.records.map((r) => r.map._count)).toEqual(['10']);
    const messages = await api<{ messages: unknown[] }>(b.url, `/api/v1/search/jobs/${id}/messages?offset=0&limit=4`);
    expect(messages.body.messages).toHaveLength(4);
    // Credentials are checked where the job runs: without them, 401 on either node.
    expect((await fetch(`${b.url}/api/v1/search/jobs/${id}`)).status).toBe(401);
    // Deleted through the other node, the job is gone on its own.
    expect((await api(b.url, `/api/v1/search/jobs/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(a.url, `/api/v1/search/jobs/${id}`)).status).toBe(404);
  });

  it('says a job is gone when its node is, and never forwards to a node id it does not know', async () => {
    const unknown = await api<{ code: string; message: string }>(b.url, '/api/v1/search/jobs/nffffffffff-0123456789ABCDEF');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/the query node that ran it is gone/);
  });

  it('elects exactly one scheduler; another takes over when it stops, and when it is killed', async () => {
    await waitFor(async () => (await readiness(a)).scheduler !== (await readiness(b)).scheduler, 10_000, 'one scheduler');
    let [leader, other] = (await readiness(a)).scheduler ? [a, b] : [b, a];
    const id = await runJob(leader.url, 'error');
    // A graceful stop gives the lease up at once.
    leader.process.kill('SIGTERM');
    expect(await leader.exited).toBe(0);
    await waitFor(async () => (await readiness(other)).scheduler, 10_000, 'the other node to take the scheduler over');
    // The stopped node's jobs are gone with it, and the answer says so.
    const gone = await api<{ message: string }>(other.url, `/api/v1/search/jobs/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toMatch(/the query node that ran it is gone/);
    // kill -9: nothing is given up; the lease runs out (three heartbeats) and a live node takes it.
    const third = await startNode();
    expect((await readiness(third)).scheduler).toBe(false);
    [leader, other] = [other, third];
    leader.process.kill('SIGKILL');
    await leader.exited;
    await waitFor(async () => (await readiness(other)).scheduler, 10_000, 'a live node to take the lease of a killed one');
    // The admin's view of the deployment: the killed node is listed as not live; the scheduler is named.
    const view = await api<{ scheduler: string; nodes: { id: string; live: boolean; isScheduler: boolean; assemblies: string[] }[] }>(other.url, '/api/v1/cluster/nodes');
    expect(view.status).toBe(200);
    const otherId = (await readiness(other)).node;
    expect(view.body.scheduler).toBe(otherId);
    expect(view.body.nodes.find((n) => n.id === otherId)).toMatchObject({ live: true, isScheduler: true, assemblies: ['receiver', 'query', 'alerting', 'ui'] });
    expect(view.body.nodes.filter((n) => !n.live)).toHaveLength(1);
  });
});
