/**
 * ClickHouse over HTTP, as 18.16 speaks it (docs/clickhouse-18.md): statements in the POST body (or
 * in `?query=` when the body carries an INSERT's rows), settings as URL parameters, the error code
 * read from the answer's text (`Code: N, …`; 18.16 sends no exception header), and cancellation by
 * `KILL QUERY` with the statement's query id (closing the connection does not stop a query).
 * Plain fetch: @clickhouse/client was tried against 18.16 and cannot read its errors or cancel.
 */
import { randomUUID } from 'node:crypto';
import { clickhouseErrorKind, isStoreError, StoreError, StoreErrorKind } from '../store-error.js';
import { quoteString } from '../../query/sql/dialect.js';

/** One server: its HTTP base URL and credentials. */
export interface ClickHouseHost {
  /** `http://host:8123` */
  url: string;
  user: string;
  password: string;
  database: string;
}

export interface HttpQueryOptions {
  /** Settings, sent as URL parameters. */
  settings?: Record<string, string | number>;
  /** An INSERT's rows: the statement then goes in the `query` URL parameter. */
  body?: string | Buffer;
  signal?: AbortSignal;
  /** Give up (and kill the statement) after this long. */
  timeoutMs?: number;
}

/** An answer the server refused: the HTTP status and ClickHouse's error code. */
export class ClickHouseServerError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    text: string,
  ) {
    super(`ClickHouse ${status}${code === undefined ? '' : ` code ${code}`}: ${text.trim().slice(0, 1000)}`);
    this.name = 'ClickHouseServerError';
  }
}

/** The exception code of an error text (`Code: 159, e.displayText() = …` or `Code: 159. DB::Exception …`). */
export function clickhouseErrorCode(text: string): number | undefined {
  const m = /Code: (\d+)[,.]/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Codes of a connection that was never made: the request did not reach the server. */
const NOT_CONNECTED = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'];

/**
 * True when the request certainly did not reach the server (it refused or could not be found), so
 * another server may be asked to do the same write. A connection that broke after the request was
 * sent (ECONNRESET, "other side closed") is not one: the write may have been committed.
 */
export function isNotConnected(error: unknown): boolean {
  if (error instanceof ClickHouseServerError || isStoreError(error)) return false;
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  return NOT_CONNECTED.includes(cause?.code ?? (error as { code?: string } | undefined)?.code ?? '');
}

/** Network-level failures: the server could not be reached, or went away mid-answer. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof ClickHouseServerError || isStoreError(error)) return false;
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  const code = cause?.code ?? (error as { code?: string } | undefined)?.code;
  return (
    (error instanceof TypeError && /fetch failed/.test(error.message)) ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code ?? '')
  );
}

/**
 * The engine's error as a StoreError, by ClickHouse's error code (the one place the server's text
 * is read). The server's text stays in `cause`.
 */
export function toStoreError(error: unknown): unknown {
  if (isStoreError(error)) return error;
  if (isConnectionFailure(error)) return new StoreError(StoreErrorKind.Unavailable, { cause: error });
  if (!(error instanceof ClickHouseServerError)) return error;
  const kind = error.status === 503 ? StoreErrorKind.Unavailable : clickhouseErrorKind(error.code ?? -1, error.message);
  return new StoreError(kind, { cause: error });
}

/** Runs statements on one server. */
export class ClickHouseHttp {
  private readonly auth: string;

  constructor(readonly host: ClickHouseHost) {
    this.auth = `Basic ${Buffer.from(`${host.user}:${host.password}`).toString('base64')}`;
  }

  /** Runs one statement and returns the answer's text; a refused statement throws ClickHouseServerError. */
  async query(sql: string, options: HttpQueryOptions = {}): Promise<string> {
    const queryId = randomUUID();
    const url = new URL(this.host.url);
    url.searchParams.set('database', this.host.database);
    url.searchParams.set('query_id', queryId);
    for (const [name, value] of Object.entries(options.settings ?? {})) url.searchParams.set(name, String(value));
    if (options.body !== undefined) url.searchParams.set('query', sql);
    const local = new AbortController();
    const onAbort = () => local.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => local.abort(), options.timeoutMs);
    try {
      if (options.signal?.aborted) local.abort();
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: this.auth },
        body: options.body ?? sql,
        signal: local.signal,
      });
      const text = await response.text();
      if (!response.ok) throw new ClickHouseServerError(response.status, clickhouseErrorCode(text), text);
      return text;
    } catch (error) {
      // Disconnecting does not stop a statement on 18.16: kill it (in the background).
      if (local.signal.aborted) void this.kill(queryId);
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The rows of a `FORMAT JSONEachRow` answer (64-bit integers as numbers). */
  async rows<T>(sql: string, options: HttpQueryOptions = {}): Promise<T[]> {
    const text = await this.query(`${sql}\nFORMAT JSONEachRow`, {
      ...options,
      settings: { output_format_json_quote_64bit_integers: 0, wait_end_of_query: 1, ...options.settings },
    });
    const out: T[] = [];
    for (const line of text.split('\n')) if (line !== '') out.push(JSON.parse(line) as T);
    return out;
  }

  /** Stops a running statement (best effort). */
  async kill(queryId: string): Promise<void> {
    try {
      await this.query(`KILL QUERY WHERE query_id = ${quoteString(queryId)} ASYNC`, { timeoutMs: 10_000 });
    } catch {
      // The statement may have ended already, or the server be gone.
    }
  }
}
