import { useEffect, useState } from 'react';
import type { SearchMessagesResponse } from '../../../../../src/protocol/search.js';
import { ApiError } from '../../../api/http';
import { fetchMessages } from '../../../api/search-client';
import { MessagesView } from './messages-view';
import { PAGE_SIZE } from './use-message-pages';

/**
 * How many of an aggregate's messages the server keeps to list (its maxMessages, 100,000): the
 * records count all of them, the list holds the newest this many (the job's warning says so).
 */
export const MESSAGES_KEPT = 100_000;

export interface AggregateMessagesProps {
  jobId: string;
  /** the job's messageCount: the messages of the query's part before its first aggregate */
  messageCount: number;
  query: string;
  timeZone: string;
  columns: readonly string[];
  onToggleColumn: (field: string) => void;
  onFilter: (field: string, value: string) => void;
}

type First = { jobId: string; page: SearchMessagesResponse } | { jobId: string; error: string };

/**
 * The Messages tab of an aggregate search: the messages its records were computed from (the
 * scope and the operators before the first aggregate), newest first, in the messages view. The
 * first page is asked for when the tab first shows (the server reads them from the store then).
 */
export function AggregateMessages(props: AggregateMessagesProps) {
  const { jobId } = props;
  const [first, setFirst] = useState<First | undefined>();
  useEffect(() => {
    const controller = new AbortController();
    fetchMessages(jobId, 0, PAGE_SIZE, controller.signal)
      .then((page) => setFirst({ jobId, page }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted)
          setFirst({
            jobId,
            error: error instanceof ApiError ? error.message : 'The messages could not be loaded. Try again.',
          });
      });
    return () => controller.abort();
  }, [jobId]);
  if (first?.jobId !== jobId) {
    return (
      <p className="muted loading-messages" role="status">
        <span className="spinner" aria-hidden="true" /> Loading messages…
      </p>
    );
  }
  if ('error' in first) {
    return (
      <div className="notice-panel danger" role="alert">
        <p>{first.error}</p>
      </div>
    );
  }
  return (
    <MessagesView
      jobId={jobId}
      first={first.page}
      total={Math.min(props.messageCount, MESSAGES_KEPT)}
      query={props.query}
      timeZone={props.timeZone}
      columns={props.columns}
      onToggleColumn={props.onToggleColumn}
      onFilter={props.onFilter}
    />
  );
}
