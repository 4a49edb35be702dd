/**
 * Time ranges as the search page and its URL hold them. One end of a range is one of:
 * - `now` (or empty);
 * - relative: `-15m`, `-2d3h` (units s m h d w), exact durations back from now;
 * - calendar: `@d` (the start of today), `-1d@d` (of yesterday), `@w` (of this week, Monday),
 *   `-1w@w` (of the previous week): a relative part counted in wall-clock time, then snapped to the
 *   start of the unit, both in the search's time zone;
 * - epoch milliseconds (`1431820800000`, Sumo Logic's link form);
 * - ISO-8601 `YYYY-MM-DD[THH:mm[:ss[.fff]]]` with `Z`, an offset (`+02:00`, `+0200`, `+02`) or ` UTC`
 *   (an instant), or without one (wall-clock time in the search's time zone).
 */

export interface TimeRange {
  /** Any of the forms above. */
  start: string;
  /** Same forms; `now` (the default). */
  end: string;
}

export const DEFAULT_RANGE: TimeRange = { start: '-15m', end: 'now' };

export const PresetGroup = {
  /** A span back from now. */
  Relative: 'relative',
  /** Calendar days and weeks in the search's time zone. */
  Calendar: 'calendar',
} as const;
export type PresetGroup = (typeof PresetGroup)[keyof typeof PresetGroup];

export interface Preset {
  label: string;
  start: string;
  end: string;
  group: PresetGroup;
}

const relative = (label: string, start: string): Preset => ({
  label,
  start,
  end: 'now',
  group: PresetGroup.Relative,
});

/** Sumo Logic's presets: last 5 minutes … 30 days, today, yesterday, previous week (Monday–Sunday). */
export const PRESETS: readonly Preset[] = [
  relative('Last 5 minutes', '-5m'),
  relative('Last 15 minutes', '-15m'),
  relative('Last 30 minutes', '-30m'),
  relative('Last 60 minutes', '-1h'),
  relative('Last 3 hours', '-3h'),
  relative('Last 6 hours', '-6h'),
  relative('Last 12 hours', '-12h'),
  relative('Last 24 hours', '-24h'),
  relative('Last 7 days', '-7d'),
  relative('Last 30 days', '-30d'),
  { label: 'Today', start: '@d', end: 'now', group: PresetGroup.Calendar },
  { label: 'Yesterday', start: '-1d@d', end: '@d', group: PresetGroup.Calendar },
  { label: 'Previous week', start: '-1w@w', end: '@w', group: PresetGroup.Calendar },
];

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: DAY_MS,
  w: 7 * DAY_MS,
};
const UNIT_WORDS: Record<string, [string, string]> = {
  s: ['second', 'seconds'],
  m: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  w: ['week', 'weeks'],
};

const isNow = (text: string): boolean => text.trim() === '' || text.trim().toLowerCase() === 'now';

const RELATIVE = /^-((?:\d+[smhdw])+)$/;
const SNAPPED = /^(?:-((?:\d+[smhdw])+))?@([smhdw])$/;
/** Date, optional time (seconds and fraction optional), optional zone designator. */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(?:(Z| ?UTC)|([+-])(\d{2})(?::?(\d{2}))?)?$/i;
const EPOCH_MS = /^\d{10,}$/;

function sumDurations(parts: string): number {
  let total = 0;
  for (const part of parts.matchAll(/(\d+)([smhdw])/g)) total += Number(part[1]) * UNIT_MS[part[2]!]!;
  return total;
}

