/**
 * AST of the Sumo Logic query language as Quarry parses it.
 *
 * Shape of a query:  `scope | stage | stage | …`
 *   - `Query.scope` is the keyword expression before the first `|` (undefined when the query is empty
 *     or starts with `|`; a lone `*` is a `ScopeTerm` with text `*`).
 *   - `Query.stages` are the pipeline operators, in order. One `|` segment can yield more than one
 *     stage: `parse "a=*" as a, "b=*" as b` becomes two `Parse` stages sharing `field=`/`nodrop`.
 *
 * Conventions (read these first):
 *   - Every node has `kind` (the discriminant) and `span` = character offsets `[start, end)` into the
 *     ORIGINAL query text (UTF-16 code units, as JavaScript strings index).
 *   - Keyword-ish names (operator names, function names, aggregate names, `asc`/`desc`, …) are stored
 *     lower-cased; user names (fields, aliases) are stored exactly as the user wrote them (unescaped).
 *   - Optional parts the user omitted are `undefined` (never empty strings); lists are always arrays.
 *   - String values are stored unescaped (`\"` → `"`, `\\` → `\`, `\n` → newline). Regexes written in
 *     strings (`parse regex`, `kv regex`) have only `\"` → `"` and `\\` → `\` applied, so `"\d+"` is the
 *     regex `\d+` and `"(?:\\||^)"` is `(?:\||^)`; `/…/` regex literals are stored as written.
 *   - Durations are pre-computed to milliseconds, numbers with suffixes to their value.
 *   - Unsubstituted `{{param}}`s parse (for validation and editors): as `Parameter`/`ScopeParameter`
 *     nodes where an expression or term may stand, and as NaN numbers / `Duration.parameter` in
 *     literal-only positions (limit counts, durations; also for a `*` placeholder left by template
 *     exports, with `Duration.parameter === "*"`). Execute only substituted queries.
 *   - The parser never throws: a stage that failed to parse is dropped from `stages` and reported as a
 *     diagnostic; `Unsupported` marks operators that parse but are not implemented yet.
 */

/** Character offsets `[start, end)` into the original query text. */
export interface Span {
  start: number;
  end: number;
}

interface NodeBase {
  span: Span;
}

// ---------------------------------------------------------------------------------------------------
// Names and small shared pieces
// ---------------------------------------------------------------------------------------------------

/**
 * A field name in a position that names (rather than computes) a field: aliases (`as x`), `field=x`,
 * group-by keys, `fields a, b`. (Sort keys and function arguments are expressions, see `FieldRef`.)
 * `name` is unescaped: `%"Class ID"` → `Class ID`, `` `a b` `` → `a b`.
 */
export interface FieldName extends NodeBase {
  kind: 'FieldName';
  name: string;
  /** True when written `%"…"`, `%name` or `` `…` `` (escaped form). */
  quoted: boolean;
}

/**
 * A duration literal such as `5m`, `1.5s`, `1d`; `ms` is the value in milliseconds.
 * When the user wrote an unsubstituted template parameter (`timeshift {{shift}}`), `parameter` holds
 * its name and `ms` is NaN — run `substituteParams` before executing.
 */
export interface Duration extends NodeBase {
  kind: 'Duration';
  /** As written, e.g. `15m`, `-24h`, `{{shift}}`. */
  text: string;
  ms: number;
  parameter?: string;
}

// ---------------------------------------------------------------------------------------------------
// Scope (keyword expression before the first `|`)
// ---------------------------------------------------------------------------------------------------

/** A bare keyword, e.g. `error`, `com.*.services*`, `*`. Case-insensitive; `*`/`?` are wildcards. */
export interface ScopeTerm extends NodeBase {
  kind: 'ScopeTerm';
  /** The term as written (may contain `*`, `?`, and `{{param}}` text). */
  text: string;
  hasWildcard: boolean;
}

/** A quoted phrase, e.g. `"failed login"`. `value` is unescaped. */
export interface ScopePhrase extends NodeBase {
  kind: 'ScopePhrase';
  value: string;
  hasWildcard: boolean;
}

