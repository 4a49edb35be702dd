import type { Command } from 'commander';
import { loadConfig, type ConfigOverrides } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { AppError, ErrorCode } from '../../core/errors.js';
import { trimEndOf } from '../../core/text.js';
import type { MetaStore } from '../../meta/meta-store.js';
import { assertOfflineDataDir, metaFileOf } from '../data-dir.js';
import { writeOut } from '../output.js';

interface DataFlags {
  data?: string;
}

interface ResetPasswordFlags extends DataFlags {
  user: string;
  passwordStdin?: boolean;
}

interface RotateTokenFlags extends DataFlags {
  source: string;
}

/** A password piped in is at most this long (the limit of every password is smaller). */
const STDIN_MAX_BYTES = 64 * 1024;

/** The data directory the way `quarry serve` finds it: --data, then QUARRY_DATA, then ./quarry-data. */
function configOf(flags: DataFlags): Config {
  const overrides: ConfigOverrides = flags.data !== undefined ? { dataDir: flags.data } : {};
  const config = loadConfig(process.env, overrides);
  if (config.meta !== undefined) {
    // Resetting the SQLite file would change nothing the servers read.
    throw new AppError(
      ErrorCode.BadRequest,
      'QUARRY_META puts the metadata in PostgreSQL, and quarry admin works on the SQLite metadata of a data directory: an administrator can use the API instead (POST /api/v1/users/{name}/password, POST /api/v1/sources/{id}/token)',
    );
  }
  return config;
}

/** Opens the meta store of a stopped server's data directory, runs `work`, closes it. */
async function withOfflineMeta<T>(config: Config, apiHint: string, work: (meta: MetaStore) => Promise<T>): Promise<T> {
  assertOfflineDataDir(config.dataDir, { apiHint });
  // Imported here so other commands don't load the SQLite driver.
  const { openSqliteMetaStore } = await import('../../meta/sqlite/sqlite-meta-store.js');
  const meta = openSqliteMetaStore(metaFileOf(config.dataDir));
  try {
    // The same migrations `quarry serve` applies on start, so the queries below match the schema.
    await meta.migrate();
    return await work(meta);
  } finally {
    await meta.close();
  }
}

/** Reads a password piped to stdin: one trailing newline is dropped (what `echo` adds). */
export async function readPasswordFromStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) {
    throw new AppError(
      ErrorCode.BadRequest,
      `--password-stdin reads a piped password and stdin is a terminal: pipe it in (printf '%s' "$PASSWORD" | quarry admin reset-password --password-stdin), or leave the flag out to have one generated`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > STDIN_MAX_BYTES) throw new AppError(ErrorCode.BadRequest, 'the password on stdin is too long');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const password = text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
  if (password.length === 0) throw new AppError(ErrorCode.BadRequest, '--password-stdin: stdin held no password');
  return password;
}

function ingestBaseUrl(config: Config): string {
  if (config.publicUrl) return trimEndOf(config.publicUrl, '/');
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${config.port}`;
}

const names = (items: readonly { name: string }[]): string => (items.length === 0 ? 'none' : items.map((i) => `"${i.name}"`).join(', '));

async function resetPasswordCommand(flags: ResetPasswordFlags): Promise<void> {
  const config = configOf(flags);
  const apiHint = `an administrator can call POST /api/v1/users/${encodeURIComponent(flags.user)}/password`;
  // Checked before reading stdin, so a refused run does not swallow the piped password silently.
  assertOfflineDataDir(config.dataDir, { apiHint });
  const { generatePassword, passwordProblem, resetPassword } = await import('../../auth/password-reset.js');
  const chosen = flags.passwordStdin ? await readPasswordFromStdin() : undefined;
  const problem = chosen === undefined ? undefined : passwordProblem(chosen);
  if (problem) throw new AppError(ErrorCode.BadRequest, `the password on stdin ${problem}`);
  const password = chosen ?? generatePassword();
  const reset = await withOfflineMeta(config, apiHint, async (meta) => {
    const users = await meta.users.list();
    if (!users.some((u) => u.username === flags.user)) {
      throw new AppError(ErrorCode.NotFound, `no user named "${flags.user}" in ${config.dataDir}; users: ${names(users.map((u) => ({ name: u.username })))} (pick one with --user NAME)`);
    }
    return resetPassword(meta, { username: flags.user, newPassword: password });
  });
  const ended = `${reset.sessionsEnded} browser session${reset.sessionsEnded === 1 ? '' : 's'} of "${reset.user.username}" ended; access keys are unchanged.`;
  if (chosen === undefined) {
    // The password alone on stdout (so it can be captured), what it is on stderr.
    process.stderr.write(`New password of "${reset.user.username}" (shown once):\n`);
    await writeOut(process.stdout, `${password}\n`);
  } else {
    process.stderr.write(`Password of "${reset.user.username}" set from stdin.\n`);
  }
  process.stderr.write(`${ended} Start the server again: quarry serve --data ${config.dataDir}\n`);
}

async function rotateTokenCommand(flags: RotateTokenFlags): Promise<void> {
  const config = configOf(flags);
  const apiHint = 'an administrator can call POST /api/v1/sources/{id}/token';
  const { SourceService } = await import('../../ingest/source-service.js');
  const rotated = await withOfflineMeta(config, apiHint, async (meta) => {
    const source = (await meta.sources.findByName(flags.source)) ?? (await meta.sources.findById(flags.source));
    if (!source) {
      const sources = await meta.sources.list();
      throw new AppError(ErrorCode.NotFound, `no source named "${flags.source}" in ${config.dataDir}; sources: ${names(sources)}`);
    }
    return new SourceService(meta).rotateToken(source.id);
  });
  process.stderr.write(`New ingest token of source "${rotated.source.name}" (shown once; the old one no longer works):\n`);
  await writeOut(process.stdout, `${rotated.token}\n`);
  process.stderr.write(`Ingest URL: ${ingestBaseUrl(config)}/receiver/v1/http/${rotated.token}\nStart the server again: quarry serve --data ${config.dataDir}\n`);
}

/** `quarry admin …`: recovery on a stopped server's data directory (a lost password or token). */
export function registerAdminCommand(program: Command): void {
  const admin = program
    .command('admin')
    .description("recovery on a stopped server's data directory: reset a password, replace an ingest token");
  admin
    .command('reset-password')
    .description("set a user's new password (generated and printed once, or read from stdin) and end their browser sessions; the server must be stopped")
    .option('--data <dir>', 'data directory (QUARRY_DATA, default ./quarry-data)')
    .option('--user <name>', 'whose password', 'admin')
    .option('--password-stdin', 'read the new password from stdin (piped; one trailing newline is dropped) instead of generating one')
    .action((flags: ResetPasswordFlags) => resetPasswordCommand(flags));
  admin
    .command('rotate-token')
    .description("replace a source's ingest token (the old one stops working; the new one is printed once); the server must be stopped")
    .requiredOption('--source <name>', 'the source, by name (or id)')
    .option('--data <dir>', 'data directory (QUARRY_DATA, default ./quarry-data)')
    .action((flags: RotateTokenFlags) => rotateTokenCommand(flags));
}
