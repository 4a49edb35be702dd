/** The protocol module: request/response types shared by the server and the web UI. */
export { CLIENT_HEADER, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from './session.js';
export type { ChangePasswordRequest, ErrorResponse, SessionResponse, SessionUser, SignInRequest } from './session.js';
export { SearchJobState } from './search.js';
export type {
  CreateSearchJobRequest,
  CreateSearchJobResponse,
  HistogramBucket,
  SearchField,
  SearchJobStatus,
  SearchMessagesResponse,
  SearchRecordsResponse,
} from './search.js';
