/**
 * `timeslice` and aggregate stages as SQL, only where ClickHouse gives the interpreter's exact
 * answer: count, count(f), count_distinct, sum, avg, min, max, and nearest-rank pct/median
 * (ClickHouse's quantileExact* pick other ranks, so percentiles sort the group's values).
 */
import type { AggregateStage, Expr, ParseRegexStage, RegexPattern, TimesliceStage } from '../ast.js';
import { AGGREGATE_SYNONYMS, compileAggregate } from '../interpreter/aggregates/index.js';
import { parseFixedOffset } from '../interpreter/time-zone.js';
import { sizeForBuckets } from '../interpreter/timeslice.js';
import type { PushdownCapabilities } from './capabilities.js';
import { fieldSql, isMetadataField, numberOf } from './fields.js';
import { translateRegex } from './regex-sql.js';
import { aggregate, id, param, raw, sql, timeMs, treeKey, type AggregateFunction, type SelectItem, type Sql } from '../sql/tree.js';

const WEEK = 7 * 86_400_000;
const MONDAY_EPOCH = 4 * 86_400_000;

/** A field computed by a pushed stage (timeslice, parse regex). */
export interface ComputedField {
  /** the name as the stage writes it */
  name: string;
  /** its value (an Int64 time for timeslice, String for a parsed field) */
  value: Sql;
  /** its text (toText) */
  text: Sql;
  /** toNumber of it */
  number: Sql;
  /** for a pushed timeslice: the slice size in ms (the value is the slice's start) */
  sliceMs?: number;
  /** for a pushed timeslice: its value computed from another time (epoch ms) than the row's own */
  sliceOf?: (ms: Sql) => Sql;
}

/** Fields computed by pushed stages, by lower-cased name. */
export type ComputedFields = Map<string, ComputedField>;

/** Context of the translation. */
export interface AggregateContext {
  caps: PushdownCapabilities;
  from: number;
  to: number;
  timeZone: string;
  computed: ComputedFields;
}

/**
 * Bucket start (epoch ms, Int64) of `msSql` for a fixed-offset zone, as timesliceStart computes it.
 * Undefined for zones with DST (those buckets stay in the interpreter).
 */
export function bucketStartSql(ms: Sql, sizeMs: number, timeZone: string): Sql | undefined {
  const offset = parseFixedOffset(timeZone);
  if (offset === null || !Number.isInteger(sizeMs) || sizeMs <= 0) return undefined;
  const base = sizeMs % WEEK === 0 ? MONDAY_EPOCH : 0;
  const shift = param(offset - base, 'Int64');
  const size = param(sizeMs, 'Int64');
  const back = param(base - offset, 'Int64');
  // floor((local - base) / size) * size + base - offset, with local = ms + offset.
  return sql`((${ms} + ${shift}) - positiveModulo(${ms} + ${shift}, ${size}) + ${back})`;
}

/** A row's message time, epoch ms. */
export const ROW_MS: Sql = timeMs('ts');

/** Adds the field a timeslice stage writes, or says why it cannot be pushed. */
export function pushTimeslice(stage: TimesliceStage, ctx: AggregateContext): string | undefined {
  if (!ctx.caps.timeslice) return 'timeslice is not pushed to this engine';
  if (stage.size?.parameter !== undefined) return 'timeslice has a template parameter';
  const name = stage.alias?.name ?? '_timeslice';
  let size = stage.size?.ms;
  if (size === undefined && stage.buckets !== undefined) size = sizeForBuckets(ctx.to - ctx.from, stage.buckets);
  if (size === undefined) return 'timeslice without a size';
  const start = bucketStartSql(ROW_MS, size, ctx.timeZone);
  if (start === undefined) return `timeslice in time zone ${ctx.timeZone} (daylight saving) runs in JS`;
  const sliceOf = (ms: Sql): Sql => bucketStartSql(ms, size, ctx.timeZone) as Sql;
  ctx.computed.set(name.toLowerCase(), { name, value: start, text: sql`toString(${start})`, number: sql`toFloat64(${start})`, sliceMs: size, sliceOf });
  return undefined;
}

interface ValueSql {
  /** the field's value as the interpreter sees it (String, or a number for numeric metadata) */
  value: Sql;
  /** its text (toText): Nullable(String) */
  text: Sql;
  /** toNumber of it */
  number: Sql;
  /** the value is never NULL */
  notNull: boolean;
}

/**
 * Pushes a `parse regex` (one pattern, no nodrop/multi/aliases, over the message or a metadata
 * field): returns the WHERE condition (rows it does not match are dropped), or why not.
 */
