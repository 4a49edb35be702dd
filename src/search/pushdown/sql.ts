/**
 * The one SQL representation of the planner: text with bound parameters. User values only ever
 * enter as `{pN:Type}` placeholders (server-side binding); identifiers only through quoteIdentifier.
 */

/** A rendered statement: SQL text and the values of its `{name:Type}` placeholders. */
export interface SqlStatement {
  sql: string;
  params: Record<string, string | number>;
}

/** Quotes an identifier for ClickHouse (backticks; embedded backticks and backslashes escaped). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/**
 * The statement with only the parameters its SQL names. A plan's parameters serve all its
 * statements, and some translations bind values that a simpler form then leaves unused.
 */
export function withUsedParams(statement: SqlStatement): SqlStatement {
  const used = new Set([...statement.sql.matchAll(/\{(\w+):/g)].map((m) => m[1]));
  return { sql: statement.sql, params: Object.fromEntries(Object.entries(statement.params).filter(([name]) => used.has(name))) };
}

/** Collects bound parameters while a statement is built. */
export class ParamBinder {
  readonly params: Record<string, string | number> = {};
  private next = 0;

  /** A placeholder for `value` (type is a ClickHouse type name such as String, Int64, Float64). */
  bind(value: string | number, type: 'String' | 'Int64' | 'UInt64' | 'Float64'): string {
    const name = `p${this.next++}`;
    this.params[name] = value;
    return `{${name}:${type}}`;
  }
}
