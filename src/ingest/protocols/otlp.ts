/**
 * OTLP logs (OpenTelemetry Protocol, logs signal) decoding for OTLP/HTTP: the protobuf
 * `ExportLogsServiceRequest` (same wire shape as `LogsData`) and its JSON mapping, turned into
 * intake records. Pure: bytes/text in, records out.
 *
 * Messages read (field numbers from opentelemetry-proto logs/v1, common/v1, resource/v1):
 *   ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1 }
 *   ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2 }
 *   Resource { repeated KeyValue attributes = 1 }
 *   ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2 }
 *   InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3 }
 *   LogRecord { fixed64 time_unix_nano = 1; SeverityNumber severity_number = 2; string severity_text = 3;
 *               AnyValue body = 5; repeated KeyValue attributes = 6; fixed32 flags = 8;
 *               bytes trace_id = 9; bytes span_id = 10; fixed64 observed_time_unix_nano = 11;
 *               string event_name = 12 }
 *   KeyValue { string key = 1; AnyValue value = 2 }
 *   AnyValue { oneof: string 1, bool 2, int64 3, double 4, ArrayValue 5, KeyValueList 6, bytes 7 }
 *   ArrayValue { repeated AnyValue values = 1 }  KeyValueList { repeated KeyValue values = 1 }
 */
import { isHex } from '../../core/text.js';
import { Pacer } from '../../core/pacer.js';
import type { IngestRecord } from '../encode-records.js';
import { fieldText, flattenInto } from './fields.js';
import { ProtobufReader, ProtobufWriter, WireType } from './protobuf.js';

/** How `_sourceCategory` is derived from OTLP data (documented in docs/ingest.md). */
export interface OtlpCategoryRule {
  /** Attribute names tried in order (resource, scope and record attributes); empty = no rule. */
  attributes: readonly string[];
}

export const DEFAULT_OTLP_CATEGORY_RULE: OtlpCategoryRule = { attributes: ['service.name'] };

/** An attribute value with OTLP's types: kvlists are plain objects, bytes are Uint8Array. */
type AnyValue = string | number | bigint | boolean | Uint8Array | AnyValue[] | { [key: string]: AnyValue } | undefined;

interface OtlpLogRecord {
  /** Whole milliseconds of time_unix_nano (0 = unset). */
  timeMs: number;
  /** Whole milliseconds of observed_time_unix_nano (0 = unset). */
  observedTimeMs: number;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: Record<string, AnyValue>;
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
}

interface OtlpScope {
  name: string;
  version: string;
  attributes: Record<string, AnyValue>;
}

export interface OtlpDecoded {
  records: IngestRecord[];
  /** Records refused (malformed inside an otherwise valid request): reported as partial success. */
  rejected: number;
  /** First reason a record was refused. */
  rejectReason?: string;
}

export class OtlpFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpFormatError';
  }
}

/** Nanoseconds → whole milliseconds, exactly (a double cannot hold nanosecond epochs). */
const nanosToMs = (nanos: bigint): number => Number(nanos / 1_000_000n);

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');

function isAllZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Shared: records from decoded resource/scope/record structures.

/** JSON-compatible form of a value: bytes as base64, int64 beyond 2^53 as its digits. */
function plain(value: AnyValue): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64');
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

function addAttributes(fields: Record<string, string>, attributes: Record<string, AnyValue>): void {
  for (const [key, value] of Object.entries(attributes)) flattenInto(fields, key, plain(value));
}

function bodyText(body: AnyValue): string {
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  return fieldText(plain(body)) ?? '';
}

function toRecord(
  resource: Record<string, AnyValue>,
  scope: OtlpScope,
  log: OtlpLogRecord,
  rule: OtlpCategoryRule,
): IngestRecord {
  const fields: Record<string, string> = {};
  addAttributes(fields, resource);
  addAttributes(fields, scope.attributes);
  if (scope.name !== '') fields['scope.name'] = scope.name;
  if (scope.version !== '') fields['scope.version'] = scope.version;
  addAttributes(fields, log.attributes);
  if (log.severityText !== '') fields.severity = log.severityText;
  if (log.severityNumber !== 0) fields.severity_number = String(log.severityNumber);
  if (log.traceId !== '') fields.trace_id = log.traceId;
  if (log.spanId !== '') fields.span_id = log.spanId;
  if (log.flags !== 0) fields.trace_flags = String(log.flags & 0xff);
  if (log.eventName !== '') fields.event_name = log.eventName;

  const ms = log.timeMs > 0 ? log.timeMs : log.observedTimeMs;
  const record: IngestRecord = { message: bodyText(log.body), fields };
  if (ms > 0) record.time = ms;
  for (const attribute of rule.attributes) {
    const value = fields[attribute];
    if (value !== undefined && value !== '') {
      record.category = value;
      break;
    }
  }
  const host = fields['host.name'];
  if (host) record.host = host;
  const file = fields['log.file.path'] ?? fields['log.file.name'];
  if (file) record.name = file;
  return record;
}

