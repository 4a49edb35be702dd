export { DIAGNOSTICS, Severity } from './catalog.js';
export type { DiagnosticDefinition, DiagnosticName } from './catalog.js';
export { formatMessage, hasErrors, makeDiagnostic } from './diagnostic.js';
export type { Diagnostic } from './diagnostic.js';
export { locate, renderDiagnostic, renderDiagnostics } from './render.js';
