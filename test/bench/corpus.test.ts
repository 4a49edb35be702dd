import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CORPUS_END_MS,
  CORPUS_SPAN_MS,
  corpusCategories,
  generateCorpus,
  NEEDLE,
  needleCount,
  needlePositions,
  writeCorpus,
} from '../../bench/corpus.js';
import type { CorpusRecord } from '../../bench/corpus.js';
import { detectTimestamp } from '../../src/core/timestamp.js';

function all(lines: number, seed?: number): CorpusRecord[] {
  return [...generateCorpus(seed === undefined ? { lines } : { lines, seed })];
}

function digest(records: CorpusRecord[]): string {
  const hash = createHash('sha256');
  for (const r of records) hash.update(`${r.ts}\t${r.sourceCategory}\t${r.sourceHost}\t${r.message}\n`);
  return hash.digest('hex');
}

function needleLines(records: CorpusRecord[]): CorpusRecord[] {
  return records.filter((r) => r.message.toLowerCase().includes(NEEDLE));
}

describe('generateCorpus', () => {
  it('is deterministic: 1,000 lines are identical on every run, and the seed changes them', () => {
    const a = all(1000);
    expect(a).toHaveLength(1000);
    expect(digest(all(1000))).toBe(digest(a));
    expect(digest(all(1000, 7))).not.toBe(digest(a));
    // A prefix of a longer corpus is not the same corpus (timestamps scale with length), but is
    // itself deterministic.
    expect(digest(all(2000).slice(0, 1000))).toBe(digest(all(2000).slice(0, 1000)));
  });

  it.each([
    [999, 0],
    [1000, 1],
    [5_500, 5],
    [10_000, 10],
    [37_123, 10],
  ])('puts the needle in exactly needleCount(lines) lines for %i lines', (lines, expected) => {
    expect(needleCount(lines)).toBe(expected);
    const records = all(lines);
    const found = needleLines(records);
    expect(found).toHaveLength(expected);
    expect(found.map((r) => r.index)).toEqual(needlePositions({ lines }).map((p) => p.index));
    expect(records.filter((r) => r.hasNeedle)).toEqual(found);
  });

  it('upper-cases 4 of the 10 needles at fixed positions', () => {
    const found = needleLines(all(10_000));
    const upper = found.filter((r) => r.message.includes(NEEDLE.toUpperCase()));
    expect(upper).toHaveLength(4);
    expect(found.filter((r) => r.message.includes(NEEDLE))).toHaveLength(6);
    expect(needlePositions({ lines: 10_000 })).toEqual(needlePositions({ lines: 10_000 }));
  });

  it('orders rows by time within the 7 days ending 2026-11-01T00:00Z', () => {
    const records = all(20_000);
    const start = CORPUS_END_MS - CORPUS_SPAN_MS;
    let prev = -Infinity;
    for (const r of records) {
      expect(r.ts).toBeGreaterThanOrEqual(prev);
      prev = r.ts;
    }
    expect(records[0]!.ts).toBeGreaterThanOrEqual(start);
    expect(records.at(-1)!.ts).toBeLessThan(CORPUS_END_MS);
    expect(records.at(-1)!.ts).toBeGreaterThan(CORPUS_END_MS - 86_400_000);
  });

  it('gives every message a timestamp the detector reads back as ts (nginx: whole seconds)', () => {
    for (const r of all(5_000)) {
      const detected = detectTimestamp(r.message);
      const expected = r.kind === 'nginx' ? Math.floor(r.ts / 1000) * 1000 : r.ts;
      expect({ ms: detected?.ms, kind: r.kind }).toEqual({ ms: expected, kind: r.kind });
    }
  });

  it('mixes kinds 35/30/20/15, uses 50 Zipf-weighted categories and 200 hosts', () => {
    const records = all(50_000);
    const share = (kind: string): number => records.filter((r) => r.kind === kind).length / records.length;
    expect(share('nginx')).toBeCloseTo(0.35, 1);
    expect(share('app')).toBeCloseTo(0.3, 1);
    expect(share('kv')).toBeCloseTo(0.2, 1);
    expect(share('json')).toBeCloseTo(0.15, 1);

    const categories = corpusCategories();
    expect(categories).toHaveLength(50);
    expect(new Set(categories.flatMap((c) => c.hosts)).size).toBe(200);
    expect(categories[0]!.name).toBe('prod/api');
    const byCategory = new Map<string, number>();
    for (const r of records) byCategory.set(r.sourceCategory, (byCategory.get(r.sourceCategory) ?? 0) + 1);
    expect(byCategory.size).toBe(50);
    expect(byCategory.get('prod/api')! / byCategory.get('prod/web')!).toBeGreaterThan(1.6);
    expect(new Set(records.map((r) => r.sourceHost)).size).toBe(200);
    const hostsOf = new Map(categories.map((c) => [c.name, new Set(c.hosts)]));
    expect(records.filter((r) => hostsOf.get(r.sourceCategory)?.has(r.sourceHost) !== true)).toEqual([]);
  });

  it('has INFO/WARN/ERROR app lines, some with "timeout", key=value and JSON bodies', () => {
    const records = all(10_000);
    const app = records.filter((r) => r.kind === 'app');
    expect(new Set(app.map((r) => r.level))).toEqual(new Set(['INFO', 'WARN', 'ERROR']));
    expect(app.some((r) => r.message.includes('timeout'))).toBe(true);
    const kv = records.find((r) => r.kind === 'kv')!.message;
    expect(kv).toMatch(/ user=\w+ .* latency_ms=\d+ status=\d{3}/);
    const json = JSON.parse(records.find((r) => r.kind === 'json')!.message) as Record<string, unknown>;
    expect(json).toMatchObject({ level: expect.any(String), latency_ms: expect.any(Number) });
  });
});

