import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AppError, ErrorCode } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { createKyselyMetaStore } from '../kysely-meta-store.js';
import type { MetaStore } from '../meta-store.js';
import type { MetaDatabase } from '../schema.js';
import { isPostgresUrl, maskConnectionUrl, passwordsOf, scrubSecrets } from '../../core/connection-url.js';

export interface PostgresMetaStoreOptions {
  /**
   * `postgres://user:password@host:port/database`; the host may be a unix socket directory
   * (`%2Fvar%2Frun%2Fpostgresql` or `?host=/var/run/postgresql`). Without a password in it the
   * driver reads PGPASSWORD or ~/.pgpass.
   */
  url: string;
  /** Connections the pool holds at most (default 10). */
  maxConnections?: number;
  logger?: Logger;
}

const INT8_OID = 20;

/**
 * The driver hands int8 (bigint, and every count) back as a string; every int8 column here holds
 * epoch milliseconds or a counter, so it is read as a number, and a value a double cannot hold
 * exactly is refused rather than silently rounded.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new AppError(
      ErrorCode.Internal,
      `the metadata database holds ${text}, beyond the integers Quarry can read exactly (2^53)`,
    );
  }
  return value;
}

/**
 * Opens a pool to the metadata database and checks that it answers. Errors name the database by
 * its URL with the password masked; they never carry the password.
 */
export async function openPostgresMetaStore(options: PostgresMetaStoreOptions): Promise<MetaStore> {
  const { url } = options;
  const logger = options.logger ?? silentLogger;
  const where = maskConnectionUrl(url);
  const secrets = passwordsOf(url);
  if (!isPostgresUrl(url)) {
    throw new AppError(
      ErrorCode.InvalidConfig,
      `the metadata URL ${where} is not a postgres://user:password@host:port/database URL`,
    );
  }
  // Parsers on this pool only: other users of the driver in the process keep its defaults.
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, parseInt8);
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max: options.maxConnections ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: 'quarry',
  });
  // An idle connection that breaks (the server restarted) is replaced on the next query; without
  // a listener the pool's error event would end the process.
  pool.on('error', (error) => {
    logger.warn(
      { error: scrubSecrets(error.message, secrets), database: where },
      'an idle metadata database connection failed',
    );
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    const reason = scrubSecrets(reasonOf(error), secrets);
    throw new AppError(ErrorCode.Unavailable, `cannot connect to the metadata database ${where}: ${reason}`, {
      cause: Object.assign(new Error(reason), codeOf(error)),
    });
  }
  const db = new Kysely<MetaDatabase>({ dialect: new PostgresDialect({ pool }) });
  // db.destroy() ends the pool.
  return createKyselyMetaStore(db, () => Promise.resolve());
}

/** Why a connection failed; a host with several addresses fails with one error per address. */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0)
    return error.errors.map(reasonOf).join('; ');
  if (error instanceof Error) return error.message || (codeOf(error).code ?? error.name);
  return String(error);
}

/** The driver's error code (ECONNREFUSED, 28P01 …), the one field of its error the cause keeps. */
function codeOf(error: unknown): { code?: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? { code } : {};
}
