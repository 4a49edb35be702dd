import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ActiveSession } from '../../auth/session-service.js';
import { parseCookies, serializeCookie } from '../../auth/session-cookie.js';
import type { SessionResponse } from '../../protocol/session.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../protocol/session.js';
import type { HttpDeps } from '../deps.js';
import { parseBody, requirePrincipal } from '../request.js';
import type { SessionAuth } from './session-auth.js';

const signInSchema = z.object({ username: z.string().min(1).max(256), password: z.string().min(1).max(1024) }).strict();
const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1).max(1024),
    newPassword: z.string().min(8, 'must be at least 8 characters').max(1024),
  })
  .strict();

/** Cookies get `Secure` when the browser reached us over https (directly, through a proxy, or by the public URL). */
function isHttps(request: FastifyRequest, deps: HttpDeps): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return request.protocol === 'https' || proto === 'https' || (deps.config.publicUrl?.startsWith('https:') ?? false);
}

function viewSession(session: ActiveSession): SessionResponse {
  return {
    user: { id: session.principal.userId, username: session.principal.username },
    via: 'session',
    csrfToken: session.csrfToken,
    expiresAt: new Date(session.record.expiresAt).toISOString(),
    idleExpiresAt: new Date(session.idleExpiresAt).toISOString(),
  };
}

function setSessionCookies(reply: FastifyReply, values: { token: string; csrf: string; maxAgeSeconds: number; secure: boolean }): void {
  void reply.header('set-cookie', [
    serializeCookie(SESSION_COOKIE, values.token, { maxAgeSeconds: values.maxAgeSeconds, httpOnly: true, secure: values.secure }),
    serializeCookie(CSRF_COOKIE, values.csrf, { maxAgeSeconds: values.maxAgeSeconds, httpOnly: false, secure: values.secure }),
  ]);
}

/** Sign-in, session info, sign-out and password change for the web UI. */
export function registerSessionRoutes(app: FastifyInstance, deps: HttpDeps, auth: SessionAuth): void {
  app.post('/api/v1/session', async (request, reply) => {
    const body = parseBody(signInSchema, request.body, 'sign-in');
    const signedIn = await auth.sessions.signIn(body.username, body.password, request.ip);
    setSessionCookies(reply, {
      token: signedIn.token,
      csrf: signedIn.csrfToken,
      maxAgeSeconds: (signedIn.record.expiresAt - signedIn.record.createdAt) / 1000,
      secure: isHttps(request, deps),
    });
    return reply.status(200).send(viewSession(signedIn));
  });

  app.get('/api/v1/session', (request, reply) => {
    if (request.session) return reply.send(viewSession(request.session));
    const principal = requirePrincipal(request);
    const answer: SessionResponse = { user: { id: principal.userId, username: principal.username }, via: principal.via };
    return reply.send(answer);
  });

  app.delete('/api/v1/session', async (request, reply) => {
    requirePrincipal(request);
    const token = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    if (request.session && token) {
      await auth.sessions.signOut(token);
      deps.logger.info({ user: request.session.principal.username }, 'signed out');
    }
    setSessionCookies(reply, { token: '', csrf: '', maxAgeSeconds: 0, secure: isHttps(request, deps) });
    return reply.status(204).send();
  });

  app.post('/api/v1/users/me/password', async (request, reply) => {
    const principal = requirePrincipal(request);
    const body = parseBody(changePasswordSchema, request.body, 'password change');
    await auth.sessions.changePassword({
      userId: principal.userId,
      currentPassword: body.currentPassword,
      newPassword: body.newPassword,
      ...(request.session ? { keepSessionId: request.session.record.id } : {}),
      clientAddress: request.ip,
    });
    deps.logger.info({ user: principal.username }, 'password changed');
    return reply.status(204).send();
  });
}