/** Milliseconds of a relative expression (`-2d3h` → 183 600 000), or undefined when it is not one. */
export function parseRelative(text: string): number | undefined {
  const match = RELATIVE.exec(text.trim());
  if (!match) return undefined;
  const total = sumDurations(match[1]!);
  return total > 0 ? total : undefined;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The offset of `timeZone` from UTC at instant `epochMs`, in ms (positive east of Greenwich). */
function zoneOffset(epochMs: number, timeZone: string): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** True when the browser knows the time zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    zoneOffset(0, timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant at which the wall clock of `timeZone` shows `wall` (a wall-clock time written as UTC ms).
 * A time that a DST change repeats is its first instant; one that it skips moves forward by the gap
 * (as java.time and Temporal do), so the start of a day is always that day's first instant.
 */
function wallToEpoch(wall: number, timeZone: string): number {
  const before = wall - zoneOffset(wall - DAY_MS, timeZone);
  const after = wall - zoneOffset(wall + DAY_MS, timeZone);
  const isExact = (epoch: number): boolean => epoch + zoneOffset(epoch, timeZone) === wall;
  const exact = [before, after].filter(isExact);
  if (exact.length > 0) return Math.min(...exact);
  return before;
}

/** The wall clock of `timeZone` at `epochMs`, written as UTC ms. */
function epochToWall(epochMs: number, timeZone: string): number {
  return epochMs + zoneOffset(epochMs, timeZone);
}

/** Parses ISO-8601 as the search page accepts it; `zoned` is the instant when it names its zone. */
function parseIso(text: string): { wall: number; zoned: number | undefined } | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, utc, sign, oh, om] = m;
  const ms = Number((frac ?? '0').padEnd(3, '0').slice(0, 3));
  const wall = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
    ms,
  );
  const check = new Date(wall);
  // Date.UTC rolls 2015-02-30 over to March: a date or time that does not exist is not a time.
  if (
    Number.isNaN(wall) ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCHours() !== Number(h ?? 0) ||
    check.getUTCMinutes() !== Number(mi ?? 0) ||
    check.getUTCSeconds() !== Number(s ?? 0)
  ) {
    return undefined;
  }
  if (utc !== undefined) return { wall, zoned: wall };
  if (sign === undefined) return { wall, zoned: undefined };
  if (Number(oh) > 23 || Number(om ?? 0) > 59) return undefined;
  const offset = (Number(oh) * 60 + Number(om ?? 0)) * 60_000;
  return { wall, zoned: sign === '+' ? wall - offset : wall + offset };
}

/** Epoch ms of a wall-clock time (`YYYY-MM-DDTHH:mm[:ss[.fff]]`) in a time zone. */
export function wallClockToEpoch(text: string, timeZone: string): number | undefined {
  const parsed = parseIso(text.trim());
  if (!parsed || parsed.zoned !== undefined) return undefined;
  return wallToEpoch(parsed.wall, timeZone);
}

/**
 * Wall-clock `YYYY-MM-DDTHH:mm` of an instant in a time zone, with `:ss` and `.fff` only when they are
 * not zero (the absolute inputs' value: it converts back to the same instant).
 */
export function epochToWallClock(epochMs: number, timeZone: string): string {
  return formatWall(epochToWall(epochMs, timeZone), 'T');
}

function formatWall(wall: number, separator: string): string {
  const iso = new Date(wall).toISOString();
  const date = iso.slice(0, 10);
  const precision = wall % 1000 !== 0 ? 23 : wall % 60_000 !== 0 ? 19 : 16;
  return `${date}${separator}${iso.slice(11, precision)}`;
}

/**
 * The absolute inputs' value for one end of a range: exact for a fixed time (it converts back to the
 * same instant), to the minute for `now` and spans back from it.
 */
export function pickerWallClock(text: string, timeZone: string, now: number): string | undefined {
  const epoch = resolveTime(text, timeZone, now);
  if (epoch === undefined || !isKnownTimeZone(timeZone)) return undefined;
  const isMoving = isNow(text) || parseRelative(text) !== undefined;
  return epochToWallClock(isMoving ? Math.floor(epoch / 60_000) * 60_000 : epoch, timeZone);
}

/** The start of the calendar unit containing `wall` (weeks start on Monday, as ISO 8601 has it). */
function snapWall(wall: number, unit: string): number {
  if (unit !== 'w') return wall - (((wall % UNIT_MS[unit]!) + UNIT_MS[unit]!) % UNIT_MS[unit]!);
  const day = wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS);
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return day - sinceMonday * DAY_MS;
}

