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
