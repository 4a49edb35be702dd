import type { Diagnostic } from './diagnostic.js';

/** Line (1-based), column (1-based) of an offset, and the text of that line. */
export function locate(
  text: string,
  offset: number,
): { line: number; column: number; lineStart: number; lineText: string } {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i < clamped; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  let lineText = text.slice(lineStart, lineEnd);
  if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1);
  return { line, column: clamped - lineStart + 1, lineStart, lineText };
}

/**
 * Renders a diagnostic the way the CLI prints it: a header, the source line, and a caret (`^`) at the
 * span start followed by tildes (`~`) under the rest of the span (cut at the end of the line).
 */
export function renderDiagnostic(query: string, diagnostic: Diagnostic): string {
  const { line, column, lineText } = locate(query, diagnostic.span.start);
  const shown = lineText.replace(/\t/g, ' ');
  const gutter = String(line);
  const pad = ' '.repeat(gutter.length);
  const available = Math.max(1, shown.length - (column - 1));
  const spanLength = Math.max(1, Math.min(diagnostic.span.end - diagnostic.span.start, available));
  const marker = ' '.repeat(column - 1) + '^' + '~'.repeat(spanLength - 1);
  const out = [
    `${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`,
    `${pad}--> line ${line}, column ${column}`,
    `${pad} |`,
    `${gutter} | ${shown}`,
    `${pad} | ${marker}`,
  ];
  if (diagnostic.hint !== undefined) out.push(`${pad} = hint: ${diagnostic.hint}`);
  return out.join('\n');
}

/** Renders several diagnostics separated by blank lines. */
export function renderDiagnostics(query: string, diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => renderDiagnostic(query, d)).join('\n\n');
}
