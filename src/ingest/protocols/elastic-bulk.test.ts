import { describe, expect, it } from 'vitest';
import { decodeBulk, documentRecord, newDocumentId, parseEsTimestamp } from './elastic-bulk.js';

describe('Elasticsearch bulk decoding', () => {
  it('pairs actions with documents and keeps request order', async () => {
    const items = await decodeBulk(
      [
        '{"index":{"_index":"a","_id":"1"}}',
        '{"message":"m1","@timestamp":"2026-11-21T00:00:00.123Z"}',
        '{"create":{}}',
        '{"message":"m2"}',
        '{"delete":{"_index":"a","_id":"1"}}',
        '{"update":{"_id":"2"}}',
        '{"doc":{"x":1}}',
        '{"index":{"_index":"b"}}',
        '{"no":"message","n":{"deep":true}}',
      ].join('\n'),
      'default',
    );
    expect(items.map((i) => [i.action, i.index, i.error?.status ?? 201])).toEqual([
      ['index', 'a', 201],
      ['create', 'default', 201],
      ['delete', 'a', 400],
      ['update', 'default', 400],
      ['index', 'b', 201],
    ]);
    expect(items[0]).toMatchObject({ id: '1', record: { message: 'm1', time: Date.parse('2026-11-21T00:00:00.123Z'), category: 'a' } });
    expect(items[1]!.id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(items[4]!.record).toEqual({ message: '{"no":"message","n":{"deep":true}}', fields: { no: 'message', 'n.deep': 'true' }, category: 'b' });
  });

  it('fails only the broken items: bad document JSON, bad action line, missing index, missing document', async () => {
    const items = await decodeBulk(
      ['{"index":{}}', '{"message":"no index anywhere"}', '{"index":{"_index":"x"}}', '{broken', 'garbage action', '{"message":"its document"}', '{"index":{"_index":"x"}}', '{"message":"ok"}', '{"index":{"_index":"x"}}'].join(
        '\n',
      ),
    );
    expect(items.map((i) => i.error?.type ?? 'ok')).toEqual([
      'action_request_validation_exception',
      'document_parsing_exception',
      'illegal_argument_exception',
      'ok',
      'illegal_argument_exception',
    ]);
  });

  it('decodes a body of bytes line by line as it decodes the text: CRLF, blank lines, multibyte and invalid UTF-8', async () => {
    const text = '{"index":{"_index":"x"}}\r\n{"message":"caf\u00e9 \ud83d\ude00"}\r\n\n{"index":{"_index":"x"}}\n{"message":"bad \xff byte"}\n{"index":{}}';
    const bytes = Buffer.concat([Buffer.from(text.slice(0, text.indexOf('\xff')), 'utf8'), Buffer.from([0xff]), Buffer.from(text.slice(text.indexOf('\xff') + 1), 'utf8')]);
    const strip = (items: Awaited<ReturnType<typeof decodeBulk>>) => items.map(({ id: _id, ...item }) => item);
    const fromBytes = strip(await decodeBulk(bytes, 'd'));
    expect(fromBytes).toEqual(strip(await decodeBulk(bytes.toString('utf8'), 'd')));
    expect(fromBytes.map((i) => i.record?.message ?? i.error?.type)).toEqual(['caf\u00e9 \ud83d\ude00', 'bad \ufffd byte', 'illegal_argument_exception']);
  });

  it('gives every document without an _id its own 20-character URL-safe id', () => {
    const ids = Array.from({ length: 10_000 }, () => newDocumentId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });

  it('does not skip the next action when a malformed action line has no document', async () => {
    const items = await decodeBulk('not json\n{"index":{"_index":"x"}}\n{"message":"kept"}\n');
    expect(items.map((i) => i.record?.message ?? i.error?.type)).toEqual(['illegal_argument_exception', 'kept']);
  });

  it('maps documents: host.name and log.file.path to metadata, arrays as JSON, times as ISO or epoch ms', () => {
    expect(documentRecord({ message: 5, host: { name: 'h' }, log: { file: { path: '/p' } }, tags: [1] }, 'i')).toEqual({
      message: '5',
      fields: { 'host.name': 'h', 'log.file.path': '/p', tags: '[1]' },
      category: 'i',
      host: 'h',
      name: '/p',
    });
    // Vector's bulk mode writes `timestamp`; it is the time only when there is no `@timestamp`.
    expect(documentRecord({ message: 'v', timestamp: '2026-11-21T00:00:00Z' }, 'i')).toEqual({ message: 'v', fields: {}, category: 'i', time: Date.UTC(2026, 10, 21) });
    expect(documentRecord({ '@timestamp': 5e11, message: 'v', timestamp: 'x' }, '').fields).toEqual({ timestamp: 'x' });
    expect(parseEsTimestamp(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(parseEsTimestamp('1700000000000')).toBe(1_700_000_000_000);
    expect(parseEsTimestamp('2026-11-21T01:02:03+01:00')).toBe(Date.UTC(2026, 10, 21, 0, 2, 3));
    expect(parseEsTimestamp('not a time')).toBeUndefined();
  });
});
