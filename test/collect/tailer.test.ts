import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { compileLinearRegex, type LinearRegex } from '../../src/core/linear-regex.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MultilineRule } from '../../src/collect/config.js';
import { EventGrouper } from '../../src/collect/event-grouper.js';
import { FileTailer, readFingerprint } from '../../src/collect/tailer.js';
import { tempDir } from '../support/server.js';

const open = (path: string, multiline: MultilineRule = undefined) =>
  FileTailer.open(path, multiline, async ({ handle, size }) => ({
    position: { gen: 0, offset: 0 },
    fingerprint: await readFingerprint(handle, size),
  }));

function linear(source: string): LinearRegex {
  const compiled = compileLinearRegex(source);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.regex;
}

const texts = (events: { text: string }[]) => events.map((e) => e.text);
const boundary = (timeoutMs = 1000): MultilineRule => ({ boundary: linear(String.raw`\d{4}-\d{2}-\d{2} .*`), timeoutMs, maxBytes: 1 << 20 });

describe('FileTailer', () => {
  const open_: FileTailer[] = [];
  afterEach(async () => {
    for (const t of open_.splice(0)) await t.close();
  });
  const track = (t: FileTailer) => (open_.push(t), t);

  it('waits for the newline of a partial last line, and counts offsets in bytes', async () => {
    const path = join(tempDir('tail-'), 'a.log');
    writeFileSync(path, 'first\nsecö');
    const t = track(await open(path));
    expect(texts((await t.poll(0, 1 << 20)).events)).toEqual(['first']);
    expect(t.position).toEqual({ gen: 0, offset: 6 });
    appendFileSync(path, 'nd\r\nthi');
    expect(texts((await t.poll(1, 1 << 20)).events)).toEqual(['secönd']);
    expect(t.position).toEqual({ gen: 0, offset: 6 + Buffer.byteLength('secönd\r\n') });
    appendFileSync(path, 'rd\n');
    expect(texts((await t.poll(2, 1 << 20)).events)).toEqual(['third']);
    // A rotated file's last line counts even without its newline.
    appendFileSync(path, 'tail without newline');
    expect(texts((await t.poll(3, 1 << 20)).events)).toEqual([]);
    expect(texts(t.finish(4))).toEqual(['tail without newline']);
  });

  it('groups multiline events by a full-line boundary and holds the pending one out of the position', async () => {
    const path = join(tempDir('tail-'), 'a.log');
    writeFileSync(path, 'orphan before any boundary\n2026-01-01 10:00:00 ERROR x\n\tat a\n\tat b\n\n2026-01-01 10:00:01 INFO y\n');
    const t = track(await open(path, boundary(1000)));
    const first = await t.poll(0, 1 << 20);
    expect(texts(first.events)).toEqual(['orphan before any boundary', '2026-01-01 10:00:00 ERROR x\n\tat a\n\tat b']);
    // The INFO event may still get continuation lines: the position stops at its start.
    const infoStart = Buffer.byteLength('orphan before any boundary\n2026-01-01 10:00:00 ERROR x\n\tat a\n\tat b\n\n');
    expect(t.position.offset).toBe(infoStart);
    appendFileSync(path, '  continued\n');
    expect((await t.poll(500, 1 << 20)).events).toEqual([]);
    // No next line for the timeout: the event is complete.
    const idle = await t.poll(1700, 1 << 20);
    expect(texts(idle.events)).toEqual(['2026-01-01 10:00:01 INFO y\n  continued']);
    expect(t.position.offset).toBe(infoStart + Buffer.byteLength('2026-01-01 10:00:01 INFO y\n  continued\n'));
  });

  it('does not treat a partial boundary match as a start (the regex must match the whole line)', async () => {
    const path = join(tempDir('tail-'), 'a.log');
    writeFileSync(path, '2026-01-01 10:00:00 a\nsee 2026-01-01 10:00:00 later\n2026-01-01 10:00:01 b\n');
    const t = track(await open(path, boundary()));
    expect(texts((await t.poll(0, 1 << 20)).events)).toEqual(['2026-01-01 10:00:00 a\nsee 2026-01-01 10:00:00 later']);
  });

  it('restarts at 0 when the file is truncated (copytruncate), in a new generation', async () => {
    const path = join(tempDir('tail-'), 'a.log');
    writeFileSync(path, 'one\ntwo\nthree\n');
    const t = track(await open(path));
    expect(texts((await t.poll(0, 1 << 20)).events)).toEqual(['one', 'two', 'three']);
    truncateSync(path, 0);
    appendFileSync(path, 'four\n');
    const cut = await t.poll(1, 1 << 20);
    expect(cut.truncatedAt).toEqual({ gen: 0, offset: 14 });
    expect(t.position).toEqual({ gen: 1, offset: 0 });
    expect(texts((await t.poll(2, 1 << 20)).events)).toEqual(['four']);
    expect(t.position).toEqual({ gen: 1, offset: 5 });
  });

  it('notices a truncation that regrew past the old offset by the fingerprint of the first bytes', async () => {
    const path = join(tempDir('tail-'), 'a.log');
    writeFileSync(path, 'aaaa\n');
    const t = track(await open(path));
    expect(texts((await t.poll(0, 1 << 20)).events)).toEqual(['aaaa']);
    writeFileSync(path, 'bbbbbbbb\ncccc\n'); // truncate + rewrite, now longer than before
    expect((await t.poll(1, 1 << 20)).truncatedAt).toEqual({ gen: 0, offset: 5 });
    expect(texts((await t.poll(2, 1 << 20)).events)).toEqual(['bbbbbbbb', 'cccc']);
  });

  it('keeps reading the old inode after a rename rotation, to its end', async () => {
    const dir = tempDir('tail-');
    const path = join(dir, 'app.log');
    writeFileSync(path, 'old 1\n');
    const t = track(await open(path));
    expect(texts((await t.poll(0, 1 << 20)).events)).toEqual(['old 1']);
    renameSync(path, join(dir, 'app.log.1'));
    appendFileSync(join(dir, 'app.log.1'), 'old 2 (written by a writer that had not reopened yet)\n');
    writeFileSync(path, 'new 1\n');
    expect(texts((await t.poll(1, 1 << 20)).events)).toEqual(['old 2 (written by a writer that had not reopened yet)']);
  });

  it('reads at most the given budget per poll', async () => {
    const path = join(tempDir('tail-'), 'a.log');
    writeFileSync(path, 'x'.repeat(99) + '\n' + 'y'.repeat(99) + '\n');
    const t = track(await open(path));
    const first = await t.poll(0, 150);
    expect(first.bytesRead).toBe(150);
    expect(texts(first.events)).toEqual(['x'.repeat(99)]);
    expect(texts((await t.poll(1, 150)).events)).toEqual(['y'.repeat(99)]);
  });
});

describe('EventGrouper', () => {
  it('sends an event over maxBytes in pieces, keeps inner blank lines and drops trailing ones', () => {
    const g = new EventGrouper({ boundary: linear('START.*'), timeoutMs: 1000, maxBytes: 20 });
    const out = [
      ...g.pushLine('START 1', 0, 8, 0),
      ...g.pushLine('0123456789', 8, 19, 0),
      ...g.pushLine('abcdefghij', 19, 30, 0), // passes 20 bytes: the piece is sent
      ...g.pushLine('more', 30, 35, 0),
      ...g.pushLine('START 2', 35, 43, 0),
      ...g.pushLine('', 43, 44, 0),
      ...g.pushLine('x', 44, 46, 0),
      ...g.pushLine('', 46, 47, 0),
      ...g.pushLine('START 3', 47, 55, 0),
    ];
    expect(out).toEqual([
      { text: 'START 1\n0123456789\nabcdefghij', end: 30 },
      { text: 'more', end: 35 },
      { text: 'START 2\n\nx', end: 47 },
    ]);
    expect(g.pendingStart).toBe(47);
  });
});
