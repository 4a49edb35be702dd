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
 *
 * This file is the public entry; the parts live in ./timestamp/: chars (character codes), zones,
 * civil (fields → epoch ms), hit (result and format names), scan (free text), json (JSON lines) and
 * source-format (per-source patterns).
 */
import { compileLinearRegex, type LinearRegex } from './linear-regex.js';
import { CharCode, firstNonSpace } from './timestamp/chars.js';
import type { Ctx } from './timestamp/civil.js';
import type { DetectedTimestamp } from './timestamp/hit.js';
import { detectInJson } from './timestamp/json.js';
import { SCAN_LIMIT, scanRange, syslog5424Start } from './timestamp/scan.js';
import { compilePattern } from './timestamp/source-format.js';
import { resolveZone } from './timestamp/zones.js';

// Module-local copies, so V8 folds them (see CharCode).
const { CH_LBRACE } = CharCode;

export { TimestampFormat, type DetectedTimestamp } from './timestamp/hit.js';
export { JSON_TIME_FIELDS } from './timestamp/json.js';
export { SCAN_LIMIT } from './timestamp/scan.js';

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
