import { ErrorCode } from '../core/errors.js';
import type { Query } from '../query/ast.js';
import { compileQuery, type CompiledQuery, type Row } from '../query/interpreter/index.js';
import type { LogStore, SearchWork } from '../store/log-store.js';
import { SearchErrorCode, searchError } from './search-error.js';
import { toRow } from './search-job.js';

export interface LiveTailOptions {
  /** How often the store is asked for new messages. */
  pollMs: number;
  /**
   * How far back each poll looks by receipt time. A request's receipt time is set when it arrives
   * and its lines become visible when its batch commits, so a poll must look back past the longest
   * commit delay; rows seen already are skipped.
   */
  lookbackMs: number;
}

export const defaultLiveTailOptions: LiveTailOptions = { pollMs: 500, lookbackMs: 60_000 };

function rowKey(row: Row): string {
  return `${String(row._receiptTime)}\u0000${String(row._messageTime)}\u0000${String(row._sourceCategory)}\u0000${String(row._raw)}`;
}

/**
 * Live tail: messages as they arrive, through the scope and per-message operators of a query.
 * Aggregates are refused (a tail has no end to aggregate over).
 */
export function compileLiveTail(query: Query, timeZone: string): CompiledQuery {
  const compiled = compileQuery(query, { timeZone, now: Date.now() });
  if (!compiled.ok) {
    throw searchError(ErrorCode.BadRequest, SearchErrorCode.ParseError, compiled.error.map((d) => d.message).join('; '), {
      diagnostics: compiled.error,
    });
  }
  if (compiled.value.aggregated) {
    throw searchError(
      ErrorCode.BadRequest,
      SearchErrorCode.UnsupportedQuery,
      'live tail shows messages as they arrive: use only the scope and per-message operators (no aggregates)',
    );
  }
  return compiled.value;
}

/** Streams the query's results over messages received from now on, until the signal aborts. */
export async function* runLiveTail(
  store: LogStore,
  compiled: CompiledQuery,
  signal: AbortSignal,
  options: LiveTailOptions = defaultLiveTailOptions,
  work?: SearchWork,
): AsyncGenerator<Row> {
  const started = Date.now();
  async function* arrivals(): AsyncGenerator<Row[]> {
    // Keys of rows already emitted, with their receipt time, forgotten once outside the lookback.
    const seen = new Map<string, number>();
    while (!signal.aborted) {
      const now = Date.now();
      const from = Math.max(started, now - options.lookbackMs);
      const fresh: Row[] = [];
      for await (const batch of store.scan({ from, to: now + 60_000, byReceiptTime: true, signal, ...(work ? { work } : {}) })) {
        for (const message of batch) {
          const row = toRow(message);
          const key = rowKey(row);
          if (seen.has(key)) continue;
          seen.set(key, message._receiptTime);
          fresh.push(row);
        }
      }
      for (const [key, time] of seen) if (time < from) seen.delete(key);
      if (fresh.length > 0) {
        fresh.sort((a, b) => (a._receiptTime as number) - (b._receiptTime as number) || (a._messageTime as number) - (b._messageTime as number));
        yield fresh;
      }
      // One listener per wait, removed when the wait ends either way (none pile up on the signal).
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        const timer = setTimeout(wake, options.pollMs);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }
  for await (const row of compiled.runBatches(arrivals(), { signal })) {
    if (signal.aborted) return;
    yield row;
  }
}
