import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSyslog, splitSyslogMessages, syslogFields, toSyslogRecord, type SyslogMessage } from './syslog.js';

const fixtures = resolve(import.meta.dirname, '../../../../shared/data/syslog');
/** Receipt time of every parse below: picks the year of year-less RFC 3164 times. */
const RECEIVED = Date.UTC(2026, 10, 22, 12, 0, 0);

function messagesOf(file: string): string[] {
  return splitSyslogMessages(readFileSync(join(fixtures, file), 'utf8'));
}

function parse(line: string, defaultTimeZone?: string): SyslogMessage {
  return parseSyslog(line, { referenceTime: RECEIVED, ...(defaultTimeZone ? { defaultTimeZone } : {}) });
}

/** The parts of a parsed message worth asserting, in one comparable object. */
function summary(m: SyslogMessage): Record<string, unknown> {
  return {
    format: m.format,
    pri: m.hasPri ? m.facility * 8 + m.severity : undefined,
    time: m.time === undefined ? undefined : new Date(m.time).toISOString(),
    host: m.hostname,
    app: m.appName,
    procId: m.procId,
    msgId: m.msgId,
    message: m.message,
  };
}

describe('RFC 5424 (RFC section 6.5 examples)', () => {
  const expected = [
    { pri: 34, time: '2003-10-11T22:14:15.003Z', host: 'mymachine.example.com', app: 'su', procId: undefined, msgId: 'ID47' },
    { pri: 165, time: '2003-08-24T12:14:15.000Z', host: '192.0.2.1', app: 'myproc', procId: '8710', msgId: undefined },
    { pri: 165, time: '2003-10-11T22:14:15.003Z', host: 'mymachine.example.com', app: 'evntslog', procId: undefined, msgId: 'ID47' },
    { pri: 165, time: '2003-10-11T22:14:15.003Z', host: 'mymachine.example.com', app: 'evntslog', procId: undefined, msgId: 'ID47' },
  ];
  const sd = { 'sd.exampleSDID@32473.iut': '3', 'sd.exampleSDID@32473.eventSource': 'Application', 'sd.exampleSDID@32473.eventID': '1011' };

  it('reads the header, structured data and message; a real UTF-8 BOM is dropped from the message', () => {
    const lines = messagesOf('rfc-examples/rfc5424-section6.5-examples-realbom.log');
    expect(lines).toHaveLength(4);
    const parsed = lines.map((l) => parse(l));
    const messages = ["'su root' failed for lonvick on /dev/pts/8", "%% It's time to make the do-nuts.", 'An application event log entry...', ''];
    parsed.forEach((m, k) => expect(summary(m)).toEqual({ format: 'rfc5424', ...expected[k], message: messages[k] }));
    expect(lines[0]).toContain('\uFEFF'); // _raw keeps the BOM; the parsed message does not
    expect(syslogFields(parsed[0]!)).toEqual({ facility: 'auth', severity: 'crit', msgid: 'ID47' });
    expect(syslogFields(parsed[1]!)).toEqual({ facility: 'local4', severity: 'notice', procid: '8710' });
    expect(syslogFields(parsed[2]!)).toEqual({ facility: 'local4', severity: 'notice', msgid: 'ID47', ...sd });
    expect(syslogFields(parsed[3]!)).toEqual({ facility: 'local4', severity: 'notice', msgid: 'ID47', ...sd, 'sd.examplePriority@32473.class': 'high' });
  });

  it('keeps the RFC text placeholder "BOM" as message text (it is not a byte order mark)', () => {
    const parsed = messagesOf('rfc-examples/rfc5424-section6.5-examples.log').map((l) => parse(l));
    expect(parsed.map((m) => m.message)).toEqual([
      "BOM'su root' failed for lonvick on /dev/pts/8",
      "%% It's time to make the do-nuts.",
      'BOMAn application event log entry...',
      '',
    ]);
    parsed.forEach((m, k) => expect(summary(m)).toMatchObject(expected[k]!));
  });
});

