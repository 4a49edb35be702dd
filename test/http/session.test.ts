import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { ADMIN_PASSWORD, adminAuth, basicAuth, startTestServer } from '../support/server.js';

interface SignedIn {
  cookie: string;
  csrf: string;
  setCookies: string[];
  body: { user: { username: string }; csrfToken: string; via: string; expiresAt: string; idleExpiresAt: string };
}

async function signIn(base: string, password = ADMIN_PASSWORD, headers: Record<string, string> = {}): Promise<SignedIn> {
  const response = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username: 'admin', password }),
  });
  expect(response.status).toBe(200);
  const setCookies = response.headers.getSetCookie();
  const session = setCookies.find((c) => c.startsWith('quarry_session='))!;
  const body = (await response.json()) as SignedIn['body'];
  return { cookie: session.split(';')[0]!, csrf: body.csrfToken, setCookies, body };
}

function call(base: string, path: string, init: { method?: string; cookie?: string; csrf?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...(init.csrf ? { 'x-csrf-token': init.csrf } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

describe('browser sessions', () => {
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ 'session.signInMaxFailures': 3 });
    base = server.url;
  });
  afterAll(async () => {
    await server.close();
  });

  it('signs in with a HttpOnly, SameSite=Strict session cookie and a readable CSRF cookie', async () => {
    const signed = await signIn(base);
    const session = signed.setCookies.find((c) => c.startsWith('quarry_session='))!;
    const csrf = signed.setCookies.find((c) => c.startsWith('quarry_csrf='))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).toMatch(/; Path=\//);
    expect(session).toMatch(/; Max-Age=604800/);
    expect(session).not.toMatch(/Secure/);
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(csrf).toContain(`quarry_csrf=${signed.csrf}`);
    expect(signed.body).toMatchObject({ user: { username: 'admin' }, via: 'session' });
    // The token is stored only hashed: the database row's id is not the cookie value.
    const token = decodeURIComponent(signed.cookie.split('=')[1]!);
    expect(await server.meta.sessions.findById(token)).toBeUndefined();
  });

  it('marks cookies Secure behind https', async () => {
    const signed = await signIn(base, ADMIN_PASSWORD, { 'x-forwarded-proto': 'https' });
    for (const cookie of signed.setCookies) expect(cookie).toMatch(/; Secure/);
  });

  it('accepts the session on the API, and refuses state changes without the CSRF header', async () => {
    const signed = await signIn(base);
    const me = await call(base, '/api/v1/session', { cookie: signed.cookie });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { username: 'admin' }, via: 'session', csrfToken: signed.csrf });
    expect((await call(base, '/api/v1/sources', { cookie: signed.cookie })).status).toBe(200);

    const noToken = await call(base, '/api/v1/accessKeys', { method: 'POST', cookie: signed.cookie, body: {} });
    expect(noToken.status).toBe(403);
    expect(await noToken.json()).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/x-csrf-token/i) });
    const wrongToken = await call(base, '/api/v1/accessKeys', { method: 'POST', cookie: signed.cookie, csrf: 'x'.repeat(43), body: {} });
    expect(wrongToken.status).toBe(403);
    const other = await signIn(base);
    const crossed = await call(base, '/api/v1/accessKeys', { method: 'POST', cookie: signed.cookie, csrf: other.csrf, body: {} });
    expect(crossed.status).toBe(403);
    const ok = await call(base, '/api/v1/accessKeys', { method: 'POST', cookie: signed.cookie, csrf: signed.csrf, body: {} });
    expect(ok.status).toBe(201);
  });

  it('answers 401 for a missing or unknown session, without a Basic challenge for the web UI', async () => {
    expect((await call(base, '/api/v1/session')).status).toBe(401);
    const unknown = await call(base, '/api/v1/sources', { cookie: 'quarry_session=nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('Basic');
    const fromUi = await call(base, '/api/v1/session', { headers: { 'x-quarry-client': 'web' } });
    expect(fromUi.status).toBe(401);
    expect(fromUi.headers.get('www-authenticate')).toBeNull();
  });

  it('still accepts HTTP Basic, which needs no CSRF header', async () => {
    const me = await call(base, '/api/v1/session', { headers: { authorization: adminAuth } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { via: string; csrfToken?: string };
    expect(body.via).toBe('password');
    expect(body.csrfToken).toBeUndefined();
    const created = await call(base, '/api/v1/accessKeys', { method: 'POST', headers: { authorization: adminAuth }, body: {} });
    expect(created.status).toBe(201);
  });

  it('signs out: the cookie stops working and is cleared', async () => {
    const signed = await signIn(base);
    expect((await call(base, '/api/v1/session', { method: 'DELETE', cookie: signed.cookie })).status).toBe(403);
    const out = await call(base, '/api/v1/session', { method: 'DELETE', cookie: signed.cookie, csrf: signed.csrf });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('quarry_session='))).toMatch(/Max-Age=0/);
    expect((await call(base, '/api/v1/session', { cookie: signed.cookie })).status).toBe(401);
  });

  it('rejects a wrong password with 401 and rate-limits repeated failures per username and address with 429', async () => {
    const attempt = (password: string) =>
      fetch(`${base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ratelimited', password }),
      });
    for (let i = 0; i < 3; i++) {
      const wrong = await attempt('wrong');
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ code: 'unauthorized', message: 'wrong username or password' });
    }
    const limited = await attempt('wrong');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { message: string }).message).toMatch(/too many failed sign-ins/);
    // Another username from the same address is not affected.
    expect((await signIn(base)).body.via).toBe('session');
  });

  it('validates the sign-in body', async () => {
    const bad = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":1}' });
    expect(bad.status).toBe(400);
    const form = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'username=admin' });
    expect(form.status).toBe(400);
  });

  it('changes the password: the old one stops working, other sessions end, this one stays', async () => {
    const current = await signIn(base);
    const other = await signIn(base);
    const wrong = await call(base, '/api/v1/users/me/password', {
      method: 'POST',
      cookie: current.cookie,
      csrf: current.csrf,
      body: { currentPassword: 'not-it', newPassword: 'new-password-1' },
    });
    expect(wrong.status).toBe(403);
    const short = await call(base, '/api/v1/users/me/password', {
      method: 'POST',
      cookie: current.cookie,
      csrf: current.csrf,
      body: { currentPassword: ADMIN_PASSWORD, newPassword: 'short' },
    });
    expect(short.status).toBe(400);
    const changed = await call(base, '/api/v1/users/me/password', {
      method: 'POST',
      cookie: current.cookie,
      csrf: current.csrf,
      body: { currentPassword: ADMIN_PASSWORD, newPassword: 'new-password-1' },
    });
    expect(changed.status).toBe(204);
    expect((await call(base, '/api/v1/session', { cookie: current.cookie })).status).toBe(200);
    expect((await call(base, '/api/v1/session', { cookie: other.cookie })).status).toBe(401);
    expect((await call(base, '/api/v1/sources', { headers: { authorization: adminAuth } })).status).toBe(401);
    expect((await call(base, '/api/v1/sources', { headers: { authorization: basicAuth('admin', 'new-password-1') } })).status).toBe(200);
    // Put it back for the other tests (through Basic auth, which needs no CSRF token).
    const back = await call(base, '/api/v1/users/me/password', {
      method: 'POST',
      headers: { authorization: basicAuth('admin', 'new-password-1') },
      body: { currentPassword: 'new-password-1', newPassword: ADMIN_PASSWORD },
    });
    expect(back.status).toBe(204);
  });
});

describe('session expiry', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ 'session.idleTimeoutMs': 60 * 60 * 1000, 'session.absoluteTimeoutMs': 2 * 60 * 60 * 1000 });
  });
  afterAll(async () => {
    await server.close();
  });

  /** Moves a session's clock back by rewriting its row: the server compares against the real time. */
  async function age(cookie: string, by: { lastSeen: number; expires: number }): Promise<void> {
    const { hashSecret } = await import('../../src/auth/secrets.js');
    const id = hashSecret(decodeURIComponent(cookie.split('=')[1]!));
    const record = (await server.meta.sessions.findById(id))!;
    await server.meta.sessions.delete(id);
    await server.meta.sessions.create({ ...record, lastSeenAt: record.lastSeenAt - by.lastSeen, expiresAt: record.expiresAt - by.expires });
  }

  it('ends a session left idle past the idle timeout', async () => {
    const signed = await signIn(server.url);
    await age(signed.cookie, { lastSeen: 59 * 60 * 1000, expires: 0 });
    expect((await call(server.url, '/api/v1/session', { cookie: signed.cookie })).status).toBe(200);
    await age(signed.cookie, { lastSeen: 61 * 60 * 1000, expires: 0 });
    expect((await call(server.url, '/api/v1/session', { cookie: signed.cookie })).status).toBe(401);
  });

  it('ends a busy session at the absolute limit', async () => {
    const signed = await signIn(server.url);
    await age(signed.cookie, { lastSeen: 0, expires: 2 * 60 * 60 * 1000 });
    expect((await call(server.url, '/api/v1/session', { cookie: signed.cookie })).status).toBe(401);
  });
});

describe('the web UI from quarry serve', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the app page for page paths, with security headers and no caching of the page', async () => {
    for (const path of ['/', '/log-search', '/log-search/create?query=error&startTime=-15m']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await response.text()).toMatch(/Quarry/);
    }
  });

  it('leaves the API, the receiver and health checks alone', async () => {
    const missing = await fetch(`${server.url}/api/v1/nothing-here`, { headers: { authorization: adminAuth } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found' });
    // No route, no handler, no data: the same JSON 404 without credentials (never the web UI's page).
    const missingAnonymous = await fetch(`${server.url}/api/v1/nothing-here`);
    expect(missingAnonymous.status).toBe(404);
    expect(await missingAnonymous.json()).toMatchObject({ code: 'not_found' });
    expect((await fetch(`${server.url}/receiver/v1/nothing/a/b`)).headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${server.url}/livez`)).status).toBe(200);
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses paths outside the bundle', async () => {
    for (const path of ['/assets/..%2F..%2Fpackage.json', '/assets/..%2f..%2f..%2fpackage.json', '/assets/nope.js']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('devDependencies');
    }
  });
});
