/**
 * Aggregates over several time slices: each slice stores partial states of the aggregate calls,
 * one final statement merges them (search/pushdown/sliced.ts runs them).
 */
import { aggregate, hasAggregate, id, mapAggregates, raw, sql, treeKey, type SelectItem, type Sql, type SqlChunk } from '../sql/tree.js';

/** An aggregate select list rewritten into per-slice states and their final merge. */
export interface StagedAggregate {
  /** SELECT list of each slice: group keys as they were, then one state column per distinct call */
  stateSelect: SelectItem[];
  /** SELECT list over the staged table: the keys by alias, the original outputs over merged states */
  finalSelect: SelectItem[];
  /** rewrites an expression over aggregate calls of the select list or `extraCalls` (e.g. an ORDER BY) to the merged states */
  finalExpression: (expr: Sql) => Sql;
}

/**
 * Rewrites `select` (items whose alias is in `keyAliases` are group keys) so each slice stores
 * `fState(x)` per distinct aggregate call `f(x)` and the final statement computes every output
 * from `fMerge(state)`. The calls are the tree's aggregate chunks (tree.ts): nothing is read from
 * SQL text. Undefined when an output holds no aggregate call, so it could not be merged (the
 * search then runs as one statement).
 */
export function stagedAggregate(
  select: readonly SelectItem[],
  keyAliases: readonly string[],
  extraCalls: readonly Sql[] = [],
): StagedAggregate | undefined {
  const states = new Map<string, string>();
  const stateSelect: SelectItem[] = [];
  const finalSelect: SelectItem[] = [];
  const keys = new Set(keyAliases);
  const stateOf = (call: Sql, add: boolean): string | undefined => {
    const key = treeKey(call);
    let state = states.get(key);
    if (state === undefined && add) {
      state = `s${states.size}`;
      states.set(key, state);
      const chunk = call.chunks[0] as Extract<SqlChunk, { kind: 'aggregate' }>;
      stateSelect.push({ expr: sql`${raw(`${chunk.fn}State`)}(${chunk.arg ?? raw('')})`, alias: state });
    }
    return state;
  };
  const rewrite = (expr: Sql, add: boolean): Sql =>
    mapAggregates(expr, (call) => {
      const state = stateOf(aggregate(call.fn, call.arg), add);
      if (state === undefined) throw new Error(`no staged state for an aggregate call of ${call.fn}`);
      return sql`${raw(`${call.fn}Merge`)}(${id(state)})`;
    });
  const keyItems: SelectItem[] = [];
  for (const item of select) {
    if (keys.has(item.alias)) {
      keyItems.push(item);
      finalSelect.push({ expr: id(item.alias), alias: item.alias });
      continue;
    }
    if (!hasAggregate(item.expr)) return undefined;
    finalSelect.push({ expr: rewrite(item.expr, true), alias: item.alias });
  }
  for (const extra of extraCalls) rewrite(extra, true);
  return { stateSelect: [...keyItems, ...stateSelect], finalSelect, finalExpression: (expr) => rewrite(expr, false) };
}
