import type { ScopeExpr } from '../ast.js';
import { DIAGNOSTICS } from '../diagnostics/catalog.js';
import { unescapeString } from '../lexer/escapes.js';
import { TokenKind } from '../lexer/token.js';
import { MAX_DEPTH, type Cursor } from './cursor.js';

const hasWildcard = (text: string): boolean => text.includes('*') || text.includes('?');

/** Parses the keyword expression (NOT > AND > OR; AND implicit). */
export function parseScope(c: Cursor): ScopeExpr {
  const expr = parseOr(c);
  if (!c.atEnd()) {
    const t = c.peek();
    if (t.kind === TokenKind.RParen)
      c.fail(DIAGNOSTICS.UnbalancedParenthesis, { start: t.start, end: t.end });
    c.failUnexpected('a search term');
  }
  return expr;
}

function parseOr(c: Cursor): ScopeExpr {
  const start = c.peek().start;
  const operands = [parseAnd(c)];
  while (c.isWord('or')) {
    c.next();
    operands.push(parseAnd(c));
  }
  return operands.length === 1 ? operands[0]! : { kind: 'ScopeOr', operands, span: c.spanFrom(start) };
}

function startsOperand(c: Cursor): boolean {
  const t = c.peek();
  switch (t.kind) {
    case TokenKind.Word:
      return !c.isWord('or');
    case TokenKind.String:
    case TokenKind.Parameter:
    case TokenKind.LParen:
    case TokenKind.Bang:
    case TokenKind.Subquery:
    case TokenKind.QuotedField:
      return true;
    default:
      return false;
  }
}

function parseAnd(c: Cursor): ScopeExpr {
  const start = c.peek().start;
  const operands = [parseNot(c)];
  for (;;) {
    if (c.isWord('and')) {
      c.next();
      operands.push(parseNot(c));
    } else if (startsOperand(c)) operands.push(parseNot(c));
    else break;
  }
  return operands.length === 1 ? operands[0]! : { kind: 'ScopeAnd', operands, span: c.spanFrom(start) };
}

function parseNot(c: Cursor): ScopeExpr {
  const t = c.peek();
  if (t.kind === TokenKind.Bang || (c.isWord('not') && startsOperandAt(c, 1))) {
    c.next();
    c.ctx.depth++;
    try {
      if (c.ctx.depth > MAX_DEPTH) c.fail(DIAGNOSTICS.NestingTooDeep, { start: t.start, end: t.end });
      const operand = parseNot(c);
      return { kind: 'ScopeNot', operand, span: c.spanFrom(t.start) };
    } finally {
      c.ctx.depth--;
    }
  }
  return parsePrimary(c);
}

function startsOperandAt(c: Cursor, offset: number): boolean {
  const t = c.peek(offset);
  return (
    t.kind === TokenKind.Word ||
    t.kind === TokenKind.String ||
    t.kind === TokenKind.Parameter ||
    t.kind === TokenKind.LParen ||
    t.kind === TokenKind.Bang
  );
}

function parsePrimary(c: Cursor): ScopeExpr {
  const t = c.peek();
  const span = { start: t.start, end: t.end };
  switch (t.kind) {
    case TokenKind.LParen: {
      c.next();
      c.ctx.depth++;
      try {
        if (c.ctx.depth > MAX_DEPTH) c.fail(DIAGNOSTICS.NestingTooDeep, span);
        if (c.is(TokenKind.RParen)) c.failUnexpected('a search term');
        const inner = parseOr(c);
        if (!c.is(TokenKind.RParen)) {
          if (c.atEnd()) c.fail(DIAGNOSTICS.UnbalancedParenthesis, span, {}, 'add the missing ")"');
          c.failUnexpected('")"');
        }
        c.next();
        inner.span = c.spanFrom(t.start);
        return inner;
      } finally {
        c.ctx.depth--;
      }
    }
    case TokenKind.String: {
      c.next();
      const value = unescapeString(t.value ?? '');
      return { kind: 'ScopePhrase', value, hasWildcard: value.includes('*'), span };
    }
    case TokenKind.Parameter:
      c.next();
      return { kind: 'ScopeParameter', name: t.value ?? '', span };
    case TokenKind.Subquery:
      c.next();
      c.report(DIAGNOSTICS.UnsupportedOperator, span, { name: 'subquery' });
      return { kind: 'ScopeSubquery', text: t.text, span };
    case TokenKind.Word:
    case TokenKind.QuotedField:
      break;
    case TokenKind.RParen:
      return c.fail(DIAGNOSTICS.UnbalancedParenthesis, span);
    default:
      return c.failUnexpected('a search term');
  }
  c.next();
  const opToken = c.peek();
  if (opToken.kind !== TokenKind.Equal && opToken.kind !== TokenKind.NotEqual) {
    if (t.kind === TokenKind.QuotedField) c.failUnexpected(`"=" after ${t.text}`);
    return { kind: 'ScopeTerm', text: t.text, hasWildcard: hasWildcard(t.text), span };
  }
  c.next();
  const quotedField = t.kind === TokenKind.QuotedField;
  const field = {
    kind: 'FieldName' as const,
    name: quotedField ? (t.value ?? '') : t.text,
    quoted: quotedField,
    span,
  };
  const operator = opToken.kind === TokenKind.Equal ? ('=' as const) : ('!=' as const);
  const v = c.peek();
  if (v.kind === TokenKind.Word) {
    c.next();
    return {
      kind: 'ScopeFieldMatch',
      field,
      operator,
      value: v.text,
      quoted: false,
      hasWildcard: hasWildcard(v.text),
      span: c.spanFrom(t.start),
    };
  }
  if (v.kind === TokenKind.String) {
    c.next();
    const value = unescapeString(v.value ?? '');
    return {
      kind: 'ScopeFieldMatch',
      field,
      operator,
      value,
      quoted: true,
      hasWildcard: false,
      span: c.spanFrom(t.start),
    };
  }
  if (v.kind === TokenKind.Parameter) {
    c.next();
    return {
      kind: 'ScopeFieldMatch',
      field,
      operator,
      value: v.text,
      quoted: false,
      hasWildcard: false,
      span: c.spanFrom(t.start),
    };
  }
  return c.failUnexpected(`a value after ${t.text}${opToken.text}`);
}
