/**
 * Splunk HTTP Event Collector decoding: `/services/collector/event` bodies are JSON event objects
 * one after another (concatenated, whitespace or newlines between them, no array), each
 * `{time, host, source, sourcetype, index, event, fields}`. Pure: text in, records and errors out.
 */
import { Pacer } from '../../core/pacer.js';
import type { IngestRecord } from '../encode-records.js';
import { fieldText } from './fields.js';

/** HEC status codes (Splunk's "Possible error codes" table) with their text and HTTP status. */
export const HecCode = {
  Success: { code: 0, text: 'Success', status: 200 },
  TokenDisabled: { code: 1, text: 'Token disabled', status: 403 },
  TokenRequired: { code: 2, text: 'Token is required', status: 401 },
  InvalidAuthorization: { code: 3, text: 'Invalid authorization', status: 401 },
  InvalidToken: { code: 4, text: 'Invalid token', status: 403 },
  NoData: { code: 5, text: 'No data', status: 400 },
  InvalidDataFormat: { code: 6, text: 'Invalid data format', status: 400 },
  IncorrectIndex: { code: 7, text: 'Incorrect index', status: 400 },
  InternalError: { code: 8, text: 'Internal server error', status: 500 },
  ServerBusy: { code: 9, text: 'Server is busy', status: 503 },
  EventFieldRequired: { code: 12, text: 'Event field is required', status: 400 },
  EventFieldBlank: { code: 13, text: 'Event field cannot be blank', status: 400 },
  Healthy: { code: 17, text: 'HEC is healthy', status: 200 },
  UnsupportedEndpoint: { code: 404, text: 'The requested URL was not found on this server.', status: 404 },
} as const;
export type HecCode = (typeof HecCode)[keyof typeof HecCode];

export interface HecEventError {
  /** 0-based position of the event in the request (Splunk's `invalid-event-number`). */
  index: number;
  code: HecCode;
}

export interface HecDecoded {
  records: IngestRecord[];
  /** Events refused, in order; the valid events around them are kept. */
  errors: HecEventError[];
  /** Events seen (valid and not). */
  events: number;
}

/**
 * Cuts concatenated JSON values apart by tracking strings and nesting, without parsing: a
 * malformed event still has a findable end, so the events after it are not lost. Yields to the
 * event loop every few milliseconds of a large body.
 */
export async function splitConcatenatedJson(text: string): Promise<string[]> {
  const out: string[] = [];
  const pacer = new Pacer({ checkEvery: 1 });
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    if ((i & 0xffff) === 0 && pacer.due()) await pacer.yield();
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      if (start === -1) start = i;
    } else if (c === 0x7b || c === 0x5b) {
      if (start === -1) start = i;
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth <= 0) {
        out.push(text.slice(start === -1 ? i : start, i + 1));
        start = -1;
        depth = 0;
      }
    } else if (start === -1 && c > 0x20) {
      // A bare scalar or garbage at top level: take it up to the next whitespace or brace.
      let j = i;
      while (j < text.length && text.charCodeAt(j) > 0x20 && text[j] !== '{') j++;
      out.push(text.slice(i, j));
      i = j - 1;
    }
  }
  if (start !== -1) out.push(text.slice(start));
  return out;
}

/** Epoch seconds (number or numeric string, fractions allowed) → ms. */
function hecTime(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  // Some senders give milliseconds; seconds stay below 1e11 until the year 5138.
  return n > 1e11 ? n : n * 1000;
}

/** Request-level defaults (query parameters `host`, `source`, `sourcetype`, `index` of HEC). */
export interface HecDefaults {
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
}

/** One HEC event object → record: event → message (objects as JSON text), metadata → suggestions and fields. */
export function hecEventRecord(event: Record<string, unknown>, defaults: HecDefaults = {}): IngestRecord | HecCode {
  if (!('event' in event)) return HecCode.EventFieldRequired;
  const body = event.event;
  if (body === null || body === '' || body === undefined) return HecCode.EventFieldBlank;
  const message = typeof body === 'string' ? body : (fieldText(body) ?? '');
  const fields: Record<string, string> = {};
  if (typeof event.fields === 'object' && event.fields !== null && !Array.isArray(event.fields)) {
    for (const [k, v] of Object.entries(event.fields)) {
      const text = Array.isArray(v) ? v.map((x) => fieldText(x) ?? '').join(',') : fieldText(v);
      if (text !== undefined) fields[k] = text;
    }
  }
  const index = fieldText(event.index) ?? defaults.index;
  if (index) fields.index = index;
  const sourcetype = fieldText(event.sourcetype) ?? defaults.sourcetype;
  if (sourcetype) fields.sourcetype = sourcetype;
  const record: IngestRecord = { message, fields };
  const time = hecTime(event.time);
  if (time !== undefined) record.time = time;
  if (sourcetype) record.category = sourcetype;
  const host = fieldText(event.host) ?? defaults.host;
  if (host) record.host = host;
  const source = fieldText(event.source) ?? defaults.source;
  if (source) record.name = source;
  return record;
}

/** Decodes a `/services/collector/event` body. */
export async function decodeHecEvents(text: string, defaults: HecDefaults = {}): Promise<HecDecoded> {
  const records: IngestRecord[] = [];
  const errors: HecEventError[] = [];
  const chunks = await splitConcatenatedJson(text);
  const pacer = new Pacer();
  for (let index = 0; index < chunks.length; index++) {
    if (pacer.due()) await pacer.yield();
    const chunk = chunks[index]!;
    let parsed: unknown;
    try {
      parsed = JSON.parse(chunk);
    } catch {
      errors.push({ index, code: HecCode.InvalidDataFormat });
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      errors.push({ index, code: HecCode.InvalidDataFormat });
      continue;
    }
    let record: IngestRecord | HecCode;
    try {
      record = hecEventRecord(parsed as Record<string, unknown>, defaults);
    } catch {
      // Only a pathological event (nesting deep enough to exhaust the stack) gets here.
      record = HecCode.InvalidDataFormat;
    }
    if ('code' in record) errors.push({ index, code: record });
    else records.push(record);
  }
  return { records, errors, events: chunks.length };
}
