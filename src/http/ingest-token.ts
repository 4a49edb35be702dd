import type { IncomingHttpHeaders } from 'node:http';
import type { SourceService } from '../ingest/source-service.js';
import type { SourceRecord } from '../meta/meta-store.js';

/**
 * Ingest tokens, the same way on every intake endpoint: a source's token may come as
 * `Authorization: Bearer <t>`, as the password of HTTP Basic (any user name), as `X-Sumo-Token`,
 * as `Authorization: Splunk <t>` (HEC) or `Authorization: ApiKey <t>` (Elasticsearch clients; the
 * base64 `id:key` form those clients build is accepted too, the key being the token), or in the path
 * (`/receiver/v1/http/{token}`).
 */

export interface IngestTokenSources {
  /** A token from the URL path (the Sumo receiver's `/receiver/v1/http/{token}`). */
  pathToken?: string | undefined;
}

const schemeForm = /^(Bearer|Splunk|ApiKey|Basic)\s+(\S+)\s*$/i;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function decodeBase64Pair(value: string): [string, string] | undefined {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(value)) return undefined;
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon === -1 || /[\x00-\x1f\ufffd]/.test(text)) return undefined;
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/** The candidate tokens a request carries, most specific first (deduplicated). */
export function ingestTokenCandidates(headers: IncomingHttpHeaders, from: IngestTokenSources = {}): string[] {
  const candidates: string[] = [];
  const add = (token: string | undefined): void => {
    if (token !== undefined && token !== '' && !candidates.includes(token)) candidates.push(token);
  };
  add(from.pathToken);
  add(header(headers, 'x-sumo-token'));
  const authorization = header(headers, 'authorization');
  const match = authorization ? schemeForm.exec(authorization) : null;
  if (match) {
    const scheme = match[1]!.toLowerCase();
    const value = match[2]!;
    if (scheme === 'basic') {
      add(decodeBase64Pair(value)?.[1]);
    } else if (scheme === 'apikey') {
      add(value);
      add(decodeBase64Pair(value)?.[1]);
    } else {
      add(value);
    }
  }
  return candidates;
}

export type IngestAuth =
  | { ok: true; source: SourceRecord }
  | { ok: false; reason: 'missing' | 'unknown' | 'malformed' };

/**
 * Resolves the request's token to its source. `malformed` = an Authorization header in a scheme
 * none of the forms above uses (and no other token).
 */
export async function resolveIngestSource(
  sources: SourceService,
  headers: IncomingHttpHeaders,
  from: IngestTokenSources = {},
): Promise<IngestAuth> {
  const candidates = ingestTokenCandidates(headers, from);
  if (candidates.length === 0) {
    const authorization = header(headers, 'authorization');
    return { ok: false, reason: authorization !== undefined && !schemeForm.test(authorization) ? 'malformed' : 'missing' };
  }
  // At most a handful of candidates: the ApiKey and Basic forms are ambiguous by nature.
  for (const token of candidates.slice(0, 4)) {
    const source = await sources.resolveToken(token);
    if (source) return { ok: true, source };
  }
  return { ok: false, reason: 'unknown' };
}

/** One-line description of the accepted forms, for error messages. */
export const INGEST_TOKEN_FORMS =
  'Authorization: Bearer <token>, HTTP Basic with the token as password, or X-Sumo-Token: <token>';
