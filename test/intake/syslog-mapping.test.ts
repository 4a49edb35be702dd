import { spawnSync } from 'node:child_process';
import { connect as connectTcp } from 'node:net';
import { createSocket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { createSource, freePort, spawnServer, startTestServer, tempDir, waitFor } from '../support/server.js';
import { storeReader } from '../support/store-reader.js';

/** Syslog listeners bound to named sources (`PORT=SOURCE`), with real sockets and a real `quarry serve`. */

function sendTcp(port: number, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port }, () => socket.end(data));
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
}

function sendUdp(port: number, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.send(data, port, '127.0.0.1', (error) => {
      socket.close();
      if (error) reject(error);
      else resolve();
    });
  });
}

describe('syslog listeners bound to sources', () => {
  const dataDir = tempDir();
  let server: RunningServer | undefined;

  afterAll(async () => {
    await server?.close();
  });

  it('each listener lands in its own source, with that source’s category and processing rules', async () => {
    // The sources must exist before a listener can be bound to them: create them on a first start.
    server = await startTestServer({ dataDir });
    await createSource(server.url, {
      name: 'network',
      category: 'net/devices',
      rules: [
        { name: 'community strings', kind: 'mask', regex: 'community=(\\S+)' },
        { name: 'drop keepalives', kind: 'exclude', regex: 'keepalive' },
      ],
    });
    await server.close();

    server = await startTestServer({ dataDir, 'syslog.tcpPort': '0=network,0', 'syslog.udpPort': '0=network' });
    const bindings = server.syslog.bindings;
    expect(bindings.map((b) => `${b.protocol}→${b.sourceName}`)).toEqual(['tcp→network', 'tcp→default', 'udp→network']);
    expect(bindings.every((b) => b.port > 0)).toBe(true);
    const [tcpNetwork, tcpDefault, udpNetwork] = bindings.map((b) => b.port);

    await sendTcp(tcpNetwork!, '<190>Nov 22 10:00:00 sw1 ifmgr[9]: link up community=private-xyz\n<190>Nov 22 10:00:01 sw1 ifmgr[9]: keepalive\n');
    await sendTcp(tcpDefault!, '<13>Nov 22 10:00:02 host1 app[1]: to default community=public-abc\n');
    const reader = storeReader(server.url);
    await waitFor(async () => (await reader.tail(100)).length === 2, 15_000, 'two stored TCP syslog messages').catch(async (error: unknown) => {
      console.error('stored:', await reader.tail(100), 'listener stats:', server?.syslog.stats());
      throw error;
    });
    // UDP may lose a datagram on a loaded machine: send until one is stored.
    await waitFor(
      async () => {
        await sendUdp(udpNetwork!, '<190>Nov 22 10:00:03 sw2 ifmgr[9]: udp link down');
        await new Promise((resolve) => setTimeout(resolve, 500));
        return (await reader.count('contains=udp%20link%20down')) > 0;
      },
      15_000,
      'a UDP message',
    );
    const stored = await reader.tail(100);
    const byText = (text: string) => stored.find((m) => m._raw.includes(text))!;
    expect(byText('link up')).toMatchObject({ _source: 'network', _sourceCategory: 'net/devices', _collector: 'syslog' });
    expect(byText('link up')._raw).toContain('community=#####');
    expect(byText('udp link down')).toMatchObject({ _source: 'network', _sourceCategory: 'net/devices' });
    // The default source has no rules: its message is stored as sent.
    expect(byText('to default')).toMatchObject({ _source: 'default' });
    expect(byText('to default')._raw).toContain('community=public-abc');
    expect(await reader.count('contains=private-xyz')).toBe(0);
    expect(await reader.count('contains=keepalive')).toBe(0);
    await server.close();
    server = undefined;
  });

  it('a listener bound to a source that does not exist stops start-up with an error naming it', async () => {
    await expect(startTestServer({ dataDir, 'syslog.tcpPort': '0=nosuch' })).rejects.toThrow(
      /syslog tcp port 0 is bound to source "nosuch", which does not exist/,
    );
    // The data directory is not left locked: a correct configuration starts.
    server = await startTestServer({ dataDir, 'syslog.udpPort': '0' });
    expect(server.syslog.bindings).toEqual([{ protocol: 'udp', port: server.syslog.ports.udp, sourceName: 'default' }]);
    await server.close();
    server = undefined;
  });

  it('rejects a malformed port list at configuration time', async () => {
    await expect(startTestServer({ dataDir, 'syslog.tcpPort': '5514=' })).rejects.toThrow(/syslog\.tcpPort.*names no source/);
    await expect(startTestServer({ dataDir, 'syslog.tcpPort': 'abc=network' })).rejects.toThrow(/syslog\.tcpPort.*not PORT or PORT=SOURCE/);
    await expect(startTestServer({ dataDir, 'syslog.udpPort': '5514,5514' })).rejects.toThrow(/port 5514 is listed twice/);
  });

  it('quarry serve reads QUARRY_SYSLOG_TCP_PORT=PORT=SOURCE; Debian logger sends to it', { timeout: 120_000 }, async () => {
    // chDB keeps this process's data directory locked: the child process gets its own.
    const childDir = tempDir();
    const port = await freePort();
    const syslogPort = await freePort();
    const first = await spawnServer({ dataDir: childDir, port });
    await createSource(first.url, { name: 'network', category: 'net/devices', rules: [{ name: 'c', kind: 'mask', regex: 'community=(\\S+)' }] });
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const child = await spawnServer({ dataDir: childDir, port, env: { QUARRY_SYSLOG_TCP_PORT: `${syslogPort}=network` } });
    try {
      const result = spawnSync('logger', ['-T', '-n', '127.0.0.1', '-P', String(syslogPort), '--rfc5424', '-t', 'mapped', 'from logger community=secret-123'], {
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
      const reader = storeReader(child.url);
      await waitFor(async () => (await reader.count('contains=from%20logger')) === 1, 15_000, 'the logger message');
      const message = (await reader.tail(100)).find((m) => m._raw.includes('from logger'))!;
      expect(message).toMatchObject({ _source: 'network', _sourceCategory: 'net/devices', _sourceName: 'mapped' });
      expect(message._raw).toContain('community=#####');
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
    }

    const missing = await freePort();
    await expect(spawnServer({ dataDir: childDir, port: missing, env: { QUARRY_SYSLOG_UDP_PORT: `${syslogPort}=nosuch` } })).rejects.toThrow(
      /syslog udp port \d+ is bound to source "nosuch", which does not exist/,
    );
  });
});
