import type { FastifyInstance } from 'fastify';
import { hasErrors, parseQuery } from '../../query/index.js';
import { ErrorCode } from '../../core/errors.js';
import { compileLiveTail, runLiveTail } from '../../search/live-tail.js';
import { SearchErrorCode, searchError } from '../../search/search-error.js';
import { parseTimeZone } from '../../search/time-range.js';
import type { HttpDeps } from '../deps.js';
import { requirePrincipal } from '../request.js';

const HEARTBEAT_MS = 15_000;
const FLUSH_MS = 200;

/** `GET /api/v1/livetail?query=…`: server-sent events, one `messages` event per burst of arrivals. */
export function registerLiveTailRoutes(app: FastifyInstance, deps: HttpDeps): void {
  // Open tails hold their connection; shutdown ends them so the server can close.
  const open = new Set<AbortController>();
  app.addHook('preClose', (done) => {
    for (const tail of open) tail.abort();
    done();
  });
  app.get<{ Querystring: { query?: string; timeZone?: string } }>('/api/v1/livetail', async (request, reply) => {
    const principal = requirePrincipal(request);
    const text = request.query.query ?? '';
    const parsed = parseQuery(text.trim() === '' ? '*' : text);
    if (!parsed.query || hasErrors(parsed.diagnostics)) {
      const first = parsed.diagnostics.find((d) => d.severity === 'error');
      throw searchError(ErrorCode.BadRequest, SearchErrorCode.ParseError, first?.message ?? 'invalid query', {
        diagnostics: parsed.diagnostics,
      });
    }
    const compiled = compileLiveTail(parsed.query, parseTimeZone(request.query.timeZone, false));

    const abort = new AbortController();
    open.add(abort);
    request.raw.on('close', () => abort.abort());
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    out.write(`event: ready\ndata: ${JSON.stringify({ query: text })}\n\n`);
    let pending: Record<string, unknown>[] = [];
    const flush = (): void => {
      if (pending.length === 0 || out.writableEnded) return;
      out.write(`event: messages\ndata: ${JSON.stringify({ messages: pending })}\n\n`);
      pending = [];
    };
    const flusher = setInterval(flush, FLUSH_MS);
    const heartbeat = setInterval(() => out.writableEnded || out.write(': keep-alive\n\n'), HEARTBEAT_MS);
    try {
      for await (const row of runLiveTail(deps.store, compiled, abort.signal, undefined, { owner: principal.userId, job: `tail ${request.id}` })) pending.push(row);
    } catch (error) {
      if (!abort.signal.aborted) {
        deps.logger.error({ err: error }, 'live tail failed');
        if (!out.writableEnded) out.write(`event: error\ndata: ${JSON.stringify({ message: 'live tail stopped: internal error' })}\n\n`);
      }
    } finally {
      clearInterval(flusher);
      clearInterval(heartbeat);
      flush();
      out.end();
      open.delete(abort);
    }
  });
}
