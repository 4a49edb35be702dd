import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, isAppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { decodeUtf8 } from '../../ingest/decode-body.js';
import { encodeMessages } from '../../ingest/encode-messages.js';
import { decodeHecEvents, HecCode, type HecDefaults } from '../../ingest/protocols/splunk-hec.js';
import { readSumoHeaders } from '../../ingest/sumo-headers.js';
import type { SourceRecord } from '../../meta/meta-store.js';
import type { HttpDeps } from '../deps.js';
import { statusOf } from '../error-mapper.js';
import { resolveIngestSource } from '../ingest-token.js';
import { readIntakeBody, registerRawBodyScope, storeRecords } from './intake-common.js';

const COLLECTOR = 'hec';
const DEFAULT_NAME = 'hec';

/** An error that already has its HEC code (auth, no data, bad events). */
class HecError extends Error {
  constructor(
    readonly hec: HecCode,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(hec.text);
    this.name = 'HecError';
  }
}

const hecCodeOf: Partial<Record<ErrorCode, HecCode>> = {
  bad_request: HecCode.InvalidDataFormat,
  bad_encoding: HecCode.InvalidDataFormat,
  unsupported_encoding: HecCode.InvalidDataFormat,
  overloaded: HecCode.ServerBusy,
  unavailable: HecCode.ServerBusy,
  timeout: HecCode.ServerBusy,
};

/** HEC's error body: `{"text": "...", "code": N}` with HEC's HTTP status for that code. */
function sendHecError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  if (error instanceof HecError) {
    return reply.status(error.hec.status).send({ text: error.hec.text, code: error.hec.code, ...error.extra });
  }
  const appError = isAppError(error) ? error : new AppError(ErrorCode.Internal, 'internal error', { cause: error });
  if (statusOf[appError.code] >= 500) logger.error({ err: appError.cause ?? appError, method: request.method, url: request.routeOptions.url }, appError.message);
  if (appError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(appError.retryAfterSeconds));
  const hec = hecCodeOf[appError.code];
  if (appError.code === ErrorCode.PayloadTooLarge) {
    void reply.header('connection', 'close');
    return reply.status(413).send({ text: 'Content too large', code: HecCode.InvalidDataFormat.code, message: appError.message });
  }
  if (hec === undefined) return reply.status(statusOf[appError.code]).send({ text: HecCode.InternalError.text, code: HecCode.InternalError.code });
  // Overload keeps its 429 (HEC answers 503 "Server is busy"; either is retried by forwarders).
  const status = hec === HecCode.ServerBusy ? statusOf[appError.code] : hec.status;
  return reply.status(status).send({ text: hec.text, code: hec.code, message: appError.message });
}

async function authenticate(deps: HttpDeps, request: FastifyRequest): Promise<SourceRecord> {
  const auth = await resolveIngestSource(deps.sources, request.headers);
  if (auth.ok) return auth.source;
  throw new HecError(auth.reason === 'unknown' ? HecCode.InvalidToken : auth.reason === 'malformed' ? HecCode.InvalidAuthorization : HecCode.TokenRequired);
}

