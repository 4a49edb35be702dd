/**
 * Elasticsearch `_bulk` decoding: NDJSON action/document pairs. `index` and `create` store their
 * document; `update` and `delete` are answered with a per-item error (a log store does not edit);
 * a line that is not JSON fails its own item only, and the rest of the body still lands.
 */
import { randomBytes } from 'node:crypto';
import { Pacer } from '../../core/pacer.js';
import { ByteLineCursor, LineCursor } from '../../core/text.js';
import type { IngestRecord } from '../encode-records.js';
import { fieldText, flattenInto } from './fields.js';

export const BulkActionKind = ['index', 'create', 'update', 'delete'] as const;
export type BulkActionKind = (typeof BulkActionKind)[number];

export interface BulkItemError {
  type: string;
  reason: string;
}

/** One bulk item in request order: a record to store, or an error to report. */
export interface BulkItem {
  action: BulkActionKind;
  index: string;
  id: string;
  record?: IngestRecord;
  error?: BulkItemError & { status: number };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An action line `{"index": {...}}`: exactly one known key with an object (or null) value. */
function parseAction(line: string): { kind: BulkActionKind; meta: Record<string, unknown> } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const keys = Object.keys(parsed);
  if (keys.length !== 1) return undefined;
  const kind = keys[0] as BulkActionKind;
  if (!BulkActionKind.includes(kind)) return undefined;
  const meta = parsed[kind];
  return { kind, meta: isObject(meta) ? meta : {} };
}

const ID_BYTES = 15;
const IDS_PER_POOL = 4096;
let idPool = Buffer.alloc(0);
let idOffset = 0;

/**
 * Elasticsearch-like document id: 20 URL-safe base64 characters of 15 random bytes. The bytes come
 * from a pool filled 4096 ids at a time: one randomBytes call per id cost a 360 000-document bulk
 * over a second of the event loop.
 */
export function newDocumentId(): string {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * IDS_PER_POOL);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}

/** Epoch ms of an `@timestamp` value: ISO 8601 text or epoch milliseconds. */
export function parseEsTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d{1,16}$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A bulk document as a record: `@timestamp` → time (else `timestamp`, which Vector's bulk mode
 * writes), `message` → text (else the whole document as JSON), the rest → fields.
 */
export function documentRecord(document: Record<string, unknown>, index: string): IngestRecord {
  const fields: Record<string, string> = {};
  const { '@timestamp': atTimestamp, message, ...rest } = document;
  let timestamp = atTimestamp;
  if (timestamp === undefined && parseEsTimestamp(rest.timestamp) !== undefined) {
    timestamp = rest.timestamp;
    delete rest.timestamp;
  }
  flattenInto(fields, '', rest);
  const hasMessage = message !== undefined && message !== null;
  const record: IngestRecord = {
    message: hasMessage ? (fieldText(message) ?? '') : JSON.stringify(document),
    fields,
  };
  const time = parseEsTimestamp(timestamp);
  if (time !== undefined) record.time = time;
  if (index !== '') record.category = index;
  const host = fields['host.name'] ?? fields['host.hostname'] ?? (typeof rest.host === 'string' ? rest.host : undefined);
  if (host) record.host = host;
  const file = fields['log.file.path'];
  if (file) record.name = file;
  return record;
}

/**
 * Splits a bulk body into items, in order. `defaultIndex` is the `{index}` of `/{index}/_bulk`.
 * Never throws: every problem becomes the item's error. Yields to the event loop every few
 * milliseconds of a large body.
 */
export async function decodeBulk(body: string | Buffer, defaultIndex = ''): Promise<BulkItem[]> {
  // A body's lines are decoded one at a time: a string of a whole 40 MB body cost a long copy.
  const lines = typeof body === 'string' ? new LineCursor(body) : new ByteLineCursor(body);
  const items: BulkItem[] = [];
  const pacer = new Pacer();
  const next = (): string | undefined => {
    for (let line = lines.next(); line !== undefined; line = lines.next()) {
      const trimmed = line.trim();
      if (trimmed !== '') return trimmed;
    }
    return undefined;
  };
  for (;;) {
    if (pacer.due()) await pacer.yield();
    const actionLine = next();
    if (actionLine === undefined) break;
    const action = parseAction(actionLine);
    if (!action) {
      // Most actions carry a document: skip the next line too, unless it is itself an action.
      const save = lines.position;
      const following = next();
      if (following !== undefined && parseAction(following)) lines.position = save;
      items.push({
        action: 'index',
        index: defaultIndex,
        id: '',
        error: {
          status: 400,
          type: 'illegal_argument_exception',
          reason: 'Malformed action/metadata line: expected {"index"|"create"|"update"|"delete": {...}}',
        },
      });
      continue;
    }
    const index = typeof action.meta._index === 'string' ? action.meta._index : defaultIndex;
    const givenId = typeof action.meta._id === 'string' || typeof action.meta._id === 'number' ? String(action.meta._id) : '';
    if (action.kind === 'delete' || action.kind === 'update') {
      if (action.kind === 'update') next();
      items.push({
        action: action.kind,
        index,
        id: givenId,
        error: { status: 400, type: 'action_request_validation_exception', reason: `"${action.kind}" is not supported: Quarry stores logs and does not change them` },
      });
      continue;
    }
    const id = givenId || newDocumentId();
    const documentLine = next();
    if (documentLine === undefined) {
      items.push({ action: action.kind, index, id, error: { status: 400, type: 'illegal_argument_exception', reason: 'The bulk request must be terminated by a newline [\\n] and each action needs a document line' } });
      break;
    }
    if (index === '') {
      items.push({ action: action.kind, index, id, error: { status: 400, type: 'action_request_validation_exception', reason: 'index is missing' } });
      continue;
    }
    let document: unknown;
    try {
      document = JSON.parse(documentLine);
    } catch (error) {
      items.push({ action: action.kind, index, id, error: { status: 400, type: 'document_parsing_exception', reason: `failed to parse: ${(error as Error).message}` } });
      continue;
    }
    if (!isObject(document)) {
      items.push({ action: action.kind, index, id, error: { status: 400, type: 'document_parsing_exception', reason: 'the document is not a JSON object' } });
      continue;
    }
    try {
      items.push({ action: action.kind, index, id, record: documentRecord(document, index) });
    } catch (error) {
      // Only a pathological document (nesting deep enough to exhaust the stack) gets here.
      items.push({ action: action.kind, index, id, error: { status: 400, type: 'document_parsing_exception', reason: `cannot map the document: ${(error as Error).message}` } });
    }
  }
  return items;
}
