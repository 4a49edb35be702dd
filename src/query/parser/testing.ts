/** Helpers shared by the parser tests (not used by production code). */
import type { Expr, Query, ScopeExpr, Stage } from '../ast.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
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
