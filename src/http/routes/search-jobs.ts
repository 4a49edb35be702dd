import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, isAppError } from '../../core/errors.js';
import type { Row, Value } from '../../query/interpreter/index.js';
import { SearchErrorCode, searchError } from '../../search/search-error.js';
import type { CreateJobRequest, SearchService } from '../../search/search-service.js';
import type { HttpDeps } from '../deps.js';
import { fromStoreError, statusOf } from '../error-mapper.js';
import { isStoreError } from '../../store/store-error.js';
import { requirePrincipal } from '../request.js';
import { randomToken } from '../../auth/secrets.js';
import { forwardToJobNode } from '../job-routing.js';

const MAX_PAGE = 10_000;
/** Messages have no key fields. */
const NO_KEYS: ReadonlySet<string> = new Set();
/** How long a status request waits for a running job's next change (Sumo clients poll every few seconds). */
const STATUS_WAIT_MS = 500;

/** Sumo Logic reports system fields lower-cased (`_messagetime`); user fields keep their spelling. */
function apiFieldName(name: string): string {
  return name.startsWith('_') ? name.toLowerCase() : name;
}

function apiValue(value: Value | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}

function fieldType(rows: readonly Row[], name: string): string {
  let type: string | undefined;
  for (const row of rows) {
    const v = row[name];
    if (v === null || v === undefined) continue;
    const t = typeof v === 'number' ? (Number.isInteger(v) ? 'long' : 'double') : typeof v === 'boolean' ? 'boolean' : 'string';
    if (type === undefined) type = t;
    else if (type !== t) type = type === 'long' && t === 'double' ? 'double' : type === 'double' && t === 'long' ? 'double' : 'string';
  }
  return type ?? 'string';
}

function page(request: FastifyRequest<{ Querystring: { offset?: string; limit?: string } }>): { offset: number; limit: number } {
  const parse = (name: 'offset' | 'limit', fallback: number, max: number): number => {
    const raw = request.query[name];
    if (raw === undefined || raw === '') return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n > max) {
      throw searchError(ErrorCode.BadRequest, SearchErrorCode.InvalidPaging, `${name} must be an integer from 0 to ${max}`);
    }
    return n;
  };
  return { offset: parse('offset', 0, Number.MAX_SAFE_INTEGER), limit: parse('limit', 100, MAX_PAGE) };
}

/** One page in Sumo's shape: `slice` holds the page's rows, `names` the fields in display order. */
function resultPage(names: readonly string[], keyFields: ReadonlySet<string>, slice: readonly Row[]) {
  return {
    fields: names.map((name) => ({ name: apiFieldName(name), fieldType: fieldType(slice, name), keyField: keyFields.has(name) })),
    rows: slice.map((row) => {
      const map: Record<string, string> = {};
      for (const name of names) map[apiFieldName(name)] = apiValue(row[name]);
      return { map };
    }),
  };
}

/** Errors in Sumo's search API shape: `{status, id, code, message}` (plus our diagnostics). */
function searchErrorHandler(deps: HttpDeps) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    let appError: AppError;
    if (isAppError(error)) appError = error;
    else if (isStoreError(error)) appError = fromStoreError(error);
    else if ((error as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      appError = new AppError(ErrorCode.UnsupportedEncoding, 'send the search job as application/json');
    } else if ((error as { statusCode?: number }).statusCode === 400) {
      appError = new AppError(ErrorCode.BadRequest, 'request body is not valid JSON');
    } else {
      appError = new AppError(ErrorCode.Internal, 'internal error', { cause: error });
    }
    const status = statusOf[appError.code];
    if (status >= 500) deps.logger.error({ err: appError.cause ?? appError, url: request.url }, appError.message);
    const { searchCode, ...details } = appError.details ?? {};
    if (appError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(appError.retryAfterSeconds));
    return reply.status(status).send({
      status,
      id: randomToken(15).toUpperCase(),
      code: typeof searchCode === 'string' ? searchCode : `searchjob.${appError.code}`,
      message: appError.message,
      ...details,
    });
  };
}

/** The Search Job API with Sumo Logic's shapes (reference §3). */
export function registerSearchJobRoutes(app: FastifyInstance, deps: HttpDeps, search: SearchService): void {
  void app.register((scope, _options, done) => {
    scope.setErrorHandler(searchErrorHandler(deps));
    const base = '/api/v1/search/jobs';
    // A job of another query node is answered by that node (job-routing.ts).
    const forward = forwardToJobNode(deps.cluster);
    scope.addHook('preHandler', async (request: FastifyRequest, reply) => {
      const params = request.params as { id?: unknown } | undefined;
      if (typeof params?.id !== 'string') return undefined;
      return forward(request as FastifyRequest<{ Params: { id: string } }>, reply);
    });

    scope.post<{ Body: CreateJobRequest }>(base, (request, reply) => {
      const principal = requirePrincipal(request);
      if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
        throw new AppError(ErrorCode.UnsupportedEncoding, 'send the search job as application/json');
      }
      if (typeof request.body !== 'object' || request.body === null) {
        throw searchError(ErrorCode.BadRequest, SearchErrorCode.NoQuery, 'send a JSON object with "query", "from" and "to"');
      }
      const job = search.create(principal.userId, request.body);
      const href = `${deps.publicUrl()}${base}/${job.spec.id}`;
      return reply.status(202).header('location', href).send({ id: job.spec.id, link: { rel: 'self', href } });
    });

    // Not in Sumo's API: how the search would run (SQL, parameters, stages left to JS).
    scope.post<{ Body: CreateJobRequest }>('/api/v1/search/explain', async (request) => {
      requirePrincipal(request);
      if (typeof request.body !== 'object' || request.body === null) {
        throw searchError(ErrorCode.BadRequest, SearchErrorCode.NoQuery, 'send a JSON object with "query", "from" and "to"');
      }
      return search.explain(request.body);
    });

    // A running job's status waits (briefly) for news, so a client polling in a loop learns of
    // each change, and of the end, as it happens rather than a poll interval later.
    scope.get<{ Params: { id: string } }>(`${base}/:id`, async (request) => {
      const job = search.get(requirePrincipal(request).userId, request.params.id);
      await job.progress(STATUS_WAIT_MS);
      return job.takeStatus();
    });

    // An aggregate search has messages too (those of its part before the first aggregate, as in
    // Sumo Logic); where the store computed the aggregate they are read on the first request.
    scope.get<{ Params: { id: string }; Querystring: { offset?: string; limit?: string } }>(`${base}/:id/messages`, async (request) => {
      const job = search.get(requirePrincipal(request).userId, request.params.id);
      const { offset, limit } = page(request);
      const { fields, rows } = await job.messagePage(offset, limit);
      const result = resultPage(fields, NO_KEYS, rows);
      return { fields: result.fields, messages: result.rows };
    });

    scope.get<{ Params: { id: string }; Querystring: { offset?: string; limit?: string } }>(`${base}/:id/records`, (request) => {
      const job = search.get(requirePrincipal(request).userId, request.params.id);
      const { offset, limit } = page(request);
      if (!job.aggregated) {
        throw searchError(ErrorCode.BadRequest, SearchErrorCode.NotAggregation, 'this search has no aggregate operator, so it has messages, not records');
      }
      const result = resultPage(job.fields(), job.keyFields, job.records.slice(offset, offset + limit));
      return { fields: result.fields, records: result.rows };
    });

    scope.delete<{ Params: { id: string } }>(`${base}/:id`, (request) => {
      search.delete(requirePrincipal(request).userId, request.params.id);
      return { id: request.params.id };
    });
    done();
  });
}
