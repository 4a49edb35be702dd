/**
 * What can go wrong in a store, as a small typed set. Adapters turn the engine's errors into these;
 * callers classify by `kind`, and a person sees only the kind's message: the engine's own text
 * (which can quote generated SQL) stays in `cause`, for the server log.
 */
export const StoreErrorKind = {
  /** a statement ran past its time limit */
  Timeout: 'timeout',
  /** a statement would read more rows than allowed */
  TooManyRows: 'too_many_rows',
  /** a statement needed more memory than allowed */
  Memory: 'memory',
  /** the statement is larger or deeper than the engine accepts (a query with thousands of terms) */
  QueryTooLarge: 'query_too_large',
  /** another process holds the store */
  Locked: 'locked',
  /** the store is closed or cannot be reached */
  Unavailable: 'unavailable',
  /** the disk is full */
  DiskFull: 'disk_full',
  /** anything else (a bug, to be found in the server log) */
  Failed: 'failed',
} as const;
export type StoreErrorKind = (typeof StoreErrorKind)[keyof typeof StoreErrorKind];

const MESSAGES: Record<StoreErrorKind, string> = {
  timeout: 'the search took longer than the query time limit; narrow the time range or the query',
  too_many_rows: 'the search would read more rows than allowed; narrow the time range or the query',
  memory: 'the search needed more memory than allowed; narrow the time range or group by fewer values',
  query_too_large: 'the query is too large for the log store to run (too many terms or too deeply nested); split it or use fewer terms',
  locked: 'the log store is in use by another process',
  unavailable: 'the log store is not available right now; try again',
  disk_full: 'the log store has no disk space left',
  failed: 'the log store could not do this (the server log has the details)',
};

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    options: { cause?: unknown; message?: string } = {},
  ) {
    super(options.message ?? MESSAGES[kind], options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
  }
}

/** True for a StoreError (works across module copies). */
export function isStoreError(value: unknown): value is StoreError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'StoreError' && typeof (value as { kind?: unknown }).kind === 'string';
}

/** The message a person sees for a store error of this kind. */
export function storeErrorMessage(kind: StoreErrorKind): string {
  return MESSAGES[kind];
}

/** The kind of a ClickHouse error by its code (chDB and the server share the codes); `text` is the engine's message. */
export function clickhouseErrorKind(code: number, text: string): StoreErrorKind {
  if (code === 159) return StoreErrorKind.Timeout;
  if (code === 158) return StoreErrorKind.TooManyRows;
  if (code === 241) return StoreErrorKind.Memory;
  if (code === 167 || code === 168 || code === 306 || (code === 62 && text.includes('Max query size exceeded'))) return StoreErrorKind.QueryTooLarge;
  if (code === 243 || text.includes('No space left on device')) return StoreErrorKind.DiskFull;
  // Network and shard failures between servers (a Distributed query whose shard is down).
  if (code === 202 || code === 209 || code === 210 || code === 279) return StoreErrorKind.Unavailable;
  return StoreErrorKind.Failed;
}
