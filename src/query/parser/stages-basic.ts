import type {
  AggregateStage,
  Aggregation,
  DedupStage,
  EvalStage,
  Expr,
  FieldName,
  FieldsStage,
  LimitStage,
  SortKey,
  SortStage,
  TimesliceStage,
  TopStage,
  WhereStage,
} from '../ast.js';
import { AGGREGATES, OPERATORS, UNSUPPORTED_OPERATORS } from '../catalog/operators.js';
import { didYouMean } from '../catalog/suggest.js';
import { DIAGNOSTICS } from '../diagnostics/catalog.js';
import { TokenKind } from '../lexer/token.js';
import { atDuration, expectStageEnd, parseDuration, parseNumberValue } from './common.js';
import type { Cursor } from './cursor.js';
import { atFieldName, parseExpression, parseFieldName, parseFieldNameList } from './expression.js';

/** Every name that may follow `|`, for did-you-mean. */
export function knownOperatorNames(): string[] {
  return [
    ...OPERATORS.keys(),
    ...AGGREGATES.keys(),
    ...UNSUPPORTED_OPERATORS.filter((n) => !n.includes(' ')),
  ];
}

export const MAX_LIMIT = 10_000;

/** `where <expr>`. */
export function parseWhereStage(c: Cursor, start: number): WhereStage {
  const condition = parseExpression(c);
  expectStageEnd(c, 'where');
  return { kind: 'Where', condition, span: c.spanFrom(start) };
}

/** `<expr> [as name]`, the stage for `if(…) as x`, `a + b as c`, `num(x)`. */
export function parseEvalStage(c: Cursor, start: number): EvalStage {
  const first = c.peek();
  const startsWithBareWord = first.kind === TokenKind.Word && !c.is(TokenKind.LParen, 1);
  const expression = parseExpression(c);
  let alias: FieldName | undefined;
  if (c.acceptWord('as')) alias = parseFieldName(c);
  else if (startsWithBareWord && expression.kind === 'Field') {
    // `| foo bar` or `| foo`: an unknown operator rather than an expression.
    const span = { start: first.start, end: first.end };
    c.fail(
      DIAGNOSTICS.UnknownOperator,
      span,
      { name: first.text },
      didYouMean(first.text, knownOperatorNames()),
    );
  }
  expectStageEnd(c, alias === undefined ? 'the expression' : `"as ${alias.name}"`);
  if (alias === undefined && expression.kind === 'Call' && ALIAS_REQUIRED.has(expression.name)) {
    c.report(DIAGNOSTICS.MissingAlias, expression.span, { name: expression.name });
  }
  return { kind: 'Eval', expression, alias, span: c.spanFrom(start) };
}

/** Functions whose stage form needs `as <field>` in Sumo (sumo-logic.md §1.6: concat, substring …). */
const ALIAS_REQUIRED: ReadonlySet<string> = new Set([
  'concat',
  'substring',
  'format',
  'formatdate',
  'replace',
]);

/** Field-name pattern for `fields`: a name, possibly with glued `*` wildcards (`_source*`, `*`). */
function parseFieldPattern(c: Cursor): FieldName {
  const first = c.peek();
  const gluable = (kind: TokenKind): boolean =>
    kind === TokenKind.Star || kind === TokenKind.Word || kind === TokenKind.Number;
  if (
    !gluable(first.kind) ||
    (first.kind !== TokenKind.Star && !(c.is(TokenKind.Star, 1) && !c.peek(1).spaceBefore))
  ) {
    return parseFieldName(c);
  }
  const start = first.start;
  let end = start;
  for (let t = c.peek(); gluable(t.kind) && (end === start || !t.spaceBefore); t = c.peek()) {
    c.next();
    end = t.end;
  }
  return { kind: 'FieldName', name: c.ctx.text.slice(start, end), quoted: false, span: { start, end } };
}

/** `fields [-|+] a, b` / `fields(a, b)`. */
export function parseFieldsStage(c: Cursor, start: number): FieldsStage {
  let mode: FieldsStage['mode'] = 'keep';
  if (c.accept(TokenKind.Minus)) mode = 'remove';
  else c.accept(TokenKind.Plus);
  const parenthesised = c.accept(TokenKind.LParen) !== undefined;
  const fields: FieldName[] = [];
  const seen = new Set<string>();
  do {
    const name = parseFieldPattern(c);
    if (seen.has(name.name)) c.report(DIAGNOSTICS.DuplicateField, name.span, { name: name.name });
    seen.add(name.name);
    fields.push(name);
  } while (c.accept(TokenKind.Comma));
  if (parenthesised) c.expect(TokenKind.RParen, '")"');
  expectStageEnd(c, 'fields');
  return { kind: 'Fields', mode, fields, span: c.spanFrom(start) };
}

