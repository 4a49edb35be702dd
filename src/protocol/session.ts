/**
 * Request and response shapes of the session API (`/api/v1/session`, `/api/v1/users/me/password`),
 * shared by the server and the web UI. Types only: the web bundle imports nothing that runs on the server.
 */

/** Name of the HttpOnly cookie carrying the session token. */
export const SESSION_COOKIE = 'quarry_session';
/** Name of the readable cookie carrying the CSRF token (double-submit). */
export const CSRF_COOKIE = 'quarry_csrf';
/** Header that must echo the CSRF token on state-changing requests made with the session cookie. */
export const CSRF_HEADER = 'x-csrf-token';
/**
 * Sent by the web UI on every API call: a 401 then comes without `WWW-Authenticate: Basic`, so the
 * browser does not pop up its own password dialog over the sign-in page.
 */
export const CLIENT_HEADER = 'x-quarry-client';

export interface SignInRequest {
  username: string;
  password: string;
}

export interface SessionUser {
  id: string;
  username: string;
}

/** Answer of `POST /api/v1/session` and `GET /api/v1/session`. */
export interface SessionResponse {
  user: SessionUser;
  /** How this request was authenticated. */
  via: 'session' | 'password' | 'accessKey';
  /** Echo in `X-CSRF-Token` on POST/PUT/PATCH/DELETE made with the cookie (absent for Basic auth). */
  csrfToken?: string;
  /** ISO-8601: when the session ends if it stays in use (absolute limit). */
  expiresAt?: string;
  /** ISO-8601: when the session ends if it is not used (idle limit). */
  idleExpiresAt?: string;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

/** Every error answer of the API. */
export interface ErrorResponse {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}
