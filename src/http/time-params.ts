import { AppError, ErrorCode } from '../core/errors.js';
import { MAX_STORABLE_MS, MIN_STORABLE_MS } from '../store/row-encoding.js';

/** Parses a time query parameter: epoch milliseconds or ISO-8601; a bad value is a 400 naming it. */
export function parseTimeParam(name: string, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new AppError(ErrorCode.BadRequest, `${name} must be given once`);
  const parsed = /^-?\d+$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(parsed)) {
    throw new AppError(ErrorCode.BadRequest, `${name} must be epoch milliseconds or ISO-8601 (got "${value.slice(0, 40)}")`);
  }
  // Stored times lie within these bounds; a number beyond them is a mistake (and no engine integer).
  if (parsed < MIN_STORABLE_MS - 86_400_000 || parsed > MAX_STORABLE_MS + 86_400_000) {
    throw new AppError(ErrorCode.BadRequest, `${name} must lie between 1900-01-01 and 2299-12-31 (got "${value.slice(0, 40)}")`);
  }
  return parsed;
}

/** Parses a positive integer query parameter within bounds. */
export function parseIntParam(name: string, value: unknown, options: { min: number; max: number; fallback: number }): number {
  if (value === undefined || value === '') return options.fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < options.min || n > options.max) {
    throw new AppError(ErrorCode.BadRequest, `${name} must be an integer from ${options.min} to ${options.max}`);
  }
  return n;
}
