/**
 * Character codes and the digit / month-name readers the timestamp scanners share. charCodeAt returns
 * NaN past the end, which fails every range test below, so bounds checks mostly come for free.
 */

/**
 * The character codes the scanners compare against. Each file copies the ones it uses into
 * module-local consts (`const { CH_SPACE } = CharCode;`) instead of importing them one by one: V8
 * folds a module's own consts into optimized code but loads (and hole-checks) an imported binding on
 * every use, which cost 5–8% of detection time in the per-character loops.
 */
export const CharCode = {
  CH_0: 48,
  CH_9: 57,
  CH_SPACE: 32,
  CH_TAB: 9,
  CH_LBRACE: 123,
  CH_RBRACE: 125,
  CH_LBRACKET: 91,
  CH_RBRACKET: 93,
  CH_QUOTE: 34,
  CH_BACKSLASH: 92,
  CH_COMMA: 44,
  CH_COLON: 58,
  CH_DOT: 46,
  CH_DASH: 45,
  CH_PLUS: 43,
  CH_SLASH: 47,
  CH_LT: 60,
  CH_GT: 62,
  CH_T: 84,
  CH_t: 116,
  CH_Z: 90,
  CH_z: 122,
} as const;

const { CH_0, CH_9, CH_SPACE, CH_TAB } = CharCode;

/** `0`–`9`. */
export function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** ASCII `A`–`Z`, `a`–`z`. */
export function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Code of the first character that is not a space, tab or BOM, or NaN. */
export function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== CH_SPACE && c !== CH_TAB && c !== 0xfeff) return c;
  }
  return NaN;
}

/** Value of exactly `n` digits at `i`, or -1. */
export function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - CH_0);
  }
  return v;
}

/** Length of the digit run starting at `i` (0 when `s[i]` is not a digit). */
export function digitRun(s: string, i: number, limit: number): number {
  let j = i;
  while (j < limit && isDigit(s.charCodeAt(j))) j++;
  return j - i;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
/** Three-letter English weekday names, lower case (a ctime weekday before the month). */
export const WEEKDAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** Month number (1–12) of a three-letter English month name at `i` (any case), or 0. */
export function monthAt(s: string, i: number): number {
  const a = s.charCodeAt(i) | 0x20;
  const b = s.charCodeAt(i + 1) | 0x20;
  const c = s.charCodeAt(i + 2) | 0x20;
  if (a < 97 || a > 122 || b < 97 || b > 122 || c < 97 || c > 122) return 0;
  return MONTHS[String.fromCharCode(a, b, c)] ?? 0;
}