// ---------------------------------------------------------------------------------------------
// Protobuf

/** AnyValue nesting deeper than this is refused (a hostile body could otherwise exhaust the stack). */
const MAX_VALUE_DEPTH = 64;

function readAnyValue(reader: ProtobufReader, depth = 0): AnyValue {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpFormatError(`values nested deeper than ${MAX_VALUE_DEPTH} levels`);
  let value: AnyValue;
  while (reader.hasMore()) {
    const { field, wireType } = reader.readTag();
    switch (field) {
      case 1:
        reader.expect(wireType, WireType.Bytes, field);
        value = reader.readString();
        break;
      case 2:
        reader.expect(wireType, WireType.Varint, field);
        value = reader.readBool();
        break;
      case 3: {
        reader.expect(wireType, WireType.Varint, field);
        const big = reader.readInt64();
        value = Number.isSafeInteger(Number(big)) ? Number(big) : big;
        break;
      }
      case 4:
        reader.expect(wireType, WireType.Fixed64, field);
        value = reader.readDouble();
        break;
      case 5: {
        reader.expect(wireType, WireType.Bytes, field);
        const inner = reader.readMessage();
        const values: AnyValue[] = [];
        while (inner.hasMore()) {
          const tag = inner.readTag();
          if (tag.field === 1) {
            inner.expect(tag.wireType, WireType.Bytes, tag.field);
            values.push(readAnyValue(inner.readMessage(), depth + 1));
          } else inner.skip(tag.wireType);
        }
        value = values;
        break;
      }
      case 6: {
        reader.expect(wireType, WireType.Bytes, field);
        value = readKeyValues(reader.readMessage(), 1, {}, depth + 1);
        break;
      }
      case 7:
        reader.expect(wireType, WireType.Bytes, field);
        value = reader.readBytes();
        break;
      default:
        reader.skip(wireType);
    }
  }
  return value;
}

function readKeyValue(reader: ProtobufReader, depth = 0): [string, AnyValue] {
  let key = '';
  let value: AnyValue;
  while (reader.hasMore()) {
    const { field, wireType } = reader.readTag();
    if (field === 1) {
      reader.expect(wireType, WireType.Bytes, field);
      key = reader.readString();
    } else if (field === 2) {
      reader.expect(wireType, WireType.Bytes, field);
      value = readAnyValue(reader.readMessage(), depth);
    } else reader.skip(wireType);
  }
  return [key, value];
}

/** Reads the repeated KeyValue field `fieldNumber` of a message into an object; other fields are skipped. */
function readKeyValues(
  reader: ProtobufReader,
  fieldNumber: number,
  into: Record<string, AnyValue> = {},
  depth = 0,
): Record<string, AnyValue> {
  while (reader.hasMore()) {
    const { field, wireType } = reader.readTag();
    if (field === fieldNumber) {
      reader.expect(wireType, WireType.Bytes, field);
      const [key, value] = readKeyValue(reader.readMessage(), depth);
      if (key !== '') into[key] = value;
    } else reader.skip(wireType);
  }
  return into;
}

function readScope(reader: ProtobufReader): OtlpScope {
  const scope: OtlpScope = { name: '', version: '', attributes: {} };
  while (reader.hasMore()) {
    const { field, wireType } = reader.readTag();
    if (field === 1 && wireType === WireType.Bytes) scope.name = reader.readString();
    else if (field === 2 && wireType === WireType.Bytes) scope.version = reader.readString();
    else if (field === 3) {
      reader.expect(wireType, WireType.Bytes, field);
      const [key, value] = readKeyValue(reader.readMessage());
      if (key !== '') scope.attributes[key] = value;
    } else reader.skip(wireType);
  }
  return scope;
}

