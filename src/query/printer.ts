import type {
  Aggregation,
  Duration,
  Expr,
  FieldName,
  FillGenerator,
  Query,
  ScopeExpr,
  SortKey,
  Stage,
} from './ast.js';
import { escapeString } from './lexer/escapes.js';

/**
 * Prints an AST back to query text. `parseQuery(printQuery(ast))` gives the same AST (spans aside) for
 * any AST the parser produced without errors; the output is normalised (one line, explicit
 * parentheses, lower-case keywords), not the user's original layout.
 */
export function printQuery(query: Query): string {
  const parts: string[] = [];
  const scope = query.scope === undefined ? '' : printScope(query.scope);
  const stages = query.stages.map(printStage);
  if (scope !== '') parts.push(scope);
  if (stages.length === 0) return scope;
  return `${scope === '' ? '' : `${scope} `}| ${stages.join(' | ')}`;
}

const quote = (value: string): string => `"${escapeString(value)}"`;

/** A regex source as a string literal: only `\` before `\`/`"`/end and `"` itself need escaping. */
function quoteRegex(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    const next = source[i + 1];
    if (ch === '\\') out += next === undefined || next === '\\' || next === '"' ? '\\\\' : '\\';
    else if (ch === '"') out += '\\"';
    else out += ch;
  }
  return `"${out}"`;
}

function printName(name: FieldName | { name: string; quoted: boolean }): string {
  return name.quoted ? `%"${name.name.replace(/"/g, '\\"')}"` : name.name;
}

const names = (list: readonly FieldName[]): string => list.map(printName).join(', ');

function printScope(expr: ScopeExpr): string {
  const child = (e: ScopeExpr): string =>
    e.kind === 'ScopeAnd' || e.kind === 'ScopeOr' ? `(${printScope(e)})` : printScope(e);
  switch (expr.kind) {
    case 'ScopeTerm':
      return expr.text;
    case 'ScopePhrase':
      return quote(expr.value);
    case 'ScopeFieldMatch':
      return `${printName(expr.field)}${expr.operator}${expr.quoted ? quote(expr.value) : expr.value}`;
    case 'ScopeParameter':
      return `{{${expr.name}}}`;
    case 'ScopeSubquery':
      return expr.text;
    case 'ScopeAnd':
      return expr.operands.map(child).join(' AND ');
    case 'ScopeOr':
      return expr.operands.map(child).join(' OR ');
    case 'ScopeNot':
      return `NOT ${child(expr.operand)}`;
  }
}

const isPrimary = (e: Expr): boolean =>
  e.kind === 'NumberLiteral' ||
  e.kind === 'StringLiteral' ||
  e.kind === 'BooleanLiteral' ||
  e.kind === 'RegexLiteral' ||
  e.kind === 'Field' ||
  e.kind === 'Parameter' ||
  e.kind === 'Call' ||
  (e.kind === 'Conditional' && e.form === 'if');

/** Wraps anything that is not a primary in parentheses, so precedence never matters. */
function operand(e: Expr): string {
  return isPrimary(e) ? printExpr(e) : `(${printExpr(e)})`;
}

/** Prints an expression. */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'NumberLiteral':
      return e.raw;
    case 'StringLiteral':
      return quote(e.value);
    case 'BooleanLiteral':
      return String(e.value);
    case 'RegexLiteral':
      return `/${e.source}/`;
    case 'Field':
      return e.name === '*' && !e.quoted ? '*' : printName(e);
    case 'Parameter':
      return `{{${e.name}}}`;
    case 'Unary':
      return `${e.operator}${operand(e.operand)}`;
    case 'Binary':
      return `${operand(e.left)} ${e.operator} ${operand(e.right)}`;
    case 'Call':
      return `${e.name}(${e.args.map(printExpr).join(', ')})`;
    case 'Conditional':
      return e.form === 'if'
        ? `if(${printExpr(e.condition)}, ${printExpr(e.then)}, ${printExpr(e.else)})`
        : `${operand(e.condition)} ? ${operand(e.then)} : ${operand(e.else)}`;
    case 'Matches':
      return `${operand(e.subject)} matches ${operand(e.pattern)}`;
    case 'In':
      return `${operand(e.subject)} ${e.negated ? 'not in' : 'in'} (${e.values.map(printExpr).join(', ')})`;
  }
}

