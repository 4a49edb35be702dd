/**
 * The one SQL representation: a statement is a tree of chunks — SQL text written in code,
 * identifiers, bound values with their type, and aggregate calls — that only a dialect turns into
 * text (dialect.ts). User values only ever enter as `param` chunks and names only as `id` chunks,
 * so no value can become SQL text; rewrites (time slices, partial aggregate states) work on the
 * chunks, never on rendered text.
 */

/** Types of bound values (ClickHouse type names; a dialect maps them). */
export type SqlType = 'String' | 'Int64' | 'UInt64' | 'Float64';

/**
 * Aggregate functions the planner emits. Each is an `aggregate` chunk, so a statement split into
 * per-slice partial states can find every aggregate call without reading SQL text.
 */
export const AGGREGATE_FUNCTIONS = ['count', 'uniqExact', 'groupArray', 'sumOrNull', 'avgOrNull', 'minOrNull', 'maxOrNull', 'min', 'max', 'sum'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** The time columns of the `logs` table. */
export type TimeColumn = 'ts' | 'receipt_ts';

/**
 * Chunks are SQL text, names, values, aggregate calls — and the few operations whose SQL depends
 * on how a store lays out the `logs` table (its times, its custom fields). Those are named here and
 * spelled by the store's dialect, so the planner writes one tree for every engine.
 */
export type SqlChunk =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'identifier'; readonly name: string }
  | { readonly kind: 'param'; readonly value: string | number; readonly type: SqlType }
  | { readonly kind: 'aggregate'; readonly fn: AggregateFunction; readonly arg: Sql | undefined }
  /** a time column as epoch milliseconds (Int64) */
  | { readonly kind: 'timeMs'; readonly column: TimeColumn }
  /** a time column compared with epoch milliseconds (`ms` is Int64), so the engine can prune by it */
  | { readonly kind: 'timeCompare'; readonly column: TimeColumn; readonly op: '>=' | '<' | '='; readonly ms: Sql }
  /** a custom field's text by name, exactly, else case-insensitively (lower-cased name); NULL when absent */
  | { readonly kind: 'fieldText'; readonly exact: Sql; readonly lower: Sql }
  /** every custom field of a row, as one name → text map (a message row's `fields` column) */
  | { readonly kind: 'allFields' };

/** A piece of SQL: a sequence of chunks. Immutable; build with the `sql` tag and the helpers below. */
export class Sql {
  private constructor(readonly chunks: readonly SqlChunk[]) {}

  /** @internal the constructor for this module's helpers */
  static of(chunks: readonly SqlChunk[]): Sql {
    return new Sql(chunks);
  }

  get isEmpty(): boolean {
    return this.chunks.every((c) => c.kind === 'text' && c.text === '');
  }
}

/**
 * SQL from a template: the literal parts are SQL text written in the code, and every
 * interpolation must itself be Sql (`param`, `id`, another `sql` …) — the type system refuses a
 * string there, so a value cannot be spliced in as text.
 */
export function sql(strings: TemplateStringsArray, ...parts: readonly Sql[]): Sql {
  const chunks: SqlChunk[] = [];
  strings.forEach((text, i) => {
    if (text !== '') chunks.push({ kind: 'text', text });
    const part = parts[i];
    if (part !== undefined) chunks.push(...part.chunks);
  });
  return Sql.of(chunks);
}

/** SQL text written in the code (a constant: never a value that came from outside). */
export function raw(text: string): Sql {
  return Sql.of(text === '' ? [] : [{ kind: 'text', text }]);
}

/** A bound value. */
export function param(value: string | number, type: SqlType): Sql {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`a bound ${type} must be finite (got ${value})`);
  return Sql.of([{ kind: 'param', value, type }]);
}

/** A column, alias or table name (quoted by the dialect). */
/**
 * A row count for LIMIT or OFFSET, written as a bare number in every dialect: ClickHouse takes no
 * expression there (18.16 refuses `toUInt64(10)`, and a bound parameter needs a server that has
 * them). Only a non-negative safe integer is accepted, so the text is never more than digits.
 */
export function rowCount(n: number): Sql {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a row count: ${n}`);
  return raw(String(n));
}

export function id(name: string): Sql {
  return Sql.of([{ kind: 'identifier', name }]);
}

/** An aggregate call `fn(arg)` (`count()` without an argument). */
export function aggregate(fn: AggregateFunction, arg?: Sql): Sql {
  return Sql.of([{ kind: 'aggregate', fn, arg }]);
}

/** A time column as epoch milliseconds (Int64). */
export function timeMs(column: TimeColumn): Sql {
  return Sql.of([{ kind: 'timeMs', column }]);
}

/** `column op ms` over a time column and epoch milliseconds. */
export function timeCompare(column: TimeColumn, op: '>=' | '<' | '=', ms: Sql): Sql {
  return Sql.of([{ kind: 'timeCompare', column, op, ms }]);
}

/** A custom field's text by name (exact, else case-insensitive); NULL when the row has none. */
export function fieldText(name: string): Sql {
  return Sql.of([{ kind: 'fieldText', exact: param(name, 'String'), lower: param(name.toLowerCase(), 'String') }]);
}

/** Every custom field of a row as one map (name → text). */
export function allFields(): Sql {
  return Sql.of([{ kind: 'allFields' }]);
}

export const EMPTY: Sql = Sql.of([]);

/** The parts joined by a separator written in the code (`', '`, `' AND '` …). */
export function join(parts: readonly Sql[], separator: string): Sql {
  const chunks: SqlChunk[] = [];
  parts.forEach((part, i) => {
    if (i > 0 && separator !== '') chunks.push({ kind: 'text', text: separator });
    chunks.push(...part.chunks);
  });
  return Sql.of(chunks);
}

/** One item of a SELECT list: an expression and its output name. */
export interface SelectItem {
  readonly expr: Sql;
  readonly alias: string;
}

/** `expr AS alias, …` */
export function selectList(items: readonly SelectItem[]): Sql {
  return join(
    items.map((item) => sql`${item.expr} AS ${id(item.alias)}`),
    ', ',
  );
}

/** The tree with every aggregate call replaced by what `replace` makes of it (inside arguments too). */
export function mapAggregates(tree: Sql, replace: (call: Extract<SqlChunk, { kind: 'aggregate' }>) => Sql): Sql {
  const chunks: SqlChunk[] = [];
  for (const chunk of tree.chunks) {
    if (chunk.kind === 'aggregate') chunks.push(...replace(chunk).chunks);
    else chunks.push(chunk);
  }
  return Sql.of(chunks);
}

/** Whether the tree names the identifier anywhere (aggregate arguments included). */
export function references(tree: Sql, name: string): boolean {
  return tree.chunks.some((c) => (c.kind === 'identifier' && c.name === name) || (c.kind === 'aggregate' && c.arg !== undefined && references(c.arg, name)));
}

/** Whether the tree holds an aggregate call. */
export function hasAggregate(tree: Sql): boolean {
  return tree.chunks.some((c) => c.kind === 'aggregate');
}

/**
 * A stable text key of a tree (structure, names and values), for telling equal expressions apart
 * from different ones — never for running.
 */
export function treeKey(tree: Sql): string {
  return JSON.stringify(tree.chunks.map((c) => (c.kind === 'aggregate' ? { ...c, arg: c.arg === undefined ? null : treeKey(c.arg) } : c)));
}