/** `limit N`. */
export function parseLimitStage(c: Cursor, start: number): LimitStage {
  const t = c.peek();
  const count = parseNumberValue(c, 'a row count', true);
  if (!Number.isNaN(count) && (count < 1 || count > MAX_LIMIT)) {
    c.fail(DIAGNOSTICS.LimitOutOfRange, c.spanFrom(t.start), { max: MAX_LIMIT, value: count });
  }
  expectStageEnd(c, 'limit');
  return { kind: 'Limit', count, span: c.spanFrom(start) };
}

/** `dedup [consecutive] [N] [by] f1, f2`. */
export function parseDedupStage(c: Cursor, start: number): DedupStage {
  const consecutive = c.acceptWord('consecutive') !== undefined;
  let count: number | undefined;
  if (c.is(TokenKind.Number) || c.is(TokenKind.Parameter)) count = parseNumberValue(c, 'a count', true);
  let by: FieldName[] = [];
  if (c.acceptWord('by') || atFieldName(c)) by = parseFieldNameList(c);
  expectStageEnd(c, 'dedup');
  return { kind: 'Dedup', consecutive, count, by, span: c.spanFrom(start) };
}

/** `timeslice [by] [5m | N buckets] [as f]`. */
export function parseTimesliceStage(c: Cursor, start: number): TimesliceStage {
  c.acceptWord('by');
  let stage: TimesliceStage = {
    kind: 'Timeslice',
    size: undefined,
    buckets: undefined,
    alias: undefined,
    span: { start, end: start },
  };
  if (c.is(TokenKind.Number) && c.isWord('buckets', 1)) {
    stage.buckets = parseNumberValue(c, 'a bucket count', true);
    c.next();
  } else if (atDuration(c) || c.is(TokenKind.Number)) {
    stage.size = parseDuration(c);
  }
  if (c.acceptWord('as')) stage.alias = parseFieldName(c);
  expectStageEnd(c, 'timeslice');
  stage = { ...stage, span: c.spanFrom(start) };
  return stage;
}

/** One sort key: `[+|-] expr [asc|desc]`. */
export function parseSortKey(c: Cursor): SortKey {
  const start = c.peek().start;
  let direction: SortKey['direction'] = 'desc';
  if (c.accept(TokenKind.Plus)) direction = 'asc';
  else if (c.accept(TokenKind.Minus)) direction = 'desc';
  const expression = parseExpression(c);
  if (c.acceptWord('asc') || c.acceptWord('ascending')) direction = 'asc';
  else if (c.acceptWord('desc') || c.acceptWord('descending')) direction = 'desc';
  return { kind: 'SortKey', expression, direction, span: c.spanFrom(start) };
}

/** `sort [by] k [asc|desc], …` / `order by …`. */
export function parseSortStage(c: Cursor, start: number, keyword: 'sort' | 'order'): SortStage {
  c.acceptWord('by');
  const keys: SortKey[] = [];
  do {
    keys.push(parseSortKey(c));
  } while (c.accept(TokenKind.Comma));
  expectStageEnd(c, keyword);
  return { kind: 'Sort', keyword, keys, span: c.spanFrom(start) };
}

/** `top [N] f1, f2 [by k [asc|desc], …]`; what the `by` means is the interpreter's (top-form.ts). */
export function parseTopStage(c: Cursor, start: number): TopStage {
  let count: number | undefined;
  if (c.is(TokenKind.Number) || c.is(TokenKind.Parameter)) {
    const t = c.peek();
    count = parseNumberValue(c, 'a row count', true);
    if (count < 1) c.fail(DIAGNOSTICS.InvalidOption, c.spanFrom(t.start), { option: 'the row count of top', reason: `must be at least 1, got ${count}` });
  }
  const fields: FieldName[] = [];
  do {
    fields.push(parseFieldName(c));
  } while (c.accept(TokenKind.Comma));
  const by: SortKey[] = [];
  if (c.acceptWord('by')) {
    do {
      by.push(parseSortKey(c));
    } while (c.accept(TokenKind.Comma));
  }
  expectStageEnd(c, 'top');
  return { kind: 'Top', count, fields, by, span: c.spanFrom(start) };
}