/** Resolves one end of a range to epoch ms; undefined when the text is not a valid time. */
export function resolveTime(text: string, timeZone: string, now: number): number | undefined {
  const trimmed = text.trim();
  if (isNow(trimmed)) return now;
  const relative = parseRelative(trimmed);
  if (relative !== undefined) return now - relative;
  const snapped = SNAPPED.exec(trimmed);
  if (snapped) {
    // Counted on the wall clock, so `-1d@d` is yesterday even after a 23- or 25-hour day.
    const wall = epochToWall(now, timeZone) - sumDurations(snapped[1] ?? '');
    return wallToEpoch(snapWall(wall, snapped[2]!), timeZone);
  }
  if (EPOCH_MS.test(trimmed)) return Number(trimmed);
  const iso = parseIso(trimmed);
  if (!iso) return undefined;
  return iso.zoned ?? wallToEpoch(iso.wall, timeZone);
}

/** Both ends as epoch ms, or an error message a person can act on. */
export function resolveRange(
  range: TimeRange,
  timeZone: string,
  now: number,
): { from: number; to: number } | { error: string } {
  if (!isKnownTimeZone(timeZone))
    return { error: `"${timeZone}" is not a time zone: pick one from the list` };
  const from = resolveTime(range.start, timeZone, now);
  if (from === undefined)
    return { error: `"${range.start}" is not a time: use -15m, -2d3h, @d, or a date and time` };
  const to = resolveTime(range.end, timeZone, now);
  if (to === undefined)
    return { error: `"${range.end}" is not a time: use now, -1h, @d, or a date and time` };
  if (to <= from) return { error: 'the end of the time range must be after its start' };
  return { from, to };
}

function describeRelative(text: string): string {
  const match = RELATIVE.exec(text.trim());
  if (!match) return text;
  const parts = [...match[1]!.matchAll(/(\d+)([smhdw])/g)].map((p) => {
    const n = Number(p[1]);
    const words = UNIT_WORDS[p[2]!]!;
    return `${n} ${n === 1 ? words[0] : words[1]}`;
  });
  return `Last ${parts.join(' ')}`;
}

/** The preset a range is, if it is one. */
export function findPreset(range: TimeRange): Preset | undefined {
  return PRESETS.find(
    (p) =>
      p.start === range.start.trim() && (p.end === range.end.trim() || (isNow(p.end) && isNow(range.end))),
  );
}

/** A short label for the picker button: "Last 15 minutes", "Yesterday", "2026-11-22 10:00 → now". */
export function describeRange(range: TimeRange): string {
  const preset = findPreset(range);
  if (preset) return preset.label;
  if (isNow(range.end) && parseRelative(range.start) !== undefined) return describeRelative(range.start);
  // Every form shown here is one resolveTime reads back to the same instant.
  const show = (t: string): string => {
    if (isNow(t)) return 'now';
    if (EPOCH_MS.test(t.trim())) return `${formatWall(Number(t.trim()), ' ')} UTC`;
    return t.trim().replace(/^(\d{4}-\d{2}-\d{2})T/i, '$1 ');
  };
  return `${show(range.start)} → ${show(range.end)}`;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The days a calendar preset covers now, for the picker ("May 18", "May 11 – May 17"). */
export function describePresetDays(preset: Preset, timeZone: string, now: number): string | undefined {
  if (preset.group !== PresetGroup.Calendar || !isKnownTimeZone(timeZone)) return undefined;
  const range = resolveRange(preset, timeZone, now);
  if ('error' in range) return undefined;
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric' });
    dayFormats.set(timeZone, format);
  }
  const first = format.format(range.from);
  const last = format.format(range.to - 1);
  return first === last ? first : `${first} – ${last}`;
}

/** True when the text is a valid range end (for inline validation). */
export function isValidTime(text: string): boolean {
  return resolveTime(text, 'UTC', Date.now()) !== undefined;
}

/** The browser's own time zone. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Time zones to offer: the search's own, the browser's, UTC, then every zone the browser lists.
 * The search's zone comes first because the list may not hold its name: Chromium lists
 * `Asia/Calcutta`, not `Asia/Kolkata`, and a zone that is not offered would show as another.
 */
export function timeZones(current?: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...(current ? [current] : []), browserTimeZone(), 'UTC', ...known])];
}
