import { describe, expect, it } from 'vitest';
import { parseQuery } from './parser.js';
import { codesOf, exprOf, parseOk } from './testing.js';

const f = (name: string): object => ({ kind: 'Field', name, quoted: false });
const n = (value: number, raw = String(value)): object => ({ kind: 'NumberLiteral', value, raw });
const s = (value: string): object => ({ kind: 'StringLiteral', value });

describe('expressions', () => {
  it('respects arithmetic precedence and left associativity', () => {
    expect(exprOf('a + b * c - d')).toEqual({
      kind: 'Binary',
      operator: '-',
      left: {
        kind: 'Binary',
        operator: '+',
        left: f('a'),
        right: { kind: 'Binary', operator: '*', left: f('b'), right: f('c') },
      },
      right: f('d'),
    });
  });

  it('normalises comparison and logical operators', () => {
    expect(exprOf('a == 1')).toMatchObject({ operator: '=' });
    expect(exprOf('a <> 1')).toMatchObject({ operator: '!=' });
    expect(exprOf('a = 1 AND b = 2 or c')).toMatchObject({ operator: 'or', left: { operator: 'and' } });
    expect(exprOf('a && b or c')).toMatchObject({ operator: 'or', left: { operator: 'and' } });
    expect(exprOf('(a || b)')).toMatchObject({ operator: 'or' });
  });

  it('parses unary minus and not', () => {
    expect(exprOf('-x')).toEqual({ kind: 'Unary', operator: '-', operand: f('x') });
    expect(exprOf('!isNull(x)')).toEqual({
      kind: 'Unary',
      operator: '!',
      operand: { kind: 'Call', name: 'isnull', args: [f('x')] },
    });
    expect(exprOf('not x = 1')).toMatchObject({
      kind: 'Unary',
      operator: '!',
      operand: { kind: 'Binary', operator: '=' },
    });
  });

  it('evaluates number suffixes', () => {
    expect(exprOf('x > 1.5s')).toMatchObject({ right: n(1500, '1.5s') });
    expect(exprOf('x > 2Ki')).toMatchObject({ right: n(2048, '2Ki') });
    expect(exprOf('x > 3.14e+4')).toMatchObject({ right: n(31400, '3.14e+4') });
    expect(codesOf('* | where x > 5zz')).toEqual(['Q2009']);
    expect(exprOf('x > 0.and y')).toMatchObject({ operator: 'and', left: { right: n(0, '0.') } });
  });

  it('parses matches with globs, regexes and expressions', () => {
    expect(exprOf('x matches "fail*"')).toEqual({ kind: 'Matches', subject: f('x'), pattern: s('fail*') });
    expect(exprOf('x matches /^a.c$/')).toEqual({
      kind: 'Matches',
      subject: f('x'),
      pattern: { kind: 'RegexLiteral', source: '^a.c$' },
    });
    expect(exprOf('!(x matches "a")')).toMatchObject({ kind: 'Unary', operand: { kind: 'Matches' } });
    expect(exprOf('x not matches "a"')).toMatchObject({ kind: 'Unary', operand: { kind: 'Matches' } });
  });

  it('parses in and not in', () => {
    expect(exprOf('x in ("a", "b")')).toEqual({
      kind: 'In',
      subject: f('x'),
      values: [s('a'), s('b')],
      negated: false,
    });
    expect(exprOf('x not in (1, 2)')).toMatchObject({ kind: 'In', negated: true, values: [n(1), n(2)] });
  });

  it('parses if() and ?: into Conditional', () => {
    expect(exprOf('if(a > 1, "x", "y")')).toEqual({
      kind: 'Conditional',
      form: 'if',
      condition: { kind: 'Binary', operator: '>', left: f('a'), right: n(1) },
      then: s('x'),
      else: s('y'),
    });
    expect(exprOf('a > 1 ? "x" : "y"')).toMatchObject({ kind: 'Conditional', form: 'ternary' });
    expect(exprOf('if (a, if(b, 1, 2), 3)')).toMatchObject({ then: { kind: 'Conditional' } });
  });

  it('parses calls with lower-cased names and checks arity', () => {
    expect(exprOf('toLowerCase(x) = "a"')).toMatchObject({ left: { kind: 'Call', name: 'tolowercase' } });
    expect(exprOf('now() > 0')).toMatchObject({ left: { kind: 'Call', name: 'now', args: [] } });
    expect(codesOf('* | where substring(x) = "a"')).toEqual(['Q2012']);
    expect(codesOf('* | where if(a, b) = 1')).toEqual(['Q2012']);
  });

  it('suggests the closest function for unknown ones', () => {
    const { diagnostics } = parseQuery('* | where toLowerCas(x) = "a"');
    expect(diagnostics[0]).toMatchObject({ code: 'Q2004', hint: 'did you mean "toLowerCase"?' });
  });

  it('rejects aggregates inside expressions', () => {
    expect(codesOf('* | where sum(x) > 1')).toEqual(['Q2025']);
  });

  it('reads field references in all forms', () => {
    expect(exprOf('%"Class ID" = 1')).toMatchObject({
      left: { kind: 'Field', name: 'Class ID', quoted: true },
    });
    expect(exprOf('`odd name` = 1')).toMatchObject({
      left: { kind: 'Field', name: 'odd name', quoted: true },
    });
    expect(exprOf('a.b.c = 1')).toMatchObject({ left: { kind: 'Field', name: 'a.b.c' } });
    expect(exprOf('true')).toEqual({ kind: 'BooleanLiteral', value: true });
  });

  it('keeps parameters as nodes', () => {
    expect(exprOf('x = {{v}}')).toMatchObject({ right: { kind: 'Parameter', name: 'v' } });
  });

  it('accepts infix contains as contains()', () => {
    expect(exprOf('x contains "a"')).toEqual({ kind: 'Call', name: 'contains', args: [f('x'), s('a')] });
  });

  it('gives parenthesised expressions a span that includes the parentheses', () => {
    const q = parseOk('* | where (a)');
    const where = q.stages[0]!;
    expect(where.kind === 'Where' && where.condition.span).toEqual({ start: 10, end: 13 });
  });

  it('refuses absurd nesting without overflowing the stack', () => {
    expect(codesOf(`* | where ${'('.repeat(5000)}1${')'.repeat(5000)}`)).toContain('Q2022');
    expect(codesOf(`* | where ${'-'.repeat(5000)}1`)).toContain('Q2022');
  });
});
