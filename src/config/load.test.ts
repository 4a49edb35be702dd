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
});
