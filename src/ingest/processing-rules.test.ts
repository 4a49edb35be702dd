import { describe, expect, it } from 'vitest';
import { encodeMessages } from './encode-messages.js';
import { encodeRecords } from './encode-records.js';
import { compileRules, describeRuleProblem, hashValue, validateRules, type ProcessingRule } from './processing-rules.js';

const KEY = 'test-key';

function rules(list: ProcessingRule[]) {
  const validated = validateRules(list);
  if (!('rules' in validated)) throw new Error(describeRuleProblem(validated.problem));
  return compileRules(validated.rules, KEY)!;
}

describe('processing rules', () => {
  it('include keeps only matching messages', () => {
    const r = rules([{ name: 'errors', kind: 'include', regex: 'ERROR' }]);
    expect(r.apply('an ERROR here')).toBe('an ERROR here');
    expect(r.apply('all fine')).toBeUndefined();
  });

  it('exclude drops matching messages', () => {
    const r = rules([{ name: 'health', kind: 'exclude', regex: 'GET /health' }]);
    expect(r.apply('GET /health 200')).toBeUndefined();
    expect(r.apply('GET /api 200')).toBe('GET /api 200');
  });

  it('mask replaces each match, or only the capture groups', () => {
    expect(rules([{ name: 'digits', kind: 'mask', regex: '\\d{4}', mask: 'XXXX' }]).apply('card 1234 5678 end')).toBe('card XXXX XXXX end');
    const grouped = rules([{ name: 'pw', kind: 'mask', regex: 'password=(\\S+)' }]);
    expect(grouped.apply('user=a password=hunter2 x password=s3cret')).toBe('user=a password=##### x password=#####');
    // The mask is literal text, not a replacement pattern.
    expect(rules([{ name: 'm', kind: 'mask', regex: 'b', mask: '$&$1' }]).apply('abc')).toBe('a$&$1c');
  });

  it('hash replaces a match with a keyed hash: equal values hash equal, the key matters', () => {
    const r = rules([{ name: 'user', kind: 'hash', regex: 'user=(\\w+)' }]);
    const a = r.apply('login user=alice ok')!;
    const b = r.apply('logout user=alice')!;
    const c = r.apply('login user=bob ok')!;
    const hashed = /user=([0-9a-f]{32})/.exec(a)![1]!;
    expect(hashed).toBe(hashValue('alice', KEY));
    expect(b).toContain(`user=${hashed}`);
    expect(c).not.toContain(hashed);
    expect(a).not.toContain('alice');
    expect(hashValue('alice', 'other-key')).not.toBe(hashed);
  });

  it('applies rules in order: a mask before an include changes what the include sees', () => {
    const maskFirst = rules([
      { name: 'm', kind: 'mask', regex: 'secret', mask: 'hidden' },
      { name: 'i', kind: 'include', regex: 'secret' },
    ]);
    expect(maskFirst.apply('a secret')).toBeUndefined();
    const includeFirst = rules([
      { name: 'i', kind: 'include', regex: 'secret' },
      { name: 'm', kind: 'mask', regex: 'secret', mask: 'hidden' },
    ]);
    expect(includeFirst.apply('a secret')).toBe('a hidden');
  });

  it('runs nested quantifiers in linear time (they used to freeze the server: (a|aa)+$ took 2.4 s on one line)', () => {
    const patterns = ['(a+)+$', '(a|aa)+$', '(.*a){20}', '(\\w+)*$', '(x+x+)+y'];
    const result = validateRules([
      ...patterns.map((regex, i) => ({ name: `p${i}`, kind: 'exclude', regex: `${regex}!` })),
      { name: 'mask', kind: 'mask', regex: '(a|aa)+' },
      { name: 'hash', kind: 'hash', regex: '((x+x+)+)y' },
    ]);
    expect('rules' in result).toBe(true);
    const rules = compileRules('rules' in result ? result.rules : [], 'key')!;
    const line = `${'a'.repeat(35)}!${'x'.repeat(5000)}`;
    const started = performance.now();
    for (let i = 0; i < 20; i++) rules.apply(line);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects bad rules with the rule named', () => {
    const problem = (list: unknown): string => {
      const result = validateRules(list);
      return 'problem' in result ? describeRuleProblem(result.problem) : 'ok';
    };
    expect(problem([{ name: 'ok', kind: 'exclude', regex: 'x' }, { name: 'broken', kind: 'mask', regex: '(' }])).toMatch(
      /^rule 2 \("broken"\): regex is not valid/,
    );
    // RE2 refuses what cannot run in linear time (backreferences, lookaround) …
    expect(problem([{ name: 'back', kind: 'include', regex: '(a)\\1' }])).toMatch(/^rule 1 \("back"\): regex is not valid/);
    expect(problem([{ name: 'ahead', kind: 'exclude', regex: 'a(?=b)' }])).toMatch(/regex is not valid/);
    expect(problem([{ name: 'long', kind: 'include', regex: 'a'.repeat(1001) }])).toMatch(/at most 1000/);
    expect(problem([{ name: 'empty', kind: 'mask', regex: 'x*' }])).toMatch(/empty string/);
    expect(problem([{ name: 'k', kind: 'drop', regex: 'x' }])).toMatch(/kind must be one of/);
    expect(problem([{ name: 'k', kind: 'exclude', regex: 'x', mask: 'y' }])).toMatch(/only allowed on mask/);
    expect(problem([{ kind: 'exclude', regex: 'x' }])).toMatch(/name must be/);
    expect(problem({})).toBe('rules must be an array');
    expect(problem(Array.from({ length: 101 }, (_, i) => ({ name: `r${i}`, kind: 'exclude', regex: 'x' })))).toMatch(/at most 100/);
    expect(problem([{ name: 'fine', kind: 'hash', regex: '\\d+' }])).toBe('ok');
  });
});