export function pushParseRegex(stage: ParseRegexStage, ctx: AggregateContext): { where: Sql } | string {
  if (stage.multi || stage.nodrop || stage.aliases.length > 0 || stage.patterns.length !== 1) return 'parse regex with nodrop, multi, aliases or several patterns';
  const pattern = stage.patterns[0] as RegexPattern;
  const re = translateRegex(pattern.source);
  if (re === undefined) return `parse regex "${pattern.source}" is not provably the same in RE2`;
  let source: Sql = raw('message');
  if (stage.sourceField !== undefined) {
    const v = valueOf(stage.sourceField.name, ctx);
    if (v === undefined || !v.notNull) return `parse regex field=${stage.sourceField.name}`;
    source = v.text;
  }
  const bound = param(re.source, 'String');
  for (const name of pattern.groupNames) {
    const index = re.groups.get(name);
    if (index === undefined) return `parse regex group ${name}`;
    const value = sql`regexpExtract(${source}, ${bound}, ${raw(String(index))})`;
    // A group of digits only always reads as a number: skip the numeric-text test.
    const digitsOnly = pattern.source.includes(`(?<${name}>\\d+)`) || pattern.source.includes(`(?<${name}>[0-9]+)`);
    ctx.computed.set(name.toLowerCase(), { name, value, text: value, number: digitsOnly ? sql`toFloat64(${value})` : numberOf(value) });
  }
  return { where: sql`match(${source}, ${bound})` };
}

/** The SQL of the ordering operators a where may push. */
const ORDERINGS: Record<string, Sql> = { '<': raw('<'), '<=': raw('<='), '>': raw('>'), '>=': raw('>=') };

const NUMERIC_TEXT = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * A `where` condition as SQL: comparisons of a field with a literal (`=`/`!=` by valuesEqual,
 * `< <= > >=` with a number by compareForExpression), combined with and/or/!. Comparisons are never
 * null in the interpreter, so two-valued logic is exact. Undefined when not translatable.
 */
export function whereSql(expr: Expr, ctx: AggregateContext): Sql | undefined {
  if (expr.kind === 'Unary' && expr.operator === '!') {
    const inner = whereSql(expr.operand, ctx);
    return inner === undefined ? undefined : sql`NOT (${inner})`;
  }
  if (expr.kind !== 'Binary') return undefined;
  if (expr.operator === 'and' || expr.operator === 'or') {
    const l = whereSql(expr.left, ctx);
    const r = whereSql(expr.right, ctx);
    return l === undefined || r === undefined ? undefined : sql`((${l}) ${raw(expr.operator === 'and' ? 'AND' : 'OR')} (${r}))`;
  }
  let field = expr.left;
  let literal = expr.right;
  let op: string = expr.operator;
  if (field.kind !== 'Field') {
    [field, literal] = [expr.right, expr.left];
    op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op] ?? op;
  }
  if (field.kind !== 'Field') return undefined;
  const v = valueOf(field.name, ctx);
  if (v === undefined) return undefined;
  let lit: string | number;
  if (literal.kind === 'NumberLiteral') lit = literal.value;
  else if (literal.kind === 'StringLiteral') lit = literal.value;
  else if (literal.kind === 'Unary' && literal.operator === '-' && literal.operand.kind === 'NumberLiteral') lit = -literal.operand.value;
  else return undefined;
  if (typeof lit === 'number' && !Number.isFinite(lit)) return undefined;
  const litNumber = typeof lit === 'number' ? lit : NUMERIC_TEXT.test(lit) ? Number(lit) : null;
  const num = litNumber === null ? undefined : param(litNumber, 'Float64');
  if (op === '=' || op === '!=') {
    // Numbers when both sides read as numbers, else the texts (a number literal prints as JS does).
    const text = param(typeof lit === 'number' ? String(lit) : lit, 'String');
    const eq = num === undefined ? sql`ifNull(${v.text} = ${text}, 0)` : sql`ifNull(if(isNotNull(${v.number}), ${v.number} = ${num}, ${v.text} = ${text}), 0)`;
    return op === '=' ? eq : sql`NOT ${eq}`;
  }
  // Ordering only against a number literal: text order (UTF-16 vs UTF-8 bytes) stays in JS.
  if (typeof lit !== 'number' || num === undefined) return undefined;
  const ordering = ORDERINGS[op];
  if (ordering === undefined) return undefined;
  return sql`ifNull(${v.number} ${ordering} ${num}, 0)`;
}

function valueOf(name: string, ctx: AggregateContext): ValueSql | undefined {
  // A computed field is an exact hit when the name matches; a stored field of the same name is
  // shadowed (the stage overwrote it).
  const computed = ctx.computed.get(name.toLowerCase());
  if (computed !== undefined && (computed.name === name || !isMetadataField(name))) {
    return { value: computed.value, text: computed.text, number: computed.number, notNull: true };
  }
  const f = fieldSql(name);
  if (f === undefined) return undefined;
  return { value: f.value, text: f.text, number: f.number, notNull: f.isMetadata };
}

/** A pushed aggregate stage: one statement over a per-row projection of the keys and values. */
export interface AggregateSql {
  /** per-row projections of the inner SELECT (aliases `v{i}`) */
  inner: SelectItem[];
  /** aggregate SELECT list of the outer SELECT (aliases `c{i}`) */
  select: SelectItem[];
  /** aliases of the group keys in `select` */
  groupBy: string[];
  /** output names (keys then aggregate outputs); SQL column i is aliased `c{i}` */
  columns: string[];
  /** the column of a plain `count` (every row of the group), if there is one */
  countAllColumn: number | undefined;
  /** per group key (same order as groupBy): the slice size when the key is a pushed timeslice */
  keySliceMs: (number | undefined)[];
}