const duration = (d: Duration): string => d.text;
/** A leading `+`/`-` would read as a direction, so signed keys are parenthesised. */
const sortKey = (k: SortKey): string =>
  `${k.expression.kind === 'Unary' && k.expression.operator !== '!' ? `(${printExpr(k.expression)})` : printExpr(k.expression)} ${k.direction}`;
const opt = <T>(value: T | undefined, print: (v: T) => string): string =>
  value === undefined ? '' : print(value);
const join = (...parts: string[]): string => parts.filter((p) => p !== '').join(' ');

function aggregation(a: Aggregation): string {
  const call = a.args.length === 0 ? a.function : `${a.function}(${a.args.map(printExpr).join(', ')})`;
  return join(
    call,
    opt(a.alias, (n) => `as ${printName(n)}`),
  );
}

function generator(g: FillGenerator): string {
  if (g.kind === 'TimesliceGenerator')
    return join(
      g.size === undefined ? 'timeslice' : `timeslice(${duration(g.size)})`,
      opt(g.field, (f) => `in ${printName(f)}`),
    );
  return `values${g.all ? ' all' : `(${g.values.map(printExpr).join(', ')})`} in ${printName(g.field)}`;
}

const SERIES_KEYWORD = {
  Accum: 'accum',
  Total: 'total',
  Diff: 'diff',
  Backshift: 'backshift',
  Smooth: 'smooth',
  RollingStd: 'rollingstd',
} as const;

