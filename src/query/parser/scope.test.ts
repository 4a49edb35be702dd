import { describe, expect, it } from 'vitest';
import { codesOf, parseOk, scopeOf } from './testing.js';

describe('scope', () => {
  it('parses keywords with implicit AND', () => {
    expect(scopeOf('error fail')).toEqual({
      kind: 'ScopeAnd',
      operands: [
        { kind: 'ScopeTerm', text: 'error', hasWildcard: false },
        { kind: 'ScopeTerm', text: 'fail', hasWildcard: false },
      ],
    });
  });

  it('gives NOT > AND > OR precedence, case-insensitively', () => {
    expect(scopeOf('a or b and not c')).toEqual({
      kind: 'ScopeOr',
      operands: [
        { kind: 'ScopeTerm', text: 'a', hasWildcard: false },
        {
          kind: 'ScopeAnd',
          operands: [
            { kind: 'ScopeTerm', text: 'b', hasWildcard: false },
            { kind: 'ScopeNot', operand: { kind: 'ScopeTerm', text: 'c', hasWildcard: false } },
          ],
        },
      ],
    });
  });

  it('supports ! and parentheses', () => {
    expect(scopeOf('!(error OR fail)')).toEqual({
      kind: 'ScopeNot',
      operand: {
        kind: 'ScopeOr',
        operands: [
          { kind: 'ScopeTerm', text: 'error', hasWildcard: false },
          { kind: 'ScopeTerm', text: 'fail', hasWildcard: false },
        ],
      },
    });
  });

  it('parses quoted phrases and wildcards', () => {
    expect(scopeOf('"failed login"')).toEqual({
      kind: 'ScopePhrase',
      value: 'failed login',
      hasWildcard: false,
    });
    expect(scopeOf('com.*.services*')).toEqual({
      kind: 'ScopeTerm',
      text: 'com.*.services*',
      hasWildcard: true,
    });
    expect(scopeOf('*')).toEqual({ kind: 'ScopeTerm', text: '*', hasWildcard: true });
  });

  it('parses metadata terms including _index, _view and quoted values', () => {
    expect(scopeOf('_sourceCategory=prod/web*')).toEqual({
      kind: 'ScopeFieldMatch',
      field: { kind: 'FieldName', name: '_sourceCategory', quoted: false },
      operator: '=',
      value: 'prod/web*',
      quoted: false,
      hasWildcard: true,
    });
    expect(scopeOf('_index=sumologic_audit')).toMatchObject({
      field: { name: '_index' },
      value: 'sumologic_audit',
    });
    expect(scopeOf('_view = my_view')).toMatchObject({ field: { name: '_view' }, value: 'my_view' });
    expect(scopeOf('_sourceHost="10.1.12.22"')).toMatchObject({ value: '10.1.12.22', quoted: true });
    expect(scopeOf('_sourceHost!=db1')).toMatchObject({ operator: '!=' });
    expect(scopeOf('%"pod label"=x')).toMatchObject({ field: { name: 'pod label', quoted: true } });
  });

  it('keeps {{parameters}} and reports subqueries as not supported', () => {
    expect(scopeOf('{{kw}}')).toEqual({ kind: 'ScopeParameter', name: 'kw' });
    expect(codesOf('a [subquery: b | compose x] | count')).toEqual(['Q3001']);
  });

  it('has spans covering the source', () => {
    const text = '(a OR b) c';
    const scope = parseOk(text).scope!;
    expect(scope.span).toEqual({ start: 0, end: 10 });
  });

  it('reports unbalanced parentheses', () => {
    expect(codesOf('(a OR b')).toEqual(['Q2011']);
    expect(codesOf('a) b')).toEqual(['Q2011']);
  });

  it('an empty scope is undefined', () => {
    expect(parseOk('| count').scope).toBeUndefined();
    expect(parseOk('').scope).toBeUndefined();
  });
});
