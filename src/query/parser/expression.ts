import type { BinaryOperator, Expr, FieldName, FieldRef } from '../ast.js';
import { findFunction, FUNCTIONS } from '../catalog/functions.js';
import { AGGREGATES } from '../catalog/operators.js';
import { didYouMean } from '../catalog/suggest.js';
import { DIAGNOSTICS } from '../diagnostics/catalog.js';
import { unescapeString } from '../lexer/escapes.js';
import { TokenKind, type Token } from '../lexer/token.js';
import { MAX_DEPTH, type Cursor } from './cursor.js';
import { parseNumberText } from './literals.js';

/** Words that end an expression instead of being read as field names. */
export const EXPRESSION_STOP_WORDS: ReadonlySet<string> = new Set(['as', 'by']);

const COMPARISON: ReadonlyMap<TokenKind, BinaryOperator> = new Map<TokenKind, BinaryOperator>([
  [TokenKind.Equal, '='],
  [TokenKind.EqualEqual, '='],
  [TokenKind.NotEqual, '!='],
  [TokenKind.LessGreater, '!='],
  [TokenKind.Less, '<'],
  [TokenKind.LessEqual, '<='],
  [TokenKind.Greater, '>'],
  [TokenKind.GreaterEqual, '>='],
]);

function enter(c: Cursor): void {
  c.ctx.depth++;
  if (c.ctx.depth > MAX_DEPTH) {
    const t = c.peek();
    c.fail(DIAGNOSTICS.NestingTooDeep, { start: t.start, end: t.end });
  }
}

function leave(c: Cursor): void {
  c.ctx.depth--;
}

/** expression := ternary */
export function parseExpression(c: Cursor): Expr {
  enter(c);
  try {
    const start = c.peek().start;
    const condition = parseOr(c);
    if (!c.accept(TokenKind.Question)) return condition;
    const then = parseExpression(c);
    c.expect(TokenKind.Colon, '":" of the ?: expression');
    const otherwise = parseExpression(c);
    return {
      kind: 'Conditional',
      form: 'ternary',
      condition,
      then,
      else: otherwise,
      span: c.spanFrom(start),
    };
  } finally {
    leave(c);
  }
}

function parseOr(c: Cursor): Expr {
  const start = c.peek().start;
  let left = parseAnd(c);
  while (c.isWord('or') || c.is(TokenKind.OrOr)) {
    c.next();
    const right = parseAnd(c);
    left = { kind: 'Binary', operator: 'or', left, right, span: c.spanFrom(start) };
  }
  return left;
}

function parseAnd(c: Cursor): Expr {
  const start = c.peek().start;
  let left = parseNot(c);
  while (c.isWord('and') || c.is(TokenKind.AndAnd)) {
    c.next();
    const right = parseNot(c);
    left = { kind: 'Binary', operator: 'and', left, right, span: c.spanFrom(start) };
  }
  return left;
}

function parseNot(c: Cursor): Expr {
  if (c.isWord('not') && !c.is(TokenKind.LParen, 1) && !isOperatorAfterNot(c)) {
    const start = c.next().start;
    enter(c);
    try {
      const operand = parseNot(c);
      return { kind: 'Unary', operator: '!', operand, span: c.spanFrom(start) };
    } finally {
      leave(c);
    }
  }
  if (c.isWord('not') && c.is(TokenKind.LParen, 1)) {
    const start = c.next().start;
    const operand = parseComparison(c);
    return { kind: 'Unary', operator: '!', operand, span: c.spanFrom(start) };
  }
  return parseComparison(c);
}

/** `not` directly followed by a binary-ish token is a field named `not`; rare but keeps us honest. */
function isOperatorAfterNot(c: Cursor): boolean {
  const next = c.peek(1);
  return (
    COMPARISON.has(next.kind) ||
    next.kind === TokenKind.EOF ||
    next.kind === TokenKind.Comma ||
    next.kind === TokenKind.RParen
  );
}

