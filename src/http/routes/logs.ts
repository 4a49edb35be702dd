import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.js';
import { slicedCount } from '../../search/pushdown/sliced.js';
import { userFields } from '../../core/internal-fields.js';
import { requirePrincipal } from '../request.js';
import { parseIntParam, parseTimeParam } from '../time-params.js';

type LogQuery = Record<string, string | undefined>;

/** The first read path (until the query language lands): counts and the newest lines. */
export function registerLogRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: LogQuery }>('/api/v1/logs/count', async (request) => {
    const principal = requirePrincipal(request);
    const q = request.query;
    const from = parseTimeParam('from', q.from);
    const to = parseTimeParam('to', q.to);
    // A `contains` count reads every message in range: in time slices, as searches run.
    const { sliceRows, sliceTargetMs } = deps.config.search;
    const count = await slicedCount(
      deps.store,
      {
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(q.category ? { sourceCategory: q.category } : {}),
        ...(q.contains ? { contains: q.contains } : {}),
      },
      { rows: sliceRows, targetMs: sliceTargetMs },
      { owner: principal.userId, job: `count ${request.id}` },
    );
    return { count };
  });

  app.get<{ Querystring: LogQuery }>('/api/v1/logs/tail', async (request) => {
    requirePrincipal(request);
    const limit = parseIntParam('limit', request.query.limit, { min: 1, max: 10_000, fallback: 100 });
    const rows = await deps.store.tail(limit);
    return {
      messages: rows.map(({ fields, ...meta }) => ({
        ...meta,
        _messageTime: new Date(meta._messageTime).toISOString(),
        _receiptTime: new Date(meta._receiptTime).toISOString(),
        ...userFields(fields),
      })),
    };
  });
}
