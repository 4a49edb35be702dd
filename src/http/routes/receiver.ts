import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '../../core/errors.js';
import { encodeBatchBody, readBatchHeaders, runBatchOnce } from '../../ingest/collector-batch.js';
import { decodeUtf8, parseContentEncoding, readBody } from '../../ingest/decode-body.js';
import { readSumoHeaders } from '../../ingest/sumo-headers.js';
import type { HttpDeps } from '../deps.js';
import { INGEST_TOKEN_FORMS, resolveIngestSource } from '../ingest-token.js';

/** `_collector` of messages that arrive through an HTTP source. */
export const HTTP_COLLECTOR = 'http';
/** Sumo Logic's `_sourceName` for HTTP sources when the request names none. */
export const DEFAULT_SOURCE_NAME = 'Http Input';

const RECEIVER_PATHS = ['/receiver/v1/http', '/receiver/v1/http/:token'] as const;

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers':
    'Content-Type, Content-Encoding, X-Sumo-Token, X-Sumo-Category, X-Sumo-Name, X-Sumo-Host, X-Sumo-Fields, Authorization',
  'access-control-max-age': '600',
};

/**
 * The HTTP source receiver, as Sumo Logic's: token in the path or the X-Sumo-Token header, body =
 * log lines (optionally gzip/deflate/zstd), X-Sumo-* metadata headers. Answers 200 only once every
 * line of the request is durable in the store.
 */
export function registerReceiverRoutes(app: FastifyInstance, deps: HttpDeps): void {
  void app.register((scope, _options, done) => {
    // The body is read here as a raw stream whatever its Content-Type: it is always log data.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload));

    const handler = async (request: FastifyRequest<{ Params: { token?: string } }>) => {
      const auth = await resolveIngestSource(deps.sources, request.headers, { pathToken: request.params.token });
      if (!auth.ok) {
        throw auth.reason === 'unknown'
          ? new AppError(ErrorCode.Unauthorized, 'unknown ingest token')
          : new AppError(ErrorCode.Unauthorized, `missing ingest token: put it in the URL, the X-Sumo-Token header, ${INGEST_TOKEN_FORMS}`);
      }
      const source = auth.source;
      const encoding = parseContentEncoding(request.headers['content-encoding']);
      const metadata = readSumoHeaders(request.headers);
      const batch = readBatchHeaders(request.headers);
      const receiptTime = Date.now();
      const stream = (request.body as Readable | undefined) ?? request.raw;
      const bytes = await readBody(stream, encoding, {
        maxBytes: deps.config.ingest.maxBodyBytes,
        maxRatio: deps.config.ingest.maxCompressionRatio,
        maxZstdWindowBytes: deps.config.ingest.maxZstdWindowBytes,
      });
      const decoded = decodeUtf8(bytes);
      const encoded = await encodeBatchBody(decoded.text, {
        context: {
          receiptTime,
          partition: 'default',
          sourceCategory: metadata.category ?? source.category ?? '',
          sourceHost: metadata.host ?? source.host ?? request.ip,
          sourceName: metadata.name ?? DEFAULT_SOURCE_NAME,
          collector: HTTP_COLLECTOR,
          source: source.name,
          fields: metadata.fields,
        },
        multiline: source.multiline,
        timestampFormat: source.timestampFormat,
        timestampLocator: source.timestampLocator,
        maxPartChars: deps.config.ingest.batchMaxBytes,
        isAscii: decoded.isAscii,
        rules: deps.sources.rulesOf(source),
      }, batch);
      // A batch with an X-Quarry-Batch-Id is stored at most once (ingest/collector-batch.ts).
      const once = await runBatchOnce({
        store: deps.store,
        source: source.name,
        batch,
        write: () => deps.batcher.submit(encoded.parts),
        duplicate: () => undefined,
        rows: encoded.parts.reduce((n, p) => n + p.lines, 0),
      });
      return { messages: encoded.messages, bytes: encoded.messageBytes, invalidUtf8Replaced: decoded.replacedSequences, ...(once.isDuplicate ? { duplicate: true } : {}) };
    };

    for (const url of RECEIVER_PATHS) {
      scope.post<{ Params: { token?: string } }>(url, async (request, reply) => {
        try {
          const result = await handler(request);
          return reply
            .header('access-control-allow-origin', '*')
            .header('x-quarry-messages', String(result.messages))
            .header('x-quarry-invalid-utf8-replaced', String(result.invalidUtf8Replaced))
            .send(result);
        } catch (error) {
          // A refused body may still be arriving: close the connection rather than read it all.
          if ((error as AppError).code === ErrorCode.PayloadTooLarge) void reply.header('connection', 'close');
          void reply.header('access-control-allow-origin', '*');
          throw error;
        }
      });
      scope.options(url, (_request, reply) => reply.status(204).headers(corsHeaders).send());
    }
    done();
  });
}
