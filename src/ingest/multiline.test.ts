import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMessageSplitter,
  cutUtf8,
  splitMessages,
  startsWithTimestamp,
  utf8Length,
} from './multiline.js';
import type { SplitOptions } from './multiline.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const TAIL = `${DATA}ingest-edge-cases/fluent-bit-tail/`;

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** The `log` (or `message`) field of each JSON line of a fluent-bit fixture. */
function jsonField(path: string, field: 'log' | 'message'): string[] {
  return read(path)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as Record<string, string>)[field]!);
}

/** Feeds the chunks one by one to a streaming splitter and collects every message. */
function stream(chunks: string[], opts: SplitOptions): string[] {
  const splitter = createMessageSplitter(opts);
  const out: string[] = [];
  for (const chunk of chunks) out.push(...splitter.push(chunk));
  out.push(...splitter.end());
  return out;
}

describe('fluent-bit tail fixtures', () => {
  it('multiline_001: a Java stack trace (lines indented by one space) becomes one message', () => {
    const input = jsonField(`${TAIL}log/multiline_001.log`, 'message');
    const expected = jsonField(`${TAIL}out/multiline_001.out`, 'message');
    expect(input).toHaveLength(6);
    expect(splitMessages(input.join('\n'), { mode: 'infer' })).toEqual(expected);
    // The fixture's own parser: a start rule on `Dec \d+ \d+:\d+:\d+`, continuations on `^\s+at`.
    expect(
      splitMessages(input.join('\n') + '\n', { mode: 'regex', boundary: String.raw`Dec \d+ \d+:\d+:\d+.*` }),
    ).toEqual(expected);
  });

  it.each(['dockermode_multiple_lines', 'dockermode_splitted_line', 'dockermode_splitted_multiple_lines'])(
    '%s: partial lines streamed in pieces re-join; the boundary regex groups bullet lines',
    (name) => {
      const chunks = jsonField(`${TAIL}log/${name}.log`, 'log');
      const expected = jsonField(`${TAIL}out/${name}.out`, 'log').map((m) => m.replace(/\n$/, ''));
      expect(stream(chunks, { mode: 'regex', boundary: '\\d{4}-\\d{2}-\\d{2} .*' })).toEqual(expected);
      expect(splitMessages(chunks.join(''), { mode: 'regex', boundary: String.raw`\d{4}-\d{2}-\d{2} .*` })).toEqual(
        expected,
      );
    },
  );

  it('dockermode_firstline_detection: lines before the first boundary stand alone', () => {
    const chunks = jsonField(`${TAIL}log/dockermode_firstline_detection.log`, 'log');
    const expected = jsonField(`${TAIL}out/dockermode_firstline_detection.out`, 'log').map((m) =>
      m.replace(/\n$/, ''),
    );
    expect(expected.slice(0, 3)).toEqual(['Single log', 'Second log', 'Third log']);
    expect(stream(chunks, { mode: 'regex', boundary: String.raw`\d{4}-\d{2}-\d{2} .*` })).toEqual(expected);
  });

  it('dockermode: one message per line', () => {
    const chunks = jsonField(`${TAIL}log/dockermode.log`, 'log');
    expect(stream(chunks, { mode: 'line' })).toEqual(['Single log', 'Second log', 'Third log']);
  });

  it('3943: CRLF is stripped; the empty line is dropped (Sumo ingests no empty messages; fluent-bit keeps it)', () => {
    const body = read(`${TAIL}log/3943.log`);
    expect(body).toBe('bbb\r\n\n');
    expect(jsonField(`${TAIL}out/3943.out`, 'log')).toEqual(['bbb', '']);
    expect(splitMessages(body, { mode: 'line' })).toEqual(['bbb']);
  });
});

