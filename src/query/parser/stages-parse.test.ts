import { describe, expect, it } from 'vitest';
import { codesOf, parseOk, stageOf, stripSpans } from './testing.js';

const name = (n: string): object => ({ kind: 'FieldName', name: n, quoted: false });

describe('parse (anchor)', () => {
  it('parses pattern, names, field= and nodrop in any order', () => {
    expect(stageOf('parse "user=*: severity=*:" as user, severity')).toEqual({
      kind: 'Parse',
      pattern: 'user=*: severity=*:',
      fields: [name('user'), name('severity')],
      nodrop: false,
    });
    expect(stageOf('parse field=email "*@*" as user, domain nodrop')).toMatchObject({
      sourceField: name('email'),
      nodrop: true,
    });
    expect(stageOf('parse nodrop "a=*" as a')).toMatchObject({ nodrop: true });
    expect(stageOf('parse "a=*" as (a)')).toMatchObject({ fields: [name('a')] });
  });

  it('decodes \\" and \\n in the pattern', () => {
    expect(stageOf('parse "To: \\"*\\"\\n" as to')).toMatchObject({ pattern: 'To: "*"\n' });
  });

  it('splits several patterns into one stage each', () => {
    const q = parseOk('* | parse field=m "*." as a, "b: *," as b nodrop');
    expect(stripSpans(q.stages)).toEqual([
      { kind: 'Parse', pattern: '*.', fields: [name('a')], sourceField: name('m'), nodrop: true },
      { kind: 'Parse', pattern: 'b: *,', fields: [name('b')], sourceField: name('m'), nodrop: true },
    ]);
  });

  it('checks * count and **', () => {
    expect(codesOf('* | parse "a=* b=*" as a')).toEqual(['Q2005']);
    expect(codesOf('* | parse "a=**" as a')).toEqual(['Q2006']);
    expect(codesOf('* | parse "a=*"')).toEqual(['Q2001']);
  });
});

describe('parse regex / extract', () => {
  it('collects named groups, multi, nodrop and field=', () => {
    expect(stageOf('parse regex field=f "(?<ip>\\d+\\.\\d+)" multi nodrop')).toEqual({
      kind: 'ParseRegex',
      keyword: 'parse regex',
      patterns: [{ kind: 'RegexPattern', source: '(?<ip>\\d+\\.\\d+)', groupNames: ['ip'] }],
      aliases: [],
      sourceField: name('f'),
      nodrop: true,
      multi: true,
    });
  });

  it('accepts several expressions and the extract synonym', () => {
    expect(stageOf('parse regex "(?<a>x)", "(?<b>y)"')).toMatchObject({
      patterns: [{ groupNames: ['a'] }, { groupNames: ['b'] }],
    });
    expect(stageOf('extract "(?<a>x)"')).toMatchObject({ kind: 'ParseRegex', keyword: 'extract' });
    expect(stageOf('parse regex "(?<a>x)", regex "(?<b>y)"')).toMatchObject({ patterns: [{}, {}] });
  });

  it('unescapes \\\\ and \\" in the regex string', () => {
    expect(stageOf('parse regex "(?:\\\\||^)a=(?<a>[^|]+)"')).toMatchObject({
      patterns: [{ source: '(?:\\||^)a=(?<a>[^|]+)' }],
    });
  });

  it('requires a named group and warns on unnamed ones', () => {
    expect(codesOf('* | parse regex "a(b)"')).toEqual(['Q2007']);
    expect(codesOf('* | parse regex "(?<a>x)(,|y)"')).toEqual(['Q2008']);
    expect(codesOf('* | parse regex "(?<a>x)(?:,|y)[(]"')).toEqual([]);
  });
});

