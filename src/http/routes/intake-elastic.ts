import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, isAppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { Pacer } from '../../core/pacer.js';
import { decodeUtf8 } from '../../ingest/decode-body.js';
import type { IngestRecord } from '../../ingest/encode-records.js';
import { decodeBulk, documentRecord, newDocumentId } from '../../ingest/protocols/elastic-bulk.js';
import type { SourceRecord } from '../../meta/meta-store.js';
import type { HttpDeps } from '../deps.js';
import { statusOf } from '../error-mapper.js';
import { resolveIngestSource } from '../ingest-token.js';
import { readIntakeBody, registerRawBodyScope, storeRecords } from './intake-common.js';

/** The Elasticsearch version Quarry claims: 8.x, so 8.x clients and shippers accept it. */
export const ES_COMPAT_VERSION = '8.19.0';
const CLUSTER_UUID = 'quarry-0000000000000000000000';

const errorTypes: Partial<Record<ErrorCode, string>> = {
  bad_request: 'parse_exception',
  bad_encoding: 'parse_exception',
  unsupported_encoding: 'illegal_argument_exception',
  unauthorized: 'security_exception',
  forbidden: 'security_exception',
  payload_too_large: 'content_too_long_exception',
  overloaded: 'es_rejected_execution_exception',
  unavailable: 'cluster_block_exception',
  timeout: 'timeout_exception',
  not_found: 'resource_not_found_exception',
};

/** Elasticsearch's error body: `{error:{root_cause:[…], type, reason}, status}`. */
function sendElasticError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  const appError = isAppError(error) ? error : new AppError(ErrorCode.Internal, 'internal error', { cause: error });
  const status = statusOf[appError.code];
  if (statusOf[appError.code] >= 500) logger.error({ err: appError.cause ?? appError, method: request.method, url: request.routeOptions.url }, appError.message);
  if (appError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(appError.retryAfterSeconds));
  if (status === 401) void reply.header('www-authenticate', 'Basic realm="security", charset="UTF-8"');
  if (appError.code === ErrorCode.PayloadTooLarge) void reply.header('connection', 'close');
  const type = errorTypes[appError.code] ?? 'exception';
  const cause = { type, reason: appError.message };
  return reply.status(status).send({ error: { root_cause: [cause], ...cause }, status });
}

/**
 * `/` is shared with the web UI. Elasticsearch clients always send credentials (Quarry requires a
 * token) and never ask for HTML; anything else at `/` — a browser, a health checker, another method —
 * is not ours and goes on to the UI / not-found handling unchanged.
 */
function isNotElasticRoot(request: FastifyRequest): boolean {
  if (request.url.split('?')[0] !== '/') return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') return true;
  return request.headers.authorization === undefined || (request.headers.accept ?? '').includes('text/html');
}

async function authenticate(deps: HttpDeps, request: FastifyRequest): Promise<SourceRecord> {
  const auth = await resolveIngestSource(deps.sources, request.headers);
  if (!auth.ok) {
    throw new AppError(
      ErrorCode.Unauthorized,
      auth.reason === 'unknown'
        ? 'unable to authenticate: unknown ingest token'
        : 'missing authentication: send the ingest token as the Basic password, as ApiKey, or as Bearer',
    );
  }
  return auth.source;
}

