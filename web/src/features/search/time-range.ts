/**
 * Time ranges as the search page and its URL hold them: relative (`-15m`, `-2d3h`, `now`) or absolute
 * (wall-clock `2026-11-22T10:00` in the chosen time zone, or epoch ms), Sumo Logic's URL forms.
 */

export interface TimeRange {
  /** `-15m`, `-2d3h`, epoch ms as digits, or wall-clock `YYYY-MM-DDTHH:mm[:ss]`. */
  start: string;
  /** Same forms; `now` (the default). */
  end: string;
}

export const DEFAULT_RANGE: TimeRange = { start: '-15m', end: 'now' };

export const PRESETS: readonly { label: string; start: string }[] = [
  { label: 'Last 15 minutes', start: '-15m' },
  { label: 'Last 60 minutes', start: '-1h' },
  { label: 'Last 24 hours', start: '-24h' },
  { label: 'Last 7 days', start: '-7d' },
];

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};
const UNIT_WORDS: Record<string, [string, string]> = {
  s: ['second', 'seconds'],
  m: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  w: ['week', 'weeks'],
};

const RELATIVE = /^-((?:\d+[smhdw])+)$/;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Milliseconds of a relative expression (`-2d3h` → 183 600 000), or undefined when it is not one. */
export function parseRelative(text: string): number | undefined {
  const match = RELATIVE.exec(text.trim());
  if (!match) return undefined;
  let total = 0;
  for (const part of match[1]!.matchAll(/(\d+)([smhdw])/g)) total += Number(part[1]) * UNIT_MS[part[2]!]!;
  return total > 0 ? total : undefined;
}

/** The offset of `timeZone` from UTC at instant `epochMs`, in ms (positive east of Greenwich). */
function zoneOffset(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Epoch ms of a wall-clock time in a time zone (the later instant when a DST change repeats it). */
export function wallClockToEpoch(text: string, timeZone: string): number | undefined {
  const m = WALL_CLOCK.exec(text.trim());
  if (!m) return undefined;
  const naive = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (Number.isNaN(naive)) return undefined;
  // Two passes settle the offset around DST transitions.
  let guess = naive - zoneOffset(naive, timeZone);
  guess = naive - zoneOffset(guess, timeZone);
  return guess;
}

/** Wall-clock `YYYY-MM-DDTHH:mm` of an instant in a time zone (for the absolute inputs). */
export function epochToWallClock(epochMs: number, timeZone: string): string {
  const shifted = new Date(epochMs + zoneOffset(epochMs, timeZone));
  return shifted.toISOString().slice(0, 16);
}

/** Resolves one end of a range to epoch ms; undefined when the text is not a valid time. */
export function resolveTime(text: string, timeZone: string, now: number): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'now') return now;
  const relative = parseRelative(trimmed);
  if (relative !== undefined) return now - relative;
  if (/^\d{10,}$/.test(trimmed)) return Number(trimmed);
  return wallClockToEpoch(trimmed, timeZone);
}

/** Both ends as epoch ms, or an error message a person can act on. */
export function resolveRange(range: TimeRange, timeZone: string, now: number): { from: number; to: number } | { error: string } {
  const from = resolveTime(range.start, timeZone, now);
  if (from === undefined) return { error: `"${range.start}" is not a time: use -15m, -2d3h, or a date and time` };
  const to = resolveTime(range.end, timeZone, now);
  if (to === undefined) return { error: `"${range.end}" is not a time: use now, -1h, or a date and time` };
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

/** A short label for the picker button: "Last 15 minutes", "2026-11-22 10:00 → now". */
export function describeRange(range: TimeRange): string {
  const preset = PRESETS.find((p) => p.start === range.start);
  const isNow = range.end === 'now' || range.end === '';
  if (isNow && preset) return preset.label;
  if (isNow && parseRelative(range.start) !== undefined) return describeRelative(range.start);
  const show = (t: string): string => {
    if (t === 'now' || t === '') return 'now';
    if (parseRelative(t) !== undefined) return t;
    if (/^\d{10,}$/.test(t)) return new Date(Number(t)).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
    return t.replace('T', ' ');
  };
  return `${show(range.start)} → ${show(range.end)}`;
}

/** True when the text is a valid range end (for inline validation). */
export function isValidTime(text: string): boolean {
  return resolveTime(text, 'UTC', Date.now()) !== undefined;
}

/** The browser's own time zone. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Time zones to offer: the browser's, UTC, then every zone the browser knows. */
export function timeZones(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([browserTimeZone(), 'UTC', ...known])];
}