describe('rules in the encoders', () => {
  const context = {
    receiptTime: Date.UTC(2026, 10, 22),
    partition: 'default',
    sourceCategory: 'c',
    sourceHost: 'h',
    sourceName: 'n',
    collector: 'http',
    source: 'src',
    fields: {},
  };

  it('encodeMessages applies rules to whole multiline messages and counts what was excluded', async () => {
    const text = [
      '2026-11-22 10:00:00 ERROR boom token=abc',
      '  at frame one',
      '2026-11-22 10:00:01 INFO ok',
      '2026-11-22 10:00:02 DEBUG noise',
      '  continued noise',
      '',
    ].join('\n');
    const encoded = await encodeMessages(text, {
      context: { ...context },
      multiline: { mode: 'infer' },
      maxPartChars: 1 << 20,
      isAscii: true,
      rules: rules([
        { name: 'no debug', kind: 'exclude', regex: 'DEBUG' },
        { name: 'token', kind: 'mask', regex: 'token=(\\w+)' },
      ]),
    });
    expect(encoded.messages).toBe(2);
    expect(encoded.excluded).toBe(1);
    const stored = encoded.parts.map((p) => p.text).join('');
    expect(stored).toContain('token=#####');
    expect(stored).not.toContain('abc');
    expect(stored).not.toContain('noise');
    expect(stored).toContain('at frame one');
    expect(encoded.messageBytes).toBe('2026-11-22 10:00:00 ERROR boom token=#####\n  at frame one'.length + '2026-11-22 10:00:01 INFO ok'.length);
  });

  it('encodeRecords applies rules to each record message', async () => {
    const encoded = await encodeRecords(
      [
        { message: 'keep ssn 123-45-6789', fields: {} },
        { message: 'drop me', fields: {} },
      ],
      {
        context: { ...context },
        fixed: {},
        timeFormat: 'otlp',
        maxPartChars: 1 << 20,
        rules: rules([
          { name: 'drop', kind: 'exclude', regex: '^drop' },
          { name: 'ssn', kind: 'mask', regex: '\\d{3}-\\d{2}-\\d{4}', mask: '***' },
        ]),
      },
    );
    expect(encoded).toMatchObject({ messages: 1, excluded: 1, messageBytes: 'keep ssn ***'.length });
    expect(encoded.parts[0]!.text).toContain('keep ssn ***');
  });
});
