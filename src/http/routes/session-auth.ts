import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SessionService, type ActiveSession } from '../../auth/session-service.js';
import { parseCookies } from '../../auth/session-cookie.js';
import { AppError, ErrorCode } from '../../core/errors.js';
import { CLIENT_HEADER, CSRF_HEADER, SESSION_COOKIE } from '../../protocol/session.js';
import type { HttpDeps } from '../deps.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The browser session the request was authenticated with (null for Basic auth and public routes). */
    session: ActiveSession | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SessionAuth {
  sessions: SessionService;
  /**
   * Authenticates by the session cookie: undefined without a (live) session; a 403 when a
   * state-changing request lacks the matching X-CSRF-Token header.
   */
  authenticate(request: FastifyRequest): Promise<ActiveSession | undefined>;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** Cookie sessions for the onRequest auth hook; decorates requests with `session`. */
export function createSessionAuth(app: FastifyInstance, deps: HttpDeps): SessionAuth {
  const sessions = new SessionService(deps.meta, deps.authenticator, deps.config.session);
  app.decorateRequest('session', null);
  // The web UI handles 401 itself (the sign-in page): no Basic challenge, so no browser dialog.
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode === 401 && request.headers[CLIENT_HEADER] !== undefined) reply.removeHeader('www-authenticate');
  });
  return {
    sessions,
    async authenticate(request) {
      const token = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
      if (!token) return undefined;
      const session = await sessions.resolve(token);
      if (!session) return undefined;
      if (!SAFE_METHODS.has(request.method)) {
        const header = request.headers[CSRF_HEADER];
        if (typeof header !== 'string' || !sameToken(header, session.csrfToken)) {
          throw new AppError(ErrorCode.Forbidden, `missing or wrong ${CSRF_HEADER} header: send the csrfToken from sign-in with requests that change state`);
        }
      }
      request.session = session;
      return session;
    },
  };
}