describe('infer mode on real logs', () => {
  it('joins the tab-indented continuation lines of the darwin syslog sample', () => {
    const body = read(`${DATA}syslog/beats-system/darwin-syslog-sample.log`);
    const messages = splitMessages(body, { mode: 'infer' });
    expect(messages).toHaveLength(3);
    expect(messages[0]!.split('\n')).toHaveLength(19);
    expect(messages[0]!.endsWith('\t>')).toBe(true);
    expect(messages[1]).toMatch(/^Dec 13 11:35:28 .*com\.google\.Keystone'\.$/);
    expect(messages[2]).toBe('Apr 4 03:39:57 --- last message repeated 1 time ---');
  });

  it('joins un-indented "PHP message" lines in the nginx error log (timestamp-led body)', () => {
    const messages = splitMessages(read(`${DATA}http-access/beats-nginx/error.log`), { mode: 'infer' });
    expect(messages).toHaveLength(4);
    expect(messages[2]!.split('\n')).toHaveLength(3);
    expect(messages[2]!.split('\n')[1]).toMatch(/^PHP message: /);
  });

  it('keeps every Apache access line a message of its own', () => {
    const body = read(`${DATA}http-access/elastic-apache/apache_logs`);
    const lineCount = body.split('\n').filter((l) => l !== '').length;
    expect(splitMessages(body, { mode: 'infer' })).toHaveLength(lineCount);
  });

  it('keeps every RFC 5424 line a message of its own', () => {
    const body = read(`${DATA}syslog/rfc-examples/rfc5424-section6.5-examples.log`);
    expect(splitMessages(body, { mode: 'infer' })).toHaveLength(4);
  });
});

const JAVA = [
  '2024-03-05 06:07:08,123 INFO  [main] App - starting',
  '2024-03-05 06:07:09,001 ERROR [main] App - request failed',
  'java.lang.IllegalStateException: outer',
  '\tat com.example.App.handle(App.java:42)',
  '\tat com.example.App.main(App.java:10)',
  'Caused by: java.io.IOException: inner',
  '\tat com.example.Io.read(Io.java:7)',
  '\t... 2 more',
  '2024-03-05 06:07:10,000 INFO  [main] App - done',
];

describe('infer mode heuristics', () => {
  it('joins a Java stack trace with Caused by and ... N more into its log line', () => {
    expect(splitMessages(JAVA.join('\n'), { mode: 'infer' })).toEqual([
      JAVA[0],
      JAVA.slice(1, 8).join('\n'),
      JAVA[8],
    ]);
  });

  it('joins a Java stack trace even without timestamps (heuristics only)', () => {
    const body = ['request failed', ...JAVA.slice(2, 8), 'next message', 'another'].join('\n');
    expect(splitMessages(body, { mode: 'infer' })).toEqual([
      ['request failed', ...JAVA.slice(2, 8)].join('\n'),
      'next message',
      'another',
    ]);
  });

  it('joins "Exception in thread" traces with frames written as "at " without a tab', () => {
    const body = 'Exception in thread "main" java.lang.Error: x\nat A.b(A.java:1)\nat A.c(A.java:2)\nnext';
    expect(splitMessages(body, { mode: 'infer' })).toEqual([
      'Exception in thread "main" java.lang.Error: x\nat A.b(A.java:1)\nat A.c(A.java:2)',
      'next',
    ]);
  });

  it('joins a Python traceback, including the final exception line', () => {
    const trace = [
      'ERROR:root:handler crashed',
      'Traceback (most recent call last):',
      '  File "app.py", line 3, in <module>',
      '    main()',
      '  File "app.py", line 2, in main',
      "    raise ValueError('bad')",
      'ValueError: bad',
    ];
    const body = [...trace, 'INFO:root:still alive', 'INFO:root:bye'].join('\n');
    expect(splitMessages(body, { mode: 'infer' })).toEqual([
      trace.join('\n'),
      'INFO:root:still alive',
      'INFO:root:bye',
    ]);
  });

  it('joins chained Python tracebacks', () => {
    const trace = [
      'Traceback (most recent call last):',
      '  File "a.py", line 1, in <module>',
      'KeyError: 1',
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "a.py", line 3, in <module>',
      'RuntimeError: wrapped',
    ];
    expect(splitMessages(['worker failed', ...trace, 'ok'].join('\n'), { mode: 'infer' })).toEqual([
      ['worker failed', ...trace].join('\n'),
      'ok',
    ]);
  });

  it('joins a Go panic with its goroutine dump', () => {
    const panic = [
      'panic: runtime error: index out of range [3] with length 3',
      '',
      'goroutine 1 [running]:',
      'main.lookup(...)',
      '\t/src/app/main.go:12',
      'main.main()',
      '\t/src/app/main.go:20 +0x1d',
      'created by net/http.(*Server).Serve',
      '\t/usr/local/go/src/net/http/server.go:3285 +0x4b4',
      'exit status 2',
    ];
    expect(splitMessages(['starting', ...panic, 'restarted'].join('\n'), { mode: 'infer' })).toEqual([
      'starting',
      panic.join('\n'),
      'restarted',
    ]);
  });

  it('joins a pretty-printed JSON body', () => {
    const body = '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n{\n  "c": 3\n}';
    expect(splitMessages(body, { mode: 'infer' })).toEqual([
      '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}',
      '{\n  "c": 3\n}',
    ]);
  });

  it('in a timestamp-led mixed stream, access-log and JSON lines with their own timestamp stand alone', () => {
    const body = [
      'ts=2026-10-25T00:00:00.132Z level=info service=search action=checkout',
      '10.86.176.5 - - [25/Oct/2026:00:00:01 +0000] "GET /static/a.css HTTP/1.1" 503 60704',
      '{"level":"info","ts":"2026-10-25T00:00:01.315Z","msg":"add_to_cart ok"}',
      '2026-10-25 00:00:03,471 ERROR [worker-3] c.e.Pay - failed',
      'java.lang.IllegalStateException: at 2026-10-25T00:00:03Z the pool was closed',
      '\tat c.e.Pay.call(Pay.java:10)',
      'plain continuation without a time',
      '2026-10-25 00:00:04,777 INFO  [scheduler-2] done',
    ].join('\n');
    const messages = splitMessages(body, { mode: 'infer' });
    expect(messages).toHaveLength(5);
    expect(messages[1]).toMatch(/^10\.86\.176\.5 .* 60704$/);
    expect(messages[2]).toMatch(/^\{"level"/);
    // A stack-trace line keeps joining even when it mentions a time.
    expect(messages[3]!.split('\n')).toHaveLength(4);
  });

  it('in a timestamp-led body, any line without a leading timestamp continues the message', () => {
    const body = [
      '2024-03-05 06:07:08 config:',
      'first bullet point',
      'second bullet point',
      '2024-03-05 06:07:09 single',
      '[2024-03-05 06:07:10] bracketed',
      'tail',
    ].join('\n');
    expect(splitMessages(body, { mode: 'infer' })).toEqual([
      '2024-03-05 06:07:08 config:\nfirst bullet point\nsecond bullet point',
      '2024-03-05 06:07:09 single',
      '[2024-03-05 06:07:10] bracketed\ntail',
    ]);
  });

  it('learns from the first inferSampleLines lines only, and streams the same result', () => {
    const body = Array.from(
      { length: 30 },
      (_, i) => `2024-03-05 06:07:${String(i).padStart(2, '0')} m${i}\nmore ${i}`,
    ).join('\n');
    const whole = splitMessages(body, { mode: 'infer' });
    expect(whole).toHaveLength(30);
    expect(whole[0]).toBe('2024-03-05 06:07:00 m0\nmore 0');
    const chunks = body.match(/[\s\S]{1,7}/g)!;
    expect(stream(chunks, { mode: 'infer', inferSampleLines: 5 })).toEqual(whole);
  });

  it('recognises leading timestamps', () => {
    expect(startsWithTimestamp('2024-03-05T06:07:08Z x')).toBe(true);
    expect(startsWithTimestamp('<34>Oct 11 22:14:15 host')).toBe(true);
    expect(startsWithTimestamp('{"msg":"x","ts":1709618828123}')).toBe(true);
    expect(startsWithTimestamp('  2024-03-05T06:07:08Z')).toBe(false);
    expect(startsWithTimestamp('83.149.9.216 - - [17/May/2015:10:05:03 +0000]')).toBe(false);
  });
});

describe('line, regex and request modes', () => {
  it('splits on LF and CRLF, keeps a last line without newline, drops blank lines', () => {
    expect(splitMessages('a\r\nb\n\n  \nc', { mode: 'line' })).toEqual(['a', 'b', 'c']);
    expect(splitMessages('', { mode: 'line' })).toEqual([]);
    expect(splitMessages('\n\n', { mode: 'line' })).toEqual([]);
    expect(splitMessages('one', { mode: 'line' })).toEqual(['one']);
  });

  it('keeps a lone CR inside a line and strips a leading BOM', () => {
    expect(splitMessages('\ufeffa\rb\nc\r', { mode: 'line' })).toEqual(['a\rb', 'c']);
  });

  it('keeps inner blank lines of a multiline message, drops trailing ones', () => {
    const body = 'START a\n\nmore\n\n\nSTART b\n\n';
    expect(splitMessages(body, { mode: 'regex', boundary: String.raw`START .*` })).toEqual([
      'START a\n\nmore',
      'START b',
    ]);
  });

  it('requires the boundary to match the whole line, as Sumo does', () => {
    const body = 'x START\nSTART y\ncont';
    // `START` alone matches no line in full: no boundary is ever seen, so every line stands alone.
    expect(splitMessages(body, { mode: 'regex', boundary: String.raw`START` })).toEqual(['x START', 'START y', 'cont']);
    expect(splitMessages(body, { mode: 'regex', boundary: String.raw`START.*` })).toEqual(['x START', 'START y\ncont']);
  });

  it('reuses one boundary regex for every line (no state between lines)', () => {
    const body = 'S1\nc\nS2\nc\nS3';
    expect(splitMessages(body, { mode: 'regex', boundary: String.raw`S\d` })).toEqual(['S1\nc', 'S2\nc', 'S3']);
  });

  it('keeps case-insensitive boundaries', () => {
    expect(splitMessages('start a\nx\nSTART b', { mode: 'regex', boundary: String.raw`(?i)start .*` })).toEqual([
      'start a\nx',
      'START b',
    ]);
  });

  it('rejects regex mode without a boundary', () => {
    expect(() => splitMessages('a', { mode: 'regex' })).toThrow(/boundary/);
  });

  it('request mode makes the whole body one message', () => {
    expect(splitMessages('\na\r\nb\n\nc\n\n', { mode: 'request' })).toEqual(['a\nb\n\nc']);
  });

  it('push() after end() is an error; end() twice returns nothing', () => {
    const s = createMessageSplitter({ mode: 'line' });
    expect(s.push('a\nb')).toEqual(['a']);
    expect(s.end()).toEqual(['b']);
    expect(s.end()).toEqual([]);
    expect(() => s.push('c')).toThrow();
  });
});

describe('maximum message size', () => {
  it('cuts a long ASCII message into 64 KiB pieces', () => {
    const long = 'x'.repeat(65_536 * 2 + 100);
    const pieces = splitMessages(`${long}\nnext`, { mode: 'line' });
    expect(pieces.map((p) => p.length)).toEqual([65_536, 65_536, 100, 4]);
  });

  it('never cuts inside a multi-byte character', () => {
    const euro = '€'.repeat(30_000); // 3 bytes each
    const pieces = splitMessages(euro, { mode: 'line' });
    expect(pieces.map((p) => utf8Length(p))).toEqual([65_535, 24_465]);
    const emoji = 'a' + '😀'.repeat(20_000); // 4 bytes, a surrogate pair each
    const cut = splitMessages(emoji, { mode: 'line' });
    expect(cut.join('')).toBe(emoji);
    for (const piece of cut) {
      expect(utf8Length(piece)).toBeLessThanOrEqual(65_536);
      expect(piece).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
    expect(utf8Length(cut[0]!)).toBe(65_533);
  });

  it('cuts a huge multiline message the same whether streamed or whole', () => {
    const body =
      'BEGIN\n' + Array.from({ length: 5000 }, (_, i) => `  frame ${i} ${'é'.repeat(i % 50)}`).join('\n');
    const opts: SplitOptions = { mode: 'infer', maxMessageBytes: 4096 };
    const whole = splitMessages(body, opts);
    expect(whole.length).toBeGreaterThan(30);
    expect(whole.join('')).toBe(body);
    expect(stream(body.match(/[\s\S]{1,1000}/g)!, opts)).toEqual(whole);
  });

  it('honours a custom maxMessageBytes and rejects nonsense', () => {
    expect(splitMessages('abcdefghij', { mode: 'line', maxMessageBytes: 4 })).toEqual(['abcd', 'efgh', 'ij']);
    expect(() => splitMessages('a', { mode: 'line', maxMessageBytes: 0 })).toThrow(RangeError);
  });

  it('cutUtf8 counts a lone surrogate as 3 bytes, like the encoder', () => {
    const s = 'ab\ud800cd';
    expect(utf8Length(s)).toBe(7);
    expect(cutUtf8(s, 4)).toEqual(['ab', '\ud800c', 'd']);
  });
});

describe('properties', () => {
  const arbBody = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '2024-03-05 06:07:08 start',
          '\tat x.y(Z.java:1)',
          '',
          '  indented',
          'Caused by: e',
          'plain',
        ),
        fc.string({ maxLength: 30 }),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
      ),
      { maxLength: 40 },
    )
    .chain((lines) =>
      fc.tuple(fc.constant(lines), fc.constantFrom('\n', '\r\n'), fc.array(fc.nat(), { maxLength: 10 })),
    );
  const arbOpts = fc.oneof(
    fc.constant<SplitOptions>({ mode: 'line' }),
    fc.constant<SplitOptions>({ mode: 'request' }),
    fc.constant<SplitOptions>({ mode: 'regex', boundary: String.raw`\d{4}-.*` }),
    fc.record({ mode: fc.constant('infer' as const), inferSampleLines: fc.integer({ min: 1, max: 50 }) }),
  );

  it('streaming in any chunks equals splitting the whole body; pieces respect the size limit', () => {
    fc.assert(
      fc.property(
        arbBody,
        arbOpts,
        fc.integer({ min: 8, max: 64 }),
        ([lines, eol, cuts], base, maxMessageBytes) => {
          const opts = { ...base, maxMessageBytes };
          const body = lines.join(eol);
          const whole = splitMessages(body, opts);
          const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(body.slice(prev, p));
            prev = p;
          }
          chunks.push(body.slice(prev));
          expect(stream(chunks, opts)).toEqual(whole);
          for (const m of whole) {
            expect(utf8Length(m)).toBeLessThanOrEqual(maxMessageBytes);
            expect(m.length).toBeGreaterThan(0);
            // Blank messages are dropped, but a piece cut from a long message keeps its bytes
            // even when that piece happens to be only whitespace.
            if (/^[ \t\r\v\f]*$/.test(m)) expect(utf8Length(body)).toBeGreaterThan(maxMessageBytes);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('line mode keeps every non-blank line, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }).filter((s) => !/[\n\r]/.test(s))), (lines) => {
        const kept = lines.filter((l) => !/^[ \t\v\f]*$/.test(l));
        expect(splitMessages(lines.join('\n'), { mode: 'line' })).toEqual(kept);
      }),
    );
  });
});
