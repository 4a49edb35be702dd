/**
 * Free-text detection: the single left-to-right pass over a line ({@link scanRange}) and the shapes
 * it dispatches to (ymd / ISO 8601 / RFC 5424, CLF, month-first syslog and ctime, epoch numbers).
 */
import { CharCode, digitRun, digitsAt, isDigit, isLetter, monthAt, WEEKDAYS } from './chars.js';
import { hit, type Hit, TimestampFormat } from './hit.js';
import {
  type Ctx,
  inferYear,
  isValidCivil,
  newFields,
  parseOffset,
  parseSpacedZone,
  parseTime,
  toEpoch,
} from './civil.js';

// Module-local copies, so V8 folds them (see CharCode).
const {
  CH_COLON,
  CH_COMMA,
  CH_DASH,
  CH_DOT,
  CH_GT,
  CH_LBRACKET,
  CH_LT,
  CH_SLASH,
  CH_SPACE,
  CH_T,
  CH_t,
} = CharCode;

/** Only this many leading characters are searched (JSON fields excepted). */
export const SCAN_LIMIT = 200;

const MIN_EPOCH_MS = Date.UTC(2000, 0, 1);
const MAX_EPOCH_MS = Date.UTC(2100, 0, 1);

/** `yyyy-MM-dd[T ]HH:mm:ss…` or `yyyy/MM/dd HH:mm:ss…` starting at `i` (4 digits already seen). */
function parseYmd(s: string, i: number, ctx: Ctx, rfc5424At: number): Hit | undefined {
  const f = newFields();
  f.year = digitsAt(s, i, 4);
  const dateSep = s.charCodeAt(i + 4);
  f.month = digitsAt(s, i + 5, 2);
  if (f.month < 0 || s.charCodeAt(i + 7) !== dateSep) return undefined;
  f.day = digitsAt(s, i + 8, 2);
  if (f.day < 0) return undefined;
  const sep = s.charCodeAt(i + 10);
  const isT = sep === CH_T || sep === CH_t;
  if (!isT && sep !== CH_SPACE) return undefined;
  if (isT && dateSep !== CH_DASH) return undefined;
  const time = parseTime(s, i + 11, f);
  if (time < 0) return undefined;
  let end = time;
  if (isT) {
    end = parseOffset(s, end, f, true);
  } else {
    const attached = parseOffset(s, end, f, false);
    end = attached !== end ? attached : parseSpacedZone(s, end, f);
  }
  if (isDigit(s.charCodeAt(end)) || !isValidCivil(f)) return undefined;
  let format: string;
  if (dateSep === CH_SLASH) format = TimestampFormat.YmdSlash;
  else if (isT) format = i === rfc5424At ? TimestampFormat.Rfc5424 : TimestampFormat.Iso8601;
  else if (f.fractionSep === CH_COMMA) format = TimestampFormat.YmdHmsComma;
  else if (f.fractionSep === CH_DOT) format = TimestampFormat.YmdHmsDot;
  else format = TimestampFormat.YmdHms;
  return hit(toEpoch(f, ctx), format, i, end);
}

/** `dd/MMM/yyyy:HH:mm:ss[ Z]` starting at `i` with a digit run of length `n` (1 or 2). */
function parseClf(s: string, i: number, n: number, ctx: Ctx): Hit | undefined {
  const f = newFields();
  f.day = digitsAt(s, i, n);
  let j = i + n + 1;
  f.month = monthAt(s, j);
  if (f.month === 0 || s.charCodeAt(j + 3) !== CH_SLASH) return undefined;
  j += 4;
  f.year = digitsAt(s, j, 4);
  if (f.year < 0 || s.charCodeAt(j + 4) !== CH_COLON) return undefined;
  const time = parseTime(s, j + 5, f);
  if (time < 0) return undefined;
  const end = parseSpacedZone(s, time, f);
  if (isDigit(s.charCodeAt(end)) || !isValidCivil(f)) return undefined;
  return hit(toEpoch(f, ctx), TimestampFormat.Clf, i, end);
}

/** `MMM [d]d HH:mm:ss[.f][ yyyy]`, optionally preceded by a weekday, with the month name at `i`. */
function parseMonthFirst(s: string, i: number, month: number, ctx: Ctx): Hit | undefined {
  if (s.charCodeAt(i + 3) !== CH_SPACE) return undefined;
  const f = newFields();
  f.month = month;
  let j = i + 4;
  if (s.charCodeAt(j) === CH_SPACE) j++; // `Feb  5`
  const dayLen = digitRun(s, j, j + 3);
  if (dayLen < 1 || dayLen > 2 || s.charCodeAt(j + dayLen) !== CH_SPACE) return undefined;
  f.day = digitsAt(s, j, dayLen);
  const time = parseTime(s, j + dayLen + 1, f);
  if (time < 0) return undefined;
  let end = time;
  let start = i;
  let year = -1;
  if (s.charCodeAt(end) === CH_SPACE && digitRun(s, end + 1, end + 6) === 4) {
    year = digitsAt(s, end + 1, 4);
    end += 5;
  }
  if (isDigit(s.charCodeAt(end))) return undefined;
  if (year >= 0) {
    f.year = year;
    if (!isValidCivil(f)) return undefined;
    if (i >= 4 && s.charCodeAt(i - 1) === CH_SPACE && WEEKDAYS.has(s.substr(i - 4, 3).toLowerCase())) {
      if (i === 4 || !isLetter(s.charCodeAt(i - 5))) start = i - 4;
    }
    return hit(toEpoch(f, ctx), TimestampFormat.Ctime, start, end);
  }
  // `1990 Oct 22 10:52:01` (seen in RFC 3164's examples): a year right before the month.
  if (i >= 5 && s.charCodeAt(i - 1) === CH_SPACE && digitRun(s, i - 5, i) === 4) {
    const before = i > 5 ? s.charCodeAt(i - 6) : NaN;
    if (!isDigit(before) && !isLetter(before)) {
      f.year = digitsAt(s, i - 5, 4);
      if (!isValidCivil(f)) return undefined;
      return hit(toEpoch(f, ctx), TimestampFormat.Rfc3164, i - 5, end);
    }
  }
  f.year = 2000; // a leap year, so Feb 29 passes the shape check; inferYear picks the real one
  if (!isValidCivil(f)) return undefined;
  const ms = inferYear(f, ctx);
  return ms === undefined ? undefined : hit(ms, TimestampFormat.Rfc3164, start, end);
}