function readLogRecord(reader: ProtobufReader): OtlpLogRecord {
  const log: OtlpLogRecord = {
    timeMs: 0,
    observedTimeMs: 0,
    severityNumber: 0,
    severityText: '',
    body: undefined,
    attributes: {},
    flags: 0,
    traceId: '',
    spanId: '',
    eventName: '',
  };
  while (reader.hasMore()) {
    const { field, wireType } = reader.readTag();
    switch (field) {
      case 1:
        reader.expect(wireType, WireType.Fixed64, field);
        log.timeMs = nanosToMs(reader.readFixed64Big());
        break;
      case 2:
        reader.expect(wireType, WireType.Varint, field);
        log.severityNumber = reader.readVarint();
        break;
      case 3:
        reader.expect(wireType, WireType.Bytes, field);
        log.severityText = reader.readString();
        break;
      case 5:
        reader.expect(wireType, WireType.Bytes, field);
        log.body = readAnyValue(reader.readMessage());
        break;
      case 6: {
        reader.expect(wireType, WireType.Bytes, field);
        const [key, value] = readKeyValue(reader.readMessage());
        if (key !== '') log.attributes[key] = value;
        break;
      }
      case 8:
        reader.expect(wireType, WireType.Fixed32, field);
        log.flags = reader.readFixed32();
        break;
      case 9: {
        reader.expect(wireType, WireType.Bytes, field);
        const id = reader.readBytes();
        if (!isAllZero(id)) log.traceId = hex(id);
        break;
      }
      case 10: {
        reader.expect(wireType, WireType.Bytes, field);
        const id = reader.readBytes();
        if (!isAllZero(id)) log.spanId = hex(id);
        break;
      }
      case 11:
        reader.expect(wireType, WireType.Fixed64, field);
        log.observedTimeMs = nanosToMs(reader.readFixed64Big());
        break;
      case 12:
        reader.expect(wireType, WireType.Bytes, field);
        log.eventName = reader.readString();
        break;
      default:
        reader.skip(wireType);
    }
  }
  return log;
}

/** Decodes a protobuf ExportLogsServiceRequest; malformed bytes throw OtlpFormatError (the whole request is refused). */
export async function decodeOtlpProtobuf(bytes: Uint8Array, rule: OtlpCategoryRule = DEFAULT_OTLP_CATEGORY_RULE): Promise<OtlpDecoded> {
  const records: IngestRecord[] = [];
  const pacer = new Pacer();
  try {
    const request = new ProtobufReader(bytes);
    while (request.hasMore()) {
      const top = request.readTag();
      if (top.field !== 1) {
        request.skip(top.wireType);
        continue;
      }
      request.expect(top.wireType, WireType.Bytes, top.field);
      const resourceLogs = request.readMessage();
      let resource: Record<string, AnyValue> = {};
      const scopes: ProtobufReader[] = [];
      // The resource may follow its scope_logs on the wire: collect first, then build records.
      while (resourceLogs.hasMore()) {
        const tag = resourceLogs.readTag();
        if (tag.field === 1) {
          resourceLogs.expect(tag.wireType, WireType.Bytes, tag.field);
          resource = readKeyValues(resourceLogs.readMessage(), 1);
        } else if (tag.field === 2) {
          resourceLogs.expect(tag.wireType, WireType.Bytes, tag.field);
          scopes.push(resourceLogs.readMessage());
        } else resourceLogs.skip(tag.wireType);
      }
      for (const scopeLogs of scopes) {
        let scope: OtlpScope = { name: '', version: '', attributes: {} };
        const logs: OtlpLogRecord[] = [];
        while (scopeLogs.hasMore()) {
          if (pacer.due()) await pacer.yield();
          const tag = scopeLogs.readTag();
          if (tag.field === 1) {
            scopeLogs.expect(tag.wireType, WireType.Bytes, tag.field);
            scope = readScope(scopeLogs.readMessage());
          } else if (tag.field === 2) {
            scopeLogs.expect(tag.wireType, WireType.Bytes, tag.field);
            logs.push(readLogRecord(scopeLogs.readMessage()));
          } else scopeLogs.skip(tag.wireType);
        }
        for (const log of logs) {
          if (pacer.due()) await pacer.yield();
          records.push(toRecord(resource, scope, log, rule));
        }
      }
    }
  } catch (error) {
    throw new OtlpFormatError(`malformed OTLP protobuf: ${(error as Error).message}`);
  }
  return { records, rejected: 0 };
}

