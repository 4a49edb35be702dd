/**
 * Search jobs live in the query node that runs them. Behind a load balancer a client's next
 * request for a job may land on another query node: a job id starts with the id of its node
 * (`n1a2b3c4d5-…`), and that node's requests are forwarded to it, credentials and all (it checks
 * them again). A job whose node is gone is "not found", with the reason. A forwarded request is
 * never forwarded again.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../core/errors.js';
import { CSRF_HEADER } from '../protocol/session.js';
import { SearchErrorCode, searchError } from '../search/search-error.js';

/** What routing needs of this process as a node of a deployment (server/cluster-node.ts). */
export interface ClusterView {
  readonly id: string;
  /** A live node's base URL by id (undefined when unknown or silent). */
  urlOf(id: string): Promise<string | undefined>;
  /** Whether the node's last heartbeat reached the MetaStore. */
  health(): { ok: boolean; error?: string };
  /** True while this node holds the scheduler's lease. */
  readonly isScheduler: boolean;
}

const FORWARDED = 'x-quarry-forwarded';
/** Request headers a forwarded request carries (who asks, and what it sends). */
const PASSED_HEADERS = ['authorization', 'cookie', 'content-type', 'accept', CSRF_HEADER, 'x-quarry-client'];
/** Answer headers passed back. */
const RETURNED_HEADERS = ['content-type', 'retry-after', 'location', 'www-authenticate'];
/** A status request waits up to half a second for news; the rest is the other node's work. */
const FORWARD_TIMEOUT_MS = 60_000;

/** A node id as server/cluster-node.ts makes them, at the start of a job id. */
const NODE_PREFIX = /^(n[0-9a-f]{10})-/;

/** The node id a job id starts with, if it has one (any other id is this node's to answer). */
export function jobNode(jobId: string): string | undefined {
  return NODE_PREFIX.exec(jobId)?.[1];
}

/**
 * The URL of the same route on the other node, built from the matched route and the parsed query
 * (never from the raw URL text, which could name another host: `//elsewhere/…`).
 */
function forwardedUrl(request: FastifyRequest<{ Params: { id: string } }>, base: string): URL {
  const url = new URL(base);
  const route = request.routeOptions.url ?? '';
  url.pathname = `${url.pathname.replace(/\/$/, '')}${route.replace(':id', encodeURIComponent(request.params.id))}`;
  const query = (request.query ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(query)) if (typeof value === 'string') url.searchParams.append(name, value);
  return url;
}

/**
 * A preHandler for routes of one job (`:id`): answers the request from the job's node when that
 * is another one; does nothing for this node's jobs (the route's handler answers).
 */
export function forwardToJobNode(cluster: ClusterView | undefined) {
  return async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const id = request.params.id;
    const node = jobNode(id);
    if (cluster === undefined || node === undefined || node === cluster.id) return undefined;
    const gone = searchError(ErrorCode.NotFound, SearchErrorCode.JobNotFound, `no search job ${id}: the query node that ran it is gone (restarted or stopped); run the search again`);
    if (request.headers[FORWARDED] !== undefined) throw gone;
    const base = await cluster.urlOf(node);
    if (base === undefined) throw gone;
    const headers: Record<string, string> = { [FORWARDED]: cluster.id };
    for (const name of PASSED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'DELETE' && request.body !== undefined;
    let answer: Response;
    try {
      answer = await fetch(forwardedUrl(request, base), {
        method: request.method,
        headers,
        body: hasBody ? JSON.stringify(request.body) : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
    } catch {
      throw searchError(ErrorCode.Unavailable, SearchErrorCode.JobNotFound, `the query node running search job ${id} does not answer; try again`);
    }
    void reply.status(answer.status);
    for (const name of RETURNED_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) void reply.header(name, value);
    }
    return reply.send(Buffer.from(await answer.arrayBuffer()));
  };
}
