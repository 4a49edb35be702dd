import { describe, expect, it } from 'vitest';
import { parseQuery } from './parser.js';
import { codesOf } from './testing.js';

describe('parseQuery', () => {
  it('recovers at | and reports several errors at once', () => {
    const { query, diagnostics } = parseQuery('error | where x > | count by | limit 5 | sort by _count');
    expect(diagnostics.map((d) => d.code)).toEqual(['Q2001', 'Q2019']);
    expect(query?.stages.map((s) => s.kind)).toEqual(['Limit', 'Sort']);
  });

  it('parses operators of later issues as Unsupported with a distinct code', () => {
    const { query, diagnostics } = parseQuery('* | lookup a from path://"/Library/x" on a=b | count by a');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'Q3001',
      severity: 'error',
      message: 'operator lookup is not supported yet',
      span: { start: 4, end: 10 },
    });
    expect(query?.stages[0]).toMatchObject({
      kind: 'Unsupported',
      name: 'lookup',
      text: 'lookup a from path://"/Library/x" on a=b',
    });
    expect(query?.stages[1]).toMatchObject({ kind: 'Aggregate' });
  });

  it('handles two-word unsupported operators and nested pipes in join', () => {
    expect(parseQuery('* | parse xml "/a/b" | count').query?.stages[0]).toMatchObject({
      kind: 'Unsupported',
      name: 'parse xml',
    });
    const { query } = parseQuery(
      '* | join (parse "a*" as a | count by a) as t1, (parse "b*" as b) as t2 on t1.a = t2.b | count',
    );
    expect(query?.stages.map((s) => s.kind)).toEqual(['Unsupported', 'Aggregate']);
    const t = parseQuery('* | transactionize id (merge a takeLast | limit 2) | count');
    expect(t.query?.stages.map((s) => s.kind)).toEqual(['Unsupported', 'Aggregate']);
  });

  it('treats operator names case-insensitively', () => {
    expect(codesOf('* | WHERE x = 1 | Count BY x | SORT BY _count | LIMIT 3')).toEqual([]);
  });

  it('suggests operators for typos', () => {
    const { diagnostics } = parseQuery('* | timeslise 5m');
    expect(diagnostics[0]).toMatchObject({ code: 'Q2003', hint: 'did you mean "timeslice"?' });
    const { diagnostics: d2 } = parseQuery('* | count, avgg(x)');
    expect(d2[0]).toMatchObject({ code: 'Q2017', hint: 'did you mean "avg"?' });
  });

  it('hints at a missing | and at single-quoted strings', () => {
    expect(parseQuery('* | sort by x limit 10').diagnostics[0]).toMatchObject({
      code: 'Q2024',
      hint: 'did you forget a "|" before limit?',
    });
    expect(parseQuery("* | where x = 'a'").diagnostics[0]).toMatchObject({
      code: 'Q2001',
      hint: 'string literals use double quotes: "…"',
    });
  });

  it('reports empty stages', () => {
    expect(codesOf('* | | count')).toEqual(['Q2002']);
    expect(codesOf('* | count |')).toEqual(['Q2002']);
  });

  it('accepts raw {{parameters}} standing for whole filters with a warning', () => {
    const { diagnostics } = parseQuery('* | x as date {{post_filter}} | count');
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['Q2023', 'warning']]);
  });

  it('keeps comments out of the way', () => {
    expect(codesOf('error // look for errors\n| count /* all */ by host // per host')).toEqual([]);
  });

  it('never throws and reports internal errors as data', () => {
    for (const text of [
      '',
      '|',
      '||||',
      '(((',
      ')))',
      '"',
      '| where',
      '| parse',
      '| json "',
      '{{',
      '| sort by',
      '| if(',
      '\u0000',
    ]) {
      expect(() => parseQuery(text)).not.toThrow();
    }
    expect(parseQuery('').query).toMatchObject({ kind: 'Query', stages: [] });
  });

  it('returns diagnostics sorted by position', () => {
    const { diagnostics } = parseQuery('* | limit 0 | where ( | fields a, a');
    const starts = diagnostics.map((d) => d.span.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(diagnostics.length).toBe(3);
  });
});
