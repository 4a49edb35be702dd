import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ContentEncoding, parseContentEncoding, readBody } from '../../ingest/decode-body.js';
import { encodeRecords, type IngestRecord } from '../../ingest/encode-records.js';
import { readSumoHeaders } from '../../ingest/sumo-headers.js';
import type { SourceRecord } from '../../meta/meta-store.js';
import type { HttpDeps } from '../deps.js';

/**
 * What every structured intake route (OTLP, Loki, Elasticsearch, HEC) shares: a raw-body scope,
 * bounded body reading through decode-body, and the one ingest path — records → encodeRecords →
 * batcher.submit → durable acknowledgement.
 */

/** Registers routes in a scope that hands handlers the raw body stream whatever the Content-Type. */
export function registerRawBodyScope(app: FastifyInstance, register: (scope: FastifyInstance) => void): void {
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload));
    register(scope);
    done();
  });
}

/**
 * Reads the request body, decompressing its Content-Encoding, within the configured limits. A body
 * that is one JSON document (`json`) has its own, smaller limit: JSON.parse cannot be paced, and
 * takes the event loop for ~7 ms a megabyte.
 */
export async function readIntakeBody(
  request: FastifyRequest,
  deps: HttpDeps,
  options: { encoding?: ContentEncoding; json?: boolean } = {},
): Promise<Buffer> {
  const encoding = options.encoding ?? parseContentEncoding(request.headers['content-encoding']);
  const stream = (request.body as Readable | undefined) ?? request.raw;
  const { maxBodyBytes, maxJsonBodyBytes } = deps.config.ingest;
  const isJsonLimit = options.json === true && maxJsonBodyBytes < maxBodyBytes;
  return readBody(stream, encoding, {
    maxBytes: isJsonLimit ? maxJsonBodyBytes : maxBodyBytes,
    ...(isJsonLimit ? { tooLargeHint: 'that is the limit for a body that is one JSON document (QUARRY_MAX_JSON_BODY_BYTES): send smaller batches, or protobuf' } : {}),
    maxRatio: deps.config.ingest.maxCompressionRatio,
    maxZstdWindowBytes: deps.config.ingest.maxZstdWindowBytes,
  });
}

/** The Content-Encoding a protocol carries inside its body (Loki's snappy) is read as identity here. */
export function contentEncodingOrIdentity(header: string | undefined, inBody: string): ContentEncoding {
  return (header ?? '').trim().toLowerCase() === inBody ? ContentEncoding.Identity : parseContentEncoding(header);
}

function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * The category rule a request asks for: `X-Quarry-Category-From: a,b` names the attributes or
 * labels tried in order (`none` disables the rule); `X-Quarry-Category-Override: true` lets the
 * rule's value win over the source's own category.
 */
export function categoryRuleOf(request: FastifyRequest, defaults: readonly string[]): { names: string[]; override: boolean } {
  const from = single(request.headers['x-quarry-category-from']);
  const names =
    from === undefined
      ? [...defaults]
      : from.toLowerCase() === 'none'
        ? []
        : from
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
  const override = /^(true|1|yes)$/i.test(single(request.headers['x-quarry-category-override']) ?? '');
  return { names, override };
}

export interface StoreRecordsOptions {
  request: FastifyRequest;
  source: SourceRecord;
  receiptTime: number;
  /** `_collector` of the protocol (`otlp`, `loki`, `elasticsearch`, `hec`). */
  collector: string;
  /** `_sourceName` when neither the request nor the record names one. */
  defaultName: string;
  /** `_format` of records with their own time. */
  timeFormat: string;
  /** Let a record's suggested category win over the source's category (not over X-Sumo-Category). */
  recordCategoryWins?: boolean;
}

/**
 * Stores records through the shared ingest path and resolves once they are durable. Metadata
 * precedence: X-Sumo-* request headers, then the source's settings, then what each record suggests
 * (service.name, labels, index …), then the defaults.
 */
export async function storeRecords(deps: HttpDeps, records: readonly IngestRecord[], options: StoreRecordsOptions): Promise<number> {
  if (records.length === 0) return 0;
  const { request, source } = options;
  const metadata = readSumoHeaders(request.headers);
  const headerCategory = metadata.category;
  const encoded = await encodeRecords(records, {
    context: {
      receiptTime: options.receiptTime,
      partition: 'default',
      sourceCategory: '',
      sourceHost: request.ip,
      sourceName: options.defaultName,
      collector: options.collector,
      source: source.name,
      fields: metadata.fields,
    },
    fixed: {
      ...((headerCategory ?? source.category) ? { category: (headerCategory ?? source.category)! } : {}),
      ...((metadata.host ?? source.host) ? { host: (metadata.host ?? source.host)! } : {}),
      ...(metadata.name !== undefined ? { name: metadata.name } : {}),
      recordCategoryWins: headerCategory === undefined && options.recordCategoryWins === true,
    },
    timeFormat: options.timeFormat,
    maxPartChars: deps.config.ingest.batchMaxBytes,
    rules: deps.sources.rulesOf(source),
  });
  await deps.batcher.submit(encoded.parts);
  return encoded.messages;
}
