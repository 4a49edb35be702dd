import { Pacer } from '../core/pacer.js';
import { contextIdOf, encodeContext, encodedPart, encodeRow, type EncodedBatch, type MessageContext } from '../store/row-encoding.js';
import { NO_TIMESTAMP_FORMAT, type EncodedMessages } from './encode-messages.js';
import { cutUtf8, DEFAULT_MAX_MESSAGE_BYTES, utf8Length } from './multiline.js';
import type { MessageRules } from './processing-rules.js';

/**
 * One structured log record, as the intake protocols (OTLP, Loki, Elasticsearch, HEC) decode them:
 * the message text, its own time when it has one, its fields, and metadata it suggests.
 */
export interface IngestRecord {
  /** Epoch milliseconds; absent → the receipt time (and `_format` = none). */
  time?: number;
  message: string;
  fields: Record<string, string>;
  /** Suggested `_sourceCategory` / `_sourceHost` / `_sourceName`; applied where the request and source leave them open. */
  category?: string;
  host?: string;
  name?: string;
}

/** Which metadata is fixed by the request or the source (wins over what records suggest). */
export interface FixedMetadata {
  category?: string;
  host?: string;
  name?: string;
  /** When true, a record's suggested category wins over `category` (the source's). */
  recordCategoryWins?: boolean;
}

export interface EncodeRecordsOptions {
  /** Metadata of the request; sourceCategory/sourceHost/sourceName are the last-resort defaults. */
  context: MessageContext;
  fixed: FixedMetadata;
  /** `_format` of records that carry their own time (e.g. `otlp`). */
  timeFormat: string;
  /** Parts are cut at record boundaries once they pass this many encoded characters. */
  maxPartChars: number;
  /** The source's processing rules, applied to each record's message before it is stored. */
  rules?: MessageRules;
}

const MAX_CONTEXT_CACHE = 512;

/**
 * Times the store can take: row encoding writes `seconds.millis`, which ClickHouse reads as a Unix
 * time only with 9 or 10 digits of seconds (1973-03-03 … 2286-11-20); anything else would fail the
 * whole shared batch. A record time outside this range is replaced by the receipt time.
 */
export const MIN_RECORD_TIME_MS = 1e11;
export const MAX_RECORD_TIME_MS = 1e13 - 1;

/** Characters of rows encoded to UTF-8 at a time. */
const CHUNK_CHARS = 1 << 20;

/**
 * Encodes structured records into store rows, sharing the per-request constants where records
 * agree: rows are encoded with a MessageContext, and records whose metadata or fields differ get
 * different (cached) contexts. A message over 64 KiB is cut into pieces like the HTTP source does;
 * the pieces keep the record's time and fields. Works in slices of a few milliseconds, so a large
 * request does not hold the event loop.
 */
export async function encodeRecords(records: readonly IngestRecord[], options: EncodeRecordsOptions): Promise<EncodedMessages> {
  const pacer = new Pacer();
  const { context, fixed } = options;
  const contexts = new Map<string, string>();
  const contextOf = (record: IngestRecord): string => {
    const category =
      (fixed.recordCategoryWins ? record.category || fixed.category : fixed.category ?? record.category) || context.sourceCategory;
    const host = fixed.host ?? (record.host || context.sourceHost);
    const name = fixed.name ?? (record.name || context.sourceName);
    const fieldKeys = Object.keys(record.fields);
    const key =
      fieldKeys.length === 0
        ? `${category}\0${host}\0${name}`
        : `${category}\0${host}\0${name}\0${JSON.stringify(record.fields)}`;
    let encoded = contexts.get(key);
    if (encoded === undefined) {
      const fields = fieldKeys.length === 0 ? context.fields : { ...record.fields, ...context.fields };
      encoded = encodeContext({ ...context, sourceCategory: category, sourceHost: host, sourceName: name, fields });
      if (contexts.size >= MAX_CONTEXT_CACHE) contexts.clear();
      contexts.set(key, encoded);
    }
    return encoded;
  };

  const parts: EncodedBatch[] = [];
  // Context ids the current part's rows use.
  let partContexts = new Set<number>();
  // The current part's rows: UTF-8 chunks of about a megabyte, then the text being appended to.
  // Encoding a chunk at a time keeps each conversion short (one string of a 32 MB part, encoded
  // by the store in one go, held the event loop ~0.1 s) and keeps queued rows off the JS heap.
  let chunks: Buffer[] = [];
  let chunkChars = 0;
  let current = '';
  let currentLines = 0;
  let currentBytes = 0;
  let totalBytes = 0;
  let messages = 0;
  let excluded = 0;
  const rules = options.rules;
  const endPart = () => {
    if (current !== '') chunks.push(Buffer.from(current, 'utf8'));
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    parts.push(encodedPart(bytes, currentLines, currentBytes, [...partContexts]));
    partContexts = new Set();
    totalBytes += currentBytes;
    chunks = [];
    chunkChars = 0;
    current = '';
    currentLines = 0;
    currentBytes = 0;
  };
  for (const record of records) {
    if (pacer.due()) await pacer.yield();
    const message = rules ? rules.apply(record.message) : record.message;
    if (message === undefined) {
      excluded++;
      continue;
    }
    const encodedContext = contextOf(record);
    const hasTime =
      record.time !== undefined && Number.isFinite(record.time) && record.time >= MIN_RECORD_TIME_MS && record.time <= MAX_RECORD_TIME_MS;
    // DateTime64(3) keeps whole milliseconds: sub-millisecond parts are truncated, as ClickHouse does.
    const time = hasTime ? Math.floor(record.time!) : context.receiptTime;
    const format = hasTime ? options.timeFormat : NO_TIMESTAMP_FORMAT;
    const size = utf8Length(message);
    const pieces = size > DEFAULT_MAX_MESSAGE_BYTES ? cutUtf8(message, DEFAULT_MAX_MESSAGE_BYTES) : [message];
    for (const piece of pieces) {
      const pieceSize = pieces.length === 1 ? size : utf8Length(piece);
      current += encodeRow(time, format, pieceSize, piece, encodedContext);
      partContexts.add(contextIdOf(encodedContext));
      currentLines++;
      currentBytes += pieceSize;
      messages++;
      if (current.length >= CHUNK_CHARS) {
        chunks.push(Buffer.from(current, 'utf8'));
        chunkChars += current.length;
        current = '';
      }
      if (chunkChars + current.length >= options.maxPartChars) {
        endPart();
      }
    }
  }
  if (currentLines > 0) endPart();
  return rules ? { parts, messages, messageBytes: totalBytes, excluded } : { parts, messages, messageBytes: totalBytes };
}
