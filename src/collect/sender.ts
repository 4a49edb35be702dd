/**
 * Sends one spooled batch to the HTTP source receiver and classifies the answer. The body is
 * json-lines (one JSON string per event, so the server keeps multiline events whole), gzipped, with
 * the batch id the server deduplicates on.
 */
import type { BatchMeta } from './spool.js';

export const SendOutcome = { Ack: 'ack', Retry: 'retry', Reject: 'reject' } as const;

export type SendResult =
  | { kind: typeof SendOutcome.Ack; isDuplicate: boolean }
  | { kind: typeof SendOutcome.Retry; reason: string; retryAfterMs?: number }
  | { kind: typeof SendOutcome.Reject; reason: string };

/** Encodes events as the json-lines body the receiver reads with `X-Quarry-Framing: json-lines`. */
export function encodeJsonLines(events: readonly string[]): string {
  let out = '';
  for (const e of events) out += `${JSON.stringify(e)}\n`;
  return out;
}

/** `Retry-After` as milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait before retry `attempt` (1-based): exponential, capped, with jitter (half fixed, half random). */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(30, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function fieldsHeader(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** POSTs a gzipped batch; never throws (network errors are a Retry). */
export async function sendBatch(options: {
  url: string;
  timeoutMs: number;
  meta: BatchMeta;
  body: Buffer;
  /** Aborts the request (shutdown); the batch stays in the spool. */
  signal?: AbortSignal;
}): Promise<SendResult> {
  const { meta } = options;
  const headers: Record<string, string> = {
    'content-type': 'application/x-ndjson',
    'content-encoding': 'gzip',
    'x-sumo-token': meta.token,
    'x-sumo-host': meta.host,
    'x-sumo-name': meta.name,
    'x-quarry-framing': 'json-lines',
    'x-quarry-batch-id': meta.id,
  };
  if (meta.category !== undefined) headers['x-sumo-category'] = meta.category;
  if (Object.keys(meta.fields).length > 0) headers['x-sumo-fields'] = fieldsHeader(meta.fields);
  if (meta.isResend) headers['x-quarry-batch-resend'] = String(meta.createdAt);
  let response: Response;
  try {
    response = await fetch(`${options.url}/receiver/v1/http`, {
      method: 'POST',
      headers,
      body: options.body,
      signal: options.signal
        ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs), options.signal])
        : AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { kind: SendOutcome.Retry, reason: cause ?? (error as Error).message };
  }
  const text = await response.text().catch(() => '');
  if (response.status === 200) {
    return { kind: SendOutcome.Ack, isDuplicate: text.includes('"duplicate":true') };
  }
  const message = (() => {
    try {
      return (JSON.parse(text) as { message?: string }).message ?? text.slice(0, 200);
    } catch {
      return text.slice(0, 200);
    }
  })();
  const reason = `HTTP ${response.status}: ${message}`;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  // The caller's mistakes in this batch's content can never succeed: keep it aside, go on.
  if (response.status === 400 || response.status === 413 || response.status === 415) {
    return { kind: SendOutcome.Reject, reason };
  }
  // 401/403 (a token the server does not know yet), 429, 5xx: wait and try again.
  return { kind: SendOutcome.Retry, reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}
