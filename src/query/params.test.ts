import { describe, expect, it } from 'vitest';
import { listParams, ParamType, substituteParams } from './params.js';
import { parseQuery } from './parser/parser.js';

describe('substituteParams', () => {
  it('inserts NUMBER and ANY values raw', () => {
    const r = substituteParams('* | timeslice {{ts}} | where x > {{min}}', {
      ts: { type: ParamType.Any, value: '5m' },
      min: { type: ParamType.Number, value: 10 },
    });
    expect(r).toEqual({ query: '* | timeslice 5m | where x > 10', diagnostics: [] });
  });

  it('quotes and escapes STRING values, but only escapes inside an existing string', () => {
    const r = substituteParams('* | where user = {{u}} and msg matches "*{{m}}*"', {
      u: { type: ParamType.String, value: 'a "b" \\c' },
      m: { type: ParamType.String, value: 'x"y' },
    });
    expect(r.query).toBe('* | where user = "a \\"b\\" \\\\c" and msg matches "*x\\"y*"');
    expect(parseQuery(r.query!).diagnostics).toEqual([]);
  });

  it('validates KEYWORD and NUMBER values', () => {
    expect(
      substituteParams('{{k}}', { k: { type: ParamType.Keyword, value: 'two words' } }).diagnostics.map(
        (d) => d.code,
      ),
    ).toEqual(['Q4004']);
    const bad = substituteParams('* | limit {{n}}', { n: { type: ParamType.Number, value: '1; drop' } });
    expect(bad.query).toBeUndefined();
    expect(bad.diagnostics[0]).toMatchObject({ code: 'Q4002', span: { start: 10, end: 15 } });
  });

  it('reports missing values, uses defaults, and warns on unused values', () => {
    const missing = substituteParams('_sourceCategory={{cat}} {{kw}}', { cat: 'prod/web' });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(['Q4001']);
    expect(missing.diagnostics[0]!.span).toEqual({ start: 24, end: 30 });
    const withDefault = substituteParams('{{kw}}', {
      kw: { type: ParamType.Keyword, defaultValue: 'error' },
      extra: 'x',
    });
    expect(withDefault.query).toBe('error');
    expect(withDefault.diagnostics.map((d) => [d.code, d.severity])).toEqual([['Q4003', 'warning']]);
  });

  it('matches names case-insensitively and substitutes inside scope words', () => {
    expect(substituteParams('prod/{{Env}}/web', { env: { type: ParamType.String, value: 'eu' } }).query).toBe(
      'prod/eu/web',
    );
  });

  it('warns above 10 parameters', () => {
    const names = Array.from({ length: 11 }, (_, i) => `p${i}`);
    const r = substituteParams(
      names.map((n) => `{{${n}}}`).join(' '),
      Object.fromEntries(names.map((n) => [n, 'x'])),
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(['Q4005']);
  });

  it('lists parameters in order', () => {
    expect(listParams('{{a}} {{b}} {{a}}')).toEqual(['a', 'b']);
  });
});
