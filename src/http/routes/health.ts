import type { FastifyInstance } from 'fastify';
import type { Assembly } from '../../config/schema.js';
import type { HttpDeps } from '../deps.js';

type Check = { ok: true } | { ok: false; reason: string };

/**
 * Liveness (the process answers) and readiness per assembly: a receiver is ready when the log
 * store takes writes, a query node when it answers reads, every node when its heartbeat reaches
 * the metadata database. `/readyz` answers 503 naming what is not ready, so a load balancer sends
 * a node only what it can do.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HttpDeps, state: { draining: boolean }): void {
  app.get('/livez', () => ({ status: 'ok' }));
  const checks: Record<Assembly, () => Promise<Check>> = {
    receiver: async () => ((await deps.store.checkWritable()) ? { ok: true } : { ok: false, reason: 'log store is not writable' }),
    query: async () => ((await deps.store.checkReadable()) ? { ok: true } : { ok: false, reason: 'log store does not answer reads' }),
    alerting: () => Promise.resolve({ ok: true }),
    ui: () => Promise.resolve({ ok: true }),
  };
  app.get('/readyz', async (_request, reply) => {
    if (state.draining) return reply.status(503).send({ status: 'draining' });
    const assemblies: Partial<Record<Assembly, string>> = {};
    const reasons: string[] = [];
    for (const assembly of deps.config.assemblies) {
      const check = await checks[assembly]();
      assemblies[assembly] = check.ok ? 'ready' : check.reason;
      if (!check.ok) reasons.push(`${assembly}: ${check.reason}`);
    }
    const cluster = deps.cluster?.health();
    if (cluster !== undefined && !cluster.ok) reasons.push('the metadata database does not answer the heartbeat');
    const node = deps.cluster === undefined ? {} : { node: deps.cluster.id, scheduler: deps.cluster.isScheduler };
    if (reasons.length > 0) return reply.status(503).send({ status: 'not ready', reason: reasons.join('; '), assemblies, ...node });
    return { status: 'ready', assemblies, ...node };
  });
}