describe('RFC 5424 edge cases', () => {
  const lines = messagesOf('rfc-examples/rfc5424-edge-cases.log');

  it('has the eleven fixture lines', () => expect(lines).toHaveLength(11));

  it('reads every line with explicit expectations', () => {
    const parsed = lines.map((l) => parse(l));
    const rows = parsed.map(summary);
    // `<1>1 - - - - - -`: everything nil → no time (receipt time), no host, no app.
    expect(rows[0]).toEqual({ format: 'rfc5424', pri: 1, time: undefined, host: undefined, app: undefined, procId: undefined, msgId: undefined, message: '' });
    expect(rows[1]).toEqual({ format: 'rfc5424', pri: 78, time: '2016-01-15T00:04:01.000Z', host: 'host1', app: 'CROND', procId: '10391', msgId: undefined, message: 'some_message' });
    expect(syslogFields(parsed[1]!)).toEqual({ facility: 'cron', severity: 'info', procid: '10391', 'sd.meta.sequenceId': '29' });
    // An SD element without parameters gives no field.
    expect(rows[2]).toMatchObject({ time: '2016-01-15T00:04:01.000Z', message: 'some_message' });
    expect(parsed[2]!.structuredData).toEqual([{ id: 'meta@1234', params: [] }]);
    expect(syslogFields(parsed[2]!)).toEqual({ facility: 'cron', severity: 'info', procid: '10391' });
    // Several elements, the same SD-ID twice, `=` inside a value.
    expect(syslogFields(parsed[3]!)).toEqual({
      facility: 'cron',
      severity: 'info',
      procid: '10391',
      'sd.meta.sequenceId': '29',
      'sd.meta.sequenceBlah': 'foo',
      'sd.my.key': 'value',
      'sd.meta.bar': 'baz=',
    });
    expect(rows[3]!.message).toBe('some_message');
    // Escaped quote inside a value.
    expect(syslogFields(parsed[4]!)['sd.meta.key']).toBe('val"ue');
    expect(rows[4]).toMatchObject({ pri: 1, time: undefined, message: 'message' });
    // Junos: empty value, dashes in names, no message.
    expect(rows[5]).toEqual({ format: 'rfc5424', pri: 29, time: '2018-05-14T08:23:01.520Z', host: 'leyal_test4', app: 'mgd', procId: '13894', msgId: 'UI_CHILD_EXITED', message: '' });
    expect(syslogFields(parsed[5]!)).toMatchObject({
      facility: 'daemon',
      severity: 'notice',
      'sd.junos@2636.1.1.1.2.57.pid': '14374',
      'sd.junos@2636.1.1.1.2.57.return-value': '5',
      'sd.junos@2636.1.1.1.2.57.core-dump-status': '',
      'sd.junos@2636.1.1.1.2.57.command': '/usr/sbin/mustd',
    });
    // Fields that start with `-` are values, not nil.
    expect(rows[6]).toEqual({
      format: 'rfc5424',
      pri: 39,
      time: '2018-05-15T20:56:58.000Z',
      host: '-web1west',
      app: '-201805020050-bc5d6a47c3-master',
      procId: undefined,
      msgId: undefined,
      message: '25450-uWSGI worker 6: getaddrinfo*.gaih_getanswer: got type "DNAME"',
    });
    // RFC 3339 examples: fractions, offsets (+04:00, +05:45).
    expect(rows[7]).toMatchObject({ time: '1985-04-12T23:20:50.520Z', host: 'host', message: '' });
    expect(rows[8]).toMatchObject({ time: '1985-04-12T15:20:50.520Z', host: 'host' });
    expect(rows[9]).toMatchObject({ time: '2019-01-19T19:01:39.000Z', host: undefined });
    // The RFC 3164 line among them is read as RFC 3164: no hostname, the tag right after the time.
    expect(rows[10]).toEqual({ format: 'rfc3164', pri: 134, time: '2026-02-18T20:53:31.000Z', host: undefined, app: 'haproxy', procId: '376', msgId: undefined, message: 'I am a message' });
    for (const m of parsed) expect(m.problem).toBeUndefined();
  });
});

