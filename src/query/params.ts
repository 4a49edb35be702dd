import type { Span } from './ast.js';
import { DIAGNOSTICS } from './diagnostics/catalog.js';
import { makeDiagnostic, type Diagnostic } from './diagnostics/diagnostic.js';
import { tokenize } from './lexer/lexer.js';
import { TokenKind } from './lexer/token.js';

/** Data types of Sumo search-template parameters (sumo-logic.md §4.4). */
export const ParamType = {
  /** Digits only (optionally signed / decimal / exponent); inserted as written. */
  Number: 'NUMBER',
  /** One phrase: wrapped in double quotes and escaped (inside an existing string: escaped only). */
  String: 'STRING',
  /** Raw text, inserted verbatim (paths, `timeslice {{ts}}`, whole filters). */
  Any: 'ANY',
  /** One search keyword (no spaces, quotes, parentheses or `|`); inserted verbatim. */
  Keyword: 'KEYWORD',
} as const;
export type ParamType = (typeof ParamType)[keyof typeof ParamType];

export interface TemplateParameter {
  type: ParamType;
  /** The value to use; `defaultValue` applies when it is undefined. */
  value?: string | number;
  defaultValue?: string | number;
}

export interface SubstituteResult {
  /** The query with every `{{name}}` replaced; undefined when any error diagnostic was raised. */
  query: string | undefined;
  /** Spans refer to the ORIGINAL query text. */
  diagnostics: Diagnostic[];
}

/** Sumo allows at most this many parameters per search. */
export const MAX_PARAMETERS = 10;

// The name is trimmed in code: `\s*([^…]*?)\s*` would backtrack polynomially on long blanks.
const OCCURRENCE = /\{\{([^{}|\n]*)\}\}/g;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const KEYWORD = /^[^\s"()|]+$/;

/**
 * Replaces `{{name}}` parameters by typed values. A bare string or number in `parameters` is an ANY
 * value. Never throws; problems come back as diagnostics (missing value Q4001, bad NUMBER Q4002, bad
 * KEYWORD Q4004, unused value Q4003 warning, more than 10 parameters Q4005 warning).
 */
export function substituteParams(
  query: string,
  parameters: Readonly<Record<string, TemplateParameter | string | number>>,
): SubstituteResult {
  const diagnostics: Diagnostic[] = [];
  const normalised = new Map<string, TemplateParameter>();
  for (const [name, p] of Object.entries(parameters)) {
    normalised.set(name.toLowerCase(), typeof p === 'object' ? p : { type: ParamType.Any, value: p });
  }
  // Where the lexer saw a standalone parameter token, and where strings are.
  const { tokens } = tokenize(query);
  const standalone = new Set<number>();
  const strings: Span[] = [];
  for (const t of tokens) {
    if (t.kind === TokenKind.Parameter) standalone.add(t.start);
    else if (t.kind === TokenKind.String || t.kind === TokenKind.QuotedField)
      strings.push({ start: t.start, end: t.end });
  }
  const insideString = (offset: number): boolean => strings.some((s) => offset > s.start && offset < s.end);

  const used = new Set<string>();
  let out = '';
  let last = 0;
  for (const match of query.matchAll(OCCURRENCE)) {
    const start = match.index;
    const end = start + match[0].length;
    const name = match[1]!.trim();
    const key = name.toLowerCase();
    used.add(key);
    out += query.slice(last, start);
    last = end;
    const span = { start, end };
    const p = normalised.get(key);
    const raw = p?.value ?? p?.defaultValue;
    if (p === undefined || raw === undefined) {
      diagnostics.push(makeDiagnostic(DIAGNOSTICS.MissingParameter, span, { name }));
      continue;
    }
    const value = String(raw);
    switch (p.type) {
      case ParamType.Number:
        if (!NUMBER.test(value.trim()))
          diagnostics.push(
            makeDiagnostic(DIAGNOSTICS.InvalidNumberParameter, span, { name, value: clip(value) }),
          );
        out += value.trim();
        break;
      case ParamType.Keyword:
        if (!KEYWORD.test(value))
          diagnostics.push(
            makeDiagnostic(DIAGNOSTICS.InvalidKeywordParameter, span, { name, value: clip(value) }),
          );
        out += value;
        break;
      case ParamType.String:
        if (insideString(start)) out += escapeQuoted(value);
        else if (standalone.has(start)) out += `"${escapeQuoted(value)}"`;
        else out += value; // embedded in a bare word such as prod/{{env}}/web
        break;
      default:
        out += value;
    }
  }
  out += query.slice(last);
  if (used.size > MAX_PARAMETERS)
    diagnostics.push(
      makeDiagnostic(DIAGNOSTICS.TooManyParameters, { start: 0, end: query.length }, { count: used.size }),
    );
  for (const name of Object.keys(parameters)) {
    if (!used.has(name.toLowerCase()))
      diagnostics.push(makeDiagnostic(DIAGNOSTICS.UnknownParameter, { start: 0, end: 0 }, { name }));
  }
  const failed = diagnostics.some((d) => d.severity === 'error');
  return { query: failed ? undefined : out, diagnostics };
}

/** Only `"` and `\` need escaping inside a string literal. */
function escapeQuoted(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}…` : value;
}

/** Names of the `{{parameters}}` a query uses, in order of first appearance. */
export function listParams(query: string): string[] {
  const names: string[] = [];
  for (const match of query.matchAll(OCCURRENCE)) if (!names.includes(match[1]!.trim())) names.push(match[1]!.trim());
  return names;
}
