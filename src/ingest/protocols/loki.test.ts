import { describe, expect, it } from 'vitest';
import { decodeLokiJson, decodeLokiProtobuf, LokiFormatError, parseLokiLabels } from './loki.js';
import { ProtobufWriter } from './protobuf.js';

describe('Loki labels', () => {
  it('parses Prometheus label sets with escapes and spacing', () => {
    expect(parseLokiLabels('{}')).toEqual({});
    expect(parseLokiLabels(' { job = "a" , app="b\\"c\\\\d", nl="x\\ny",} ')).toEqual({ job: 'a', app: 'b"c\\d', nl: 'x\ny' });
    expect(parseLokiLabels('{__name__="m", k8s:pod="p"}')).toEqual({ __name__: 'm', 'k8s:pod': 'p' });
  });

  it('refuses malformed label sets', () => {
    for (const bad of ['job="a"', '{job=a}', '{job="a"', '{="a"}', '{job="a" app="b"}']) {
      expect(() => parseLokiLabels(bad), bad).toThrow(LokiFormatError);
    }
  });
});

describe('Loki push decoding', () => {
  it('maps service_name, then job, then app to the category; host and filename to metadata', async () => {
    const records = await decodeLokiJson(
      JSON.stringify({
        streams: [
          { stream: { job: 'j', app: 'a', service_name: 's', host: 'h', filename: '/f.log' }, values: [['1000000', 'x']] },
          { stream: { job: 'j', app: 'a' }, values: [['2000000', 'y']] },
          { stream: { app: 'a' }, values: [['3000000', 'z']] },
          { stream: { other: 'o' }, values: [['4000000', 'w']] },
        ],
      }),
    );
    expect(records.map((r) => r.category)).toEqual(['s', 'j', 'a', undefined]);
    expect(records[0]).toMatchObject({ host: 'h', name: '/f.log', time: 1 });
    expect((await decodeLokiJson('{"streams":[{"stream":{"job":"j","app":"a"},"values":[["1","x"]]}]}', { labels: ['app'] }))[0]!.category).toBe('a');
  });

  it('keeps nanosecond timestamps exact to the millisecond', async () => {
    const [record] = await decodeLokiJson('{"streams":[{"stream":{},"values":[["1763712000123999999","x"]]}]}');
    expect(record!.time).toBe(1763712000123);
  });

  it('decodes protobuf with timestamps, lines and structured metadata; ignores unknown fields', async () => {
    const entry = new ProtobufWriter()
      .message(1, new ProtobufWriter().uint(1, 1_700_000_000).uint(2, 5_000_000))
      .string(2, 'the line')
      .message(3, new ProtobufWriter().string(1, 'trace_id').string(2, 't1'))
      .uint(9, 1);
    const bytes = new ProtobufWriter().message(1, new ProtobufWriter().string(1, '{job="api"}').message(2, entry).uint(3, 12345)).finish();
    expect(await decodeLokiProtobuf(bytes)).toEqual([
      { category: 'api', message: 'the line', fields: { job: 'api', trace_id: 't1' }, time: 1_700_000_000_005 },
    ]);
  });

  it('refuses malformed bodies with a reason', async () => {
    await expect(decodeLokiJson('{"streams": {}}')).rejects.toThrow(/streams/);
    await expect(decodeLokiJson('{"streams": [{"stream": {}, "values": [["1"]]}]}')).rejects.toThrow(/values\[0\]/);
    await expect(decodeLokiProtobuf(Uint8Array.from([0x0a, 0x09, 0x0a]))).rejects.toThrow(/malformed Loki protobuf/);
  });
});
