/**
 * Diagnostics the interpreter itself reports (the parser's catalog covers syntax). Codes are in
 * the QR range (query runtime) so they never collide with the parser's Q codes.
 */
import type { Span } from '../ast.js';

export const InterpreterCode = {
  UnsupportedOperator: 'QR1001',
  UnknownFunction: 'QR1002',
  WrongArgumentCount: 'QR1003',
  InvalidRegex: 'QR1004',
  UnsubstitutedParameter: 'QR1005',
  InvalidAggregate: 'QR1006',
  NeedsTimeRange: 'QR1007',
  NeedsCompareRunner: 'QR1008',
  InvalidArgument: 'QR1009',
  MissingAlias: 'QR1010',
} as const;
export type InterpreterCode = (typeof InterpreterCode)[keyof typeof InterpreterCode];

export interface InterpreterDiagnostic {
  code: InterpreterCode;
  severity: 'error';
  message: string;
  span: Span;
}

/** Builds an error diagnostic. */
export function interpreterError(code: InterpreterCode, message: string, span: Span): InterpreterDiagnostic {
  return { code, severity: 'error', message, span };
}

/** Collects diagnostics during compilation (compilation never throws). */
export class DiagnosticSink {
  readonly items: InterpreterDiagnostic[] = [];
  add(code: InterpreterCode, message: string, span: Span): void {
    this.items.push(interpreterError(code, message, span));
  }
}
