/** `--health-port`: GET /healthz answers the collector's health as JSON (200 ok, 503 degraded). */
import { createServer, type Server } from 'node:http';
import type { CollectorHealth } from './collector.js';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Serves /healthz on 127.0.0.1:port (0 = any free port). */
export async function startHealthServer(port: number, health: () => CollectorHealth): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/healthz' && path !== '/')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"GET /healthz"}');
      return;
    }
    const body = health();
    response.writeHead(body.status === 'degraded' ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
