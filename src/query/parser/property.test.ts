import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkInvariants } from './testing.js';

const FRAGMENTS = [
  '|',
  '(',
  ')',
  '"',
  '"a*b"',
  "'",
  ',',
  '=',
  '!=',
  '<',
  '>=',
  '!',
  '?',
  ':',
  '*',
  '/',
  '%',
  '-',
  '+',
  '{{p}}',
  '{{',
  '}}',
  '//c\n',
  '/*',
  '*/',
  '[subquery:',
  ']',
  '`',
  '%"x y"',
  'where',
  'parse',
  'regex',
  'json',
  'auto',
  'kv',
  'csv',
  'split',
  'extract',
  'count',
  'count_distinct(x)',
  'sum(x)',
  'pct(x, 95)',
  'by',
  'group',
  'as',
  'nodrop',
  'multi',
  'field=f',
  'if(',
  'matches',
  'in',
  'not',
  'and',
  'or',
  'sort',
  'order',
  'asc',
  'desc',
  'limit',
  '10',
  '5m',
  '1.5e3',
  'timeslice',
  'buckets',
  'transpose',
  'row',
  'column',
  'fillmissing',
  'values',
  'with',
  'for',
  'compare',
  'timeshift',
  'predict',
  'model=ar',
  'outlier',
  'window=5',
  'accum',
  'diff',
  'smooth',
  'top',
  'fields',
  'dedup',
  'lookup',
  'join',
  'x',
  '_sourceCategory',
  '/re/',
  '\n',
  '\t',
  '$',
  '@',
  '#',
  '\\',
  '&&',
  '||',
];

describe('parser properties', () => {
  it('never throws and keeps spans inside the input on random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => checkInvariants(text)),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => checkInvariants(text)),
      { numRuns: 1000 },
    );
  });

  it('never throws on token soup of the language', () => {
    const soup = fc
      .array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 })
      .chain((parts) =>
        fc
          .array(fc.constantFrom(' ', '', '\n'), { minLength: parts.length, maxLength: parts.length })
          .map((seps) => parts.map((p, i) => p + seps[i]!).join('')),
      );
    fc.assert(
      fc.property(soup, (text) => checkInvariants(text)),
      { numRuns: 3000 },
    );
  });
});