// ---------------------------------------------------------------------------------------------
// JSON (the protobuf JSON mapping: lowerCamelCase names, proto names accepted too; int64 as
// string or number; trace/span ids as hex, as OTLP/JSON specifies)

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function pick(object: Json, camel: string, snake: string): unknown {
  return object[camel] ?? object[snake];
}

function list(object: Json, camel: string, snake: string, what: string): unknown[] {
  const value = pick(object, camel, snake);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpFormatError(`${what} must be an array`);
  return value;
}

const severityNames: Record<string, number> = Object.fromEntries(
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level, i) =>
    ['', '2', '3', '4'].map((suffix, j) => [`SEVERITY_NUMBER_${level}${suffix}`, i * 4 + j + 1] as const),
  ),
);

function jsonInt(value: unknown, what: string): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  throw new OtlpFormatError(`${what} is not an integer`);
}

function jsonAnyValue(value: unknown, depth = 0): AnyValue {
  if (!isObject(value)) return undefined;
  if (depth > MAX_VALUE_DEPTH) throw new OtlpFormatError(`values nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if ('stringValue' in value || 'string_value' in value) return fieldText(pick(value, 'stringValue', 'string_value')) ?? '';
  if ('boolValue' in value || 'bool_value' in value) return pick(value, 'boolValue', 'bool_value') === true;
  if ('intValue' in value || 'int_value' in value) {
    const raw = pick(value, 'intValue', 'int_value');
    if (typeof raw === 'number') return raw;
    if (typeof raw === 'string' && /^-?\d+$/.test(raw)) {
      const big = BigInt(raw);
      return Number.isSafeInteger(Number(big)) ? Number(big) : big;
    }
    throw new OtlpFormatError('intValue is not an integer');
  }
  if ('doubleValue' in value || 'double_value' in value) {
    const raw = pick(value, 'doubleValue', 'double_value');
    return typeof raw === 'number' ? raw : Number(raw);
  }
  if ('arrayValue' in value || 'array_value' in value) {
    const inner = pick(value, 'arrayValue', 'array_value');
    return isObject(inner) ? list(inner, 'values', 'values', 'arrayValue.values').map((v) => jsonAnyValue(v, depth + 1)) : [];
  }
  if ('kvlistValue' in value || 'kvlist_value' in value) {
    const inner = pick(value, 'kvlistValue', 'kvlist_value');
    return isObject(inner) ? jsonKeyValues(list(inner, 'values', 'values', 'kvlistValue.values'), depth + 1) : {};
  }
  if ('bytesValue' in value || 'bytes_value' in value) {
    const raw = pick(value, 'bytesValue', 'bytes_value');
    return new Uint8Array(Buffer.from(typeof raw === 'string' ? raw : '', 'base64'));
  }
  return undefined;
}

function jsonKeyValues(items: unknown[], depth = 0): Record<string, AnyValue> {
  const out: Record<string, AnyValue> = {};
  for (const item of items) {
    if (!isObject(item) || typeof item.key !== 'string' || item.key === '') continue;
    out[item.key] = jsonAnyValue(item.value, depth);
  }
  return out;
}

function jsonId(value: unknown, what: string, length: number): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value !== 'string' || !isHex(value, length)) {
    throw new OtlpFormatError(`${what} must be ${length} hex digits`);
  }
  return /^0+$/.test(value) ? '' : value.toLowerCase();
}

function jsonNanosToMs(value: unknown, what: string): number {
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return nanosToMs(BigInt(value.trim()));
  return Math.floor(jsonInt(value, what) / 1e6);
}

function jsonLogRecord(value: unknown): OtlpLogRecord {
  if (!isObject(value)) throw new OtlpFormatError('a log record is not an object');
  const severity = pick(value, 'severityNumber', 'severity_number');
  const severityNumber =
    typeof severity === 'string' && severity in severityNames ? severityNames[severity]! : jsonInt(severity, 'severityNumber');
  const severityText = pick(value, 'severityText', 'severity_text');
  const eventName = pick(value, 'eventName', 'event_name');
  return {
    timeMs: jsonNanosToMs(pick(value, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
    observedTimeMs: jsonNanosToMs(pick(value, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano'),
    severityNumber,
    severityText: typeof severityText === 'string' ? severityText : '',
    body: jsonAnyValue(value.body),
    attributes: jsonKeyValues(list(value, 'attributes', 'attributes', 'attributes')),
    flags: jsonInt(value.flags, 'flags'),
    traceId: jsonId(pick(value, 'traceId', 'trace_id'), 'traceId', 32),
    spanId: jsonId(pick(value, 'spanId', 'span_id'), 'spanId', 16),
    eventName: typeof eventName === 'string' ? eventName : '',
  };
}

/**
 * Decodes an OTLP/JSON ExportLogsServiceRequest. Text that is not JSON, or a request whose
 * structure is wrong, throws OtlpFormatError; a single malformed log record is refused on its
 * own and counted in `rejected` (partial success), the others are kept.
 */
export async function decodeOtlpJson(text: string, rule: OtlpCategoryRule = DEFAULT_OTLP_CATEGORY_RULE): Promise<OtlpDecoded> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text === '' ? '{}' : text);
  } catch (error) {
    throw new OtlpFormatError(`request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new OtlpFormatError('request body must be a JSON object (ExportLogsServiceRequest)');
  const records: IngestRecord[] = [];
  const pacer = new Pacer();
  let rejected = 0;
  let rejectReason: string | undefined;
  for (const resourceLogs of list(parsed, 'resourceLogs', 'resource_logs', 'resourceLogs')) {
    if (!isObject(resourceLogs)) throw new OtlpFormatError('resourceLogs entries must be objects');
    const resourceValue = resourceLogs.resource;
    const resource = isObject(resourceValue) ? jsonKeyValues(list(resourceValue, 'attributes', 'attributes', 'resource.attributes')) : {};
    for (const scopeLogs of list(resourceLogs, 'scopeLogs', 'scope_logs', 'scopeLogs')) {
      if (!isObject(scopeLogs)) throw new OtlpFormatError('scopeLogs entries must be objects');
      const scopeValue = scopeLogs.scope;
      const scope: OtlpScope = { name: '', version: '', attributes: {} };
      if (isObject(scopeValue)) {
        if (typeof scopeValue.name === 'string') scope.name = scopeValue.name;
        if (typeof scopeValue.version === 'string') scope.version = scopeValue.version;
        scope.attributes = jsonKeyValues(list(scopeValue, 'attributes', 'attributes', 'scope.attributes'));
      }
      for (const logValue of list(scopeLogs, 'logRecords', 'log_records', 'logRecords')) {
        if (pacer.due()) await pacer.yield();
        try {
          records.push(toRecord(resource, scope, jsonLogRecord(logValue), rule));
        } catch (error) {
          if (!(error instanceof OtlpFormatError)) throw error;
          rejected++;
          rejectReason ??= error.message;
        }
      }
    }
  }
  return { records, rejected, ...(rejectReason !== undefined ? { rejectReason } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Responses

export interface OtlpPartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}

/** ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1 { int64 rejected_log_records = 1; string error_message = 2 } }. */
export function encodeOtlpResponseProtobuf(partial?: OtlpPartialSuccess): Uint8Array {
  const response = new ProtobufWriter();
  if (partial) response.message(1, new ProtobufWriter().uint(1, partial.rejectedLogRecords).string(2, partial.errorMessage));
  return response.finish();
}

export function encodeOtlpResponseJson(partial?: OtlpPartialSuccess): Record<string, unknown> {
  if (!partial) return {};
  return { partialSuccess: { rejectedLogRecords: String(partial.rejectedLogRecords), errorMessage: partial.errorMessage } };
}

/** google.rpc.Status { int32 code = 1; string message = 2 }: the error body OTLP/HTTP specifies. */
export function encodeRpcStatusProtobuf(code: number, message: string): Uint8Array {
  return new ProtobufWriter().uint(1, code).string(2, message).finish();
}

/** gRPC status codes used in OTLP error bodies. */
export const RpcCode = {
  InvalidArgument: 3,
  ResourceExhausted: 8,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
  PermissionDenied: 7,
} as const;
