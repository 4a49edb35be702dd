/**
 * One application error type with a stable code. Callers classify by `code`, never by `instanceof`
 * chains; the HTTP layer maps codes to statuses through a compile-checked table.
 */
export const ErrorCode = {
  BadRequest: 'bad_request',
  InvalidConfig: 'invalid_config',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  MethodNotAllowed: 'method_not_allowed',
  Conflict: 'conflict',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedEncoding: 'unsupported_encoding',
  BadEncoding: 'bad_encoding',
  Overloaded: 'overloaded',
  /** Too many failed secret checks for this user from this address (a lockout, not load). */
  TooManyAttempts: 'too_many_attempts',
  Unavailable: 'unavailable',
  Timeout: 'timeout',
  /** The client went away before its request was read (nothing to answer). */
  ClientClosed: 'client_closed',
  Internal: 'internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface AppErrorOptions {
  cause?: unknown;
  /** Extra machine-readable detail safe to show to the caller (never secrets or payloads). */
  details?: Record<string, unknown>;
  /** Seconds the caller should wait before retrying (for Overloaded/Unavailable). */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** True for any value carrying an application error code (works across module copies). */
export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'AppError' &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** Normalises anything thrown into an AppError; unknown throws become `internal` with the original as cause. */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return value;
  return new AppError(ErrorCode.Internal, 'internal error', { cause: value });
}

/** Builds an AppError; a short form for the common case. */
export function appError(code: ErrorCode, message: string, options?: AppErrorOptions): AppError {
  return new AppError(code, message, options);
}
