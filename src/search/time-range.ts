import { ErrorCode } from '../core/errors.js';
import { fromWallClock, isValidTimeZone } from '../query/interpreter/time-zone.js';
import { MAX_STORABLE_MS, MIN_STORABLE_MS } from '../store/row-encoding.js';
import { SearchErrorCode, searchError } from './search-error.js';

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses a search job's `from`/`to`: epoch milliseconds (number or digits), ISO-8601 with a zone,
 * or ISO-8601 without one, read in `timeZone` (as Sumo's API does).
 */
export function parseSearchTime(value: unknown, which: 'from' | 'to', timeZone: string): number {
  const ms = parseSearchTimeUnbounded(value, which, timeZone);
  // Stored times lie within these bounds; a number beyond them is a mistake, not a wider search.
  if (ms < MIN_STORABLE_MS - 86_400_000 || ms > MAX_STORABLE_MS + 86_400_000) {
    throw searchError(
      ErrorCode.BadRequest,
      which === 'from' ? SearchErrorCode.InvalidFrom : SearchErrorCode.InvalidTo,
      `"${which}" must lie between 1900-01-01 and 2299-12-31 (got ${JSON.stringify(value)?.slice(0, 40)})`,
    );
  }
  return ms;
}

function parseSearchTimeUnbounded(value: unknown, which: 'from' | 'to', timeZone: string): number {
  const code = which === 'from' ? SearchErrorCode.InvalidFrom : SearchErrorCode.InvalidTo;
  const fail = () =>
    searchError(
      ErrorCode.BadRequest,
      code,
      `"${which}" must be epoch milliseconds, an ISO-8601 date-time, "now" or a time back from now like "-15m", "-1h", "-7d" (got ${JSON.stringify(value)?.slice(0, 40)})`,
    );
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw fail();
    return Math.trunc(value);
  }
  if (typeof value !== 'string' || value.trim() === '') throw fail();
  const text = value.trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  const relative = relativeTime(text, Date.now());
  if (relative !== undefined) return relative;
  if (ISO_ZONED.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    if (Number.isNaN(ms)) throw fail();
    return ms;
  }
  const m = ISO_LOCAL.exec(text);
  if (!m) throw fail();
  const [, y, mo, d, h, mi, s, frac] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), Number((frac ?? '0').padEnd(3, '0').slice(0, 3)));
  const check = new Date(local);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) throw fail();
  return fromWallClock(local, timeZone);
}

/** Validates the job's time zone (IANA name, UTC, or ±hh:mm). */
export function parseTimeZone(value: unknown, required: boolean): string {
  if (value === undefined || value === null || value === '') {
    if (required) {
      throw searchError(ErrorCode.BadRequest, SearchErrorCode.EmptyTimeZone, '"timeZone" is required to read a date-time without a zone in from/to (add one, e.g. "Europe/Berlin", or write the times with Z or an offset)');
    }
    return 'UTC';
  }
  if (typeof value !== 'string' || !isValidTimeZone(value)) {
    throw searchError(
      ErrorCode.BadRequest,
      SearchErrorCode.UnknownTimeZone,
      `unknown time zone ${JSON.stringify(value)?.slice(0, 40)}: use an IANA name such as "Europe/Berlin", "UTC", or an offset like "+05:30"`,
    );
  }
  return value;
}

const RELATIVE = /^-(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `now`, or a time back from now (`-15m`, `-1h`, `-7d`, `-2w`), as the time picker writes them. */
function relativeTime(text: string, now: number): number | undefined {
  if (text === 'now') return now;
  const m = RELATIVE.exec(text);
  return m === null ? undefined : now - Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** True when the value is a wall-clock time without a zone: only then is a time zone needed to read it. */
export function needsTimeZone(value: unknown): boolean {
  return typeof value === 'string' && ISO_LOCAL.test(value.trim());
}
