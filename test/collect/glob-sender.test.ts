import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGlob, matchesGlob } from '../../src/collect/glob.js';
import { backoffMs, encodeJsonLines, parseRetryAfter } from '../../src/collect/sender.js';
import { tempDir } from '../support/server.js';

describe('globs', () => {
  it('expands * ? [..] and ** to regular files only, skipping hidden ones', async () => {
    const dir = tempDir('glob-');
    for (const p of ['a.log', 'b.log', 'c.txt', '.hidden.log', 'x1.log', 'sub/d.log', 'sub/deep/e.log', 'dir.log/f']) {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), '');
    }
    const rel = async (pattern: string) => (await expandGlob(join(dir, pattern))).map((p) => p.slice(dir.length + 1));
    expect(await rel('*.log')).toEqual(['a.log', 'b.log', 'x1.log']);
    expect(await rel('[ab].log')).toEqual(['a.log', 'b.log']);
    expect(await rel('[!ab].log')).toEqual([]);
    expect(await rel('x?.log')).toEqual(['x1.log']);
    expect(await rel('**/*.log')).toEqual(['a.log', 'b.log', 'sub/d.log', 'sub/deep/e.log', 'x1.log']);
    expect(await rel('c.txt')).toEqual(['c.txt']);
    expect(await rel('missing.log')).toEqual([]);
    expect(await rel('nodir/*.log')).toEqual([]);
  });

  it('matches a path against a glob with the same rules', () => {
    expect(matchesGlob('/var/log/*.log', '/var/log/app.log')).toBe(true);
    expect(matchesGlob('/var/log/*.log', '/var/log/app.log.1')).toBe(false);
    expect(matchesGlob('/var/**/app.log', '/var/log/x/app.log')).toBe(true);
    expect(matchesGlob('/var/**/app.log', '/var/app.log')).toBe(true);
    expect(matchesGlob('/var/log/a.log', '/var/log/a.log')).toBe(true);
  });
});

describe('sending', () => {
  it('encodes events as one JSON string per line, newlines inside kept', () => {
    const body = encodeJsonLines(['one', 'two\n\tat x', 'quote " and \\ and \u0000']);
    expect(body.split('\n')).toHaveLength(4);
    expect(
      body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string),
    ).toEqual(['one', 'two\n\tat x', 'quote " and \\ and \u0000']);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 500, 30_000, () => 0)).toBe(250);
    expect(backoffMs(1, 500, 30_000, () => 1)).toBe(500);
    expect(backoffMs(4, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffMs(40, 500, 30_000, () => 0.5)).toBe(22_500);
    const spread = new Set(Array.from({ length: 50 }, () => backoffMs(3, 500, 30_000)));
    expect(spread.size).toBeGreaterThan(10);
    for (const v of spread) expect(v >= 1000 && v <= 2000).toBe(true);
  });
});
