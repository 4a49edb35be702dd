import type { ChangePasswordRequest, SessionResponse, SignInRequest } from '../../../src/protocol/session.js';
import { apiFetch, setCsrfToken } from './http.js';

/** The current session, or undefined when nobody is signed in. */
export async function fetchSession(): Promise<SessionResponse | undefined> {
  try {
    const session = await apiFetch<SessionResponse>('/api/v1/session', { quietUnauthorized: true });
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if ((error as { status?: number }).status === 401) return undefined;
    throw error;
  }
}

export async function signIn(request: SignInRequest): Promise<SessionResponse> {
  const session = await apiFetch<SessionResponse>('/api/v1/session', { method: 'POST', body: request, quietUnauthorized: true });
  setCsrfToken(session.csrfToken);
  return session;
}

export async function signOut(): Promise<void> {
  try {
    await apiFetch<undefined>('/api/v1/session', { method: 'DELETE', quietUnauthorized: true });
  } finally {
    setCsrfToken(undefined);
  }
}

export async function changePassword(request: ChangePasswordRequest): Promise<void> {
  await apiFetch<undefined>('/api/v1/users/me/password', { method: 'POST', body: request });
}
