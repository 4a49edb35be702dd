/**
 * Field references in SQL, with the interpreter's semantics: a stored message is the row
 * `{..._metadata, ...fields}`; a name resolves exactly, then case-insensitively (readField).
 * Metadata names map to their columns; anything else reads the `fields` map, NULL when absent.
 */
import { fieldText, param, raw, sql, timeMs, type Sql } from '../sql/tree.js';
import { INTERNAL_FIELDS } from '../../core/internal-fields.js';
import { JS_SPACE_CLASS } from '../interpreter/regex.js';

/** Metadata names as the query language spells them → column, and whether the value is a number. */
const METADATA: Record<string, { column: string; numeric: boolean; sql: Sql }> = {
  _messagetime: { column: 'ts', numeric: true, sql: timeMs('ts') },
  _receipttime: { column: 'receipt_ts', numeric: true, sql: timeMs('receipt_ts') },
  _index: { column: 'partition', numeric: false, sql: raw('partition') },
  _sourcecategory: { column: 'source_category', numeric: false, sql: raw('source_category') },
  _sourcehost: { column: 'source_host', numeric: false, sql: raw('source_host') },
  _sourcename: { column: 'source_name', numeric: false, sql: raw('source_name') },
  _collector: { column: 'collector', numeric: false, sql: raw('collector') },
  _source: { column: 'source', numeric: false, sql: raw('source') },
  _size: { column: 'size', numeric: true, sql: raw('size') },
  _format: { column: 'format', numeric: false, sql: raw('format') },
  _raw: { column: 'message', numeric: false, sql: raw('message') },
};

/** JavaScript's `\s` (what the interpreter's trimming and numeric test use), as an RE2 class body. */
export const JS_SPACE = JS_SPACE_CLASS;

/** The interpreter's numeric-text test (values.ts NUMERIC_RE) in RE2 syntax. */
const NUMERIC_RE2 = `^[${JS_SPACE}]*[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?[${JS_SPACE}]*$`;

/** A field as SQL: its text (Nullable(String)) and, for numbers, its numeric expression. */
export interface FieldSql {
  /** Nullable(String) expression: the field as the interpreter's toText would render it. */
  text: Sql;
  /** Nullable(Float64) expression: the interpreter's toNumber of the field. */
  number: Sql;
  /** The value as the interpreter sees it: the column itself for numeric metadata, else `text`. */
  value: Sql;
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
export function fieldSql(name: string): FieldSql | undefined {
  const meta = METADATA[name.toLowerCase()];
  if (meta !== undefined) {
    if (meta.numeric) return { text: sql`toString(${meta.sql})`, number: sql`toFloat64(${meta.sql})`, value: meta.sql, isMetadata: true };
    return { text: meta.sql, number: numberOf(meta.sql), value: meta.sql, isMetadata: true };
  }
  // Quarry's own fields read as absent, as the interpreter's rows do not have them.
  if (INTERNAL_FIELDS.has(name.toLowerCase())) {
    const absent = raw('CAST(NULL AS Nullable(String))');
    return { text: absent, number: raw('CAST(NULL AS Nullable(Float64))'), value: absent, isMetadata: false };
  }
  if (!/^[\x00-\x7f]*$/.test(name)) return undefined;
  const text = fieldText(name);
  return { text, number: numberOf(text), value: text, isMetadata: false };
}

/** toNumber over a String expression: numeric-looking text (blanks allowed) → Float64, else NULL. */
export function numberOf(text: Sql): Sql {
  const re = param(NUMERIC_RE2, 'String');
  const trim = param(`^[${JS_SPACE}]+|[${JS_SPACE}]+$`, 'String');
  return sql`if(match(ifNull(${text}, ''), ${re}), toFloat64OrNull(replaceRegexpAll(assumeNotNull(${text}), ${trim}, '')), NULL)`;
}
