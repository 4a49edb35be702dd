import { describe, expect, it } from 'vitest';
import { compileLinearRegex, type LinearRegex } from './linear-regex.js';

function re(source: string, options = {}): LinearRegex {
  const r = compileLinearRegex(source, options);
  if (!r.ok) throw new Error(r.message);
  return r.regex;
}

describe('linear regexes (RE2 semantics)', () => {
  it('matches with named and numbered groups, spans and unmatched groups', () => {
    const m = re('(?<method>[A-Z]+) (?P<url>\\S+)(?: (x))?').exec('GET /a HTTP/1.1');
    expect(m).toMatchObject({ index: 0, end: 6, groups: ['GET /a', 'GET', '/a', undefined], named: { method: 'GET', url: '/a' } });
    expect(m?.spans).toEqual([[0, 6], [0, 3], [4, 6], undefined]);
    expect(re('b').exec('abcb', 2)?.index).toBe(3);
    expect(re('^a').exec('aa', 1)).toBeNull();
  });

  it('reads Java spellings: possessive quantifiers, atomic groups, \\Z, inline flags', () => {
    expect(re('a++b').test('aaab')).toBe(true);
    expect(re('(?>ab|a)c').test('abc')).toBe(true);
    expect(re('end\\Z').test('the end')).toBe(true);
    expect(re('x(?i)abc').test('xABC')).toBe(true);
    expect(re('(?i)abc').test('ABC')).toBe(true);
    expect(re('[+]+').test('++')).toBe(true);
    expect(re('a\\++').test('a++')).toBe(true);
    expect(re('abc', { ignoreCase: true }).test('xAbC')).toBe(true);
  });

  it('refuses backreferences and lookaround with a message instead of throwing', () => {
    for (const source of ['(a)\\1', '(?=a)', '(?<!a)b', '(']) {
      const r = compileLinearRegex(source);
      expect(r.ok, source).toBe(false);
      if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
    }
  });

  it('iterates and replaces matches, moving past empty ones', () => {
    expect([...re('a*').matchAll('baab')].map((m) => [m.index, m.groups[0]])).toEqual([
      [0, ''],
      [1, 'aa'],
      [3, ''],
      [4, ''],
    ]);
    expect(re('(\\d+)').replaceTemplate('a1b22', '<$1>')).toBe('a<1>b<22>');
    expect(re('(?<n>\\d)').replaceTemplate('a1', '$<n>$$$&$0$2')).toBe('a1$11$2');
    expect(re('x').replace('axbx', () => '-', false)).toBe('a-bx');
  });

  it('runs in linear time on the patterns that froze the server', () => {
    const cases: [string, string][] = [
      ['(?<x>(a+)+b)', 'a'.repeat(28)],
      ['(a|aa)+$', `${'a'.repeat(34)}b`],
      ['(.*a){20}', 'a'.repeat(35)],
      ['(x+x+)+y', 'x'.repeat(5000)],
      ['(\\w+\\s?)*$', `${'word '.repeat(2000)}!`],
    ];
    for (const [source, text] of cases) {
      const started = performance.now();
      re(source).exec(text.repeat(100));
      // Linear: a 100x longer text than the one that took seconds, in well under a second.
      expect(performance.now() - started, source).toBeLessThan(1000);
    }
  });
});
