import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, FieldName, Query, SortKey, Stage } from './ast.js';
import { parseQuery } from './parser/parser.js';
import { stripSpans } from './parser/testing.js';
import { printQuery } from './printer.js';

const span = { start: 0, end: 0 };
const NAMES = ['a', 'b_c', 'x.y', '_count', 'host', 'Status'];

const fieldName: fc.Arbitrary<FieldName> = fc.oneof(
  fc.constantFrom(...NAMES).map((name) => ({ kind: 'FieldName' as const, name, quoted: false, span })),
  fc
    .string({ minLength: 1, maxLength: 8 })
    .filter((s) => !s.includes('\\') && !s.includes('"'))
    .map((name) => ({ kind: 'FieldName' as const, name, quoted: true, span })),
);

const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.nat({ max: 100_000 }).map((value): Expr => ({ kind: 'NumberLiteral', value, raw: String(value), span })),
  fc
    .constantFrom<[string, number]>(['1.5s', 1500], ['2Ki', 2048], ['3e2', 300], ['0.25', 0.25])
    .map(([raw, value]): Expr => ({ kind: 'NumberLiteral', value, raw, span })),
  fc.string({ maxLength: 10 }).map((value): Expr => ({ kind: 'StringLiteral', value, span })),
  fc.boolean().map((value): Expr => ({ kind: 'BooleanLiteral', value, span })),
  fieldName.map((f): Expr => ({ kind: 'Field', name: f.name, quoted: f.quoted, span })),
  fc.constantFrom('p', 'user_id').map((name): Expr => ({ kind: 'Parameter', name, span })),
);

const BINARY = ['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', 'and', 'or'] as const;

const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .record({ operator: fc.constantFrom('-', '+', '!'), operand: tie('expr') })
      .map((r): Expr => ({ kind: 'Unary', ...r, span })),
    fc
      .record({ operator: fc.constantFrom(...BINARY), left: tie('expr'), right: tie('expr') })
      .map((r): Expr => ({ kind: 'Binary', ...r, span })),
    fc
      .record({
        form: fc.constantFrom('if', 'ternary'),
        condition: tie('expr'),
        then: tie('expr'),
        else: tie('expr'),
      })
      .map((r): Expr => ({
        kind: 'Conditional',
        form: r.form,
        condition: r.condition,
        then: r.then,
        else: r.else,
        span,
      })),
    fc
      .record({
        subject: tie('expr'),
        pattern: fc.oneof(
          tie('expr'),
          fc
            .stringMatching(/^[a-z.^$][a-z.*+?^$]{0,7}$/)
            .map((source): Expr => ({ kind: 'RegexLiteral', source, span })),
        ),
      })
      .map((r): Expr => ({ kind: 'Matches', ...r, span })),
    fc
      .record({
        subject: tie('expr'),
        values: fc.array(tie('expr'), { minLength: 1, maxLength: 3 }),
        negated: fc.boolean(),
      })
      .map((r): Expr => ({ kind: 'In', ...r, span })),
    fc.oneof(
      tie('expr').map((x): Expr => ({ kind: 'Call', name: 'tolowercase', nameSpan: span, args: [x], span })),
      fc
        .array(tie('expr'), { minLength: 2, maxLength: 4 })
        .map((args): Expr => ({ kind: 'Call', name: 'concat', nameSpan: span, args, span })),
      fc.constant<Expr>({ kind: 'Call', name: 'now', nameSpan: span, args: [], span }),
    ),
  ),
}));

const sortKey: fc.Arbitrary<SortKey> = fc
  .record({ expression: expr, direction: fc.constantFrom('asc' as const, 'desc' as const) })
  .map((r) => ({ kind: 'SortKey', ...r, span }));

const stage: fc.Arbitrary<Stage> = fc.oneof(
  expr.map((condition): Stage => ({ kind: 'Where', condition, span })),
  fc.record({ expression: expr, alias: fieldName }).map((r): Stage => ({ kind: 'Eval', ...r, span })),
  fc
    .array(sortKey, { minLength: 1, maxLength: 3 })
    .map((keys): Stage => ({ kind: 'Sort', keyword: 'sort', keys, span })),
  fc.integer({ min: 1, max: 10_000 }).map((count): Stage => ({ kind: 'Limit', count, span })),
);

describe('printer', () => {
  it('round-trips generated expressions and stages through the parser', () => {
    fc.assert(
      fc.property(fc.array(stage, { minLength: 1, maxLength: 4 }), (stages) => {
        const query: Query = { kind: 'Query', scope: undefined, stages, span };
        const text = printQuery(query);
        const { query: parsed, diagnostics } = parseQuery(text);
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(stripSpans(parsed)).toEqual(stripSpans(query));
      }),
      { numRuns: 1500 },
    );
  });
});
