import { AppError, ErrorCode } from '../core/errors.js';
import type { MetaStore, UserRecord } from '../meta/meta-store.js';
import { hashPassword, randomToken } from './secrets.js';

/** Length limits of every password Quarry sets (sign-in accepts what was set). */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;

/** A generated password: 24 characters over [A-Za-z0-9], about 143 random bits. */
export function generatePassword(): string {
  return randomToken(24);
}

/** The problem with a password someone chose, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}

export interface PasswordReset {
  user: UserRecord;
  /** Browser sessions of the user that were ended. */
  sessionsEnded: number;
}

/**
 * Sets a user's password without the current one (an administrator's reset, or the offline
 * recovery command) and ends the user's browser sessions, except `keepSessionId` (the session
 * making the change, when a user resets their own). Access keys are separate credentials and stay.
 * A process that caches verified passwords (the server's Authenticator) must forget them after.
 */
export async function resetPassword(meta: MetaStore, options: { username: string; newPassword: string; keepSessionId?: string }): Promise<PasswordReset> {
  const problem = passwordProblem(options.newPassword);
  if (problem) throw new AppError(ErrorCode.BadRequest, `invalid password: ${problem}`);
  const user = await meta.users.findByUsername(options.username);
  if (!user) throw new AppError(ErrorCode.NotFound, `no user named "${options.username}"`);
  await meta.users.updatePassword(user.id, await hashPassword(options.newPassword));
  const sessionsEnded = await meta.sessions.deleteForUser(user.id, options.keepSessionId);
  return { user, sessionsEnded };
}
