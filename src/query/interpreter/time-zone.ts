/**
 * Time-zone arithmetic with Intl only (no tz database dependency): the UTC offset of an IANA zone
 * at an instant, wall-clock fields, and the inverse (wall clock → instant).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone (IANA name, `UTC`, or a fixed offset like `+05:30`). */
export function isValidTimeZone(timeZone: string): boolean {
  if (parseFixedOffset(timeZone) !== null) return true;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const fixedOffsets = new Map<string, number | null>();

/** `+05:30`, `-0800`, `UTC+2`, `GMT-03:00` → offset in ms; null when not a fixed offset. */
export function parseFixedOffset(zone: string): number | null {
  // Asked for every bucket of every timeslice and histogram count: remembered per zone string.
  let offset = fixedOffsets.get(zone);
  if (offset === undefined) {
    const m = /^(?:UTC|GMT|Z)?([+-])(\d{1,2}):?(\d{2})?$/i.exec(zone.trim());
    if (m === null) offset = /^(UTC|GMT|Z)$/i.test(zone.trim()) ? 0 : null;
    else offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3_600_000 + Number(m[3] ?? '0') * 60_000);
    if (fixedOffsets.size >= 1_000) fixedOffsets.clear();
    fixedOffsets.set(zone, offset);
  }
  return offset;
}

/** Wall-clock fields of an instant in a zone. */
export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  offsetMs: number;
}

const offsetCache = new Map<string, Map<number, number>>();

/** The zone's UTC offset (ms, east positive) at `epochMs`. */
export function zoneOffset(timeZone: string, epochMs: number): number {
  const fixed = parseFixedOffset(timeZone);
  if (fixed !== null) return fixed;
  // Offsets change at most at whole-minute instants; cache by minute.
  const minute = Math.floor(epochMs / 60_000);
  let cache = offsetCache.get(timeZone);
  if (cache === undefined) {
    cache = new Map();
    offsetCache.set(timeZone, cache);
  }
  const hit = cache.get(minute);
  if (hit !== undefined) return hit;
  const parts = formatterFor(timeZone).formatToParts(new Date(minute * 60_000));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? '0');
  let year = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const asUtc = Date.UTC(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = asUtc - minute * 60_000;
  if (cache.size > 100_000) cache.clear();
  cache.set(minute, offset);
  return offset;
}

/** Wall-clock fields of `epochMs` in `timeZone`. */
export function toWallClock(epochMs: number, timeZone: string): WallClock {
  const offsetMs = zoneOffset(timeZone, epochMs);
  const d = new Date(epochMs + offsetMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
    offsetMs,
  };
}

/**
 * The instant whose wall clock in `timeZone` reads `localMs` (wall clock encoded as if UTC).
 * In a DST gap the later offset is used; in an overlap the earlier instant wins.
 */
export function fromWallClock(localMs: number, timeZone: string): number {
  const o1 = zoneOffset(timeZone, localMs);
  let t = localMs - o1;
  const o2 = zoneOffset(timeZone, t);
  if (o2 !== o1) {
    const t2 = localMs - o2;
    t = zoneOffset(timeZone, t2) === o2 ? t2 : t;
  }
  // Prefer the earlier instant of an overlap.
  const earlier = t - 3_600_000;
  if (earlier + zoneOffset(timeZone, earlier) === localMs) return earlier;
  return t;
}
