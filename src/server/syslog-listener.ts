import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { ErrorCode, toAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { encodeRecords } from '../ingest/encode-records.js';
import type { MessageRules } from '../ingest/processing-rules.js';
import { parseSyslog, splitSyslogMessages, SyslogFormat, toSyslogRecord, type SyslogRecord } from '../ingest/protocols/syslog.js';
import { SyslogFrameDecoder } from '../ingest/protocols/syslog-framing.js';
import type { SourceRecord } from '../meta/meta-store.js';
import type { EncodedBatch } from '../store/row-encoding.js';

/** What the listeners need of the batcher: the one ingest path (resolves when durable). */
export interface SyslogSink {
  submit(parts: readonly EncodedBatch[]): Promise<void>;
}

export interface SyslogListenerOptions {
  host: string;
  tcpPort?: number;
  udpPort?: number;
  tls?: { port: number; cert: Buffer; key: Buffer };
  /** Name of the source every listener lands in (`_source`, and its category/host settings). */
  sourceName: string;
  findSource(name: string): Promise<SourceRecord | undefined>;
  /** The source's compiled processing rules (none when absent). */
  rulesOf?(source: SourceRecord): MessageRules | undefined;
  /** Zone of RFC 3164 times without one. */
  timeZone?: string;
  sink: SyslogSink;
  logger: Logger;
  /** Encoded parts are cut at this many characters (the batcher's largest append). */
  maxPartChars: number;
  /** A partial batch waits at most this long before it is submitted. */
  flushIntervalMs?: number;
  maxFrameBytes?: number;
  /** A batch is submitted once it holds this many messages or bytes (keep below the batcher's queue limits). */
  maxBatchMessages?: number;
  maxBatchBytes?: number;
  /** UDP drops are logged at most once per this interval, with the count (default 5 s). */
  dropLogIntervalMs?: number;
}

export interface SyslogStats {
  connections: number;
  messages: number;
  /** Frames longer than the frame limit, stored in pieces. */
  cutFrames: number;
  /** Connections closed for a malformed octet count. */
  malformedStreams: number;
  /** UDP messages dropped because the ingest queue was full. */
  droppedUdpMessages: number;
  /** Messages that could not be stored (store failing at shutdown). */
  failedMessages: number;
}

export interface SyslogListeners {
  /** Bound ports (useful with port 0). */
  ports: { tcp?: number; udp?: number; tls?: number };
  stats(): SyslogStats;
  /** Stops accepting, stores what was received, closes connections. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_FLUSH_MS = 100;
const DEFAULT_MAX_FRAME_BYTES = 65_536;
const DEFAULT_BATCH_MESSAGES = 2_000;
const DEFAULT_BATCH_BYTES = 1024 * 1024;
/** UDP messages buffered while a submit is pending, at most; beyond it datagrams are dropped (and counted). */
const UDP_MAX_BUFFERED = 50_000;
const MAX_CONNECTIONS = 10_000;
const DROP_LOG_INTERVAL_MS = 5_000;
const SOURCE_CACHE_MS = 5_000;
/** At shutdown, a submit the store keeps refusing is given up after this long (and counted). */
const SHUTDOWN_RETRY_MS = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Buffers one stream's records and submits them in order, one submit at a time. While a submit is
 * pending and the buffer is full, `onFull(true)` asks the stream to pause (TCP backpressure).
 */
class RecordQueue {
  private records: SyslogRecord[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly submit: (records: SyslogRecord[]) => Promise<void>,
    private readonly limits: { flushIntervalMs: number; maxMessages: number; maxBytes: number },
    private readonly onFull: (full: boolean) => void,
  ) {}

  private isFull(): boolean {
    return this.records.length >= this.limits.maxMessages || this.bytes >= this.limits.maxBytes;
  }

  get size(): number {
    return this.records.length;
  }

  add(record: SyslogRecord): void {
    this.records.push(record);
    this.bytes += record.message.length;
    if (this.isFull()) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.flushIntervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inflight) {
      if (this.isFull()) this.onFull(true);
      return;
    }
    if (this.records.length === 0) return;
    // One submit takes at most one batch's worth, so it always fits the ingest queue.
    let count = 0;
    let bytes = 0;
    while (count < this.records.length && count < this.limits.maxMessages && (count === 0 || bytes < this.limits.maxBytes)) {
      bytes += this.records[count]!.message.length;
      count++;
    }
    const batch = count === this.records.length ? this.records : this.records.slice(0, count);
    this.records = count === this.records.length ? [] : this.records.slice(count);
    this.bytes -= bytes;
    this.inflight = this.submit(batch).finally(() => {
      this.inflight = undefined;
      this.onFull(false);
      if (this.records.length > 0) this.flush();
    });
  }

  /** Submits everything buffered and waits until it is stored (or given up). */
  async drain(): Promise<void> {
    while (this.inflight || this.records.length > 0) {
      if (!this.inflight) this.flush();
      await this.inflight;
    }
  }
}

/**
 * Syslog listeners (TCP, TLS, UDP) of `quarry serve`: frames → parse → records → the shared ingest
 * path (encodeRecords → batcher), landing in one configured source. TCP and TLS apply backpressure
 * (a connection is paused while its batch waits for a full queue); UDP cannot, so datagrams that find
 * the queue full are dropped, counted and logged once per interval.
 */
export async function startSyslogListeners(options: SyslogListenerOptions): Promise<SyslogListeners> {
  const logger = options.logger;
  const limits = {
    flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_MS,
    maxMessages: Math.max(1, options.maxBatchMessages ?? DEFAULT_BATCH_MESSAGES),
    maxBytes: Math.max(1, options.maxBatchBytes ?? DEFAULT_BATCH_BYTES),
  };
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const counters = { messages: 0, cutFrames: 0, malformedStreams: 0, droppedUdpMessages: 0, failedMessages: 0 };
  const sockets = new Map<Socket, RecordQueue>();
  let stopping = false;

  let cachedSource: { at: number; source: SourceRecord | undefined } | undefined;
  let warnedMissing = false;
  const resolveSource = async (): Promise<SourceRecord | undefined> => {
    const now = Date.now();
    if (cachedSource && now - cachedSource.at < SOURCE_CACHE_MS) return cachedSource.source;
    const source = await options.findSource(options.sourceName);
    if (!source && !warnedMissing) {
      warnedMissing = true;
      logger.warn({ source: options.sourceName }, 'syslog source does not exist: messages carry its name without its settings');
    }
    cachedSource = { at: now, source };
    return source;
  };

  /** Encodes and submits once; rejects like the batcher (overloaded, unavailable …). */
  const store = async (records: SyslogRecord[]): Promise<void> => {
    const source = await resolveSource();
    const receiptTime = Date.now();
    const parts: EncodedBatch[] = [];
    for (const format of [SyslogFormat.Rfc5424, SyslogFormat.Rfc3164]) {
      const group = records.filter((r) => r.format === format);
      if (group.length === 0) continue;
      const encoded = await encodeRecords(group, {
        context: {
          receiptTime,
          partition: 'default',
          sourceCategory: 'syslog',
          sourceHost: '',
          sourceName: 'syslog',
          collector: 'syslog',
          source: source?.name ?? options.sourceName,
          fields: {},
        },
        fixed: source?.category ? { category: source.category } : {},
        timeFormat: format,
        maxPartChars: options.maxPartChars,
        rules: source && options.rulesOf ? options.rulesOf(source) : undefined,
      });
      parts.push(...encoded.parts);
    }
    await options.sink.submit(parts);
    counters.messages += records.length;
  };

  /** TCP/TLS: retry while the queue is full (the connection stays paused meanwhile), never drop. */
  const storeWithRetry = async (records: SyslogRecord[]): Promise<void> => {
    let delay = 20;
    let giveUpAt = Infinity;
    for (;;) {
      try {
        await store(records);
        return;
      } catch (error) {
        const appError = toAppError(error);
        if (appError.code === ErrorCode.PayloadTooLarge && records.length > 1) {
          // Larger than the whole queue once encoded: store it in halves.
          const half = Math.ceil(records.length / 2);
          await storeWithRetry(records.slice(0, half));
          await storeWithRetry(records.slice(half));
          return;
        }
        const retryable = appError.code === ErrorCode.Overloaded || appError.code === ErrorCode.Unavailable;
        if (stopping && giveUpAt === Infinity) giveUpAt = Date.now() + SHUTDOWN_RETRY_MS;
        if (!retryable || Date.now() > giveUpAt) {
          counters.failedMessages += records.length;
          logger.error({ err: appError, messages: records.length }, 'syslog messages could not be stored');
          return;
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 1000);
      }
    }
  };

  const recordOf = (text: string, peer: string, receiptTime: number): SyslogRecord =>
    toSyslogRecord(
      text,
      parseSyslog(text, { referenceTime: receiptTime, ...(options.timeZone ? { defaultTimeZone: options.timeZone } : {}) }),
      peer,
    );

  const handleSocket = (socket: Socket): void => {
    if (stopping) {
      socket.destroy();
      return;
    }
    const peer = socket.remoteAddress ?? '';
    const decoder = new SyslogFrameDecoder(maxFrameBytes);
    let paused = false;
    const queue = new RecordQueue(storeWithRetry, limits, (full) => {
      if (full && !paused) {
        paused = true;
        socket.pause();
      } else if (!full && paused && !stopping) {
        paused = false;
        socket.resume();
      }
    });
    sockets.set(socket, queue);
    let last: SyslogRecord | undefined;
    const take = (result: { frames: { bytes: Buffer; continued: boolean }[]; error?: string }): void => {
      const now = Date.now();
      for (const frame of result.frames) {
        const text = frame.bytes.toString('utf8');
        if (frame.continued && last) {
          last = { ...last, message: text };
        } else {
          if (text.trim() === '') continue;
          last = recordOf(text, peer, now);
        }
        queue.add(last);
      }
      const cut = decoder.cutFrames;
      if (cut > 0) {
        counters.cutFrames += cut;
        decoder.cutFrames = 0;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      const result = decoder.push(chunk);
      take(result);
      if (result.error !== undefined) {
        counters.malformedStreams++;
        logger.warn({ peer, error: result.error }, 'syslog: malformed frame, closing the connection');
        queue.flush();
        socket.destroy();
      }
    });
    socket.on('end', () => {
      const result = decoder.finish();
      take(result);
      if (result.error !== undefined) logger.warn({ peer, error: result.error }, 'syslog: connection ended inside a frame');
      queue.flush();
      socket.end();
    });
    socket.on('error', (error) => logger.debug({ peer, err: error }, 'syslog connection error'));
    socket.on('close', () => {
      // Whatever was read is stored even though the peer is gone.
      void queue.drain().finally(() => sockets.delete(socket));
    });
  };

  const servers: Server[] = [];
  const ports: SyslogListeners['ports'] = {};
  const listen = (server: Server, port: number, what: 'tcp' | 'tls'): Promise<void> =>
    new Promise((resolve, reject) => {
      server.maxConnections = MAX_CONNECTIONS;
      server.once('error', reject);
      server.listen({ host: options.host, port }, () => {
        server.off('error', reject);
        server.on('error', (error) => logger.error({ err: error }, `syslog ${what} listener error`));
        const address = server.address();
        ports[what] = typeof address === 'object' && address ? address.port : port;
        resolve();
      });
    });

  let udp: UdpSocket | undefined;
  let udpQueue: RecordQueue | undefined;
  let droppedSinceLog = 0;
  const noteDropped = (n: number): void => {
    counters.droppedUdpMessages += n;
    if (droppedSinceLog === 0) {
      setTimeout(() => {
        logger.warn({ dropped: droppedSinceLog }, 'syslog UDP messages dropped: ingest queue full');
        droppedSinceLog = 0;
      }, options.dropLogIntervalMs ?? DROP_LOG_INTERVAL_MS).unref();
    }
    droppedSinceLog += n;
  };

  const closeAll = async (): Promise<void> => {
    stopping = true;
    const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    if (udp) {
      const socket = udp;
      await new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve(); // never bound (the port was busy): nothing to close
        }
      });
    }
    for (const socket of sockets.keys()) socket.pause();
    await Promise.all([...sockets.values()].map((queue) => queue.drain()));
    await udpQueue?.drain();
    for (const socket of sockets.keys()) socket.destroy();
    await Promise.all(closed);
  };

  try {
    if (options.tcpPort !== undefined) {
      const server = createTcpServer(handleSocket);
      servers.push(server);
      await listen(server, options.tcpPort, 'tcp');
    }
    if (options.tls) {
      const server = createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handleSocket);
      server.on('tlsClientError', (error) => logger.debug({ err: error }, 'syslog TLS handshake failed'));
      servers.push(server);
      await listen(server, options.tls.port, 'tls');
    }
    if (options.udpPort !== undefined) {
      const queue = new RecordQueue(
        async (records) => {
          try {
            await store(records);
          } catch (error) {
            const appError = toAppError(error);
            if (appError.code === ErrorCode.Overloaded) noteDropped(records.length);
            else {
              counters.failedMessages += records.length;
              logger.error({ err: appError, messages: records.length }, 'syslog UDP messages could not be stored');
            }
          }
        },
        limits,
        () => undefined,
      );
      udpQueue = queue;
      const socket = createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
      udp = socket;
      socket.on('message', (datagram, remote) => {
        if (stopping) return;
        const messages = splitSyslogMessages(datagram.toString('utf8'));
        if (queue.size + messages.length > UDP_MAX_BUFFERED) {
          noteDropped(messages.length);
          return;
        }
        const now = Date.now();
        for (const text of messages) queue.add(recordOf(text, remote.address, now));
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ port: options.udpPort, address: options.host }, () => {
          socket.off('error', reject);
          socket.on('error', (error) => logger.error({ err: error }, 'syslog udp listener error'));
          try {
            socket.setRecvBufferSize(8 * 1024 * 1024); // bursts wait in the kernel, not on the floor
          } catch {
            // The kernel's limit (net.core.rmem_max) applies; the default buffer still works.
          }
          ports.udp = socket.address().port;
          resolve();
        });
      });
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  if (servers.length > 0 || udp) logger.info({ host: options.host, ...ports, source: options.sourceName }, 'syslog listening');

  let closing: Promise<void> | undefined;
  return {
    ports,
    stats: () => ({ connections: sockets.size, ...counters }),
    close: () => (closing ??= closeAll()),
  };
}