describe('RFC 3164 (RFC section 5.4 examples)', () => {
  const parsed = messagesOf('rfc-examples/rfc3164-section5.4-examples.log').map((l) => parse(l));

  it('reads PRI, time (year rule), host and tag', () => {
    expect(parsed).toHaveLength(4);
    // Oct 11 received on 2026-11-22 → 2026; UTC unless a zone is configured.
    expect(summary(parsed[0]!)).toEqual({ format: 'rfc3164', pri: 34, time: '2026-10-11T22:14:15.000Z', host: 'mymachine', app: 'su', procId: undefined, msgId: undefined, message: "'su root' failed for lonvick on /dev/pts/8" });
    expect(syslogFields(parsed[0]!)).toEqual({ facility: 'auth', severity: 'crit' });
    // No tag: the host is an address and the message follows.
    expect(summary(parsed[1]!)).toEqual({ format: 'rfc3164', pri: 13, time: '2026-02-05T17:32:18.000Z', host: '10.0.0.99', app: undefined, procId: undefined, msgId: undefined, message: 'Use the BFG!' });
  });

  it('takes the year after a zone name (`CST 1987`) and applies a numeric zone (`TZ-6`)', () => {
    expect(summary(parsed[2]!)).toMatchObject({ pri: 165, time: '1987-08-24T05:34:00.000Z', host: 'mymachine', app: 'myproc', procId: '10' });
    expect(parsed[2]!.message).toMatch(/^%% It's time to make the do-nuts\. {2}%%/);
    // `1990 Oct 22 10:52:01 TZ-6` = 16:52:01 UTC; the tag is not right after the host, so it stays in the message.
    expect(summary(parsed[3]!)).toEqual({ format: 'rfc3164', pri: 0, time: '1990-10-22T16:52:01.000Z', host: 'scapegoat.dmz.example.org', app: undefined, procId: undefined, msgId: undefined, message: "10.1.2.3 sched[0]: That's All Folks!" });
    expect(syslogFields(parsed[3]!)).toEqual({ facility: 'kern', severity: 'emerg' });
  });

  it('uses the configured zone for times without one', () => {
    expect(parse('<34>Oct 11 22:14:15 mymachine su: x', 'Europe/Berlin').time).toBe(Date.UTC(2026, 9, 11, 20, 14, 15));
  });

  it('puts Dec 31 received on Jan 1 in the previous year', () => {
    const m = parseSyslog('<13>Dec 31 23:59:59 h app: x', { referenceTime: Date.UTC(2027, 0, 1, 0, 0, 5) });
    expect(new Date(m.time!).toISOString()).toBe('2026-12-31T23:59:59.000Z');
  });
});

describe('files as written by syslog daemons (no PRI)', () => {
  it('auth.log: no PRI → user.notice; host, tag, pid', () => {
    const parsed = messagesOf('beats-system/auth-test.log').map((l) => parse(l));
    expect(parsed).toHaveLength(10);
    expect(parsed.map((m) => [m.hostname, m.appName, m.procId ?? null])).toEqual([
      ['localhost', 'sshd', '3402'],
      ['localhost', 'sshd', '7483'],
      ['localhost', 'sshd', '3430'],
      ['slave22', 'sshd', '5774'],
      ['localhost', 'sudo', null],
      ['slave22', 'sshd', '18406'],
      ['localhost', 'sudo', null],
      ['precise32', 'sudo', null],
      ['localhost', 'groupadd', '6991'],
      ['localhost', 'useradd', '6995'],
    ]);
    for (const m of parsed) {
      expect(m).toMatchObject({ format: 'rfc3164', hasPri: false, facility: 1, severity: 5 });
      expect(syslogFields(m)).toMatchObject({ facility: 'user', severity: 'notice' });
    }
    expect(new Date(parsed[0]!.time!).toISOString()).toBe('2026-02-21T21:54:44.000Z');
    expect(parsed[4]!.message).toBe('vagrant : TTY=pts/0 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/ls');
    expect(parsed[7]!.message).toBe('     tsg : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/ls');
  });

  it('macOS: indented continuation lines join their message; a line with no host or tag keeps its text', () => {
    const lines = messagesOf('beats-system/darwin-syslog-sample.log');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split('\n')).toHaveLength(19);
    const parsed = lines.map((l) => parse(l));
    expect(summary(parsed[0]!)).toMatchObject({ format: 'rfc3164', time: '2025-12-13T11:35:28.000Z', host: 'a-mac-with-esc-key', app: 'GoogleSoftwareUpdateAgent', procId: '21412' });
    expect(parsed[0]!.message).toMatch(/^2016-12-13 11:35:28\.420 GoogleSoftwareUpdateAgent\[21412\/0x700007399000\]/);
    expect(parsed[0]!.message.endsWith('\n\t>')).toBe(true);
    expect(summary(parsed[1]!)).toMatchObject({ time: '2025-12-13T11:35:28.000Z', app: 'GoogleSoftwareUpdateAgent' });
    expect(summary(parsed[2]!)).toEqual({ format: 'rfc3164', pri: undefined, time: '2026-04-04T03:39:57.000Z', host: undefined, app: undefined, procId: undefined, msgId: undefined, message: '--- last message repeated 1 time ---' });
  });

  it('high-precision ISO times with and without an offset (rsyslog templates)', () => {
    const parsed = messagesOf('beats-system/tz-offset.log').map((l) => parse(l));
    expect(parsed.map(summary)).toEqual([
      { format: 'rfc3164', pri: undefined, time: '1986-04-25T21:23:45.101Z', host: 'rmbkmonitor04', app: 'shutdown', procId: '2649', msgId: undefined, message: 'shutting down for system halt' },
      { format: 'rfc3164', pri: undefined, time: '1986-04-25T21:23:45.388Z', host: 'rmbkmonitor04', app: 'thermald', procId: undefined, msgId: undefined, message: 'constraint_0_power_limit_uw exceeded.' },
      { format: 'rfc3164', pri: undefined, time: '2019-06-14T10:40:20.912Z', host: 'localhost', app: 'sudo', procId: undefined, msgId: undefined, message: 'pam_unix(sudo-i:session): session opened for user root by userauth3(uid=0)' },
    ]);
  });
});

