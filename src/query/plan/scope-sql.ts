/**
 * The scope (keyword expression) as a SQL predicate with exactly the interpreter's semantics
 * (src/query/interpreter/scope.ts): terms and phrases match at word boundaries, case-insensitively,
 * over the message. Each keyword becomes a cheap narrowing predicate that can use an index
 * (an ASCII substring, case-insensitive) ANDed before the exact RE2 `match()`.
 *
 * A translation may be a superset ("inexact"): then the SQL only narrows and the interpreter
 * re-applies the whole scope to what the store returns.
 */
import type { ScopeExpr } from '../ast.js';
import type { PushdownCapabilities } from './capabilities.js';
import { join, param, raw, sql, type Sql } from '../sql/tree.js';
import { JS_SPACE, fieldSql } from './fields.js';

/** A scope as SQL: `sql` undefined means "no restriction"; `exact` false means a superset. */
export interface ScopeSql {
  sql: Sql | undefined;
  exact: boolean;
}

/** The interpreter's word class, `[\p{L}\p{N}_]`, in RE2 syntax. */
const WORD = '[\\p{L}\\p{N}_]';
const NOT_WORD = '[^\\p{L}\\p{N}_]';
/**
 * The same classes for a pure-ASCII message, where they select exactly the same characters (the
 * ASCII letters and digits are the only ASCII members of \p{L} and \p{N}). RE2 runs these several
 * times faster than the Unicode classes.
 */
const ASCII_WORD = '[a-zA-Z0-9_]';
const ASCII_NOT_WORD = '[^a-zA-Z0-9_]';

/** Optional extra narrowing from a full-text index: a predicate for a keyword or phrase as typed. */
export type IndexNarrowing = (term: string) => Sql | undefined;

