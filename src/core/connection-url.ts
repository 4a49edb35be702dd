/**
 * Database connection URLs as Quarry shows them: never with their password (config validates them,
 * the adapter connects with them, the composition roots print them). Masking works on the text, so
 * it also covers URLs the URL parser refuses.
 */

const MASK = '***';
/** `scheme://user:` then the password, up to the last `@` (over-masking is the safe side). */
const USERINFO_PASSWORD = /^([a-z][\w+.-]*:\/\/[^:/@]*):(.*)@/i;
const QUERY_PASSWORD = /([?&]password=)([^&#]*)/gi;

/**
 * Whether `url` is a `postgres://` (or `postgresql://`) URL the driver can read, including the
 * unix-socket form without a host (`postgres://user@/db?host=/run/postgresql`).
 */
export function isPostgresUrl(url: string): boolean {
  for (const candidate of [url, url.replace('@/', '@localhost/')]) {
    try {
      const { protocol } = new URL(candidate);
      return protocol === 'postgres:' || protocol === 'postgresql:';
    } catch {
      // try the next form
    }
  }
  return false;
}

/** The URL with its password (user info or `?password=`) replaced by `***`, for messages and logs. */
export function maskConnectionUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, `$1:${MASK}@`).replace(QUERY_PASSWORD, `$1${MASK}`);
}

/** The passwords a URL carries, as written and decoded, so messages can be scrubbed of them. */
export function passwordsOf(url: string): string[] {
  const written = [
    USERINFO_PASSWORD.exec(url)?.[2] ?? '',
    ...[...url.matchAll(QUERY_PASSWORD)].map((m) => m[2] ?? ''),
  ];
  const found = written.flatMap((p) => [p, safeDecode(p)]).filter((p) => p !== '');
  return [...new Set(found)];
}

/** `text` with every occurrence of each secret replaced by `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
