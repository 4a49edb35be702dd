import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { generatePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, resetPassword } from '../../auth/password-reset.js';
import type { HttpDeps } from '../deps.js';
import { parseBody, requirePrincipal } from '../request.js';

const resetSchema = z
  .object({
    newPassword: z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH).optional(),
  })
  .strict();

/**
 * An administrator's password reset (admin-only by CAPABILITY_ROUTES in route-access.ts; changing
 * your own with the current password is `POST /api/v1/users/me/password`, a static route that
 * wins over `:name`).
 */
export function registerUserRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Params: { name: string } }>('/api/v1/users/:name/password', async (request) => {
    const principal = requirePrincipal(request);
    const body = parseBody(resetSchema, request.body ?? {}, 'password reset');
    const isGenerated = body.newPassword === undefined;
    const newPassword = body.newPassword ?? generatePassword();
    // The session making the change stays signed in (it belongs to the target only on a self-reset).
    const reset = await resetPassword(deps.meta, {
      username: request.params.name,
      newPassword,
      ...(request.session ? { keepSessionId: request.session.record.id } : {}),
    });
    // Cached Basic checks of the old password must not outlive it.
    deps.authenticator.invalidate();
    deps.logger.info({ user: principal.username, target: reset.user.username, sessionsEnded: reset.sessionsEnded }, 'password reset by an administrator');
    return {
      user: { id: reset.user.id, username: reset.user.username },
      sessionsEnded: reset.sessionsEnded,
      // Shown only in this answer, like a new source's token.
      ...(isGenerated ? { password: newPassword } : {}),
    };
  });
}
