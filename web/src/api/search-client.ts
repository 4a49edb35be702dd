import type {
  CreateSearchJobRequest,
  CreateSearchJobResponse,
  HistogramBucket,
  SearchJobStatus,
  SearchMessagesResponse,
  SearchRecordsResponse,
} from '../../../src/protocol/search.js';
import { SearchJobState } from '../../../src/protocol/search.js';
import { ApiError, apiFetch } from './http.js';

/** The server has no Search Job API (yet): the page says so calmly instead of failing. */
export class SearchUnavailableError extends Error {
  constructor() {
    super('search is not available on this server yet');
    this.name = 'SearchUnavailableError';
  }
}

/** What the page knows about a running job; histogram and warnings accumulate across polls. */
export interface SearchProgress {
  jobId: string;
  state: SearchJobStatus['state'];
  messageCount: number;
  recordCount: number;
  histogram: HistogramBucket[];
  warnings: string[];
  errors: string[];
}

const FINISHED = new Set<string>([SearchJobState.Done, SearchJobState.Cancelled, SearchJobState.ForcePaused]);
const JOBS = '/api/v1/search/jobs';

/** Polls quickly at first, then settles (Sumo cancels jobs not polled for ~30 s; we stay far below). */
function pollDelay(attempt: number): number {
  return Math.min(250 * 2 ** Math.min(attempt, 3), 2000);
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}

/**
 * Runs a search job: create, poll until it is done (reporting progress), and delete it when the
 * caller aborts. Throws SearchUnavailableError when the server answers 404 for the job API.
 */
export async function runSearchJob(
  request: CreateSearchJobRequest,
  options: { signal: AbortSignal; onProgress: (progress: SearchProgress) => void },
): Promise<SearchProgress> {
  let created: CreateSearchJobResponse;
  try {
    created = await apiFetch<CreateSearchJobResponse>(JOBS, { method: 'POST', body: request, signal: options.signal });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405 || error.status === 501)) {
      throw new SearchUnavailableError();
    }
    throw error;
  }
  const progress: SearchProgress = {
    jobId: created.id,
    state: SearchJobState.NotStarted,
    messageCount: 0,
    recordCount: 0,
    histogram: [],
    warnings: [],
    errors: [],
  };
  const cancel = (): void => {
    void apiFetch(`${JOBS}/${encodeURIComponent(created.id)}`, { method: 'DELETE' }).catch(() => undefined);
  };
  options.signal.addEventListener('abort', cancel, { once: true });
  for (let attempt = 0; ; attempt++) {
    const status = await apiFetch<SearchJobStatus>(`${JOBS}/${encodeURIComponent(created.id)}`, { signal: options.signal });
    progress.state = status.state;
    progress.messageCount = status.messageCount;
    progress.recordCount = status.recordCount;
    progress.histogram = progress.histogram.concat(status.histogramBuckets ?? []);
    progress.warnings = progress.warnings.concat(status.pendingWarnings ?? []);
    progress.errors = progress.errors.concat(status.pendingErrors ?? []);
    options.onProgress({ ...progress });
    if (FINISHED.has(status.state)) {
      options.signal.removeEventListener('abort', cancel);
      return progress;
    }
    await wait(pollDelay(attempt), options.signal);
  }
}

/**
 * A page of messages of a job (newest first). An aggregate job has them too: the messages of its
 * query's part before the first aggregate, the ones its records count (the server may read them
 * from the store on the first request, so that one can take a moment).
 */
export function fetchMessages(jobId: string, offset: number, limit: number, signal?: AbortSignal): Promise<SearchMessagesResponse> {
  return apiFetch(`${JOBS}/${encodeURIComponent(jobId)}/messages?offset=${offset}&limit=${limit}`, signal ? { signal } : {});
}

/** A page of aggregate records of a job. */
export function fetchRecords(jobId: string, offset: number, limit: number, signal?: AbortSignal): Promise<SearchRecordsResponse> {
  return apiFetch(`${JOBS}/${encodeURIComponent(jobId)}/records?offset=${offset}&limit=${limit}`, signal ? { signal } : {});
}
