import type { Query, ScopeExpr, Stage, UnsupportedStage } from '../ast.js';
import { AGGREGATES, UNSUPPORTED_OPERATORS } from '../catalog/operators.js';
import { DIAGNOSTICS } from '../diagnostics/catalog.js';
import { makeDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { tokenize } from '../lexer/lexer.js';
import { TokenKind, type Token } from '../lexer/token.js';
import { Cursor, StageAbort, type ParseContext } from './cursor.js';
import { parseScope } from './scope.js';
import {
  parseAggregateStage,
  parseDedupStage,
  parseEvalStage,
  parseFieldsStage,
  parseLimitStage,
  parseSortStage,
  parseTimesliceStage,
  parseTopStage,
  parseWhereStage,
} from './stages-basic.js';
import {
  parseDelimitedStage,
  parseExtractStage,
  parseJsonStage,
  parseKeyValueStage,
  parseParseStage,
} from './stages-parse.js';
import {
  isSeriesOperator,
  parseCompareStage,
  parseFillMissingStage,
  parseOutlierStage,
  parsePredictStage,
  parseSeriesStage,
  parseTransposeStage,
} from './stages-post.js';

/** Result of parsing: the AST (undefined only when nothing usable was found) and all diagnostics. */
export interface ParseResult {
  query: Query | undefined;
  diagnostics: Diagnostic[];
}

/**
 * Operators whose arguments may contain `|` inside parentheses (subqueries): every operator of a later
 * issue (`join (… | …)`, `filter x in (… | limit 5)`, `transactionize id (merge … | limit 2)`).
 */
const NESTING_OPERATORS: ReadonlySet<string> = new Set(UNSUPPORTED_OPERATORS.filter((n) => !n.includes(' ')));

/**
 * Parses a query. Never throws: problems come back as diagnostics, stages that fail are left out of
 * `query.stages`, and parsing resumes at the next top-level `|`.
 */
export function parseQuery(text: string): ParseResult {
  const source = typeof text === 'string' ? text : String(text);
  const ctx: ParseContext = { text: source, diagnostics: [], depth: 0 };
  try {
    const lexed = tokenize(source);
    ctx.diagnostics.push(...lexed.diagnostics);
    const query = parseTokens(ctx, lexed.tokens);
    return { query, diagnostics: sortDiagnostics(ctx.diagnostics) };
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.diagnostics.push(
      makeDiagnostic(
        DIAGNOSTICS.InternalError,
        { start: 0, end: source.length },
        { message: message.slice(0, 200) },
      ),
    );
    return { query: undefined, diagnostics: sortDiagnostics(ctx.diagnostics) };
  }
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.span.start - b.d.span.start || a.i - b.i)
    .map(({ d }) => d);
}

/** Splits the token list at top-level pipes: [scopeStart, scopeEnd), then each stage's range. */
function splitSegments(tokens: readonly Token[]): { start: number; end: number }[] {
  const segments: { start: number; end: number }[] = [];
  let start = 0;
  let depth = 0;
  let nesting = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (i === start) nesting = t.kind === TokenKind.Word && NESTING_OPERATORS.has(t.text.toLowerCase());
    if (nesting && t.kind === TokenKind.LParen) depth++;
    else if (nesting && t.kind === TokenKind.RParen) depth = Math.max(0, depth - 1);
    if (t.kind === TokenKind.EOF || (t.kind === TokenKind.Pipe && depth === 0)) {
      segments.push({ start, end: i });
      start = i + 1;
      depth = 0;
    }
  }
  return segments;
}

