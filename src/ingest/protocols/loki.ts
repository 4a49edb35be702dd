/**
 * Loki push API decoding (`POST /loki/api/v1/push`): the protobuf PushRequest (snappy-compressed
 * by the sender; decompress first) and the JSON form. Pure: bytes/text in, records out.
 *
 *   PushRequest { repeated StreamAdapter streams = 1 }
 *   StreamAdapter { string labels = 1 (`{job="x", app="y"}`); repeated EntryAdapter entries = 2 }
 *   EntryAdapter { google.protobuf.Timestamp timestamp = 1 { int64 seconds = 1; int32 nanos = 2 };
 *                  string line = 2; repeated LabelPairAdapter structuredMetadata = 3 { string name = 1; string value = 2 } }
 *
 * JSON: `{"streams":[{"stream":{labels},"values":[["<unix ns>","line",{structured metadata}?]]}]}`.
 */
import { Pacer } from '../../core/pacer.js';
import type { IngestRecord } from '../encode-records.js';
import { ProtobufReader, WireType } from './protobuf.js';

/** Labels tried in order for `_sourceCategory` (documented in docs/ingest.md). */
export interface LokiCategoryRule {
  labels: readonly string[];
}

export const DEFAULT_LOKI_CATEGORY_RULE: LokiCategoryRule = { labels: ['service_name', 'job', 'app'] };

export class LokiFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LokiFormatError';
  }
}

/** Parses a Prometheus-style label set `{a="x", b="y\"z"}`. */
export function parseLokiLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  const s = text.trim();
  const fail = (what: string): never => {
    throw new LokiFormatError(`invalid stream labels ${JSON.stringify(s.slice(0, 200))}: ${what}`);
  };
  if (s[i] !== '{') fail('must start with {');
  i++;
  const skipSpace = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  skipSpace();
  if (s[i] === '}') return labels;
  for (;;) {
    skipSpace();
    const nameStart = i;
    while (i < s.length && /[A-Za-z0-9_.:]/.test(s[i]!)) i++;
    const name = s.slice(nameStart, i);
    if (name === '') fail('expected a label name');
    skipSpace();
    if (s[i] !== '=') fail(`expected = after ${name}`);
    i++;
    skipSpace();
    if (s[i] !== '"') fail(`expected a quoted value for ${name}`);
    i++;
    let value = '';
    for (;;) {
      if (i >= s.length) fail('unterminated value');
      const c = s[i++]!;
      if (c === '"') break;
      if (c === '\\') {
        const e = s[i++];
        value += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
      } else value += c;
    }
    labels[name] = value;
    skipSpace();
    if (s[i] === ',') {
      i++;
      skipSpace();
      if (s[i] === '}') break;
      continue;
    }
    if (s[i] === '}') break;
    fail('expected , or }');
  }
  return labels;
}

function streamRecordBase(labels: Record<string, string>, rule: LokiCategoryRule): Omit<IngestRecord, 'message' | 'fields'> {
  const base: Omit<IngestRecord, 'message' | 'fields'> = {};
  for (const label of rule.labels) {
    const value = labels[label];
    if (value) {
      base.category = value;
      break;
    }
  }
  const host = labels.host ?? labels.hostname;
  if (host) base.host = host;
  const file = labels.filename;
  if (file) base.name = file;
  return base;
}

function entryRecord(
  base: Omit<IngestRecord, 'message' | 'fields'>,
  labels: Record<string, string>,
  line: string,
  timeMs: number | undefined,
  metadata: Record<string, string>,
): IngestRecord {
  const record: IngestRecord = { ...base, message: line, fields: { ...labels, ...metadata } };
  if (timeMs !== undefined && timeMs > 0) record.time = timeMs;
  return record;
}

