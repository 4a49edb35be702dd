/**
 * The full-text skip index of the chDB log table, and the one function the SQL planner calls to use it.
 *
 * API (everything else here is internal to the store):
 * - `TextIndexKind` / `textIndexKinds` / `defaultTextIndex`: `text` (ClickHouse's inverted `text`
 *   index, the default), `tokenbf` (`tokenbf_v1` bloom filter) or `none`.
 * - `textIndexPredicate(term, kind, bind)`: a SQL predicate that only NARROWS a keyword or phrase
 *   search, or `undefined` when the index cannot help (kind `none`, wildcards, non-ASCII letters, no
 *   token the index holds). `bind(token)` must return a String placeholder for the value (for
 *   example `(t) => binder.bind(t, 'String')`). AND the result with the exact scope predicate: it
 *   keeps every row the interpreter's word-boundary, case-insensitive match (query/interpreter/scope.ts)
 *   keeps, and usually many fewer granules are read. It is correct with or without the index (parts
 *   written before the index was added are simply scanned), so it never changes an answer.
 *
 * How it stays a superset: both kinds start from `textIndexExpression`, not from `message`. That
 * expression lower-cases ASCII, turns every non-ASCII character that is not a letter or digit
 * (em dashes, curly quotes, NBSP, combining marks, emoji …) into a space, and folds the only two
 * non-ASCII characters that JavaScript's case-insensitive matching equates with ASCII letters
 * (U+212A KELVIN SIGN → k, U+017F LONG S → s). Splitting it on every ASCII character that is not a
 * letter or digit (`splitByNonAlpha`) gives its tokens. A term the interpreter matches is delimited
 * by non-word characters, so each of its ASCII letter/digit runs is a whole token of that expression.
 * The regular expression runs only for messages that are not pure ASCII (measured: 5.7 s vs 1.2 s
 * per 1M lines).
 * - `tokenbf` hashes every token; the predicate asks `hasToken(<expression>, run)` for each run.
 * - `text` keeps only what pays for its bytes (docs/storage.md "Full-text index"): the runs of ASCII
 *   letters/digits of at least `textIndexMinTokenLength` characters, cut to their first
 *   `textIndexTokenPrefix` characters (`textIndexTokensExpression`, an array indexed with
 *   `tokenizer = array`). It starts from `textIndexTokensSource`, which skips the regular expression
 *   of `textIndexExpression`: a run of `[a-z0-9]` ends at any other character, ASCII or not, so
 *   turning non-ASCII non-letters into spaces first changes no run (the arrays are equal). Leaving it
 *   out matters for latency: ClickHouse compiles that Unicode-class expression while planning every
 *   statement that names the index (measured: 5–6 ms of a 10 ms plan). The predicate asks `has(<tokens expression>, prefix)` for each run of the
 *   term that is long enough; a row holding the run as a whole token holds its prefix in that array
 *   (a run of the array may also come from a token glued to non-ASCII letters: an extra, harmless).
 *   Shorter runs (status codes, IP octets, `get`, `info` …) are not asked for: a term made only of
 *   them is not narrowed and is scanned, with the same answer.
 */
import { join, param, raw, sql, type Sql } from '../../query/sql/tree.js';

export const textIndexKinds = ['text', 'tokenbf', 'none'] as const;
export type TextIndexKind = (typeof textIndexKinds)[number];
/** Measured in docs/storage.md ("Full-text index"). */
export const defaultTextIndex: TextIndexKind = 'text';

/** The normalised message both index kinds start from; predicates must repeat it verbatim to use an index. */
export const textIndexExpression =
  "if(isValidASCII(message), lower(message), translateUTF8(replaceRegexpAll(lower(message), '[^\\\\x00-\\\\x7F\\\\p{L}\\\\p{N}]', ' '), '\u212A\u017F', 'ks'))";

