/**
 * The full-text skip index of the chDB log table, and the one function the SQL planner calls to use it.
 *
 * API (everything else here is internal to the store):
 * - `TextIndexKind` / `textIndexKinds` / `defaultTextIndex`: `text` (ClickHouse's inverted `text`
 *   index, the default), `tokenbf` (`tokenbf_v1` bloom filter) or `none`.
 * - `textIndexPredicate(term, kind, bind)`: a SQL predicate that only NARROWS a keyword or phrase
 *   search, or `undefined` when the index cannot help (kind `none`, wildcards, non-ASCII letters, no
 *   letters or digits at all). `bind(token)` must return a String placeholder for the value (for
 *   example `(t) => binder.bind(t, 'String')`). AND the result with the exact scope predicate: it
 *   keeps every row the interpreter's word-boundary, case-insensitive match (query/interpreter/scope.ts)
 *   keeps, and usually many fewer granules are read. It is correct with or without the index (parts
 *   written before the index was added are simply scanned), so it never changes an answer.
 *
 * How it stays a superset: the index is built on `textIndexExpression`, not on `message`. That
 * expression lower-cases ASCII, turns every non-ASCII character that is not a letter or digit
 * (em dashes, curly quotes, NBSP, combining marks, emoji …) into a space, and folds the only two
 * non-ASCII characters that JavaScript's case-insensitive matching equates with ASCII letters
 * (U+212A KELVIN SIGN → k, U+017F LONG S → s). ClickHouse's tokenizer then splits on every ASCII
 * character that is not a letter or digit. A term the interpreter matches is delimited by non-word
 * characters, so each of its ASCII letter/digit runs is a whole token of that expression, and the
 * predicate asks for exactly those tokens (`hasToken`, which both index kinds serve). The regular
 * expression runs only for messages that are not pure ASCII (measured: 5.7 s vs 1.2 s per 1M lines).
 */

export const textIndexKinds = ['text', 'tokenbf', 'none'] as const;
export type TextIndexKind = (typeof textIndexKinds)[number];
/** Measured in docs/storage.md ("Full-text index"). */
export const defaultTextIndex: TextIndexKind = 'text';

/** The expression both index kinds are built on; predicates must repeat it verbatim to use the index. */
export const textIndexExpression =
  "if(isValidASCII(message), lower(message), translateUTF8(replaceRegexpAll(lower(message), '[^\\\\x00-\\\\x7F\\\\p{L}\\\\p{N}]', ' '), '\u212A\u017F', 'ks'))";

/** Bloom filter bytes per granule (8,192 rows) of the tokenbf_v1 index (see docs/storage.md). */
export const tokenbfBytes = 65_536;

/**
 * Index names in the table; each kind has its own, so switching kinds never confuses them. Changing
 * `textIndexExpression` or an index's parameters needs a new name (and the old one in the drop list of
 * schema.ts): `ADD INDEX IF NOT EXISTS` keeps an existing index of the same name as it was, and
 * predicates on a different expression would not use it.
 */
export const textIndexNames: Record<Exclude<TextIndexKind, 'none'>, string> = {
  text: 'message_text',
  tokenbf: 'message_tokenbf',
};

/** The `INDEX …` clause of a kind (inside CREATE TABLE or after ALTER TABLE … ADD), or undefined for none. */
export function textIndexClause(kind: TextIndexKind, options: { tokenbfBytes?: number } = {}): string | undefined {
  switch (kind) {
    case 'text':
      // bitpacking: posting lists 27 % smaller than the default (none) at the same latency (1M lines here).
      return `INDEX ${textIndexNames.text} (${textIndexExpression}) TYPE text(tokenizer = splitByNonAlpha, posting_list_codec = 'bitpacking')`;
    case 'tokenbf':
      return `INDEX ${textIndexNames.tokenbf} (${textIndexExpression}) TYPE tokenbf_v1(${options.tokenbfBytes ?? tokenbfBytes}, 3, 0) GRANULARITY 1`;
    case 'none':
      return undefined;
  }
}

// Printable ASCII and whitespace only: a non-ASCII letter in a term may case-fold differently in
// JavaScript and ClickHouse (ς/σ, ß …), so such terms are not narrowed.
const ASCII_TERM = /^[\x20-\x7E\t\n\r\f\v]*$/;

/**
 * A predicate narrowing a search for `term` (a keyword or phrase, as typed; case is ignored) under
 * the `kind` index, or undefined when the index cannot help. See the file header.
 */
export function textIndexPredicate(term: string, kind: TextIndexKind, bind: (token: string) => string): string | undefined {
  if (kind === 'none' || !ASCII_TERM.test(term) || /[*?]/.test(term)) return undefined;
  const tokens = [...new Set(term.toLowerCase().split(/[^a-z0-9]+/).filter((t) => t.length > 0))];
  if (tokens.length === 0) return undefined;
  return tokens.map((token) => `hasToken(${textIndexExpression}, ${bind(token)})`).join(' AND ');
}