/** Decodes a (decompressed) protobuf PushRequest; malformed bytes throw LokiFormatError. */
export async function decodeLokiProtobuf(bytes: Uint8Array, rule: LokiCategoryRule = DEFAULT_LOKI_CATEGORY_RULE): Promise<IngestRecord[]> {
  const records: IngestRecord[] = [];
  const pacer = new Pacer();
  let reader: ProtobufReader;
  try {
    reader = new ProtobufReader(bytes);
    while (reader.hasMore()) {
      const top = reader.readTag();
      if (top.field !== 1) {
        reader.skip(top.wireType);
        continue;
      }
      reader.expect(top.wireType, WireType.Bytes, 1);
      const stream = reader.readMessage();
      let labelText = '{}';
      const entries: ProtobufReader[] = [];
      while (stream.hasMore()) {
        if (pacer.due()) await pacer.yield();
        const tag = stream.readTag();
        if (tag.field === 1) {
          stream.expect(tag.wireType, WireType.Bytes, 1);
          labelText = stream.readString();
        } else if (tag.field === 2) {
          stream.expect(tag.wireType, WireType.Bytes, 2);
          entries.push(stream.readMessage());
        } else stream.skip(tag.wireType);
      }
      const labels = parseLokiLabels(labelText);
      const base = streamRecordBase(labels, rule);
      for (const entry of entries) {
        if (pacer.due()) await pacer.yield();
        let seconds = 0n;
        let nanos = 0;
        let line = '';
        const metadata: Record<string, string> = {};
        while (entry.hasMore()) {
          const tag = entry.readTag();
          if (tag.field === 1) {
            entry.expect(tag.wireType, WireType.Bytes, 1);
            const ts = entry.readMessage();
            while (ts.hasMore()) {
              const t = ts.readTag();
              if (t.field === 1 && t.wireType === WireType.Varint) seconds = ts.readInt64();
              else if (t.field === 2 && t.wireType === WireType.Varint) nanos = Number(BigInt.asIntN(32, ts.readInt64()));
              else ts.skip(t.wireType);
            }
          } else if (tag.field === 2) {
            entry.expect(tag.wireType, WireType.Bytes, 2);
            line = entry.readString();
          } else if (tag.field === 3) {
            entry.expect(tag.wireType, WireType.Bytes, 3);
            const pair = entry.readMessage();
            let name = '';
            let value = '';
            while (pair.hasMore()) {
              const p = pair.readTag();
              if (p.field === 1 && p.wireType === WireType.Bytes) name = pair.readString();
              else if (p.field === 2 && p.wireType === WireType.Bytes) value = pair.readString();
              else pair.skip(p.wireType);
            }
            if (name !== '') metadata[name] = value;
          } else entry.skip(tag.wireType);
        }
        const ms = Number(seconds) * 1000 + Math.floor(nanos / 1e6);
        records.push(entryRecord(base, labels, line, ms, metadata));
      }
    }
  } catch (error) {
    if (error instanceof LokiFormatError) throw error;
    throw new LokiFormatError(`malformed Loki protobuf: ${(error as Error).message}`);
  }
  return records;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Nanoseconds since the epoch (string or number) → whole milliseconds (exact for strings). */
function nanosToMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value / 1e6);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return Number(BigInt(value) / 1_000_000n);
  return undefined;
}

/** Decodes the JSON push body; malformed JSON or structure throws LokiFormatError. */
export async function decodeLokiJson(text: string, rule: LokiCategoryRule = DEFAULT_LOKI_CATEGORY_RULE): Promise<IngestRecord[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LokiFormatError(`request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed) || !Array.isArray(parsed.streams)) throw new LokiFormatError('request body must be {"streams": [...]}');
  const records: IngestRecord[] = [];
  const pacer = new Pacer();
  const streams: unknown[] = parsed.streams;
  for (let s = 0; s < streams.length; s++) {
    const stream = streams[s];
    if (!isObject(stream)) throw new LokiFormatError(`streams[${s}] is not an object`);
    const labels: Record<string, string> = {};
    if (isObject(stream.stream)) {
      for (const [k, v] of Object.entries(stream.stream)) if (typeof v === 'string') labels[k] = v;
    } else if (typeof stream.labels === 'string') {
      Object.assign(labels, parseLokiLabels(stream.labels));
    }
    const base = streamRecordBase(labels, rule);
    const values: unknown = stream.values ?? [];
    if (!Array.isArray(values)) throw new LokiFormatError(`streams[${s}].values is not an array`);
    for (let v = 0; v < values.length; v++) {
      if (pacer.due()) await pacer.yield();
      const value: unknown = values[v];
      if (!Array.isArray(value) || value.length < 2 || typeof value[1] !== 'string') {
        throw new LokiFormatError(`streams[${s}].values[${v}] is not ["<unix ns>", "<line>"]`);
      }
      const ms = nanosToMs(value[0]);
      if (ms === undefined) throw new LokiFormatError(`streams[${s}].values[${v}] has a timestamp that is not unix nanoseconds`);
      const metadata: Record<string, string> = {};
      if (isObject(value[2])) {
        for (const [k, m] of Object.entries(value[2])) if (typeof m === 'string') metadata[k] = m;
      }
      records.push(entryRecord(base, labels, value[1], ms, metadata));
    }
  }
  return records;
}
