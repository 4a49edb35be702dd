/**
 * Row encoding for ClickHouse-family stores (chDB and ClickHouse server read the same TSV).
 * The ingest path encodes each message once, straight into the text the store will parse: no
 * intermediate objects per line. A row carries only what differs per message; the metadata shared
 * by a request (category, host, name, collector, source, partition, custom fields) is registered
 * once as a context and rows refer to it by a small number, which the store expands at insert time
 * (docs/storage.md, "Write path"). That keeps rows short and spares the engine parsing the same
 * strings and map on every line.
 *
 * Row layout: `ts_ms  format  size  message  receipt_ms  context_id`, in one of two file formats:
 * - TSV (encodeRow): text, messages escaped; what tests and low-volume writers (self-logs) build.
 * - RowBinary (RowBinaryWriter): the ingest hot path. Numbers are fixed-width little-endian, strings
 *   a varint length and their UTF-8 bytes: nothing to escape in JS, and the engine parses it in
 *   about 60 % of the time TSV takes (docs/storage.md, "Write path").
 */

/** The file format of a batch's rows. */
export type RowFormat = 'TSV' | 'RowBinary';

/** Columns of an encoded TSV row, as the store reads them (file structure, same order as the row). */
export const encodedRowStructure = 'ts Int64, format String, size UInt32, message String, receipt Int64, context UInt64';

/** Columns of a RowBinary row (context ids are small: 4 bytes). */
export const rowBinaryStructure = 'ts Int64, format String, size UInt32, message String, receipt Int64, context UInt32';

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
  /**
   * The file format of `bytes`/`pieces`; TSV when absent. A RowBinary part's `text` is its rows
   * rendered as TSV (tests and diagnostics only).
   */
  format?: RowFormat;
}

