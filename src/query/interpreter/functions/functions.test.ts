import { describe, expect, it } from 'vitest';
import type { Value } from '../values.js';
import { findFunction } from './index.js';

const ctx = { timeZone: 'UTC', now: 1_700_000_000_000, from: 1000, to: 5000 };
function call(name: string, ...args: Value[]): Value {
  const f = findFunction(name);
  if (f === undefined) throw new Error(`no ${name}`);
  return f.call(args, ctx);
}

describe('scalar functions', () => {
  it('strings', () => {
    expect(call('concat', 'a', null, 1)).toBe('a1');
    expect(call('substring', 'Sumo Logic', 0, 4)).toBe('Sumo');
    expect(call('substring', 'abc', -1)).toBeNull();
    expect(call('replace', 'a-b-c', '-', '+')).toBe('a+b+c');
    expect(call('replace', 'a1b22', '/\\d+/', '#')).toBe('a#b#');
    expect(call('length', null)).toBe(0);
    expect(call('TOLOWERCASE', 'AbC')).toBe('abc');
    expect(call('urlDecode', 'a%20b+c')).toBe('a b c');
    expect(call('urlEncode', 'a b&c')).toBe('a+b%26c');
    expect(call('base64Decode', call('base64Encode', 'héllo'))).toBe('héllo');
    expect(call('format', '%s=%05.1f', 'x', 3.14159)).toBe('x=003.1');
    expect(call('indexOf', 'hello', 'l')).toBe(2);
  });
  it('math', () => {
    expect(call('round', 1.549, 2)).toBe(1.55);
    expect(call('round', '2.5')).toBe(3);
    expect(call('pow', 2, 10)).toBe(1024);
    expect(call('sqrt', -1)).toBeNull();
    expect(call('abs', 'x')).toBeNull();
    expect(call('haversine', 0, 0, 0, 1)).toBeCloseTo(111.19, 1);
  });
  it('predicates and casts', () => {
    expect(call('isBlank', '  ')).toBe(true);
    expect(call('isEmpty', ' ')).toBe(false);
    expect(call('isNumeric', '3.5')).toBe(true);
    expect(call('toLong', '3.9')).toBe(3);
    expect(call('isPrivateIP', '10.1.2.3')).toBe(true);
    expect(call('isValidIP', '300.1.1.1')).toBe(false);
  });
  it('time', () => {
    expect(call('parseDate', '2024-03-01 10:00:00', 'yyyy-MM-dd HH:mm:ss', 'Europe/Berlin')).toBe(Date.UTC(2024, 2, 1, 9));
    expect(call('formatDate', Date.UTC(2024, 2, 1, 9), 'yyyy-MM-dd HH:mm EEE', 'Europe/Berlin')).toBe('2024-03-01 10:00 Fri');
    expect(call('parseDate', '2024-03-01T10:00:00Z')).toBe(Date.UTC(2024, 2, 1, 10));
    expect(call('queryTimeRange')).toBe(4000);
    expect(call('now')).toBe(ctx.now);
  });
});

describe('catalog coverage', () => {
  it('implements every function the parser catalog marks as supported', async () => {
    const { FUNCTIONS } = await import('../../catalog/index.js');
    const missing = [...FUNCTIONS.entries()]
      .filter(([name, info]) => info.supported !== false && name !== 'if')
      .filter(([name, info]) => {
        const f = findFunction(name);
        return f === undefined || f.minArgs > info.minArgs || f.maxArgs < info.maxArgs;
      })
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });
});
