/**
 * Per-source timestamp formats: a Java SimpleDateFormat subset (`yyyy-MM-dd HH:mm:ss,SSS`), compiled
 * once per pattern (cached) into a matcher that scans the line's first SCAN_LIMIT characters.
 */
import { AppError, ErrorCode } from '../errors.js';
import { CharCode, digitRun, digitsAt, isDigit, isLetter, monthAt } from './chars.js';
import { hit, type Hit, TimestampFormat } from './hit.js';
import { type Ctx, inferYear, isValidCivil, newFields, parseOffset, toEpoch } from './civil.js';
import { SCAN_LIMIT } from './scan.js';

// Module-local copies, so V8 folds them (see CharCode).
const { CH_SPACE } = CharCode;

type Token =
  | { kind: 'literal'; text: string }
  | { kind: 'space' }
  | {
      kind: 'num';
      field: 'year' | 'month' | 'day' | 'hour' | 'hour12' | 'minute' | 'second';
      min: number;
      max: number;
    }
  | { kind: 'fraction' }
  | { kind: 'monthName'; full: boolean }
  | { kind: 'dayName' }
  | { kind: 'ampm' }
  | { kind: 'offset' }
  | { kind: 'zoneName' };

interface CompiledPattern {
  find(line: string, ctx: Ctx): Hit | undefined;
}

const patternCache = new Map<string, CompiledPattern>();

/** The matcher for `pattern` (cached); throws an `invalid_config` AppError when it is not usable. */
export function compilePattern(pattern: string): CompiledPattern {
  const cached = patternCache.get(pattern);
  if (cached !== undefined) return cached;
  const tokens = tokenizePattern(pattern);
  const hasYear = tokens.some((t) => t.kind === 'num' && t.field === 'year');
  const hasMonth = tokens.some((t) => (t.kind === 'num' && t.field === 'month') || t.kind === 'monthName');
  const hasDay = tokens.some((t) => t.kind === 'num' && t.field === 'day');
  if (!hasMonth || !hasDay) {
    throw new AppError(ErrorCode.InvalidConfig, `timestamp format "${pattern}" needs a month and a day`);
  }
  const first = tokens[0];
  const startsWithDigit = first !== undefined && (first.kind === 'num' || first.kind === 'fraction');
  const startsWithLetter = first !== undefined && (first.kind === 'monthName' || first.kind === 'dayName');
  // Cheap pre-check before a full match: the character right after a leading number, e.g. `/` in
  // `dd/MMM/yyyy`, rules out most candidate positions without allocating anything.
  const second = tokens[1];
  const afterFirstNumber =
    first?.kind === 'num' && second?.kind === 'literal' ? second.text.charCodeAt(0) : NaN;
  const compiled: CompiledPattern = {
    find(line, ctx) {
      const limit = Math.min(line.length, SCAN_LIMIT);
      for (let i = 0; i < limit; i++) {
        const c = line.charCodeAt(i);
        const prev = i > 0 ? line.charCodeAt(i - 1) : NaN;
        if (startsWithDigit && (!isDigit(c) || isDigit(prev))) continue;
        if (startsWithLetter && (!isLetter(c) || isLetter(prev))) continue;
        if (!Number.isNaN(afterFirstNumber)) {
          const run = digitRun(line, i, limit);
          if (line.charCodeAt(i + run) !== afterFirstNumber) {
            i += run - 1;
            continue;
          }
        }
        const found = matchTokens(tokens, line, i, ctx, hasYear);
        if (found !== undefined) return found;
      }
      return undefined;
    },
  };
  if (patternCache.size > 1000) patternCache.clear();
  patternCache.set(pattern, compiled);
  return compiled;
}

function tokenizePattern(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close < 0)
        throw new AppError(ErrorCode.InvalidConfig, `unterminated quote in timestamp format "${pattern}"`);
      tokens.push({ kind: 'literal', text: close === i + 1 ? "'" : pattern.slice(i + 1, close) });
      i = close + 1;
      continue;
    }
    if (ch === ' ') {
      while (pattern[i] === ' ') i++;
      tokens.push({ kind: 'space' });
      continue;
    }
    if (!/[A-Za-z]/.test(ch)) {
      tokens.push({ kind: 'literal', text: ch });
      i++;
      continue;
    }
    let j = i;
    while (pattern[j] === ch) j++;
    const len = j - i;
    tokens.push(letterToken(ch, len, pattern));
    i = j;
  }
  return tokens;
}

