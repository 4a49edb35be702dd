import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Capability } from '../../src/auth/capabilities.js';
import { hashPassword } from '../../src/auth/secrets.js';
import { Access, CAPABILITY_ROUTES } from '../../src/http/route-access.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { ADMIN_PASSWORD, adminAuth, api, basicAuth, createSource, startTestServer } from '../support/server.js';

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(base: string, username: string, password: string): Promise<{ status: number; session?: Session }> {
  const response = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { csrfToken?: string };
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('quarry_session='));
  return { status: response.status, ...(cookie && body.csrfToken ? { session: { cookie: cookie.split(';')[0]!, csrf: body.csrfToken } } : {}) };
}

/** A call with a browser session (cookie and CSRF header). */
async function withSession(base: string, session: Session, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function noCredentials(base: string, path: string, body: unknown = {}): Promise<number> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

describe('admin-only credential routes: password reset and ingest token replacement', () => {
  let server: RunningServer;
  let base: string;
  const opsAuth = (password: string): string => basicAuth('ops', password);
  beforeAll(async () => {
    server = await startTestServer();
    base = server.url;
    // There is no user API yet: a non-admin user is made straight in the meta store.
    await server.meta.users.create({ id: 'OPS0000000000001', username: 'ops', passwordHash: await hashPassword('ops-password-1'), createdAt: Date.now() });
  });
  afterAll(async () => {
    await server.close();
  });

  it('declares both routes admin-only in the route table', () => {
    for (const declared of CAPABILITY_ROUTES) {
      const routes = server.app.routeTable.filter((r) => r.url === declared.url && !r.isMethodNotAllowed);
      expect(routes.length, declared.url).toBeGreaterThan(0);
      for (const route of routes) expect(route, `${route.methods.join(',')} ${route.url}`).toMatchObject({ access: Access.User, capability: Capability.Admin });
    }
    expect(CAPABILITY_ROUTES.map((r) => r.url)).toEqual(expect.arrayContaining(['/api/v1/users/:name/password', '/api/v1/sources/:id/token']));
  });

  it("lets only an administrator set another user's password, ending that user's sessions at once", async () => {
    expect(await noCredentials(base, '/api/v1/users/ops/password', { newPassword: 'whatever-123' })).toBe(401);

    const opsSignedIn = await signIn(base, 'ops', 'ops-password-1');
    expect(opsSignedIn.status).toBe(200);
    const opsSession = opsSignedIn.session!;
    // A non-admin is refused by Basic and by session, for other users and for themselves (they use /me).
    for (const target of ['admin', 'ops']) {
      const refused = await api<{ code: string; message: string }>(base, `/api/v1/users/${target}/password`, {
        method: 'POST',
        body: { newPassword: 'taken-over-123' },
        auth: opsAuth('ops-password-1'),
      });
      expect(refused.status, target).toBe(403);
      expect(refused.body.code).toBe('forbidden');
      expect((await withSession(base, opsSession, `/api/v1/users/${target}/password`, { method: 'POST', body: { newPassword: 'taken-over-123' } })).status).toBe(403);
    }
    // The refusal changed nothing.
    expect((await signIn(base, 'admin', ADMIN_PASSWORD)).status).toBe(200);
    expect((await api(base, '/api/v1/session', { auth: opsAuth('ops-password-1') })).status).toBe(200);

    const reset = await api<{ user: { username: string }; sessionsEnded: number; password?: string }>(base, '/api/v1/users/ops/password', {
      method: 'POST',
      body: { newPassword: 'ops-password-2' },
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ user: { id: 'OPS0000000000001', username: 'ops' }, sessionsEnded: 1 });
    // The old password stops at once, though its Basic check was cached a moment ago; so does the session.
    expect((await api(base, '/api/v1/session', { auth: opsAuth('ops-password-1') })).status).toBe(401);
    expect((await withSession(base, opsSession, '/api/v1/session')).status).toBe(401);
    expect((await api(base, '/api/v1/session', { auth: opsAuth('ops-password-2') })).status).toBe(200);

    // Without a password in the body one is generated and shown in this answer only.
    const generated = await api<{ password?: string }>(base, '/api/v1/users/ops/password', { method: 'POST', body: {} });
    expect(generated.status).toBe(200);
    expect(generated.body.password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect((await signIn(base, 'ops', generated.body.password!)).status).toBe(200);
    expect((await api(base, '/api/v1/session', { auth: opsAuth('ops-password-2') })).status).toBe(401);
  });

  it('answers 404 for an unknown user and 400 for a bad password', async () => {
    const unknown = await api<{ message: string }>(base, '/api/v1/users/nobody/password', { method: 'POST', body: { newPassword: 'long-enough-1' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('no user named "nobody"');
    const short = await api<{ message: string }>(base, '/api/v1/users/ops/password', { method: 'POST', body: { newPassword: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.message).toContain('at least 8 characters');
    expect((await api(base, '/api/v1/users/ops/password', { method: 'POST', body: { password: 'long-enough-1' } })).status).toBe(400);
  });

  it('lets only an administrator replace an ingest token; the old one stops at once, the new one ingests', async () => {
    const source = await createSource(base, { name: 'rotate-me', multiline: false });
    const path = `/api/v1/sources/${source.id}/token`;
    expect(await noCredentials(base, path)).toBe(401);
    const opsPassword = (await api<{ password: string }>(base, '/api/v1/users/ops/password', { method: 'POST', body: {} })).body.password;
    const refused = await api<{ code: string }>(base, path, { method: 'POST', auth: opsAuth(opsPassword) });
    expect(refused.status).toBe(403);
    // A non-admin's access key is refused the same way.
    const opsKey = await api<{ accessId: string; accessKey: string }>(base, '/api/v1/accessKeys', { method: 'POST', body: { label: 'ops' }, auth: opsAuth(opsPassword) });
    expect(opsKey.status).toBe(201);
    expect((await api(base, path, { method: 'POST', auth: basicAuth(opsKey.body.accessId, opsKey.body.accessKey) })).status).toBe(403);
    expect((await fetch(source.url, { method: 'POST', body: 'still the first token' })).status).toBe(200);

    const rotated = await api<{ id: string; token: string; url: string }>(base, path, { method: 'POST' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.id).toBe(source.id);
    expect(rotated.body.url).toBe(`${base}/receiver/v1/http/${rotated.body.token}`);
    expect(rotated.body.token).not.toBe(source.token);
    // Every way of presenting the old token is refused at once.
    expect((await fetch(source.url, { method: 'POST', body: 'old token in the path' })).status).toBe(401);
    expect((await fetch(`${base}/receiver/v1/http`, { method: 'POST', headers: { 'x-sumo-token': source.token }, body: 'old token' })).status).toBe(401);
    expect((await fetch(`${base}/receiver/v1/http`, { method: 'POST', headers: { authorization: `Bearer ${source.token}` }, body: 'old token' })).status).toBe(401);
    expect((await fetch(rotated.body.url, { method: 'POST', body: 'new token in the path' })).status).toBe(200);
    expect((await fetch(`${base}/receiver/v1/http`, { method: 'POST', headers: { 'x-sumo-token': rotated.body.token }, body: 'new token' })).status).toBe(200);
    // The token is in this answer only.
    expect(JSON.stringify((await api(base, `/api/v1/sources/${source.id}`)).body)).not.toContain(rotated.body.token);
    expect((await api(base, '/api/v1/sources/NOSUCHSOURCE0000/token', { method: 'POST' })).status).toBe(404);
  });

  it("keeps the administrator's own session when they reset their own password in the browser", async () => {
    const first = (await signIn(base, 'admin', ADMIN_PASSWORD)).session!;
    const other = (await signIn(base, 'admin', ADMIN_PASSWORD)).session!;
    const reset = await withSession(base, first, '/api/v1/users/admin/password', { method: 'POST', body: { newPassword: 'admin-password-2' } });
    expect(reset.status).toBe(200);
    expect((await withSession(base, first, '/api/v1/session')).status).toBe(200);
    expect((await withSession(base, other, '/api/v1/session')).status).toBe(401);
    expect((await api(base, '/api/v1/session', { auth: adminAuth })).status).toBe(401);
    expect((await api(base, '/api/v1/session', { auth: basicAuth('admin', 'admin-password-2') })).status).toBe(200);
  });
});
