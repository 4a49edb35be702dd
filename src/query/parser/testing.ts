/** Helpers shared by the parser tests (not used by production code). */
import type { Expr, Query, ScopeExpr, Stage } from '../ast.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { expect } from 'vitest';
import { parseQuery } from './parser.js';

/** Deep copy without `span`-like keys, for structural comparisons. */
export function stripSpans<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => (key === 'span' || key.endsWith('Span') ? undefined : v)),
  ) as T;
}

function errorsOf(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

/** Parses and fails loudly when there is any error diagnostic. */
export function parseOk(text: string): Query {
  const { query, diagnostics } = parseQuery(text);
  const errors = errorsOf(diagnostics);
  if (errors.length > 0 || query === undefined) {
    throw new Error(`unexpected diagnostics for ${text}: ${JSON.stringify(errors)}`);
  }
  return query;
}

/** The single stage of `| …` (the text is prefixed with `* | `). */
export function stageOf(stageText: string): Stage {
  const query = parseOk(`* | ${stageText}`);
  if (query.stages.length !== 1) throw new Error(`expected one stage, got ${query.stages.length}`);
  return stripSpans(query.stages[0]!);
}

/** The scope of a query, without spans. */
export function scopeOf(text: string): ScopeExpr | undefined {
  return stripSpans(parseOk(text).scope);
}

/** The expression of `| where <expr>`, without spans. */
export function exprOf(exprText: string): Expr {
  const stage = stageOf(`where ${exprText}`);
  if (stage.kind !== 'Where') throw new Error('not a where stage');
  return stage.condition;
}

/** Diagnostic codes for a query. */
export function codesOf(text: string): string[] {
  return parseQuery(text).diagnostics.map((d) => d.code);
}

/** Every `{start, end}` found anywhere in a value. */
export function collectSpans(
  value: unknown,
  out: { start: number; end: number }[] = [],
): { start: number; end: number }[] {
  if (Array.isArray(value)) {
    for (const v of value) collectSpans(v, out);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (
      typeof record.start === 'number' &&
      typeof record.end === 'number' &&
      Object.keys(record).length === 2
    ) {
      out.push({ start: record.start, end: record.end });
    }
    for (const v of Object.values(record)) collectSpans(v, out);
  }
  return out;
}

/** Parses and checks the invariants: no throw, no internal error, all spans inside the text. */
export function checkInvariants(text: string): void {
  const result = parseQuery(text);
  expect(result.diagnostics.filter((d) => d.code === 'Q9001')).toEqual([]);
  for (const span of [...collectSpans(result.query), ...result.diagnostics.map((d) => d.span)]) {
    expect(span.start).toBeGreaterThanOrEqual(0);
    expect(span.end).toBeGreaterThanOrEqual(span.start);
    expect(span.end).toBeLessThanOrEqual(text.length);
  }
}
