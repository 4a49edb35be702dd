import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { EncodedBatch } from '../store/row-encoding.js';
import { startSyslogListeners, type SyslogListeners, type SyslogSink } from './syslog-listener.js';

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A sink that refuses with `overloaded` while `refusing` is true and records what it accepts. */
function fakeSink(): SyslogSink & { refusing: boolean; refused: number; lines: string[] } {
  const sink = {
    refusing: false,
    refused: 0,
    lines: [] as string[],
    submit(parts: readonly EncodedBatch[]): Promise<void> {
      if (sink.refusing) {
        sink.refused++;
        return Promise.reject(new AppError(ErrorCode.Overloaded, 'full'));
      }
      for (const part of parts) sink.lines.push(...part.text.split('\n').filter((l) => l !== ''));
      return Promise.resolve();
    },
  };
  return sink;
}

function capturingLogger(): Logger & { warnings: Array<{ obj: object; msg?: string }> } {
  const warnings: Array<{ obj: object; msg?: string }> = [];
  const logger = { ...silentLogger, warnings, warn: (obj: object, msg?: string) => void warnings.push({ obj, msg }), child: () => logger };
  return logger;
}

describe('syslog listeners with a refusing batcher', () => {
  let listeners: SyslogListeners | undefined;
  afterEach(async () => {
    await listeners?.close();
    listeners = undefined;
  });

  it('TCP: a full queue pauses the connection and retries; nothing is dropped', async () => {
    const sink = fakeSink();
    sink.refusing = true;
    listeners = await startSyslogListeners({
      host: '127.0.0.1',
      tcpPort: 0,
      sourceName: 'default',
      findSource: () => Promise.resolve(undefined),
      sink,
      logger: silentLogger,
      maxPartChars: 1 << 20,
      maxBatchMessages: 50,
      flushIntervalMs: 10,
    });
    const socket = connect({ host: '127.0.0.1', port: listeners.ports.tcp! });
    const payload = Array.from({ length: 2_000 }, (_, i) => `<13>Oct 11 22:14:15 h app: line ${i}\n`).join('');
    socket.write(payload);
    await waitFor(() => sink.refused >= 3, 'refusals');
    expect(sink.lines).toHaveLength(0);
    sink.refusing = false;
    await waitFor(() => sink.lines.length === 2_000, 'all 2,000 lines after the queue frees up');
    socket.destroy();
    expect(listeners.stats()).toMatchObject({ failedMessages: 0, droppedUdpMessages: 0 });
  });

  it('UDP: datagrams that find the queue full are dropped, counted and logged once per interval with the count', async () => {
    const sink = fakeSink();
    sink.refusing = true;
    const logger = capturingLogger();
    listeners = await startSyslogListeners({
      host: '127.0.0.1',
      udpPort: 0,
      sourceName: 'default',
      findSource: () => Promise.resolve(undefined),
      sink,
      logger,
      maxPartChars: 1 << 20,
      flushIntervalMs: 10,
      dropLogIntervalMs: 200,
    });
    const client = createSocket('udp4');
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve, reject) =>
        client.send(`<13>Oct 11 22:14:15 h app: dgram ${i}`, listeners!.ports.udp, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
    }
    client.close();
    await waitFor(() => listeners!.stats().droppedUdpMessages === 20, '20 dropped');
    const drops = () => logger.warnings.filter((w) => w.msg === 'syslog UDP messages dropped: ingest queue full');
    const logged = () => drops().reduce((n, w) => n + (w.obj as { dropped: number }).dropped, 0);
    await waitFor(() => logged() === 20, 'the drop warnings to account for all 20');
    // Batched into few warnings (one per interval), not one per datagram.
    expect(drops().length).toBeLessThan(5);
  });
});
