/**
 * Row encoding for ClickHouse-family stores (chDB and ClickHouse server read the same TSV).
 * The ingest path encodes each message once, straight into the text the store will parse: no
 * intermediate objects per line. A row carries only what differs per message; the metadata shared
 * by a request (category, host, name, collector, source, partition, custom fields) is registered
 * once as a context and rows refer to it by a small number, which the store expands at insert time
 * (docs/storage.md, "Write path"). That keeps rows short and spares the engine parsing the same
 * strings and map on every line.
 *
 * Row layout (TSV): `ts_ms  format  size  message  receipt_ms  context_id`.
 */

/** Columns of an encoded row, as the store reads them (file structure, same order as the row). */
export const encodedRowStructure = 'ts Int64, format String, size UInt32, message String, receipt Int64, context UInt64';

/** Metadata shared by every message of one request. */
export interface MessageContext {
  receiptTime: number;
  partition: string;
  sourceCategory: string;
  sourceHost: string;
  sourceName: string;
  collector: string;
  source: string;
  fields: Readonly<Record<string, string>>;
}

/** The registered part of a context: everything but the receipt time, which each row carries. */
export type ContextValues = Omit<MessageContext, 'receiptTime'> & { id: number };

/** Encoded rows ready for one store append. */
export interface EncodedBatch {
  text: string;
  lines: number;
  /** UTF-8 bytes of the original messages (what volume metering counts). */
  messageBytes: number;
  /**
   * Context ids the rows refer to, when the encoder knows them (spares the store a scan of the
   * text). Optional: a batch without it is scanned; a wrong list fails the append, never mislabels.
   */
  contexts?: readonly number[];
  /**
   * The rows as UTF-8 bytes, when the encoder produced them so (see encodedPart): `text` then
   * decodes them only if read. Off the JS heap, so queued rows cost the garbage collector nothing.
   */
  bytes?: Buffer;
  /**
   * The rows in pieces, in order, when the batch was merged from several parts: `text` is their
   * concatenation, built only if read. Stores write the pieces one by one instead.
   */
  pieces?: readonly (string | Buffer)[];
}

/**
 * A part whose rows are bytes. `text` is an enumerable getter and `bytes` is not enumerable, so a
 * spread copy (`{ ...part }`) is an ordinary text part that code may extend with `text +=`.
 */
export function encodedPart(bytes: Buffer, lines: number, messageBytes: number, contexts?: readonly number[]): EncodedBatch {
  const part = { lines, messageBytes, ...(contexts ? { contexts } : {}) } as EncodedBatch;
  Object.defineProperty(part, 'text', { enumerable: true, get: () => bytes.toString('utf8') });
  Object.defineProperty(part, 'bytes', { enumerable: false, value: bytes });
  return part;
}

/** The rows of a batch to write in order (no concatenation of merged parts). */
export function batchPieces(batch: EncodedBatch): readonly (string | Buffer)[] {
  return batch.pieces ?? [batch.bytes ?? batch.text];
}

/** Size of a batch's rows (bytes, or characters of text parts) without decoding or joining anything. */
export function batchSize(batch: EncodedBatch): number {
  if (batch.pieces) return batch.pieces.reduce((n, piece) => n + piece.length, 0);
  return batch.bytes?.length ?? batch.text.length;
}

const needsEscape = /[\\\t\n\r\0\b\f\v]/;
const escapeChars = /[\\\t\n\r\0\b\f\v]/g;
const escapes: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};

/** Escapes a value for a TSV field. */
export function escapeTsv(value: string): string {
  return needsEscape.test(value) ? value.replace(escapeChars, (c) => escapes[c]!) : value;
}

/** The range a DateTime64(3) column holds; times outside it cannot be stored as they are. */
export const MIN_STORABLE_MS = Date.UTC(1900, 0, 1);
export const MAX_STORABLE_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

