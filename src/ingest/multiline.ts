/**
 * Splits a decoded request body (or a file, chunk by chunk) into log messages, the way a Sumo Logic
 * HTTP source does (reference §2.3).
 *
 * Lines end at LF; a CR right before the LF is dropped (CRLF). A last line without a newline counts.
 * Lines of one multiline message are joined with `\n`.
 *
 * Modes:
 * - `line`: one message per line.
 * - `regex`: a line that the boundary regex matches **in full** (as Sumo's "Boundary Regex" does —
 *   write `\d{4}-\d{2}-\d{2} .*`, not `^\d{4}`) starts a message; other lines join the one before.
 * - `infer`: learn the boundaries from the first {@link DEFAULT_INFER_SAMPLE_LINES} lines (Sumo's
 *   "Infer Boundaries"). If most lines that could start a message start with a timestamp, the
 *   lines that start with a timestamp start messages, and so do lines that carry a timestamp further
 *   in and don't look like a stack-trace continuation (mixed streams: access-log and JSON lines);
 *   lines without a timestamp continue the message before them. Otherwise each line starts a message unless
 *   it looks like a continuation: it starts with whitespace, `at `, `Caused by:`, `Suppressed:`,
 *   `...`, `}`/`]`/`)`, is a Java exception line (`java.lang.IllegalStateException: …`), or is part
 *   of a Python traceback (`Traceback (most recent call last):` through the final `ValueError: …`)
 *   or of a Go goroutine dump (`goroutine 1 [running]:`, `main.main()`, `created by …`).
 * - `request`: the whole body is one message ("One Message Per Request").
 *
 * Blank lines: Sumo does not ingest empty messages, so a message that is empty or only whitespace
 * is dropped. Inside a multiline message blank lines are kept; trailing blank lines are dropped.
 * Lines before the first boundary (regex mode, or timestamp-led infer mode) have nothing to join, so
 * each becomes a message of its own.
 *
 * Size: a message over `maxMessageBytes` (default 65,536 UTF-8 bytes, Sumo's limit) is cut into
 * pieces of at most that many bytes, never inside a UTF-8 character (nor a surrogate pair).
 */
import { compileLinearRegex, type LinearRegex } from '../core/linear-regex.js';
import { detectTimestamp } from '../core/timestamp.js';

export const SplitMode = {
  Line: 'line',
  Regex: 'regex',
  Infer: 'infer',
  Request: 'request',
} as const;

export type SplitMode = (typeof SplitMode)[keyof typeof SplitMode];

export interface SplitOptions {
  mode: SplitMode;
  /** Regex mode: a line that this matches in full starts a new message. */
  boundary?: LinearRegex | string;
  /** Messages longer than this many UTF-8 bytes are cut into pieces; default 65,536. */
  maxMessageBytes?: number;
  /** Infer mode: how many lines to learn from before emitting anything; default 1,000. */
  inferSampleLines?: number;
}

/** An incremental splitter for a file reader or a streamed body. */
export interface MessageSplitter {
  /** Adds text; returns the messages completed by it (a message ends when the next one starts). */
  push(chunk: string): string[];
  /** Ends the input; returns the remaining messages. The splitter must not be used afterwards. */
  end(): string[];
}

export const DEFAULT_MAX_MESSAGE_BYTES = 65_536;
export const DEFAULT_INFER_SAMPLE_LINES = 1_000;

/** Splits a whole body into messages. */
export function splitMessages(text: string, opts: SplitOptions): string[] {
  const splitter = createMessageSplitter(opts);
  const out = splitter.push(text);
  for (const message of splitter.end()) out.push(message);
  return out;
}

/** Creates a streaming splitter; feeding it the body in any chunks gives the same messages as splitMessages. */
export function createMessageSplitter(opts: SplitOptions): MessageSplitter {
  const maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 4) {
    throw new RangeError(`maxMessageBytes must be an integer >= 4, got ${maxBytes}`);
  }
  const assembler = new Assembler(maxBytes);
  const classify = createClassifier(opts);
  let carry = '';
  let isFirstChunk = true;
  let isEnded = false;

  const acceptLine = (line: string): void => {
    for (const decided of classify.next(line)) assembler.accept(decided.line, decided.isStart);
    // In line mode a message is complete at its newline; don't hold it until the next one.
    if (opts.mode === SplitMode.Line) assembler.flush();
  };

  return {
    push(chunk) {
      if (isEnded) throw new Error('push() after end()');
      let text = carry + chunk;
      if (isFirstChunk && text.length > 0) {
        isFirstChunk = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      let pos = 0;
      for (let nl = text.indexOf('\n', pos); nl >= 0; nl = text.indexOf('\n', pos)) {
        const stop = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        acceptLine(text.slice(pos, stop));
        pos = nl + 1;
      }
      carry = text.slice(pos);
      return assembler.drain();
    },
    end() {
      if (isEnded) return [];
      isEnded = true;
      if (carry !== '') {
        acceptLine(carry.charCodeAt(carry.length - 1) === 13 ? carry.slice(0, -1) : carry);
        carry = '';
      }
      for (const decided of classify.finish()) assembler.accept(decided.line, decided.isStart);
      assembler.flush();
      return assembler.drain();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Assembling lines into messages

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 11 && c !== 12) return false;
  }
  return true;
}

