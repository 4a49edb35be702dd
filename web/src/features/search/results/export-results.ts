import type { SearchField } from '../../../../../src/protocol/search.js';
import { fetchMessages, fetchRecords } from '../../../api/search-client';

export { toCsv } from './csv';

export const EXPORT_LIMIT = 100_000;
const EXPORT_PAGE = 10_000;

export type ExportFormat = 'csv' | 'json';
export type ExportKind = 'messages' | 'records';

/** Fetches every row of a job (up to EXPORT_LIMIT), page by page, reporting how many so far. */
export async function fetchAll(options: {
  jobId: string;
  kind: ExportKind;
  total: number;
  signal: AbortSignal;
  onProgress: (done: number, total: number) => void;
}): Promise<{ fields: SearchField[]; rows: Record<string, string>[] }> {
  const total = Math.min(options.total, EXPORT_LIMIT);
  const rows: Record<string, string>[] = [];
  const fields = new Map<string, SearchField>();
  while (rows.length < total) {
    const limit = Math.min(EXPORT_PAGE, total - rows.length);
    const page =
      options.kind === 'messages'
        ? await fetchMessages(options.jobId, rows.length, limit, options.signal).then((p) => ({ fields: p.fields, items: p.messages }))
        : await fetchRecords(options.jobId, rows.length, limit, options.signal).then((p) => ({ fields: p.fields, items: p.records }));
    for (const f of page.fields) if (!fields.has(f.name)) fields.set(f.name, f);
    for (const item of page.items) rows.push(item.map);
    options.onProgress(rows.length, total);
    if (page.items.length < limit) break;
  }
  return { fields: [...fields.values()], rows };
}

/** Hands a file to the browser's download. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
