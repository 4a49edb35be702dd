/**
 * Search Job API shapes (Sumo Logic compatible, see shared/reference/sumo-logic.md §3), shared by the
 * server (when the API lands) and the web UI's search client.
 */

export interface CreateSearchJobRequest {
  query: string;
  /** Epoch milliseconds, or ISO-8601 without a zone (then `timeZone` applies). */
  from: string | number;
  to: string | number;
  timeZone?: string;
  byReceiptTime?: boolean;
  autoParsingMode?: 'Manual' | 'AutoParse';
}

export interface CreateSearchJobResponse {
  id: string;
  link?: { rel: string; href: string };
}

export const SearchJobState = {
  NotStarted: 'NOT STARTED',
  Gathering: 'GATHERING RESULTS',
  ForcePaused: 'FORCE PAUSED',
  Done: 'DONE GATHERING RESULTS',
  Cancelled: 'CANCELLED',
} as const;
export type SearchJobState = (typeof SearchJobState)[keyof typeof SearchJobState];

export interface HistogramBucket {
  startTimestamp: number;
  length: number;
  count: number;
}

/** `GET /api/v1/search/jobs/{id}`: buckets, errors and warnings are incremental (new since the last call). */
export interface SearchJobStatus {
  state: SearchJobState;
  messageCount: number;
  recordCount: number;
  histogramBuckets: HistogramBucket[];
  pendingErrors: string[];
  pendingWarnings: string[];
}

export interface SearchField {
  name: string;
  fieldType: string;
  keyField: boolean;
}

/** `GET …/messages` and `GET …/records`: every value is a string. */
export interface SearchMessagesResponse {
  fields: SearchField[];
  messages: { map: Record<string, string> }[];
}

export interface SearchRecordsResponse {
  fields: SearchField[];
  records: { map: Record<string, string> }[];
}
