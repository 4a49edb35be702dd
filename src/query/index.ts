/** Public API of the query language front end (lexer, parser, diagnostics, parameters). */
export { parseQuery } from './parser/index.js';
export type { ParseResult } from './parser/index.js';
export { renderDiagnostic, renderDiagnostics } from './diagnostics/index.js';
export { DIAGNOSTICS, hasErrors } from './diagnostics/index.js';
export type { Diagnostic, DiagnosticDefinition } from './diagnostics/index.js';
export { tokenize, TokenKind } from './lexer/index.js';
export type { Token } from './lexer/index.js';
export { AGGREGATES, FUNCTIONS, OPERATORS, UNSUPPORTED_OPERATORS } from './catalog/index.js';
export type { AggregateInfo, FunctionInfo, OperatorInfo } from './catalog/index.js';
export { BinaryOperator, UnaryOperator } from './ast.js';
export type {
  AggregateStage,
  Aggregation,
  BinaryExpr,
  BooleanLiteral,
  CallExpr,
  CompareStage,
  ConditionalExpr,
  DedupStage,
  DelimitedStage,
  Duration,
  EvalStage,
  Expr,
  ExtractColumn,
  FieldName,
  FieldRef,
  FieldsStage,
  FillGenerator,
  FillMissingStage,
  InExpr,
  JsonPath,
  JsonPathSegment,
  JsonStage,
  KeyValueStage,
  LimitStage,
  MatchesExpr,
  Node,
  NumberLiteral,
  OutlierStage,
  ParameterRef,
  ParseRegexStage,
  ParseStage,
  PredictStage,
  Query,
  RegexLiteral,
  RegexPattern,
  ScopeAnd,
  ScopeExpr,
  ScopeFieldMatch,
  ScopeNot,
  ScopeOr,
  ScopeParameter,
  ScopePhrase,
  ScopeSubquery,
  ScopeTerm,
  SeriesStage,
  SortKey,
  SortStage,
  Span,
  Stage,
  StageKind,
  StageOption,
  StringLiteral,
  TimeShift,
  TimesliceStage,
  TopStage,
  TransposeStage,
  UnaryExpr,
  UnsupportedStage,
  WhereStage,
} from './ast.js';
export { listParams, ParamType, substituteParams } from './params.js';
export type { SubstituteResult, TemplateParameter } from './params.js';
export { printExpr, printQuery, printStage } from './printer.js';
