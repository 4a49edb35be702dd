import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, isAppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { decodeUtf8 } from '../../ingest/decode-body.js';
import type { IngestRecord } from '../../ingest/encode-records.js';
import { decodeLokiJson, decodeLokiProtobuf, DEFAULT_LOKI_CATEGORY_RULE, LokiFormatError } from '../../ingest/protocols/loki.js';
import { snappyDecompress, SnappyError } from '../../ingest/protocols/snappy.js';
import type { HttpDeps } from '../deps.js';
import { statusOf } from '../error-mapper.js';
import { INGEST_TOKEN_FORMS, resolveIngestSource } from '../ingest-token.js';
import { categoryRuleOf, contentEncodingOrIdentity, readIntakeBody, registerRawBodyScope, storeRecords } from './intake-common.js';

/** Loki answers errors as plain text with the status; 429/503 carry Retry-After. */
function sendLokiError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  const appError = isAppError(error) ? error : new AppError(ErrorCode.Internal, 'internal error', { cause: error });
  const status = statusOf[appError.code];
  if (statusOf[appError.code] >= 500) logger.error({ err: appError.cause ?? appError, method: request.method, url: request.routeOptions.url }, appError.message);
  if (appError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(appError.retryAfterSeconds));
  if (appError.code === ErrorCode.PayloadTooLarge) void reply.header('connection', 'close');
  return reply.status(status).type('text/plain; charset=utf-8').send(`${appError.message}\n`);
}

/**
 * Loki push API: `POST /loki/api/v1/push`, protobuf + snappy (`application/x-protobuf`) or JSON
 * (`application/json`, optionally gzip). Answers 204 once every entry is durable.
 */
export function registerLokiIntakeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  registerRawBodyScope(app, (scope) => {
    scope.setErrorHandler((error, request, reply) => sendLokiError(error, request, reply, deps.logger));
    scope.post('/loki/api/v1/push', async (request, reply) => {
      const auth = await resolveIngestSource(deps.sources, request.headers);
      if (!auth.ok) {
        throw new AppError(ErrorCode.Unauthorized, auth.reason === 'unknown' ? 'unknown ingest token' : `missing ingest token: ${INGEST_TOKEN_FORMS}`);
      }
      const receiptTime = Date.now();
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const isJson = type === 'application/json';
      const body = await readIntakeBody(request, deps, {
        encoding: contentEncodingOrIdentity(request.headers['content-encoding'], 'snappy'),
        json: isJson,
      });
      const rule = { labels: categoryRuleOf(request, DEFAULT_LOKI_CATEGORY_RULE.labels).names };
      let records: IngestRecord[];
      try {
        if (isJson) {
          records = await decodeLokiJson(decodeUtf8(body).text, rule);
        } else {
          // Loki reads anything that is not JSON as snappy-compressed protobuf, as here.
          records = body.length === 0 ? [] : await decodeLokiProtobuf(await snappyDecompress(body, deps.config.ingest.maxBodyBytes), rule);
        }
      } catch (error) {
        if (error instanceof SnappyError) throw new AppError(ErrorCode.BadEncoding, `request body is not valid snappy data: ${error.message}`);
        if (error instanceof LokiFormatError) throw new AppError(ErrorCode.BadRequest, error.message);
        throw error;
      }
      await storeRecords(deps, records, {
        request,
        source: auth.source,
        receiptTime,
        collector: 'loki',
        defaultName: 'loki',
        timeFormat: 'loki',
        recordCategoryWins: categoryRuleOf(request, []).override,
      });
      return reply.status(204).send();
    });
  });
}
