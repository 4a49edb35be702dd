import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLinearRegex } from './linear-regex.js';
import { detectTimestamp, SCAN_LIMIT, validateTimeZone, validateTimestampFormat, validateTimestampLocator } from './timestamp.js';
import type { DetectTimestampOptions } from './timestamp.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const REF = Date.UTC(2026, 10, 22, 12, 0, 0); // 2026-11-22T12:00Z

function lines(relative: string): string[] {
  return readFileSync(DATA + relative, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** ISO string, format and matched text, or undefined — one value to compare per case. */
function detect(line: string, opts: DetectTimestampOptions = {}): [string, string, string] | undefined {
  const r = detectTimestamp(line, { referenceTime: REF, ...opts });
  if (r === undefined) return undefined;
  return [new Date(r.ms).toISOString(), r.format, line.slice(r.start, r.end)];
}

describe('detectTimestamp on real fixtures', () => {
  it('reads the CLF time of the first Apache access line', () => {
    const first = lines('http-access/elastic-apache/apache_logs')[0]!;
    expect(detect(first)).toEqual(['2015-05-17T10:05:03.000Z', 'clf', '17/May/2015:10:05:03 +0000']);
  });

  it('finds a CLF time in every Apache access line', () => {
    const all = lines('http-access/elastic-apache/apache_logs');
    expect(all.length).toBeGreaterThan(9000);
    const missed = all.filter((l) => detectTimestamp(l)?.format !== 'clf');
    expect(missed).toEqual([]);
  });

  it('applies the CLF offset (nginx access log, +0200)', () => {
    expect(detect(lines('http-access/beats-nginx/access.log')[0]!)).toEqual([
      '2016-10-25T12:49:33.000Z',
      'clf',
      '25/Oct/2016:14:49:33 +0200',
    ]);
  });

  it('reads RFC 5424 section 6.5 examples (ms and µs fractions, offsets)', () => {
    const got = lines('syslog/rfc-examples/rfc5424-section6.5-examples-realbom.log').map((l) => detect(l));
    expect(got).toEqual([
      ['2003-10-11T22:14:15.003Z', 'rfc5424', '2003-10-11T22:14:15.003Z'],
      ['2003-08-24T12:14:15.000Z', 'rfc5424', '2003-08-24T05:14:15.000003-07:00'],
      ['2003-10-11T22:14:15.003Z', 'rfc5424', '2003-10-11T22:14:15.003Z'],
      ['2003-10-11T22:14:15.003Z', 'rfc5424', '2003-10-11T22:14:15.003Z'],
    ]);
  });

  it('reads RFC 5424 edge cases: nil timestamps give undefined, RFC 3339 examples parse', () => {
    const got = lines('syslog/rfc-examples/rfc5424-edge-cases.log').map((l) => detect(l)?.slice(0, 2));
    expect(got).toEqual([
      undefined,
      ['2016-01-15T00:04:01.000Z', 'rfc5424'],
      ['2016-01-15T00:04:01.000Z', 'rfc5424'],
      ['2016-01-15T00:04:01.000Z', 'rfc5424'],
      undefined,
      ['2018-05-14T08:23:01.520Z', 'rfc5424'],
      ['2018-05-15T20:56:58.000Z', 'rfc5424'],
      ['1985-04-12T23:20:50.520Z', 'rfc5424'],
      ['1985-04-12T15:20:50.520Z', 'rfc5424'],
      ['2019-01-19T19:01:39.000Z', 'rfc5424'], // +05:45
      ['2026-02-18T20:53:31.000Z', 'rfc3164'],
    ]);
  });

  it('reads RFC 3164 section 5.4 examples, inferring the year', () => {
    const got = lines('syslog/rfc-examples/rfc3164-section5.4-examples.log').map((l) => detect(l));
    expect(got).toEqual([
      ['2026-10-11T22:14:15.000Z', 'rfc3164', 'Oct 11 22:14:15'],
      ['2026-02-05T17:32:18.000Z', 'rfc3164', 'Feb  5 17:32:18'],
      // "Aug 24 05:34:00 CST 1987": the year after a zone name is not read; CST is ignored.
      ['2026-08-24T05:34:00.000Z', 'rfc3164', 'Aug 24 05:34:00'],
      ['1990-10-22T10:52:01.000Z', 'rfc3164', '1990 Oct 22 10:52:01'],
    ]);
  });

  it('reads the beats syslog fixtures (auth log, offsets, fraction without zone)', () => {
    const auth = lines('syslog/beats-system/auth-test.log').map((l) => detect(l)?.[0]);
    expect(auth.slice(0, 3)).toEqual([
      '2026-02-21T21:54:44.000Z',
      '2026-02-23T00:13:35.000Z',
      '2026-02-21T21:56:12.000Z',
    ]);
    expect(auth.every((t) => t !== undefined)).toBe(true);
    expect(lines('syslog/beats-system/tz-offset.log').map((l) => detect(l))).toEqual([
      ['1986-04-25T21:23:45.101Z', 'iso8601', '1986-04-26T01:23:45.101+0400'],
      ['1986-04-25T21:23:45.388Z', 'iso8601', '1986-04-26T01:23:45.388424+04:00'],
      ['2019-06-14T10:40:20.912Z', 'iso8601', '2019-06-14T10:40:20.912134'],
    ]);
  });

  it('reads the darwin syslog sample: header lines match, tab-indented continuation lines do not', () => {
    const all = lines('syslog/beats-system/darwin-syslog-sample.log');
    const found = all.map((l) => detectTimestamp(l, { referenceTime: REF }) !== undefined);
    expect(found.filter(Boolean).length).toBe(all.filter((l) => !l.startsWith('\t')).length);
    expect(detect(all[0]!)?.[2]).toBe('Dec 13 11:35:28');
  });

  it('reads nginx and Apache error logs', () => {
    expect(detect(lines('http-access/beats-nginx/error.log')[0]!)).toEqual([
      '2016-10-25T14:49:34.000Z',
      'ymd_slash',
      '2016/10/25 14:49:34',
    ]);
    expect(lines('http-access/beats-apache/error-test.log').map((l) => detect(l))).toEqual([
      ['2016-12-26T16:22:08.000Z', 'ctime', 'Mon Dec 26 16:22:08 2016'],
      ['2016-12-26T16:15:55.103Z', 'ctime', 'Mon Dec 26 16:15:55.103786 2016'],
      ['2011-09-09T10:42:29.902Z', 'ctime', 'Fri Sep 09 10:42:29.902022 2011'],
    ]);
  });

  it('reads the top-level "timestamp" of nginx plus JSON, not "load_timestamp"', () => {
    const first = lines('http-access/elastic-nginxplus-json/nginxplus_json_logs')[0]!;
    expect(detect(first)).toEqual(['2015-10-30T23:58:19.322Z', 'json:timestamp', '1446249499322']);
  });
});

describe('detectTimestamp formats', () => {
  it.each([
    ['2024-03-05T06:07:08Z rest', '2024-03-05T06:07:08.000Z', 'iso8601'],
    ['2024-03-05T06:07:08.123456789Z', '2024-03-05T06:07:08.123Z', 'iso8601'],
    ['2024-03-05T06:07:08.9+01:00', '2024-03-05T05:07:08.900Z', 'iso8601'],
    ['2024-03-05T06:07:08-0230', '2024-03-05T08:37:08.000Z', 'iso8601'],
    ['2024-03-05T06:07:08+05 x', '2024-03-05T01:07:08.000Z', 'iso8601'],
    ['2024-03-05t06:07:08z', '2024-03-05T06:07:08.000Z', 'iso8601'],
    ['2024-03-05 06:07:08,123 INFO x', '2024-03-05T06:07:08.123Z', 'ymd_hms_comma'],
    ['2024-03-05 06:07:08.5 INFO x', '2024-03-05T06:07:08.500Z', 'ymd_hms_dot'],
    ['2024-03-05 06:07:08 INFO x', '2024-03-05T06:07:08.000Z', 'ymd_hms'],
    ['2024-03-05 06:07:08 +0100 x', '2024-03-05T05:07:08.000Z', 'ymd_hms'],
    ['2024-03-05 06:07:08 UTC x', '2024-03-05T06:07:08.000Z', 'ymd_hms'],
    ['2024-03-05 06:07:08Z x', '2024-03-05T06:07:08.000Z', 'ymd_hms'],
    ['2024/03/05 06:07:08 [error]', '2024-03-05T06:07:08.000Z', 'ymd_slash'],
    ['[05/Mar/2024:06:07:08 -0700] "GET /"', '2024-03-05T13:07:08.000Z', 'clf'],
    ['5/mar/2024:06:07:08', '2024-03-05T06:07:08.000Z', 'clf'],
    ['<34>1 2024-03-05T06:07:08.003Z host app', '2024-03-05T06:07:08.003Z', 'rfc5424'],
    ['Tue Mar 05 06:07:08 2024 x', '2024-03-05T06:07:08.000Z', 'ctime'],
    ['1709618828 GET /', '2024-03-05T06:07:08.000Z', 'epoch_s'],
    ['1709618828.25,x', '2024-03-05T06:07:08.250Z', 'epoch_s'],
    ['1709618828123 x', '2024-03-05T06:07:08.123Z', 'epoch_ms'],
    ['[1709618828123456]', '2024-03-05T06:07:08.123Z', 'epoch_us'],
    ['1709618828123456789', '2024-03-05T06:07:08.123Z', 'epoch_ns'],
    ['{"msg":"x","@timestamp":"2024-03-05T06:07:08.5Z"}', '2024-03-05T06:07:08.500Z', 'json:@timestamp'],
    ['{"time":"2024-03-05 06:07:08,123"}', '2024-03-05T06:07:08.123Z', 'json:time'],
    ['{"ts":1709618828123,"msg":"2001-01-01T00:00:00Z"}', '2024-03-05T06:07:08.123Z', 'json:ts'],
    ['{"ts": "1709618828"}', '2024-03-05T06:07:08.000Z', 'json:ts'],
    ['  {"timestamp" : 1709618828.5}', '2024-03-05T06:07:08.500Z', 'json:timestamp'],
    // The time keys of common producers, wherever they are in the object, the most telling first.
    [`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"${'a'.repeat(300)}"},"eventTime":"2024-03-05T06:07:08Z"}`, '2024-03-05T06:07:08.000Z', 'json:eventTime'],
    ['{"insertId":"x","receiveTimestamp":"2024-03-05T06:07:09.9Z","severity":"INFO","timestamp":"2024-03-05T06:07:08.1Z"}', '2024-03-05T06:07:08.100Z', 'json:timestamp'],
    ['{"insertId":"x","receiveTimestamp":"2024-03-05T06:07:09.9Z"}', '2024-03-05T06:07:09.900Z', 'json:receiveTimestamp'],
    ['{"observedTimeUnixNano":"1709618829000000000","timeUnixNano":"1709618828123000000"}', '2024-03-05T06:07:08.123Z', 'json:timeUnixNano'],
    ['{"observedTimeUnixNano":"1709618829000000000","body":{"stringValue":"x"}}', '2024-03-05T06:07:09.000Z', 'json:observedTimeUnixNano'],
    ['{"log":"x","stream":"stdout","time":"2024-03-05T06:07:08.123456789Z"}', '2024-03-05T06:07:08.123Z', 'json:time'],
    ['{"@t":"2024-03-05T06:07:08.1230000Z","@mt":"x"}', '2024-03-05T06:07:08.123Z', 'json:@t'],
    ['{"datetime":"2024-03-05 06:07:08"}', '2024-03-05T06:07:08.000Z', 'json:datetime'],
    ['{"ecs.version":"8","@timestamp":"2024-03-05T06:07:08.5Z","time":"2001-01-01T00:00:00Z"}', '2024-03-05T06:07:08.500Z', 'json:@timestamp'],
  ])('%s', (line, iso, format) => {
    const r = detectTimestamp(line, { referenceTime: REF });
    expect(r).toBeDefined();
    expect([new Date(r!.ms).toISOString(), r!.format]).toEqual([iso, format]);
  });

  it('reads the time in a locator\'s capture group, anywhere in the line, with or without a format', () => {
    const compiled = compileLinearRegex('when=([^;]+);');
    if (!compiled.ok) throw new Error(compiled.message);
    const line = `${'y'.repeat(500)} 2001-01-01T00:00:00Z when=05/03/2024 06:07:08; tail`;
    const custom = detectTimestamp(line, { locator: compiled.regex, format: 'dd/MM/yyyy HH:mm:ss', referenceTime: REF });
    expect([new Date(custom!.ms).toISOString(), custom!.format, line.slice(custom!.start, custom!.end)]).toEqual(['2024-03-05T06:07:08.000Z', 'custom', '05/03/2024 06:07:08']);
    const auto = detectTimestamp(`${'y'.repeat(500)} when=2024-03-05T06:07:08Z;`, { locator: compiled.regex });
    expect([new Date(auto!.ms).toISOString(), auto!.format]).toEqual(['2024-03-05T06:07:08.000Z', 'iso8601']);
    // No match: detection goes on as without a locator.
    expect(detectTimestamp('2024-03-05T06:07:08Z no locator here', { locator: compiled.regex })?.format).toBe('iso8601');
    expect(validateTimestampLocator('when=\\S+')).toMatch(/capture group/);
    expect(validateTimestampLocator('when=(')).toBeDefined();
    expect(validateTimestampLocator('when=(\\S+)')).toBeUndefined();
  });

  it('reports start/end offsets of the matched text', () => {
    const line = 'abc 2024-03-05T06:07:08Z def';
    expect(detectTimestamp(line)).toMatchObject({ start: 4, end: 24 });
  });
});

describe('detectTimestamp picks the leftmost valid timestamp', () => {
  it('prefers the leftmost of several', () => {
    expect(detect('Mar 04 01:02:03 host 2024-03-05T06:07:08Z')?.[1]).toBe('rfc3164');
    expect(detect('x 2024-03-05T06:07:08Z y 05/Mar/2020:00:00:00 +0000')?.[1]).toBe('iso8601');
  });

  it('skips invalid dates and keeps scanning', () => {
    expect(detect('Feb 30 10:00:00 then 2024-03-05T06:07:08Z')?.[2]).toBe('2024-03-05T06:07:08Z');
    expect(detect('2023-02-29 10:00:00 then 2024-02-29 10:00:00')?.[0]).toBe('2024-02-29T10:00:00.000Z');
    expect(detect('2024-13-01T00:00:00Z')).toBeUndefined();
    expect(detect('2024-01-01T24:00:00Z')).toBeUndefined();
    expect(detect('2024-01-01T23:60:00Z')).toBeUndefined();
    expect(detect('31/Apr/2024:00:00:00 +0000')).toBeUndefined();
  });

  it('prefers the JSON field over an earlier timestamp in the line', () => {
    expect(detect('{"msg":"2001-01-01T00:00:00Z","ts":"2024-03-05T06:07:08Z"}')?.[1]).toBe('json:ts');
  });

  it('ignores nested JSON time fields and falls back to scanning', () => {
    expect(detect('{"a":{"ts":1709618828},"msg":"2020-01-01T00:00:00Z"}')?.[1]).toBe('iso8601');
    expect(detect('{"time":null,"b":[{"time":1709618828}]}')).toBeUndefined();
  });
});

describe('detectTimestamp rejects non-timestamps', () => {
  it.each([
    '',
    'hello world',
    'GET /index.html 200 1234',
    '12345 records processed',
    '0000000000 zeros',
    '9999999999 out of range seconds',
    '1709618828x glued to letters',
    '1709618828.1.2 a version',
    'id 1709618828123 not at the start',
    '10.1.2.3 - - no time',
    '2024-03-05 date only',
    '2024-03-05T06:07 no seconds',
    'Mark 12 10:00:00 not a month',
    'May 2015 no day',
    '12:34:56 time only',
    '<1>1 - - - - - -',
    '{"ts":"soon"}',
    '{"ts":12}',
    '{"a":"ts","b":1709618828}',
    '20240305T060708Z basic format is not detected',
  ])('%j', (line) => {
    expect(detectTimestamp(line, { referenceTime: REF })).toBeUndefined();
  });

  it('looks only at the first SCAN_LIMIT characters of non-JSON lines', () => {
    const pad = 'x'.repeat(SCAN_LIMIT);
    expect(detectTimestamp(`${pad} 2024-03-05T06:07:08Z`)).toBeUndefined();
    expect(detectTimestamp(`${'x'.repeat(SCAN_LIMIT - 30)} 2024-03-05T06:07:08Z`)).toBeDefined();
  });

  it('reads JSON fields beyond SCAN_LIMIT', () => {
    const line = `{"pad":"${'x'.repeat(1000)}","ts":1709618828123}`;
    expect(detectTimestamp(line)?.format).toBe('json:ts');
  });
});

describe('year inference for year-less syslog times', () => {
  it('uses the reference year when the time is not in the future', () => {
    expect(detect('Nov 22 11:00:00 x')?.[0]).toBe('2026-11-22T11:00:00.000Z');
  });

  it('allows up to one day in the future (clock skew), then falls back a year', () => {
    expect(detect('Nov 23 11:00:00 x')?.[0]).toBe('2026-11-23T11:00:00.000Z');
    expect(detect('Nov 23 13:00:00 x')?.[0]).toBe('2025-11-23T13:00:00.000Z');
    expect(detect('Dec 31 23:59:59 x')?.[0]).toBe('2025-12-31T23:59:59.000Z');
  });

  it('crosses the new year forwards', () => {
    const newYearsEve = Date.UTC(2026, 11, 31, 23, 30);
    expect(detect('Jan  1 00:10:00 x', { referenceTime: newYearsEve })?.[0]).toBe('2027-01-01T00:10:00.000Z');
  });

  it('puts Feb 29 in the latest leap year', () => {
    expect(detect('Feb 29 10:00:00 x')?.[0]).toBe('2024-02-29T10:00:00.000Z');
  });
});

describe('time zones', () => {
  it('applies defaultTimeZone only to zoneless timestamps', () => {
    const opts = { defaultTimeZone: 'America/New_York' };
    expect(detect('2024-01-15 10:00:00 x', opts)?.[0]).toBe('2024-01-15T15:00:00.000Z');
    expect(detect('2024-07-15 10:00:00 x', opts)?.[0]).toBe('2024-07-15T14:00:00.000Z');
    expect(detect('2024-07-15T10:00:00Z x', opts)?.[0]).toBe('2024-07-15T10:00:00.000Z');
    expect(detect('15/Jul/2024:10:00:00 +0000', opts)?.[0]).toBe('2024-07-15T10:00:00.000Z');
  });

  it('handles fixed offsets and DST transitions', () => {
    expect(detect('2024-07-15 10:00:00', { defaultTimeZone: '+05:30' })?.[0]).toBe(
      '2024-07-15T04:30:00.000Z',
    );
    expect(detect('2024-07-15 10:00:00', { defaultTimeZone: '-0800' })?.[0]).toBe('2024-07-15T18:00:00.000Z');
    // Europe/Berlin switches to CEST at 2024-03-31 02:00 local (01:00Z).
    const berlin = { defaultTimeZone: 'Europe/Berlin' };
    expect(detect('2024-03-31 01:30:00', berlin)?.[0]).toBe('2024-03-31T00:30:00.000Z');
    expect(detect('2024-03-31 03:30:00', berlin)?.[0]).toBe('2024-03-31T01:30:00.000Z');
  });

  it('validates zones', () => {
    expect(validateTimeZone('Europe/Berlin')).toBeUndefined();
    expect(validateTimeZone('+01:00')).toBeUndefined();
    expect(validateTimeZone('Mars/Olympus')).toMatch(/unknown time zone/);
    expect(() => detectTimestamp('x', { defaultTimeZone: 'Mars/Olympus' })).toThrow(/unknown time zone/);
  });
});

describe('per-source format override', () => {
  it.each([
    ['yyyy-MM-dd HH:mm:ss', 'a 2024-03-05 06:07:08 b', '2024-03-05T06:07:08.000Z', '2024-03-05 06:07:08'],
    [
      'dd/MMM/yyyy:HH:mm:ss Z',
      '[05/Mar/2024:06:07:08 +0100]',
      '2024-03-05T05:07:08.000Z',
      '05/Mar/2024:06:07:08 +0100',
    ],
    ['MMM dd HH:mm:ss', 'Mar  5 06:07:08 host', '2026-03-05T06:07:08.000Z', 'Mar  5 06:07:08'],
    [
      'MM/dd/yyyy hh:mm:ss a',
      'at 03/05/2024 06:07:08 PM',
      '2024-03-05T18:07:08.000Z',
      '03/05/2024 06:07:08 PM',
    ],
    ['MM/dd/yyyy hh:mm:ss a', '03/05/2024 12:07:08 AM', '2024-03-05T00:07:08.000Z', '03/05/2024 12:07:08 AM'],
    [
      "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
      '2024-03-05T06:07:08.123-01:00',
      '2024-03-05T07:07:08.123Z',
      '2024-03-05T06:07:08.123-01:00',
    ],
    ['dd.MM.yy HH:mm', 'x 05.03.24 06:07', '2024-03-05T06:07:00.000Z', '05.03.24 06:07'],
    [
      'EEE, dd MMM yyyy HH:mm:ss z',
      'Tue, 05 Mar 2024 06:07:08 GMT',
      '2024-03-05T06:07:08.000Z',
      'Tue, 05 Mar 2024 06:07:08 GMT',
    ],
    ['d MMMM yyyy HH:mm:ss', '5 March 2024 06:07:08', '2024-03-05T06:07:08.000Z', '5 March 2024 06:07:08'],
  ])('%s', (format, line, iso, text) => {
    expect(detect(line, { format })).toEqual([iso, 'custom', text]);
  });

  it('wins over an auto-detected timestamp further left', () => {
    expect(detect('2020-01-01T00:00:00Z 05.03.2024', { format: 'dd.MM.yyyy' })?.[0]).toBe(
      '2024-03-05T00:00:00.000Z',
    );
  });

  it('falls back to auto-detection when the pattern matches nothing (as Sumo does)', () => {
    expect(detect('2024-03-05T06:07:08Z', { format: 'dd.MM.yyyy' })?.[1]).toBe('iso8601');
  });

  it('rejects invalid dates', () => {
    expect(detect('30.02.2024 x', { format: 'dd.MM.yyyy' })).toBeUndefined();
  });

  it('validates patterns', () => {
    expect(validateTimestampFormat('yyyy-MM-dd HH:mm:ss,SSS')).toBeUndefined();
    expect(validateTimestampFormat('yyyy-MM-dd Q')).toMatch(/unsupported letter "Q"/);
    expect(validateTimestampFormat("yyyy-MM-dd 'oops")).toMatch(/unterminated quote/);
    expect(validateTimestampFormat('HH:mm:ss')).toMatch(/needs a month and a day/);
    expect(() => detectTimestamp('x', { format: 'HH:mm:ss' })).toThrow();
  });
});

describe('properties', () => {
  const arbLine = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.stringMatching(/^[0-9 :\-/.,TZ+<>[\]{}"a-zA-Z]{0,80}$/),
    fc
      .tuple(fc.string({ maxLength: 20 }), fc.date({ noInvalidDate: true }), fc.string({ maxLength: 20 }))
      .map(([a, d, b]) => `${a}${d.toISOString()}${b}`),
    fc.json().map((j) => `{"ts":${j},"x":${j}}`),
  );

  it('never throws, and start/end stay inside the line', () => {
    fc.assert(
      fc.property(arbLine, fc.integer({ min: 0, max: 4_102_444_800_000 }), (line, referenceTime) => {
        const r = detectTimestamp(line, { referenceTime });
        if (r !== undefined) {
          expect(r.start).toBeGreaterThanOrEqual(0);
          expect(r.end).toBeGreaterThan(r.start);
          expect(r.end).toBeLessThanOrEqual(line.length);
          expect(Number.isFinite(r.ms)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips any ISO-8601 instant written by toISOString (years 1000–9999)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1000-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.string({ maxLength: 10 }).filter((s) => !/[0-9A-Za-z]$/.test(s)),
        (date, prefix) => {
          const line = `${prefix}${date.toISOString()} msg`;
          const r = detectTimestamp(line);
          expect(r?.ms).toBe(date.getTime());
        },
      ),
    );
  });
});

describe('epoch arithmetic', () => {
  it('agrees with Date for every valid time in years 1000-9999, in ISO, CLF and comma forms', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        const d = new Date(ms);
        const iso = d.toISOString();
        expect(detectTimestamp(`at ${iso} ok`)?.ms).toBe(ms);
        expect(detectTimestamp(`${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)} INFO`)?.ms).toBe(ms);
        const pad = (n: number): string => String(n).padStart(2, '0');
        const clf = `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
        expect(detectTimestamp(`1.2.3.4 - - [${clf}] "GET /"`)?.ms).toBe(ms - d.getUTCMilliseconds());
      }),
      { numRuns: 2000 },
    );
  });
});