/** The file format of a batch's rows. */
export function batchFormat(batch: EncodedBatch): RowFormat {
  return batch.format ?? 'TSV';
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

/**
 * A part whose rows are RowBinary bytes. Like encodedPart, a spread copy is an ordinary TSV text
 * part (`text` renders the rows; `bytes` and `format` are not enumerable).
 */
export function rowBinaryPart(bytes: Buffer, lines: number, messageBytes: number, contexts: readonly number[]): EncodedBatch {
  const part = { lines, messageBytes, contexts } as EncodedBatch;
  Object.defineProperty(part, 'text', { enumerable: true, get: () => rowBinaryToTsv(bytes) });
  Object.defineProperty(part, 'bytes', { enumerable: false, value: bytes });
  Object.defineProperty(part, 'format', { enumerable: false, value: 'RowBinary' });
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

/** The distinct context ids a batch's rows refer to (its `contexts`, or read from the rows). */
export function batchContexts(batch: EncodedBatch): number[] {
  if (batch.contexts !== undefined) return [...new Set(batch.contexts)];
  const ids = new Set<number>();
  if (batchFormat(batch) === 'RowBinary') {
    for (const piece of batchPieces(batch)) readRowBinary(piece as Buffer, (row) => ids.add(row.context));
    return [...ids];
  }
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

// ---------------------------------------------------------------------------------------------
// RowBinary rows (the ingest hot path).

const TWO_32 = 0x1_0000_0000;

function writeInt64(buf: Buffer, offset: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  buf.writeUInt32LE(value - high * TWO_32, offset);
  buf.writeInt32LE(high, offset + 4);
}

function readInt64(buf: Buffer, offset: number): number {
  return buf.readInt32LE(offset + 4) * TWO_32 + buf.readUInt32LE(offset);
}

function writeVarUInt(buf: Buffer, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[offset++] = value;
  return offset;
}

/** A string field once encoded (varint length + UTF-8): formats repeat on every row. */
const encodedStrings = new Map<string, Buffer>();

function encodedString(value: string): Buffer {
  let bytes = encodedStrings.get(value);
  if (bytes === undefined) {
    const length = Buffer.byteLength(value, 'utf8');
    bytes = Buffer.alloc(length + 5);
    const start = writeVarUInt(bytes, 0, length);
    bytes.write(value, start, 'utf8');
    bytes = bytes.subarray(0, start + length);
    if (encodedStrings.size >= 1000) encodedStrings.clear();
    encodedStrings.set(value, bytes);
  }
  return bytes;
}

/**
 * Builds one part of RowBinary rows in a growing buffer: no per-row strings, nothing to escape.
 * The rows of one writer share a receipt time and context (one request's metadata).
 */
export class RowBinaryWriter {
  private buf = Buffer.alloc(0);
  private length = 0;
  private readonly capacity: number;
  private readonly receipt: number;
  private readonly context: number;
  lines = 0;
  messageBytes = 0;

  /** `capacity`: expected bytes of a part (the buffer grows past it when needed). */
  constructor(context: MessageContext, capacity: number) {
    this.capacity = Math.max(4096, Math.ceil(capacity));
    this.receipt = storableMs(context.receiptTime);
    this.context = contextId(context);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  /**
   * Adds a row. `byteLength` is the message's UTF-8 length (its `size`); `ascii` says the message
   * is pure ASCII, so it is copied byte for byte.
   */
  add(messageTime: number, format: string, byteLength: number, message: string, ascii: boolean): void {
    const formatBytes = encodedString(format);
    // 4 bytes of slack: a message longer than `byteLength` then shows (a UTF-8 character is at most 4 bytes).
    this.reserve(8 + formatBytes.length + 4 + 5 + byteLength + 4 + 12);
    const buf = this.buf;
    let o = this.length;
    writeInt64(buf, o, storableMs(messageTime));
    o += 8;
    formatBytes.copy(buf, o);
    o += formatBytes.length;
    buf.writeUInt32LE(byteLength, o);
    o += 4;
    o = writeVarUInt(buf, o, byteLength);
    const written = buf.write(message, o, byteLength + 4, ascii ? 'latin1' : 'utf8');
    if (written !== byteLength) throw new Error(`row encoding: message of ${written === byteLength + 4 ? 'more than ' : ''}${written} bytes, expected ${byteLength}`);
    o += written;
    writeInt64(buf, o, this.receipt);
    buf.writeUInt32LE(this.context, o + 8);
    this.length = o + 12;
    this.lines++;
    this.messageBytes += byteLength;
  }

  /** The part of the rows added so far; the writer starts over empty. */
  take(): EncodedBatch {
    // A mostly empty buffer is copied to its size, so queued parts hold no slack.
    const bytes = this.length * 4 < this.buf.length * 3 ? Buffer.from(this.buf.subarray(0, this.length)) : this.buf.subarray(0, this.length);
    const part = rowBinaryPart(bytes, this.lines, this.messageBytes, [this.context]);
    this.buf = Buffer.alloc(0);
    this.length = 0;
    this.lines = 0;
    this.messageBytes = 0;
    return part;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length === 0 ? this.capacity : this.buf.length * 2, this.length + bytes));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
}

interface BinaryRow {
  time: number;
  format: string;
  size: number;
  message: string;
  receiptTime: number;
  context: number;
}

function readVarUInt(buf: Buffer, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[offset++];
    if (byte === undefined) throw new RangeError('truncated RowBinary row');
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, offset];
    shift += 7;
  }
}

/** The RowBinary rows of `bytes`, in order (a generator, so a caller can yield between rows). */
export function* rowBinaryRows(bytes: Buffer): Generator<BinaryRow> {
  let o = 0;
  const string = (): string => {
    const [length, start] = readVarUInt(bytes, o);
    o = start + length;
    return bytes.toString('utf8', start, o);
  };
  while (o < bytes.length) {
    const time = readInt64(bytes, o);
    o += 8;
    const format = string();
    const size = bytes.readUInt32LE(o);
    o += 4;
    const message = string();
    const receiptTime = readInt64(bytes, o);
    const context = bytes.readUInt32LE(o + 8);
    o += 12;
    yield { time, format, size, message, receiptTime, context };
  }
}

/** Calls `each` for every RowBinary row of `bytes` (not a hot path). */
function readRowBinary(bytes: Buffer, each: (row: BinaryRow) => void): void {
  for (const row of rowBinaryRows(bytes)) each(row);
}

/** RowBinary rows as TSV rows (what encodeRow would have written). */
export function rowBinaryToTsv(bytes: Buffer): string {
  let text = '';
  readRowBinary(bytes, (row) => {
    text += `${row.time}\t${row.format}\t${row.size}\t${escapeTsv(row.message)}\t${row.receiptTime}\t${row.context}\n`;
  });
  return text;
}
