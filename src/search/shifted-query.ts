/**
 * What `compare with timeshift` re-runs over an earlier range. The interpreter's compare stage
 * names its query as a prefix of the query it was compiled from; a search job compiles only part
 * of the query (what the SQL left, `plan.rest`, or the part after a cut at the aggregate), which
 * lacks the scope and the stages the SQL ran. The re-run must be the whole query's prefix.
 */
import type { Query } from '../query/ast.js';

/**
 * The whole query's prefix that a prefix of `part` stands for: the query's scope and every stage
 * before the one at which the prefix stops (the compare). `part`'s stages are the query's own
 * stage objects (the planner and the cut slice them, never copy them), so the compare is found by
 * identity wherever the part starts.
 */
export function wholeQueryPrefix(query: Query, part: Query, prefix: Query): Query {
  const compare = part.stages[prefix.stages.length];
  const at = compare === undefined ? -1 : query.stages.indexOf(compare);
  if (at < 0) throw new Error('compare re-runs a prefix that is not of the search query');
  return { ...query, stages: query.stages.slice(0, at) };
}
