/**
 * Field references in SQL, with the interpreter's semantics: a stored message is the row
 * `{..._metadata, ...fields}`; a name resolves exactly, then case-insensitively (readField).
 * Metadata names map to their columns; anything else reads the `fields` map, NULL when absent.
 */
import type { ParamBinder } from './sql.js';
import { INTERNAL_FIELDS } from '../../store/internal-fields.js';
import { JS_SPACE_CLASS } from '../../query/interpreter/regex.js';

/** Metadata names as the query language spells them → column, and whether the value is a number. */
const METADATA: Record<string, { column: string; numeric: boolean; sql: string }> = {
  _messagetime: { column: 'ts', numeric: true, sql: 'toUnixTimestamp64Milli(ts)' },
  _receipttime: { column: 'receipt_ts', numeric: true, sql: 'toUnixTimestamp64Milli(receipt_ts)' },
  _index: { column: 'partition', numeric: false, sql: 'partition' },
  _sourcecategory: { column: 'source_category', numeric: false, sql: 'source_category' },
  _sourcehost: { column: 'source_host', numeric: false, sql: 'source_host' },
  _sourcename: { column: 'source_name', numeric: false, sql: 'source_name' },
  _collector: { column: 'collector', numeric: false, sql: 'collector' },
  _source: { column: 'source', numeric: false, sql: 'source' },
  _size: { column: 'size', numeric: true, sql: 'size' },
  _format: { column: 'format', numeric: false, sql: 'format' },
  _raw: { column: 'message', numeric: false, sql: 'message' },
};

/** JavaScript's `\s` (what the interpreter's trimming and numeric test use), as an RE2 class body. */
export const JS_SPACE = JS_SPACE_CLASS;

/** The interpreter's numeric-text test (values.ts NUMERIC_RE) in RE2 syntax. */
const NUMERIC_RE2 = `^[${JS_SPACE}]*[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?[${JS_SPACE}]*$`;

/** A field as SQL: its text (Nullable(String)) and, for numbers, its numeric expression. */
export interface FieldSql {
  /** Nullable(String) expression: the field as the interpreter's toText would render it. */
  text: string;
  /** Nullable(Float64) expression: the interpreter's toNumber of the field. */
  number: string;
  /** The field is a metadata column (never NULL). */
  isMetadata: boolean;
}

/** True when the name is a metadata field (case-insensitively). */
export function isMetadataField(name: string): boolean {
  return METADATA[name.toLowerCase()] !== undefined;
}

/** The metadata column behind a name, if it is one. */
export function metadataColumn(name: string): string | undefined {
  return METADATA[name.toLowerCase()]?.column;
}

/**
 * SQL for reading a field. A custom field spelled differently from its key is found
 * case-insensitively, as readField does. Undefined when the name cannot be pushed (non-ASCII
 * names: lowerUTF8 and JavaScript's toLowerCase may disagree).
 */
export function fieldSql(name: string, binder: ParamBinder): FieldSql | undefined {
  const meta = METADATA[name.toLowerCase()];
  if (meta !== undefined) {
    if (meta.numeric) return { text: `toString(${meta.sql})`, number: `toFloat64(${meta.sql})`, isMetadata: true };
    return { text: meta.sql, number: numberOf(meta.sql, binder), isMetadata: true };
  }
  // Quarry's own fields read as absent, as the interpreter's rows do not have them.
  if (INTERNAL_FIELDS.has(name.toLowerCase())) return { text: 'CAST(NULL AS Nullable(String))', number: 'CAST(NULL AS Nullable(Float64))', isMetadata: false };
  if (!/^[\x00-\x7f]*$/.test(name)) return undefined;
  const exact = binder.bind(name, 'String');
  const lower = binder.bind(name.toLowerCase(), 'String');
  const text =
    `multiIf(mapContains(fields, ${exact}), fields[${exact}], ` +
    `has(arrayMap(k -> lowerUTF8(k), mapKeys(fields)), ${lower}), fields[arrayFirst(k -> lowerUTF8(k) = ${lower}, mapKeys(fields))], NULL)`;
  return { text, number: numberOf(text, binder), isMetadata: false };
}

/** toNumber over a String expression: numeric-looking text (blanks allowed) → Float64, else NULL. */
export function numberOf(textSql: string, binder: ParamBinder): string {
  const re = binder.bind(NUMERIC_RE2, 'String');
  const trim = binder.bind(`^[${JS_SPACE}]+|[${JS_SPACE}]+$`, 'String');
  return `if(match(ifNull(${textSql}, ''), ${re}), toFloat64OrNull(replaceRegexpAll(assumeNotNull(${textSql}), ${trim}, '')), NULL)`;
}