describe('malformed input', () => {
  it('never throws and keeps what it can', () => {
    expect(summary(parse(''))).toMatchObject({ format: 'rfc3164', pri: undefined, time: undefined, message: '' });
    expect(parse('<999>Oct 11 22:14:15 h t: m')).toMatchObject({ hasPri: false, facility: 1, severity: 5, message: '<999>Oct 11 22:14:15 h t: m' });
    expect(parse('<13>just text').time).toBeUndefined();
    expect(parse('<13>just text')).toMatchObject({ hasPri: true, message: 'just text', problem: 'no RFC 3164 timestamp' });
    expect(parse('<13>1 2003-10-11T22:14:15Z h a p m [bad')).toMatchObject({ hostname: 'h', message: '[bad', problem: expect.stringMatching(/structured data/) });
    expect(parse('<13>1 yesterday h a p m - text').time).toBeUndefined();
    expect(parse('<13>1 yesterday h a p m - text')).toMatchObject({ hostname: 'h', message: 'text', problem: 'unreadable RFC 5424 timestamp' });
    expect(parse('<13>1 2003-10-11T22:14:15Z')).toMatchObject({ format: 'rfc5424', problem: 'RFC 5424 header ends early' });
    expect(parse('<13>1 - h a p m [x k="unterminated]')).toMatchObject({ structuredData: [], message: '[x k="unterminated]' });
  });

  it('repeated SD parameters become a JSON array text', () => {
    const m = parse('<13>1 - h a - - [origin ip="10.0.0.1" ip="10.0.0.2"] text');
    expect(syslogFields(m)['sd.origin.ip']).toBe('["10.0.0.1","10.0.0.2"]');
  });
});

describe('toSyslogRecord', () => {
  it('maps the header to metadata: raw line, time, host (else the peer), app name, category', () => {
    const raw = '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] text';
    expect(toSyslogRecord(raw, parse(raw), '10.1.1.1')).toEqual({
      format: 'rfc5424',
      time: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      message: raw,
      fields: { facility: 'local4', severity: 'notice', msgid: 'ID47', 'sd.exampleSDID@32473.iut': '3' },
      category: 'syslog/evntslog',
      host: 'mymachine.example.com',
      name: 'evntslog',
    });
    const nil = '<1>1 - - - - - -';
    expect(toSyslogRecord(nil, parse(nil), '10.1.1.1')).toEqual({
      format: 'rfc5424',
      message: nil,
      fields: { facility: 'kern', severity: 'alert' },
      category: 'syslog',
      host: '10.1.1.1',
    });
  });
});
