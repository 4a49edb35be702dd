import { parseQuery } from '../../../../../src/query/parser/index.js';
import { firstAggregateAt } from '../../../../../src/query/query-parts.js';

/**
 * The keywords of a query's scope (the part before the first pipe), for highlighting them in
 * messages. Field terms (`a=b`), boolean words and lone wildcards are not keywords.
 */
export function scopeTerms(query: string): string[] {
  const scope = splitScope(query).scope;
  const terms: string[] = [];
  for (const match of scope.matchAll(/"((?:[^"\\]|\\.)*)"|([^\s()"]+)/g)) {
    const quoted = match[1];
    const word = match[2];
    if (quoted !== undefined) {
      if (quoted.trim() !== '') terms.push(quoted.replace(/\\(.)/g, '$1'));
    } else if (word && !word.includes('=') && !/^(and|or|not|\*)$/i.test(word) && !word.startsWith('!')) {
      terms.push(word);
    }
  }
  return terms;
}

/** The query split at its first pipe outside quotes. */
export function splitScope(query: string): { scope: string; rest: string } {
  let quoted = false;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '|' && !quoted) return { scope: query.slice(0, i), rest: query.slice(i) };
  }
  return { scope: query, rest: '' };
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** One regex matching any term as a whole term, case-insensitive (`*` matches within a term). */
export function termPattern(terms: readonly string[]): RegExp | undefined {
  const parts = terms.map((t) => escapeRegex(t).replace(/\*/g, '[a-z0-9_]*')).filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  return new RegExp(`(?<![a-z0-9])(?:${parts.join('|')})(?![a-z0-9])`, 'gi');
}

/** Splits text into plain and matching pieces. */
export function highlightPieces(text: string, pattern: RegExp | undefined): { text: string; isMatch: boolean }[] {
  if (!pattern) return [{ text, isMatch: false }];
  const out: { text: string; isMatch: boolean }[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m[0] === '') continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index), isMatch: false });
    out.push({ text: m[0], isMatch: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), isMatch: false });
  return out;
}

const METADATA: Record<string, string> = {
  _sourcecategory: '_sourceCategory',
  _sourcehost: '_sourceHost',
  _sourcename: '_sourceName',
  _source: '_source',
  _collector: '_collector',
};

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Adds a filter for field = value: a scope term for metadata, otherwise `| where` — at the end of a
 * message query, before the first aggregate of an aggregate one (whose messages carry the field).
 */
export function addFilter(query: string, field: string, value: string): string {
  const meta = METADATA[field.toLowerCase()];
  if (meta) {
    const { scope, rest } = splitScope(query);
    const term = /^[^\s"()|=!]+$/.test(value) ? `${meta}=${value}` : `${meta}=${quote(value)}`;
    const trimmed = scope.trim();
    // Already filtered by this term: the query stays as it is (and runs again).
    if (trimmed.toLowerCase().split(/\s+/).includes(term.toLowerCase())) return query;
    return `${trimmed === '' || trimmed === '*' ? term : `${trimmed} ${term}`}${rest === '' ? '' : ` ${rest}`}`;
  }
  const where = `where ${field} = ${quote(value)}`;
  // The messages are those before the first aggregate, so the filter goes there.
  const parsed = parseQuery(query).query;
  const at = parsed ? firstAggregateAt(parsed) : -1;
  const stage = at >= 0 ? parsed?.stages[at] : undefined;
  if (stage === undefined) return `${query.trim()} | ${where}`;
  const pipe = query.lastIndexOf('|', stage.span.start);
  return `${query.slice(0, pipe).trimEnd()} | ${where} | ${query.slice(stage.span.start).trim()}`;
}
