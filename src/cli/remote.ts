import { readFileSync } from 'node:fs';
import { trimEndOf } from '../core/text.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError, ErrorCode } from '../core/errors.js';

/** Where and how the CLI talks to a running server. */
export interface RemoteOptions {
  server?: string;
  accessId?: string;
  accessKey?: string;
  profile?: string;
}

export interface Remote {
  baseUrl: string;
  authorization: string;
}

interface ProfileFile {
  [name: string]: { server?: string; accessId?: string; accessKey?: string } | undefined;
}

/**
 * Resolves server and credentials: flags, then QUARRY_SERVER / QUARRY_ACCESS_ID / QUARRY_ACCESS_KEY,
 * then the profile file (~/.config/quarry/profiles.json, `{"default": {server, accessId, accessKey}}`).
 */
/** Adds the server and credential flags every remote command takes (read back by resolveRemote). */
export function withRemoteOptions(command: Command): Command {
  return command
    .option('--server <url>', 'server URL (QUARRY_SERVER, default http://127.0.0.1:7080)')
    .option('--access-id <id>', 'access id (QUARRY_ACCESS_ID)')
    .option('--access-key <key>', 'access key (QUARRY_ACCESS_KEY)')
    .option('--profile <name>', 'profile in ~/.config/quarry/profiles.json');
}

export function resolveRemote(options: RemoteOptions, env: Record<string, string | undefined>): Remote {
  let profile: { server?: string; accessId?: string; accessKey?: string } = {};
  const file = env.QUARRY_PROFILES ?? join(homedir(), '.config', 'quarry', 'profiles.json');
  try {
    const profiles = JSON.parse(readFileSync(file, 'utf8')) as ProfileFile;
    profile = profiles[options.profile ?? env.QUARRY_PROFILE ?? 'default'] ?? {};
  } catch {
    if (options.profile) throw new AppError(ErrorCode.BadRequest, `profile "${options.profile}" not found in ${file}`);
  }
  const server = trimEndOf(options.server ?? env.QUARRY_SERVER ?? profile.server ?? 'http://127.0.0.1:7080', '/');
  const accessId = options.accessId ?? env.QUARRY_ACCESS_ID ?? profile.accessId;
  const accessKey = options.accessKey ?? env.QUARRY_ACCESS_KEY ?? profile.accessKey;
  if (!accessId || !accessKey) {
    throw new AppError(
      ErrorCode.Unauthorized,
      'no credentials: pass --access-id and --access-key, set QUARRY_ACCESS_ID and QUARRY_ACCESS_KEY, or add them to a profile',
    );
  }
  return { baseUrl: server, authorization: `Basic ${Buffer.from(`${accessId}:${accessKey}`).toString('base64')}` };
}

/** Calls the server's API; a non-2xx answer becomes an AppError carrying the server's message. */
export async function callApi<T>(remote: Remote, path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${remote.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: remote.authorization, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    throw new AppError(ErrorCode.Unavailable, `cannot reach ${remote.baseUrl}: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const message = (body as { message?: string } | undefined)?.message ?? `HTTP ${response.status}`;
    const code = response.status === 401 ? ErrorCode.Unauthorized : response.status >= 500 ? ErrorCode.Unavailable : ErrorCode.BadRequest;
    throw new AppError(code, message, { details: { status: response.status, body } });
  }
  return body as T;
}
