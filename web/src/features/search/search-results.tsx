import { useId, useState, type KeyboardEvent } from 'react';
import type { SearchMessagesResponse, SearchRecordsResponse } from '../../../../src/protocol/search.js';
import type { SearchProgress } from '../../api/search-client';
import { AggregateMessages, MESSAGES_KEPT } from './results/aggregate-messages';
import { AggregateView } from './results/aggregate-view';
import { ExportMenu } from './results/export-menu';
import { Histogram } from './results/histogram';
import { MessagesView } from './results/messages-view';
import './results/result-tabs.css';

/** The first page of a finished job's results. */
export type ResultPage = ({ kind: 'messages' } & SearchMessagesResponse) | ({ kind: 'records' } & SearchRecordsResponse);

/** Where a run stands; the results area renders one of these without moving the page around. */
export type RunState =
  | { kind: 'idle' }
  | { kind: 'invalid'; message: string }
  | { kind: 'running'; startedAt: number; progress: SearchProgress | undefined }
  | { kind: 'done'; progress: SearchProgress; page: ResultPage | undefined }
  | { kind: 'cancelled' }
  | { kind: 'unavailable'; query: string; rangeLabel: string }
  | { kind: 'failed'; message: string };

const number = new Intl.NumberFormat();

function count(n: number, one: string, many: string): string {
  return `${number.format(n)} ${n === 1 ? one : many}`;
}

export interface SearchResultsProps {
  run: RunState;
  timeZone: string;
  /** The query of the run (its scope terms are highlighted). */
  query: string;
  /** The resolved range of the run, for the histogram. */
  range: { from: number; to: number } | undefined;
  onNarrow: (from: number, to: number) => void;
  onFilter: (field: string, value: string) => void;
  /** the fields shown as columns of the message list */
  columns: readonly string[];
  onToggleColumn: (field: string) => void;
}

/** What an aggregate search shows: its records, or the messages they were computed from. */
type ResultTab = 'records' | 'messages';

/**
 * The results area: status, histogram, then messages with their fields or — for an aggregate —
 * tabs of its records (the aggregate view) and its messages (the messages view).
 */