/** True for `count` and `count(*)`: the number of rows of the group. */
export function countsEveryRow(a: AggregateStage['aggregations'][number]): boolean {
  const name = AGGREGATE_SYNONYMS[a.function] ?? a.function;
  return name === 'count' && (a.args.length === 0 || (a.args.length === 1 && a.args[0]?.kind === 'Field' && a.args[0].name === '*'));
}

/** Translates an aggregate stage, or returns why it stays in the interpreter. */
export function pushAggregate(stage: AggregateStage, ctx: AggregateContext): AggregateSql | string {
  if (!ctx.caps.aggregates) return 'aggregates are not pushed to this engine';
  const inner: SelectItem[] = [];
  const select: SelectItem[] = [];
  const groupBy: string[] = [];
  const columns: string[] = [];
  const keySliceMs: (number | undefined)[] = [];
  let countAllColumn: number | undefined;
  const projected = new Map<string, Sql>();
  /** The inner alias of a per-row expression (each distinct expression computed once). */
  const project = (expr: Sql): Sql => {
    const key = treeKey(expr);
    let alias = projected.get(key);
    if (alias === undefined) {
      const name = `v${projected.size}`;
      alias = id(name);
      projected.set(key, alias);
      inner.push({ expr, alias: name });
    }
    return alias;
  };
  const output = (expr: Sql, name: string): void => {
    select.push({ expr, alias: `c${columns.length}` });
    columns.push(name);
  };
  for (const key of stage.groupBy) {
    const v = valueOf(key.name, ctx);
    if (v === undefined) return `group key ${key.name}`;
    const computed = ctx.computed.get(key.name.toLowerCase());
    keySliceMs.push(computed !== undefined && v.value === computed.value ? computed.sliceMs : undefined);
    groupBy.push(`c${columns.length}`);
    output(project(v.value), key.name);
  }
  const call = (fn: AggregateFunction, arg?: Sql): Sql => aggregate(fn, arg);
  for (const a of stage.aggregations) {
    const name = AGGREGATE_SYNONYMS[a.function] ?? a.function;
    const countsAll = countsEveryRow(a);
    const isPct = name === 'pct' || name === 'median';
    const valueArgs = isPct && name === 'pct' ? a.args.slice(0, 1) : countsAll ? [] : a.args;
    const percents =
      name === 'median' ? [50] : isPct ? a.args.slice(1).map((e) => (e.kind === 'NumberLiteral' ? e.value : NaN)) : [];
    if (percents.some((p) => Number.isNaN(p))) return `${a.function} with non-literal percentiles`;
    const arg = valueArgs[0];
    if (valueArgs.length > 1 || (arg !== undefined && arg.kind !== 'Field')) return `${a.function} over an expression`;
    const compiled = compileAggregate({
      name: a.function,
      valueArgCount: valueArgs.length,
      percents: name === 'median' ? [] : percents,
      argFieldName: arg?.kind === 'Field' ? arg.name : undefined,
      alias: a.alias?.name,
    });
    if (!compiled.ok) return compiled.message;
    const outputs = compiled.spec.outputs;
    const v = arg?.kind === 'Field' ? valueOf(arg.name, ctx) : undefined;
    if (arg !== undefined && v === undefined) return `${a.function}(${arg.kind === 'Field' ? arg.name : ''})`;
    const exprs: Sql[] = [];
    switch (name) {
      case 'count':
        if (v === undefined || v.notNull) countAllColumn ??= columns.length;
        exprs.push(v === undefined || v.notNull ? sql`toFloat64(${call('count')})` : sql`toFloat64(${call('count', project(v.value))})`);
        break;
      case 'count_distinct':
        exprs.push(sql`toFloat64(${call('uniqExact', project(v!.value))})`);
        break;
      case 'sum':
      case 'avg':
      case 'min':
      case 'max':
        exprs.push(call(`${name}OrNull`, project(v!.number)));
        break;
      case 'pct':
      case 'median': {
        if (!ctx.caps.percentiles) return 'percentiles are not pushed to this engine';
        const x = project(v!.number);
        const n = sql`toFloat64(${call('count', x)})`;
        for (const p of percents) {
          const pp = param(p, 'Float64');
          // Nearest rank, as the interpreter: the ceil(p/100·n)-th smallest value.
          exprs.push(sql`if(${n} = 0, NULL, arraySort(${call('groupArray', x)})[toUInt64(greatest(1, least(${n}, ceil(${pp} / 100 * ${n} - 1e-9))))])`);
        }
        break;
      }
      default:
        return `${a.function} is not pushed`;
    }
    if (exprs.length !== outputs.length) return `${a.function} outputs`;
    exprs.forEach((e, i) => output(e, outputs[i] as string));
  }
  return { inner, select, groupBy, columns, countAllColumn, keySliceMs };
}
