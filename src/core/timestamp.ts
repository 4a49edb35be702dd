/**
 * Timestamp detection for ingested log lines (Sumo Logic-style auto-detection, reference §2.4).
 *
 * It runs on every ingested line, so it never tries a list of regexes: one left-to-right pass over
 * the first {@link SCAN_LIMIT} characters looks only at the start of digit runs and letter runs and
 * dispatches on what follows (`2015-` → ISO family, `17/May/` → CLF, `Oct ` → syslog …). The first
 * (leftmost) candidate that parses into a valid date wins; invalid dates (Feb 30, hour 25) are
 * skipped and the scan continues. JSON objects are handled first: a top-level time field
 * ({@link JSON_TIME_FIELDS}: `timestamp`, `@timestamp`, `time`, `eventTime` …) wins over anything
 * else in the line, wherever it is. A per-source locator (a regex with a capture group) comes first.
 *
 * `format` names (stable; stored with each message and shown to users — see docs/timestamps.md):
 *
 * | name            | shape                                                    |
 * |-----------------|----------------------------------------------------------|
 * | `iso8601`       | `2003-10-11T22:14:15.003Z`, `…T22:14:15+02:00`, no zone  |
 * | `rfc5424`       | ISO timestamp in a `<PRI>VERSION ` syslog header         |
 * | `rfc3164`       | `Oct 11 22:14:15` (year inferred, see below); `1990 Oct 22 10:52:01` |
 * | `ctime`         | `Mon Dec 26 16:22:08 2016` (optional fraction / weekday)  |
 * | `clf`           | `17/May/2015:10:05:03 +0000` (Apache/nginx access logs)  |
 * | `ymd_hms`       | `2015-05-17 10:05:03`                                    |
 * | `ymd_hms_comma` | `2015-05-17 10:05:03,123` (log4j/logback default)        |
 * | `ymd_hms_dot`   | `2015-05-17 10:05:03.123`                                |
 * | `ymd_slash`     | `2016/10/25 14:49:34` (nginx error log)                  |
 * | `epoch_s`       | 10 digits at line start, optional `.fraction`            |
 * | `epoch_ms`      | 13 digits at line start                                  |
 * | `epoch_us`      | 16 digits at line start                                  |
 * | `epoch_ns`      | 19 digits at line start                                  |
 * | `json:<key>`    | JSON line, top-level `<key>` field (string or number)    |
 * | `custom`        | matched the per-source `opts.format` pattern             |
 *
 * Rules worth knowing:
 * - Without a zone in the text, `defaultTimeZone` applies (IANA name, `UTC`, or `±hh:mm`; default UTC).
 * - Fractions of any length are truncated (not rounded) to milliseconds.
 * - Epoch numbers count only at the very start of the line (or right after a leading `[`), and only
 *   when they fall in 2000-01-01 … 2100-01-01, so ids, sizes and counters do not become times.
 * - Year-less syslog times take the latest year that puts them at most one day after `referenceTime`
 *   (default: now), so `Dec 31 23:59:59` received on Jan 1 lands in the previous year.
 * - A per-source `opts.format` is tried first; when it matches nothing, auto-detection runs, as Sumo
 *   Logic does for its custom formats. An invalid pattern throws an `invalid_config` AppError —
 *   validate it when the source is configured with {@link validateTimestampFormat}.
 */
import { AppError, ErrorCode } from './errors.js';
import { compileLinearRegex, type LinearRegex } from './linear-regex.js';

export interface DetectTimestampOptions {
  /** Per-source pattern in Java SimpleDateFormat style, e.g. `yyyy-MM-dd HH:mm:ss,SSS`. */
  format?: string;
  /** Zone for timestamps that carry none: IANA name (`Europe/Berlin`), `UTC`, or `±hh:mm`. */
  defaultTimeZone?: string;
  /** Epoch ms used to pick the year of year-less timestamps; defaults to `Date.now()`. */
  referenceTime?: number;
  /**
   * Per-source timestamp locator (Sumo's): a regex whose first capture group is the timestamp,
   * anywhere in the message. The group is read with `format` when given, else auto-detected; when
   * the locator or its group finds nothing, detection goes on as without it.
   */
  locator?: LinearRegex;
}

