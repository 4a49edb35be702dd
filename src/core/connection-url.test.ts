import { describe, expect, it } from 'vitest';
import { isPostgresUrl, maskConnectionUrl, parseClickHouseUrl, passwordsOf, scrubSecrets } from './connection-url.js';

describe('connection URLs', () => {
  it('accepts postgres URLs, with a host, a socket directory or none', () => {
    for (const url of [
      'postgres://quarry:pw@db.example:5432/quarry',
      'postgresql://quarry@db/quarry?sslmode=require',
      'postgres://quarry:pw@%2Fvar%2Frun%2Fpostgresql:5432/quarry',
      'postgres://quarry@/quarry?host=/var/run/postgresql',
      'postgres:///quarry',
    ]) {
      expect(isPostgresUrl(url), url).toBe(true);
    }
    for (const url of ['mysql://quarry:pw@db/quarry', 'quarry:pw@db', '/var/run/postgresql quarry', '']) {
      expect(isPostgresUrl(url), url).toBe(false);
    }
  });

  it('masks the password of the user info and of the query, and nothing else', () => {
    expect(maskConnectionUrl('postgres://quarry:s3cr%40t@db:5432/quarry')).toBe(
      'postgres://quarry:***@db:5432/quarry',
    );
    expect(maskConnectionUrl('postgres://quarry:p@ss:w/rd@db/q')).toBe('postgres://quarry:***@db/q');
    expect(maskConnectionUrl('postgres://quarry@db/q?sslmode=require&password=pw&x=1')).toBe(
      'postgres://quarry@db/q?sslmode=require&password=***&x=1',
    );
    expect(maskConnectionUrl('postgres://quarry@db:5432/q')).toBe('postgres://quarry@db:5432/q');
    expect(maskConnectionUrl('postgres://db:5432/q')).toBe('postgres://db:5432/q');
  });

  it('finds the passwords as written and decoded, and scrubs them from text', () => {
    const url = 'postgres://quarry:s3cr%40t@db/q?password=other';
    expect(passwordsOf(url).sort()).toEqual(['other', 's3cr%40t', 's3cr@t']);
    expect(passwordsOf('postgres://quarry@db/q')).toEqual([]);
    expect(scrubSecrets('auth s3cr@t failed for s3cr%40t', passwordsOf(url))).toBe('auth *** failed for ***');
  });

  it('reads clickhouse:// URLs: one server, or the shards of a cluster, and says what is wrong', () => {
    expect(parseClickHouseUrl('clickhouse://quarry:p%40ss@ch1.example/logs')).toEqual({
      hosts: [{ url: 'http://ch1.example:8123', user: 'quarry', password: 'p@ss', database: 'logs' }],
    });
    expect(parseClickHouseUrl('clickhouse://u:pw@10.0.0.1:8124,[::1]:9000/db?cluster=main&secure=1')).toEqual({
      hosts: [
        { url: 'https://10.0.0.1:8124', user: 'u', password: 'pw', database: 'db' },
        { url: 'https://[::1]:9000', user: 'u', password: 'pw', database: 'db' },
      ],
      cluster: 'main',
    });
    expect(parseClickHouseUrl('clickhouse://localhost')).toEqual({ hosts: [{ url: 'http://localhost:8123', user: 'default', password: '', database: 'default' }] });
    const refused = (url: string) => {
      try {
        parseClickHouseUrl(url);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refused('clickhouse://u:pw@a:8123,b:8123/db')).toMatch(/add \?cluster=NAME/);
    expect(refused('clickhouse://u:secret@a/db?cluster=x;DROP')).toMatch(/cluster name/);
    expect(refused('clickhouse://u:secret@a/d-b')).toMatch(/database name/);
    expect(refused('clickhouse://u:secret@a:99999/db')).toMatch(/host or host:port/);
    expect(refused('clickhouse://u:secret@a/db?timeout=1')).toMatch(/unknown clickhouse:\/\/ URL parameter "timeout"/);
    expect(refused('http://a:8123')).toMatch(/must be a clickhouse:/);
    for (const url of ['clickhouse://u:secret@a/d-b', 'clickhouse://u:secret@a:99999/db']) expect(refused(url)).not.toContain('secret');
  });
});
