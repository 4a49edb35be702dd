/**
 * Compiles expression ASTs into closures `(row) => Value`. Semantics:
 * - arithmetic coerces numeric strings; a non-numeric operand, or division/modulo by zero, gives null;
 * - `=`/`!=` compare numerically when both sides are numeric, else as case-sensitive text;
 * - ordering comparisons with a null side are false;
 * - `and`/`or`/`!` are three-valued over true/false/null (null = "not a boolean");
 * - `matches "glob"` is a whole-value, case-sensitive glob; `matches /re/` finds the regex anywhere;
 * - field names resolve exactly, then case-insensitively (Sumo field names are case-insensitive).
 */
import type { Expr } from '../ast.js';
import { InterpreterCode, type DiagnosticSink } from './diagnostics.js';
import { findFunction, type FunctionContext } from './functions/index.js';
import { cachedGlob, globToRegex, toLinearRegex } from './regex.js';
import { compareForExpression, toBoolean, toNumber, toText, valuesEqual, type Row, type Value } from './values.js';

export type Evaluator = (row: Row) => Value;

/** Reads a field by exact name, falling back to a case-insensitive match. */
export function readField(row: Row, name: string): Value {
  const v = row[name];
  if (v !== undefined) return v;
  const lower = name.toLowerCase();
  for (const k in row) if (k.toLowerCase() === lower) return row[k] as Value;
  return null;
}

function arithmetic(op: string, a: Value, b: Value): Value {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) return null;
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return y === 0 ? null : x / y;
    case '%':
      return y === 0 ? null : x % y;
    default:
      return null;
  }
}

/** Compiles an expression; problems go to `sink` and the result evaluates to null. */
export function compileExpr(expr: Expr, ctx: FunctionContext, sink: DiagnosticSink): Evaluator {
  switch (expr.kind) {
    case 'NumberLiteral': {
      const v = expr.value;
      return () => v;
    }
    case 'StringLiteral': {
      const v = expr.value;
      return () => v;
    }
    case 'BooleanLiteral': {
      const v = expr.value;
      return () => v;
    }
    case 'RegexLiteral': {
      // Regex values travel as `/source/` text (what replace() understands).
      const v = `/${expr.source}/`;
      return () => v;
    }
    case 'Field': {
      const name = expr.name;
      return (row) => readField(row, name);
    }
    case 'Parameter':
      sink.add(InterpreterCode.UnsubstitutedParameter, `template parameter {{${expr.name}}} has no value`, expr.span);
      return () => null;
    case 'Unary': {
      const inner = compileExpr(expr.operand, ctx, sink);
      if (expr.operator === '!') {
        return (row) => {
          const b = toBoolean(inner(row));
          return b === null ? null : !b;
        };
      }
      if (expr.operator === '-') {
        return (row) => {
          const n = toNumber(inner(row));
          return n === null ? null : -n;
        };
      }
      return (row) => toNumber(inner(row));
    }
    case 'Binary': {
      const l = compileExpr(expr.left, ctx, sink);
      const r = compileExpr(expr.right, ctx, sink);
      const op = expr.operator;
      switch (op) {
        case 'and':
          return (row) => {
            const a = toBoolean(l(row));
            if (a === false) return false;
            const b = toBoolean(r(row));
            if (b === false) return false;
            return a === true && b === true ? true : null;
          };
        case 'or':
          return (row) => {
            const a = toBoolean(l(row));
            if (a === true) return true;
            const b = toBoolean(r(row));
            if (b === true) return true;
            return a === false && b === false ? false : null;
          };
        case '=':
          return (row) => valuesEqual(l(row), r(row));
        case '!=':
          return (row) => !valuesEqual(l(row), r(row));
        case '<':
          return (row) => {
            const c = compareForExpression(l(row), r(row));
            return c !== null && c < 0;
          };
        case '<=':
          return (row) => {
            const c = compareForExpression(l(row), r(row));
            return c !== null && c <= 0;
          };
        case '>':
          return (row) => {
            const c = compareForExpression(l(row), r(row));
            return c !== null && c > 0;
          };
        case '>=':
          return (row) => {
            const c = compareForExpression(l(row), r(row));
            return c !== null && c >= 0;
          };
        default:
          return (row) => arithmetic(op, l(row), r(row));
      }
    }
    case 'Conditional': {
      const c = compileExpr(expr.condition, ctx, sink);
      const t = compileExpr(expr.then, ctx, sink);
      const e = compileExpr(expr.else, ctx, sink);
      return (row) => (toBoolean(c(row)) === true ? t(row) : e(row));
    }
    case 'In': {
      const subject = compileExpr(expr.subject, ctx, sink);
      const values = expr.values.map((v) => compileExpr(v, ctx, sink));
      const negated = expr.negated;
      return (row) => {
        const s = subject(row);
        const found = values.some((v) => valuesEqual(s, v(row)));
        return negated ? !found : found;
      };
    }
    case 'Matches': {
      const subject = compileExpr(expr.subject, ctx, sink);
      if (expr.pattern.kind === 'RegexLiteral') {
        const compiled = toLinearRegex(expr.pattern.source);
        if (!compiled.ok) {
          sink.add(InterpreterCode.InvalidRegex, `invalid regular expression: ${compiled.message}`, expr.pattern.span);
          return () => null;
        }
        const re = compiled.regex;
        return (row) => {
          const s = toText(subject(row));
          return s === null ? false : re.test(s);
        };
      }
      if (expr.pattern.kind === 'StringLiteral') {
        const re = globToRegex(expr.pattern.value);
        return (row) => {
          const s = toText(subject(row));
          return s === null ? false : re.test(s);
        };
      }
      const pattern = compileExpr(expr.pattern, ctx, sink);
      return (row) => {
        const s = toText(subject(row));
        const p = toText(pattern(row));
        return s === null || p === null ? false : cachedGlob(p).test(s);
      };
    }
    case 'Call': {
      const def = findFunction(expr.name);
      const args = expr.args.map((a) => compileExpr(a, ctx, sink));
      if (def === undefined) {
        sink.add(InterpreterCode.UnknownFunction, `unknown function ${expr.name}()`, expr.nameSpan);
        return () => null;
      }
      if (args.length < def.minArgs || args.length > def.maxArgs) {
        const expected = def.minArgs === def.maxArgs ? `${def.minArgs}` : def.maxArgs === Infinity ? `at least ${def.minArgs}` : `${def.minArgs} to ${def.maxArgs}`;
        sink.add(InterpreterCode.WrongArgumentCount, `${def.name}() takes ${expected} argument(s), got ${args.length}`, expr.span);
        return () => null;
      }
      const call = (values: readonly Value[]): Value => def.call(values, ctx);
      if (args.length === 1) {
        const a0 = args[0] as Evaluator;
        return (row) => call([a0(row)]);
      }
      return (row) => call(args.map((a) => a(row)));
    }
  }
}

/** A name for an expression when the user gave none (for `_<field>_pct_95` naming). */
export function fieldNameOf(expr: Expr): string | undefined {
  return expr.kind === 'Field' ? expr.name : undefined;
}