describe('writeCorpus', () => {
  it('writes logs.txt, logs.ndjson and meta.json that agree with each other', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quarry-corpus-'));
    try {
      const progress: number[] = [];
      const meta = await writeCorpus({
        lines: 12_000,
        outDir: dir,
        progressEvery: 5_000,
        onProgress: (n) => progress.push(n),
      });
      expect(progress).toEqual([5_000, 10_000]);
      const text = (await readFile(join(dir, 'logs.txt'), 'utf8')).split('\n');
      const ndjson = (await readFile(join(dir, 'logs.ndjson'), 'utf8')).split('\n');
      expect(text.pop()).toBe('');
      expect(ndjson.pop()).toBe('');
      expect(text).toHaveLength(12_000);
      const rows = ndjson.map(
        (l) => JSON.parse(l) as { ts: number; sourceCategory: string; sourceHost: string; message: string },
      );
      expect(rows.map((r) => r.message)).toEqual(text);
      expect(Object.keys(rows[0]!)).toEqual(['ts', 'sourceCategory', 'sourceHost', 'message']);

      const onDisk = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as typeof meta;
      expect(onDisk).toEqual(meta);
      expect(meta.needle.count).toBe(10);
      expect(meta.needle.caseSensitiveCount).toBe(6);
      expect(meta.needle.lines.map((i) => text[i]!.toLowerCase().includes(NEEDLE))).toEqual(
        Array(10).fill(true),
      );
      expect(text.filter((l) => l.toLowerCase().includes(NEEDLE))).toHaveLength(10);
      expect(text.filter((l) => l.includes('timeout'))).toHaveLength(meta.counts.timeout);
      expect(Object.values(meta.counts.byKind).reduce((a, b) => a + b, 0)).toBe(12_000);
      expect(meta.categories).toHaveLength(50);
      expect(meta.hosts).toBe(200);
      expect(meta.bytes.text).toBe(Buffer.byteLength(text.join('\n')) + 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
