import { CLIENT_HEADER, CSRF_COOKIE, CSRF_HEADER } from '../../../src/protocol/session.js';
import type { ErrorResponse } from '../../../src/protocol/session.js';

/** An API answer that was not 2xx, with the server's `{code, message}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;

/** Remembers the CSRF token handed out at sign-in (or by GET /api/v1/session). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

function csrfFromCookie(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

let onUnauthorized: (() => void) | undefined;

/** Called when an API call answers 401 (the session ended): the shell shows the sign-in page. */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

const SAFE = new Set(['GET', 'HEAD']);

/** Calls the API with the session cookie; state-changing calls carry the CSRF header. */
export async function apiFetch<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal; quietUnauthorized?: boolean } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { [CLIENT_HEADER]: 'web', accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method)) {
    const token = csrfToken ?? csrfFromCookie();
    if (token) headers[CSRF_HEADER] = token;
  }
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await response.text();
  let payload: unknown;
  try {
    payload = text ? JSON.parse(text) : undefined;
  } catch {
    payload = undefined;
  }
  if (!response.ok) {
    const error = (payload ?? {}) as Partial<ErrorResponse>;
    const retry = response.headers.get('retry-after');
    if (response.status === 401 && !init.quietUnauthorized) onUnauthorized?.();
    throw new ApiError(
      response.status,
      error.code ?? `http_${response.status}`,
      error.message ?? `${response.status} ${response.statusText}`,
      retry ? Number(retry) : undefined,
    );
  }
  return payload as T;
}
