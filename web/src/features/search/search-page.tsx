import { useCallback, useEffect, useRef, useState } from 'react';
import type { Diagnostic } from '../../../../src/query/diagnostics/index.js';
import { listParams, substituteParams } from '../../../../src/query/params.js';
import { ApiError } from '../../api/http';
import { fetchMessages, fetchRecords, runSearchJob, SearchUnavailableError, type SearchProgress } from '../../api/search-client';
import { readColumns, saveColumns, toggleColumn } from './results/message-columns';
import { addFilter } from './results/scope-terms';
import { clearHistory, readHistory, rememberQuery, type HistoryEntry } from './history';
import { QueryEditor } from './query-editor';
import { SearchResults, type RunState } from './search-results';
import { browserTimeZone, describeRange, resolveRange, timeZones } from './time-range';
import { TimeRangePicker } from './time-range-picker';
import { readSearchState, searchUrl, type SearchState } from './url-state';

const MESSAGES_PAGE = 200;
const NO_FIELDS: readonly string[] = [];
const RECORDS_PAGE = 1000;
/** What `/records` answers for a search without an aggregate (Sumo's code). */
const NOT_AN_AGGREGATE = 'searchjob.no.records.not.an.aggregation.query';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The search page: query, time range, parameters; runs a search job and shows its progress and results. */
export function SearchPage() {
  const defaultZone = useRef(browserTimeZone()).current;
  const [state, setState] = useState<SearchState>(() => readSearchState(window.location.search, defaultZone));
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [run, setRun] = useState<RunState>({ kind: 'idle' });
  const [runInfo, setRunInfo] = useState<{ query: string; from: number; to: number } | undefined>();
  const [history, setHistory] = useState<HistoryEntry[]>(readHistory);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [columns, setColumns] = useState<string[]>(readColumns);
  const abort = useRef<AbortController | null>(null);
  const latest = useRef(state);
  latest.current = state;

  // The URL always holds the search (copy it at any moment to share it); a run adds a history entry.
  useEffect(() => {
    const url = searchUrl(state, defaultZone);
    if (url !== window.location.pathname + window.location.search) window.history.replaceState(null, '', url);
  }, [state, defaultZone]);

  useEffect(() => {
    const onPop = (): void => setState(readSearchState(window.location.search, defaultZone));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [defaultZone]);

  const update = useCallback((patch: Partial<SearchState>) => setState((s) => ({ ...s, ...patch })), []);

  const start = useCallback(async () => {
    const current = latest.current;
    const previous = abort.current;
    abort.current = null;
    previous?.abort();
    if (current.query.trim() === '') {
      setRun({ kind: 'invalid', message: 'Type a query first — for example error, or * | count by _sourceCategory.' });
      return;
    }
    const range = resolveRange(current.range, current.timeZone, Date.now());
    if ('error' in range) {
      setRun({ kind: 'invalid', message: range.error });
      return;
    }
    const substituted = substituteParams(current.query, current.parameters);
    if (substituted.query === undefined) {
      setRun({ kind: 'invalid', message: substituted.diagnostics.map((d) => d.message).join('; ') });
      return;
    }
    const url = searchUrl(current, defaultZone);
    window.history.pushState(null, '', url);
    setHistory(rememberQuery(current.query));
    const controller = new AbortController();
    abort.current = controller;
    setRun({ kind: 'running', startedAt: Date.now(), progress: undefined });
    setRunInfo({ query: current.query, from: range.from, to: range.to });
    // A newer run (or leaving the page) replaces `abort.current`: this run's late answers are dropped.
    const isCurrent = (): boolean => abort.current === controller;
    try {
      const done = await runSearchJob(
        { query: substituted.query, from: range.from, to: range.to, timeZone: current.timeZone, byReceiptTime: current.byReceiptTime },
        {
          signal: controller.signal,
          onProgress: (progress: SearchProgress) => isCurrent() && setRun({ kind: 'running', startedAt: Date.now(), progress }),
        },
      );
      if (!isCurrent()) return;
      setRun({ kind: 'done', progress: done, page: undefined });
      // The first page of results: records for an aggregate query (even none), otherwise the newest messages.
      const records = await recordsOf(done, controller.signal);
      const page = records
        ? { kind: 'records' as const, ...records }
        : { kind: 'messages' as const, ...(await fetchMessages(done.jobId, 0, MESSAGES_PAGE, controller.signal)) };
      if (isCurrent()) setRun({ kind: 'done', progress: done, page });
    } catch (error) {
      if (!isCurrent()) return;
      if (controller.signal.aborted) {
        setRun({ kind: 'cancelled' });
      } else if (error instanceof SearchUnavailableError) {
        setRun({ kind: 'unavailable', query: substituted.query, rangeLabel: describeRange(current.range) });
      } else {
        setRun({ kind: 'failed', message: error instanceof ApiError ? error.message : 'The server did not answer. Try again.' });
      }
    } finally {
      if (abort.current === controller) abort.current = null;
    }
  }, [defaultZone]);

  const cancel = useCallback(() => abort.current?.abort(), []);

  /** Changes the search and runs it at once (`start` reads `latest`, so it is set before the render). */
  const rerun = useCallback(
    (patch: Partial<SearchState>) => {
      const next = { ...latest.current, ...patch };
      latest.current = next;
      setState(next);
      void start();
    },
    [start],
  );
  const narrow = useCallback((from: number, to: number) => rerun({ range: { start: String(from), end: String(to) } }), [rerun]);
  const filter = useCallback((field: string, value: string) => rerun({ query: addFilter(latest.current.query, field, value) }), [rerun]);
  const closeHistory = useCallback(() => setHistoryOpen(false), []);
  const onToggleColumn = useCallback((field: string) => {
    setColumns((current) => {
      const next = toggleColumn(current, field);
      saveColumns(next);
      return next;
    });
  }, []);

  // Opening a shared link runs its search; leaving the page cancels a running one.
  useEffect(() => {
    if (latest.current.query.trim() !== '') void start();
    return () => {
      const running = abort.current;
      abort.current = null;
      running?.abort();
    };
  }, [start]);

  const params = listParams(state.query);
  const resultFields = run.kind === 'done' && run.page ? run.page.fields.map((f) => f.name).filter((n) => !n.startsWith('_')) : NO_FIELDS;
  const errorCount = diagnostics.filter((d) => d.severity === 'error').length;
  const warningCount = diagnostics.length - errorCount;
  const running = run.kind === 'running';

  return (
    <div className="search-page">
      <section className="query-bar" aria-label="Search">
        <div className="query-row">
          <QueryEditor value={state.query} onChange={(query) => update({ query })} onRun={() => void start()} onDiagnostics={setDiagnostics} fields={resultFields} />
          <div className="query-actions">
            <TimeRangePicker range={state.range} timeZone={state.timeZone} onChange={(range) => update({ range })} />
            {/* Always laid out (hidden when idle) so starting a search doesn't shift the query row. */}
            <button
              type="button"
              className="danger-outline"
              onClick={cancel}
              disabled={!running}
              aria-hidden={!running}
              tabIndex={running ? 0 : -1}
              style={running ? undefined : { visibility: 'hidden' }}
            >
              Cancel
            </button>
            <button type="button" className="primary run-button" onClick={() => void start()} disabled={running} title={`Run (${isMac ? '⌘' : 'Ctrl'}+Enter)`}>
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                <path d="M4 2.5v11l9-5.5z" fill="currentColor" />
              </svg>
              Run
            </button>
          </div>
        </div>
        <div className="options-row">
          <label className="inline-label">
            <span>Time zone</span>
            <select value={state.timeZone} onChange={(e) => update({ timeZone: e.target.value })}>
              {timeZones(state.timeZone).map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </select>
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={state.byReceiptTime} onChange={(e) => update({ byReceiptTime: e.target.checked })} />
            By receipt time
          </label>
          {params.map((name) => (
            <label key={name} className="inline-label param">
              <span className="mono">{`{{${name}}}`}</span>
              <input
                aria-label={`Parameter ${name}`}
                value={state.parameters[name] ?? ''}
                onChange={(e) => update({ parameters: { ...state.parameters, [name]: e.target.value } })}
              />
            </label>
          ))}
          <span className="spacer" />
          <span className={`diagnostic-count ${errorCount > 0 ? 'has-errors' : ''}`} aria-live="polite">
            {errorCount > 0 ? `${errorCount} error${errorCount === 1 ? '' : 's'}` : warningCount > 0 ? `${warningCount} warning${warningCount === 1 ? '' : 's'}` : ''}
          </span>
          <span className="shortcut-hint muted">
            <kbd>{isMac ? '⌘' : 'Ctrl'}</kbd>+<kbd>Enter</kbd> to run
          </span>
          <div className="menu-anchor">
            <button type="button" className="subtle" aria-haspopup="listbox" aria-expanded={historyOpen} onClick={() => setHistoryOpen((o) => !o)}>
              History
            </button>
            {historyOpen && (
              <HistoryList
                entries={history}
                onPick={(query) => {
                  update({ query });
                  setHistoryOpen(false);
                }}
                onClear={() => {
                  clearHistory();
                  setHistory([]);
                }}
                onClose={closeHistory}
              />
            )}
          </div>
        </div>
      </section>
      <SearchResults
        run={run}
        timeZone={state.timeZone}
        query={runInfo?.query ?? ''}
        range={runInfo}
        onNarrow={narrow}
        onFilter={filter}
        columns={columns}
        onToggleColumn={onToggleColumn}
      />
    </div>
  );
}

/** An aggregate job's first page of records; undefined for a search without an aggregate. */
async function recordsOf(done: SearchProgress, signal: AbortSignal) {
  try {
    return await fetchRecords(done.jobId, 0, done.recordCount > 0 ? RECORDS_PAGE : 0, signal);
  } catch (error) {
    if (error instanceof ApiError && error.code === NOT_AN_AGGREGATE) return undefined;
    throw error;
  }
}

function HistoryList(props: { entries: HistoryEntry[]; onPick: (query: string) => void; onClear: () => void; onClose: () => void }) {
  const list = useRef<HTMLDivElement>(null);
  const { onClose } = props;
  useEffect(() => {
    list.current?.querySelector<HTMLElement>('[role="option"]')?.focus();
    const onDown = (event: MouseEvent): void => {
      const anchor = list.current?.parentElement;
      if (anchor && !anchor.contains(event.target as Node)) onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [onClose]);
  return (
    <div
      className="popover history-popover"
      ref={list}
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onClose();
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          const items = [...(list.current?.querySelectorAll<HTMLElement>('[role="option"]') ?? [])];
          const index = items.indexOf(document.activeElement as HTMLElement);
          items[(index + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length]?.focus();
        }
      }}
    >
      {props.entries.length === 0 ? (
        <p className="muted empty-history">Queries you run appear here.</p>
      ) : (
        <div role="listbox" aria-label="Recent queries">
          {props.entries.map((entry) => (
            <div
              key={entry.query}
              role="option"
              aria-selected="false"
              tabIndex={-1}
              className="history-item mono"
              onClick={() => props.onPick(entry.query)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  props.onPick(entry.query);
                }
              }}
              title={new Date(entry.at).toLocaleString()}
            >
              {entry.query}
            </div>
          ))}
        </div>
      )}
      {props.entries.length > 0 && (
        <button type="button" className="subtle clear-history" onClick={props.onClear}>
          Clear history
        </button>
      )}
    </div>
  );
}
