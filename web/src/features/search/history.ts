/** Recent queries, newest first, kept in localStorage (per browser, never sent anywhere). */
const KEY = 'quarry.search.history';
const MAX = 30;

export interface HistoryEntry {
  query: string;
  at: number;
}

export function readHistory(): HistoryEntry[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((e): e is HistoryEntry => typeof (e as HistoryEntry)?.query === 'string' && typeof (e as HistoryEntry)?.at === 'number');
  } catch {
    return [];
  }
}

/** Puts a query at the top (once), keeping the newest MAX. */
export function rememberQuery(query: string, now = Date.now()): HistoryEntry[] {
  const trimmed = query.trim();
  if (!trimmed) return readHistory();
  const next = [{ query: trimmed, at: now }, ...readHistory().filter((e) => e.query !== trimmed)].slice(0, MAX);
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Storage full or disabled: history is a convenience, the search still runs.
  }
  return next;
}

export function clearHistory(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // ignore: nothing to clear
  }
}
