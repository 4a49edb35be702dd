import type { FastifyInstance } from 'fastify';
import { AppError, ErrorCode } from '../../core/errors.js';
import type { HttpDeps } from '../deps.js';
import { requirePrincipal } from '../request.js';

/** HTTP sources: create (token and URL shown once), list, get, change rules, delete, rotate the token. */
export function registerSourceRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const ingestUrl = (token: string): string => `${deps.publicUrl()}/receiver/v1/http/${token}`;

  app.post('/api/v1/sources', async (request, reply) => {
    const principal = requirePrincipal(request);
    const { source, token } = await deps.sources.create(request.body ?? {});
    deps.logger.info({ sourceId: source.id, name: source.name, user: principal.username }, 'source created');
    return reply.status(201).send({ ...deps.sources.view(source), token, url: ingestUrl(token) });
  });

  // Excluded-line counts are written first, so the stored count and the in-memory rest add up.
  app.get('/api/v1/sources', async (request) => {
    requirePrincipal(request);
    await deps.sources.flushExcluded();
    return { data: (await deps.meta.sources.list()).map((source) => deps.sources.view(source)) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/sources/:id', async (request) => {
    requirePrincipal(request);
    await deps.sources.flushExcluded();
    const source = await deps.meta.sources.findById(request.params.id);
    if (!source) throw new AppError(ErrorCode.NotFound, `no source with id ${request.params.id}`);
    return deps.sources.view(source);
  });

  // PUT and PATCH both take `{rules, timestampFormat, timestampLocator}` (any of them): what can
  // change on an existing source.
  for (const method of ['put', 'patch'] as const) {
    app[method]<{ Params: { id: string } }>('/api/v1/sources/:id', async (request) => {
      const principal = requirePrincipal(request);
      const source = await deps.sources.update(request.params.id, request.body ?? {});
      deps.logger.info({ sourceId: source.id, changed: Object.keys(request.body ?? {}), user: principal.username }, 'source changed');
      return deps.sources.view(source);
    });
  }

  app.delete<{ Params: { id: string } }>('/api/v1/sources/:id', async (request, reply) => {
    const principal = requirePrincipal(request);
    if (!(await deps.meta.sources.delete(request.params.id))) {
      throw new AppError(ErrorCode.NotFound, `no source with id ${request.params.id}`);
    }
    deps.logger.info({ sourceId: request.params.id, user: principal.username }, 'source deleted');
    return reply.status(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/v1/sources/:id/token', async (request) => {
    const principal = requirePrincipal(request);
    const { source, token } = await deps.sources.rotateToken(request.params.id);
    deps.logger.info({ sourceId: source.id, user: principal.username }, 'source token rotated');
    return { ...deps.sources.view(source), token, url: ingestUrl(token) };
  });
}
