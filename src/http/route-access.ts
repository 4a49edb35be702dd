/**
 * Who may call each route, declared on the route itself and checked after routing.
 *
 * Every route needs a signed-in user (HTTP Basic or a browser session) unless it is named in
 * PUBLIC_ROUTES below. The declaration is stamped on each route as it is registered (Fastify's
 * onRoute hook) and read back from the matched route by the authentication hook, so what is
 * decided never depends on how the URL was spelled (percent-encoding, slashes, case): a path that
 * routes to a route gets that route's rule, and a path that routes nowhere reaches no handler.
 * Routes named in CAPABILITY_ROUTES also need a capability of that user (403 without it).
 */
import type { RouteOptions } from 'fastify';
import { Capability } from '../auth/capabilities.js';

export const Access = {
  /** No credentials at all (health, the web UI's files, signing in). */
  Public: 'public',
  /** No user: the handler itself checks the request's ingest token (intake routes). */
  IngestToken: 'ingest-token',
  /** A signed-in user: HTTP Basic (password or access key) or a browser session. */
  User: 'user',
} as const;
export type Access = (typeof Access)[keyof typeof Access];

/** What a route needs: who may call it, and for some user routes a capability of that user. */
export interface RouteAccess {
  access: Access;
  capability?: Capability;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Stamped by `declareRouteAccess` on every route; absent only on the not-found handler. */
    routeAccess?: RouteAccess;
  }
}

interface PublicRoute {
  methods: readonly string[];
  url: string;
  access: typeof Access.Public | typeof Access.IngestToken;
  /** Why this route needs no user. */
  why: string;
}

const ANY = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
const ingest = (methods: readonly string[], url: string, why: string): PublicRoute => ({ methods, url, access: Access.IngestToken, why });
const open = (methods: readonly string[], url: string, why: string): PublicRoute => ({ methods, url, access: Access.Public, why });
const ES_PROBE = "an Elasticsearch client's connection probe (answered only with the ingest token)";

/**
 * The only routes that need no user (HEAD goes with GET). Everything else answers 401 without
 * credentials. An IngestToken route's handler refuses a request without a source's token itself.
 */
export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  open(['GET'], '/livez', 'liveness probe for supervisors and load balancers'),
  open(['GET'], '/readyz', 'readiness probe for load balancers'),
  open(['POST'], '/api/v1/session', 'signing in is how a browser gets credentials'),
  open(['GET'], '/assets/*', "the web UI's scripts and styles (the sign-in page needs them)"),
  open(['GET'], '/favicon.svg', "the web UI's icon"),
  ingest(['POST'], '/receiver/v1/http', 'HTTP source intake, token in a header'),
  ingest(['POST'], '/receiver/v1/http/:token', 'HTTP source intake, token in the path'),
  open(['OPTIONS'], '/receiver/v1/http', 'CORS preflight of browser shippers'),
  open(['OPTIONS'], '/receiver/v1/http/:token', 'CORS preflight of browser shippers'),
  ingest(['POST'], '/v1/logs', 'OTLP/HTTP logs intake'),
  ingest(['POST'], '/loki/api/v1/push', 'Loki push intake'),
  ingest(['POST'], '/services/collector', 'Splunk HEC intake'),
  ingest(['POST'], '/services/collector/event', 'Splunk HEC intake'),
  ingest(['POST'], '/services/collector/event/1.0', 'Splunk HEC intake'),
  ingest(['POST'], '/services/collector/raw', 'Splunk HEC raw intake'),
  ingest(['POST'], '/services/collector/raw/1.0', 'Splunk HEC raw intake'),
  ingest(['POST'], '/services/collector/ack', 'Splunk HEC acknowledgement query'),
  open(['GET'], '/services/collector/health', 'Splunk HEC health probe'),
  open(['GET'], '/services/collector/health/1.0', 'Splunk HEC health probe'),
  // `/` is the web UI's page for browsers and the cluster-info probe for Elasticsearch clients.
  ingest(ANY, '/', `the web UI's page, or ${ES_PROBE}`),
  ...['/_license', '/_xpack', '/_cluster/health', '/_nodes', '/_nodes/*', '/_index_template', '/_ilm/policy'].map((url) => ingest(['GET'], url, ES_PROBE)),
  ...['/_index_template/:name', '/_template/:name', '/_component_template/:name', '/_ilm/policy/:name', '/_ingest/pipeline/:name', '/_data_stream/:name'].map((url) =>
    ingest(['GET', 'PUT'], url, ES_PROBE),
  ),
  ingest(['GET'], '/_alias/:name', ES_PROBE),
  ingest(['POST', 'PUT'], '/_bulk', 'Elasticsearch bulk intake'),
  ingest(['POST', 'PUT'], '/:index/_bulk', 'Elasticsearch bulk intake'),
  ingest(['POST'], '/:index/_doc', 'Elasticsearch single-document intake'),
  ingest(['POST', 'PUT'], '/:index/_doc/:id', 'Elasticsearch single-document intake'),
  ingest(['POST', 'PUT'], '/:index/_create/:id', 'Elasticsearch single-document intake'),
];