class Assembler {
  private readonly out: string[] = [];
  private pending: string | undefined;
  private pendingBytes = 0;
  /** Blank lines seen after the pending text; kept only if a non-blank continuation follows. */
  private blanks: string[] = [];
  private hasStarted = false;

  constructor(private readonly maxBytes: number) {}

  accept(line: string, isStart: boolean): void {
    if (isStart || this.pending === undefined) {
      this.flush();
      if (isBlank(line)) return;
      this.pending = line;
      this.pendingBytes = utf8Length(line);
      // Before the first start line there is no message to join: the line stands alone.
      if (!isStart && !this.hasStarted) this.flush();
      else this.hasStarted = true;
    } else if (isBlank(line)) {
      this.blanks.push(line);
      return;
    } else {
      let addition = '\n' + line;
      if (this.blanks.length > 0) {
        addition = '\n' + this.blanks.join('\n') + addition;
        this.blanks = [];
      }
      this.pending += addition;
      this.pendingBytes += utf8Length(addition);
    }
    // Emit the full-size pieces of a huge message early so memory stays bounded; the pieces are
    // the same as cutting the whole message at the end, since cutting is greedy from the left.
    if (this.pendingBytes > this.maxBytes * 2) {
      const pieces = cutUtf8(this.pending, this.maxBytes);
      const last = pieces.pop() ?? '';
      for (const piece of pieces) this.out.push(piece);
      this.pending = last;
      this.pendingBytes = utf8Length(last);
    }
  }

  flush(): void {
    if (this.pending !== undefined) {
      for (const piece of this.pendingBytes > this.maxBytes
        ? cutUtf8(this.pending, this.maxBytes)
        : [this.pending]) {
        this.out.push(piece);
      }
    }
    this.pending = undefined;
    this.pendingBytes = 0;
    this.blanks = [];
  }

  drain(): string[] {
    return this.out.splice(0, this.out.length);
  }
}

/** UTF-8 byte length of a JS string; a lone surrogate counts 3 bytes (it is encoded as U+FFFD). */
export function utf8Length(s: string): number {
  // Most log text is ASCII; Buffer.byteLength is native and counts exactly like the encoder.
  return Buffer.byteLength(s, 'utf8');
}

/** Cuts `s` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
export function cutUtf8(s: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let units = 1;
    let size: number;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        size = 4;
        units = 2;
      } else {
        size = 3;
      }
    } else size = 3;
    if (bytes + size > maxBytes) {
      pieces.push(s.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    i += units;
  }
  if (start < s.length || pieces.length === 0) pieces.push(s.slice(start));
  return pieces;
}

// ---------------------------------------------------------------------------------------------
// Deciding which lines start messages

interface Decided {
  line: string;
  isStart: boolean;
}

interface Classifier {
  /** Takes one line; returns the lines now decided (infer mode holds lines back while learning). */
  next(line: string): Decided[];
  finish(): Decided[];
}

function createClassifier(opts: SplitOptions): Classifier {
  switch (opts.mode) {
    case SplitMode.Line:
      return { next: (line) => [{ line, isStart: true }], finish: () => [] };
    case SplitMode.Request: {
      let isFirst = true;
      const next = (line: string): Decided[] => {
        const isStart = isFirst && !isBlank(line);
        if (isStart) isFirst = false;
        return [{ line, isStart }];
      };
      return { next, finish: () => [] };
    }
    case SplitMode.Regex: {
      if (opts.boundary === undefined) throw new TypeError('regex mode needs a boundary');
      const full = toFullLineRegex(opts.boundary);
      return { next: (line) => [{ line, isStart: full.test(line) }], finish: () => [] };
    }
    case SplitMode.Infer:
      return createInferClassifier(opts.inferSampleLines ?? DEFAULT_INFER_SAMPLE_LINES);
  }
}

/** A boundary must match the whole line, as Sumo's Boundary Regex does. */
function toFullLineRegex(boundary: LinearRegex | string): { test(line: string): boolean } {
  let regex = boundary;
  if (typeof regex === 'string') {
    const compiled = compileLinearRegex(regex);
    if (!compiled.ok) throw new TypeError(`invalid boundary regex: ${compiled.message}`);
    regex = compiled.regex;
  }
  const whole = regex;
  return { test: (line) => whole.testWhole(line) };
}

/** Where a line has a timestamp: at its start (after at most a short `[` / `<PRI>` prefix), later in it, or nowhere. */
type TimestampPlace = 'start' | 'inside' | 'none';

