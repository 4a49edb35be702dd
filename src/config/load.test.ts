import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

describe('loadConfig', () => {
  it('uses defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(7080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe('./quarry-data');
  });

  it('reads the environment and lets flags win', () => {
    const config = loadConfig({ QUARRY_PORT: '9000', QUARRY_HOST: '0.0.0.0' }, { port: 9100 });
    expect(config.port).toBe(9100);
    expect(config.host).toBe('0.0.0.0');
  });

  it('names the key and the variable of a bad value', () => {
    expect(() => loadConfig({ QUARRY_PORT: 'seventy' })).toThrow(/port \(from QUARRY_PORT\)/);
    expect(() => loadConfig({}, { port: 70000 })).toThrow(/port/);
    expect(() => loadConfig({ QUARRY_FSYNC: 'maybe' })).toThrow(/QUARRY_FSYNC must be true or false/);
    expect(() => loadConfig({ QUARRY_ADMIN_PASSWORD: 'short' })).toThrow(/adminPassword/);
  });

  it('reads a PostgreSQL metadata URL and refuses anything else without repeating it', () => {
    expect(loadConfig({}).meta).toBeUndefined();
    const url = 'postgres://quarry:s3cret@db:5432/quarry';
    expect(loadConfig({ QUARRY_META: url }).meta).toBe(url);
    expect(loadConfig({ QUARRY_META: url }, { meta: 'postgresql://other@/q?host=/run/pg' }).meta).toBe('postgresql://other@/q?host=/run/pg');
    for (const bad of ['mysql://quarry:s3cret@db/quarry', 'quarry:s3cret@db']) {
      expect(() => loadConfig({ QUARRY_META: bad })).toThrow(/meta \(from QUARRY_META\): must be a postgres:\/\//);
      expect(() => loadConfig({ QUARRY_META: bad })).not.toThrow(/s3cret/);
    }
  });

  it('reads the full-text index kind and refuses others', () => {
    expect(loadConfig({}).textIndex).toBe('text');
    expect(loadConfig({ QUARRY_TEXT_INDEX: 'tokenbf' }).textIndex).toBe('tokenbf');
    expect(loadConfig({ QUARRY_TEXT_INDEX: 'tokenbf' }, { textIndex: 'none' }).textIndex).toBe('none');
    expect(() => loadConfig({ QUARRY_TEXT_INDEX: 'lucene' })).toThrow(/textIndex \(from QUARRY_TEXT_INDEX\)/);
  });

  it('reads the search guards from the environment and refuses negative limits', () => {
    expect(loadConfig({}).search).toEqual({
      queryTimeoutMs: 120_000,
      maxRowsToRead: 0,
      maxMemoryBytes: 0,
      maxRunningPerUser: 10,
      sliceRows: 32_768,
      sliceTargetMs: 250,
    });
    const search = loadConfig({ QUARRY_QUERY_TIMEOUT_MS: '5000', QUARRY_QUERY_MAX_ROWS: '1000000', QUARRY_QUERY_MAX_MEMORY_BYTES: '1073741824' }).search;
    expect(search).toMatchObject({ queryTimeoutMs: 5000, maxRowsToRead: 1_000_000, maxMemoryBytes: 1_073_741_824 });
    expect(() => loadConfig({ QUARRY_QUERY_MAX_ROWS: '-1' })).toThrow(/search.maxRowsToRead \(from QUARRY_QUERY_MAX_ROWS\)/);
  });

  it('keeps everything unless retention.days is set; it must be a whole number of days, 1 or more', () => {
    expect(loadConfig({}).retention).toEqual({});
    expect(loadConfig({ QUARRY_RETENTION_DAYS: '30' }).retention).toEqual({ days: 30 });
    expect(loadConfig({ QUARRY_RETENTION_DAYS: '30' }, { 'retention.days': 7 }).retention).toEqual({ days: 7 });
    for (const bad of ['0', '-3', '1.5', 'a week']) {
      expect(() => loadConfig({ QUARRY_RETENTION_DAYS: bad })).toThrow(
        'invalid configuration: retention.days (from QUARRY_RETENTION_DAYS): must be a whole number of days, 1 or more (leave it unset to keep everything)',
      );
    }
  });

  it('reads the syslog listener keys; TLS needs a certificate and a key', () => {
    expect(loadConfig({}).syslog).toEqual({ source: 'default' });
    const config = loadConfig(
      { QUARRY_SYSLOG_TCP_PORT: '5514', QUARRY_SYSLOG_UDP_PORT: '5515', QUARRY_SYSLOG_SOURCE: 'network', QUARRY_SYSLOG_TIME_ZONE: 'Europe/Berlin' },
      { 'syslog.tcpPort': 6514 },
    );
    expect(config.syslog).toEqual({ tcpPort: 6514, udpPort: 5515, source: 'network', timeZone: 'Europe/Berlin' });
    expect(() => loadConfig({ QUARRY_SYSLOG_TLS_PORT: '6514' })).toThrow(/syslog\.tlsCert: required/);
    expect(() => loadConfig({ QUARRY_SYSLOG_UDP_PORT: 'x' })).toThrow(/syslog\.udpPort \(from QUARRY_SYSLOG_UDP_PORT\)/);
    expect(() => loadConfig({ QUARRY_SYSLOG_TIME_ZONE: 'Mars/Olympus' })).toThrow(/syslog\.timeZone/);
  });
});
