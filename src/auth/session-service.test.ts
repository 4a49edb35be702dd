import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetaStore } from '../meta/meta-store.js';
import { openSqliteMetaStore } from '../meta/sqlite/sqlite-meta-store.js';
import { Authenticator } from './authenticate.js';
import { hashPassword, hashSecret } from './secrets.js';
import { csrfTokenFor, SessionService } from './session-service.js';

const MINUTE = 60_000;

describe('SessionService', () => {
  let meta: MetaStore;
  let now: number;
  let sessions: SessionService;

  beforeEach(async () => {
    meta = openSqliteMetaStore(':memory:');
    await meta.migrate();
    await meta.users.create({ id: 'u1', username: 'ada', passwordHash: await hashPassword('correct horse'), createdAt: 0 });
    now = 1_000_000;
    const authenticator = new Authenticator(meta, { limits: { maxFailures: 2, windowMs: 10 * MINUTE }, now: () => now });
    sessions = new SessionService(meta, authenticator, { idleTimeoutMs: 30 * MINUTE, absoluteTimeoutMs: 120 * MINUTE, now: () => now });
  });
  afterEach(async () => {
    await meta.close();
  });

  it('stores only the hash of the token and derives the CSRF token from it', async () => {
    const signed = await sessions.signIn('ada', 'correct horse', '10.0.0.1');
    expect(signed.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await meta.sessions.findById(signed.token)).toBeUndefined();
    expect(await meta.sessions.findById(hashSecret(signed.token))).toMatchObject({ userId: 'u1', expiresAt: now + 120 * MINUTE });
    expect(signed.csrfToken).toBe(csrfTokenFor(signed.token));
    expect(signed.csrfToken).not.toBe(signed.token);
  });

  it('keeps a used session alive until the absolute limit, and ends an idle one', async () => {
    const busy = await sessions.signIn('ada', 'correct horse', '10.0.0.1');
    const idle = await sessions.signIn('ada', 'correct horse', '10.0.0.1');
    for (let t = 0; t < 4; t++) {
      now += 25 * MINUTE;
      expect(await sessions.resolve(busy.token)).toBeDefined();
    }
    expect(await sessions.resolve(idle.token)).toBeUndefined();
    now += 21 * MINUTE; // 121 minutes after sign-in
    expect(await sessions.resolve(busy.token)).toBeUndefined();
    expect(await meta.sessions.findById(hashSecret(busy.token))).toBeUndefined();
  });

  it('limits failed sign-ins per username and address, and forgets them after the window', async () => {
    for (let i = 0; i < 2; i++) await expect(sessions.signIn('ada', 'wrong', '10.0.0.1')).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(sessions.signIn('ada', 'correct horse', '10.0.0.1')).rejects.toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: 600 });
    // Another address, or another username from the same address, is not limited.
    await expect(sessions.signIn('ada', 'correct horse', '10.0.0.2')).resolves.toBeDefined();
    await expect(sessions.signIn('nobody', 'x', '10.0.0.1')).rejects.toMatchObject({ code: 'unauthorized' });
    now += 10 * MINUTE;
    await expect(sessions.signIn('ADA', 'correct horse', '10.0.0.1')).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(sessions.signIn('ada', 'correct horse', '10.0.0.1')).resolves.toBeDefined();
  });

  it('changes the password only with the current one, ending the other sessions', async () => {
    const mine = await sessions.signIn('ada', 'correct horse', '10.0.0.1');
    const other = await sessions.signIn('ada', 'correct horse', '10.0.0.1');
    await expect(sessions.changePassword({ userId: 'u1', currentPassword: 'nope', newPassword: 'battery staple' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await sessions.changePassword({ userId: 'u1', currentPassword: 'correct horse', newPassword: 'battery staple', keepSessionId: mine.record.id });
    expect(await sessions.resolve(mine.token)).toBeDefined();
    expect(await sessions.resolve(other.token)).toBeUndefined();
    await expect(sessions.signIn('ada', 'battery staple', '10.0.0.3')).resolves.toBeDefined();
  });
});
