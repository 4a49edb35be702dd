import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTICS } from './catalog.js';
import { formatMessage } from './diagnostic.js';

const DOCS = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));

/** Table rows of docs/errors.md as [code, severity, message, explanation] (`\|` unescaped). */
function documentedRows(): string[][] {
  return readFileSync(DOCS, 'utf8')
    .split('\n')
    .filter((line) => /^\| Q\d{4} /.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    );
}

describe('diagnostics catalog', () => {
  const entries = Object.values(DIAGNOSTICS);

  it('has unique, well-formed codes', () => {
    const codes = entries.map((d) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^Q[1-49]\d{3}$/);
  });

  it('is in sync with docs/errors.md (code, severity, message, explanation)', () => {
    const documented = documentedRows();
    expect(documented.map((r) => r[0])).toEqual(entries.map((d) => d.code));
    for (const [code, severity, message, explanation] of documented) {
      const entry = entries.find((d) => d.code === code)!;
      expect({ code, severity, message, explanation }).toEqual({
        code,
        severity: entry.severity,
        message: entry.message,
        explanation: entry.explanation,
      });
    }
  });

  it('fills message templates', () => {
    expect(formatMessage(DIAGNOSTICS.UnknownOperator.message, { name: 'foo' })).toBe(
      'unknown operator "foo"',
    );
    expect(formatMessage(DIAGNOSTICS.MissingParameter.message, { name: 'id' })).toBe(
      'no value for parameter {{id}}',
    );
  });
});