export interface DetectedTimestamp {
  /** Epoch milliseconds (UTC). */
  ms: number;
  /** How the timestamp was found; one of the names in the table above. */
  format: string;
  /** Offset of the first character of the timestamp in the line. */
  start: number;
  /** Offset just past the last character of the timestamp. */
  end: number;
}

/** Stable names for the `format` field. */
export const TimestampFormat = {
  Iso8601: 'iso8601',
  Rfc5424: 'rfc5424',
  Rfc3164: 'rfc3164',
  Ctime: 'ctime',
  Clf: 'clf',
  YmdHms: 'ymd_hms',
  YmdHmsComma: 'ymd_hms_comma',
  YmdHmsDot: 'ymd_hms_dot',
  YmdSlash: 'ymd_slash',
  EpochS: 'epoch_s',
  EpochMs: 'epoch_ms',
  EpochUs: 'epoch_us',
  EpochNs: 'epoch_ns',
  Custom: 'custom',
} as const;

/**
 * Names of the top-level JSON fields that hold a record's time, most telling first: where several
 * are present (GCP's `receiveTimestamp` before its `timestamp`, OTel's `observedTimeUnixNano` beside
 * `timeUnixNano`), the earliest in this list wins, wherever each is in the object. Common producers:
 * `timestamp` (GCP, many libraries), `@timestamp` (ECS, Logstash), `time` (Kubernetes, Docker,
 * logrus), `ts` (zap), `eventTime` (CloudTrail), `timeUnixNano` / `observedTimeUnixNano` (OTLP/JSON),
 * `@t` (Serilog CLEF), `datetime`, `receiveTimestamp` (GCP, when the event time is missing).
 */
export const JSON_TIME_FIELDS = [
  'timestamp',
  '@timestamp',
  'time',
  'ts',
  'eventTime',
  'timeUnixNano',
  '@t',
  'datetime',
  'observedTimeUnixNano',
  'receiveTimestamp',
] as const;
const JSON_TIME_RANK = new Map<string, number>(JSON_TIME_FIELDS.map((key, rank) => [key, rank]));
const JSON_TIME_KEY_MAX = Math.max(...JSON_TIME_FIELDS.map((key) => key.length));

/** Only this many leading characters are searched (JSON fields excepted). */
export const SCAN_LIMIT = 200;

const MIN_EPOCH_MS = Date.UTC(2000, 0, 1);
const MAX_EPOCH_MS = Date.UTC(2100, 0, 1);
const DAY_MS = 86_400_000;

/** Finds the leftmost timestamp in `line`, or undefined when there is none. */
export function detectTimestamp(
  line: string,
  opts: DetectTimestampOptions = {},
): DetectedTimestamp | undefined {
  const ctx: Ctx = {
    zone: resolveZone(opts.defaultTimeZone),
    referenceTime: opts.referenceTime ?? Date.now(),
  };
  if (opts.locator !== undefined) {
    const found = locate(line, opts.locator, opts.format, ctx);
    if (found !== undefined) return found;
  }
  if (opts.format !== undefined && opts.format !== '') {
    const found = compilePattern(opts.format).find(line, ctx);
    if (found !== undefined) return found;
  }
  if (firstNonSpace(line) === CH_LBRACE) {
    const fromJson = detectInJson(line, ctx);
    if (fromJson !== undefined) return fromJson;
  }
  return scanRange(line, 0, Math.min(line.length, SCAN_LIMIT), ctx, syslog5424Start(line));
}

/** The timestamp in the locator's first capture group (the format's or any detected one). */
function locate(line: string, locator: LinearRegex, format: string | undefined, ctx: Ctx): DetectedTimestamp | undefined {
  const span = locator.exec(line)?.spans[1];
  if (span === undefined || span[1] <= span[0]) return undefined;
  const [start, end] = span;
  const text = line.slice(start, end);
  const found =
    format !== undefined && format !== ''
      ? compilePattern(format).find(text, ctx)
      : scanRange(text, 0, Math.min(text.length, SCAN_LIMIT), ctx, -1);
  return found === undefined ? undefined : { ...found, start: found.start + start, end: found.end + start };
}

