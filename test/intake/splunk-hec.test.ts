import { gzipSync } from 'node:zlib';
import { Logger as SplunkLogger } from 'splunk-logging';
import { describe, expect, it } from 'vitest';
import { createSource } from '../support/server.js';
import { useTestServer } from '../support/suite.js';

describe('Splunk HEC intake', () => {
  const suite = useTestServer();

  const hec = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${suite.base}${path}`, { method: 'POST', body, headers });

  it('stores a batch sent by splunk-logging: event, severity, metadata → host/name/category/fields, time', async () => {
    const source = await createSource(suite.base, { name: 'hec-client' });
    const logger = new SplunkLogger({ token: source.token, url: suite.base, maxBatchCount: 100 });
    const failures: Error[] = [];
    logger.error = (error) => failures.push(error);
    const time = Date.UTC(2026, 10, 21, 4, 0, 0, 500) / 1000;
    for (let i = 0; i < 20; i++) {
      logger.send({
        message: { text: `checkout ${i}`, order: i },
        severity: i === 0 ? 'error' : 'info',
        metadata: { time: time + i, host: 'app-host-1', source: 'checkout.js', sourcetype: 'node:app', index: 'main' },
      });
    }
    const answer = await new Promise<{ status: number | undefined; body: unknown }>((resolve, reject) =>
      logger.flush((error, response, body) => (error ? reject(error) : resolve({ status: response?.statusCode, body }))),
    );
    expect(failures).toEqual([]);
    expect(answer).toEqual({ status: 200, body: { text: 'Success', code: 0 } });
    expect(await suite.store.count('category=node:app')).toBe(20);
    const rows = await suite.store.ofSource('hec-client');
    const first = rows.find((r) => r._raw.includes('"checkout 0"'))!;
    expect(JSON.parse(first._raw)).toEqual({ message: { text: 'checkout 0', order: 0 }, severity: 'error' });
    expect(first).toMatchObject({
      _messageTime: '2026-11-21T04:00:00.500Z',
      _sourceHost: 'app-host-1',
      _sourceName: 'checkout.js',
      _sourceCategory: 'node:app',
      _collector: 'hec',
      _format: 'hec_time',
      index: 'main',
      sourcetype: 'node:app',
    });
  });

  it('accepts concatenated events with fields on /services/collector/event, gzip, with the Splunk and other token forms', async () => {
    const source = await createSource(suite.base, { name: 'hec-raw-events', category: 'team/hec' });
    const body =
      '{"event":"plain text event","time":"1795219200.25","fields":{"region":"eu","zones":["a","b"]}}\n' +
      '{"event":{"k":"v"},"host":"h2"} {"event":"third","sourcetype":"ignored-because-source-has-category"}';
    for (const [path, headers] of [
      ['/services/collector/event', { authorization: `Splunk ${source.token}` }],
      ['/services/collector', { authorization: `Bearer ${source.token}`, 'content-encoding': 'gzip' }],
    ] as const) {
      const response = await hec(path, headers['content-encoding'] ? gzipSync(body) : body, headers);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ text: 'Success', code: 0 });
    }
    expect(await suite.store.count('category=team/hec')).toBe(6);
    const rows = await suite.store.ofSource('hec-raw-events');
    expect(rows.find((r) => r._raw === 'plain text event')).toMatchObject({ region: 'eu', zones: 'a,b', _messageTime: '2026-11-21T00:00:00.250Z' });
    expect(rows.find((r) => r._raw === '{"k":"v"}')!._sourceHost).toBe('h2');
  });

  it('splits /services/collector/raw bodies like the HTTP source, with query-string metadata', async () => {
    const source = await createSource(suite.base, { name: 'hec-raw', multiline: false });
    const response = await hec('/services/collector/raw?sourcetype=raw:lines&host=raw-host&source=raw.log', '2026-11-21 01:02:03 first line\nsecond line\n', {
      authorization: `Splunk ${source.token}`,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ text: 'Success', code: 0 });
    const rows = await suite.store.ofSource('hec-raw');
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r._raw.endsWith('first line'))).toMatchObject({
      _messageTime: '2026-11-21T01:02:03.000Z',
      _sourceCategory: 'raw:lines',
      _sourceHost: 'raw-host',
      _sourceName: 'raw.log',
      _collector: 'hec',
    });
  });

  it('hands out ackIds on a channel and acknowledges them (answers come only once durable)', async () => {
    const source = await createSource(suite.base, { name: 'hec-ack' });
    const headers = { authorization: `Splunk ${source.token}`, 'x-splunk-request-channel': '6d2c6d8e-1111-4a4a-9b9b-000000000001' };
    const first = (await (await hec('/services/collector/event', '{"event":"acked 1"}', headers)).json()) as { ackId: number };
    const second = (await (await hec('/services/collector/raw', 'acked 2', headers)).json()) as { ackId: number };
    expect(second.ackId).toBe(first.ackId + 1);
    const acks = await hec('/services/collector/ack', JSON.stringify({ acks: [first.ackId, second.ackId, 999_999] }), headers);
    expect(await acks.json()).toEqual({ acks: { [first.ackId]: true, [second.ackId]: true, 999999: false } });
    expect(await suite.store.count('contains=acked')).toBe(2);
  });

  it('answers HEC error codes: token required, invalid authorization, invalid token, no data, invalid format, event required', async () => {
    const source = await createSource(suite.base, { name: 'hec-errors', category: 'hec/errors' });
    const auth = { authorization: `Splunk ${source.token}` };
    const check = async (response: Response, status: number, code: number) => {
      expect(response.status).toBe(status);
      const body = (await response.json()) as { code: number; text: string };
      expect(body.code).toBe(code);
      return body;
    };
    await check(await hec('/services/collector/event', '{"event":"x"}'), 401, 2);
    await check(await hec('/services/collector/event', '{"event":"x"}', { authorization: 'Digest abc' }), 401, 3);
    await check(await hec('/services/collector/event', '{"event":"x"}', { authorization: 'Splunk wrong' }), 403, 4);
    await check(await hec('/services/collector/event', '  ', auth), 400, 5);
    await check(await hec('/services/collector/raw', '', auth), 400, 5);
    // A malformed event in the middle: as Splunk, the events before it are stored, it and the rest
    // are not, and the answer names it (the client resends from there).
    const bad = await check(await hec('/services/collector/event', '{"event":"ok 1"}{"event": nope}{"event":"ok 2"}', auth), 400, 6);
    expect(bad).toMatchObject({ text: 'Invalid data format', 'invalid-event-number': 1, stored: 1 });
    await check(await hec('/services/collector/event', '{"time": 1}', auth), 400, 12);
    await check(await hec('/services/collector/event', '{"event": ""}', auth), 400, 13);
    expect(await suite.store.count('category=hec/errors')).toBe(1);
    // Resending from the named event, fixed, completes the batch: every event once.
    await check(await hec('/services/collector/event', '{"event":"ok 1b"}{"event":"ok 2"}', auth), 200, 0);
    expect(await suite.store.count('category=hec/errors')).toBe(3);

    const health = await fetch(`${suite.base}/services/collector/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ text: 'HEC is healthy', code: 17 });
  });
});
