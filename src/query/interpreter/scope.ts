/**
 * The keyword expression (scope) matcher. Sumo matches whole indexed terms case-insensitively;
 * we emulate the index with word boundaries on `_raw`: a term must start and end at a boundary
 * between a word character (letter, digit, `_`) and anything else. Inside a term `*` matches a
 * run of word characters and `?` one word character, so `com.*.services*` matches
 * `com.test.services.test` but `com*services` does not (Sumo's documented examples). A phrase
 * matches its words next to each other, any whitespace run matching any other. `field=value`
 * terms compare the field case-insensitively as a whole-value glob.
 */
import type { ScopeExpr } from '../ast.js';
import { InterpreterCode, type DiagnosticSink } from './diagnostics.js';
import { readField } from './expressions.js';
import { compileLinearRegex, quoteLinear, type LinearRegex } from '../../core/linear-regex.js';
import { globToRegex, JS_SPACE_CLASS } from './regex.js';
import { toText, type Row } from './values.js';

export type RowPredicate = (row: Row) => boolean;

const WORD = '[\\p{L}\\p{N}_]';
const NOT_WORD = '[^\\p{L}\\p{N}_]';

function termSource(text: string, inPhrase: boolean): string {
  let src = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '*') src += inPhrase ? `${WORD}+` : `${WORD}*`;
    else if (c === '?') src += WORD;
    else if (/\s/.test(c)) {
      while (i + 1 < text.length && /\s/.test(text[i + 1] as string)) i++;
      src += `[${JS_SPACE_CLASS}]+`;
    } else src += quoteLinear(c);
  }
  return src;
}

/**
 * A term's pattern: its edges that are word characters must sit at a word boundary, which is the
 * text's start or end or a non-word character beside it (matched, not looked around: RE2 has no
 * lookaround, and the predicate only asks whether the term occurs).
 */
function boundedRegex(text: string, inPhrase: boolean): LinearRegex {
  const body = termSource(text, inPhrase);
  const first = text[0] ?? '';
  const last = text[text.length - 1] ?? '';
  const isWord = (c: string): boolean => /[\p{L}\p{N}_*?]/u.test(c);
  const pre = isWord(first) ? `(?:^|${NOT_WORD})` : '';
  const post = isWord(last) ? `(?:${NOT_WORD}|$)` : '';
  const compiled = compileLinearRegex(pre + body + post, { ignoreCase: true });
  // Quoted text and fixed classes always compile.
  if (!compiled.ok) throw new Error(`keyword pattern did not compile: ${compiled.message}`);
  return compiled.regex;
}

function rawOf(row: Row): string {
  return toText(row._raw ?? null) ?? '';
}

/** Compiles a scope expression into a predicate over rows. */
export function compileScope(scope: ScopeExpr | undefined, sink: DiagnosticSink): RowPredicate {
  if (scope === undefined) return () => true;
  switch (scope.kind) {
    case 'ScopeTerm': {
      if (/^\*+$/.test(scope.text)) return () => true;
      const re = boundedRegex(scope.text, false);
      return (row) => re.test(rawOf(row));
    }
    case 'ScopePhrase': {
      if (scope.value === '') return () => true;
      const re = boundedRegex(scope.value.trim(), true);
      return (row) => re.test(rawOf(row));
    }
    case 'ScopeFieldMatch': {
      const field = scope.field.name;
      // A quoted value is literal; otherwise `*` is any run (as a glob, matched whole).
      const re = globToRegex(scope.value, { ignoreCase: true, star: !scope.quoted, question: false });
      const negate = scope.operator === '!=';
      return (row) => {
        const v = toText(readField(row, field));
        const hit = v !== null && re.test(v);
        return negate ? !hit : hit;
      };
    }
    case 'ScopeParameter':
      sink.add(InterpreterCode.UnsubstitutedParameter, `template parameter {{${scope.name}}} has no value`, scope.span);
      return () => false;
    case 'ScopeNot': {
      const inner = compileScope(scope.operand, sink);
      return (row) => !inner(row);
    }
    case 'ScopeAnd': {
      const parts = scope.operands.map((o) => compileScope(o, sink));
      return (row) => parts.every((p) => p(row));
    }
    case 'ScopeOr': {
      const parts = scope.operands.map((o) => compileScope(o, sink));
      return (row) => parts.some((p) => p(row));
    }
    case 'ScopeSubquery':
      sink.add(InterpreterCode.UnsupportedOperator, 'subqueries are not supported by Quarry yet', scope.span);
      return () => false;
    default:
      return () => false;
  }
}
