/**
 * The one catalog of query diagnostics. Codes are stable and never reused: retire a code by leaving
 * its entry (marked `retired: true`) rather than deleting it. `docs/errors.md` lists every code; a test
 * keeps the two in sync.
 *
 * Code ranges: Q1xxx lexical, Q2xxx syntax, Q3xxx not supported yet, Q4xxx template parameters,
 * Q9xxx internal.
 * Message templates use `{name}` placeholders filled by `makeDiagnostic`.
 */
export const Severity = {
  Error: 'error',
  Warning: 'warning',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export interface DiagnosticDefinition {
  code: string;
  severity: Severity;
  message: string;
  /** One line for docs/errors.md. */
  explanation: string;
  retired?: boolean;
}

function define(
  code: string,
  severity: Severity,
  message: string,
  explanation: string,
): DiagnosticDefinition {
  return { code, severity, message, explanation };
}

export const DIAGNOSTICS = {
  // Q1xxx — lexical
  UnterminatedString: define(
    'Q1001',
    'error',
    'unterminated string literal',
    'A `"` (or `\'`) string is not closed before the end of the query.',
  ),
  UnterminatedComment: define(
    'Q1002',
    'error',
    'unterminated block comment',
    'A `/*` comment has no closing `*/`.',
  ),
  UnterminatedRegex: define(
    'Q1003',
    'error',
    'unterminated regular expression literal',
    'A `/regex/` literal has no closing `/` on the same line.',
  ),
  UnterminatedParameter: define(
    'Q1004',
    'error',
    'unterminated template parameter',
    'A `{{` parameter has no closing `}}`.',
  ),
  InvalidParameterName: define(
    'Q1005',
    'error',
    'invalid template parameter name "{name}"',
    'Parameter names use letters, digits and `_` (`{{customer_id}}`).',
  ),
  UnterminatedQuotedField: define(
    'Q1006',
    'error',
    'unterminated quoted field name',
    'A `%"…"` or `` `…` `` field name is not closed.',
  ),
  UnbalancedBracket: define(
    'Q1007',
    'error',
    'unclosed "["',
    'A `[subquery: …]` (or other `[`) is not closed with `]`.',
  ),

  // Q2xxx — syntax
  UnexpectedToken: define(
    'Q2001',
    'error',
    'expected {expected}, found {found}',
    'The parser found a token where the grammar does not allow it.',
  ),
  EmptyStage: define(
    'Q2002',
    'error',
    'empty pipeline stage',
    'Two `|` follow each other, or the query ends with `|`.',
  ),
  UnknownOperator: define(
    'Q2003',
    'error',
    'unknown operator "{name}"',
    'The word after `|` is neither an operator nor the start of an expression.',
  ),
  UnknownFunction: define(
    'Q2004',
    'error',
    'unknown function "{name}"',
    'The called function is not part of the language.',
  ),
  ParseFieldCount: define(
    'Q2005',
    'error',
    'parse pattern has {stars} "*" but {fields} field name(s)',
    'In `parse "…"`, each `*` needs exactly one name after `as`.',
  ),
  ParseDoubleStar: define(
    'Q2006',
    'error',
    '"**" is not allowed in a parse pattern',
    'Two adjacent captures cannot be separated; put an anchor between them.',
  ),
  RegexWithoutNamedGroup: define(
    'Q2007',
    'error',
    'regular expression has no named capture group',
    '`parse regex` needs at least one `(?<name>…)` group.',
  ),
  RegexUnnamedGroup: define(
    'Q2008',
    'warning',
    'unnamed capturing group in parse regex; use (?:…) or (?<name>…)',
    'Sumo documents plain `(…)` groups as an error in `parse regex`/`extract` (its own apps use them; Quarry only warns).',
  ),
  InvalidNumber: define(
    'Q2009',
    'error',
    'invalid number "{text}"',
    'A number has an unknown suffix or is malformed.',
  ),
  InvalidDuration: define(
    'Q2010',
    'error',
    'invalid duration "{text}"',
    'Durations are a number with a unit: `ns us ms s m h d w` (e.g. `5m`, `1.5h`).',
  ),
  UnbalancedParenthesis: define(
    'Q2011',
    'error',
    'unbalanced parenthesis',
    'A `(` has no matching `)` or the other way round.',
  ),
  WrongArity: define(
    'Q2012',
    'error',
    'function "{name}" takes {expected} argument(s), got {got}',
    'The call has too few or too many arguments.',
  ),
  DuplicateField: define(
    'Q2013',
    'error',
    'field "{name}" is listed twice',
    '`fields` (and similar lists) must not repeat a name.',
  ),
  InvalidJsonPath: define(
    'Q2014',
    'error',
    'invalid JSON path "{path}": {reason}',
    "A `json` path is not of the form `a.b[0][*]['key']`.",
  ),
  NodropNotAllowed: define(
    'Q2015',
    'error',
    'nodrop is not supported with {operator}',
    '`nodrop` does not apply to `csv`, `split`, `parseDate`, `parseHex`.',
  ),
  LimitOutOfRange: define(
    'Q2016',
    'error',
    'limit must be between 1 and {max}, got {value}',
    '`limit N` takes a whole number up to 10,000.',
  ),
  UnknownAggregate: define(
    'Q2017',
    'error',
    'unknown aggregate function "{name}"',
    'An aggregate stage lists something that is not an aggregate function.',
  ),
  InvalidOption: define(
    'Q2018',
    'error',
    'invalid value for {option}: {reason}',
    'An operator option has a value of the wrong type or out of range.',
  ),
  ExpectedFieldName: define(
    'Q2019',
    'error',
    'expected a field name, found {found}',
    'A name (alias, `field=`, group key) is required here.',
  ),
  InvalidDelimiter: define(
    'Q2020',
    'error',
    '{option} must be a single character, got "{value}"',
    '`csv`/`split` delim, escape and quote options are one character each.',
  ),
  RegexOutsideMatches: define(
    'Q2021',
    'error',
    'a /regex/ literal is only allowed after matches or as a function argument',
    'Regex literals are values for `matches`, `replace` and similar functions.',
  ),
  NestingTooDeep: define(
    'Q2022',
    'error',
    'expression nested too deeply',
    'More than 200 nested parentheses or operators; the parser refuses to recurse further.',
  ),
  ParameterInLiteral: define(
    'Q2023',
    'warning',
    'parameter {{{name}}} must be substituted before the query runs',
    'A template parameter stands where only a literal (number, duration) is allowed.',
  ),
  UnexpectedAfterStage: define(
    'Q2024',
    'error',
    'unexpected {found} after {operator}',
    'The operator is complete but more text follows before the next `|`.',
  ),
  AggregateInExpression: define(
    'Q2025',
    'error',
    'aggregate function "{name}" cannot be used inside an expression',
    'Aggregates are only allowed as their own pipeline stage (`| count by x`).',
  ),
  UnexpectedCharacter: define(
    'Q2026',
    'error',
    'unexpected character "{char}"',
    'A character that has no meaning in the query language here.',
  ),
  DuplicateOption: define(
    'Q2027',
    'error',
    'option {option} is given twice',
    'An operator option (`field=`, `nodrop`, …) appears more than once.',
  ),
  MissingAlias: define(
    'Q2028',
    'warning',
    '{name}() has no "as" alias; Sumo requires one',
    'Functions such as `concat` must be followed by `as <field>` when used as a stage.',
  ),
  AliasCount: define(
    'Q2029',
    'error',
    '{operator} has {paths} key(s) but {aliases} alias(es)',
    'With `as`, `json`/`kv` need exactly one alias per path or key.',
  ),
  StarPlaceholder: define(
    'Q2030',
    'warning',
    '"*" stands for a value here; substitute a real value before running',
    'Template exports replace parameters with `*`; where a literal is required Quarry accepts `*` as a placeholder only.',
  ),
  AggregateArgument: define(
    'Q2031',
    'error',
    '{name}() takes field names, not expressions',
    'Aggregate arguments cannot be computed (`avg(x + y)`); compute `x + y as z` in an earlier stage.',
  ),
  DuplicateAggregateOutput: define(
    'Q2032',
    'error',
    'two aggregates would both write {output}',
    'Several aggregates of the same kind in one stage need `as` aliases (`count_distinct(a) as ca, count_distinct(b) as cb`).',
  ),
  CountFrequentAlone: define(
    'Q2033',
    'error',
    'count_frequent cannot be combined with other aggregates',
    '`count_frequent` must be the only aggregate of its stage (sumo-logic.md §1.7).',
  ),

  // Q3xxx — recognised but not implemented yet
  UnsupportedOperator: define(
    'Q3001',
    'error',
    'operator {name} is not supported yet',
    'Quarry recognises the operator but does not implement it yet.',
  ),
  UnsupportedFunction: define(
    'Q3002',
    'error',
    'function {name} is not supported yet',
    'Quarry recognises the function but does not implement it yet.',
  ),
  UnsupportedJsonFilter: define(
    'Q3003',
    'error',
    'JSON path filter expressions are not supported yet: "{path}"',
    'A `json` path uses a JSONPath filter such as `[?(@.isFinal == true)]`, which Quarry does not implement yet.',
  ),

  // Q4xxx — search template parameters
  MissingParameter: define(
    'Q4001',
    'error',
    'no value for parameter {{{name}}}',
    'The query uses a parameter that was not given a value.',
  ),
  InvalidNumberParameter: define(
    'Q4002',
    'error',
    'parameter {{{name}}} must be a NUMBER, got "{value}"',
    'NUMBER parameters accept decimal numbers only.',
  ),
  UnknownParameter: define(
    'Q4003',
    'warning',
    'parameter {{{name}}} is defined but not used',
    'A value was given for a parameter the query does not contain.',
  ),
  InvalidKeywordParameter: define(
    'Q4004',
    'error',
    'parameter {{{name}}} must be a single KEYWORD, got "{value}"',
    'KEYWORD parameters accept one search term (no spaces, quotes or `|`).',
  ),
  TooManyParameters: define(
    'Q4005',
    'warning',
    'query has {count} parameters; Sumo allows at most 10',
    'Sumo search templates allow at most 10 parameters.',
  ),

  // Q9xxx — internal
  InternalError: define(
    'Q9001',
    'error',
    'internal parser error: {message}',
    "A bug in Quarry's parser; the query could not be analysed. Please report it.",
  ),
} as const satisfies Record<string, DiagnosticDefinition>;

export type DiagnosticName = keyof typeof DIAGNOSTICS;
