/**
 * What a `top` stage computes, decided once for the interpreter (stages-aggregate.ts) and the
 * pushdown planner (query/plan/plan.ts), so both read `top N f … by …` the same way.
 *
 * Sumo documents `top <#> <field> [by <group_by_operator>]`: `top 5 _sourceCategory` and
 * `top 5 _sourceCategory by count` both count the messages by the field and keep the 5 largest
 * counts, `top 10 _sourceCategory by _messagetime` ranks by message time, and after an aggregate
 * `count user | top 2 user by _count` ranks the records. Our reading:
 * - `count`: no `by`, or over messages a `by` naming the count (`count`, `_count`): count by the
 *   fields, rank the groups by the keys (the count is `_count`; other keys must be listed fields),
 *   keep N. Same as `count by f… | sort by _count | limit N`.
 * - `rank`: any other `by`: rank the rows by the keys and keep N. Over messages the rows become
 *   records of the listed fields and the key fields (`project`); records keep their fields.
 */
import type { Expr, FieldName, SortKey, Span, TopStage } from '../ast.js';
import { printExpr } from '../printer.js';

/** Sumo's default row count of `top`. */
export const TOP_DEFAULT_COUNT = 10;

export type TopForm =
  | { kind: 'count'; count: number; fields: FieldName[]; keys: SortKey[] }
  | { kind: 'rank'; count: number; fields: FieldName[]; keys: SortKey[]; project: string[] | undefined }
  | { kind: 'invalid'; message: string; span: Span };

/** True for a `by` key that names the count: `count`, `_count` (any case). */
export function namesCount(e: Expr): boolean {
  if (e.kind !== 'Field') return false;
  const name = e.name.toLowerCase();
  return name === '_count' || (name === 'count' && !e.quoted);
}

/** Decides how `stage` runs; `overRecords` when an aggregate ran before it. */
export function topForm(stage: TopStage, overRecords: boolean): TopForm {
  const count = stage.count ?? TOP_DEFAULT_COUNT;
  const fields = stage.fields;
  const countKey = (span: Span, direction: SortKey['direction']): SortKey => ({
    kind: 'SortKey',
    span,
    direction,
    expression: { kind: 'Field', span, name: '_count', quoted: false },
  });
  if (stage.by.length === 0) return { kind: 'count', count, fields, keys: [countKey(stage.span, 'desc')] };
  if (overRecords) return { kind: 'rank', count, fields, keys: stage.by, project: undefined };

  const listed = new Set(fields.map((f) => f.name.toLowerCase()));
  const listedText = fields.map((f) => f.name).join(', ');
  if (stage.by.some((k) => namesCount(k.expression))) {
    const keys: SortKey[] = [];
    for (const k of stage.by) {
      if (namesCount(k.expression)) {
        keys.push(countKey(k.span, k.direction));
        continue;
      }
      if (k.expression.kind !== 'Field' || !listed.has(k.expression.name.toLowerCase())) {
        const key = printExpr(k.expression);
        return {
          kind: 'invalid',
          message: `top … by count ranks the groups of ${listedText} by _count; ${key} is not a listed field (list it: top ${count} ${listedText}, ${key} by count)`,
          span: k.span,
        };
      }
      keys.push(k);
    }
    return { kind: 'count', count, fields, keys };
  }
  const expression = stage.by.find((k) => k.expression.kind !== 'Field');
  if (expression !== undefined) {
    return {
      kind: 'invalid',
      message: `top over messages ranks by count or by a field: name the value first (${printExpr(expression.expression)} as v | top ${count} ${listedText} by v)`,
      span: expression.span,
    };
  }
  // Records of the listed fields and the key fields, each once (names compare in any case).
  const project: string[] = [];
  const seen = new Set<string>();
  for (const name of [...fields.map((f) => f.name), ...stage.by.flatMap((k) => (k.expression.kind === 'Field' ? [k.expression.name] : []))]) {
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    project.push(name);
  }
  return { kind: 'rank', count, fields, keys: stage.by, project };
}