function parseComparison(c: Cursor): Expr {
  const start = c.peek().start;
  const left = parseAdditive(c);
  const op = COMPARISON.get(c.peek().kind);
  if (op !== undefined) {
    c.next();
    const right = parseAdditive(c);
    return { kind: 'Binary', operator: op, left, right, span: c.spanFrom(start) };
  }
  if (c.isWord('matches')) {
    c.next();
    const pattern = parseAdditive(c);
    return { kind: 'Matches', subject: left, pattern, span: c.spanFrom(start) };
  }
  if (c.isWord('in') && c.is(TokenKind.LParen, 1)) {
    c.next();
    const values = parseValueList(c);
    return { kind: 'In', subject: left, values, negated: false, span: c.spanFrom(start) };
  }
  if (c.isWord('not') && c.isWord('in', 1)) {
    c.next();
    c.next();
    const values = parseValueList(c);
    return { kind: 'In', subject: left, values, negated: true, span: c.spanFrom(start) };
  }
  if (c.isWord('contains')) {
    // `a contains "b"` (seen in real queries) is the function contains(a, "b").
    const word = c.next();
    const needle = parseAdditive(c);
    return {
      kind: 'Call',
      name: 'contains',
      nameSpan: { start: word.start, end: word.end },
      args: [left, needle],
      span: c.spanFrom(start),
    };
  }
  if (c.isWord('not') && c.isWord('matches', 1)) {
    c.next();
    c.next();
    const pattern = parseAdditive(c);
    const matches: Expr = { kind: 'Matches', subject: left, pattern, span: c.spanFrom(start) };
    return { kind: 'Unary', operator: '!', operand: matches, span: c.spanFrom(start) };
  }
  return left;
}

function parseValueList(c: Cursor): Expr[] {
  c.expect(TokenKind.LParen, '"(" before the list of values');
  const values: Expr[] = [];
  if (!c.is(TokenKind.RParen)) {
    do {
      values.push(parseExpression(c));
    } while (c.accept(TokenKind.Comma));
  }
  c.expect(TokenKind.RParen, '"," or ")" in the list of values');
  return values;
}

function parseAdditive(c: Cursor): Expr {
  const start = c.peek().start;
  let left = parseMultiplicative(c);
  for (;;) {
    const t = c.peek();
    if (t.kind !== TokenKind.Plus && t.kind !== TokenKind.Minus) return left;
    c.next();
    const right = parseMultiplicative(c);
    left = {
      kind: 'Binary',
      operator: t.kind === TokenKind.Plus ? '+' : '-',
      left,
      right,
      span: c.spanFrom(start),
    };
  }
}

function parseMultiplicative(c: Cursor): Expr {
  const start = c.peek().start;
  let left = parseUnary(c);
  for (;;) {
    const t = c.peek();
    let op: BinaryOperator | undefined;
    if (t.kind === TokenKind.Star) op = '*';
    else if (t.kind === TokenKind.Slash) op = '/';
    else if (t.kind === TokenKind.Percent) op = '%';
    if (op === undefined) return left;
    c.next();
    const right = parseUnary(c);
    left = { kind: 'Binary', operator: op, left, right, span: c.spanFrom(start) };
  }
}

function parseUnary(c: Cursor): Expr {
  const t = c.peek();
  if (t.kind === TokenKind.Minus || t.kind === TokenKind.Plus || t.kind === TokenKind.Bang) {
    c.next();
    enter(c);
    try {
      const operand = parseUnary(c);
      const operator = t.kind === TokenKind.Minus ? '-' : t.kind === TokenKind.Plus ? '+' : '!';
      return { kind: 'Unary', operator, operand, span: c.spanFrom(t.start) };
    } finally {
      leave(c);
    }
  }
  return parsePrimary(c);
}

function parsePrimary(c: Cursor): Expr {
  const t = c.peek();
  const span = { start: t.start, end: t.end };
  switch (t.kind) {
    case TokenKind.Number: {
      c.next();
      const value = parseNumberText(t.text);
      if (value === undefined) c.fail(DIAGNOSTICS.InvalidNumber, span, { text: t.text });
      return { kind: 'NumberLiteral', value, raw: t.text, span };
    }
    case TokenKind.String:
      c.next();
      return { kind: 'StringLiteral', value: unescapeString(t.value ?? ''), span };
    case TokenKind.Regex:
      c.next();
      return { kind: 'RegexLiteral', source: t.value ?? '', span };
    case TokenKind.Parameter:
      c.next();
      return { kind: 'Parameter', name: t.value ?? '', span };
    case TokenKind.QuotedField:
      c.next();
      return { kind: 'Field', name: t.value ?? '', quoted: true, span };
    case TokenKind.LParen: {
      c.next();
      const inner = parseExpression(c);
      c.expect(TokenKind.RParen, '")"');
      // Parentheses are not nodes; widen the span to include them.
      inner.span = c.spanFrom(t.start);
      return inner;
    }
    case TokenKind.Word:
      return parseWordPrimary(c, t);
    case TokenKind.Subquery:
      return c.fail(DIAGNOSTICS.UnsupportedOperator, span, { name: 'subquery' });
    default:
      return c.failUnexpected(
        'an expression',
        t.kind === TokenKind.SingleString ? 'string literals use double quotes: "…"' : undefined,
      );
  }
}