/**
 * Epoch number with `n` integer digits at `i` (optionally `.fraction` for seconds), when plausible.
 * Returns undefined when the digit count is not 10/13/16/19 or the value falls outside 2000–2100.
 */
export function parseEpoch(s: string, i: number, n: number, limit: number, prefix: string): Hit | undefined {
  let unit: string;
  if (n === 10) unit = TimestampFormat.EpochS;
  else if (n === 13) unit = TimestampFormat.EpochMs;
  else if (n === 16) unit = TimestampFormat.EpochUs;
  else if (n === 19) unit = TimestampFormat.EpochNs;
  else return undefined;
  // Read only the millisecond-significant digits, so 16/19-digit values never lose precision.
  let ms = digitsAt(s, i, Math.min(n, 13));
  let end = i + n;
  if (n === 10) {
    ms *= 1000;
    if (s.charCodeAt(end) === CH_DOT && isDigit(s.charCodeAt(end + 1))) {
      const fracLen = digitRun(s, end + 1, limit);
      let frac = digitsAt(s, end + 1, Math.min(fracLen, 3));
      for (let k = fracLen; k < 3; k++) frac *= 10;
      ms += frac;
      end += 1 + fracLen;
    }
  }
  // A number glued to letters, or part of a version / IP / date / time, is not an epoch.
  const next = s.charCodeAt(end);
  if (
    end < limit &&
    (isLetter(next) || next === CH_DOT || next === CH_COLON || next === CH_DASH || next === CH_SLASH)
  ) {
    return undefined;
  }
  if (ms < MIN_EPOCH_MS || ms >= MAX_EPOCH_MS) return undefined;
  return { ms, format: prefix === '' ? unit : prefix, start: i, end };
}

/** Offset where an RFC 5424 header's timestamp would start (`<34>1 `), or -1. */
export function syslog5424Start(s: string): number {
  if (s.charCodeAt(0) !== CH_LT) return -1;
  const pri = digitRun(s, 1, 5);
  if (pri < 1 || pri > 3 || s.charCodeAt(1 + pri) !== CH_GT) return -1;
  const ver = digitRun(s, 2 + pri, 5 + pri);
  if (ver < 1 || ver > 2 || s.charCodeAt(2 + pri + ver) !== CH_SPACE) return -1;
  return 3 + pri + ver;
}

/**
 * The single left-to-right pass over `s[from, to)`. Epoch numbers count only at `from` (or after a
 * `[` there); `prefix`, when set, replaces the format name (JSON fields).
 */
export function scanRange(
  s: string,
  from: number,
  to: number,
  ctx: Ctx,
  rfc5424At: number,
  prefix = '',
): Hit | undefined {
  let i = from;
  while (i < to) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      const n = digitRun(s, i, to);
      const prev = i > from ? s.charCodeAt(i - 1) : NaN;
      if (!isLetter(prev)) {
        const found = tryDigits(s, i, n, from, to, ctx, rfc5424At);
        if (found !== undefined) {
          if (prefix !== '') found.format = prefix;
          return found;
        }
      }
      i += n;
    } else if (isLetter(c)) {
      let j = i + 1;
      while (j < to && isLetter(s.charCodeAt(j))) j++;
      if (j - i === 3) {
        const month = monthAt(s, i);
        if (month !== 0) {
          const found = parseMonthFirst(s, i, month, ctx);
          if (found !== undefined) {
            if (prefix !== '') found.format = prefix;
            return found;
          }
        }
      }
      i = j;
    } else {
      i++;
    }
  }
  return undefined;
}

function tryDigits(
  s: string,
  i: number,
  n: number,
  from: number,
  to: number,
  ctx: Ctx,
  rfc5424At: number,
): Hit | undefined {
  const next = s.charCodeAt(i + n);
  if (n === 4 && (next === CH_DASH || next === CH_SLASH)) return parseYmd(s, i, ctx, rfc5424At);
  if ((n === 1 || n === 2) && next === CH_SLASH) return parseClf(s, i, n, ctx);
  if (n >= 10 && (i === from || (i === from + 1 && s.charCodeAt(from) === CH_LBRACKET))) {
    return parseEpoch(s, i, n, to, '');
  }
  return undefined;
}
