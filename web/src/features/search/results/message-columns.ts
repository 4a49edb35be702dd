/**
 * The fields shown as columns of the message list (Sumo Logic's "display fields"), in the order
 * they were chosen. Kept in localStorage (per browser, never sent anywhere) so the next search,
 * and the next visit, shows the same columns.
 */
const KEY = 'quarry.search.columns';
const MAX = 12;

/** The part of the browser's localStorage used here (this module is also read by tests under Node). */
interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function store(): KeyValueStore | undefined {
  return (globalThis as { localStorage?: KeyValueStore }).localStorage;
}

export function readColumns(): string[] {
  try {
    const parsed = JSON.parse(store()?.getItem(KEY) ?? '[]') as unknown;
    if (!Array.isArray(parsed)) return [];
    return [...new Set(parsed.filter((c): c is string => typeof c === 'string' && c !== ''))].slice(0, MAX);
  } catch {
    return [];
  }
}

export function saveColumns(columns: readonly string[]): void {
  try {
    store()?.setItem(KEY, JSON.stringify(columns));
  } catch {
    // Storage full or disabled: the columns still show until the page is left.
  }
}

/** The columns with `field` added at the end, or taken out when it is there (at most MAX kept). */
export function toggleColumn(columns: readonly string[], field: string): string[] {
  return columns.includes(field) ? columns.filter((c) => c !== field) : [...columns, field].slice(-MAX);
}

/** Field names are case-insensitive (`Status` and `status` are one field), as in the query language. */
export function columnValue(message: Readonly<Record<string, string>>, column: string): string {
  const exact = message[column];
  if (exact !== undefined) return exact;
  const lower = column.toLowerCase();
  for (const [name, value] of Object.entries(message)) if (name.toLowerCase() === lower) return value;
  return '';
}
