import type { Duration, FieldName, Span } from '../ast.js';
import { AGGREGATES, OPERATORS, UNSUPPORTED_OPERATORS } from '../catalog/operators.js';
import { DIAGNOSTICS } from '../diagnostics/catalog.js';
import { TokenKind } from '../lexer/token.js';
import type { Cursor } from './cursor.js';
import { parseFieldName } from './expression.js';
import { parseDurationText, parseNumberText } from './literals.js';

/** `field=<name>` / `field = <name>`; the `field` word is current. */
export function parseFieldOption(c: Cursor, previous: FieldName | undefined): FieldName {
  const word = c.next();
  c.expect(TokenKind.Equal, '"=" after field');
  const name = parseFieldName(c);
  if (previous !== undefined)
    c.report(DIAGNOSTICS.DuplicateOption, c.spanFrom(word.start), { option: 'field=' });
  return name;
}

/** True at `field=` (the only `name=` option the parse operators take). */
export function atFieldOption(c: Cursor): boolean {
  return c.isWord('field') && c.is(TokenKind.Equal, 1);
}

const UNIT_WORDS: ReadonlyMap<string, string> = new Map([
  ['ms', 'ms'],
  ['s', 's'],
  ['sec', 's'],
  ['second', 's'],
  ['seconds', 's'],
  ['m', 'm'],
  ['min', 'm'],
  ['minute', 'm'],
  ['minutes', 'm'],
  ['h', 'h'],
  ['hour', 'h'],
  ['hours', 'h'],
  ['d', 'd'],
  ['day', 'd'],
  ['days', 'd'],
  ['w', 'w'],
  ['week', 'w'],
  ['weeks', 'w'],
]);

/** A duration (`5m`, `-1d`, `{{p}}`); fails with a diagnostic when the token is not one. */
export function parseDuration(c: Cursor): Duration {
  const first = c.peek();
  if (first.kind === TokenKind.Parameter) {
    c.next();
    const span = { start: first.start, end: first.end };
    c.report(DIAGNOSTICS.ParameterInLiteral, span, { name: first.value ?? '' });
    return { kind: 'Duration', text: first.text, ms: Number.NaN, parameter: first.value ?? '', span };
  }
  if (first.kind === TokenKind.Star) {
    c.next();
    const span = { start: first.start, end: first.end };
    c.report(DIAGNOSTICS.StarPlaceholder, span);
    return { kind: 'Duration', text: '*', ms: Number.NaN, parameter: '*', span };
  }
  let sign = 1;
  if (first.kind === TokenKind.Minus || first.kind === TokenKind.Plus) {
    c.next();
    if (first.kind === TokenKind.Minus) sign = -1;
  }
  const t = c.peek();
  if (t.kind !== TokenKind.Number) return c.failUnexpected('a duration such as 5m or 1h');
  c.next();
  // `timeslice 1 h`: a bare number followed by a unit word.
  const unit = c.peek();
  const glued =
    /^\d+(\.\d+)?$/.test(t.text) && unit.kind === TokenKind.Word && UNIT_WORDS.has(unit.text.toLowerCase());
  if (glued) c.next();
  const ms = parseDurationText(glued ? t.text + UNIT_WORDS.get(unit.text.toLowerCase())! : t.text);
  const span: Span = c.spanFrom(first.start);
  if (ms === undefined)
    return c.fail(DIAGNOSTICS.InvalidDuration, span, { text: t.text }, 'units are ns, us, ms, s, m, h, d, w');
  return { kind: 'Duration', text: c.ctx.text.slice(span.start, span.end), ms: sign * ms, span };
}

/** True when the current token starts a duration (a number with a time unit, or a parameter). */
export function atDuration(c: Cursor): boolean {
  const t = c.peek();
  if (t.kind === TokenKind.Parameter || t.kind === TokenKind.Star) return true;
  if (t.kind === TokenKind.Minus)
    return c.peek(1).kind === TokenKind.Number && parseDurationText(c.peek(1).text) !== undefined;
  if (t.kind !== TokenKind.Number) return false;
  if (parseDurationText(t.text) !== undefined) return true;
  const unit = c.peek(1);
  return (
    /^\d+(\.\d+)?$/.test(t.text) && unit.kind === TokenKind.Word && UNIT_WORDS.has(unit.text.toLowerCase())
  );
}

/**
 * A numeric literal (optionally signed, or a `{{param}}` → NaN with a warning).
 * `integer` rejects fractions.
 */
export function parseNumberValue(c: Cursor, what: string, integer = false): number {
  const first = c.peek();
  if (first.kind === TokenKind.Parameter) {
    c.next();
    c.report(
      DIAGNOSTICS.ParameterInLiteral,
      { start: first.start, end: first.end },
      { name: first.value ?? '' },
    );
    return Number.NaN;
  }
  if (first.kind === TokenKind.Star) {
    c.next();
    c.report(DIAGNOSTICS.StarPlaceholder, { start: first.start, end: first.end });
    return Number.NaN;
  }
  let sign = 1;
  if (first.kind === TokenKind.Minus) {
    c.next();
    sign = -1;
  }
  const t = c.peek();
  if (t.kind !== TokenKind.Number) return c.failUnexpected(what);
  c.next();
  const value = parseNumberText(t.text);
  const span = c.spanFrom(first.start);
  if (value === undefined) return c.fail(DIAGNOSTICS.InvalidNumber, span, { text: t.text });
  if (integer && !Number.isInteger(value))
    return c.fail(DIAGNOSTICS.InvalidOption, span, { option: what, reason: 'must be a whole number' });
  return sign * value;
}

/** Reports that more text follows a complete stage. */
export function expectStageEnd(c: Cursor, operator: string): void {
  if (c.atEnd()) return;
  const t = c.peek();
  const word = t.kind === TokenKind.Word ? t.text.toLowerCase() : '';
  const isOperator = OPERATORS.has(word) || AGGREGATES.has(word) || UNSUPPORTED_OPERATORS.includes(word);
  c.fail(
    DIAGNOSTICS.UnexpectedAfterStage,
    { start: t.start, end: t.end },
    { found: c.describe(t), operator },
    isOperator ? `did you forget a "|" before ${t.text}?` : undefined,
  );
}
