/**
 * One failure limit for every way a secret is checked (HTTP Basic password, access key, sign-in),
 * per username or access id and client address; failed checks cost ingest nothing; every outcome
 * is logged (never the secret) and searchable in Quarry's own logs.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { ADMIN_PASSWORD, api, basicAuth, createSource, startTestServer, waitFor } from '../support/server.js';

/** A GET from a chosen loopback address (127.0.0.0/8 is all local), so two clients can be told apart. */
function get(port: number, path: string, authorization: string, localAddress = '127.0.0.1'): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, localAddress, headers: { authorization } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

describe('failure limits and authentication logs', () => {
  let server: RunningServer;
  let port: number;
  beforeAll(async () => {
    server = await startTestServer({ selfLogs: true, logLevel: 'fatal' });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 429 with Retry-After after 5 wrong Basic passwords for a user from one address, not from another', async () => {
    const wrong = basicAuth('admin', 'not-the-password');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await get(port, '/api/v1/sources', wrong, '127.0.0.3')).status);
    const guessesBefore429 = statuses.indexOf(429);
    console.log(`auth: Basic password guesses before 429: ${guessesBefore429} (${statuses.join(' ')})`);
    expect(guessesBefore429).toBe(5);
    const locked = await get(port, '/api/v1/sources', basicAuth('admin', ADMIN_PASSWORD), '127.0.0.3');
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(locked.body).toMatch(/too many failed authentication attempts/);
    expect(JSON.parse(locked.body)).toMatchObject({ code: 'too_many_attempts' });
    // The right password from another address is not affected.
    expect((await get(port, '/api/v1/sources', basicAuth('admin', ADMIN_PASSWORD), '127.0.0.4')).status).toBe(200);
  });

  it('limits wrong access keys but never refuses the valid key, even from the attacking address', async () => {
    const created = await api<{ accessId: string; accessKey: string }>(server.url, '/api/v1/accessKeys', { method: 'POST', body: { label: 'ci' } });
    const valid = basicAuth(created.body.accessId, created.body.accessKey);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get(port, '/api/v1/sources', basicAuth(created.body.accessId, `guess${i}`), '127.0.0.5')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect((await get(port, '/api/v1/sources', valid, '127.0.0.5')).status).toBe(200);
    expect((await get(port, '/api/v1/sources', valid, '127.0.0.6')).status).toBe(200);
  });

  it('uses the same limit for browser sign-in', async () => {
    const signIn = (password: string) =>
      fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody', password }) });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signIn(`x${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('costs ingest nothing measurable: a flood of wrong passwords from many usernames leaves acknowledgements fast', async () => {
    const source = await createSource(server.url, { name: 'flood', multiline: false });
    const send = async (): Promise<number> => {
      const t = performance.now();
      const response = await fetch(source.url, { method: 'POST', body: 'one line\ntwo lines' });
      expect(response.status).toBe(200);
      return performance.now() - t;
    };
    const quiet: number[] = [];
    for (let i = 0; i < 20; i++) quiet.push(await send());
    let flooding = true;
    let guesses = 0;
    let refusedAtOnce = 0;
    const flood = Promise.all(
      Array.from({ length: 20 }, async (_, worker) => {
        for (let i = 0; flooding; i++) {
          const answer = await get(port, '/api/v1/sources', basicAuth(`user${worker}-${i}`, 'wrong'), `127.0.1.${worker + 1}`);
          guesses++;
          if (answer.status === 429) refusedAtOnce++;
        }
      }),
    );
    const loud: number[] = [];
    for (let i = 0; i < 40; i++) loud.push(await send());
    flooding = false;
    await flood;
    console.log(
      `auth: ingest ack p95 ${percentile(quiet, 95).toFixed(0)} ms quiet, ${percentile(loud, 95).toFixed(0)} ms during ${guesses} wrong Basic passwords from 20 addresses (${refusedAtOnce} refused without a check)`,
    );
    expect(guesses).toBeGreaterThan(100);
    expect(percentile(loud, 95)).toBeLessThan(Math.max(500, percentile(quiet, 95) * 3));
  });

  it('logs failures, lockouts and sign-ins with user, method and address, never the secret, searchable as quarry/auth', async () => {
    const secret = 'hunter2-must-not-appear';
    await get(port, '/api/v1/sources', basicAuth('auditme', secret), '127.0.0.9');
    const signedIn = await fetch(`${server.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(signedIn.status).toBe(200);
    const search = async (query: string): Promise<Record<string, string>[]> => {
      const job = await api<{ id: string }>(server.url, '/api/v1/search/jobs', { method: 'POST', body: { query, from: Date.now() - 600_000, to: Date.now() + 60_000, timeZone: 'UTC' } });
      for (;;) {
        const status = await api<{ state: string }>(server.url, `/api/v1/search/jobs/${job.body.id}`);
        if (status.body.state !== 'GATHERING RESULTS' && status.body.state !== 'NOT STARTED') break;
      }
      const messages = await api<{ messages: { map: Record<string, string> }[] }>(server.url, `/api/v1/search/jobs/${job.body.id}/messages?limit=1000`);
      return messages.body.messages.map((m) => m.map);
    };
    let failed: Record<string, string>[] = [];
    await waitFor(async () => {
      failed = await search('_sourceCategory=quarry/auth "authentication failed" auditme | json "user", "method", "address"');
      return failed.length > 0;
    }, 30_000, 'the failed attempt in quarry/auth');
    expect(failed[0]).toMatchObject({ user: 'auditme', method: 'basic-password', address: '127.0.0.9' });
    // Self logs are stored in batches: each entry is waited for, not assumed to be in the first one's.
    await waitFor(async () => {
      const lockouts = await search('_sourceCategory=quarry/auth "locked out" | json "user", "method"');
      return lockouts.some((m) => m.user === 'admin' && m.method === 'basic-password');
    }, 30_000, 'the lockout in quarry/auth');
    await waitFor(async () => {
      const signIns = await search('_sourceCategory=quarry/auth "authentication succeeded" | json "user", "method"');
      return signIns.some((m) => m.user === 'admin' && m.method === 'sign-in');
    }, 30_000, 'the sign-in in quarry/auth');
    const everything = await search('_sourceCategory=quarry/*');
    expect(JSON.stringify(everything)).not.toContain(secret);
    expect(JSON.stringify(everything)).not.toContain(ADMIN_PASSWORD);
  });
});