function re2Literal(codePoint: number): string {
  const c = String.fromCodePoint(codePoint);
  if (/^[A-Za-z0-9]$/.test(c)) return c;
  if (codePoint < 0x80 && /^[!-/:-@[-`{-~]$/.test(c)) return `\\${c}`;
  return `\\x{${codePoint.toString(16)}}`;
}

/** RE2 source of a term or phrase body (scope.ts termSource, RE2 escaping). */
function termRe2(text: string, inPhrase: boolean, word: string): string {
  let src = '';
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '*') src += inPhrase ? `${word}+` : `${word}*`;
    else if (c === '?') src += word;
    else if (/\s/.test(c)) {
      while (i + 1 < chars.length && /\s/.test(chars[i + 1] as string)) i++;
      src += `[${JS_SPACE}]+`;
    } else src += re2Literal(c.codePointAt(0) as number);
  }
  return src;
}

/**
 * The exact RE2 pattern of a keyword (scope.ts boundedRegex); with `asciiOnly`, the pattern that
 * gives the same answer for every pure-ASCII message (and must only be used on those).
 */
export function keywordPattern(text: string, inPhrase: boolean, asciiOnly = false): string {
  const [word, notWord] = asciiOnly ? [ASCII_WORD, ASCII_NOT_WORD] : [WORD, NOT_WORD];
  // scope.ts tests the first and last UTF-16 code unit, so an astral first letter gets no boundary.
  const isWord = (c: string): boolean => /[\p{L}\p{N}_*?]/u.test(c);
  const pre = isWord(text[0] ?? '') ? `(^|${notWord})` : '';
  const post = isWord(text[text.length - 1] ?? '') ? `($|${notWord})` : '';
  return `(?i)${pre}${termRe2(text, inPhrase, word)}${post}`;
}

/**
 * The longest run of the keyword that any match must contain byte for byte up to ASCII case:
 * ASCII only (positionCaseInsensitive folds ASCII only) and without k/s, whose Unicode case
 * orbits hold non-ASCII letters (K KELVIN SIGN, ſ LONG S) that the interpreter also matches.
 */
export function narrowingLiteral(text: string): string | undefined {
  let best = '';
  for (const piece of text.split(/[*?\s]+/)) {
     
    for (const run of piece.split(/[^\x20-\x7e]|[kKsS]/)) if (run.length > best.length) best = run;
  }
  return best.length >= 2 ? best : undefined;
}

function keyword(text: string, inPhrase: boolean, caps: PushdownCapabilities, index?: IndexNarrowing): ScopeSql {
  const literal = narrowingLiteral(text);
  const parts: Sql[] = [];
  // The index predicate first (granules are skipped on it); then, row by row, the RE2 match only
  // where the cheap substring test passed (`if` short-circuits; a plain AND may be reordered).
  const indexed = index?.(text);
  if (indexed !== undefined) parts.push(indexed);
  const position = literal === undefined ? undefined : sql`positionCaseInsensitive(message, ${param(literal, 'String')}) > 0`;
  // Most messages are pure ASCII: those take the ASCII-class pattern (same answer, cheaper).
  const exact = caps.unicodeRegex
    ? sql`if(isValidASCII(message), match(message, ${param(keywordPattern(text, inPhrase, true), 'String')}), match(message, ${param(keywordPattern(text, inPhrase), 'String')}))`
    : undefined;
  if (position !== undefined && exact !== undefined) parts.push(sql`if(${position}, ${exact}, 0)`);
  else if (position !== undefined) parts.push(position);
  else if (exact !== undefined) parts.push(exact);
  return { sql: parts.length === 0 ? undefined : sql`(${join(parts, ' AND ')})`, exact: caps.unicodeRegex };
}

function escapeGlobRe2(value: string): string {
  let src = '';
  for (const c of value) src += c === '*' ? '.*' : re2Literal(c.codePointAt(0) as number);
  return src;
}

function fieldMatch(scope: Extract<ScopeExpr, { kind: 'ScopeFieldMatch' }>): ScopeSql {
  // The interpreter's /^…$/i has no `u` flag: ASCII case folding only for ASCII values — which is
  // what ClickHouse's lower() does. Non-ASCII values stay in JS.
   
  if (!/^[\x00-\x7f]*$/.test(scope.value)) return { sql: undefined, exact: false };
  const field = fieldSql(scope.field.name);
  if (field === undefined) return { sql: undefined, exact: false };
  const isGlob = !scope.quoted && scope.value.includes('*');
  const test = isGlob
    ? sql`match(lower(${field.text}), ${param(`(?s)^${escapeGlobRe2(scope.value.toLowerCase())}$`, 'String')})`
    : sql`lower(${field.text}) = ${param(scope.value.toLowerCase(), 'String')}`;
  const hit = field.isMetadata ? test : sql`ifNull(${test}, 0)`;
  return { sql: scope.operator === '!=' ? sql`NOT (${hit})` : hit, exact: true };
}

/** Translates a scope into a predicate over the `logs` table. */
export function scopeToSql(scope: ScopeExpr | undefined, caps: PushdownCapabilities, index?: IndexNarrowing): ScopeSql {
  if (scope === undefined) return { sql: undefined, exact: true };
  switch (scope.kind) {
    case 'ScopeTerm':
      if (/^\*+$/.test(scope.text)) return { sql: undefined, exact: true };
      return keyword(scope.text, false, caps, index);
    case 'ScopePhrase':
      if (scope.value === '') return { sql: undefined, exact: true };
      return keyword(scope.value.trim(), true, caps, index);
    case 'ScopeFieldMatch':
      return fieldMatch(scope);
    case 'ScopeNot': {
      const inner = scopeToSql(scope.operand, caps, index);
      if (!inner.exact) return { sql: undefined, exact: false };
      return { sql: inner.sql === undefined ? raw('0') : sql`NOT ${inner.sql}`, exact: true };
    }
    case 'ScopeAnd': {
      const parts = scope.operands.map((o) => scopeToSql(o, caps, index));
      const sqls = parts.flatMap((p) => (p.sql === undefined ? [] : [p.sql]));
      return { sql: sqls.length === 0 ? undefined : sql`(${join(sqls, ' AND ')})`, exact: parts.every((p) => p.exact) };
    }
    case 'ScopeOr': {
      const parts = scope.operands.map((o) => scopeToSql(o, caps, index));
      const exact = parts.every((p) => p.exact);
      // One unrestricted operand makes the OR unrestricted.
      if (parts.some((p) => p.sql === undefined)) return { sql: undefined, exact: exact || parts.some((p) => p.sql === undefined && p.exact) };
      return { sql: sql`(${join(parts.map((p) => p.sql as Sql), ' OR ')})`, exact };
    }
    default:
      // Parameters and subqueries never run (the interpreter reports them).
      return { sql: undefined, exact: false };
  }
}