export function SearchResults(props: SearchResultsProps) {
  const { run } = props;
  const progress = run.kind === 'running' || run.kind === 'done' ? run.progress : undefined;
  const page = run.kind === 'done' ? run.page : undefined;
  const jobId = run.kind === 'done' ? run.progress.jobId : undefined;
  // The tab chosen for this job (a new search starts on its records). Once opened, the messages
  // stay mounted beside the records, so switching back and forth keeps each view as it was.
  const [chosen, setChosen] = useState<{ jobId: string; tab: ResultTab } | undefined>();
  const tab: ResultTab = page?.kind === 'records' && chosen !== undefined && chosen.jobId === jobId ? chosen.tab : 'records';
  const [opened, setOpened] = useState<string | undefined>();
  const hasMessagesTab = jobId !== undefined && (opened === jobId || tab === 'messages');
  const shown = page?.kind === 'records' && tab === 'messages' ? 'messages' : page?.kind;
  const ids = useId();
  const tabId = (t: ResultTab): string => `${ids}-tab-${t}`;
  const choose = (t: ResultTab): void => {
    if (jobId === undefined) return;
    setChosen({ jobId, tab: t });
    if (t === 'messages') setOpened(jobId);
  };
  const onTabKey = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight' && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    const next: ResultTab = event.key === 'Home' ? 'records' : event.key === 'End' ? 'messages' : tab === 'records' ? 'messages' : 'records';
    choose(next);
    document.getElementById(tabId(next))?.focus();
  };
  return (
    <section className="results" aria-label="Results">
      <div className="status-line">
        <span className="status-text" role="status" aria-live="polite">
        {run.kind === 'running' && (
          <>
            <span className="spinner" aria-hidden="true" />
            Gathering results… {run.progress ? count(run.progress.messageCount, 'message', 'messages') : ''}
          </>
        )}
        {run.kind === 'done' && (
          <>
            {count(run.progress.messageCount, 'message', 'messages')} · {count(run.progress.recordCount, 'record', 'records')}
          </>
        )}
        {run.kind === 'cancelled' && <>Search cancelled.</>}
        {(run.kind === 'idle' || run.kind === 'unavailable' || run.kind === 'invalid' || run.kind === 'failed') && (
          <span className="muted">{run.kind === 'idle' ? 'No search run yet' : 'No results'}</span>
        )}
        </span>
        <span className="spacer" />
        {run.kind === 'done' && page && shown && (
          <ExportMenu
            jobId={run.progress.jobId}
            kind={shown}
            total={shown === 'records' ? run.progress.recordCount : page.kind === 'records' ? Math.min(run.progress.messageCount, MESSAGES_KEPT) : run.progress.messageCount}
            timeZone={props.timeZone}
          />
        )}
      </div>
      {props.range && (run.kind === 'running' || run.kind === 'done') && (
        <Histogram buckets={progress?.histogram ?? []} from={props.range.from} to={props.range.to} timeZone={props.timeZone} onNarrow={props.onNarrow} />
      )}
      {run.kind === 'done' && page?.kind === 'records' && (
        <div className="result-tabs" role="tablist" aria-label="Results" onKeyDown={onTabKey}>
          {(['records', 'messages'] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              id={tabId(t)}
              className="subtle"
              aria-selected={tab === t}
              aria-controls={`${ids}-panel`}
              tabIndex={tab === t ? 0 : -1}
              onClick={() => choose(t)}
            >
              {t === 'records' ? 'Aggregates' : 'Messages'}
              <span className="tab-count">{number.format(t === 'records' ? run.progress.recordCount : run.progress.messageCount)}</span>
            </button>
          ))}
        </div>
      )}
      <div
        className={`results-body${shown ? ` has-${shown}` : ''}`}
        {...(page?.kind === 'records' ? { id: `${ids}-panel`, role: 'tabpanel', 'aria-labelledby': tabId(tab) } : {})}
      >
        {run.kind === 'idle' && (
          <div className="empty-state">
            <h2>Search your logs</h2>
            <p>Write a query above and press Run. Results, a histogram over the time range and aggregates will appear here.</p>
            <ul className="examples">
              <li>
                <code>error</code> — messages with the word error
              </li>
              <li>
                <code>_sourceCategory=prod/web | parse "status=*" as status | count by status</code>
              </li>
              <li>
                <code>* | timeslice 1m | count by _timeslice</code>
              </li>
            </ul>
          </div>
        )}
        {run.kind === 'unavailable' && (
          <div className="notice-panel" role="status">
            <h2>Search is not available on this server yet</h2>
            <p>
              This Quarry server does not offer the Search Job API yet, so the query could not run. Nothing is wrong with your
              query or your data: ingest keeps working, and this page will show results once the server supports search.
            </p>
            <p className="muted">
              The link in the address bar keeps the query and the time range ({props.run.kind === 'unavailable' ? run.rangeLabel : ''}), so
              you can come back to it or share it.
            </p>
          </div>
        )}
        {run.kind === 'invalid' && (
          <div className="notice-panel warning" role="alert">
            <p>{run.message}</p>
          </div>
        )}
        {run.kind === 'failed' && (
          <div className="notice-panel danger" role="alert">
            <h2>The search failed</h2>
            <p>{run.message}</p>
          </div>
        )}
        {run.kind === 'done' && page?.kind === 'records' && (
          <div className="tab-view" hidden={tab !== 'records'}>
            <AggregateView page={page} total={run.progress.recordCount} messageCount={run.progress.messageCount} timeZone={props.timeZone} />
          </div>
        )}
        {run.kind === 'done' && page?.kind === 'records' && hasMessagesTab && (
          <div className="tab-view messages" hidden={tab !== 'messages'}>
            <AggregateMessages
              jobId={run.progress.jobId}
              messageCount={run.progress.messageCount}
              query={props.query}
              timeZone={props.timeZone}
              columns={props.columns}
              onToggleColumn={props.onToggleColumn}
              onFilter={props.onFilter}
            />
          </div>
        )}
        {run.kind === 'done' && page?.kind === 'messages' && (
          <MessagesView
            jobId={run.progress.jobId}
            first={page}
            total={run.progress.messageCount}
            query={props.query}
            timeZone={props.timeZone}
            columns={props.columns}
            onToggleColumn={props.onToggleColumn}
            onFilter={props.onFilter}
          />
        )}
        {(run.kind === 'running' || run.kind === 'done') && run.progress && run.progress.warnings.length + run.progress.errors.length > 0 && (
          <ul className="job-warnings">
            {run.progress.errors.map((e) => (
              <li key={`e-${e}`} className="danger">
                {e}
              </li>
            ))}
            {run.progress.warnings.map((w) => (
              <li key={`w-${w}`}>{w}</li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
