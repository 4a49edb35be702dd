import { DEFAULT_RANGE, type TimeRange } from './time-range.js';

/**
 * Everything that defines a search, as the URL holds it (Sumo Logic's shared-link form:
 * `/log-search/create?query=…&startTime=-15m&endTime=now&parameters=a:1,b:2&timeZone=…&byReceiptTime=true`),
 * so a copied URL reproduces the search.
 */
export interface SearchState {
  query: string;
  range: TimeRange;
  timeZone: string;
  byReceiptTime: boolean;
  parameters: Record<string, string>;
}

export const SEARCH_PATH = '/log-search/create';

/** Parameters as `name:value` pairs separated by commas; `\,` `\:` and `\\` escape. */
function parseParameters(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pairs: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1]!;
      i++;
    } else if (c === ',') {
      pairs.push(current);
      current = '';
    } else current += c;
  }
  if (current) pairs.push(current);
  for (const pair of pairs) {
    let name = '';
    let value = '';
    let inValue = false;
    for (let i = 0; i < pair.length; i++) {
      const c = pair[i]!;
      if (c === '\\' && i + 1 < pair.length) {
        const next = pair[++i]!;
        if (inValue) value += next;
        else name += next;
      } else if (c === ':' && !inValue) inValue = true;
      else if (inValue) value += c;
      else name += c;
    }
    if (name) out[name] = value;
  }
  return out;
}

function escapeParameter(text: string): string {
  return text.replace(/[\\,:]/g, (c) => `\\${c}`);
}

/** A date-time whose `+hh:mm` offset a query string turned into a space (`+` means space there). */
const OFFSET_AS_SPACE = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?) (\d{2}(?::?\d{2})?)$/;

/** One end of the range as the link meant it: a hand-written `…T10:00+02:00` keeps its `+`. */
function readTime(value: string | null, fallback: string): string {
  if (value === null) return fallback;
  return value.trim().replace(OFFSET_AS_SPACE, '$1+$2');
}

/** The search a URL's query string holds (Sumo Logic's link form); what it leaves out has defaults. */
export function readSearchState(search: string, defaultTimeZone: string): SearchState {
  const params = new URLSearchParams(search);
  return {
    query: params.get('query') ?? '',
    range: {
      start: readTime(params.get('startTime'), DEFAULT_RANGE.start),
      end: readTime(params.get('endTime'), DEFAULT_RANGE.end),
    },
    timeZone: params.get('timeZone') ?? defaultTimeZone,
    byReceiptTime: params.get('byReceiptTime') === 'true',
    parameters: parseParameters(params.get('parameters') ?? ''),
  };
}

/** The URL of a search (path and query string). */
export function searchUrl(state: SearchState, defaultTimeZone: string): string {
  const params = new URLSearchParams();
  if (state.query) params.set('query', state.query);
  params.set('startTime', state.range.start);
  if (state.range.end && state.range.end !== 'now') params.set('endTime', state.range.end);
  const names = Object.keys(state.parameters).filter((n) => state.parameters[n] !== '');
  if (names.length > 0) {
    params.set('parameters', names.map((n) => `${escapeParameter(n)}:${escapeParameter(state.parameters[n]!)}`).join(','));
  }
  if (state.timeZone !== defaultTimeZone) params.set('timeZone', state.timeZone);
  if (state.byReceiptTime) params.set('byReceiptTime', 'true');
  return `${SEARCH_PATH}?${params.toString()}`;
}
