import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { parseBasicAuth, type Principal } from '../auth/authenticate.js';
import { hasCapability } from '../auth/capabilities.js';
import { ASSEMBLIES } from '../config/schema.js';
import { AppError, ErrorCode } from '../core/errors.js';
import type { HttpDeps } from './deps.js';
import { createErrorHandler } from './error-mapper.js';
import { Access, declareRouteAccess, routeKey, unmatchedCapabilityRoutes, unmatchedPublicRoutes, type RouteEntry } from './route-access.js';
import { registerWebRoutes } from './static.js';
import { registerAccessKeyRoutes } from './routes/access-keys.js';
import { registerClusterRoutes } from './routes/cluster.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerElasticIntakeRoutes } from './routes/intake-elastic.js';
import { registerLokiIntakeRoutes } from './routes/intake-loki.js';
import { registerOtlpIntakeRoutes } from './routes/intake-otlp.js';
import { registerSplunkHecIntakeRoutes } from './routes/intake-splunk-hec.js';
import { registerLogRoutes } from './routes/logs.js';
import { registerSearchJobRoutes } from './routes/search-jobs.js';
import { registerLiveTailRoutes } from './routes/live-tail.js';
import { registerReceiverRoutes } from './routes/receiver.js';
import { registerSessionRoutes } from './routes/session.js';
import { createSessionAuth } from './routes/session-auth.js';
import { registerSourceRoutes } from './routes/sources.js';
import { registerUserRoutes } from './routes/users.js';

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export interface AppState {
  /** Set when shutdown starts: readiness fails so load balancers stop sending. */
  draining: boolean;
}

/** Builds the Fastify app with every route; the caller listens and closes it. */
export async function buildApp(deps: HttpDeps, state: AppState = { draining: false }): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 512 },
    // Keep-alive connections are closed on shutdown once their in-flight request is answered.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestTimeout: 120_000,
  });
  app.decorateRequest('principal', null);
  // While draining, answers close their connection: a keep-alive socket that was busy when shutdown
  // began would otherwise hold the server open until its keep-alive timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (state.draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.setErrorHandler(createErrorHandler(deps.logger));

  // Which methods each path answers, so a wrong method is a 405 (with Allow) rather than a 404.
  const methodsByPath = new Map<string, Set<string>>();
  const registered = new Set<string>();
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    // Every route gets its access rule here, as it is registered (route-access.ts).
    routeTable.push(declareRouteAccess(route));
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) registered.add(routeKey(m, route.url));
    if (route.config?.methodsOfPath !== undefined) return;
    const known = methodsByPath.get(route.url) ?? new Set<string>();
    for (const m of methods) known.add(m);
    methodsByPath.set(route.url, known);
  });

  const sessionAuth = createSessionAuth(app, deps);
  /** The signed-in user of a request: HTTP Basic, else the session cookie; 401 without either. */
  const authenticateUser = async (request: FastifyRequest): Promise<Principal> => {
    const credentials = parseBasicAuth(request.headers.authorization);
    if (!credentials) {
      const session = await sessionAuth.authenticate(request);
      if (session) return session.principal;
      throw new AppError(ErrorCode.Unauthorized, 'authentication required: HTTP Basic with username:password or accessId:accessKey');
    }
    const principal = await deps.authenticator.authenticate(credentials, { address: request.ip });
    if (!principal) throw new AppError(ErrorCode.Unauthorized, 'invalid credentials');
    return principal;
  };
  // Runs after routing: the rule is the matched route's own, whatever the spelling of the URL.
  app.addHook('onRequest', async (request) => {
    const rule = request.routeOptions.config.routeAccess;
    if (rule === undefined) {
      // Only the not-found handler has no rule; it answers 404 or the web UI's page, never data.
      if (request.is404) return;
      throw new AppError(ErrorCode.Internal, 'route has no access rule');
    }
    if (rule.access !== Access.User) return;
    const principal = await authenticateUser(request);
    if (rule.capability !== undefined && !hasCapability(principal, rule.capability)) {
      throw new AppError(ErrorCode.Forbidden, `this needs the ${rule.capability} capability, which user "${principal.username}" does not have`);
    }
    request.principal = principal;
  });

  // Each assembly brings its routes (config `assemblies`); health is everywhere.
  const runs = new Set(deps.config.assemblies);
  registerHealthRoutes(app, deps, state);
  if (runs.has('query') || runs.has('ui')) {
    registerAccessKeyRoutes(app, deps);
    registerSourceRoutes(app, deps);
    registerSessionRoutes(app, deps, sessionAuth);
    registerUserRoutes(app, deps);
    registerClusterRoutes(app, deps);
  }
  if (runs.has('query')) {
    registerLogRoutes(app, deps);
    registerSearchJobRoutes(app, deps, deps.search);
    registerLiveTailRoutes(app, deps);
  }
  if (runs.has('receiver')) {
    registerReceiverRoutes(app, deps);
    registerOtlpIntakeRoutes(app, deps);
    registerLokiIntakeRoutes(app, deps);
    registerElasticIntakeRoutes(app, deps);
    registerSplunkHecIntakeRoutes(app, deps);
  }
  const web = runs.has('ui') ? registerWebRoutes(app) : undefined;
  await app.after();
  // The route lists must name only routes that exist: checked where every route is registered.
  if (ASSEMBLIES.every((a) => runs.has(a))) {
    const stale = unmatchedPublicRoutes(registered);
    if (stale.length > 0) throw new Error(`PUBLIC_ROUTES names routes that do not exist: ${stale.join(', ')}`);
    const staleCapabilities = unmatchedCapabilityRoutes(registered);
    if (staleCapabilities.length > 0) throw new Error(`CAPABILITY_ROUTES names routes that do not exist: ${staleCapabilities.join(', ')}`);
  }

  const known = [...methodsByPath];
  await app.register((scope, _options, done) => {
    // Whatever the body, a wrong method is answered 405 without reading it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload));
    for (const [url, methods] of known) {
      const others = ALL_METHODS.filter((m) => !methods.has(m) && !(m === 'HEAD' && methods.has('GET')));
      if (others.length === 0) continue;
      const allow = [...methods].join(', ');
      scope.route({
        method: [...others],
        url,
        config: { methodsOfPath: [...methods] },
        handler: (_request, reply) =>
          reply
            .status(405)
            .header('allow', allow)
            .send({ code: ErrorCode.MethodNotAllowed, message: `use ${allow} on this path` }),
      });
    }
    done();
  });

  app.setNotFoundHandler((request, reply) =>
    web?.sendAppPage(request, reply) === true ? reply : reply.status(404).send({ code: ErrorCode.NotFound, message: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );
  return app;
}