function clusterInfo(): Record<string, unknown> {
  return {
    name: 'quarry',
    cluster_name: 'quarry',
    cluster_uuid: CLUSTER_UUID,
    version: {
      number: ES_COMPAT_VERSION,
      build_flavor: 'default',
      build_type: 'tar',
      build_hash: 'quarry',
      build_date: '2025-01-01T00:00:00.000Z',
      build_snapshot: false,
      lucene_version: '9.12.0',
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

const license = {
  license: {
    status: 'active',
    uid: '00000000-0000-0000-0000-000000000000',
    type: 'basic',
    issue_date: '2025-01-01T00:00:00.000Z',
    issue_date_in_millis: 1735689600000,
    max_nodes: 1000,
    max_resource_units: null,
    issued_to: 'quarry',
    issuer: 'quarry',
    start_date_in_millis: -1,
  },
};

/**
 * Elasticsearch compatibility: `_bulk` (and `/{index}/_bulk`, `/{index}/_doc`) store documents; the
 * probes shippers make on connect (cluster info, license, templates, ILM, nodes, health) get
 * minimal valid answers. Every request needs a source's ingest token (Basic password, ApiKey, Bearer).
 */
export function registerElasticIntakeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  registerRawBodyScope(app, (scope) => {
    scope.setErrorHandler((error, request, reply) => sendElasticError(error, request, reply, deps.logger));
    // Elasticsearch 8 clients refuse servers that do not say they are Elasticsearch.
    scope.addHook('onSend', async (request, reply) => {
      if (!isNotElasticRoot(request)) void reply.header('x-elastic-product', 'Elasticsearch');
    });
    // Every route needs a token; the source is kept for the handlers that store documents.
    const sourceOf = new WeakMap<FastifyRequest, SourceRecord>();
    scope.addHook('preHandler', async (request) => {
      if (isNotElasticRoot(request)) return;
      sourceOf.set(request, await authenticate(deps, request));
    });
    const requestSource = (request: FastifyRequest): SourceRecord => {
      const source = sourceOf.get(request);
      if (!source) throw new AppError(ErrorCode.Unauthorized, 'missing authentication');
      return source;
    };

    // Registered for every method so `/` keeps the app's own not-found and UI answers for the rest.
    scope.route({
      method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: '/',
      handler: (request, reply) => (isNotElasticRoot(request) ? reply.callNotFound() : reply.send(clusterInfo())),
    });
    scope.get('/_license', () => license);
    scope.get('/_xpack', () => ({ build: {}, license: license.license, features: {} }));
    scope.get('/_cluster/health', () => ({
      cluster_name: 'quarry',
      status: 'green',
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      active_primary_shards: 0,
      active_shards: 0,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: 0,
    }));
    const nodes = (): Record<string, unknown> => ({
      _nodes: { total: 1, successful: 1, failed: 0 },
      cluster_name: 'quarry',
      nodes: {
        quarry: { name: 'quarry', version: ES_COMPAT_VERSION, roles: ['master', 'data', 'ingest'], http: { publish_address: deps.publicUrl().replace(/^https?:\/\//, '') } },
      },
    });
    scope.get('/_nodes', nodes);
    scope.get('/_nodes/*', nodes);

    // Templates, ILM policies, pipelines, data streams: accepted and acknowledged; Quarry has no mappings to set.
    const acknowledged = () => ({ acknowledged: true });
    for (const path of ['/_index_template/:name', '/_template/:name', '/_component_template/:name', '/_ilm/policy/:name', '/_ingest/pipeline/:name', '/_data_stream/:name']) {
      scope.put(path, acknowledged);
    }
    scope.get<{ Params: { name: string } }>('/_index_template/:name', (request) => ({
      index_templates: [{ name: request.params.name, index_template: { index_patterns: [`${request.params.name}*`], composed_of: [], template: {} } }],
    }));
    scope.get('/_index_template', () => ({ index_templates: [] }));
    // Logstash's ILM setup checks its rollover alias; answering that it exists skips index creation.
    scope.get<{ Params: { name: string } }>('/_alias/:name', (request) => ({ [request.params.name]: { aliases: { [request.params.name]: {} } } }));
    scope.get<{ Params: { name: string } }>('/_template/:name', (request) => ({ [request.params.name]: { index_patterns: [`${request.params.name}*`], settings: {}, mappings: {} } }));
    scope.get<{ Params: { name: string } }>('/_component_template/:name', (request) => ({ component_templates: [{ name: request.params.name, component_template: { template: {} } }] }));
    const policy = (name: string) => ({
      [name]: { version: 1, modified_date: '2025-01-01T00:00:00.000Z', policy: { phases: { hot: { min_age: '0ms', actions: {} } } } },
    });
    scope.get<{ Params: { name: string } }>('/_ilm/policy/:name', (request) => policy(request.params.name));
    scope.get('/_ilm/policy', () => ({}));
    scope.get<{ Params: { name: string } }>('/_ingest/pipeline/:name', (request) => ({ [request.params.name]: { processors: [] } }));
    scope.get<{ Params: { name: string } }>('/_data_stream/:name', (request) => ({
      data_streams: [{ name: request.params.name, timestamp_field: { name: '@timestamp' }, indices: [], generation: 1, status: 'GREEN' }],
    }));

    const bulk = async (request: FastifyRequest<{ Params: { index?: string } }>, reply: FastifyReply) => {
      const source = requestSource(request);
      const started = Date.now();
      const body = await readIntakeBody(request, deps);
      const items = await decodeBulk(body, request.params.index ?? '');
      const pacer = new Pacer();
      const records: IngestRecord[] = [];
      for (const item of items) {
        if (pacer.due()) await pacer.yield();
        if (item.record) records.push(item.record);
      }
      await storeRecords(deps, records, {
        request,
        source,
        receiptTime: started,
        collector: 'elasticsearch',
        defaultName: 'elasticsearch',
        timeFormat: 'es_timestamp',
      });
      // One answer per item, as Elasticsearch: for a large bulk that is tens of megabytes of JSON,
      // encoded a slice at a time into buffers (one string of the whole answer, and the socket's
      // encoding of it, held the event loop for a fifth of a second).
      const chunks: Buffer[] = [];
      let answers: string[] = [];
      const flush = () => {
        chunks.push(Buffer.from(answers.join(''), 'utf8'));
        answers = [];
      };
      let seq = 0;
      let errors = false;
      let first = true;
      for (const item of items) {
        if (pacer.due()) {
          flush();
          await pacer.yield();
        }
        const comma = first ? '' : ',';
        first = false;
        if (item.error) {
          errors = true;
          const { status, ...error } = item.error;
          answers.push(comma, JSON.stringify({ [item.action]: { _index: item.index, _id: item.id || null, status, error } }));
          continue;
        }
        answers.push(
          comma,
          JSON.stringify({
            [item.action]: {
              _index: item.index,
              _id: item.id,
              _version: 1,
              result: 'created',
              _shards: { total: 1, successful: 1, failed: 0 },
              _seq_no: seq++,
              _primary_term: 1,
              status: 201,
            },
          }),
        );
      }
      flush();
      const head = Buffer.from(`{"took":${Date.now() - started},"errors":${errors},"items":[`);
      const whole = [head, ...chunks, Buffer.from(']}')];
      // A small answer goes as one buffer; a large one as its chunks (no copy of tens of megabytes).
      if (chunks.length === 1) return reply.type('application/json; charset=utf-8').send(Buffer.concat(whole));
      return reply.type('application/json; charset=utf-8').send(Readable.from(whole));
    };
    for (const url of ['/_bulk', '/:index/_bulk']) {
      scope.post<{ Params: { index?: string } }>(url, bulk);
      scope.put<{ Params: { index?: string } }>(url, bulk);
    }

    // Single documents (some shippers and curl users): POST /{index}/_doc, PUT|POST /{index}/_doc|_create/{id}.
    const single = async (request: FastifyRequest<{ Params: { index: string; id?: string } }>, reply: FastifyReply) => {
      const source = requestSource(request);
      const receiptTime = Date.now();
      const text = decodeUtf8(await readIntakeBody(request, deps, { json: true })).text;
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        throw new AppError(ErrorCode.BadRequest, 'failed to parse the document: not valid JSON');
      }
      if (typeof document !== 'object' || document === null || Array.isArray(document)) {
        throw new AppError(ErrorCode.BadRequest, 'the document is not a JSON object');
      }
      await storeRecords(deps, [documentRecord(document as Record<string, unknown>, request.params.index)], {
        request,
        source,
        receiptTime,
        collector: 'elasticsearch',
        defaultName: 'elasticsearch',
        timeFormat: 'es_timestamp',
      });
      return reply.status(201).send({
        _index: request.params.index,
        _id: request.params.id ?? newDocumentId(),
        _version: 1,
        result: 'created',
        _shards: { total: 1, successful: 1, failed: 0 },
        _seq_no: 0,
        _primary_term: 1,
      });
    };
    scope.post('/:index/_doc', single);
    for (const url of ['/:index/_doc/:id', '/:index/_create/:id']) {
      scope.post(url, single);
      scope.put(url, single);
    }
  });
}