function defaultsOf(query: Record<string, string | undefined>): HecDefaults {
  const out: HecDefaults = {};
  for (const key of ['host', 'source', 'sourcetype', 'index'] as const) {
    const value = query[key];
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  return out;
}

type HecRequest = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

/**
 * Splunk HTTP Event Collector: `/services/collector/event` (batched JSON events), `/services/collector/raw`
 * (lines, split like the HTTP source), `/services/collector/health`. Token as `Authorization: Splunk <token>`
 * (or any of the common forms). Answers `{"text":"Success","code":0}` once everything is durable.
 */
export function registerSplunkHecIntakeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  registerRawBodyScope(app, (scope) => {
    scope.setErrorHandler((error, request, reply) => sendHecError(error, request, reply, deps.logger));

    // Indexer acknowledgement: a request is answered only once durable, so every ackId handed out is
    // already acknowledged; forwarders that poll /services/collector/ack get `true` for each id.
    let nextAckId = 0;
    const ackIdFor = (request: HecRequest): { ackId?: number } =>
      request.headers['x-splunk-request-channel'] !== undefined || request.query.channel !== undefined ? { ackId: nextAckId++ } : {};

    const events = async (request: HecRequest) => {
      const source = await authenticate(deps, request);
      const receiptTime = Date.now();
      const text = decodeUtf8(await readIntakeBody(request, deps)).text;
      if (text.trim() === '') throw new HecError(HecCode.NoData);
      const decoded = await decodeHecEvents(text, defaultsOf(request.query));
      // As Splunk: the events before the first invalid one are indexed, it and those after are not;
      // the answer names it, so a client resends from there and neither loses nor duplicates events.
      const firstError = decoded.errors[0];
      const stored = firstError === undefined ? decoded.records : decoded.records.slice(0, firstError.index);
      await storeRecords(deps, stored, {
        request,
        source,
        receiptTime,
        collector: COLLECTOR,
        defaultName: DEFAULT_NAME,
        timeFormat: 'hec_time',
      });
      if (firstError) {
        throw new HecError(firstError.code, { 'invalid-event-number': firstError.index, stored: stored.length });
      }
      return { text: HecCode.Success.text, code: HecCode.Success.code, ...ackIdFor(request) };
    };

    const raw = async (request: HecRequest) => {
      const source = await authenticate(deps, request);
      const receiptTime = Date.now();
      const decoded = decodeUtf8(await readIntakeBody(request, deps));
      if (decoded.text.trim() === '') throw new HecError(HecCode.NoData);
      const metadata = readSumoHeaders(request.headers);
      const defaults = defaultsOf(request.query);
      const fields: Record<string, string> = { ...metadata.fields };
      if (defaults.index) fields.index = defaults.index;
      if (defaults.sourcetype) fields.sourcetype = defaults.sourcetype;
      const encoded = await encodeMessages(decoded.text, {
        context: {
          receiptTime,
          partition: 'default',
          sourceCategory: metadata.category ?? source.category ?? defaults.sourcetype ?? '',
          sourceHost: metadata.host ?? source.host ?? defaults.host ?? request.ip,
          sourceName: metadata.name ?? defaults.source ?? DEFAULT_NAME,
          collector: COLLECTOR,
          source: source.name,
          fields,
        },
        multiline: source.multiline,
        timestampFormat: source.timestampFormat,
        timestampLocator: source.timestampLocator,
        maxPartChars: deps.config.ingest.batchMaxBytes,
        isAscii: decoded.isAscii,
        rules: deps.sources.rulesOf(source),
      });
      await deps.batcher.submit(encoded.parts);
      return { text: HecCode.Success.text, code: HecCode.Success.code, ...ackIdFor(request) };
    };

    for (const url of ['/services/collector', '/services/collector/event', '/services/collector/event/1.0']) scope.post(url, events);
    for (const url of ['/services/collector/raw', '/services/collector/raw/1.0']) scope.post(url, raw);
    scope.post('/services/collector/ack', async (request) => {
      await authenticate(deps, request);
      const text = decodeUtf8(await readIntakeBody(request, deps, { json: true })).text;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new HecError(HecCode.InvalidDataFormat);
      }
      const ids = typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { acks?: unknown }).acks) ? (parsed as { acks: unknown[] }).acks : undefined;
      if (!ids) throw new HecError(HecCode.InvalidDataFormat);
      const numeric = ids.filter((id): id is number => typeof id === 'number');
      return { acks: Object.fromEntries(numeric.map((id) => [String(id), id >= 0 && id < nextAckId])) };
    });
    for (const url of ['/services/collector/health', '/services/collector/health/1.0']) {
      scope.get(url, () => ({ text: HecCode.Healthy.text, code: HecCode.Healthy.code }));
    }
  });
}
