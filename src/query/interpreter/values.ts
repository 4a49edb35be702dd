/**
 * The interpreter's value model. Sumo Logic fields are strings on the wire; parsed values stay
 * strings and are coerced where an operator needs a number. We keep JS numbers and booleans too,
 * because aggregates and functions produce them and the SQL engine must agree on the same model.
 */
export type Value = string | number | boolean | null;

/** A message or record: metadata fields (`_raw`, `_messageTime` …) plus extracted fields. */
export type Row = Record<string, Value>;

const NUMERIC_RE = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** True when `v` is a number or a string that reads as a decimal number (Sumo's isNumeric). */
export function isNumericValue(v: Value): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string') return NUMERIC_RE.test(v);
  return false;
}

/**
 * Sumo's implicit numeric coercion: numbers stay, numeric-looking strings (surrounding blanks
 * allowed) become numbers, everything else (null, booleans, other text) is null.
 */
export function toNumber(v: Value): number | null {
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'string' && NUMERIC_RE.test(v)) return Number(v);
  return null;
}

/** Renders a value as text the way results and string functions see it; null stays null. */
export function toText(v: Value): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return formatNumber(v);
}

/** Numbers print in JS shortest round-trip form (1, 1.5, 1e+21); NaN/±Infinity as words. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Object.is(n, -0)) return '0';
  return String(n);
}

/**
 * Truthiness used by `where`, `if`, `?:`, `and/or/!`: only boolean true and the string "true"
 * (any case) are true; booleans false / "false" are false; anything else is "not a boolean"
 * (null), which `where` treats as false and `!` keeps as null.
 */
export function toBoolean(v: Value): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return null;
}

/** `where` keeps a row only when the condition is exactly true. */
export function isTruthy(v: Value): boolean {
  return toBoolean(v) === true;
}

/**
 * Equality of `=`/`==`: numeric when both sides read as numbers ("5" = 5.0), otherwise a
 * case-sensitive comparison of their text. null equals only null.
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === null && b === null;
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== null && nb !== null) return na === nb;
  return toText(a) === toText(b);
}

/**
 * Ordering of `< <= > >=`: numeric when both sides read as numbers, otherwise case-sensitive
 * string order (UTF-16 code units) of two texts. Returns null (the comparison is false) when a
 * side is null, or when a number meets text that is not numeric.
 */
export function compareForExpression(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== null && nb !== null) return na < nb ? -1 : na > nb ? 1 : 0;
  // A number against text that is not numeric (`where n > 1` with n = "x") is not comparable.
  if (typeof a === 'number' || typeof b === 'number') return null;
  const sa = toText(a) ?? '';
  const sb = toText(b) ?? '';
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

const TYPE_RANK = { null: 0, boolean: 1, number: 2, string: 3 } as const;

/**
 * Total order for `sort`, `top`, `dedup` keys: null < booleans < numbers < strings. Numbers
 * compare numerically; strings compare as strings even when numeric-looking (Sumo: "sorting a
 * string field sorts alphabetically unless you num() it first").
 */
export function compareForSort(a: Value, b: Value): number {
  const ta = a === null ? TYPE_RANK.null : TYPE_RANK[typeof a as 'boolean' | 'number' | 'string'];
  const tb = b === null ? TYPE_RANK.null : TYPE_RANK[typeof b as 'boolean' | 'number' | 'string'];
  if (ta !== tb) return ta - tb;
  if (a === null || b === null) return 0;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : 1;
    return a - b;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = a as string;
  const sb = b as string;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A stable string key for grouping (distinguishes null, number 1 and string "1"? no: by text). */
export function groupKeyPart(v: Value): string {
  // Group keys compare by their text, so "1" parsed from a message and 1 computed by an
  // expression land in the same group; null is kept apart from the empty string.
  return v === null ? '\u0000null' : (toText(v) ?? '');
}

/** null, or a string of length zero. */
export function isEmptyValue(v: Value): boolean {
  return v === null || v === '';
}

/** Reads a field; a missing field is null. */
export function getField(row: Row, name: string): Value {
  const v = row[name];
  return v === undefined ? null : v;
}

const KEY_ORDER = Symbol('quarry.keyOrder');

/**
 * Records the intended column order on a row. JS objects list integer-like keys first (a
 * transposed `200` column would jump ahead of `day`), so stages that define columns say so here.
 * The hint is non-enumerable (invisible to equality checks and JSON); `extendRow` carries it over.
 */
export function setKeyOrder(row: Row, keys: readonly string[]): Row {
  Object.defineProperty(row, KEY_ORDER, { value: keys, enumerable: false, configurable: true, writable: true });
  return row;
}

/** A copy of `row` with `extra` fields added, keeping its column-order hint. */
export function extendRow(row: Row, extra?: Row): Row {
  const out: Row = extra === undefined ? { ...row } : { ...row, ...extra };
  const hint = (row as Row & { [KEY_ORDER]?: readonly string[] })[KEY_ORDER];
  return hint === undefined ? out : setKeyOrder(out, hint);
}

/** The row's field names in intended order (recorded order first, then any others). */
export function orderedKeys(row: Row): string[] {
  const hint = (row as Row & { [KEY_ORDER]?: readonly string[] })[KEY_ORDER];
  const keys = Object.keys(row);
  if (hint === undefined) return keys;
  const out = hint.filter((k) => k in row);
  const seen = new Set(out);
  for (const k of keys) if (!seen.has(k)) out.push(k);
  return out;
}