function timestampPlace(line: string): TimestampPlace {
  const c = line.charCodeAt(0);
  if (c === 32 || c === 9) return 'none';
  const ts = detectTimestamp(line, { referenceTime: 0 });
  if (ts === undefined) return 'none';
  return ts.start <= 5 || (c === 123 && ts.format.startsWith('json:')) ? 'start' : 'inside';
}

/** True when the line starts with a timestamp (after at most a short `[` / `<PRI>` prefix). */
export function startsWithTimestamp(line: string): boolean {
  return timestampPlace(line) === 'start';
}

const JAVA_EXCEPTION = /^(?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::|$)/;
const JAVA_MORE = /^\.\.\. \d+ (?:more|common frames omitted)/;
const PY_EXCEPTION = /^[A-Za-z_][\w.]*(?::|$)/;

/**
 * A Go stack frame's function line, `pkg/path/pkg.(*T).Method(0x1, …)`: an optional package path
 * ending in `/`, a name of word characters and `.-*()[]`, then an argument list to the end of the
 * line. Checked in one pass: the regex form of this (a name that may hold `(` before `\(.*\)`)
 * backtracks polynomially on a line of parentheses.
 */
function isGoFrame(line: string): boolean {
  if (line.length < 3 || !line.endsWith(')')) return false;
  const isPathChar = (c: string): boolean => /[\w.\-/]/.test(c);
  const isNameChar = (c: string): boolean => /[\w.\-*()[\]]/.test(c);
  const slash = line.lastIndexOf('/', line.indexOf('('));
  // Everything up to the path's last `/` (before the first `(`) must be path characters.
  for (let i = 0; i < slash; i++) if (!isPathChar(line[i]!)) return false;
  // Then a name of at least one character, and a `(` after it that opens the argument list.
  for (let i = slash + 1; i < line.length - 1; i++) {
    const c = line[i]!;
    if (c === '(' && i > slash + 1) return true;
    if (!isNameChar(c)) return false;
  }
  return false;
}

type TraceState = 'none' | 'python' | 'go';

/** Stateless continuation test, used both while learning and per line. */
function looksLikeContinuation(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c === 32 || c === 9) return true; // indented: `\tat …`, `  File "…"`, wrapped text
  if (c === 125 || c === 93 || c === 41) return true; // `}` `]` `)` closing a pretty-printed block
  if (c === 97 && line.startsWith('at ')) return true;
  if (c === 67 && line.startsWith('Caused by:')) return true;
  if (c === 83 && line.startsWith('Suppressed:')) return true;
  if (c === 46 && JAVA_MORE.test(line)) return true;
  if (c === 84 && line.startsWith('Traceback (most recent call last):')) return true;
  if (c === 103 && /^goroutine \d+ \[/.test(line)) return true;
  if (c === 68 && line.startsWith('During handling of the above exception')) return true;
  if (c === 84 && line.startsWith('The above exception was the direct cause')) return true;
  return JAVA_EXCEPTION.test(line);
}

function createInferClassifier(sampleLines: number): Classifier {
  let sample: string[] | undefined = [];
  let isTimestampLed = false;
  let trace: TraceState = 'none';

  const decide = (line: string): Decided => {
    if (isTimestampLed) {
      // Timestamp-led streams: a line starting with a timestamp starts a message; so does a line
      // that carries its own timestamp further in (an access-log or JSON line in a mixed stream)
      // unless it looks like a stack-trace continuation. Lines without a timestamp continue.
      const place = timestampPlace(line);
      return { line, isStart: place === 'start' || (place === 'inside' && !looksLikeContinuation(line)) };
    }
    if (isBlank(line)) return { line, isStart: false };
    if (line.startsWith('Traceback (most recent call last):')) trace = 'python';
    else if (/^goroutine \d+ \[/.test(line)) trace = 'go';
    if (looksLikeContinuation(line)) return { line, isStart: false };
    if (trace === 'python' && PY_EXCEPTION.test(line)) {
      trace = 'none'; // the exception line ends the traceback
      return { line, isStart: false };
    }
    if (
      trace === 'go' &&
      (isGoFrame(line) || line.startsWith('created by ') || /^exit status \d+$/.test(line))
    ) {
      return { line, isStart: false };
    }
    trace = 'none';
    return { line, isStart: true };
  };

  const learn = (lines: string[]): void => {
    let candidates = 0;
    let stamped = 0;
    for (const line of lines) {
      if (isBlank(line) || looksLikeContinuation(line)) continue;
      candidates++;
      if (startsWithTimestamp(line)) stamped++;
    }
    isTimestampLed = candidates > 0 && stamped * 2 >= candidates;
  };

  const release = (): Decided[] => {
    const lines = sample ?? [];
    sample = undefined;
    learn(lines);
    return lines.map(decide);
  };

  return {
    next(line) {
      if (sample === undefined) return [decide(line)];
      sample.push(line);
      return sample.length >= sampleLines ? release() : [];
    },
    finish: () => (sample === undefined ? [] : release()),
  };
}