function letterToken(ch: string, len: number, pattern: string): Token {
  switch (ch) {
    case 'y':
      return len === 2
        ? { kind: 'num', field: 'year', min: 2, max: 2 }
        : { kind: 'num', field: 'year', min: 4, max: 4 };
    // Like Java's lenient parsing, `dd` also accepts `5` (syslog pads days with a space).
    case 'M':
      return len >= 3
        ? { kind: 'monthName', full: len >= 4 }
        : { kind: 'num', field: 'month', min: 1, max: 2 };
    case 'd':
      return { kind: 'num', field: 'day', min: 1, max: 2 };
    case 'H':
      return { kind: 'num', field: 'hour', min: 1, max: 2 };
    case 'h':
      return { kind: 'num', field: 'hour12', min: 1, max: 2 };
    case 'm':
      return { kind: 'num', field: 'minute', min: 1, max: 2 };
    case 's':
      return { kind: 'num', field: 'second', min: 1, max: 2 };
    case 'S':
      return { kind: 'fraction' };
    case 'E':
      return { kind: 'dayName' };
    case 'a':
      return { kind: 'ampm' };
    case 'Z':
    case 'X':
      return { kind: 'offset' };
    case 'z':
      return { kind: 'zoneName' };
    default:
      throw new AppError(
        ErrorCode.InvalidConfig,
        `unsupported letter "${ch}" in timestamp format "${pattern}"`,
      );
  }
}

function matchTokens(tokens: Token[], s: string, start: number, ctx: Ctx, hasYear: boolean): Hit | undefined {
  const f = newFields();
  let i = start;
  let hour12 = -1;
  let pm: boolean | undefined;
  for (const t of tokens) {
    switch (t.kind) {
      case 'literal':
        if (!s.startsWith(t.text, i)) return undefined;
        i += t.text.length;
        break;
      case 'space':
        if (s.charCodeAt(i) !== CH_SPACE) return undefined;
        while (s.charCodeAt(i) === CH_SPACE) i++;
        break;
      case 'num': {
        const n = digitRun(s, i, i + t.max);
        if (n < t.min) return undefined;
        const v = digitsAt(s, i, n);
        i += n;
        if (t.field === 'year') f.year = t.max === 2 ? 2000 + v : v;
        else if (t.field === 'hour12') hour12 = v;
        else f[t.field] = v;
        break;
      }
      case 'fraction': {
        const n = digitRun(s, i, s.length);
        if (n < 1) return undefined;
        let ms = digitsAt(s, i, Math.min(n, 3));
        for (let k = n; k < 3; k++) ms *= 10;
        f.millis = ms;
        i += n;
        break;
      }
      case 'monthName': {
        const m = monthAt(s, i);
        if (m === 0) return undefined;
        f.month = m;
        i += 3;
        if (t.full) while (isLetter(s.charCodeAt(i))) i++;
        break;
      }
      case 'dayName':
      case 'zoneName': {
        const wordStart = i;
        while (isLetter(s.charCodeAt(i))) i++;
        if (i === wordStart) return undefined;
        const word = s.slice(wordStart, i);
        if (t.kind === 'zoneName' && (word === 'UTC' || word === 'GMT' || word === 'Z')) f.offsetMs = 0;
        break;
      }
      case 'ampm': {
        const w = s.substr(i, 2).toUpperCase();
        if (w !== 'AM' && w !== 'PM') return undefined;
        pm = w === 'PM';
        i += 2;
        break;
      }
      case 'offset': {
        const j = parseOffset(s, i, f, true);
        if (j === i) return undefined;
        i = j;
        break;
      }
    }
  }
  if (hour12 >= 0) {
    if (hour12 < 1 || hour12 > 12) return undefined;
    f.hour = (hour12 % 12) + (pm === true ? 12 : 0);
  }
  if (hasYear) {
    if (!isValidCivil(f)) return undefined;
    return hit(toEpoch(f, ctx), TimestampFormat.Custom, start, i);
  }
  f.year = 2000;
  if (!isValidCivil(f)) return undefined;
  const ms = inferYear(f, ctx);
  return ms === undefined ? undefined : hit(ms, TimestampFormat.Custom, start, i);
}
