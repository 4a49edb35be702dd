import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCollectorConfig, parseCollectorConfig } from '../../src/collect/config.js';
import { tempDir } from '../support/server.js';

const base = { server: { url: 'http://127.0.0.1:7080', token: 't0k' }, stateDir: 'state', files: [{ path: 'logs/*.log' }] };

function errorOf(raw: unknown): string {
  try {
    parseCollectorConfig(raw, { baseDir: '/etc/quarry', source: 'collector.yaml' });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('collector config', () => {
  it('fills defaults and resolves relative paths against the config file', () => {
    const config = parseCollectorConfig(base, { baseDir: '/etc/quarry' });
    expect(config.stateDir).toBe('/etc/quarry/state');
    expect(config.files[0]).toMatchObject({ pattern: '/etc/quarry/logs/*.log', token: 't0k', startAt: 'beginning', multiline: undefined });
    expect(config.batch).toEqual({ maxBytes: 1048576, maxMessages: 10000, maxAgeMs: 1000 });
    expect(config.server.url).toBe('http://127.0.0.1:7080');
  });

  it('names the key of every problem', () => {
    const message = errorOf({
      ...base,
      server: { url: 'not a url' },
      surprise: 1,
      files: [
        { path: 'a.log', multiline: { boundary: '(unclosed' } },
        { path: 'b.log', startAt: 'middle', fields: { '9bad': 'x' } },
      ],
    });
    expect(message).toContain('collector.yaml is invalid');
    expect(message).toContain('server.url:');
    expect(message).toContain('(top level): unknown key "surprise"');
    expect(message).toMatch(/files\[0\]\.multiline\.boundary: not a valid regex/);
    expect(message).toContain('files[1].startAt:');
    expect(message).toContain('files[1].fields.9bad:');
  });

  it('needs a token for every file', () => {
    const message = errorOf({ ...base, server: { url: 'http://x:1' }, files: [{ path: '/a', token: 'own' }, { path: '/b' }] });
    expect(message).toContain('files[1].token: no token: set server.token or a token for this file');
    expect(message).not.toContain('files[0]');
  });

  it('takes a per-file token instead of server.token', () => {
    const config = parseCollectorConfig({ ...base, server: { url: 'http://x:1' }, files: [{ path: '/a', token: 'own' }] }, { baseDir: '/' });
    expect(config.files[0]!.token).toBe('own');
  });

  it('reads YAML and reports YAML syntax errors with the file name', () => {
    const dir = tempDir('collect-config-');
    const good = join(dir, 'good.yaml');
    writeFileSync(
      good,
      `server: {url: "http://127.0.0.1:1", token: abc}\nstateDir: st\nfiles:\n  - path: /var/log/*.log\n    multiline: {boundary: '\\d{4}-\\d{2}-\\d{2} .*'}\n    fields: {team: core, shard: 3}\n`,
    );
    const config = loadCollectorConfig(good);
    expect(config.files[0]!.multiline?.boundary.source).toBe('\\d{4}-\\d{2}-\\d{2} .*');
    expect(config.files[0]!.fields).toEqual({ team: 'core', shard: '3' });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'server:\n  url: [unclosed\n');
    expect(() => loadCollectorConfig(bad)).toThrow(/bad\.yaml is not valid YAML/);
    expect(() => loadCollectorConfig(join(dir, 'missing.yaml'))).toThrow(/cannot read .*missing\.yaml: ENOENT/);
  });
});
