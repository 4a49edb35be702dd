/**
 * A throwaway PostgreSQL cluster for one test file: initdb into a temporary directory, a postmaster
 * on a free port with its unix socket in that directory, fsync off. Debian's server binaries
 * (/usr/lib/postgresql/N/bin; scripts/test.sh installs them) are used as they are.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

export interface TestPostgres {
  /** `postgres://quarry:PASSWORD@127.0.0.1:PORT/quarry` (password authentication over TCP). */
  readonly url: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The directory holding the cluster's unix socket (local connections are trusted). */
  readonly socketDir: string;
  /** Milliseconds initdb and the start-up took. */
  readonly startMs: number;
  /** Creates another empty database and returns its TCP URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the postmaster (fast shutdown) and deletes the cluster's directory. Idempotent. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const USER = 'quarry';

/** The newest Debian server binaries, or undefined when none are installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** uid/gid of a system user, from getent (undefined when there is none). */
function systemUser(name: string): { uid: number; gid: number } | undefined {
  const out = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  const fields = out.status === 0 ? out.stdout.trim().split(':') : [];
  return fields.length >= 4 ? { uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
}

/**
 * The command prefix that runs PostgreSQL's programs: initdb and postgres refuse root, so as root
 * they run as the `postgres` system user. `--pdeathsig` makes the kernel stop the postmaster
 * (SIGQUIT: immediate shutdown; its backends follow it) if this process dies without calling stop().
 */
function runner(): { prefix: string[]; owner?: { uid: number; gid: number } } {
  const deathSignal = ['--pdeathsig', 'SIGQUIT'];
  if (process.getuid?.() !== 0) return { prefix: ['setpriv', ...deathSignal] };
  const owner = systemUser('postgres');
  if (!owner) {
    throw new Error(
      'tests run as root and there is no `postgres` system user to run PostgreSQL as (apt-get install postgresql creates it)',
    );
  }
  return {
    prefix: ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', ...deathSignal],
    owner,
  };
}

/** Starts a fresh cluster with one database, `quarry`, owned by the superuser `quarry`. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const started = Date.now();
  const bin = postgresBinDir();
  if (!bin)
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql, or run scripts/test.sh',
    );
  const { prefix, owner } = runner();
  const dir = mkdtempSync(join(tmpdir(), 'quarry-pg-'));
  const data = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  mkdirSync(data, { mode: 0o700 });
  if (owner) for (const path of [dir, pwfile, data]) chownSync(path, owner.uid, owner.gid);
  chmodSync(dir, 0o700);

  const [command = 'setpriv', ...args] = prefix;
  const init = spawnSync(
    command,
    [
      ...args,
      join(bin, 'initdb'),
      ...['-D', data, '-U', USER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256'],
      ...['-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    ],
    { encoding: 'utf8', timeout: START_TIMEOUT_MS },
  );
  rmSync(pwfile, { force: true });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `initdb failed (${init.status ?? init.signal ?? init.error?.message}):\n${init.stdout}${init.stderr}`,
    );
  }

  const port = await freePort();
  const child = spawn(
    command,
    [
      ...args,
      join(bin, 'postgres'),
      ...['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
      // A throwaway cluster: durability off, small memory, quick to start and stop.
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'shared_buffers=16MB', '-c', 'max_connections=60', '-c', 'logging_collector=off'],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test process that ends without stop() still takes its postmaster along.
  const killOnExit = (): void => void child.kill('SIGQUIT');
  process.once('exit', killOnExit);

  const removeAll = (): void => {
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(child, () => log, exited);
  } catch (error) {
    child.kill('SIGQUIT');
    await exited;
    removeAll();
    throw error;
  }

  const url = (database: string): string => `postgres://${USER}:${password}@127.0.0.1:${port}/${database}`;
  const createDatabase = async (name: string): Promise<string> => {
    const client = new pg.Client({ connectionString: url('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
    return url(name);
  };
  await createDatabase('quarry');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT'); // fast shutdown: ends sessions, no checkpoint wait worth having
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      removeAll();
    })();
    return stopping;
  };
  return {
    url: url('quarry'),
    port,
    user: USER,
    password,
    socketDir: dir,
    startMs: Date.now() - started,
    createDatabase,
    stop,
  };
}

/** Resolves once the postmaster says it accepts connections; a clear error if it dies or takes too long. */
async function waitUntilReady(child: ChildProcess, log: () => string, exited: Promise<void>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  for (;;) {
    if (log().includes('database system is ready to accept connections')) return;
    if (hasExited)
      throw new Error(`postgres exited during start-up (${child.exitCode ?? child.signalCode}):\n${log()}`);
    if (Date.now() > deadline)
      throw new Error(`postgres did not accept connections within ${START_TIMEOUT_MS} ms:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