interface CapabilityRoute {
  methods: readonly string[];
  url: string;
  capability: Capability;
  /** Why an ordinary user may not call this route. */
  why: string;
}

const admin = (methods: readonly string[], url: string, why: string): CapabilityRoute => ({ methods, url, capability: Capability.Admin, why });

/**
 * User routes that also need a capability (src/auth/capabilities.ts); a signed-in user without it
 * gets 403, a caller without credentials 401 as on every user route.
 */
export const CAPABILITY_ROUTES: readonly CapabilityRoute[] = [
  admin(['POST'], '/api/v1/users/:name/password', "sets another user's password without the current one"),
  admin(['POST'], '/api/v1/sources/:id/token', "replaces a source's ingest token: every shipper using the old one is cut off"),
  admin(['GET'], '/api/v1/cluster/nodes', "lists the deployment's nodes, their URLs and which one schedules"),
];

const key = (method: string, url: string): string => `${method} ${url}`;

/** Declared rules by method and path pattern; HEAD routes (made for each GET) share the GET's rule. */
const publicByKey = new Map(PUBLIC_ROUTES.flatMap((r) => r.methods.map((m) => [key(m, r.url), r.access] as const)));

const capabilityByKey = new Map(CAPABILITY_ROUTES.flatMap((r) => r.methods.map((m) => [key(m, r.url), r.capability] as const)));

/**
 * The capability a route's own methods need (HEAD goes with GET). A route that registers a listed
 * method together with unlisted ones needs the capability for all, as with accessOfAll.
 */
function capabilityOfAll(methods: readonly string[], url: string): Capability | undefined {
  return methods.map((m) => capabilityByKey.get(key(m === 'HEAD' ? 'GET' : m, url))).find((c) => c !== undefined);
}

/** The rule of one method of a path pattern: public ones by the list, every other one needs a user. */
export function accessOf(method: string, url: string): Access {
  return publicByKey.get(key(method === 'HEAD' ? 'GET' : method, url)) ?? Access.User;
}

/**
 * The rule of a route answering several methods: public only when every one of them is, so a
 * route that mixes protected methods in needs a user for all.
 */
export function accessOfAll(methods: readonly string[], url: string): Access {
  const rules = new Set(methods.map((m) => accessOf(m, url)));
  if (rules.has(Access.User)) return Access.User;
  return rules.has(Access.IngestToken) ? Access.IngestToken : Access.Public;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * On the 405 route of a path: the methods the path does have. Its rule is theirs, so a wrong
     * method gets the answer a right one would without credentials (401 on protected paths).
     */
    methodsOfPath?: readonly string[];
  }
}

/** One registered route and its rule (the app's `routeTable`, for tests and the API reference). */
export interface RouteEntry {
  methods: readonly string[];
  url: string;
  access: Access;
  /** The capability the route needs beyond a user (CAPABILITY_ROUTES), if any. */
  capability?: Capability;
  /** True for the answers to methods a path does not have (405). */
  isMethodNotAllowed: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered, with its access rule. */
    routeTable: readonly RouteEntry[];
  }
}

/** The onRoute hook body: stamps the route's rule on its config (read back after routing). */
export function declareRouteAccess(route: RouteOptions): RouteEntry {
  const own = Array.isArray(route.method) ? route.method : [route.method];
  const methods = route.config?.methodsOfPath ?? own;
  const access = accessOfAll(methods, route.url);
  const isMethodNotAllowed = route.config?.methodsOfPath !== undefined;
  // The 405 answers of a path need no capability: they only say which methods it has.
  const capability = isMethodNotAllowed ? undefined : capabilityOfAll(own, route.url);
  if (capability !== undefined && access !== Access.User) {
    throw new Error(`${own.join(',')} ${route.url} is listed both as needing no user and as needing the ${capability} capability`);
  }
  route.config = { ...(route.config ?? {}), routeAccess: { access, ...(capability ? { capability } : {}) } };
  return { methods: own, url: route.url, access, ...(capability ? { capability } : {}), isMethodNotAllowed };
}

/** Entries of PUBLIC_ROUTES that no registered route has (a renamed route must not leave a stale entry). */
export function unmatchedPublicRoutes(registered: ReadonlySet<string>): string[] {
  return PUBLIC_ROUTES.flatMap((r) => r.methods.map((m) => key(m, r.url))).filter((k) => !registered.has(k));
}

/** Entries of CAPABILITY_ROUTES that no registered route has (a renamed admin route must not become open to every user). */
export function unmatchedCapabilityRoutes(registered: ReadonlySet<string>): string[] {
  return CAPABILITY_ROUTES.flatMap((r) => r.methods.map((m) => key(m, r.url))).filter((k) => !registered.has(k));
}

export { key as routeKey };
