import { describe, expect, it } from 'vitest';
import { parseBasicAuth } from './authenticate.js';
import { hashPassword, hashSecret, digestsEqual, randomToken, verifyPassword } from './secrets.js';

describe('secrets', () => {
  it('hashes and verifies passwords with scrypt', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('wrong horse', hash)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(hash);
  });

  it('makes random tokens and compares digests', () => {
    const token = randomToken(40);
    expect(token).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(randomToken(40)).not.toBe(token);
    expect(digestsEqual(hashSecret(token), hashSecret(token))).toBe(true);
    expect(digestsEqual(hashSecret(token), hashSecret('other'))).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
  });

  it('parses Basic auth headers', () => {
    const header = `Basic ${Buffer.from('admin:pa:ss').toString('base64')}`;
    expect(parseBasicAuth(header)).toEqual({ user: 'admin', secret: 'pa:ss' });
    expect(parseBasicAuth('Bearer abc')).toBeUndefined();
    expect(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
    expect(parseBasicAuth(undefined)).toBeUndefined();
  });
});
