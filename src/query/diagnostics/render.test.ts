import { describe, expect, it } from 'vitest';
import { DIAGNOSTICS } from './catalog.js';
import { makeDiagnostic } from './diagnostic.js';
import { locate, renderDiagnostic } from './render.js';

describe('renderDiagnostic', () => {
  it('puts a caret and tildes under the span', () => {
    const query = 'a | wher x';
    const text = renderDiagnostic(
      query,
      makeDiagnostic(
        DIAGNOSTICS.UnknownOperator,
        { start: 4, end: 8 },
        { name: 'wher' },
        'did you mean "where"?',
      ),
    );
    expect(text).toBe(
      [
        'error Q2003: unknown operator "wher"',
        ' --> line 1, column 5',
        '  |',
        '1 | a | wher x',
        '  |     ^~~~',
        '  = hint: did you mean "where"?',
      ].join('\n'),
    );
  });

  it('cuts a multi-line span at the end of its first line and handles empty spans at the end', () => {
    const query = 'a\n| where (x\n  > 1';
    const text = renderDiagnostic(
      query,
      makeDiagnostic(DIAGNOSTICS.UnbalancedParenthesis, { start: 10, end: query.length }),
    );
    expect(text.split('\n').slice(3)).toEqual(['2 | | where (x', '  |         ^~']);
    const end = renderDiagnostic(
      '| count by',
      makeDiagnostic(DIAGNOSTICS.ExpectedFieldName, { start: 10, end: 10 }, { found: 'end of query' }),
    );
    expect(end.split('\n').at(-1)).toBe('  |           ^');
  });

  it('locates offsets', () => {
    expect(locate('ab\ncd', 4)).toMatchObject({ line: 2, column: 2, lineText: 'cd' });
    expect(locate('ab\r\ncd', 1)).toMatchObject({ line: 1, lineText: 'ab' });
  });
});
