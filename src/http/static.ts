import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The built web UI: `web/dist` at the repository root (the same from src/http and dist/http). */
export const defaultWebRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../web/dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Paths that belong to the server, never to the single-page app. */
const SERVER_PREFIXES = ['/api/', '/receiver/'];
const SERVER_PATHS = new Set(['/api', '/receiver', '/livez', '/readyz']);

/**
 * The UI's pages may only load our own scripts; CodeMirror injects style elements, hence inline styles.
 * No framing (clickjacking), no referrer beyond our origin.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
} as const;

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Quarry</title>
<body style="font:15px system-ui;margin:3rem;max-width:40rem">
<h1>Quarry</h1><p>The web UI has not been built. Run <code>npm run build</code> (or <code>npm ci</code>) and restart.</p>
<p>The API is available under <code>/api</code>.</p></body>`;

export interface WebAssets {
  /** Answers the app's index page for a GET/HEAD of a non-server path; false when the path isn't the app's. */
  sendAppPage(request: FastifyRequest, reply: FastifyReply): boolean;
}

function isAppPath(path: string): boolean {
  if (SERVER_PATHS.has(path)) return false;
  return !SERVER_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/**
 * Serves the built UI: hashed files under /assets/ cached for a year (their names change with their
 * content), everything else revalidated, and index.html for every other page path (client routing).
 */
export function registerWebRoutes(app: FastifyInstance, root: string = defaultWebRoot): WebAssets {
  const indexFile = resolve(root, 'index.html');
  const built = existsSync(indexFile);
  // Read once: the bundle does not change while the server runs (a rebuild needs a restart).
  const indexHtml = built ? readFileSync(indexFile) : Buffer.from(NOT_BUILT_PAGE);

  const sendFile = async (reply: FastifyReply, path: string, cacheControl: string): Promise<FastifyReply> => {
    const file = resolve(root, `.${path}`);
    const inside = file.startsWith(root + sep);
    if (!built || !inside || path.includes('\0') || !existsSync(file) || !statSync(file).isFile()) {
      return reply.status(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('not found');
    }
    return reply
      .status(200)
      .headers({ 'cache-control': cacheControl, 'x-content-type-options': 'nosniff' })
      .type(CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
      .send(await readFile(file));
  };

  app.get('/assets/*', (request, reply) => sendFile(reply, decodePath(request.url), 'public, max-age=31536000, immutable'));
  app.get('/favicon.svg', (_request, reply) => sendFile(reply, '/favicon.svg', 'public, max-age=86400'));

  return {
    sendAppPage(request, reply) {
      const path = request.url.split('?')[0] ?? '/';
      if ((request.method !== 'GET' && request.method !== 'HEAD') || !isAppPath(path)) return false;
      void reply
        .status(200)
        .headers({ ...PAGE_HEADERS, 'cache-control': 'no-cache' })
        .type('text/html; charset=utf-8')
        .send(indexHtml);
      return true;
    },
  };
}

function decodePath(url: string): string {
  const path = url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(path);
  } catch {
    return '\0';
  }
}
