import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, isAppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { decodeUtf8 } from '../../ingest/decode-body.js';
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  DEFAULT_OTLP_CATEGORY_RULE,
  encodeOtlpResponseJson,
  encodeOtlpResponseProtobuf,
  encodeRpcStatusProtobuf,
  OtlpFormatError,
  RpcCode,
  type OtlpDecoded,
} from '../../ingest/protocols/otlp.js';
import type { HttpDeps } from '../deps.js';
import { statusOf } from '../error-mapper.js';
import { INGEST_TOKEN_FORMS, resolveIngestSource } from '../ingest-token.js';
import { categoryRuleOf, readIntakeBody, registerRawBodyScope, storeRecords } from './intake-common.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

const rpcCodeOf: Partial<Record<ErrorCode, number>> = {
  bad_request: RpcCode.InvalidArgument,
  bad_encoding: RpcCode.InvalidArgument,
  unsupported_encoding: RpcCode.InvalidArgument,
  payload_too_large: RpcCode.InvalidArgument,
  unauthorized: RpcCode.Unauthenticated,
  forbidden: RpcCode.PermissionDenied,
  overloaded: RpcCode.ResourceExhausted,
  unavailable: RpcCode.Unavailable,
  timeout: RpcCode.Unavailable,
};

/**
 * OTLP/HTTP errors: a google.rpc.Status body in the request's content type (protobuf or JSON),
 * 400 for bad payloads (not retried by exporters), 429/503 with Retry-After (retried).
 */
function sendOtlpError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  const appError = isAppError(error) ? error : new AppError(ErrorCode.Internal, 'internal error', { cause: error });
  // A store that timed out is retryable: answer 503 rather than 504, which OTLP exporters do not retry.
  const status = appError.code === ErrorCode.Timeout ? 503 : statusOf[appError.code];
  if (status >= 500) logger.error({ err: appError.cause ?? appError, method: request.method, url: request.routeOptions.url }, appError.message);
  const code = rpcCodeOf[appError.code] ?? RpcCode.Internal;
  if (appError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(appError.retryAfterSeconds));
  else if (status === 429 || status === 503) void reply.header('retry-after', '1');
  if (appError.code === ErrorCode.PayloadTooLarge) void reply.header('connection', 'close');
  if (mediaType(request) === PROTOBUF) {
    return reply.status(status).type(PROTOBUF).send(Buffer.from(encodeRpcStatusProtobuf(code, appError.message)));
  }
  return reply.status(status).type(JSON_TYPE).send({ code, message: appError.message });
}

/**
 * OTLP/HTTP logs: `POST /v1/logs` with a protobuf or JSON ExportLogsServiceRequest (gzip allowed).
 * Answers ExportLogsServiceResponse in the request's content type once the records are durable.
 */
export function registerOtlpIntakeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  registerRawBodyScope(app, (scope) => {
    scope.setErrorHandler((error, request, reply) => sendOtlpError(error, request, reply, deps.logger));
    scope.post('/v1/logs', async (request, reply) => {
      const type = mediaType(request);
      if (type !== PROTOBUF && type !== JSON_TYPE) {
        throw new AppError(ErrorCode.UnsupportedEncoding, `unsupported Content-Type "${type.slice(0, 60)}": send ${PROTOBUF} or ${JSON_TYPE}`);
      }
      const auth = await resolveIngestSource(deps.sources, request.headers);
      if (!auth.ok) {
        throw new AppError(ErrorCode.Unauthorized, auth.reason === 'unknown' ? 'unknown ingest token' : `missing ingest token: ${INGEST_TOKEN_FORMS}`);
      }
      const receiptTime = Date.now();
      const body = await readIntakeBody(request, deps, { json: type === JSON_TYPE });
      const rule = categoryRuleOf(request, DEFAULT_OTLP_CATEGORY_RULE.attributes);
      let decoded: OtlpDecoded;
      try {
        decoded =
          type === PROTOBUF
            ? await decodeOtlpProtobuf(body, { attributes: rule.names })
            : await decodeOtlpJson(decodeUtf8(body).text, { attributes: rule.names });
      } catch (error) {
        if (error instanceof OtlpFormatError) throw new AppError(ErrorCode.BadRequest, error.message);
        throw error;
      }
      await storeRecords(deps, decoded.records, {
        request,
        source: auth.source,
        receiptTime,
        collector: 'otlp',
        defaultName: 'otlp',
        timeFormat: 'otlp',
        recordCategoryWins: rule.override,
      });
      const partial =
        decoded.rejected > 0
          ? { rejectedLogRecords: decoded.rejected, errorMessage: decoded.rejectReason ?? 'malformed log records' }
          : undefined;
      if (type === PROTOBUF) return reply.status(200).type(PROTOBUF).send(Buffer.from(encodeOtlpResponseProtobuf(partial)));
      return reply.status(200).type(JSON_TYPE).send(encodeOtlpResponseJson(partial));
    });
  });
}
