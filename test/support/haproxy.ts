/**
 * A throwaway HAProxy (Debian's, 2.6; scripts/test.sh installs it) in front of Quarry nodes, as an
 * operator puts one there: intake paths go to the receivers, everything else to the query nodes,
 * each server checked on /readyz so a dead one leaves the rotation within a second. Errors HAProxy
 * makes itself (no server up, a server that died mid-request, a timeout) are answered 503 with
 * Retry-After, so a sender sees an answer it knows to retry and never a bare 502.
 *
 * The configuration is what docs/scale-out.md documents; `haproxyConfig` renders it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export const HAPROXY_BIN = '/usr/sbin/haproxy';

export interface Backend {
  /** `host:port` of each Quarry node. */
  servers: readonly string[];
}

export interface HaproxyLayout {
  /** Where HAProxy listens. */
  bind: string;
  /** Nodes that run the receiver assembly. */
  receivers: Backend;
  /** Nodes that run the query (and ui) assemblies. */
  queries: Backend;
  /** Directory of the 503 answer file. */
  dir: string;
}

/** The answer HAProxy sends for the errors it makes itself (a raw HTTP response). */
export const RETRYABLE_ANSWER =
  'HTTP/1.1 503 Service Unavailable\r\n' +
  'Content-Type: application/json\r\n' +
  'Retry-After: 1\r\n' +
  'Cache-Control: no-cache\r\n' +
  'Connection: close\r\n' +
  '\r\n' +
  '{"code":"unavailable","message":"no Quarry node could take the request; retry"}\n';

/** A backend of Quarry nodes, each checked on /readyz (out after 2 failed checks, in after 2 good ones). */
function backend(name: string, server: string, nodes: Backend): string {
  return `backend ${name}
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 400ms fall 2 rise 2
${nodes.servers.map((s, i) => `  server ${server}${i + 1} ${s} check`).join('\n')}
`;
}

/** The HAProxy configuration for a layout (see the file header). */
export function haproxyConfig(layout: HaproxyLayout): string {
  const answer = join(layout.dir, 'retry.http');
  return `global
  maxconn 4096
  # A request body up to this size is held whole before a server is chosen (http-buffer-request).
  tune.bufsize 131072
  log stderr format short local0 info
  stats socket ${join(layout.dir, 'admin.sock')} mode 600 level admin

defaults
  mode http
  log global
  option httplog
  # Only requests that went wrong are logged (a server that died, a timeout, an error answer).
  option dontlog-normal
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  timeout http-request 30s
  # A connection that could not be made is retried, on another server after the first failure:
  # the request never reached Quarry, so nothing is stored twice. Nothing else is retried here.
  retries 3
  option redispatch 1
  # One request per client connection. On a kept-alive client connection HAProxy answers a server
  # that died mid-request by closing the connection without a word (so that a browser retries),
  # which a log shipper sees as a network error; on a fresh one it answers 503 (measured with 2.6
  # in test/server/deployment.test.ts).
  option httpclose
  # The body arrives whole before a receiver is picked, so a receiver that dies is one that had the
  # whole request: HAProxy answers 503 then (a body larger than tune.bufsize still streams, and a
  # receiver dying in the middle of one closes the sender's connection instead).
  option http-buffer-request
  errorfile 502 ${answer}
  errorfile 503 ${answer}
  errorfile 504 ${answer}

frontend quarry
  bind ${layout.bind}
  # Intake: Quarry's HTTP sources, OTLP, Loki, Splunk HEC, Elasticsearch bulk and its probes.
  acl intake path_beg /receiver/ /v1/logs /loki/api/ /services/collector
  acl intake path_beg /_
  acl intake path_reg ^/[^/]+/_(bulk|doc|create)(/|$)
  use_backend receivers if intake
  default_backend queries

${backend('receivers', 'receiver', layout.receivers)}
${backend('queries', 'query', layout.queries)}`;
}

export interface TestHaproxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly configPath: string;
  /** What HAProxy printed (its log goes to stderr). */
  output(): string;
  /** Requests in flight per server (`receivers/receiver1` → n), from the stats socket. */
  sessions(): Promise<Map<string, number>>;
  /** Stops HAProxy and deletes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Starts HAProxy for the layout on a free loopback port; resolves once it accepts connections. */
export async function startHaproxy(options: {
  receivers: readonly string[];
  queries: readonly string[];
  port?: number;
}): Promise<TestHaproxy> {
  if (!existsSync(HAPROXY_BIN))
    throw new Error(
      `HAProxy is not installed (no ${HAPROXY_BIN}): apt-get install haproxy, or run scripts/test.sh`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'quarry-haproxy-'));
  const port = options.port ?? (await freePort());
  writeFileSync(join(dir, 'retry.http'), RETRYABLE_ANSWER);
  const configPath = join(dir, 'haproxy.cfg');
  writeFileSync(
    configPath,
    haproxyConfig({
      bind: `127.0.0.1:${port}`,
      receivers: { servers: options.receivers },
      queries: { servers: options.queries },
      dir,
    }),
  );
  const check = spawnSync(HAPROXY_BIN, ['-c', '-q', '-f', configPath], { encoding: 'utf8' });
  if (check.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`haproxy rejected its configuration:\n${check.stdout}${check.stderr}`);
  }
  // -db: stay in the foreground; --pdeathsig: gone with this process even if stop() is never called.
  const child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', HAPROXY_BIN, '-db', '-f', configPath], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = (() => {
    let stopping: Promise<void> | undefined;
    return () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      })());
  })();
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (hasExited) {
      await stop();
      throw new Error(`haproxy exited during start-up:\n${output}`);
    }
    try {
      // A TCP connection is enough: whether a node answers is the health checks' business.
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve()));
        socket.on('error', reject);
      });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`haproxy did not accept connections on ${url} within 10 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const sessions = async (): Promise<Map<string, number>> => {
    const csv = await new Promise<string>((resolve, reject) => {
      const socket = connect(join(dir, 'admin.sock'));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.end('show stat\n');
    });
    const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
    const columns = header!.split(',');
    const at = (name: string) => columns.indexOf(name);
    const out = new Map<string, number>();
    for (const row of rows) {
      const cells = row.split(',');
      const name = cells[at('svname')]!;
      if (name !== 'FRONTEND' && name !== 'BACKEND')
        out.set(`${cells[at('pxname')]}/${name}`, Number(cells[at('scur')]));
    }
    return out;
  };
  return { url, port, configPath, output: () => output, sessions, stop };
}