describe('json', () => {
  it('parses paths with aliases', () => {
    expect(stageOf('json field=msg "a.b", "c[0]", "d[*].e", "[\'x y\']" as ab, c, de, xy nodrop')).toEqual({
      kind: 'Json',
      mode: 'paths',
      paths: [
        {
          kind: 'JsonPath',
          text: 'a.b',
          segments: [
            { type: 'key', name: 'a' },
            { type: 'key', name: 'b' },
          ],
        },
        {
          kind: 'JsonPath',
          text: 'c[0]',
          segments: [
            { type: 'key', name: 'c' },
            { type: 'index', index: 0 },
          ],
        },
        {
          kind: 'JsonPath',
          text: 'd[*].e',
          segments: [{ type: 'key', name: 'd' }, { type: 'wildcard' }, { type: 'key', name: 'e' }],
        },
        { kind: 'JsonPath', text: "['x y']", segments: [{ type: 'key', name: 'x y' }] },
      ],
      aliases: [name('ab'), name('c'), name('de'), name('xy')],
      sourceField: name('msg'),
      nodrop: true,
      extractArrays: false,
      keys: [],
      refonly: false,
    });
  });

  it('parses json auto options', () => {
    expect(stageOf('json auto maxdepth 2 extractarrays')).toMatchObject({
      mode: 'auto',
      maxDepth: 2,
      extractArrays: true,
      paths: [],
    });
    expect(stageOf('json auto keys "a", "b" refonly as x, y')).toMatchObject({
      mode: 'auto',
      keys: ['a', 'b'],
      refonly: true,
    });
    expect(stageOf('json "$.a..b"')).toMatchObject({
      paths: [{ segments: [{ type: 'key', name: 'a' }, { type: 'descendant' }, { type: 'key', name: 'b' }] }],
    });
  });

  it('reports bad paths and alias counts', () => {
    expect(codesOf('* | json "a[x"')).toEqual(['Q2014']);
    expect(codesOf('* | json "a", "b" as x')).toEqual(['Q2029']);
    expect(codesOf('* | json')).toEqual(['Q2001']);
    expect(codesOf('* | json "a[?(@.x == 1)].b" | count')).toEqual(['Q3003']);
  });
});

describe('kv / keyvalue', () => {
  it('infer mode with keys', () => {
    expect(stageOf('kv "k1", "k2" as a, b nodrop')).toMatchObject({
      kind: 'KeyValue',
      keyword: 'kv',
      mode: 'infer',
      keys: ['k1', 'k2'],
      aliases: [name('a'), name('b')],
      nodrop: true,
    });
  });
  it('regex mode', () => {
    expect(stageOf('keyvalue regex "=(.*?)," "k1", "k2"')).toMatchObject({
      mode: 'regex',
      regex: '=(.*?),',
      keys: ['k1', 'k2'],
    });
    expect(stageOf('kv regex "\\s(.*?)=(.*?)," keys "ip" as ip')).toMatchObject({
      mode: 'regex',
      keys: ['ip'],
    });
  });
  it('auto mode with delim and field', () => {
    expect(stageOf('keyvalue auto field=f delim ":" keys "a" refonly')).toMatchObject({
      mode: 'auto',
      delimiter: ':',
      sourceField: name('f'),
      keys: ['a'],
      refonly: true,
    });
  });
});

describe('csv / split', () => {
  it('parses numbered and positional columns', () => {
    expect(stageOf('csv _raw extract 1 as user, 2 as id')).toEqual({
      kind: 'Csv',
      sourceField: name('_raw'),
      columns: [
        { kind: 'ExtractColumn', position: 1, field: name('user') },
        { kind: 'ExtractColumn', position: 2, field: name('id') },
      ],
    });
    expect(stageOf('split f extract a, _, c, 5 as e, g')).toMatchObject({
      kind: 'Split',
      columns: [
        { position: 1 },
        { position: 3 },
        { position: 5, field: name('e') },
        { position: 6, field: name('g') },
      ],
    });
  });

  it('parses delim/escape/quote options and checks them', () => {
    expect(stageOf("split f delim=':' escape='\\' quote=''' extract a")).toMatchObject({
      delimiter: ':',
      escape: '\\',
      quote: "'",
    });
    expect(stageOf('csv f delim=";" extract a')).toMatchObject({ delimiter: ';' });
    expect(codesOf("* | split f delim='ab' extract a")).toEqual(['Q2020']);
    expect(codesOf('* | csv f extract a nodrop')).toEqual(['Q2015']);
  });
});