/**
 * A metadata or indexed-field term: `_sourceCategory=prod/web*`, `_index=audit`, `env="prod"`,
 * `_sourceHost!=db1`. `field` keeps the user's spelling; compare case-insensitively.
 */
export interface ScopeFieldMatch extends NodeBase {
  kind: 'ScopeFieldMatch';
  field: FieldName;
  operator: '=' | '!=';
  /** Unescaped value; may contain wildcards when unquoted. */
  value: string;
  quoted: boolean;
  hasWildcard: boolean;
}

/** `{{name}}` standing alone in the scope (search-template parameter not yet substituted). */
export interface ScopeParameter extends NodeBase {
  kind: 'ScopeParameter';
  name: string;
}

/**
 * `[subquery: … | compose …]` in the scope. Not supported yet (the parser reports it); `text` is the raw
 * bracketed source.
 */
export interface ScopeSubquery extends NodeBase {
  kind: 'ScopeSubquery';
  text: string;
}

/** Implicit or explicit AND of two or more operands (flattened). */
export interface ScopeAnd extends NodeBase {
  kind: 'ScopeAnd';
  operands: ScopeExpr[];
}

/** OR of two or more operands (flattened). */
export interface ScopeOr extends NodeBase {
  kind: 'ScopeOr';
  operands: ScopeExpr[];
}

/** `NOT x` or `!x`. */
export interface ScopeNot extends NodeBase {
  kind: 'ScopeNot';
  operand: ScopeExpr;
}

/** Precedence NOT > AND > OR; parentheses are not kept as nodes (spans include them). */
export type ScopeExpr =
  ScopeTerm | ScopePhrase | ScopeFieldMatch | ScopeParameter | ScopeSubquery | ScopeAnd | ScopeOr | ScopeNot;

// ---------------------------------------------------------------------------------------------------
// Expressions (where, if, `expr as field`, function arguments …)
// ---------------------------------------------------------------------------------------------------

/** Number literal. `raw` keeps suffixes (`1.5s`, `10KiB`-style `10Ki`); `value` is evaluated (`1500`). */
export interface NumberLiteral extends NodeBase {
  kind: 'NumberLiteral';
  value: number;
  raw: string;
}

/** Double-quoted string literal (unescaped). */
export interface StringLiteral extends NodeBase {
  kind: 'StringLiteral';
  value: string;
}

export interface BooleanLiteral extends NodeBase {
  kind: 'BooleanLiteral';
  value: boolean;
}

/**
 * `/regex/` — the right side of `matches` or a function argument (`replace(x, /re/, "")`). `source` is
 * the text between the slashes; trailing flags become an inline group (`/a/i` → `(?i)a`).
 */
export interface RegexLiteral extends NodeBase {
  kind: 'RegexLiteral';
  source: string;
}

/** A field read: `status`, `_sourceCategory`, `%"Class ID"`, `` `a b` ``, `a.b` (dotted names are one field). */
export interface FieldRef extends NodeBase {
  kind: 'Field';
  name: string;
  quoted: boolean;
}

/** `{{name}}` in an expression (search-template parameter not yet substituted). */
export interface ParameterRef extends NodeBase {
  kind: 'Parameter';
  name: string;
}

export const UnaryOperator = {
  Negate: '-',
  Plus: '+',
  Not: '!',
} as const;
export type UnaryOperator = (typeof UnaryOperator)[keyof typeof UnaryOperator];

/** `-x`, `+x`, `!x` / `not x`. */
export interface UnaryExpr extends NodeBase {
  kind: 'Unary';
  operator: UnaryOperator;
  operand: Expr;
}

