import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { connect as connectTcp, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { createClient, Facility, Severity, Transport, type Client } from 'syslog-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { api, createSource, sharedData, startTestServer, tempDir, waitFor } from '../support/server.js';
import { storeReader, type TailMessage } from '../support/store-reader.js';

const fixtures = join(sharedData, 'syslog');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.warn('syslog TLS test skipped: `openssl` is not installed, so no test certificate can be made');

/** A self-signed certificate for 127.0.0.1 made with openssl (node:crypto cannot issue X.509). */
function selfSignedCertificate(): { cert: string; key: string } {
  const dir = tempDir('quarry-syslog-tls-');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'], {
    stdio: 'ignore',
  });
  return { cert, key };
}

/** Connects, writes `data` (in one go or in chunks), ends, and resolves when the server has closed the connection. */
function sendTcp(port: number, data: string | Buffer | Array<string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connectTcp({ host: '127.0.0.1', port }, () => {
      for (const chunk of Array.isArray(data) ? data : [data]) socket.write(chunk);
      socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
}

function runLogger(args: string[], input?: string): void {
  const result = spawnSync('logger', args, { input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`logger ${args.join(' ')} failed: ${result.stderr}`);
}

function logWith(client: Client, message: string, options: Parameters<Client['log']>[1]): Promise<void> {
  return new Promise((resolve, reject) => client.log(message, options, (error) => (error ? reject(error) : resolve())));
}

describe('syslog intake', () => {
  let server: RunningServer;
  let base: string;
  let reader: ReturnType<typeof storeReader>;
  let tcp: number;
  let udp: number;
  let tls: number | undefined;
  let certificate: { cert: string; key: string } | undefined;
  const one = async (contains: string): Promise<TailMessage> => {
    await waitFor(async () => (await reader.count(`contains=${encodeURIComponent(contains)}`)) === 1, 15_000, `"${contains}" to be stored`);
    const found = (await reader.tail(10_000)).filter((m) => m._raw.includes(contains));
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(async () => {
    certificate = hasOpenssl ? selfSignedCertificate() : undefined;
    server = await startTestServer({
      'syslog.tcpPort': 0,
      'syslog.udpPort': 0,
      ...(certificate ? { 'syslog.tlsPort': 0, 'syslog.tlsCert': certificate.cert, 'syslog.tlsKey': certificate.key } : {}),
    });
    base = server.url;
    reader = storeReader(base);
    tcp = server.syslog.ports.tcp!;
    udp = server.syslog.ports.udp!;
    tls = server.syslog.ports.tls;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('logger over TCP, RFC 5424 with octet counting: header, structured data and metadata are stored', async () => {
    runLogger([
      '--server', '127.0.0.1', '--port', String(tcp), '--tcp', '--rfc5424', '--octet-count',
      '-t', 'billing', '--id=4242', '-p', 'local3.warning', '--msgid', 'INV42', '--sd-id', 'order@32473', '--sd-param', 'id="A-17"', '--sd-param', 'total="9.50"',
      'logger-5424-octet invoice ready',
    ]);
    const m = await one('logger-5424-octet');
    expect(m).toMatchObject({
      _collector: 'syslog',
      _source: 'default',
      _format: 'rfc5424',
      _sourceName: 'billing',
      _sourceCategory: 'syslog/billing',
      _sourceHost: hostname(),
      facility: 'local3',
      severity: 'warning',
      msgid: 'INV42',
      'sd.order@32473.id': 'A-17',
      'sd.order@32473.total': '9.50',
    });
    expect(m._raw).toMatch(/^<156>1 \S+ \S+ billing 4242 INV42 \[timeQuality[^\]]*\]\[order@32473 id="A-17" total="9.50"\] logger-5424-octet invoice ready$/);
    expect(m.procid).toBe('4242');
    // logger stamps the current time with microseconds; stored to the millisecond.
    expect(Math.abs(Date.parse(m._messageTime) - Date.now())).toBeLessThan(60_000);
  });

  it('logger over UDP, RFC 3164: facility, severity, tag and host', async () => {
    runLogger(['--server', '127.0.0.1', '--port', String(udp), '--udp', '--rfc3164', '-t', 'legacy', '-p', 'auth.err', 'logger-3164-udp hello']);
    const m = await one('logger-3164-udp');
    expect(m).toMatchObject({ _format: 'rfc3164', _sourceName: 'legacy', _sourceCategory: 'syslog/legacy', facility: 'auth', severity: 'err', _source: 'default' });
    expect(m._raw).toMatch(/^<35>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ legacy: logger-3164-udp hello$/);
    // RFC 3164 carries no zone or year: the wall-clock time is read as UTC, this year.
    const stamp = /^<35>(\w{3} [ \d]\d \d\d:\d\d:\d\d)/.exec(m._raw)![1]!;
    const local = new Date(`${stamp} ${new Date().getFullYear()}`); // logger wrote local time
    const expected = Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds());
    expect(Date.parse(m._messageTime)).toBe(expected);
  });

  it('logger over TCP with newline framing sends several lines from stdin', async () => {
    runLogger(['--server', '127.0.0.1', '--port', String(tcp), '--tcp', '--rfc3164', '-t', 'batchjob', '-p', 'cron.info'], 'newline-frame one\nnewline-frame two\nnewline-frame three\n');
    await waitFor(async () => (await reader.count('contains=newline-frame')) === 3, 15_000, 'three lines');
    const stored = (await reader.tail(10_000)).filter((m) => m._raw.includes('newline-frame'));
    expect(stored.map((m) => m._raw.replace(/^.*batchjob: /, '')).sort()).toEqual(['newline-frame one', 'newline-frame three', 'newline-frame two']);
    for (const m of stored) expect(m).toMatchObject({ facility: 'cron', severity: 'info', _sourceName: 'batchjob' });
  });

  it('syslog-client over TCP (RFC 5424) and UDP (RFC 3164)', async () => {
    const tcpClient = createClient('127.0.0.1', { port: tcp, transport: Transport.Tcp, rfc3164: false, appName: 'npmclient', syslogHostname: 'web-7' });
    const udpClient = createClient('127.0.0.1', { port: udp, transport: Transport.Udp, rfc3164: true, syslogHostname: 'web-8' });
    try {
      await logWith(tcpClient, 'sc-tcp payment accepted', { facility: Facility.Local0, severity: Severity.Error, msgid: 'PAY', timestamp: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)) });
      await logWith(udpClient, 'sc-udp cache warm', { facility: Facility.System, severity: Severity.Debug });
    } finally {
      tcpClient.close();
      udpClient.close();
    }
    const viaTcp = await one('sc-tcp payment accepted');
    expect(viaTcp).toMatchObject({
      _format: 'rfc5424',
      _messageTime: '2025-01-02T03:04:05.678Z',
      _sourceHost: 'web-7',
      _sourceName: 'npmclient',
      facility: 'local0',
      severity: 'err',
      msgid: 'PAY',
      procid: String(process.pid),
    });
    const viaUdp = await one('sc-udp cache warm');
    // syslog-client writes RFC 3164 without a tag: host then message.
    expect(viaUdp).toMatchObject({ _format: 'rfc3164', _sourceHost: 'web-8', _sourceName: 'syslog', _sourceCategory: 'syslog', facility: 'daemon', severity: 'debug' });
  });

  it('stores the fixture files sent as newline-framed TCP streams, with their parsed metadata', async () => {
    await sendTcp(tcp, readFileSync(join(fixtures, 'beats-system/auth-test.log')));
    await waitFor(async () => (await reader.count('contains=vagrant')) >= 1 && (await reader.count('category=syslog/sshd')) === 5, 15_000, 'auth.log');
    expect(await reader.count('category=syslog/sudo')).toBe(3);
    expect(await reader.count('category=syslog/useradd')).toBe(1);
    const all = await reader.tail(10_000);
    const failed = all.find((m) => m._raw.includes('Failed password for root'))!;
    expect(failed).toMatchObject({ _sourceHost: 'slave22', _sourceName: 'sshd', procid: '5774', facility: 'user', severity: 'notice', _format: 'rfc3164' });
    expect(failed._raw).toBe('Feb 20 08:35:22 slave22 sshd[5774]: Failed password for root from 216.160.83.57 port 29160 ssh2');

    // Octet counting keeps RFC 5424 messages (and a real BOM) intact.
    const lines = readFileSync(join(fixtures, 'rfc-examples/rfc5424-section6.5-examples-realbom.log'), 'utf8').trimEnd().split('\n');
    await sendTcp(tcp, lines.map((l) => `${Buffer.byteLength(l)} ${l}`).join(''));
    await waitFor(async () => (await reader.count('category=syslog/evntslog')) === 2, 15_000, 'RFC 5424 examples');
    const event = (await reader.tail(10_000)).find((m) => m._raw.includes('An application event log entry'))!;
    expect(event).toMatchObject({
      _messageTime: '2003-10-11T22:14:15.003Z',
      _sourceHost: 'mymachine.example.com',
      'sd.exampleSDID@32473.eventSource': 'Application',
      'sd.exampleSDID@32473.eventID': '1011',
      msgid: 'ID47',
    });
    expect(event._raw).toBe(lines[2]);
    expect(await reader.count('category=syslog/su')).toBe(1);
    expect(await reader.count('category=syslog/myproc')).toBe(1);
  });

  it('a UDP datagram with several messages stores each; indented lines continue a message', async () => {
    const socket = createSocket('udp4');
    const datagram = '<14>Oct 11 22:14:15 h1 dgram: udp-multi first\n<14>Oct 11 22:14:16 h1 dgram: udp-multi second\n\tcontinued\n';
    await new Promise<void>((resolve, reject) => socket.send(datagram, udp, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    socket.close();
    await waitFor(async () => (await reader.count('contains=udp-multi')) === 2, 15_000, 'two UDP messages');
    const second = (await reader.tail(10_000)).find((m) => m._raw.includes('udp-multi second'))!;
    expect(second._raw).toBe('<14>Oct 11 22:14:16 h1 dgram: udp-multi second\n\tcontinued');
  });

  it('20,000 lines sent quickly over one TCP connection are all stored', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `<134>Nov 21 10:00:00 bulkhost bulk[1]: bulk-line ${i}\n`);
    const chunks: string[] = [];
    for (let i = 0; i < lines.length; i += 500) chunks.push(lines.slice(i, i + 500).join(''));
    await sendTcp(tcp, chunks);
    await waitFor(async () => (await reader.count('category=syslog/bulk')) === 20_000, 60_000, '20,000 lines');
    expect(await reader.count('category=syslog/bulk&contains=bulk-line%2019999')).toBe(1);
  });

  it('a bad octet count closes the connection; the frames before it are stored', async () => {
    const good = ['<13>1 - badhost framecheck - - - frame-before-1', '<13>1 - badhost framecheck - - - frame-before-2'];
    const closedByServer = new Promise<void>((resolve, reject) => {
      const socket = connectTcp({ host: '127.0.0.1', port: tcp }, () => {
        socket.write(good.map((g) => `${g.length} ${g}`).join('') + 'x9 <13>garbage');
        // Leave the connection open: the server must be the one to close it.
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.resume();
    });
    await closedByServer;
    await waitFor(async () => (await reader.count('category=syslog/framecheck')) === 2, 15_000, 'frames before the bad count');
    expect(await reader.count('contains=garbage')).toBe(0);
    expect(server.syslog.stats().malformedStreams).toBeGreaterThanOrEqual(1);
  });

  it('an oversize line is stored in 64 KiB pieces that keep its metadata, and counted', async () => {
    const before = server.syslog.stats().cutFrames;
    const line = `<13>Oct 11 22:14:15 bighost huge: ${'y'.repeat(200_000)}`;
    await sendTcp(tcp, `${line}\n<13>Oct 11 22:14:15 bighost huge: after-the-big-one\n`);
    await waitFor(async () => (await reader.count('category=syslog/huge')) === 5, 15_000, 'pieces');
    const pieces = (await reader.tail(10_000)).filter((m) => m._sourceName === 'huge' && !m._raw.includes('after-the-big-one'));
    expect(pieces.map((p) => p._size).sort((a, b) => b - a)).toEqual([65_536, 65_536, 65_536, line.length - 3 * 65_536]);
    for (const p of pieces) expect(p).toMatchObject({ _sourceHost: 'bighost', _format: 'rfc3164', severity: 'notice' });
    expect(server.syslog.stats().cutFrames).toBe(before + 1);
  });

  it.skipIf(!hasOpenssl)('TLS with a self-signed certificate (octet counting)', async () => {
    const frames = ['<86>1 2024-05-06T07:08:09.010Z tlshost secured 77 - - tls-frame one', '<86>1 2024-05-06T07:08:10Z tlshost secured 77 - - tls-frame two'];
    await new Promise<void>((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port: tls!, ca: readFileSync(certificate!.cert), checkServerIdentity: () => undefined }, () => {
        socket.end(frames.map((f) => `${f.length} ${f}`).join(''));
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.resume();
    });
    await waitFor(async () => (await reader.count('category=syslog/secured')) === 2, 15_000, 'TLS frames');
    const m = (await reader.tail(10_000)).find((x) => x._raw.includes('tls-frame one'))!;
    expect(m).toMatchObject({ _messageTime: '2024-05-06T07:08:09.010Z', _sourceHost: 'tlshost', facility: 'authpriv', severity: 'info', procid: '77' });
  });

  it('many connections at once', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => sendTcp(tcp, `<13>Oct 11 22:14:15 conn${i} fanout: fan-${i}\n`)));
    await waitFor(async () => (await reader.count('category=syslog/fanout')) === 200, 30_000, '200 connections');
  });
});

describe('syslog mapped to another source, with a small ingest queue (backpressure)', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTestServer({ 'syslog.tcpPort': 0, 'syslog.source': 'network', 'ingest.queueMaxLines': 1000 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lands in the named source with its category; a full queue pauses the sender instead of dropping', async () => {
    await createSource(server.url, { name: 'network', category: 'net/devices' });
    const reader = storeReader(server.url);
    // Sixteen senders at once: their first batches (a quarter of the queue each) are four times what
    // the 1,000-line queue holds, even with two writes taking batches out of it.
    const senders = Array.from({ length: 16 }, (_, c) =>
      Array.from({ length: 1_250 }, (_, i) => `<190>Nov 21 10:00:00 sw${c} ifmgr[9]: port flap ${c}-${i}\n`).join(''),
    );
    await Promise.all(senders.map((lines) => sendTcp(server.syslog.ports.tcp!, lines)));
    await waitFor(async () => (await reader.count('category=net/devices')) === 20_000, 60_000, '20,000 lines through a 1,000-line queue');
    const sample = (await reader.tail(5)).at(-1)!;
    expect(sample).toMatchObject({ _source: 'network', _sourceCategory: 'net/devices', _sourceName: 'ifmgr', facility: 'local7', severity: 'info' });
    expect(server.batcher.stats().refusedSubmits).toBeGreaterThan(0); // the queue really was full at times
    expect(server.syslog.stats()).toMatchObject({ failedMessages: 0 });
    expect((await api<{ count: number }>(server.url, '/api/v1/logs/count')).body.count).toBe(20_000);
  });
});

describe('syslog at shutdown', () => {
  it('close() stores what the listeners have read before the batcher drains', async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir, 'syslog.tcpPort': 0 });
    const lines = Array.from({ length: 5_000 }, (_, i) => `<14>Nov 21 10:00:00 h closing[1]: at-shutdown ${i}\n`).join('');
    // sendTcp resolves when the server has read the whole stream and closed its side; the messages
    // are then in the listener's queue or on their way to the store, not yet necessarily stored.
    await sendTcp(first.syslog.ports.tcp!, lines);
    await first.close();
    const second = await startTestServer({ dataDir });
    try {
      expect(await storeReader(second.url).count('category=syslog/closing')).toBe(5_000);
    } finally {
      await second.close();
    }
  });
});
