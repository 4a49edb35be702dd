import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError, ErrorCode } from '../../core/errors.js';
import { hashSecret, newId, randomToken } from '../../auth/secrets.js';
import type { AccessKeyRecord } from '../../meta/meta-store.js';
import type { HttpDeps } from '../deps.js';
import { parseBody, requirePrincipal } from '../request.js';

const newKeySchema = z.object({ label: z.string().trim().min(1).max(128).optional() }).strict();

function viewKey(key: AccessKeyRecord, username: string) {
  return {
    id: key.id,
    label: key.label,
    accessId: key.accessId,
    createdBy: username,
    createdAt: new Date(key.createdAt).toISOString(),
    lastUsed: key.lastUsedAt === null ? null : new Date(key.lastUsedAt).toISOString(),
  };
}

/** Access keys: create (secret shown once), list, revoke. */
export function registerAccessKeyRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/v1/accessKeys', async (request, reply) => {
    const principal = requirePrincipal(request);
    const body = parseBody(newKeySchema, request.body ?? {}, 'access key');
    const accessKey = randomToken(64);
    const key: AccessKeyRecord = {
      id: newId(),
      accessId: `su${randomToken(12)}`,
      secretHash: hashSecret(accessKey),
      userId: principal.userId,
      label: body.label ?? 'api',
      createdAt: Date.now(),
      lastUsedAt: null,
    };
    await deps.meta.accessKeys.create(key);
    deps.logger.info({ accessKeyId: key.id, user: principal.username }, 'access key created');
    return reply.status(201).send({ ...viewKey(key, principal.username), accessKey });
  });

  app.get('/api/v1/accessKeys', async (request) => {
    const principal = requirePrincipal(request);
    const keys = await deps.meta.accessKeys.list(principal.userId);
    return { data: keys.map((key) => viewKey(key, principal.username)) };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/accessKeys/:id', async (request, reply) => {
    const principal = requirePrincipal(request);
    const owned = (await deps.meta.accessKeys.list(principal.userId)).some((key) => key.id === request.params.id);
    if (!owned || !(await deps.meta.accessKeys.revoke(request.params.id))) {
      throw new AppError(ErrorCode.NotFound, `no access key with id ${request.params.id}`);
    }
    deps.authenticator.invalidate();
    deps.logger.info({ accessKeyId: request.params.id, user: principal.username }, 'access key revoked');
    return reply.status(204).send();
  });
}