/** Prints one stage (without the leading `|`). */
export function printStage(s: Stage): string {
  const field = opt(
    s.kind === 'Parse' || s.kind === 'ParseRegex' || s.kind === 'Json' || s.kind === 'KeyValue'
      ? s.sourceField
      : undefined,
    (f) => `field=${printName(f)}`,
  );
  switch (s.kind) {
    case 'Parse':
      return join('parse', field, quote(s.pattern), `as ${names(s.fields)}`, s.nodrop ? 'nodrop' : '');
    case 'ParseRegex':
      return join(
        s.keyword,
        field,
        s.patterns.map((p) => quoteRegex(p.source)).join(', '),
        s.aliases.length > 0 ? `as ${names(s.aliases)}` : '',
        s.nodrop ? 'nodrop' : '',
        s.multi ? 'multi' : '',
      );
    case 'Json':
      return join(
        'json',
        s.mode === 'auto' ? 'auto' : '',
        field,
        opt(s.maxDepth, (n) => `maxdepth ${n}`),
        s.extractArrays ? 'extractarrays' : '',
        s.keys.length > 0 ? `keys ${s.keys.map(quote).join(', ')}` : '',
        s.refonly ? 'refonly' : '',
        s.paths.map((p) => quote(p.text)).join(', '),
        s.aliases.length > 0 ? `as ${names(s.aliases)}` : '',
        s.nodrop ? 'nodrop' : '',
      );
    case 'KeyValue':
      return join(
        s.keyword,
        s.mode === 'regex' ? `regex ${quoteRegex(s.regex ?? '')}` : s.mode,
        field,
        opt(s.delimiter, (d) => `delim ${quote(d)}`),
        s.keys.length > 0 ? `keys ${s.keys.map(quote).join(', ')}` : '',
        s.refonly ? 'refonly' : '',
        s.aliases.length > 0 ? `as ${names(s.aliases)}` : '',
        s.nodrop ? 'nodrop' : '',
      );
    case 'Csv':
    case 'Split':
      return join(
        s.kind === 'Csv' ? 'csv' : 'split',
        printName(s.sourceField),
        opt(s.delimiter, (d) => `delim=${quote(d)}`),
        opt(s.escape, (d) => `escape=${quote(d)}`),
        opt(s.quote, (d) => `quote=${quote(d)}`),
        `extract ${s.columns.map((c) => `${c.position} as ${printName(c.field)}`).join(', ')}`,
      );
    case 'Where':
      return `where ${printExpr(s.condition)}`;
    case 'Eval': {
      // Parenthesise so a leading field named like an operator (`count / 2 as x`) stays an expression.
      const e = s.expression;
      const bare =
        e.kind === 'Call' ||
        e.kind === 'StringLiteral' ||
        e.kind === 'NumberLiteral' ||
        e.kind === 'Parameter' ||
        (e.kind === 'Conditional' && e.form === 'if');
      const text = bare ? printExpr(e) : `(${printExpr(e)})`;
      return join(
        text,
        opt(s.alias, (a) => `as ${printName(a)}`),
      );
    }
    case 'Fields':
      return `fields ${s.mode === 'remove' ? '- ' : ''}${names(s.fields)}`;
    case 'Limit':
      return `limit ${s.count}`;
    case 'Dedup':
      return join(
        'dedup',
        s.consecutive ? 'consecutive' : '',
        opt(s.count, String),
        s.by.length > 0 ? `by ${names(s.by)}` : '',
      );
    case 'Timeslice':
      return join(
        'timeslice',
        opt(s.size, duration),
        opt(s.buckets, (b) => `${b} buckets`),
        opt(s.alias, (a) => `as ${printName(a)}`),
      );
    case 'Aggregate':
      return join(
        s.aggregations.map(aggregation).join(', '),
        s.groupBy.length > 0 ? `by ${names(s.groupBy)}` : '',
      );
    case 'Top':
      return join(
        'top',
        opt(s.count, String),
        names(s.fields),
        s.by.length > 0 ? `by ${s.by.map(sortKey).join(', ')}` : '',
      );
    case 'Sort':
      return `${s.keyword} by ${s.keys.map(sortKey).join(', ')}`;
    case 'Transpose': {
      const as = [...s.asFields.map(printName), ...(s.asStar ? ['*'] : [])];
      return join(
        'transpose row',
        names(s.row),
        'column',
        names(s.column),
        as.length > 0 ? `as ${as.join(', ')}` : '',
      );
    }
    case 'FillMissing':
      return join(
        'fillmissing',
        s.generators.map(generator).join(', '),
        opt(s.fill, (f) => `with ${operand(f.value)} for ${names(f.fields)}`),
        s.takeLast ? 'takeLast' : '',
      );
    case 'Accum':
    case 'Total':
    case 'Diff':
    case 'Backshift':
    case 'Smooth':
    case 'RollingStd':
      return join(
        `${SERIES_KEYWORD[s.kind]} ${printName(s.field)}${s.window === undefined ? '' : `, ${s.window}`}`,
        opt(s.alias, (a) => `as ${printName(a)}`),
        s.by.length > 0 ? `by ${names(s.by)}` : '',
      );
    case 'Compare':
      return `compare with ${s.shifts
        .map((t) =>
          join(
            'timeshift',
            duration(t.shift),
            opt(t.periods, String),
            t.aggregate ?? '',
            opt(t.alias, (a) => `as ${printName(a)}`),
          ),
        )
        .join(', ')}`;
    case 'Predict':
      return join(
        'predict',
        printName(s.field),
        opt(s.by, (d) => `by ${duration(d)}`),
        s.options.map((o) => `${o.name}=${o.value}`).join(', '),
      );
    case 'Outlier':
      return join(
        'outlier',
        printName(s.field),
        s.by.length > 0 ? `by ${names(s.by)}` : '',
        s.options.map((o) => `${o.name}=${o.value}`).join(', '),
      );
    case 'Unsupported':
      return s.text;
  }
}