/** Binary operators, normalised: `==` → `=`, `<>` → `!=`, `&&`/`AND` → `and`, `||`/`OR` → `or`. */
export const BinaryOperator = {
  Add: '+',
  Subtract: '-',
  Multiply: '*',
  Divide: '/',
  Modulo: '%',
  Equal: '=',
  NotEqual: '!=',
  Less: '<',
  LessEqual: '<=',
  Greater: '>',
  GreaterEqual: '>=',
  And: 'and',
  Or: 'or',
} as const;
export type BinaryOperator = (typeof BinaryOperator)[keyof typeof BinaryOperator];

export interface BinaryExpr extends NodeBase {
  kind: 'Binary';
  operator: BinaryOperator;
  left: Expr;
  right: Expr;
}

/** Function call, e.g. `toLowerCase(x)`, `concat(a, " ", b)`. `name` is lower-cased. */
export interface CallExpr extends NodeBase {
  kind: 'Call';
  name: string;
  nameSpan: Span;
  args: Expr[];
}

/** `if(cond, a, b)` (form `if`) or `cond ? a : b` (form `ternary`). */
export interface ConditionalExpr extends NodeBase {
  kind: 'Conditional';
  form: 'if' | 'ternary';
  condition: Expr;
  then: Expr;
  else: Expr;
}

/**
 * `subject matches pattern`. A `StringLiteral` pattern is a case-sensitive glob (`*` wildcard); a
 * `RegexLiteral` is an RE2 regex; any other expression is evaluated and used as a glob.
 */
export interface MatchesExpr extends NodeBase {
  kind: 'Matches';
  subject: Expr;
  pattern: Expr;
}

