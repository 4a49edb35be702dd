import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { adminAuth, createSource, sharedData, startTestServer } from '../support/server.js';
import { storeReader } from '../support/store-reader.js';

const apacheFile = join(sharedData, 'http-access/elastic-apache/apache_logs');
const apache = readFileSync(apacheFile);

describe('HTTP source receiver', () => {
  let server: RunningServer;
  let base: string;
  const count = (query: string): Promise<number> => storeReader(base).count(query);
  const tail = (limit: number) => storeReader(base).tail(limit);
  const post = (url: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', body, headers });

  beforeAll(async () => {
    server = await startTestServer({ 'ingest.maxBodyBytes': 8 * 1024 * 1024 });
    base = server.url;
  });
  afterAll(async () => {
    await server.close();
  });

  it('stores the 10,000 Apache lines sent plain, with the first timestamp from the line', async () => {
    const source = await createSource(base, { name: 'apache-plain', category: 'web/apache' });
    const response = await post(source.url, apache, { 'content-type': 'text/plain' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ messages: 10_000, invalidUtf8Replaced: 0 });
    expect(await count('category=web/apache')).toBe(10_000);
    // 17/May/2015:10:05:03 +0000 is the first line's time (three lines share that second).
    const firstLine = apache.toString('utf8').split('\n')[0]!;
    const first = Date.UTC(2015, 4, 17, 10, 5, 3);
    expect(await count(`category=web/apache&from=${first}&to=${first + 1000}`)).toBe(3);
    expect(await count(`category=web/apache&from=${first}&to=${first + 1}&contains=${encodeURIComponent(firstLine)}`)).toBe(1);
    expect(await count(`category=web/apache&from=2015-05-17T10:05:03Z&to=2015-05-17T10:05:03.001Z&contains=kibana-search.png`)).toBe(1);
    // The file is not sorted: two later lines carry 10:05:00.
    expect(await count(`category=web/apache&to=${first}`)).toBe(2);
  });

  it('stores the same lines sent gzip-compressed, via the X-Sumo-Token header', async () => {
    const source = await createSource(base, { name: 'apache-gzip' });
    const response = await post(`${base}/receiver/v1/http`, gzipSync(apache), {
      'content-encoding': 'gzip',
      'x-sumo-token': source.token,
      'x-sumo-category': 'web/apache-gz',
    });
    expect(response.status).toBe(200);
    expect(await count('category=web/apache-gz')).toBe(10_000);
    expect(await count(`category=web/apache-gz&from=${Date.UTC(2015, 4, 17, 10, 5, 3)}&to=${Date.UTC(2015, 4, 17, 10, 5, 4)}`)).toBe(3);
  });

  it('accepts deflate and zstd bodies', async () => {
    const source = await createSource(base, { name: 'compressed' });
    const body = Buffer.from('deflated line one\ndeflated line two\n');
    expect((await post(source.url, deflateSync(body), { 'content-encoding': 'deflate', 'x-sumo-category': 'enc/deflate' })).status).toBe(200);
    const zstd = execFileSync('zstd', ['-q', '-c'], { input: Buffer.from('zstd line one\r\nzstd line two\r\nzstd line three') });
    expect((await post(source.url, zstd, { 'content-encoding': 'zstd', 'x-sumo-category': 'enc/zstd' })).status).toBe(200);
    expect(await count('category=enc/deflate')).toBe(2);
    expect(await count('category=enc/zstd')).toBe(3);
    expect(await count('category=enc/zstd&contains=%0D')).toBe(0); // CRLF: no CR kept
  });

  it('applies X-Sumo metadata headers and source defaults, and records _format and _size', async () => {
    const source = await createSource(base, {
      name: 'meta-src',
      category: 'default/cat',
      host: 'default-host',
      multiline: false,
    });
    const line = '2026-11-20 08:15:30,250 ERROR payment failed for order 42';
    const response = await post(source.url, `${line}\nno timestamp here\n`, {
      'x-sumo-name': 'payments.log',
      'x-sumo-host': 'pay-7',
      'x-sumo-fields': 'team=payments, env=prod',
    });
    expect(response.status).toBe(200);
    const rows = (await tail(2)).sort((a, b) => a._raw.localeCompare(b._raw));
    const [stamped, unstamped] = [rows.find((r) => r._raw === line)!, rows.find((r) => r._raw === 'no timestamp here')!];
    expect(stamped).toMatchObject({
      _messageTime: '2026-11-20T08:15:30.250Z',
      _sourceCategory: 'default/cat',
      _sourceHost: 'pay-7',
      _sourceName: 'payments.log',
      _source: 'meta-src',
      _collector: 'http',
      _size: line.length,
      _format: 'ymd_hms_comma',
      team: 'payments',
      env: 'prod',
    });
    expect(unstamped._format).toBe('none');
    expect(unstamped._messageTime).toBe(unstamped._receiptTime);
    expect(unstamped._sourceHost).toBe('pay-7');
  });

  it('joins Java stack traces into single messages', async () => {
    const source = await createSource(base, { name: 'java', category: 'app/java' });
    const fixture = join(sharedData, 'ingest-edge-cases/fluent-bit-tail');
    const lines = readFileSync(join(fixture, 'log/multiline_001.log'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (JSON.parse(l) as { message: string }).message);
    const expected = (JSON.parse(readFileSync(join(fixture, 'out/multiline_001.out'), 'utf8').split('\n')[0]!) as { message: string })
      .message;
    const body = `2026-11-21 10:00:00,000 INFO starting\n${lines.join('\n')}\n2026-11-21 10:00:05,000 INFO next message\n`;
    expect((await post(source.url, body)).status).toBe(200);
    expect(await count('category=app/java')).toBe(3);
    expect(await count(`category=app/java&contains=${encodeURIComponent(expected)}`)).toBe(1);
    // A per-source boundary regex also groups lines.
    const regexSource = await createSource(base, { name: 'java-regex', category: 'app/java-regex', multiline: 'BEGIN.*' });
    expect((await post(regexSource.url, 'BEGIN a\nx\ny\nBEGIN b\nz\n')).status).toBe(200);
    expect(await count('category=app/java-regex')).toBe(2);
    // ...and multiline: false keeps one message per line.
    const lineSource = await createSource(base, { name: 'java-lines', category: 'app/java-lines', multiline: false });
    expect((await post(lineSource.url, lines.join('\n'))).status).toBe(200);
    expect(await count('category=app/java-lines')).toBe(lines.length);
  });

  it('splits messages over 64 KiB into 64 KiB pieces', async () => {
    const source = await createSource(base, { name: 'big', category: 'big/lines', multiline: false });
    const big = 'x'.repeat(65_536 * 2 + 100);
    expect((await post(source.url, `${big}\nsmall\n`)).status).toBe(200);
    expect(await count('category=big/lines')).toBe(4);
    const sizes = (await tail(4)).map((r) => r._size).sort((a, b) => a - b);
    expect(sizes).toEqual([5, 100, 65_536, 65_536]);
  });

  it('keeps very old times and falls back to receipt time for unstorable ones, failing nobody', async () => {
    const source = await createSource(base, { name: 'old-times', category: 'ts/old', multiline: false });
    const response = await post(source.url, '1970-01-01 00:00:01 hello from 1970\n0001-01-01T00:00:00Z year one\n');
    expect(response.status).toBe(200);
    const rows = await tail(2);
    const old = rows.find((r) => r._raw.includes('1970'))!;
    const yearOne = rows.find((r) => r._raw.includes('year one'))!;
    expect(old._messageTime).toBe('1970-01-01T00:00:01.000Z');
    expect(yearOne._messageTime).toBe(yearOne._receiptTime);
  });

  it('uses a per-source timestamp format', async () => {
    const source = await createSource(base, { name: 'custom-ts', category: 'ts/custom', timestampFormat: 'dd.MM.yyyy HH:mm:ss' });
    expect((await post(source.url, 'event at 21.11.2026 17:45:00 happened\n')).status).toBe(200);
    const [row] = await tail(1);
    expect(row).toMatchObject({ _messageTime: '2026-11-21T17:45:00.000Z', _format: 'custom' });
  });

  it('takes each CloudTrail event time from its eventTime, wherever it is in the object', async () => {
    const file = readFileSync(join(sharedData, 'cloudtrail/awsdocs-cloudtrail-events.jsonl'), 'utf8');
    const events = file.split('\n').filter((line) => line.trim() !== '');
    const source = await createSource(base, { name: 'cloudtrail', category: 'aws/cloudtrail', multiline: false });
    expect((await post(source.url, file)).status).toBe(200);
    const rows = (await tail(events.length)).filter((r) => r._sourceCategory === 'aws/cloudtrail');
    expect(rows).toHaveLength(events.length);
    for (const row of rows) {
      const eventTime = (JSON.parse(row._raw) as { eventTime: string }).eventTime;
      expect(row._format, row._raw.slice(0, 120)).toBe('json:eventTime');
      expect(row._messageTime).toBe(new Date(eventTime).toISOString());
    }
  });

  it('finds the time with a per-source timestamp locator past the first 200 characters, set at creation or later', async () => {
    const padding = 'x'.repeat(300);
    const line = (day: string): string => `${padding} seen=${day} 08:15:00 end`;
    const source = await createSource(base, {
      name: 'located',
      category: 'ts/located',
      multiline: false,
      timestampLocator: 'seen=(\\S+ \\S+)',
      timestampFormat: 'dd.MM.yyyy HH:mm:ss',
    });
    expect((await post(source.url, line('03.02.2026'))).status).toBe(200);
    expect((await tail(1))[0]).toMatchObject({ _messageTime: '2026-02-03T08:15:00.000Z', _format: 'custom' });

    // A locator without a capture group is refused, naming the setting; nothing changes.
    const headers = { authorization: adminAuth, 'content-type': 'application/json' };
    const bad = await fetch(`${base}/api/v1/sources/${source.id}`, { method: 'PATCH', headers, body: JSON.stringify({ timestampLocator: 'seen=\\S+' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/timestampLocator.*capture group/);

    // Auto-detection inside the located text when no format is set.
    const changed = await fetch(`${base}/api/v1/sources/${source.id}`, { method: 'PATCH', headers, body: JSON.stringify({ timestampFormat: null, timestampLocator: 'seen=(\\S+T\\S+)' }) });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ timestampFormat: null, timestampLocator: 'seen=(\\S+T\\S+)' });
    expect((await post(source.url, `${padding} seen=2026-02-04T09:00:00Z end`)).status).toBe(200);
    expect((await tail(1))[0]).toMatchObject({ _messageTime: '2026-02-04T09:00:00.000Z', _format: 'iso8601' });
  });
});
