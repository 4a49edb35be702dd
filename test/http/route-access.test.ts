import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access, PUBLIC_ROUTES, type RouteEntry } from '../../src/http/route-access.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { adminAuth, startTestServer } from '../support/server.js';

/** A raw request: the path goes out exactly as written (fetch would normalise dot segments). */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
      },
    );
    req.on('error', reject);
    req.end(hasBody ? '{}' : undefined);
  });
}

/** A concrete path of a route pattern: parameters and wildcards filled in. */
function concretePath(url: string): string {
  return url.replace(/:[A-Za-z]+/g, 'X1').replace(/\*/g, 'x');
}

/** Spellings of a path that a router or proxy might treat as the same path. */
function variants(path: string): string[] {
  const segments = path.split('/').filter(Boolean);
  const first = segments[0] ?? '';
  const rest = segments.slice(1).join('/');
  const encodeFirstChar = (s: string): string => (s === '' ? s : `%${s.charCodeAt(0).toString(16).padStart(2, '0')}${s.slice(1)}`);
  const encodeAll = (s: string): string => [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
  const out = [
    path,
    `/${encodeFirstChar(first)}${rest ? `/${rest}` : ''}`,
    `/${encodeAll(first)}${rest ? `/${rest}` : ''}`,
    `/${segments.map(encodeFirstChar).join('/')}`,
    `/${first}${rest ? `%2F${rest}` : ''}`,
    `/${path}`,
    `//${segments.join('//')}`,
    `/./${segments.join('/./')}`,
    `/${first}/zz/../${rest}`,
    `/${first}/%2e%2e/${first}/${rest}`,
    path.toUpperCase(),
    `/${first.toUpperCase()}${rest ? `/${rest}` : ''}`,
    `${path}/`,
    `${path}?x=1`,
    `${path};x=1`,
    `${path}%00`,
  ];
  return [...new Set(out)];
}

describe('every route declares its access, checked after routing', () => {
  let server: RunningServer;
  let port: number;
  let appPage: string;
  beforeAll(async () => {
    server = await startTestServer();
    port = Number(new URL(server.url).port);
    appPage = (await send(port, 'GET', '/search')).body;
  });
  afterAll(async () => {
    await server.close();
  });

  const protectedRoutes = (): RouteEntry[] => server.app.routeTable.filter((r) => r.access === Access.User);

  it('names only registered routes as public, and protects everything else', () => {
    const table = server.app.routeTable;
    expect(table.length).toBeGreaterThan(60);
    const publicUrls = new Set(PUBLIC_ROUTES.map((r) => r.url));
    for (const route of table) {
      if (route.access !== Access.User) expect(publicUrls.has(route.url), `${route.url} is public without being listed`).toBe(true);
    }
    // The read and management API is never public, whatever a route's methods.
    for (const url of ['/api/v1/logs/tail', '/api/v1/logs/count', '/api/v1/livetail', '/api/v1/sources', '/api/v1/search/jobs', '/api/v1/accessKeys']) {
      const routes = table.filter((r) => r.url === url);
      expect(routes.length, url).toBeGreaterThan(0);
      for (const r of routes) expect(r.access, `${r.methods.join(',')} ${url}`).toBe(Access.User);
    }
  });

  it('answers 401 to every protected route without credentials, however its path is spelled', async () => {
    let proven = 0;
    let requests = 0;
    const failures: string[] = [];
    for (const route of protectedRoutes()) {
      const path = concretePath(route.url);
      for (const method of route.methods) {
        for (const variant of variants(path)) {
          const answer = await send(port, method, variant);
          requests++;
          const isUnauthorized = answer.status === 401 && answer.body.includes('unauthorized');
          // A spelling that routes nowhere gets the not-found answer or the web UI's page: no handler ran.
          const isNotFound = answer.status === 404 && (answer.body.includes('not_found') || answer.body === 'not found');
          const isAppPage = answer.status === 200 && answer.type.startsWith('text/html') && answer.body === appPage;
          const isRefusedPath = answer.status === 400 && variant.includes('%00');
          // HEAD answers have no body: judged by the GET of the same spelling.
          const asGet = method === 'HEAD' ? await send(port, 'GET', variant) : undefined;
          const isHeadLikeGet = asGet !== undefined && answer.status === asGet.status && (asGet.status === 401 || asGet.status === 404 || asGet.body === appPage);
          if ((isUnauthorized || (isHeadLikeGet && answer.status === 401)) && variant === path) proven++;
          if (!(isUnauthorized || isNotFound || isAppPage || isRefusedPath || isHeadLikeGet)) {
            failures.push(`${method} ${variant} → ${answer.status} ${answer.body.slice(0, 80)}`);
          }
        }
      }
    }
    console.log(`route access: ${protectedRoutes().length} protected routes, ${proven} method+path pairs answered 401, ${requests} requests with path variants`);
    expect(failures).toEqual([]);
    expect(proven).toBeGreaterThan(40);
  });

  it('reaches the same routes with credentials (the 401 is the missing credentials, nothing else)', async () => {
    for (const path of ['/api/v1/logs/tail?limit=1', '/%61pi/v1/logs/tail?limit=1', '/api/v1/sources', '/%61%70%69/v1/sources']) {
      const answer = await send(port, 'GET', path, { authorization: adminAuth });
      expect(answer.status, path).toBe(200);
    }
    // The percent-encoded spelling from the report: the router decodes it to the real route, which refuses.
    for (const path of ['/%61pi/v1/logs/tail?limit=10000', '/%61pi/v1/logs/count?contains=x', '/%61pi/v1/livetail?query=*', '/%61pi/v1/sources']) {
      expect((await send(port, 'GET', path)).status, path).toBe(401);
    }
  });

  it('keeps the public routes public', async () => {
    expect((await send(port, 'GET', '/livez')).status).toBe(200);
    expect((await send(port, 'GET', '/readyz')).status).toBe(200);
    expect((await send(port, 'GET', '/services/collector/health')).status).toBe(200);
    // Intake routes check their token themselves.
    const intake = await send(port, 'POST', '/receiver/v1/http/not-a-token');
    expect(intake.status).toBe(401);
    expect(intake.body).toContain('ingest token');
    // Signing in needs no credentials; a wrong password is refused by the sign-in itself.
    const signIn = await send(port, 'POST', '/api/v1/session');
    expect(signIn.status).toBe(400);
  });
});
