import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetaStore } from '../meta/meta-store.js';
import { openSqliteMetaStore } from '../meta/sqlite/sqlite-meta-store.js';
import { Authenticator } from './authenticate.js';
import { hashPassword } from './secrets.js';

const MINUTE = 60_000;
const ada = { user: 'ada', secret: 'correct horse' };

describe('Authenticator cache', () => {
  let meta: MetaStore;
  let now: number;
  let auth: Authenticator;
  let checks: number;

  beforeEach(async () => {
    meta = openSqliteMetaStore(':memory:');
    await meta.migrate();
    await meta.users.create({ id: 'u1', username: 'ada', passwordHash: await hashPassword('correct horse'), createdAt: 0 });
    now = 1_000_000;
    auth = new Authenticator(meta, () => now);
    checks = 0;
    const find = meta.users.findByUsername.bind(meta.users);
    meta.users.findByUsername = (name: string) => (checks++, find(name));
  });
  afterEach(async () => {
    await meta.close();
  });

  it('answers from the cache, re-checks a stale answer in the background, and drops it when the check fails', async () => {
    expect(await auth.authenticate(ada)).toMatchObject({ userId: 'u1' });
    expect(checks).toBe(1);
    now += 30_000;
    expect(await auth.authenticate(ada)).toMatchObject({ userId: 'u1' });
    expect(checks).toBe(1);
    // The password changes elsewhere (not through this process, so nothing invalidates the cache).
    await meta.users.updatePassword('u1', await hashPassword('new one'));
    now += MINUTE;
    // Past the TTL: answered at once from the cache, re-checked in the background once.
    expect(await auth.authenticate(ada)).toMatchObject({ userId: 'u1' });
    expect(await auth.authenticate(ada)).toMatchObject({ userId: 'u1' });
    await auth.idle();
    expect(checks).toBe(2);
    // The failed re-check dropped the entry: the old password is refused from now on.
    expect(await auth.authenticate(ada)).toBeUndefined();
    expect(await auth.authenticate({ user: 'ada', secret: 'new one' })).toMatchObject({ userId: 'u1' });
  });

  it('checks again before answering once an answer is ten minutes old', async () => {
    await auth.authenticate(ada);
    await meta.users.updatePassword('u1', await hashPassword('new one'));
    now += 10 * MINUTE;
    expect(await auth.authenticate(ada)).toBeUndefined();
  });

  it('does not let a check that began before invalidate() refill the cache', async () => {
    await auth.authenticate(ada);
    now += 2 * MINUTE;
    await auth.authenticate(ada); // starts a background re-check (it will succeed)
    auth.invalidate();
    await auth.idle();
    const before = checks;
    await auth.authenticate(ada);
    expect(checks).toBe(before + 1);
  });
});