/** The `text` index holds tokens of at least this many characters (shorter ones are mostly common words and numbers). */
export const textIndexMinTokenLength = 5;
/** … cut to this many characters: the token dictionary is most of the index, and a prefix still tells needles apart. */
export const textIndexTokenPrefix = 6;

/**
 * What the `text` index's tokens are cut from: `textIndexExpression` without its regular expression
 * (ASCII lower-cased; Kelvin sign and long s folded). Its `[a-z0-9]` runs are those of
 * `textIndexExpression` (see the file header), and it costs the planner no regex compilation.
 */
export const textIndexTokensSource = "if(isValidASCII(message), lower(message), translateUTF8(lower(message), '\u212A\u017F', 'ks'))";

/**
 * The array the `text` index is built on (`tokenizer = array`); predicates must repeat it verbatim.
 * Every run of ASCII letters/digits longer than the prefix is cut to it, then every run of at least
 * the minimum length is taken (the minimum must not exceed the prefix). Regular expressions and no
 * lambdas: ClickHouse 26.7 fails to evaluate a lambda index expression on parts that lack the index
 * ("First argument for function arrayFilter must be a function"), which is every part written before
 * the index was added.
 */
export const textIndexTokensExpression = `extractAll(replaceRegexpAll(${textIndexTokensSource}, '([a-z0-9]{${textIndexTokenPrefix}})[a-z0-9]+', '\\\\1'), '[a-z0-9]{${textIndexMinTokenLength},}')`;

/** Bloom filter bytes per granule (8,192 rows) of the tokenbf_v1 index (see docs/storage.md). */
export const tokenbfBytes = 65_536;

/**
 * Index names in the table; each kind has its own, so switching kinds never confuses them. Changing
 * `textIndexExpression`, `textIndexTokensExpression` or an index's parameters needs a new name (and the
 * old one in `retiredTextIndexNames`): `ADD INDEX IF NOT EXISTS` keeps an existing index of the same name as it was, and
 * predicates on a different expression would not use it.
 */
export const textIndexNames: Record<Exclude<TextIndexKind, 'none'>, string> = {
  text: 'message_tokens',
  tokenbf: 'message_tokenbf',
};

/** Names of index definitions Quarry used before; dropped at start whatever the kind. */
export const retiredTextIndexNames = [
  // text index over every token of `textIndexExpression` (hasToken): 2.6× the bytes of the `text` index's.
  'message_text',
  // the same tokens as `message_tokens`, cut from `textIndexExpression`: its regex cost every plan 5–6 ms.
  'message_words',
] as const;

/** The `INDEX …` clause of a kind (inside CREATE TABLE or after ALTER TABLE … ADD), or undefined for none. */
export function textIndexClause(kind: TextIndexKind, options: { tokenbfBytes?: number } = {}): string | undefined {
  switch (kind) {
    case 'text':
      // bitpacking: posting lists 27 % smaller than the default (none) at the same latency (1M lines here).
      return `INDEX ${textIndexNames.text} (${textIndexTokensExpression}) TYPE text(tokenizer = array, posting_list_codec = 'bitpacking')`;
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
export function textIndexPredicate(term: string, kind: TextIndexKind): Sql | undefined {
  if (kind === 'none' || !ASCII_TERM.test(term) || /[*?]/.test(term)) return undefined;
  const runs = term.toLowerCase().split(/[^a-z0-9]+/).filter((t) => t.length > 0);
  if (kind === 'tokenbf') {
    const tokens = [...new Set(runs)];
    if (tokens.length === 0) return undefined;
    return join(tokens.map((token) => sql`hasToken(${raw(textIndexExpression)}, ${param(token, 'String')})`), ' AND ');
  }
  const prefixes = [...new Set(runs.filter((t) => t.length >= textIndexMinTokenLength).map((t) => t.slice(0, textIndexTokenPrefix)))];
  if (prefixes.length === 0) return undefined;
  return join(prefixes.map((prefix) => sql`has(${raw(textIndexTokensExpression)}, ${param(prefix, 'String')})`), ' AND ');
}
