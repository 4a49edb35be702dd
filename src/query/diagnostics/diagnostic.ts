import type { Span } from '../ast.js';
import type { DiagnosticDefinition, Severity } from './catalog.js';

/** A problem found in a query: data, never an exception. */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  hint?: string;
}

/** Fills a catalog entry's `{placeholders}` (`{{{name}}}` renders as `{{value}}`). */
export function formatMessage(template: string, args: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = args[key];
    return value === undefined ? whole : String(value);
  });
}

/** Builds a diagnostic from a catalog definition. */
export function makeDiagnostic(
  definition: DiagnosticDefinition,
  span: Span,
  args: Record<string, string | number> = {},
  hint?: string,
): Diagnostic {
  const diagnostic: Diagnostic = {
    code: definition.code,
    severity: definition.severity,
    message: formatMessage(definition.message, args),
    span: { start: span.start, end: span.end },
  };
  if (hint !== undefined) diagnostic.hint = hint;
  return diagnostic;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
