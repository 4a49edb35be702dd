/** Small text helpers that would otherwise be regexes with super-linear worst cases. */

/** `text` without the run of `chars` at its end (`/[chars]+$/` backtracks quadratically on a long run). */
export function trimEndOf(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** True when `text` is exactly `length` hexadecimal digits. */
export function isHex(text: string, length: number): boolean {
  return text.length === length && /^[0-9a-fA-F]*$/.test(text);
}

/** The digits at `pos` (at most `maxWidth` of them when given; a leading sign when `signed`), or null. */
export function digitsAt(text: string, pos: number, options: { maxWidth?: number; signed?: boolean } = {}): string | null {
  let end = pos;
  if (options.signed && (text[end] === '+' || text[end] === '-')) end++;
  const start = end;
  const limit = options.maxWidth !== undefined && options.maxWidth > 0 ? start + options.maxWidth : Infinity;
  while (end < text.length && end < limit && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
  return end === start ? null : text.slice(pos, end);
}

/**
 * Reads a text line by line without splitting it up front (`split('\n')` of a 100 MB body builds
 * millions of strings in one go: ~1 s on the event loop). `position` can be saved and restored.
 */
export class LineCursor {
  position = 0;

  constructor(private readonly text: string) {}

  /** The next line without its `\n` (a `\r` before it is kept), or undefined at the end: the lines of `split('\n')`. */
  next(): string | undefined {
    const { text } = this;
    if (this.position > text.length) return undefined;
    const newline = text.indexOf('\n', this.position);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(this.position, end);
    this.position = newline < 0 ? text.length + 1 : newline + 1;
    return line;
  }
}

/**
 * The lines of UTF-8 bytes, each decoded as it is read (like LineCursor over the decoded text,
 * without holding a string of the whole input). `position` is a byte offset.
 */
export class ByteLineCursor {
  position = 0;

  constructor(private readonly bytes: Buffer) {}

  next(): string | undefined {
    const { bytes } = this;
    if (this.position > bytes.length) return undefined;
    const newline = bytes.indexOf(0x0a, this.position);
    const end = newline < 0 ? bytes.length : newline;
    const line = bytes.toString('utf8', this.position, end);
    this.position = newline < 0 ? bytes.length + 1 : newline + 1;
    return line;
  }
}
