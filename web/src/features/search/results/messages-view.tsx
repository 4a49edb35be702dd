import { useMemo } from 'react';
import type { SearchMessagesResponse } from '../../../../../src/protocol/search.js';
import { FieldBrowser } from './field-browser';
import { MessageList } from './message-list';
import { scopeTerms, termPattern } from './scope-terms';
import { useMessagePages } from './use-message-pages';

export interface MessagesViewProps {
  jobId: string;
  first: SearchMessagesResponse;
  total: number;
  query: string;
  timeZone: string;
  /** the fields shown as columns of the list */
  columns: readonly string[];
  onToggleColumn: (field: string) => void;
  onFilter: (field: string, value: string) => void;
}

/** The field browser beside the virtualised messages of a job. */
export function MessagesView(props: MessagesViewProps) {
  const pages = useMessagePages(props.jobId, props.first);
  const pattern = useMemo(() => termPattern(scopeTerms(props.query)), [props.query]);
  const { loaded, version } = pages;
  // Recomputed when pages arrive (`version`), not on every scroll.
  const messages = useMemo(() => loaded(), [loaded, version]);
  if (props.total === 0) return <p className="muted empty-results">No messages matched in this time range.</p>;
  return (
    <div className="messages-view">
      <FieldBrowser
        messages={messages}
        fields={pages.fields}
        total={props.total}
        version={version}
        columns={props.columns}
        onToggleColumn={props.onToggleColumn}
        onFilter={props.onFilter}
      />
      <MessageList
        total={props.total}
        row={pages.row}
        ensure={pages.ensure}
        version={version}
        pattern={pattern}
        timeZone={props.timeZone}
        columns={props.columns}
        onRemoveColumn={props.onToggleColumn}
      />
    </div>
  );
}