function parseWordPrimary(c: Cursor, t: Token): Expr {
  const lower = t.text.toLowerCase();
  if (c.is(TokenKind.LParen, 1)) return parseCall(c, t);
  if (EXPRESSION_STOP_WORDS.has(lower)) return c.failUnexpected('an expression');
  c.next();
  const span = { start: t.start, end: t.end };
  if (lower === 'true' || lower === 'false') return { kind: 'BooleanLiteral', value: lower === 'true', span };
  return { kind: 'Field', name: t.text, quoted: false, span };
}

function parseCall(c: Cursor, nameToken: Token): Expr {
  c.next();
  c.next(); // (
  const name = nameToken.text.toLowerCase();
  const nameSpan = { start: nameToken.start, end: nameToken.end };
  const args: Expr[] = [];
  if (!c.is(TokenKind.RParen)) {
    do {
      args.push(parseExpression(c));
    } while (c.accept(TokenKind.Comma));
  }
  c.expect(TokenKind.RParen, '"," or ")" in the argument list');
  const span = c.spanFrom(nameToken.start);
  if (name === 'if') {
    if (args.length !== 3)
      c.fail(DIAGNOSTICS.WrongArity, span, { name: 'if', expected: 3, got: args.length });
    return { kind: 'Conditional', form: 'if', condition: args[0]!, then: args[1]!, else: args[2]!, span };
  }
  checkCall(c, name, nameToken.text, nameSpan, span, args.length);
  return { kind: 'Call', name, nameSpan, args, span };
}

/** Reports unknown functions, aggregates used as values, unsupported functions and wrong arity. */
function checkCall(
  c: Cursor,
  name: string,
  written: string,
  nameSpan: { start: number; end: number },
  span: { start: number; end: number },
  argCount: number,
): void {
  const info = findFunction(name);
  if (info === undefined) {
    if (AGGREGATES.has(name)) c.fail(DIAGNOSTICS.AggregateInExpression, nameSpan, { name: written });
    const names = [...FUNCTIONS.values()].map((f) => f.displayName);
    c.fail(DIAGNOSTICS.UnknownFunction, nameSpan, { name: written }, didYouMean(written, names));
  }
  if (argCount < info.minArgs || argCount > info.maxArgs) {
    const expected =
      info.minArgs === info.maxArgs
        ? String(info.minArgs)
        : info.maxArgs === Number.POSITIVE_INFINITY
          ? `at least ${info.minArgs}`
          : `${info.minArgs} to ${info.maxArgs}`;
    c.fail(DIAGNOSTICS.WrongArity, span, { name: info.displayName, expected, got: argCount });
  }
  if (info.supported === false)
    c.report(DIAGNOSTICS.UnsupportedFunction, nameSpan, { name: info.displayName });
}

/** Reads a field name (alias, `field=`, group key): a word, `%"…"`, `` `…` `` or a digits-first word. */
export function parseFieldName(c: Cursor): FieldName {
  const t = c.peek();
  const span = { start: t.start, end: t.end };
  if (t.kind === TokenKind.Word && !EXPRESSION_STOP_WORDS.has(t.text.toLowerCase())) {
    c.next();
    return { kind: 'FieldName', name: t.text, quoted: false, span };
  }
  if (t.kind === TokenKind.QuotedField) {
    c.next();
    return { kind: 'FieldName', name: t.value ?? '', quoted: true, span };
  }
  if (t.kind === TokenKind.Number) {
    c.next();
    return { kind: 'FieldName', name: t.text, quoted: false, span };
  }
  if (t.kind === TokenKind.Parameter) {
    c.next();
    return { kind: 'FieldName', name: t.text, quoted: false, span };
  }
  return c.fail(DIAGNOSTICS.ExpectedFieldName, c.spanOfCurrent(), { found: c.describe(t) });
}

/** True when the current token can start a field name. */
export function atFieldName(c: Cursor): boolean {
  const t = c.peek();
  if (t.kind === TokenKind.Word) return !EXPRESSION_STOP_WORDS.has(t.text.toLowerCase());
  return t.kind === TokenKind.QuotedField || t.kind === TokenKind.Number || t.kind === TokenKind.Parameter;
}

/** `a, b, c` or `(a, b, c)`. */
export function parseFieldNameList(c: Cursor): FieldName[] {
  const parenthesised = c.accept(TokenKind.LParen) !== undefined;
  const names: FieldName[] = [];
  do {
    names.push(parseFieldName(c));
  } while (c.accept(TokenKind.Comma));
  if (parenthesised) c.expect(TokenKind.RParen, '")"');
  return names;
}

/** A field reference expression built from a name (used for generic key lists). */
export function fieldRefOf(name: FieldName): FieldRef {
  return { kind: 'Field', name: name.name, quoted: name.quoted, span: name.span };
}