function parseTokens(ctx: ParseContext, tokens: readonly Token[]): Query {
  const segments = splitSegments(tokens);
  let scope: ScopeExpr | undefined;
  const stages: Stage[] = [];
  const first = segments[0]!;
  if (first.end > first.start) {
    const cursor = new Cursor(ctx, tokens, first.start, first.end);
    try {
      scope = parseScope(cursor);
    } catch (error: unknown) {
      if (!(error instanceof StageAbort)) throw error;
    }
  }
  for (const segment of segments.slice(1)) {
    const pipe = tokens[segment.start - 1]!;
    if (segment.end === segment.start) {
      const terminator = tokens[segment.end]!;
      ctx.diagnostics.push(
        makeDiagnostic(DIAGNOSTICS.EmptyStage, {
          start: pipe.start,
          end: Math.max(pipe.end, terminator.start),
        }),
      );
      continue;
    }
    ctx.depth = 0;
    const cursor = new Cursor(ctx, tokens, segment.start, segment.end);
    try {
      const parsed = parseStage(cursor);
      if (Array.isArray(parsed)) stages.push(...parsed);
      else stages.push(parsed);
    } catch (error: unknown) {
      if (!(error instanceof StageAbort)) throw error;
    }
  }
  return { kind: 'Query', scope, stages, span: { start: 0, end: ctx.text.length } };
}

/** Dispatches on the operator word. One segment may yield several stages (`parse "a*" as x, "b*" as y`). */
function parseStage(c: Cursor): Stage | Stage[] {
  const first = c.peek();
  const start = first.start;
  const word = first.kind === TokenKind.Word ? first.text.toLowerCase() : '';
  const second = c.peek(1);
  const secondWord = second.kind === TokenKind.Word ? second.text.toLowerCase() : '';

  const twoWords = `${word} ${secondWord}`;
  if (secondWord !== '' && UNSUPPORTED_OPERATORS.includes(twoWords)) return parseUnsupported(c, twoWords, 2);

  switch (word) {
    case 'parse':
      c.next();
      return parseParseStage(c, start);
    case 'extract':
      c.next();
      return parseExtractStage(c, start);
    case 'json':
      c.next();
      return parseJsonStage(c, start);
    case 'kv':
    case 'keyvalue':
      c.next();
      return parseKeyValueStage(c, start, word);
    case 'csv':
      c.next();
      return parseDelimitedStage(c, start, 'Csv');
    case 'split':
      c.next();
      return parseDelimitedStage(c, start, 'Split');
    case 'where':
      c.next();
      return parseWhereStage(c, start);
    case 'fields':
      c.next();
      return parseFieldsStage(c, start);
    case 'limit':
      c.next();
      return parseLimitStage(c, start);
    case 'dedup':
      c.next();
      return parseDedupStage(c, start);
    case 'timeslice':
      c.next();
      return parseTimesliceStage(c, start);
    case 'sort':
    case 'order':
      c.next();
      return parseSortStage(c, start, word);
    case 'top':
      c.next();
      return parseTopStage(c, start);
    case 'transpose':
      c.next();
      return parseTransposeStage(c, start);
    case 'fillmissing':
      c.next();
      return parseFillMissingStage(c, start);
    case 'compare':
      c.next();
      return parseCompareStage(c, start);
    case 'predict':
      c.next();
      return parsePredictStage(c, start);
    case 'outlier':
      c.next();
      return parseOutlierStage(c, start);
    default:
      break;
  }
  if (isSeriesOperator(word)) {
    c.next();
    return parseSeriesStage(c, start, word);
  }
  if (AGGREGATES.has(word)) return parseAggregateStage(c, start);
  if (word !== '' && UNSUPPORTED_OPERATORS.includes(word)) return parseUnsupported(c, word, 1);
  return parseEvalStage(c, start);
}

/** An operator of a later issue: keep its name and raw text, skip to the end of the stage. */
function parseUnsupported(c: Cursor, name: string, nameTokens: number): UnsupportedStage {
  const first = c.peek();
  let nameEnd = first.end;
  for (let i = 0; i < nameTokens; i++) nameEnd = c.next().end;
  const nameSpan = { start: first.start, end: nameEnd };
  while (!c.atEnd()) c.next();
  const span = c.spanFrom(first.start);
  c.report(DIAGNOSTICS.UnsupportedOperator, nameSpan, { name });
  return { kind: 'Unsupported', name, nameSpan, text: c.ctx.text.slice(span.start, span.end), span };
}