/** Returns an error message when `locator` is not a usable timestamp locator, else undefined. */
export function validateTimestampLocator(locator: string): string | undefined {
  const compiled = compileLinearRegex(locator);
  if (!compiled.ok) return compiled.message;
  if (compiled.regex.groupCount < 1) return 'it needs a capture group around the timestamp, e.g. "eventTime\\":\\"([^\\"]+)"';
  return undefined;
}

/** Returns an error message when `pattern` is not a usable per-source format, else undefined. */
export function validateTimestampFormat(pattern: string): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Returns an error message when `zone` is not a usable default time zone, else undefined. */
export function validateTimeZone(zone: string): string | undefined {
  try {
    resolveZone(zone);
    return undefined;
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Character helpers. charCodeAt returns NaN past the end, which fails every range test below, so
// bounds checks mostly come for free.

const CH_0 = 48;
const CH_9 = 57;
const CH_SPACE = 32;
const CH_TAB = 9;
const CH_LBRACE = 123;
const CH_RBRACE = 125;
const CH_LBRACKET = 91;
const CH_RBRACKET = 93;
const CH_QUOTE = 34;
const CH_BACKSLASH = 92;
const CH_COMMA = 44;
const CH_COLON = 58;
const CH_DOT = 46;
const CH_DASH = 45;
const CH_PLUS = 43;
const CH_SLASH = 47;
const CH_LT = 60;
const CH_GT = 62;
const CH_T = 84;
const CH_t = 116;
const CH_Z = 90;
const CH_z = 122;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== CH_SPACE && c !== CH_TAB && c !== 0xfeff) return c;
  }
  return NaN;
}

/** Value of exactly `n` digits at `i`, or -1. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - CH_0);
  }
  return v;
}

/** Length of the digit run starting at `i` (0 when `s[i]` is not a digit). */
function digitRun(s: string, i: number, limit: number): number {
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
const WEEKDAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** Month number (1–12) of a three-letter English month name at `i` (any case), or 0. */
function monthAt(s: string, i: number): number {
  const a = s.charCodeAt(i) | 0x20;
  const b = s.charCodeAt(i + 1) | 0x20;
  const c = s.charCodeAt(i + 2) | 0x20;
  if (a < 97 || a > 122 || b < 97 || b > 122 || c < 97 || c > 122) return 0;
  return MONTHS[String.fromCharCode(a, b, c)] ?? 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isValidCivil(f: Fields): boolean {
  return (
    // Years before 1000 are not log timestamps (and Date.UTC would read 0-99 as 1900-1999).
    f.year >= 1000 &&
    f.month >= 1 &&
    f.month <= 12 &&
    f.day >= 1 &&
    f.day <= daysInMonth(f.year, f.month) &&
    f.hour <= 23 &&
    f.minute <= 59 &&
    f.second <= 60 // a leap second rolls over into the next minute
  );
}

// ---------------------------------------------------------------------------------------------
// Time zones

type Zone = { kind: 'fixed'; offsetMs: number } | { kind: 'iana'; name: string; format: Intl.DateTimeFormat };

const UTC_ZONE: Zone = { kind: 'fixed', offsetMs: 0 };
const zoneCache = new Map<string, Zone>();

function resolveZone(name: string | undefined): Zone {
  if (name === undefined || name === '' || name === 'UTC' || name === 'Z' || name === 'GMT') return UTC_ZONE;
  const cached = zoneCache.get(name);
  if (cached !== undefined) return cached;
  let zone: Zone;
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(name);
  if (offset !== null) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3]);
    zone = { kind: 'fixed', offsetMs: (offset[1] === '-' ? -minutes : minutes) * 60_000 };
  } else {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error: unknown) {
      throw new AppError(ErrorCode.InvalidConfig, `unknown time zone "${name}"`, { cause: error });
    }
    zone = { kind: 'iana', name, format };
  }
  zoneCache.set(name, zone);
  return zone;
}

/** Offset cache per zone and 15-minute bucket: zone rules change at most every quarter hour. */
const offsetCache = new Map<string, number>();