/** Whole epoch milliseconds clamped to what the store holds; rows carry times in this form. */
export function storableMs(ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${ms}`);
  const whole = Math.floor(ms);
  return whole < MIN_STORABLE_MS ? MIN_STORABLE_MS : whole > MAX_STORABLE_MS ? MAX_STORABLE_MS : whole;
}

/**
 * Formats epoch milliseconds as a DateTime64(3) text value. Ten-digit-plus seconds (`1431857103.123`)
 * are unambiguous for ClickHouse and cheap to build; shorter numbers (before 1973) are not, so
 * those times (and any other outside 1973…2255) are written as `YYYY-MM-DD hh:mm:ss.mmm`.
 */
export function formatTime(ms: number): string {
  if (ms >= 1e11 && ms < 9e12) {
    const whole = Math.floor(ms / 1000);
    const frac = ms - whole * 1000;
    return `${whole}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
  }
  const clamped = Math.min(MAX_STORABLE_MS, Math.max(MIN_STORABLE_MS, ms));
  return new Date(clamped).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * The process-wide context registry: the same metadata gets the same id, ids are never reused.
 * Bounded: past MAX_CONTEXTS the least recently used entries are forgotten; a batch still queued
 * that refers to one then fails its append (the request gets 503 and is retried), it is never
 * stored under the wrong metadata.
 */
const MAX_CONTEXTS = 50_000;
const byKey = new Map<string, ContextValues>();
const byId = new Map<number, ContextValues>();
let nextContextId = 1;

function contextKey(context: MessageContext): string {
  const head = `${context.partition}\0${context.sourceCategory}\0${context.sourceHost}\0${context.sourceName}\0${context.collector}\0${context.source}`;
  for (const _ in context.fields) return `${head}\0${JSON.stringify(context.fields)}`;
  return head;
}

/** The id of a context's metadata, registering it when new. */
export function contextId(context: MessageContext): number {
  const key = contextKey(context);
  let entry = byKey.get(key);
  if (entry !== undefined) {
    // Map order is recency order: move the entry to the end.
    byKey.delete(key);
    byKey.set(key, entry);
    return entry.id;
  }
  entry = {
    id: nextContextId++,
    partition: context.partition,
    sourceCategory: context.sourceCategory,
    sourceHost: context.sourceHost,
    sourceName: context.sourceName,
    collector: context.collector,
    source: context.source,
    fields: { ...context.fields },
  };
  byKey.set(key, entry);
  byId.set(entry.id, entry);
  if (byKey.size > MAX_CONTEXTS) {
    for (const [oldKey, old] of byKey) {
      if (byKey.size <= MAX_CONTEXTS * 0.9) break;
      byKey.delete(oldKey);
      byId.delete(old.id);
    }
  }
  return entry.id;
}

/** The metadata of a registered context id, or undefined when it is unknown (or was forgotten). */
export function contextValues(id: number): ContextValues | undefined {
  return byId.get(id);
}

/**
 * Encodes the per-request part of every row once: the receipt time and the context id. The
 * result ends with the row's newline and is what encodeRow appends.
 */
export function encodeContext(context: MessageContext): string {
  return `\t${storableMs(context.receiptTime)}\t${contextId(context)}\n`;
}

/** The context id inside an encodeContext result. */
export function contextIdOf(encodedContext: string): number {
  return Number(encodedContext.slice(encodedContext.lastIndexOf('\t') + 1, -1));
}

/** Encodes one message; `encodedContext` comes from encodeContext. */
export function encodeRow(
  messageTime: number,
  format: string,
  size: number,
  message: string,
  encodedContext: string,
): string {
  return `${storableMs(messageTime)}\t${format}\t${size}\t${escapeTsv(message)}${encodedContext}`;
}

/** The distinct context ids a batch's rows refer to (its `contexts`, or read from the text). */
export function batchContexts(batch: EncodedBatch): number[] {
  if (batch.contexts !== undefined) return [...new Set(batch.contexts)];
  const ids = new Set<number>();
  for (const piece of batchPieces(batch)) {
    const text = typeof piece === 'string' ? piece : piece.toString('utf8');
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const tab = text.lastIndexOf('\t', end);
      if (tab > start) ids.add(Number(text.slice(tab + 1, end)));
      start = end + 1;
    }
  }
  return [...ids];
}

/** One encoded row read back with its context expanded (tests and diagnostics; not a hot path). */
export interface DecodedRow {
  time: number;
  format: string;
  size: number;
  message: string;
  receiptTime: number;
  context: ContextValues | undefined;
}

const unescapes: Record<string, string> = Object.fromEntries(Object.entries(escapes).map(([raw, escaped]) => [escaped[1]!, raw]));

/** Reads encoded rows back (the inverse of encodeRow). */
export function decodeRows(text: string): DecodedRow[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [time, format, size, message, receipt, id] = line.split('\t');
      return {
        time: Number(time),
        format: format!,
        size: Number(size),
        message: message!.replace(/\\(.)/g, (_, c: string) => unescapes[c] ?? c),
        receiptTime: Number(receipt),
        context: contextValues(Number(id)),
      };
    });
}
