import { describe, expect, it } from 'vitest';
import { decodeHecEvents, HecCode, splitConcatenatedJson } from './splunk-hec.js';

describe('Splunk HEC decoding', () => {
  it('splits concatenated JSON objects, braces inside strings included', async () => {
    expect(await splitConcatenatedJson('{"a":"}{"}{"b":[1,{"c":"\\"}"}]}\n\n {"d":1}')).toEqual(['{"a":"}{"}', '{"b":[1,{"c":"\\"}"}]}', '{"d":1}']);
    expect(await splitConcatenatedJson('  ')).toEqual([]);
    expect(await splitConcatenatedJson('{"a":1} garbage {"b":2}')).toEqual(['{"a":1}', 'garbage', '{"b":2}']);
  });

  it('maps time, host, source, sourcetype, index and fields', async () => {
    const decoded = await decodeHecEvents(
      '{"time":1700000000.5,"host":"h","source":"s","sourcetype":"st","index":"main","event":{"x":1},"fields":{"f":"v","multi":["a","b"],"n":3}}',
    );
    expect(decoded.errors).toEqual([]);
    expect(decoded.records).toEqual([
      {
        message: '{"x":1}',
        fields: { f: 'v', multi: 'a,b', n: '3', index: 'main', sourcetype: 'st' },
        time: 1_700_000_000_500,
        category: 'st',
        host: 'h',
        name: 's',
      },
    ]);
  });

  it('uses request defaults and reports bad events by position while keeping the good ones', async () => {
    const decoded = await decodeHecEvents('{"event":"a"}{"event":}{"fields":{}}{"event":""}[1]{"event":"b","time":"1700000000000"}', { host: 'dh', sourcetype: 'dst' });
    expect(decoded.events).toBe(6);
    expect(decoded.records.map((r) => [r.message, r.host, r.category, r.time])).toEqual([
      ['a', 'dh', 'dst', undefined],
      ['b', 'dh', 'dst', 1_700_000_000_000],
    ]);
    expect(decoded.errors).toEqual([
      { index: 1, code: HecCode.InvalidDataFormat },
      { index: 2, code: HecCode.EventFieldRequired },
      { index: 3, code: HecCode.EventFieldBlank },
      { index: 4, code: HecCode.InvalidDataFormat },
    ]);
  });
});