function ianaOffsetAt(zone: Zone & { kind: 'iana' }, utcMs: number): number {
  const key = `${zone.name}|${Math.floor(utcMs / 900_000)}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const p: Record<string, number> = {};
  for (const part of zone.format.formatToParts(utcMs)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    p.year ?? 1970,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  const offset = wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/** Converts a wall-clock time (as if UTC) in `zone` to real UTC; a gap/overlap picks the earlier offset. */
function wallToUtc(wallMs: number, zone: Zone): number {
  if (zone.kind === 'fixed') return wallMs - zone.offsetMs;
  const first = ianaOffsetAt(zone, wallMs);
  const guess = wallMs - first;
  const second = ianaOffsetAt(zone, guess);
  return second === first ? guess : wallMs - second;
}

// ---------------------------------------------------------------------------------------------
// Parsing

interface Ctx {
  zone: Zone;
  referenceTime: number;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  /** Offset from UTC in ms, or undefined when the text carries no zone. */
  offsetMs: number | undefined;
  /** The fraction separator parseTime saw (`.` or `,`), 0 when there was no fraction. */
  fractionSep: number;
}

function newFields(): Fields {
  return { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millis: 0, offsetMs: undefined, fractionSep: 0 };
}

/**
 * Days from 1970-01-01 to a valid proleptic Gregorian date (month 1-12): Date.UTC's answer by
 * arithmetic, several times cheaper per line (eras of 400 years, years starting in March).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** `f` holds a valid civil time (isValidCivil): years >= 1000, so no Date.UTC two-digit-year mapping applies. */
function toEpoch(f: Fields, ctx: Ctx): number {
  const wall = ((daysFromCivil(f.year, f.month, f.day) * 24 + f.hour) * 60 + f.minute) * 60_000 + f.second * 1000 + f.millis;
  return f.offsetMs === undefined ? wallToUtc(wall, ctx.zone) : wall - f.offsetMs;
}

/** Picks the year for a year-less time: the latest one not more than a day after the reference. */
function inferYear(f: Fields, ctx: Ctx): number | undefined {
  const refYear = new Date(ctx.referenceTime).getUTCFullYear();
  for (let year = refYear + 1; year >= refYear - 8; year--) {
    f.year = year;
    if (!isValidCivil(f)) continue; // Feb 29 outside leap years
    const ms = toEpoch(f, ctx);
    if (ms <= ctx.referenceTime + DAY_MS) return ms;
  }
  return undefined;
}

/**
 * Parses `HH:mm:ss[.,fraction]` at `i` into `f` (the fraction separator in `f.fractionSep`); returns the end
 * offset, or -1.
 */
function parseTime(s: string, i: number, f: Fields): number {
  const h = digitsAt(s, i, 2);
  if (h < 0 || s.charCodeAt(i + 2) !== CH_COLON) return -1;
  const mi = digitsAt(s, i + 3, 2);
  if (mi < 0 || s.charCodeAt(i + 5) !== CH_COLON) return -1;
  const sec = digitsAt(s, i + 6, 2);
  if (sec < 0) return -1;
  f.hour = h;
  f.minute = mi;
  f.second = sec;
  let j = i + 8;
  const sep = s.charCodeAt(j);
  if ((sep === CH_DOT || sep === CH_COMMA) && isDigit(s.charCodeAt(j + 1))) {
    j++;
    let ms = 0;
    let n = 0;
    while (isDigit(s.charCodeAt(j))) {
      if (n < 3) ms = ms * 10 + (s.charCodeAt(j) - CH_0);
      n++;
      j++;
    }
    for (; n < 3; n++) ms *= 10;
    f.millis = ms;
    f.fractionSep = sep;
    return j;
  }
  return j;
}

/**
 * Parses a zone designator at `i`: `Z`, `±hh:mm`, `±hhmm`, or (when `allowBareHours`) `±hh`.
 * Returns the end offset and sets `f.offsetMs`, or returns `i` unchanged.
 */
function parseOffset(s: string, i: number, f: Fields, allowBareHours: boolean): number {
  const c = s.charCodeAt(i);
  if (c === CH_Z || c === CH_z) {
    f.offsetMs = 0;
    return i + 1;
  }
  if (c !== CH_PLUS && c !== CH_DASH) return i;
  const hh = digitsAt(s, i + 1, 2);
  if (hh < 0 || hh > 23) return i;
  let j = i + 3;
  if (s.charCodeAt(j) === CH_COLON) j++;
  const mm = digitsAt(s, j, 2);
  if (mm >= 0 && mm <= 59 && !isDigit(s.charCodeAt(j + 2))) {
    j += 2;
  } else if (allowBareHours && j === i + 3 && !isDigit(s.charCodeAt(j))) {
    // `+05` alone
  } else {
    return i;
  }
  const minutes = hh * 60 + (mm >= 0 && j > i + 3 ? mm : 0);
  f.offsetMs = (c === CH_DASH ? -minutes : minutes) * 60_000;
  return j;
}

/** ` +0000`, ` -07:00`, ` UTC`, ` GMT` after a space-separated time. */
function parseSpacedZone(s: string, i: number, f: Fields): number {
  if (s.charCodeAt(i) !== CH_SPACE) return i;
  const c = s.charCodeAt(i + 1);
  if (c === CH_PLUS || c === CH_DASH) {
    const j = parseOffset(s, i + 1, f, false);
    return j === i + 1 ? i : j;
  }
  const word = s.substr(i + 1, 3);
  if ((word === 'UTC' || word === 'GMT') && !isLetter(s.charCodeAt(i + 4))) {
    f.offsetMs = 0;
    return i + 4;
  }
  return i;
}

type Hit = DetectedTimestamp;

function hit(ms: number, format: string, start: number, end: number): Hit | undefined {
  return Number.isFinite(ms) ? { ms, format, start, end } : undefined;
}

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
function parseEpoch(s: string, i: number, n: number, limit: number, prefix: string): Hit | undefined {
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
function syslog5424Start(s: string): number {
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
function scanRange(
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

// ---------------------------------------------------------------------------------------------
// JSON lines: walk the top level of the object without parsing it (no allocation per line).

function detectInJson(s: string, ctx: Ctx): Hit | undefined {
  const n = s.length;
  let depth = 0;
  let expectKey = false;
  let i = 0;
  let best: Hit | undefined;
  let bestRank: number = JSON_TIME_FIELDS.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === CH_QUOTE) {
      const close = stringEnd(s, i + 1);
      if (close < 0) return best;
      if (depth === 1 && expectKey) {
        expectKey = false;
        const keyLen = close - i - 1;
        if (keyLen >= 2 && keyLen <= JSON_TIME_KEY_MAX) {
          const key = s.slice(i + 1, close);
          const rank = JSON_TIME_RANK.get(key);
          if (rank !== undefined && rank < bestRank) {
            const found = jsonValueTimestamp(s, close + 1, key, ctx);
            if (found !== undefined) {
              if (rank === 0) return found;
              best = found;
              bestRank = rank;
            }
          }
        }
      }
      i = close + 1;
    } else if (c === CH_LBRACE || c === CH_LBRACKET) {
      depth++;
      expectKey = depth === 1 && c === CH_LBRACE;
      i++;
    } else if (c === CH_RBRACE || c === CH_RBRACKET) {
      depth--;
      if (depth <= 0) return best;
      i++;
    } else {
      if (c === CH_COMMA && depth === 1) expectKey = true;
      i++;
    }
  }
  return best;
}

/** Offset of the closing quote of a JSON string whose body starts at `i`, or -1. */
function stringEnd(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === CH_BACKSLASH) j++;
    else if (c === CH_QUOTE) return j;
  }
  return -1;
}

function jsonValueTimestamp(s: string, afterKey: number, key: string, ctx: Ctx): Hit | undefined {
  let i = afterKey;
  while (s.charCodeAt(i) === CH_SPACE || s.charCodeAt(i) === CH_TAB) i++;
  if (s.charCodeAt(i) !== CH_COLON) return undefined;
  i++;
  while (s.charCodeAt(i) === CH_SPACE || s.charCodeAt(i) === CH_TAB) i++;
  const prefix = `json:${key}`;
  const c = s.charCodeAt(i);
  if (c === CH_QUOTE) {
    const close = stringEnd(s, i + 1);
    if (close < 0) return undefined;
    return scanRange(s, i + 1, Math.min(close, i + 1 + SCAN_LIMIT), ctx, -1, prefix);
  }
  if (isDigit(c)) {
    const n = digitRun(s, i, s.length);
    return parseEpoch(s, i, n, s.length, prefix);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Per-source patterns (Java SimpleDateFormat subset)

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

function compilePattern(pattern: string): CompiledPattern {
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
