/**
 * Row encoding for ClickHouse-family stores (chDB and ClickHouse server read the same TSV).
 * The ingest path encodes each message once, straight into the text the store will parse:
 * no intermediate objects per line. Column order puts the per-request constants last so they are
 * encoded once per request and appended to every row.
 */

/** Columns in the order the encoded rows carry them. */
export const encodedColumns = [
  'ts',
  'format',
  'size',
  'message',
  'receipt_ts',
  'partition',
  'source_category',
  'source_host',
  'source_name',
  'collector',
  'source',
  'fields',
] as const;

/** ClickHouse types of the encoded columns, as the store parses them (same order as encodedColumns). */
export const encodedStructure = [
  "ts DateTime64(3, 'UTC')",
  'format String',
  'size UInt32',
  'message String',
  "receipt_ts DateTime64(3, 'UTC')",
  'partition String',
  'source_category String',
  'source_host String',
  'source_name String',
  'collector String',
  'source String',
  'fields Map(String, String)',
].join(', ');

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

/** Encoded rows ready for one store append. */
export interface EncodedBatch {
  text: string;
  lines: number;
  /** UTF-8 bytes of the original messages (what volume metering counts). */
  messageBytes: number;
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

const literalEscapes: Record<string, string> = { ...escapes, "'": "\\'" };

function quoteMapString(value: string): string {
  // A Map in a TSV field is read as a ClickHouse literal: single-quoted, backslash escapes, no TSV escaping on top.
  return `'${value.replace(/[\\'\t\n\r\0\b\f\v]/g, (c) => literalEscapes[c]!)}'`;
}

/** Encodes the per-request constant columns once; the result ends with the row's newline. */
export function encodeContext(context: MessageContext): string {
  const fieldEntries = Object.entries(context.fields);
  const map =
    fieldEntries.length === 0 ? '{}' : `{${fieldEntries.map(([k, v]) => `${quoteMapString(k)}:${quoteMapString(v)}`).join(',')}}`;
  return (
    [
      formatTime(context.receiptTime),
      escapeTsv(context.partition),
      escapeTsv(context.sourceCategory),
      escapeTsv(context.sourceHost),
      escapeTsv(context.sourceName),
      escapeTsv(context.collector),
      escapeTsv(context.source),
      map,
    ].join('\t') + '\n'
  );
}

/** Encodes one message; `encodedContext` comes from encodeContext. */
export function encodeRow(
  messageTime: number,
  format: string,
  size: number,
  message: string,
  encodedContext: string,
): string {
  return `${formatTime(messageTime)}\t${format}\t${size}\t${escapeTsv(message)}\t${encodedContext}`;
}
