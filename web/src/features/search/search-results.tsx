import type { SearchProgress } from '../../api/search-client';

/** Where a run stands; the results area renders one of these without moving the page around. */
export type RunState =
  | { kind: 'idle' }
  | { kind: 'invalid'; message: string }
  | { kind: 'running'; startedAt: number; progress: SearchProgress | undefined }
  | { kind: 'done'; progress: SearchProgress }
  | { kind: 'cancelled' }
  | { kind: 'unavailable'; query: string; rangeLabel: string }
  | { kind: 'failed'; message: string };

const number = new Intl.NumberFormat();

/**
 * The results area. Today: status, counts, warnings and the notices; the histogram, messages, field
 * browser and aggregate table/chart plug in here once the server has the Search Job API.
 */
export function SearchResults(props: { run: RunState }) {
  const { run } = props;
  return (
    <section className="results" aria-label="Results">
      <div className="status-line" role="status" aria-live="polite">
        {run.kind === 'running' && (
          <>
            <span className="spinner" aria-hidden="true" />
            Gathering results… {run.progress ? `${number.format(run.progress.messageCount)} messages` : ''}
          </>
        )}
        {run.kind === 'done' && (
          <>
            {number.format(run.progress.messageCount)} messages · {number.format(run.progress.recordCount)} records
          </>
        )}
        {run.kind === 'cancelled' && <>Search cancelled.</>}
        {(run.kind === 'idle' || run.kind === 'unavailable' || run.kind === 'invalid' || run.kind === 'failed') && (
          <span className="muted">{run.kind === 'idle' ? 'No search run yet' : 'No results'}</span>
        )}
      </div>
      <div className="results-body">
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
