import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, isAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isStoreError, type StoreError, type StoreErrorKind } from '../store/store-error.js';

/** HTTP status of every application error code; the compiler checks that no code is missing. */
export const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_config: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_encoding: 415,
  bad_encoding: 400,
  overloaded: 429,
  too_many_attempts: 429,
  unavailable: 503,
  timeout: 504,
  // nginx's convention: no one reads this answer.
  client_closed: 499,
  internal: 500,
};

/** A store error as the caller sees it: its kind's message and status, never the engine's text. */
export function fromStoreError(error: StoreError): AppError {
  const code: Record<StoreErrorKind, ErrorCode> = {
    timeout: ErrorCode.Timeout,
    too_many_rows: ErrorCode.BadRequest,
    memory: ErrorCode.BadRequest,
    query_too_large: ErrorCode.BadRequest,
    locked: ErrorCode.Unavailable,
    unavailable: ErrorCode.Unavailable,
    disk_full: ErrorCode.Unavailable,
    failed: ErrorCode.Internal,
  };
  return new AppError(code[error.kind], error.message, { cause: error, ...(code[error.kind] === ErrorCode.Unavailable ? { retryAfterSeconds: 5 } : {}) });
}

/** Fastify's own errors (body parsing, limits) translated to ours. */
function fromFastifyError(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(ErrorCode.PayloadTooLarge, 'request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(ErrorCode.BadRequest, 'unsupported Content-Type: send application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(ErrorCode.BadRequest, 'request body must be a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(ErrorCode.BadRequest, 'Content-Length does not match the body');
    default:
      break;
  }
  if (error.statusCode === 400 && /JSON/i.test(error.message)) {
    return new AppError(ErrorCode.BadRequest, 'request body is not valid JSON');
  }
  if (error.statusCode === 413) return new AppError(ErrorCode.PayloadTooLarge, 'request is too large');
  if (error.statusCode === 431) return new AppError(ErrorCode.BadRequest, 'request headers are too large');
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError(ErrorCode.BadRequest, error.message);
  }
  return undefined;
}

/** The one place errors become HTTP responses: `{code, message}` plus Retry-After when useful. */
export function createErrorHandler(logger: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const appError = isAppError(error)
      ? error
      : isStoreError(error)
        ? fromStoreError(error)
        : (typeof error === 'object' && error !== null && 'code' in error
          ? fromFastifyError(error as FastifyError)
          : undefined) ?? new AppError(ErrorCode.Internal, 'internal error', { cause: error });
    const status = statusOf[appError.code];
    if (appError.code === ErrorCode.ClientClosed) {
      logger.debug({ method: request.method, url: request.routeOptions.url, address: request.ip }, appError.message);
    } else if (status >= 500) {
      logger.error({ err: appError.cause ?? appError, method: request.method, url: request.routeOptions.url }, appError.message);
    }
    if (appError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(appError.retryAfterSeconds));
    if (status === 401) void reply.header('www-authenticate', 'Basic realm="quarry"');
    return reply.status(status).send({
      code: appError.code,
      message: appError.message,
      ...(appError.details ? { details: appError.details } : {}),
    });
  };
}
