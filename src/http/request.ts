import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal } from '../auth/authenticate.js';
import { AppError, ErrorCode } from '../core/errors.js';

/** The authenticated caller; the auth hook guarantees one on /api routes. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError(ErrorCode.Unauthorized, 'authentication required');
  return request.principal;
}

/** Validates a JSON body against a schema; the first problem becomes a 400 naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new AppError(ErrorCode.BadRequest, `invalid ${what}: ${where}${issue?.message ?? 'bad body'}`);
  }
  return parsed.data;
}
