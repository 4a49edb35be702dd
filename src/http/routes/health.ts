import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.js';

/** Liveness (the process answers) and readiness (the store is open and takes writes). */
export function registerHealthRoutes(app: FastifyInstance, deps: HttpDeps, state: { draining: boolean }): void {
  app.get('/livez', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (state.draining) return reply.status(503).send({ status: 'draining' });
    const writable = await deps.store.checkWritable();
    if (!writable) return reply.status(503).send({ status: 'not ready', reason: 'log store is not writable' });
    return { status: 'ready' };
  });
}