/** `subject in ("a", "b")` / `subject not in (…)`. */
export interface InExpr extends NodeBase {
  kind: 'In';
  subject: Expr;
  values: Expr[];
  negated: boolean;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | RegexLiteral
  | FieldRef
  | ParameterRef
  | UnaryExpr
  | BinaryExpr
  | CallExpr
  | ConditionalExpr
  | MatchesExpr
  | InExpr;

// ---------------------------------------------------------------------------------------------------
// Pipeline stages
// ---------------------------------------------------------------------------------------------------

/**
 * `parse [field=f] "<anchor * pattern>" [as] f1, f2 [nodrop]`.
 * Each `*` in `pattern` captures lazily; `fields.length` equals the number of `*`.
 */
export interface ParseStage extends NodeBase {
  kind: 'Parse';
  /** Unescaped pattern (`\"` → `"`, `\n` → newline, `\t` → tab, `\\` → `\`). */
  pattern: string;
  patternSpan: Span;
  fields: FieldName[];
  /** `field=f`; undefined means `_raw`. */
  sourceField: FieldName | undefined;
  nodrop: boolean;
}

/** One regex of `parse regex` / `extract`; `source` is the regex text with `\"` unescaped to `"`. */
export interface RegexPattern extends NodeBase {
  kind: 'RegexPattern';
  source: string;
  /** Named groups in order of appearance (what the stage assigns). */
  groupNames: string[];
}

/**
 * `parse regex [field=f] "<re>"[, "<re>"…] [nodrop] [multi]` or `extract …` (synonym).
 * `aliases` is the rare `as a, b` form (positional names for the groups); usually empty.
 */
export interface ParseRegexStage extends NodeBase {
  kind: 'ParseRegex';
  keyword: 'parse regex' | 'extract';
  patterns: RegexPattern[];
  aliases: FieldName[];
  sourceField: FieldName | undefined;
  nodrop: boolean;
  multi: boolean;
}

/** A JSON path segment: `.key` / `['key']`, `[3]`, `[*]`, or `..` (recursive descent). */
export type JsonPathSegment =
  | { type: 'key'; name: string }
  | { type: 'index'; index: number }
  | { type: 'wildcard' }
  | { type: 'descendant' };

export interface JsonPath extends NodeBase {
  kind: 'JsonPath';
  /** The path as written inside the quotes, e.g. `a.b[*]['x y']`. */
  text: string;
  segments: JsonPathSegment[];
}

/**
 * `json [field=f] "p1", "p2" [as a1, a2] [nodrop]`  (mode `paths`), or
 * `json auto [field=f] [maxdepth n] [extractarrays] [keys "k1", … [refonly]] [as …] [nodrop]` (mode `auto`).
 * Without `as`, a path's output name is its last key segment (interpreter's choice).
 */
export interface JsonStage extends NodeBase {
  kind: 'Json';
  mode: 'paths' | 'auto';
  paths: JsonPath[];
  aliases: FieldName[];
  sourceField: FieldName | undefined;
  nodrop: boolean;
  /** auto only */
  maxDepth: number | undefined;
  extractArrays: boolean;
  /** `keys "a","b"` (auto only) */
  keys: string[];
  refonly: boolean;
}

/**
 * `kv` / `keyvalue`:
 *   mode `infer`: `kv [infer] "k1", "k2" [as a, b]` (built-in key/value regexes);
 *   mode `regex`: `kv regex "<re>" [keys] "k1", … [as …]` (one or two capture groups);
 *   mode `auto`:  `kv auto [field=f] [delim ":"] [keys "a" … [refonly]] [as …]`.
 */
export interface KeyValueStage extends NodeBase {
  kind: 'KeyValue';
  keyword: 'kv' | 'keyvalue';
  mode: 'infer' | 'regex' | 'auto';
  regex: string | undefined;
  keys: string[];
  aliases: FieldName[];
  sourceField: FieldName | undefined;
  /** Pair delimiter, e.g. `delim ":"` or `delim=":"`. */
  delimiter: string | undefined;
  refonly: boolean;
  nodrop: boolean;
}

/** One extracted column of `csv` / `split`: 1-based `position` → `field`. `_` skips are omitted. */
export interface ExtractColumn extends NodeBase {
  kind: 'ExtractColumn';
  position: number;
  field: FieldName;
}

/**
 * `csv <field> [delim=','] [escape='\'] [quote='"'] extract 1 as a, 2 as b` or `extract a, _, c`
 * (kind `Csv`), and `split <field> …` with the same options (kind `Split`).
 */
export interface DelimitedStage extends NodeBase {
  kind: 'Csv' | 'Split';
  sourceField: FieldName;
  delimiter: string | undefined;
  escape: string | undefined;
  quote: string | undefined;
  columns: ExtractColumn[];
}

/** `where <bool expr>`. */
export interface WhereStage extends NodeBase {
  kind: 'Where';
  condition: Expr;
}

/**
 * A bare expression stage: `<expr> as field` (e.g. `bytes/1024 as kb`, `if(…) as x`, `"x" as y`,
 * `ip as src_ip`) or a call without alias (`num(x)`, `toLowerCase(x)`), where `alias` is undefined and
 * the interpreter decides the output (Sumo writes back to the argument field for casts).
 */
export interface EvalStage extends NodeBase {
  kind: 'Eval';
  expression: Expr;
  alias: FieldName | undefined;
}

/** `fields a, b` (mode `keep`) or `fields - a, b` (mode `remove`). Names may contain `*` wildcards. */
export interface FieldsStage extends NodeBase {
  kind: 'Fields';
  mode: 'keep' | 'remove';
  fields: FieldName[];
}

/** `limit N`. */
export interface LimitStage extends NodeBase {
  kind: 'Limit';
  count: number;
}

/** `dedup [consecutive] [N] [by f1, f2]`; `count` defaults to 1, empty `by` means `_raw`. */
export interface DedupStage extends NodeBase {
  kind: 'Dedup';
  consecutive: boolean;
  count: number | undefined;
  by: FieldName[];
}

/**
 * `timeslice 5m [as f]`, `timeslice by 1h`, `timeslice 150 buckets [as f]`, bare `timeslice`.
 * Exactly one of `size` / `buckets` is set, or neither (whole range). `alias` defaults to `_timeslice`.
 */
export interface TimesliceStage extends NodeBase {
  kind: 'Timeslice';
  size: Duration | undefined;
  buckets: number | undefined;
  alias: FieldName | undefined;
}

/**
 * One aggregation inside an aggregate stage, e.g. `count`, `count(f)`, `count_distinct(user) as u`,
 * `pct(latency, 95, 99)`, `count_frequent a, b`, `topk(10, host)`.
 * `function` is the name as written, lower-cased (synonyms such as `percentile`/`pct` are NOT merged;
 * the catalog `AGGREGATES` says which name is a synonym of which). `args` are the arguments (fields are
 * `Field` nodes); the bare `count_frequent a, b` form puts the fields in `args` too. `count(*)`
 * has one `Field` argument named `*`.
 */
export interface Aggregation extends NodeBase {
  kind: 'Aggregation';
  function: string;
  functionSpan: Span;
  args: Expr[];
  alias: FieldName | undefined;
}

/**
 * `agg1 [as a], agg2 … [by|group by k1, k2]`, e.g. `count by _sourceHost`,
 * `count as n, avg(x) by _timeslice`. Group keys are plain field names. The `by` is optional in Sumo:
 * `count _sourceHost` and `count date, host` group by those fields (they land in `groupBy`).
 */
export interface AggregateStage extends NodeBase {
  kind: 'Aggregate';
  aggregations: Aggregation[];
  groupBy: FieldName[];
}

/**
 * `top N f1[, f2] [by k1 [asc|desc], …]` — keep the N first rows, always as records.
 * `count` undefined means Sumo's default (10). Empty `by`, or over messages `by count` / `by _count`,
 * counts by the fields and ranks the groups by `_count`; any other key ranks the rows (after an
 * aggregate usually a field computed there: `by eventCount`) — direction default desc. The
 * interpreter's `topForm` (interpreter/top-form.ts) decides which.
 */
export interface TopStage extends NodeBase {
  kind: 'Top';
  count: number | undefined;
  fields: FieldName[];
  by: SortKey[];
}

/** One sort key: `by +f`, `by f asc`, `by f desc`; default direction is `desc`. */
export interface SortKey extends NodeBase {
  kind: 'SortKey';
  expression: Expr;
  direction: 'asc' | 'desc';
}

/** `sort [by] k1 [asc|desc], …` or `order by …` (synonym). Optional trailing `limit N` is rare; ignored. */
export interface SortStage extends NodeBase {
  kind: 'Sort';
  keyword: 'sort' | 'order';
  keys: SortKey[];
}

/**
 * `transpose row r1[, r2] column c1[, c2] [as n1, n2, *]`.
 * `as` absent → all columns (same as `as *`); `asFields` lists named columns, `asStar` says whether `*`
 * (all remaining columns) was given.
 */
export interface TransposeStage extends NodeBase {
  kind: 'Transpose';
  row: FieldName[];
  column: FieldName[];
  asFields: FieldName[];
  asStar: boolean;
}

/** A fillmissing generator: `timeslice[(15m)] [in f]` or `values("a", "b") in f` / `values all in f`. */
export type FillGenerator =
  | (NodeBase & { kind: 'TimesliceGenerator'; size: Duration | undefined; field: FieldName | undefined })
  | (NodeBase & { kind: 'ValuesGenerator'; values: Expr[]; all: boolean; field: FieldName });

/**
 * `fillmissing gen1, gen2 … [with <literal> for f1, f2] [takeLast]`.
 */
export interface FillMissingStage extends NodeBase {
  kind: 'FillMissing';
  generators: FillGenerator[];
  /** `with -1 for _count`; undefined → type defaults. */
  fill: { value: Expr; fields: FieldName[] } | undefined;
  takeLast: boolean;
}

/**
 * Row-order series operators over records (usually sorted by `_timeslice`):
 *   `accum f [as a] [by g…]` → `_accum`;  `total f [as a] [by g…]` → `_total`;
 *   `diff f [as a] [by g…]` → `_diff`;    `backshift f[, n] [as a] [by g]` → `_backshift`;
 *   `smooth f[, n] [as a] [by g]` → `_smooth`;  `rollingstd f[, n] [as a] [by g]` → `_rollingstd`.
 * `window` is `n` (backshift: shift distance) when given.
 */
export interface SeriesStage extends NodeBase {
  kind: 'Accum' | 'Total' | 'Diff' | 'Backshift' | 'Smooth' | 'RollingStd';
  field: FieldName;
  window: number | undefined;
  alias: FieldName | undefined;
  by: FieldName[];
}

/** One `timeshift <dur> [n] [avg|min|max] [as alias]` of compare. */
export interface TimeShift extends NodeBase {
  kind: 'TimeShift';
  shift: Duration;
  /** Number of past periods (`timeshift 1d 7`); undefined = 1. */
  periods: number | undefined;
  aggregate: 'avg' | 'min' | 'max' | undefined;
  alias: FieldName | undefined;
}

/** `compare [with] timeshift 1d [7] [avg] [as x][, timeshift …]`. */
export interface CompareStage extends NodeBase {
  kind: 'Compare';
  shifts: TimeShift[];
}

/** `key=value` option as found in predict/outlier/logreduce, e.g. `model=ar`, `ar.window=5`, `forecast=5m`. */
export interface StageOption extends NodeBase {
  kind: 'Option';
  /** Lower-cased option name (e.g. `ar.window`). */
  name: string;
  /** Raw value text (e.g. `ar`, `5`, `5m`, `+-`). */
  value: string;
}

/**
 * `predict f [by 1m] [model=linear|ar] [, ar.window=n] [, forecast=n|dur]`.
 * Known options are lifted into fields; `options` keeps everything as written.
 */
export interface PredictStage extends NodeBase {
  kind: 'Predict';
  field: FieldName;
  by: Duration | undefined;
  model: 'linear' | 'ar';
  arWindow: number | undefined;
  /** `forecast=5` → {points: 5}; `forecast=5m` → {duration}. */
  forecast: { points: number } | { duration: Duration } | undefined;
  options: StageOption[];
}

/** `outlier f [by g…] [window=10, threshold=3, consecutive=1, direction=+-]`. */
export interface OutlierStage extends NodeBase {
  kind: 'Outlier';
  field: FieldName;
  by: FieldName[];
  window: number | undefined;
  threshold: number | undefined;
  consecutive: number | undefined;
  direction: '+-' | '+' | '-' | undefined;
  options: StageOption[];
}

/**
 * An operator Quarry recognises but does not implement yet (lookup, save, logreduce, logcompare, join,
 * withtime, infer, …). The parser skipped its arguments up to the next top-level `|` and reported the
 * "not supported yet" diagnostic. `name` is lower-cased (e.g. `lookup`, `parse xml`).
 */
export interface UnsupportedStage extends NodeBase {
  kind: 'Unsupported';
  name: string;
  nameSpan: Span;
  /** Raw source text of the whole stage (without the leading `|`). */
  text: string;
}

export type Stage =
  | ParseStage
  | ParseRegexStage
  | JsonStage
  | KeyValueStage
  | DelimitedStage
  | WhereStage
  | EvalStage
  | FieldsStage
  | LimitStage
  | DedupStage
  | TimesliceStage
  | AggregateStage
  | TopStage
  | SortStage
  | TransposeStage
  | FillMissingStage
  | SeriesStage
  | CompareStage
  | PredictStage
  | OutlierStage
  | UnsupportedStage;

export type StageKind = Stage['kind'];

/** Root node. `span` covers the whole query text. */
export interface Query extends NodeBase {
  kind: 'Query';
  /** Keyword expression before the first `|`; undefined when there is none (query starts with `|`). */
  scope: ScopeExpr | undefined;
  stages: Stage[];
}

/** Any AST node (for generic walkers). */
export type Node =
  | Query
  | ScopeExpr
  | Expr
  | Stage
  | FieldName
  | Duration
  | RegexPattern
  | JsonPath
  | ExtractColumn
  | Aggregation
  | SortKey
  | FillGenerator
  | TimeShift
  | StageOption;