export const SyslogProtocol = { Tcp: 'tcp', Udp: 'udp', Tls: 'tls' } as const;
export type SyslogProtocol = (typeof SyslogProtocol)[keyof typeof SyslogProtocol];

/** One listener: a protocol, a port and the source its messages land in. */
export interface SyslogBinding {
  protocol: SyslogProtocol;
  port: number;
  sourceName: string;
}

export interface SyslogBindingsOptions extends Omit<SyslogListenerOptions, 'tcpPort' | 'udpPort' | 'tls' | 'sourceName'> {
  bindings: readonly SyslogBinding[];
  /** Certificate and key of every TLS listener. */
  tlsFiles?: { cert: Buffer; key: Buffer };
}

/** Running listeners, each bound to its source. */
export interface BoundSyslogListeners extends SyslogListeners {
  /** Every listener with its bound port (useful with port 0), in the order configured. */
  bindings: SyslogBinding[];
}

/**
 * Starts one listener per binding (e.g. TCP 5514 → `network`, TCP 5515 → `default`). `ports` names
 * the first listener of each protocol; stats are summed over all. A port that fails to bind closes
 * the listeners already started.
 */
export async function startSyslogBindings(options: SyslogBindingsOptions): Promise<BoundSyslogListeners> {
  const { bindings, tlsFiles, ...common } = options;
  const started: { binding: SyslogBinding; listeners: SyslogListeners }[] = [];
  try {
    for (const binding of bindings) {
      const listeners = await startSyslogListeners({
        ...common,
        sourceName: binding.sourceName,
        ...(binding.protocol === SyslogProtocol.Tcp ? { tcpPort: binding.port } : {}),
        ...(binding.protocol === SyslogProtocol.Udp ? { udpPort: binding.port } : {}),
        ...(binding.protocol === SyslogProtocol.Tls && tlsFiles ? { tls: { port: binding.port, ...tlsFiles } } : {}),
      });
      const port = listeners.ports[binding.protocol];
      started.push({ binding: { ...binding, port: port ?? binding.port }, listeners });
    }
  } catch (error) {
    await Promise.all(started.map(({ listeners }) => listeners.close()));
    throw error;
  }
  const ports: SyslogListeners['ports'] = {};
  for (const { binding } of started) ports[binding.protocol] ??= binding.port;
  return {
    ports,
    bindings: started.map(({ binding }) => binding),
    stats: () => {
      const total: SyslogStats = { connections: 0, messages: 0, cutFrames: 0, malformedStreams: 0, droppedUdpMessages: 0, failedMessages: 0 };
      for (const { listeners } of started) {
        const stats = listeners.stats();
        for (const key of Object.keys(total) as (keyof SyslogStats)[]) total[key] += stats[key];
      }
      return total;
    },
    close: async () => {
      await Promise.all(started.map(({ listeners }) => listeners.close()));
    },
  };
}