/** One aggregation: `name[(args)] [bare args] [as alias]`. */
function parseAggregation(c: Cursor): Aggregation {
  const nameToken = c.peek();
  const name = nameToken.kind === TokenKind.Word ? nameToken.text.toLowerCase() : '';
  const info = AGGREGATES.get(name);
  if (info === undefined) {
    const span = { start: nameToken.start, end: nameToken.end };
    if (nameToken.kind !== TokenKind.Word) c.failUnexpected('an aggregate function such as count or sum');
    c.fail(
      DIAGNOSTICS.UnknownAggregate,
      span,
      { name: nameToken.text },
      didYouMean(nameToken.text, AGGREGATES.keys()),
    );
  }
  c.next();
  const args: Expr[] = [];
  if (c.accept(TokenKind.LParen)) {
    if (!c.is(TokenKind.RParen)) {
      do {
        if (c.is(TokenKind.Star) && (c.is(TokenKind.RParen, 1) || c.is(TokenKind.Comma, 1))) {
          const star = c.next();
          args.push({ kind: 'Field', name: '*', quoted: false, span: { start: star.start, end: star.end } });
        } else args.push(parseExpression(c));
      } while (c.accept(TokenKind.Comma));
    }
    c.expect(TokenKind.RParen, '"," or ")" in the argument list');
  } else if (info.bareArgs === true && atFieldName(c) && !isGroupBy(c)) {
    // `count_frequent a, b`
    do {
      const field = parseFieldName(c);
      args.push({ kind: 'Field', name: field.name, quoted: field.quoted, span: field.span });
    } while (
      c.is(TokenKind.Comma) &&
      !AGGREGATES.has(c.peek(1).text.toLowerCase()) &&
      c.next() !== undefined
    );
  }
  const span = c.spanFrom(nameToken.start);
  if (args.length < info.minArgs || args.length > info.maxArgs) {
    const expected =
      info.minArgs === info.maxArgs
        ? String(info.minArgs)
        : info.maxArgs === Number.POSITIVE_INFINITY
          ? `at least ${info.minArgs}`
          : `${info.minArgs} to ${info.maxArgs}`;
    c.fail(DIAGNOSTICS.WrongArity, span, { name, expected, got: args.length });
  }
  let alias: FieldName | undefined;
  if (c.acceptWord('as')) alias = parseFieldName(c);
  return {
    kind: 'Aggregation',
    function: name,
    functionSpan: { start: nameToken.start, end: nameToken.end },
    args,
    alias,
    span: c.spanFrom(nameToken.start),
  };
}

function isGroupBy(c: Cursor): boolean {
  return c.isWord('by') || (c.isWord('group') && c.isWord('by', 1));
}

/** Sumo's rules for an aggregate list: field arguments only, distinct output names. */
function checkAggregations(c: Cursor, aggregations: readonly Aggregation[]): void {
  const outputs = new Map<string, Aggregation>();
  const frequent = aggregations.find((a) => a.function === 'count_frequent');
  if (frequent !== undefined && aggregations.length > 1)
    c.report(DIAGNOSTICS.CountFrequentAlone, frequent.functionSpan);
  for (const a of aggregations) {
    // `avg(x + y)` is rejected by Sumo: compute `x + y as z` first. pct/topk take numbers too.
    for (const arg of a.args) {
      const allowed =
        arg.kind === 'Field' ||
        arg.kind === 'Parameter' ||
        (arg.kind === 'NumberLiteral' &&
          (a.function === 'pct' || a.function === 'percentile' || a.function === 'topk'));
      if (!allowed) c.report(DIAGNOSTICS.AggregateArgument, arg.span, { name: a.function });
    }
    if (a.alias === undefined && a.function !== 'pct' && a.function !== 'percentile') {
      const output = AGGREGATES.get(a.function)?.output ?? a.function;
      const previous = outputs.get(output);
      if (previous !== undefined)
        c.report(DIAGNOSTICS.DuplicateAggregateOutput, a.span, { output }, `add "as <name>" to one of them`);
      outputs.set(output, a);
    }
  }
}

/** `agg [as a], agg … [[group] by] k1, k2` — `by` may be omitted (`count _sourceHost`). */
export function parseAggregateStage(c: Cursor, start: number): AggregateStage {
  const aggregations: Aggregation[] = [];
  do {
    aggregations.push(parseAggregation(c));
  } while (c.accept(TokenKind.Comma));
  let groupBy: FieldName[] = [];
  if (c.isWord('group') && c.isWord('by', 1)) {
    c.next();
    c.next();
    groupBy = parseFieldNameList(c);
  } else if (c.acceptWord('by')) groupBy = parseFieldNameList(c);
  else if (!c.atEnd() && atFieldName(c)) groupBy = parseFieldNameList(c); // `count _sourceHost`: `by` is optional
  expectStageEnd(c, aggregations[0]?.function ?? 'aggregate');
  checkAggregations(c, aggregations);
  return { kind: 'Aggregate', aggregations, groupBy, span: c.spanFrom(start) };
}
