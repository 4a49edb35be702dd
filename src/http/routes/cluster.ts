import type { FastifyInstance } from 'fastify';
import { SCHEDULER_LEASE } from '../../meta/meta-store.js';
import type { HttpDeps } from '../deps.js';
import { requirePrincipal } from '../request.js';

/** A node silent for this many heartbeats is listed as gone (its jobs and lease went with it). */
const SILENT_BEATS = 3;

/**
 * The nodes of the deployment as the MetaStore knows them (admin only, CAPABILITY_ROUTES): id,
 * URL, assemblies, start and last heartbeat, whether each is live, and which one schedules.
 */
export function registerClusterRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/v1/cluster/nodes', async (request) => {
    requirePrincipal(request);
    const now = Date.now();
    const silentSince = now - SILENT_BEATS * deps.config.heartbeatMs;
    const [nodes, scheduler] = await Promise.all([deps.meta.nodes.list(0), deps.meta.leases.holder(SCHEDULER_LEASE, now)]);
    return {
      self: deps.cluster?.id ?? null,
      scheduler: scheduler ?? null,
      nodes: nodes.map((n) => ({ ...n, live: n.seenAt >= silentSince, isScheduler: n.id === scheduler })),
    };
  });
}
