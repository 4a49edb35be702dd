/** Public API of the query language front end (lexer, parser, diagnostics, parameters). */
export { parseQuery } from './parser/index.js';
export type { ParseResult } from './parser/index.js';
export { renderDiagnostic, renderDiagnostics } from './diagnostics/index.js';
export { DIAGNOSTICS, hasErrors } from './diagnostics/index.js';
export type { Diagnostic, DiagnosticDefinition } from './diagnostics/index.js';
export { tokenize, TokenKind } from './lexer/index.js';
export type { Token } from './lexer/index.js';
export type * from './ast.js';
