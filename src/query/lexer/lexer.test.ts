import { describe, expect, it } from 'vitest';
import { tokenize } from './lexer.js';
import { TokenKind } from './token.js';
import { unescapeRegexString, unescapeString } from './escapes.js';

const kinds = (text: string): string[] => tokenize(text).tokens.map((t) => t.kind);
const texts = (text: string): string[] =>
  tokenize(text)
    .tokens.filter((t) => t.kind !== TokenKind.EOF)
    .map((t) => t.text);

describe('lexer', () => {
  it('scans the scope as whole search terms and switches mode at the first |', () => {
    const { tokens } = tokenize('_sourceCategory=prod/web* 10.1.2.3 | where x > 1.5');
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ['Word', '_sourceCategory'],
      ['=', '='],
      ['Word', 'prod/web*'],
      ['Word', '10.1.2.3'],
      ['|', '|'],
      ['Word', 'where'],
      ['Word', 'x'],
      ['>', '>'],
      ['Number', '1.5'],
      ['EOF', ''],
    ]);
    expect(tokens[0]!.inScope).toBe(true);
    expect(tokens[5]!.inScope).toBe(false);
  });

  it('gives every token its offsets', () => {
    const text = 'error | count by host';
    for (const t of tokenize(text).tokens) expect(text.slice(t.start, t.end)).toBe(t.text);
  });

  it('skips // and /* */ comments and records them', () => {
    const r = tokenize('a // one\n| where /* two */ x');
    expect(texts('a // one\n| where /* two */ x')).toEqual(['a', '|', 'where', 'x']);
    expect(r.comments.map((c) => c.text)).toEqual(['// one', '/* two */']);
  });

  it('does not treat :// in URLs as a comment', () => {
    expect(texts('* | lookup a from https://x.com/t.csv on a=b | count')).toContain('https://x.com/t.csv');
    expect(texts('* | lookup a from https://x.com/t.csv on a=b | count')).toContain('count');
  });

  it('reports unterminated strings and comments but still ends with EOF', () => {
    const r = tokenize('| where x = "abc');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['Q1001']);
    expect(r.tokens.at(-1)!.kind).toBe(TokenKind.EOF);
    expect(tokenize('a /* b').diagnostics.map((d) => d.code)).toEqual(['Q1002']);
  });

  it('scans {{parameters}} as tokens in both modes', () => {
    const r = tokenize('_sourceCategory={{cat}} | where x = {{ value }}');
    const params = r.tokens.filter((t) => t.kind === TokenKind.Parameter);
    expect(params.map((t) => t.value)).toEqual(['cat', 'value']);
  });

  it('keeps parameters embedded in scope words', () => {
    expect(texts('prod/{{env}}/web')).toEqual(['prod/{{env}}/web']);
  });

  it('scans numbers with suffixes and dotted identifiers', () => {
    expect(texts('| 5m 1.5e3 10Gi a.b.c ar.window')).toEqual([
      '|',
      '5m',
      '1.5e3',
      '10Gi',
      'a.b.c',
      'ar.window',
    ]);
    expect(kinds('| 5m')[1]).toBe(TokenKind.Number);
  });

  it('distinguishes division from regex literals', () => {
    const div = tokenize('| a / b').tokens.map((t) => t.kind);
    expect(div).toContain(TokenKind.Slash);
    const re = tokenize('| where a matches /x.*y/').tokens.find((t) => t.kind === TokenKind.Regex);
    expect(re?.value).toBe('x.*y');
    const arg = tokenize('| replace(a, /\\d+/, "")').tokens.find((t) => t.kind === TokenKind.Regex);
    expect(arg?.value).toBe('\\d+');
  });

  it('scans quoted field names in all three forms', () => {
    const values = (text: string): (string | undefined)[] =>
      tokenize(text)
        .tokens.filter((t) => t.kind === TokenKind.QuotedField)
        .map((t) => t.value);
    expect(values('| %"Class ID" as x')).toEqual(['Class ID']);
    expect(values('| where %users[2].address = 1')).toEqual(['users[2].address']);
    expect(values('| `odd name` as x')).toEqual(['odd name']);
    expect(tokenize('| a % b').tokens.map((t) => t.kind)).toContain(TokenKind.Percent);
    expect(tokenize('| a %2').tokens.map((t) => t.kind)).toContain(TokenKind.Percent);
    expect(values('| where %type = 1')).toEqual(['type']);
  });

  it('scans single-character single-quoted options', () => {
    const values = tokenize("| csv f escape='\\', quote=''' extract a")
      .tokens.filter((t) => t.kind === TokenKind.SingleString)
      .map((t) => t.value);
    expect(values).toEqual(['\\', "'"]);
  });

  it('keeps a [subquery: …] with inner pipes as one token', () => {
    const r = tokenize('a [subquery: b | compose x] | count');
    expect(r.tokens.map((t) => t.kind)).toEqual(['Word', 'Subquery', '|', 'Word', 'EOF']);
    expect(tokenize('[subquery: a | replace(x, /\\[|\\]/, "") as x] b').tokens.map((t) => t.kind)).toEqual([
      'Subquery',
      'Word',
      'EOF',
    ]);
  });

  it('reads || as "or" inside parentheses and as two pipes outside', () => {
    expect(kinds('| if(a || b, 1, 0) as x')).toContain(TokenKind.OrOr);
    expect(kinds('* | count || sort').filter((k) => k === TokenKind.Pipe)).toHaveLength(3);
  });

  it('turns regex flags into an inline group', () => {
    expect(
      tokenize('| where a matches /x/i or b').tokens.find((t) => t.kind === TokenKind.Regex)?.value,
    ).toBe('(?i)x');
  });

  it('glues template parameters into field names', () => {
    expect(texts('| fields - {{unit}}_error, bytes_{{unit}}')).toEqual([
      '|',
      'fields',
      '-',
      '{{unit}}_error',
      ',',
      'bytes_{{unit}}',
    ]);
  });

  it('never throws on odd input', () => {
    for (const text of ['', '|', '{{', '}}', '%', '`', "'", '/', '/*', '"\\', '[subquery', '\u0000\uffff']) {
      expect(() => tokenize(text)).not.toThrow();
    }
  });
});

describe('escapes', () => {
  it('decodes string literals', () => {
    expect(unescapeString('a\\"b\\\\c\\nd\\te\\x')).toBe('a"b\\c\nd\te\\x');
  });
  it('decodes regexes in strings: only \\" and \\\\', () => {
    expect(unescapeRegexString('(?:\\\\||^)\\d\\"')).toBe('(?:\\||^)\\d"');
  });
});
