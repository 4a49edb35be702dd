import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { adminAuth, api, basicAuth, startTestServer } from '../support/server.js';

interface KeyView {
  id: string;
  accessId: string;
  accessKey?: string;
  label: string;
}

describe('API authentication, access keys and sources', () => {
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer();
    base = server.url;
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers health checks without credentials', async () => {
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', assemblies: { receiver: 'ready', query: 'ready', alerting: 'ready', ui: 'ready' } });
  });

  it('refuses /api without or with wrong credentials, with a JSON 401', async () => {
    for (const auth of [undefined, basicAuth('admin', 'wrong'), basicAuth('nobody', 'x'), 'Bearer abc']) {
      const response = await fetch(`${base}/api/v1/sources`, auth ? { headers: { authorization: auth } } : {});
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Basic');
      expect(await response.json()).toMatchObject({ code: 'unauthorized' });
    }
    expect((await api(base, '/api/v1/sources')).status).toBe(200);
    expect((await api(base, '/api/v1/no-such-thing')).status).toBe(404);
  });

  it('creates an access key whose secret works once shown, lists it without the secret, and revokes it', async () => {
    const created = await api<KeyView>(base, '/api/v1/accessKeys', { method: 'POST', body: { label: 'ci' } });
    expect(created.status).toBe(201);
    expect(created.body.accessKey).toMatch(/^[A-Za-z0-9]{64}$/);
    const keyAuth = basicAuth(created.body.accessId, created.body.accessKey!);
    expect((await api(base, '/api/v1/sources', { auth: keyAuth })).status).toBe(200);
    expect((await api(base, '/api/v1/sources', { auth: basicAuth(created.body.accessId, 'wrong') })).status).toBe(401);

    const listed = await api<{ data: KeyView[] }>(base, '/api/v1/accessKeys');
    const mine = listed.body.data.find((k) => k.id === created.body.id)!;
    expect(mine).toMatchObject({ label: 'ci', accessId: created.body.accessId });
    expect(mine).not.toHaveProperty('accessKey');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.accessKey);

    expect((await api(base, `/api/v1/accessKeys/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(base, `/api/v1/accessKeys/${created.body.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await api(base, '/api/v1/sources', { auth: keyAuth })).status).toBe(401);
  });

  it('validates access key bodies', async () => {
    const bad = await api<{ code: string; message: string }>(base, '/api/v1/accessKeys', { method: 'POST', body: { label: 5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/label/);
    const notJson = await fetch(`${base}/api/v1/accessKeys`, {
      method: 'POST',
      headers: { authorization: adminAuth, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'bad_request' });
  });

  it('creates, lists, rotates and deletes HTTP sources', async () => {
    const created = await api<{ id: string; name: string; token: string; url: string }>(base, '/api/v1/sources', {
      method: 'POST',
      body: { name: 'web', category: 'prod/web', multiline: false },
    });
    expect(created.status).toBe(201);
    expect(created.body.url).toBe(`${base}/receiver/v1/http/${created.body.token}`);
    expect((await fetch(created.body.url, { method: 'POST', body: 'hello' })).status).toBe(200);

    const list = await api<{ data: { id: string; name: string }[] }>(base, '/api/v1/sources');
    expect(list.body.data.map((s) => s.name)).toEqual(expect.arrayContaining(['default', 'web']));
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);

    const duplicate = await api(base, '/api/v1/sources', { method: 'POST', body: { name: 'web' } });
    expect(duplicate.status).toBe(409);

    const rotated = await api<{ token: string; url: string }>(base, `/api/v1/sources/${created.body.id}/token`, { method: 'POST' });
    expect(rotated.status).toBe(200);
    expect((await fetch(created.body.url, { method: 'POST', body: 'old token' })).status).toBe(401);
    expect((await fetch(rotated.body.url, { method: 'POST', body: 'new token' })).status).toBe(200);

    expect((await api(base, `/api/v1/sources/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(base, `/api/v1/sources/${created.body.id}`)).status).toBe(404);
    expect((await fetch(rotated.body.url, { method: 'POST', body: 'deleted source' })).status).toBe(401);
  });

  it('rejects invalid source definitions with the field named', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /name/],
      [{ name: '' }, /name/],
      [{ name: 'a/b' }, /name/],
      [{ name: 'x', multiline: { mode: 'regex' } }, /boundary/],
      [{ name: 'x', multiline: '([' }, /regex/],
      [{ name: 'x', timestampFormat: 'QQQQ' }, /timestampFormat/],
      [{ name: 'x', unknown: 1 }, /unknown|Unrecognized/i],
    ];
    for (const [body, message] of cases) {
      const response = await api<{ code: string; message: string }>(base, '/api/v1/sources', { method: 'POST', body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.message).toMatch(message);
    }
  });

  it('validates the read path parameters', async () => {
    const bad = await api<{ message: string }>(base, '/api/v1/logs/count?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/from/);
    expect((await api(base, '/api/v1/logs/tail?limit=0')).status).toBe(400);
    expect((await api(base, '/api/v1/logs/tail?limit=5')).status).toBe(200);
  });
});
