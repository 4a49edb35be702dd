/**
 * Dialects: the only code that turns a SQL tree (tree.ts) into text, including the operations whose
 * SQL depends on the store's table layout (times, custom fields). ClickHouse in three forms: with
 * server-side bound parameters (`{p0:String}`: chDB and modern servers) and chDB's layout; with
 * inline literals and that layout; and ClickHouse 18.16, with inline literals (it has no query
 * parameters) and its own layout (no DateTime64, no Map).
 * Identifiers and string literals both go through `quoteIdentifier` / `quoteString` here — the
 * one escaper.
 */
import type { Sql, SqlChunk, SqlType } from './tree.js';

/** A rendered statement: SQL text and the values of its `{name:Type}` placeholders. */
export interface SqlStatement {
  sql: string;
  params: Record<string, string | number>;
}

export interface SqlDialect {
  readonly name: string;
  /** The statement's text and bound values. */
  render(tree: Sql): SqlStatement;
}

/** Quotes an identifier for ClickHouse (backticks; embedded backticks and backslashes escaped). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/** A ClickHouse string literal: quotes and backslashes escaped, control characters as `\xHH`. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\x00-\x1f\x7f]/g, (c) => (c === '\\' || c === "'" ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))}'`;
}

/** A value as a ClickHouse literal of its type (the form for servers without query parameters). */
export function literal(value: string | number, type: SqlType): string {
  if (type === 'String') return quoteString(String(value));
  const n = Number(value);
  if (!Number.isFinite(n)) throw new RangeError(`not a finite ${type}: ${value}`);
  if ((type === 'Int64' || type === 'UInt64') && !Number.isSafeInteger(n)) throw new RangeError(`not a safe integer for ${type}: ${value}`);
  if (type === 'UInt64' && n < 0) throw new RangeError(`a UInt64 cannot be negative: ${value}`);
  // Negative numbers in parentheses: `x - -1` and `-1` after an operator read as meant.
  const text = n < 0 ? `(${String(n)})` : String(n);
  return `to${type}(${text})`;
}

/** How a dialect spells the operations that depend on the store's table layout (times, custom fields). */
interface Layout {
  timeMs(column: string): string;
  timeCompare(column: string, op: string, ms: string): string;
  fieldText(exact: string, lower: string): string;
  allFields(): string;
}

/** chDB's and modern ClickHouse's layout: DateTime64(3) times, a Map(String, String) of fields. */
const mapLayout: Layout = {
  timeMs: (column) => `toUnixTimestamp64Milli(${quoteIdentifier(column)})`,
  timeCompare: (column, op, ms) => `${quoteIdentifier(column)} ${op} fromUnixTimestamp64Milli(${ms})`,
  fieldText: (exact, lower) =>
    `multiIf(mapContains(fields, ${exact}), fields[${exact}], has(arrayMap(k -> lowerUTF8(k), mapKeys(fields)), ${lower}), fields[arrayFirst(k -> lowerUTF8(k) = ${lower}, mapKeys(fields))], NULL)`,
  allFields: () => 'fields',
};

/**
 * ClickHouse 18.16's layout (src/store/clickhouse/schema.ts): times are Int64 epoch milliseconds
 * (no DateTime64), custom fields a Nested(key, value) (no Map). `allFields` is an array of
 * [key, value] pairs, which the adapter turns into the port's object.
 */
const nestedLayout: Layout = {
  timeMs: (column) => quoteIdentifier(column),
  timeCompare: (column, op, ms) => `${quoteIdentifier(column)} ${op} ${ms}`,
  fieldText: (exact, lower) =>
    `multiIf(has(\`fields.key\`, ${exact}), \`fields.value\`[indexOf(\`fields.key\`, ${exact})], has(arrayMap(k -> lowerUTF8(k), \`fields.key\`), ${lower}), \`fields.value\`[indexOf(arrayMap(k -> lowerUTF8(k), \`fields.key\`), ${lower})], NULL)`,
  allFields: () => 'arrayMap((k, v) -> [k, v], `fields.key`, `fields.value`)',
};

function renderChunks(chunks: readonly SqlChunk[], place: (value: string | number, type: SqlType) => string, layout: Layout): string {
  let out = '';
  for (const c of chunks) {
    switch (c.kind) {
      case 'text':
        out += c.text;
        break;
      case 'identifier':
        out += quoteIdentifier(c.name);
        break;
      case 'param':
        out += place(c.value, c.type);
        break;
      case 'aggregate':
        out += `${c.fn}(${c.arg === undefined ? '' : renderChunks(c.arg.chunks, place, layout)})`;
        break;
      case 'timeMs':
        out += layout.timeMs(c.column);
        break;
      case 'timeCompare':
        out += layout.timeCompare(c.column, c.op, renderChunks(c.ms.chunks, place, layout));
        break;
      case 'fieldText':
        out += layout.fieldText(renderChunks(c.exact.chunks, place, layout), renderChunks(c.lower.chunks, place, layout));
        break;
      case 'allFields':
        out += layout.allFields();
        break;
    }
  }
  return out;
}

/**
 * ClickHouse with bound parameters: each distinct (type, value) is one placeholder `{pN:Type}`,
 * numbered in order of first use, so equal trees render to equal text.
 */
export const clickhouseDialect: SqlDialect = {
  name: 'clickhouse',
  render(tree) {
    const params: Record<string, string | number> = {};
    const names = new Map<string, string>();
    const sql = renderChunks(tree.chunks, (value, type) => {
      const key = `${type}:${typeof value}:${String(value)}`;
      let name = names.get(key);
      if (name === undefined) {
        name = `p${names.size}`;
        names.set(key, name);
        params[name] = value;
      }
      return `{${name}:${type}}`;
    }, mapLayout);
    return { sql, params };
  },
};

/** ClickHouse without query parameters (servers before 19.x): values as escaped literals. */
export const clickhouseInlineDialect: SqlDialect = {
  name: 'clickhouse-inline',
  render(tree) {
    return { sql: renderChunks(tree.chunks, literal, mapLayout), params: {} };
  },
};

/**
 * ClickHouse 18.16 (Debian's server package): inline literals and its own table layout (Int64
 * epoch-ms times, Nested fields; see `nestedLayout`).
 */
export const clickhouse18Dialect: SqlDialect = {
  name: 'clickhouse-18',
  render(tree) {
    return { sql: renderChunks(tree.chunks, literal, nestedLayout), params: {} };
  },
};
