import { useEffect, useRef, useState } from 'react';
import { download, EXPORT_LIMIT, fetchAll, toCsv, type ExportFormat, type ExportKind } from './export-results';

const number = new Intl.NumberFormat();

/**
 * Export buttons for the job's messages or records, with progress while pages are fetched. CSV
 * shows times in `timeZone` (the search's); JSON keeps the API's values (epoch milliseconds).
 */
export function ExportMenu(props: { jobId: string; kind: ExportKind; total: number; timeZone: string }) {
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const run = async (format: ExportFormat): Promise<void> => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setError(undefined);
    setProgress({ done: 0, total: Math.min(props.total, EXPORT_LIMIT) });
    try {
      const all = await fetchAll({ jobId: props.jobId, kind: props.kind, total: props.total, signal: controller.signal, onProgress: (done, total) => setProgress({ done, total }) });
      const name = `quarry-${props.kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`;
      if (format === 'csv') download(name, 'text/csv', toCsv(all.fields, all.rows, props.timeZone));
      else download(name, 'application/json', JSON.stringify(all.rows, null, 1));
    } catch {
      if (!controller.signal.aborted) setError('Export failed.');
    } finally {
      if (abort.current === controller) {
        abort.current = null;
        setProgress(undefined);
      }
    }
  };

  return (
    <div className="export-menu" role="group" aria-label={`Export ${props.kind}`}>
      <span className="muted">Export</span>
      <button type="button" className="subtle" disabled={progress !== undefined || props.total === 0} onClick={() => void run('csv')} aria-label={`Export ${props.kind} as CSV`}>
        CSV
      </button>
      <button type="button" className="subtle" disabled={progress !== undefined || props.total === 0} onClick={() => void run('json')} aria-label={`Export ${props.kind} as JSON`}>
        JSON
      </button>
      <span className="export-progress muted" aria-live="polite">
        {progress ? `${number.format(progress.done)} / ${number.format(progress.total)}` : (error ?? (props.total > EXPORT_LIMIT ? `first ${number.format(EXPORT_LIMIT)}` : ''))}
      </span>
      {progress && (
        <button type="button" className="subtle" onClick={() => abort.current?.abort()}>
          Stop
        </button>
      )}
    </div>
  );
}
